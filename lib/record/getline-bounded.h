/*
 * getline-bounded.h - getline(3) that never holds more than a bound: for
 * files a program reads line by line outside a record stream (event logs,
 * replayed logs), so a hostile file cannot make it allocate without limit
 * or read for ever.
 */
#ifndef SOAK_GETLINE_BOUNDED_H
#define SOAK_GETLINE_BOUNDED_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Read one line of f, through its '\n' (kept, as getline keeps it) or end
 * of file, into *line (grown with realloc, as getline grows it, to at
 * most max + 3 bytes).  Returns its length, or -1 at end of file with
 * nothing read or on a read error (ferror(f) tells which).  A line whose
 * content (without its "\n" or "\r\n") is longer than max bytes is not
 * read further than max + 2 bytes: *too_long is set, the length returned
 * is 0, and the rest of the line is left in f (the callers stop there).
 */
ssize_t soak_getline_bounded(char **line, size_t *cap, FILE *f, size_t max, bool *too_long);

#endif
