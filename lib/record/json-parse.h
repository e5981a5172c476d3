/*
 * json-parse.h - inside lib/record: the strict JSON reader and the
 * allocator its nodes come from (the per-record arena when it is on).
 */
#ifndef SOAK_JSON_PARSE_H
#define SOAK_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/*
 * Parse text (len bytes, a NUL at text[len] not needed) as exactly one
 * JSON value with nothing but whitespace around it.  Rejects, with a
 * message in err naming the byte: NUL bytes, invalid UTF-8, raw control
 * bytes (in strings, and outside them but tab, CR, LF), \u0000, numbers
 * outside the JSON grammar, duplicate keys at any depth, nesting deeper
 * than 1000, more than SOAK_MAX_LINE_VALUES values.  Numbers keep their
 * text in valuestring.  The tree is freed with cJSON_Delete.
 */
cJSON *soak_json_parse(const char *text, size_t len, char *err);

/*
 * node as compact JSON (what cJSON_PrintUnformatted writes, numbers as
 * the text they carry) into *buf, of *cap bytes, grown with realloc as
 * needed; *len is the length written (no NUL).  False at the first
 * number without text that is not finite (nothing usable is written).
 */
bool soak_json_print(const cJSON *node, char **buf, size_t *cap, size_t *len);

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. */
size_t soak_utf8_length(const unsigned char *p, size_t n);

/* Memory for a node or its strings, as cJSON_Delete will free it. */
void *soak_node_alloc(size_t n);
void soak_node_free(void *p);

#endif
