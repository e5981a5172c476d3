/* getline-bounded.c - getline(3) with a bound on what it holds and reads. */
#include "getline-bounded.h"
#include "cli.h"

#include <stdlib.h>

/* Room for n + 1 bytes (the terminating NUL) in *line, never more than limit. */
static void grow(char **line, size_t *cap, size_t n, size_t limit)
{
	size_t want = *cap ? *cap : 128;
	while (want <= n)
		want = want > limit / 2 ? limit : want * 2;
	char *grown = realloc(*line, want);
	if (!grown)
		soak_die(SOAK_EXIT_IO, "out of memory");
	*line = grown;
	*cap = want;
}

ssize_t soak_getline_bounded(char **line, size_t *cap, FILE *f, size_t max, bool *too_long)
{
	/* max content bytes, a '\r', a '\n' and the NUL */
	size_t limit = max > (size_t)-1 - 3 ? (size_t)-1 : max + 3;
	size_t len = 0;
	int c = EOF;
	*too_long = false;
	if (!*line || *cap < 2)
		grow(line, cap, 1, limit);
	while ((c = getc_unlocked(f)) != EOF) {
		if (len + 1 >= *cap)
			grow(line, cap, len + 1, limit);
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
		if (len > max + 1) {   /* more than max bytes and a '\r': too long */
			*too_long = true;
			break;
		}
	}
	if (len == 0)
		return -1;
	size_t content = len - (c == '\n');
	if (content > 0 && (*line)[content - 1] == '\r' && c == '\n')
		content--;
	if (*too_long || content > max) {
		*too_long = true;
		len = 0;
	}
	(*line)[len] = '\0';
	return (ssize_t)len;
}
