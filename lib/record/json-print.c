/*
 * json-print.c - compact JSON out of a cJSON tree, byte for byte what
 * cJSON_PrintUnformatted writes for our trees, without its per-character
 * buffer checks: numbers as the text they carry (read, or formatted by
 * soak_num), strings escaped as cJSON escapes them.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json-parse.h"
#include "record.h"

struct out {
	char *buf;
	size_t len, cap;
};

/* Room for n more bytes. */
static void grow(struct out *o, size_t n)
{
	soak_grow(&o->buf, &o->cap, o->len + n, SIZE_MAX);
}

/* The pieces are short (keys, numbers, punctuation): a loop beats a call
 * to memcpy for them. */
static inline void put(struct out *o, const char *s, size_t n)
{
	if (o->cap - o->len < n)
		grow(o, n);
	char *d = o->buf + o->len;
	if (n > 32)
		memcpy(d, s, n);
	else
		for (size_t k = 0; k < n; k++)
			d[k] = s[k];
	o->len += n;
}

static inline void put_char(struct out *o, char c)
{
	if (o->cap == o->len)
		grow(o, 1);
	o->buf[o->len++] = c;
}

/* Bytes a string holds as they are: all but '"', '\\' and controls. */
static bool raw_byte[256];

static void init_raw_bytes(void)
{
	for (int c = 0x20; c < 0x100; c++)
		raw_byte[c] = c != '"' && c != '\\';
}

static void put_string(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	if (!raw_byte['a'])
		init_raw_bytes();
	put_char(o, '"');
	for (;;) {
		const unsigned char *run = p;
		while (raw_byte[*p])
			p++;
		put(o, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		char esc[6] = {'\\', 0};
		size_t n = 2;
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		put(o, esc, n);
		p++;
	}
	put_char(o, '"');
}

/* A number: its text; one without text (none of ours) formatted as
 * soak_num would; false when it is not finite. */
static bool put_number(struct out *o, const cJSON *n)
{
	char text[32];
	if (n->valuestring) {
		put(o, n->valuestring, strlen(n->valuestring));
		return true;
	}
	if (!isfinite(n->valuedouble))
		return false;
	int len = soak_format_number(n->valuedouble, text);
	for (int k = 0; k < len; k++)   /* not put(): its memcpy branch is for long pieces */
		put_char(o, text[k]);
	return true;
}

static bool put_value(struct out *o, const cJSON *node);

static bool put_children(struct out *o, const cJSON *node, bool keys)
{
	put_char(o, keys ? '{' : '[');
	for (const cJSON *c = node->child; c; c = c->next) {
		if (c != node->child)
			put_char(o, ',');
		if (keys) {
			put_string(o, c->string);
			put_char(o, ':');
		}
		if (!put_value(o, c))
			return false;
	}
	put_char(o, keys ? '}' : ']');
	return true;
}

static bool put_value(struct out *o, const cJSON *node)
{
	switch (node->type & 0xFF) {
	case cJSON_False: put(o, "false", 5); return true;
	case cJSON_True: put(o, "true", 4); return true;
	case cJSON_NULL: put(o, "null", 4); return true;
	case cJSON_Number: return put_number(o, node);
	case cJSON_String: put_string(o, node->valuestring); return true;
	case cJSON_Raw:
		put(o, node->valuestring ? node->valuestring : "", node->valuestring
		    ? strlen(node->valuestring) : 0);
		return true;
	case cJSON_Array: return put_children(o, node, false);
	case cJSON_Object: return put_children(o, node, true);
	default: return false;
	}
}

bool soak_json_print(const cJSON *node, char **buf, size_t *cap, size_t *len)
{
	struct out o = {*buf, 0, *cap};
	bool ok = put_value(&o, node);
	*buf = o.buf;
	*cap = o.cap;
	*len = o.len;
	return ok;
}
