/*
 * harness.h - what soakkit's libFuzzer harnesses share: a NUL-terminated
 * copy of the input, a stream that writes to memory and skips bad lines
 * (so a rejected record never exits the fuzzer), and the property every
 * harness checks: whatever we write is one line that our own reader
 * accepts (strict JSON, finite numbers).
 */
#ifndef SOAK_FUZZ_HARNESS_H
#define SOAK_FUZZ_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"

/* The input as text with a NUL after it (soak_parse_checked needs one). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

struct fuzz_out {
	char *buf;
	size_t len;
};

/* A stream in skip mode: output to memory (out), rejects to /dev/null. */
static inline void fuzz_stream_open(struct soak_stream *s, struct fuzz_out *out)
{
	soak_stream_init(s);
	s->skip_errors = true;
	s->rejects = fopen("/dev/null", "w");
	s->out = open_memstream(&out->buf, &out->len);
	if (!s->rejects || !s->out)
		abort();
	soak_progname = "fuzz";
}

/* Point the stream at line (len bytes, NUL after it) as line line_no. */
static inline void fuzz_stream_line(struct soak_stream *s, char *line, size_t len, long line_no)
{
	s->line = line;
	s->line_len = len;
	s->line_no = line_no;
}

/* Close the stream; every line written must read back through our reader. */
static inline void fuzz_stream_close(struct soak_stream *s, struct fuzz_out *out)
{
	char err[SOAK_ERR_MAX];
	fclose(s->out);
	fclose(s->rejects);
	free(s->out_buf); /* soak_stream_finish's job in a program */
	char *p = out->buf, *end = out->buf + out->len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			abort(); /* a partial line */
		*nl = '\0';
		cJSON *back = soak_parse_checked(p, (size_t)(nl - p), err);
		if (!back) {
			fprintf(stderr, "fuzz: we wrote a line our reader refuses: %s\n%s\n", err, p);
			abort();
		}
		cJSON_Delete(back);
		p = nl + 1;
	}
	free(out->buf);
}

/* The next line of text (from *pos, NUL-terminated in place), or NULL. */
static inline char *fuzz_next_line(char *text, size_t size, size_t *pos, size_t *len)
{
	if (*pos >= size)
		return NULL;
	char *line = text + *pos;
	char *nl = memchr(line, '\n', size - *pos);
	*len = nl ? (size_t)(nl - line) : size - *pos;
	line[*len] = '\0';
	*pos += *len + 1;
	return line;
}

#endif
