/* getline-bounded.c - getline(3) with a bound on what it holds and reads. */
#include "getline-bounded.h"
#include "cli.h"

ssize_t soak_getline_bounded(char **line, size_t *cap, FILE *f, size_t max, bool *too_long)
{
	/* max content bytes, a '\r', a '\n' and the NUL */
	size_t limit = max > (size_t)-1 - 3 ? (size_t)-1 : max + 3;
	size_t len = 0;
	int c = EOF;
	*too_long = false;
	soak_grow(line, cap, 2, limit);
	while ((c = getc_unlocked(f)) != EOF) {
		if (len + 1 >= *cap)
			soak_grow(line, cap, len + 2, limit);
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
