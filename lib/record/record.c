/* record.c - JSON-lines records: checked reading, exact-number writing. */
#include "record.h"
#include "cli.h"
#include "json-parse.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------
 * The per-record arena (see soak_stream_use_arena).
 * ------------------------------------------------------------------- */

#define ARENA_SIZE ((size_t)1 << 20)

static char *arena_base;
static size_t arena_used;
static bool arena_on;

static void *arena_malloc(size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (arena_on && need <= ARENA_SIZE - arena_used) {
		void *p = arena_base + arena_used;
		arena_used += need;
		return p;
	}
	return malloc(n); /* before the first record, or a record past the block */
}

/* Frees what is not in the block (addresses compared as integers: the
 * block may not exist, and p may be from anywhere). */
static void arena_free(void *p)
{
	uintptr_t at = (uintptr_t)p, base = (uintptr_t)arena_base;
	if (arena_base && at >= base && at < base + ARENA_SIZE)
		return;
	free(p);
}

void soak_stream_use_arena(struct soak_stream *s)
{
	if (getenv("SOAKKIT_NO_ARENA") || arena_base)
		return;
	arena_base = malloc(ARENA_SIZE);
	if (!arena_base)
		soak_die(SOAK_EXIT_IO, "out of memory");
	cJSON_Hooks hooks = {arena_malloc, arena_free};
	cJSON_InitHooks(&hooks);
	s->arena = true;
}

/* Text of a number token, from the arena when it is on. */
static char *copy_token(const char *text, size_t len)
{
	char *p = arena_malloc(len + 1);
	if (!p)
		soak_die(SOAK_EXIT_IO, "out of memory");
	memcpy(p, text, len);
	p[len] = '\0';
	return p;
}

/* ---------------------------------------------------------------------
 * Reading: json-parse.c builds the tree with every check; the top must be
 * an object.
 * ------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. */
size_t soak_utf8_length(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t need;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4; min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	unsigned cp = c & (0xFF >> (need + 1));
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

void *soak_node_alloc(size_t n)
{
	void *p = arena_malloc(n);
	if (!p)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return p;
}

void soak_node_free(void *p)
{
	arena_free(p);
}

cJSON *soak_parse_checked(const char *text, size_t len, char *err)
{
	cJSON *root = soak_json_parse(text, len, err);
	if (root && !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		soak_errorf(err, "not a JSON object");
		return NULL;
	}
	return root;
}

/* ---------------------------------------------------------------------
 * Numbers we write: up to 12 significant digits, no trailing zeros.
 * ------------------------------------------------------------------- */

static const double powers_of_ten[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

#define SIGNIFICANT_DIGITS 12

static int format_integer(uint64_t v, bool negative, char *buf)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	int len = 0;
	if (negative)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

static const double negative_powers_of_ten[] = {
	1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8
};

/* Decimal exponent e with 10^e <= a < 10^(e+1), for 1e-7 <= a < 1e15. */
static int decimal_exponent(double a)
{
	int e = 0;
	if (a >= 1) {
		while (e < 22 && a >= powers_of_ten[e + 1])
			e++;
	} else {
		while (e > -8 && a < negative_powers_of_ten[-e])
			e--;
	}
	return e;
}

int soak_format_number(double x, char *buf)
{
	double a = fabs(x);
	if (a == 0)
		return (int)(strcpy(buf, "0"), 1);
	if (a < 1e15 && a == floor(a))
		return format_integer((uint64_t)a, x < 0, buf);
	if (a < 1e-7 || a >= 1e15 || !isfinite(a))
		return snprintf(buf, 32, "%.*g", SIGNIFICANT_DIGITS, x);
	int e = decimal_exponent(a);
	int shift = SIGNIFICANT_DIGITS - 1 - e;      /* 12 digits to the left of the point */
	double scaled = shift >= 0 ? a * powers_of_ten[shift] : a / powers_of_ten[-shift];
	uint64_t m = (uint64_t)llround(scaled);
	if (m >= (uint64_t)powers_of_ten[SIGNIFICANT_DIGITS]) { /* 9.9999... rounded up */
		m /= 10;
		e++;
		shift--;
	}
	char digits[24];
	int nd = format_integer(m, false, digits);
	int len = 0;
	if (x < 0)
		buf[len++] = '-';
	if (shift <= 0) { /* no fraction left: the value is a whole number of this many digits */
		memcpy(buf + len, digits, (size_t)nd);
		len += nd;
		for (int z = 0; z < -shift; z++)
			buf[len++] = '0';
		buf[len] = '\0';
		return len;
	}
	int int_digits = nd - shift; /* digits before the point; <= 0 means "0.000ddd" */
	if (int_digits > 0) {
		memcpy(buf + len, digits, (size_t)int_digits);
		len += int_digits;
	} else {
		buf[len++] = '0';
	}
	buf[len++] = '.';
	for (int z = int_digits; z < 0; z++)
		buf[len++] = '0';
	int from = int_digits > 0 ? int_digits : 0;
	memcpy(buf + len, digits + from, (size_t)(nd - from));
	len += nd - from;
	while (buf[len - 1] == '0')
		len--;
	if (buf[len - 1] == '.')
		len--;
	buf[len] = '\0';
	return len;
}

cJSON *soak_checked(cJSON *node)
{
	if (!node)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return node;
}

cJSON *soak_num(double x)
{
	char text[32];
	cJSON *n = cJSON_CreateNumber(x);
	if (!n)
		soak_die(SOAK_EXIT_IO, "out of memory");
	if (!isfinite(x))
		return n; /* no text: soak_stream_write refuses it */
	int len = soak_format_number(x, text);
	n->valuestring = copy_token(text, (size_t)len);
	return n;
}

/* Append the path of the first non-finite number under node (siblings
 * included) to path (len bytes used of cap); false when there is none. */
static bool non_finite_path(const cJSON *node, bool in_array, char *path, size_t len, size_t cap)
{
	for (int index = 0; node; node = node->next, index++) {
		int n = in_array ? snprintf(path + len, cap - len, "[%d]", index)
				 : snprintf(path + len, cap - len, "%s%s", len ? "." : "", node->string);
		size_t here = n < 0 || (size_t)n >= cap - len ? cap - 1 : len + (size_t)n;
		if (cJSON_IsNumber(node) && !node->valuestring && !isfinite(node->valuedouble))
			return true;
		if (node->child && non_finite_path(node->child, cJSON_IsArray(node), path, here, cap))
			return true;
		path[len] = '\0';
	}
	return false;
}

/* ---------------------------------------------------------------------
 * The stream.
 * ------------------------------------------------------------------- */

void soak_stream_init(struct soak_stream *s)
{
	memset(s, 0, sizeof *s);
	s->in = stdin;
	s->out = stdout;
	s->max_line = SOAK_MAX_LINE_DEFAULT;
}

bool soak_stream_option(struct soak_stream *s, int opt, const char *arg)
{
	if (opt == SOAK_OPT_ON_ERROR) {
		if (strcmp(arg, "fail") == 0)
			s->skip_errors = false;
		else if (strcmp(arg, "skip") == 0)
			s->skip_errors = true;
		else
			soak_usage_error("option '--on-error': '%s' is not fail or skip", arg);
		return true;
	}
	if (opt == SOAK_OPT_REJECTS) {
		s->rejects_path = arg; /* created by the first bad line skipped */
		return true;
	}
	if (opt == SOAK_OPT_MAX_LINE_BYTES) {
		s->max_line = (size_t)soak_arg_long("--max-line-bytes", arg, 1, 1L << 30);
		return true;
	}
	return false;
}

/* The rejects file, created by the first bad line skipped; streams of one
 * program that name the same file (soak-report's logs) share it. */
static void open_rejects(struct soak_stream *s)
{
	static FILE *opened;
	static const char *opened_path;
	if (s->rejects)
		return;
	if (!s->rejects_path) {
		s->rejects = stderr;
		return;
	}
	if (!opened || strcmp(opened_path, s->rejects_path) != 0) {
		opened = fopen(s->rejects_path, "w");
		opened_path = s->rejects_path;
	}
	s->rejects = opened;
	if (!s->rejects)
		soak_die(SOAK_EXIT_IO, "cannot open '%s': %s", s->rejects_path, strerror(errno));
}

void soak_stream_reject(struct soak_stream *s, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: line %ld: ", soak_progname, s->line_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!s->skip_errors)
		exit(SOAK_EXIT_USAGE);
	open_rejects(s);
	if (!s->line_too_long) {
		fwrite(s->line, 1, s->line_len, s->rejects);
		fputc('\n', s->rejects);
	}
	if (fflush(s->rejects) != 0)
		soak_die(SOAK_EXIT_IO, "write error on rejects: %s", strerror(errno));
	s->skipped++;
}

static bool line_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	return true;
}

#define READ_CHUNK ((size_t)1 << 16)

/* Refill the read buffer from s->in's descriptor (read(2): a pipe's
 * bytes are used as soon as they come).  False at end of input. */
static bool refill(struct soak_stream *s)
{
	if (!s->rbuf && !(s->rbuf = malloc(READ_CHUNK)))
		soak_die(SOAK_EXIT_IO, "out of memory");
	for (;;) {
		ssize_t n = read(fileno(s->in), s->rbuf, READ_CHUNK);
		if (n >= 0) {
			s->rpos = 0;
			s->rlen = (size_t)n;
			return n > 0;
		}
		if (errno != EINTR)
			soak_die(SOAK_EXIT_IO, "read error: %s", strerror(errno));
	}
}

/* Append n bytes to s->line unless it would pass max_line (then only
 * note that the line is too long: its bytes are read past, not kept).
 * Either way s->line has room for what it keeps and a NUL. */
static void line_append(struct soak_stream *s, const char *p, size_t n)
{
	if (s->line_too_long || s->line_len + n > s->max_line + 1) {
		s->line_too_long = true; /* + 1: room for a CR before the newline */
		n = 0;
	}
	soak_grow(&s->line, &s->line_cap, s->line_len + n + 1, SIZE_MAX);
	memcpy(s->line + s->line_len, p, n);
	s->line_len += n;
}

/* Read the next physical line into s->line without its ending.
 * Returns false at end of input. */
static bool read_line(struct soak_stream *s)
{
	bool any = false;
	s->line_len = 0;
	s->line_too_long = false;
	for (;;) {
		if (s->rpos == s->rlen && !refill(s)) {
			if (!any)
				return false;
			break;
		}
		any = true;
		const char *start = s->rbuf + s->rpos;
		const char *nl = memchr(start, '\n', s->rlen - s->rpos);
		size_t n = nl ? (size_t)(nl - start) : s->rlen - s->rpos;
		line_append(s, start, n);
		s->rpos += n + (nl != NULL);
		if (nl)
			break;
	}
	s->line_no++;
	line_append(s, "", 0); /* a buffer even for an empty line */
	if (s->line_len && s->line[s->line_len - 1] == '\r')
		s->line_len--;
	if (!s->line_too_long && s->line_len > s->max_line)
		s->line_too_long = true;
	if (s->line_too_long)
		s->line_len = 0;
	s->line[s->line_len] = '\0';
	return true;
}

cJSON *soak_stream_next(struct soak_stream *s)
{
	char err[SOAK_ERR_MAX];
	if (s->arena) {
		arena_used = 0; /* the caller is done with the last record */
		arena_on = true;
	}
	while (read_line(s)) {
		if (s->line_too_long) {
			soak_stream_reject(s, "line longer than %zu bytes (--max-line-bytes), not kept",
					   s->max_line);
			continue;
		}
		if (line_is_blank(s->line, s->line_len))
			continue;
		cJSON *rec = soak_parse_checked(s->line, s->line_len, err);
		if (rec)
			return rec;
		soak_stream_reject(s, "%s", err);
	}
	return NULL;
}

void soak_write_line(FILE *out, const char *text, size_t len)
{
	errno = 0;
	if (fwrite(text, 1, len, out) != len || putc('\n', out) == EOF || fflush(out) != 0) {
		if (errno == EPIPE)
			exit(SOAK_EXIT_OK);
		soak_die(SOAK_EXIT_IO, "write error: %s", strerror(errno ? errno : EIO));
	}
}

bool soak_stream_write(struct soak_stream *s, cJSON *rec)
{
	size_t len;
	if (!soak_json_print(rec, &s->out_buf, &s->out_cap, &len)) {
		char path[256] = "";
		non_finite_path(rec->child, false, path, 0, sizeof path);
		soak_stream_reject(s, "result '%s' is not a finite number: nothing written", path);
		return false;
	}
	soak_write_line(s->out, s->out_buf, len);
	return true;
}

static const char order_hint[] = "a log must be one contiguous run of iterations (for "
	"ITER_SUMMARY files: jq -cs 'sort_by(.iteration)[]' ITER_SUMMARY_*.json)";

bool soak_order_check(const struct soak_order *o, long iteration, long line_no, char *err)
{
	(void)line_no;
	if (!o->started || iteration == o->iteration + 1)
		return true;
	if (iteration == o->iteration)
		return soak_errorf(err, "iteration %ld again (duplicate of line %ld): %s", iteration,
				   o->line_no, order_hint);
	if (iteration > o->iteration)
		return soak_errorf(err, "iteration %ld after iteration %ld of line %ld (a gap): %s",
				   iteration, o->iteration, o->line_no, order_hint);
	return soak_errorf(err, "iteration %ld after iteration %ld of line %ld (out of order): %s",
			   iteration, o->iteration, o->line_no, order_hint);
}

void soak_order_accept(struct soak_order *o, long iteration, long line_no)
{
	o->started = true;
	o->iteration = iteration;
	o->line_no = line_no;
}

int soak_stream_finish(struct soak_stream *s)
{
	errno = 0;
	if (fflush(s->out) != 0 || ferror(s->out) || fclose(s->out) != 0) {
		if (errno == EPIPE)
			return SOAK_EXIT_OK;
		soak_die(SOAK_EXIT_IO, "write error: %s", strerror(errno ? errno : EIO));
	}
	if (s->rejects && s->rejects != stderr && fclose(s->rejects) != 0)
		soak_die(SOAK_EXIT_IO, "write error on '%s': %s", s->rejects_path, strerror(errno));
	if (s->skipped)
		soak_warn("%ld bad line%s skipped", s->skipped, s->skipped == 1 ? "" : "s");
	free(s->line);
	free(s->rbuf);
	free(s->out_buf);
	return SOAK_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * Building and reading records.
 * ------------------------------------------------------------------- */

void soak_set(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

cJSON *soak_get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsArray(v)) return "an array";
	if (cJSON_IsObject(v)) return "an object";
	return "a raw value";
}

static bool number_value(const cJSON *v, const char *path, double *out, char *err)
{
	if (!cJSON_IsNumber(v))
		return soak_errorf(err, "'%s' is %s, not a number", path, type_name(v));
	if (!isfinite(v->valuedouble))
		return soak_errorf(err, "'%s' is out of range (%s)", path,
				   v->valuestring ? v->valuestring : "not finite");
	*out = v->valuedouble;
	return true;
}

bool soak_get_number(const cJSON *obj, const char *key, const char *path,
		     double *out, char *err)
{
	const cJSON *v = soak_get(obj, key);
	if (!v)
		return soak_errorf(err, "missing field '%s'", path);
	return number_value(v, path, out, err);
}

bool soak_get_number_opt(const cJSON *obj, const char *key, const char *path,
			 double *out, bool *present, char *err)
{
	const cJSON *v = soak_get(obj, key);
	*present = v != NULL;
	return v ? number_value(v, path, out, err) : true;
}

bool soak_get_object_opt(const cJSON *obj, const char *key, const char *path,
			 cJSON **out, char *err)
{
	cJSON *v = soak_get(obj, key);
	*out = NULL;
	if (v && !cJSON_IsObject(v))
		return soak_errorf(err, "'%s' is %s, not an object", path, type_name(v));
	*out = v;
	return true;
}

bool soak_get_object(const cJSON *obj, const char *key, const char *path,
		     cJSON **out, char *err)
{
	if (!soak_get_object_opt(obj, key, path, out, err))
		return false;
	return *out ? true : soak_errorf(err, "missing field '%s'", path);
}

bool soak_get_string(const cJSON *obj, const char *key, const char *path,
		     const char **out, char *err)
{
	const cJSON *v = soak_get(obj, key);
	if (!v)
		return soak_errorf(err, "missing field '%s'", path);
	if (!cJSON_IsString(v))
		return soak_errorf(err, "'%s' is %s, not a string", path, type_name(v));
	*out = v->valuestring;
	return true;
}

const char *soak_unknown_field(const cJSON *obj, const char *const allowed[])
{
	for (const cJSON *c = obj->child; c; c = c->next) {
		bool known = false;
		for (int i = 0; allowed[i] && !known; i++)
			known = strcmp(c->string, allowed[i]) == 0;
		if (!known)
			return c->string;
	}
	return NULL;
}

bool soak_get_iteration(const cJSON *rec, long *out, char *err)
{
	double v;
	if (!soak_get_number(rec, "iteration", "iteration", &v, err))
		return false;
	if (v != floor(v) || v < 1 || v > 1e9)
		return soak_errorf(err, "'iteration' must be a whole number from 1 to 1000000000, not %s",
				   soak_get(rec, "iteration")->valuestring);
	*out = (long)v;
	return true;
}

#define MAX_JSON_FILE (4L << 20)

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode)) return "a directory";
	if (S_ISFIFO(mode)) return "a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
	if (S_ISSOCK(mode)) return "a socket";
	return "of another kind";
}

FILE *soak_open_data_file(const char *path, char *err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		soak_errorf(err, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0)
		soak_errorf(err, "cannot read '%s': %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		soak_errorf(err, "'%s' is %s, not a regular file", path, file_kind(st.st_mode));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		soak_errorf(err, "cannot open '%s': %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

cJSON *soak_load_json_file(const char *path, char *err)
{
	FILE *f = soak_open_data_file(path, err);
	if (!f)
		return NULL;
	char *text = malloc(MAX_JSON_FILE + 1);
	if (!text)
		soak_die(SOAK_EXIT_IO, "out of memory");
	size_t len = fread(text, 1, MAX_JSON_FILE + 1, f);
	bool read_failed = ferror(f);
	fclose(f);
	cJSON *root = NULL;
	char why[SOAK_ERR_MAX];
	if (read_failed)
		soak_errorf(err, "cannot read '%s'", path);
	else if (len > (size_t)MAX_JSON_FILE)
		soak_errorf(err, "'%s' is larger than %ld bytes", path, MAX_JSON_FILE);
	else {
		text[len] = '\0';
		root = soak_parse_checked(text, len, why);
		if (!root)
			soak_errorf(err, "'%s': %s", path, why);
	}
	free(text);
	return root;
}
