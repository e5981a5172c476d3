/*
 * json-parse.c - the strict JSON reader behind soak_parse_checked: one
 * pass over a line that checks everything (grammar, UTF-8, control bytes,
 * numbers, nesting, the count of values) and builds the cJSON tree, each
 * number keeping its text.  cJSON stays the data model and the printer;
 * its own parser made every filter pay a strtod and a localeconv per
 * number and a second pass over the text (half a filter's time).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json-parse.h"
#include "record.h"

#define MAX_DEPTH 1000   /* cJSON's CJSON_NESTING_LIMIT, which we replace */

struct parser {
	const unsigned char *t;
	size_t len, i;
	size_t values;           /* nodes made so far */
	char *err;
};

/* ------------------------------------------------------------------ */
/* Nodes                                                               */

static cJSON *new_node(struct parser *p, int type)
{
	if (++p->values > SOAK_MAX_LINE_VALUES) {
		soak_errorf(p->err, "more than %d JSON values", SOAK_MAX_LINE_VALUES);
		return NULL;
	}
	cJSON *n = soak_node_alloc(sizeof *n);
	memset(n, 0, sizeof *n);
	n->type = type;
	return n;
}

/* Append item to container's children (cJSON keeps the tail in child->prev). */
static void append(cJSON *container, cJSON *item)
{
	cJSON *first = container->child;
	if (!first) {
		container->child = item;
		item->prev = item;
		return;
	}
	first->prev->next = item;
	item->prev = first->prev;
	first->prev = item;
}

static bool fail_at(struct parser *p, size_t at)
{
	return soak_errorf(p->err, "invalid JSON at byte %zu", at + 1);
}

/* ------------------------------------------------------------------ */
/* Duplicate keys                                                      */

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keys of a large object: sort a copy and compare neighbours. */
static bool sorted_keys_unique(const cJSON *obj, size_t n, char *err)
{
	const char **keys = malloc(n * sizeof *keys);
	if (!keys)
		soak_die(SOAK_EXIT_IO, "out of memory");
	size_t k = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		keys[k++] = c->string;
	qsort(keys, n, sizeof *keys, compare_keys);
	bool ok = true;
	for (size_t i = 1; i < n && ok; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			ok = soak_errorf(err, "duplicate key '%s'", keys[i]);
	free(keys);
	return ok;
}

#define SMALL_OBJECT 32

/* No two members of obj share a key.  Small objects (the usual case)
 * compare a cheap fingerprint (length, first byte) before the strings. */
static bool object_keys_unique(const cJSON *obj, char *err)
{
	const char *keys[SMALL_OBJECT];
	unsigned fingerprint[SMALL_OBJECT];
	size_t n = 0;
	for (const cJSON *c = obj->child; c; c = c->next) {
		if (n == SMALL_OBJECT) {
			while (c) {
				n++;
				c = c->next;
			}
			return sorted_keys_unique(obj, n, err);
		}
		size_t len = strlen(c->string);
		keys[n] = c->string;
		fingerprint[n] = (unsigned)(len << 8) | (unsigned char)c->string[0];
		for (size_t j = 0; j < n; j++)
			if (fingerprint[j] == fingerprint[n] && strcmp(keys[j], keys[n]) == 0)
				return soak_errorf(err, "duplicate key '%s'", keys[n]);
		n++;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Bytes outside strings                                               */

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Skip whitespace; a control byte (other than tab, CR, LF) is an error. */
static bool skip_space(struct parser *p)
{
	while (p->i < p->len) {
		unsigned char c = p->t[p->i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			p->i++;
			continue;
		}
		if (c < 0x20)
			return soak_errorf(p->err, "raw control character 0x%02x at byte %zu outside a "
					   "string", c, p->i + 1);
		return true;
	}
	return true;
}

/* The byte at p->i cannot start a value or be the token expected. */
static bool unexpected(struct parser *p)
{
	if (p->i < p->len && p->t[p->i] >= 0x80 &&
	    soak_utf8_length(p->t + p->i, p->len - p->i) == 0)
		return soak_errorf(p->err, "invalid UTF-8 at byte %zu", p->i + 1);
	return fail_at(p, p->i);
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */

/* Bytes that need no look inside a string: printable ASCII but '"' and '\\'. */
static bool plain_byte[256];

static void init_plain_bytes(void)
{
	for (int c = 0x20; c < 0x80; c++)
		plain_byte[c] = c != '"' && c != '\\';
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* The 4 hex digits at t[i..i+4) as a code unit, or -1. */
static long hex4(const struct parser *p, size_t i)
{
	long v = 0;
	if (i + 4 > p->len)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		int h = hex_value(p->t[i + k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t put_utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The escape at p->i (after the backslash) decoded into out; its length,
 * or 0 with err (p->i is moved past it). */
static size_t decode_escape(struct parser *p, char *out)
{
	static const char simple_in[] = "\"\\/bfnrt", simple_out[] = "\"\\/\b\f\n\r\t";
	size_t at = p->i - 1;
	if (p->i == p->len)
		return fail_at(p, at);
	const char *s = strchr(simple_in, p->t[p->i]);
	if (s && p->t[p->i]) {
		p->i++;
		*out = simple_out[s - simple_in];
		return 1;
	}
	long unit = p->t[p->i] == 'u' ? hex4(p, p->i + 1) : -1;
	if (unit < 0)
		return fail_at(p, at);
	if (unit == 0)
		return soak_errorf(p->err, "unsupported \\u0000 in a string at byte %zu", at + 1);
	p->i += 5;
	if (unit >= 0xDC00 && unit <= 0xDFFF)
		return fail_at(p, at);     /* a low surrogate alone */
	if (unit < 0xD800 || unit > 0xDBFF)
		return put_utf8((unsigned long)unit, out);
	long low = p->i + 1 < p->len && p->t[p->i] == '\\' && p->t[p->i + 1] == 'u'
		   ? hex4(p, p->i + 2) : -1;
	if (low < 0xDC00 || low > 0xDFFF)
		return fail_at(p, at);     /* a high surrogate without its low half */
	p->i += 6;
	return put_utf8(0x10000 + (((unsigned long)unit - 0xD800) << 10) + ((unsigned long)low - 0xDC00),
			out);
}

/* The string whose opening quote is at p->i, decoded; NULL with err. */
static char *parse_string(struct parser *p)
{
	size_t start = ++p->i, i = start;
	if (!plain_byte['a'])
		init_plain_bytes();
	while (i < p->len && plain_byte[p->t[i]])
		i++;
	if (i < p->len && p->t[i] == '"') {          /* the common case: nothing to decode */
		char *s = soak_node_alloc(i - start + 1);
		memcpy(s, p->t + start, i - start);
		s[i - start] = '\0';
		p->i = i + 1;
		return s;
	}
	/* Decoded text is never longer than the source. */
	char *s = soak_node_alloc(p->len - start + 1), *o = s;
	memcpy(o, p->t + start, i - start);
	o += i - start;
	p->i = i;
	while (p->i < p->len) {
		unsigned char c = p->t[p->i];
		if (c == '"') {
			*o = '\0';
			p->i++;
			return s;
		}
		size_t n;
		if (c == '\\') {
			p->i++;
			n = decode_escape(p, o);
		} else if (c < 0x20) {
			soak_errorf(p->err, "invalid JSON at byte %zu: raw control character in a string",
				    p->i + 1);
			n = 0;
		} else if ((n = soak_utf8_length(p->t + p->i, p->len - p->i)) == 0) {
			soak_errorf(p->err, "invalid UTF-8 at byte %zu", p->i + 1);
		} else {
			memcpy(o, p->t + p->i, n);
			p->i += n;
		}
		if (n == 0) {
			soak_node_free(s);
			return NULL;
		}
		o += n;
	}
	soak_node_free(s);
	fail_at(p, p->len);   /* unterminated */
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Numbers                                                             */

static bool is_number_char(unsigned char c)
{
	return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Length of the longest prefix of t[i..len) that is a JSON number:
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, or 0 when none is. */
static size_t json_number_length(const unsigned char *t, size_t len, size_t i)
{
	size_t start = i, digits;
	if (t[i] == '-')
		i++;
	if (i == len || !is_digit(t[i]))
		return 0;
	if (t[i++] != '0')
		while (i < len && is_digit(t[i]))
			i++;
	if (i < len && t[i] == '.') {
		for (digits = ++i; i < len && is_digit(t[i]); i++)
			;
		if (i == digits)
			return 0;
	}
	if (i < len && (t[i] == 'e' || t[i] == 'E')) {
		if (++i < len && (t[i] == '+' || t[i] == '-'))
			i++;
		for (digits = i; i < len && is_digit(t[i]); i++)
			;
		if (i == digits)
			return 0;
	}
	return i - start;
}

static const double exact_powers[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * The value of a valid number token (NUL-terminated).  A mantissa of at
 * most 15 significant digits and a decimal exponent within 22 are both
 * exact doubles, so one multiplication or division is correctly rounded
 * (Clinger's fast path); anything else goes to strtod (C locale).
 */
static double number_value(const char *s)
{
	const char *c = s;
	bool negative = *c == '-';
	uint64_t m = 0;
	int digits = 0, exponent = 0;
	c += negative;
	for (; is_digit((unsigned char)*c); c++)
		if (m || *c != '0') {
			m = m * 10 + (uint64_t)(*c - '0');
			if (++digits > 15)
				return strtod(s, NULL);
		}
	if (*c == '.')
		for (c++; is_digit((unsigned char)*c); c++, exponent--)
			if (m || *c != '0') {
				m = m * 10 + (uint64_t)(*c - '0');
				if (++digits > 15)
					return strtod(s, NULL);
			}
	if (*c == 'e' || *c == 'E')
		return strtod(s, NULL);
	double v = (double)m;
	if (exponent < -22)
		return strtod(s, NULL);
	v = exponent < 0 ? v / exact_powers[-exponent] : v;
	return negative ? -v : v;
}

static cJSON *parse_number(struct parser *p)
{
	size_t start = p->i;
	while (p->i < p->len && is_number_char(p->t[p->i]))
		p->i++;
	size_t len = p->i - start;
	if (json_number_length(p->t, p->len, start) != len) {
		int shown = len > 40 ? 40 : (int)len;
		soak_errorf(p->err, "invalid number '%.*s%s' at byte %zu: not JSON (no leading zeros, "
			    "digits on both sides of a point)", shown, (const char *)p->t + start,
			    len > 40 ? "..." : "", start + 1);
		return NULL;
	}
	cJSON *n = new_node(p, cJSON_Number);
	if (!n)
		return NULL;
	n->valuestring = soak_node_alloc(len + 1);
	memcpy(n->valuestring, p->t + start, len);
	n->valuestring[len] = '\0';
	n->valuedouble = number_value(n->valuestring);
	n->valueint = n->valuedouble >= INT_MAX ? INT_MAX : n->valuedouble <= (double)INT_MIN
		      ? INT_MIN : (int)n->valuedouble;
	return n;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static cJSON *parse_value(struct parser *p, int depth);

static cJSON *parse_literal(struct parser *p)
{
	static const struct { const char *text; size_t len; int type; } literals[] = {
		{"true", 4, cJSON_True}, {"false", 5, cJSON_False}, {"null", 4, cJSON_NULL},
	};
	for (size_t k = 0; k < sizeof literals / sizeof literals[0]; k++)
		if (p->len - p->i >= literals[k].len &&
		    memcmp(p->t + p->i, literals[k].text, literals[k].len) == 0) {
			p->i += literals[k].len;
			return new_node(p, literals[k].type);
		}
	unexpected(p);
	return NULL;
}

/* After a member or element: ',' (true, more follow) or the closing
 * byte (true, *done set); anything else is an error (false). */
static bool next_or_close(struct parser *p, unsigned char close, bool *done)
{
	if (!skip_space(p))
		return false;
	if (p->i < p->len && p->t[p->i] == ',') {
		p->i++;
		return skip_space(p);
	}
	if (p->i < p->len && p->t[p->i] == close) {
		p->i++;
		*done = true;
		return true;
	}
	return unexpected(p);
}

static bool parse_member(struct parser *p, cJSON *object, int depth)
{
	if (p->i == p->len || p->t[p->i] != '"')
		return unexpected(p);
	char *key = parse_string(p);
	if (!key)
		return false;
	if (!skip_space(p))
		return soak_node_free(key), false;
	if (p->i == p->len || p->t[p->i] != ':') {
		soak_node_free(key);
		return unexpected(p);
	}
	p->i++;
	cJSON *value = skip_space(p) ? parse_value(p, depth) : NULL;
	if (!value)
		return soak_node_free(key), false;
	value->string = key;
	append(object, value);
	return true;
}

/* An object or array whose opening byte is at p->i. */
static cJSON *parse_container(struct parser *p, int depth)
{
	bool object = p->t[p->i] == '{', done = false;
	if (depth >= MAX_DEPTH) {
		soak_errorf(p->err, "invalid JSON at byte %zu: nested deeper than %d", p->i + 1,
			    MAX_DEPTH);
		return NULL;
	}
	cJSON *c = new_node(p, object ? cJSON_Object : cJSON_Array);
	if (!c)
		return NULL;
	p->i++;
	if (!skip_space(p))
		return cJSON_Delete(c), NULL;
	if (p->i < p->len && p->t[p->i] == (object ? '}' : ']')) {
		p->i++;
		return c;
	}
	while (!done) {
		cJSON *item = NULL;
		bool ok = object ? parse_member(p, c, depth + 1)
				 : (item = parse_value(p, depth + 1)) != NULL;
		if (item)
			append(c, item);
		if (!ok || !next_or_close(p, object ? '}' : ']', &done))
			return cJSON_Delete(c), NULL;
	}
	if (object && !object_keys_unique(c, p->err))
		return cJSON_Delete(c), NULL;
	return c;
}

static cJSON *parse_value(struct parser *p, int depth)
{
	if (p->i == p->len) {
		fail_at(p, p->i);
		return NULL;
	}
	unsigned char c = p->t[p->i];
	if (c == '{' || c == '[')
		return parse_container(p, depth);
	if (c == '-' || is_digit(c))
		return parse_number(p);
	if (c == '"') {
		cJSON *n = new_node(p, cJSON_String);
		if (n && !(n->valuestring = parse_string(p)))
			return cJSON_Delete(n), NULL;
		return n;
	}
	return parse_literal(p);
}

cJSON *soak_json_parse(const char *text, size_t len, char *err)
{
	struct parser p = {(const unsigned char *)text, len, 0, 0, err};
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		soak_errorf(err, "NUL byte at byte %zu", (size_t)(nul - text) + 1);
		return NULL;
	}
	if (!skip_space(&p))
		return NULL;
	cJSON *root = parse_value(&p, 0);
	if (root && (!skip_space(&p) || (p.i < len && !fail_at(&p, p.i)))) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}
