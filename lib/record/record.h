/*
 * record.h - reading and writing soak records: one JSON object per line.
 *
 * The reader checks every line before a program sees it: no NUL bytes,
 * valid UTF-8, no raw control characters or \u0000 in strings, valid JSON,
 * an object at the top, no duplicate keys at any depth.  Numbers keep the
 * exact text they were written with, so fields a program does not touch
 * are printed back byte for byte.  A bad line is reported as
 * "PROGRAM: line N: message" and, by the error policy, either stops the
 * program (exit 2) or is copied to the rejects stream and counted.
 */
#ifndef SOAK_RECORD_H
#define SOAK_RECORD_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <cjson/cJSON.h>

struct soak_stream {
	FILE *in, *out;
	bool skip_errors;           /* --on-error=skip */
	const char *rejects_path;   /* --rejects FILE; NULL means stderr */
	FILE *rejects;
	size_t max_line;            /* --max-line-bytes: longest line read */
	long line_no;               /* physical line number of the current record */
	long skipped;               /* bad lines skipped so far */
	char *line;                 /* current line, without its line ending */
	size_t line_cap;
	size_t line_len;
	bool line_too_long;         /* longer than max_line: not kept */
	char *rbuf;                 /* read buffer, rpos..rlen not yet used */
	size_t rpos, rlen;
	char *out_buf;              /* reused print buffer */
	size_t out_cap;
	bool arena;                 /* soak_stream_use_arena was called */
};

/* Long options every filter accepts; ids for the option switch. */
enum { SOAK_OPT_ON_ERROR = 0x1000, SOAK_OPT_REJECTS, SOAK_OPT_MAX_LINE_BYTES };
#define SOAK_STREAM_LONGOPTS \
	{"on-error", required_argument, NULL, SOAK_OPT_ON_ERROR}, \
	{"rejects", required_argument, NULL, SOAK_OPT_REJECTS}, \
	{"max-line-bytes", required_argument, NULL, SOAK_OPT_MAX_LINE_BYTES}

/* The default --max-line-bytes (16 MiB) and the most JSON values one
 * line may hold (numbers, strings, literals, arrays, objects). */
#define SOAK_MAX_LINE_DEFAULT ((size_t)16 << 20)
#define SOAK_MAX_LINE_VALUES 1000000

/* Help text lines for the options above, for a program's --help. */
#define SOAK_STREAM_HELP \
"      --on-error=MODE   fail (default): stop at the first bad line, exit 2;\n" \
"                        skip: report it, copy it to the rejects, go on\n" \
"      --rejects=FILE    where skipped lines go (default: stderr); created\n" \
"                        when the first bad line is skipped\n" \
"      --max-line-bytes=N  a longer line is bad input (default 16777216);\n" \
"                        a line may hold at most 1000000 JSON values\n"

/* Set up a stream on stdin/stdout with the default policy (fail). */
void soak_stream_init(struct soak_stream *s);

/*
 * Allocate each record's cJSON nodes from one block that is reset by the
 * next soak_stream_next call, instead of malloc/free per node (a fifth of
 * a filter's time).  The contract: nothing cJSON allocates while a record
 * is processed may be used after the next soak_stream_next call; copy
 * what must live longer into plain C data first.  Objects made before the
 * first record (loaded files) are ordinary heap memory.  The environment
 * variable SOAKKIT_NO_ARENA turns it off (for memory checkers).
 */
void soak_stream_use_arena(struct soak_stream *s);

/*
 * Handle --on-error / --rejects / --max-line-bytes (opt is the getopt_long
 * id).  Returns true when opt was one of them; a bad MODE or size is a
 * usage error.  The rejects file is not touched here: it is created (and
 * emptied) when the first bad line is skipped.
 */
bool soak_stream_option(struct soak_stream *s, int opt, const char *arg);

/*
 * The next record (a JSON object the caller owns and must cJSON_Delete),
 * or NULL at end of input.  Blank lines are skipped; CRLF is accepted.
 * A line that fails the checks above, or is longer than max_line bytes
 * (it is read past, never held), goes through soak_stream_reject.
 */
cJSON *soak_stream_next(struct soak_stream *s);

/*
 * The current line is bad: report "PROGRAM: line N: message".  With
 * --on-error=fail this exits 2; with skip it copies the line to the
 * rejects stream, counts it and returns, and the caller goes on to the
 * next record (writing nothing for this one).
 */
void soak_stream_reject(struct soak_stream *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Print rec as one line and flush.  Numbers carrying their text (see
 * soak_num) are printed as that text.  A closed stdout (EPIPE) exits 0
 * quietly; any other write error exits 3 with a message.  A number that
 * is not finite is never written: the record is rejected instead
 * (soak_stream_reject, "result 'PATH' is not a finite number") and false
 * returned; true when the line was written.
 */
bool soak_stream_write(struct soak_stream *s, cJSON *rec);

/*
 * The order every program that judges a log, or carries state from one
 * record to the next, requires: one contiguous run of iterations, each
 * the one before plus 1 (the first may be any).  soak_order_check
 * returns false with a message in err naming both lines and the way to
 * put ITER_SUMMARY files in order when `iteration' (on line `line_no')
 * does not follow; soak_order_accept records it once the record was used.
 */
struct soak_order {
	bool started;
	long iteration, line_no;
};
bool soak_order_check(const struct soak_order *o, long iteration, long line_no, char *err);
void soak_order_accept(struct soak_order *o, long iteration, long line_no);

/*
 * End of input: check stdin for read errors, close stdout checking that
 * every byte was written, report the number of skipped lines.  Returns
 * the exit status for main.
 */
int soak_stream_finish(struct soak_stream *s);

/*
 * Write one already-serialized JSON text (no newline) as a line, with the
 * same flush/EPIPE/error policy as soak_stream_write.
 */
void soak_write_line(FILE *out, const char *text, size_t len);

/* --- building and reading records ---------------------------------- */

/*
 * A number node whose printed form is our stable formatting of x (up to
 * 12 significant digits, trailing zeros dropped, integers without a
 * point).  A non-finite x gives a node soak_stream_write refuses to
 * print (naming its field), never the text "inf" or "nan".
 */
cJSON *soak_num(double x);

/* node itself, or exit 3 ("out of memory") when a cJSON constructor gave NULL. */
cJSON *soak_checked(cJSON *node);

/* Format x as soak_num prints it; buf needs 32 bytes.  Returns length. */
int soak_format_number(double x, char *buf);

/* Replace member `key` of obj by item, or add it at the end. */
void soak_set(cJSON *obj, const char *key, cJSON *item);

/* Member `key` (case-sensitive), or NULL. */
cJSON *soak_get(const cJSON *obj, const char *key);

/*
 * Typed field readers.  Each returns false with a message in err
 * (SOAK_ERR_MAX bytes) naming `path` when the member is missing (unless
 * the reader is an _opt one, which then returns true and sets *present
 * false), of the wrong type, or (numbers) not finite.
 */
bool soak_get_number(const cJSON *obj, const char *key, const char *path,
		     double *out, char *err);
bool soak_get_number_opt(const cJSON *obj, const char *key, const char *path,
			 double *out, bool *present, char *err);
bool soak_get_object(const cJSON *obj, const char *key, const char *path,
		     cJSON **out, char *err);
bool soak_get_object_opt(const cJSON *obj, const char *key, const char *path,
			 cJSON **out, char *err);   /* *out NULL when absent */
bool soak_get_string(const cJSON *obj, const char *key, const char *path,
		     const char **out, char *err);

/*
 * The first member of obj whose key is not in `allowed' (a NULL-terminated
 * list), or NULL when every key is allowed.  For strict formats.
 */
const char *soak_unknown_field(const cJSON *obj, const char *const allowed[]);

/* The record's "iteration": a whole number from 1 to 1e9. */
bool soak_get_iteration(const cJSON *rec, long *out, char *err);

/*
 * Parse text (len bytes) with every check soak_stream_next makes.
 * Returns the object or NULL with a message in err.  Used for files
 * (presets, thresholds, rules) as well as lines.
 */
cJSON *soak_parse_checked(const char *text, size_t len, char *err);

/*
 * Open a data file (preset, rules, thresholds, market, params) for
 * reading.  Only a regular file is accepted: a FIFO, directory or device
 * is refused without blocking ("'PATH' is a FIFO, not a regular file").
 * Returns NULL with a message in err.
 */
FILE *soak_open_data_file(const char *path, char *err);

/* Read a whole JSON data file (at most 4 MiB, opened by
 * soak_open_data_file) through soak_parse_checked. */
cJSON *soak_load_json_file(const char *path, char *err);

#endif
