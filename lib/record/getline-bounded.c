/* getline-bounded.c - getline(3) with a bound on what it holds. */
#include "getline-bounded.h"
#include "cli.h"

#include <stdlib.h>

/* Room for n + 1 bytes (the terminating NUL) in *line. */
static void ensure(char **line, size_t *cap, size_t n)
{
	if (*line && *cap > n)
		return;
	size_t want = *cap ? *cap : 128;
	while (want <= n)
		want *= 2;
	char *grown = realloc(*line, want);
	if (!grown)
		soak_die(SOAK_EXIT_IO, "out of memory");
	*line = grown;
	*cap = want;
}

ssize_t soak_getline_bounded(char **line, size_t *cap, FILE *f, size_t max, bool *too_long)
{
	size_t len = 0;
	bool any = false;
	int c;
	*too_long = false;
	ensure(line, cap, max < 127 ? max + 1 : 127);
	while ((c = getc_unlocked(f)) != EOF) {
		any = true;
		if (c != '\n' && len >= max) {
			*too_long = true;
			continue;
		}
		ensure(line, cap, len + 1);
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (!any)
		return -1;
	if (*too_long)
		len = 0;
	(*line)[len] = '\0';
	return (ssize_t)len;
}
