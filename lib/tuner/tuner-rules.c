/* tuner-rules.c - loading and evaluating the tuner's rule table. */
#include "tuner-rules.h"
#include "cli.h"
#include "preset.h"
#include "record.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COND_DEPTH 8
#define MAX_NAME_LEN 64

const char *const tuner_cmp_names[6] = {"<", "<=", ">", ">=", "==", "!="};

bool tuner_compare(double a, enum tuner_cmp cmp, double b)
{
	switch (cmp) {
	case CMP_LT: return a < b;
	case CMP_LE: return a <= b;
	case CMP_GT: return a > b;
	case CMP_GE: return a >= b;
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	}
	return false;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return p;
}

/* Where an entry is, for messages ("rules[3] ('x'): actions[1]"); long ones are cut. */
#define WHERE_MAX 400

static void wheref(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wheref(char *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, WHERE_MAX, fmt, ap);
	va_end(ap);
}

/* --- shape checks --------------------------------------------------- */

static const char *json_type(const cJSON *v)
{
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsArray(v)) return "an array";
	return "an object";
}

/* Every member of obj is one of allowed[] (NULL-terminated). */
static bool known_fields(const cJSON *obj, const char *const allowed[], const char *where,
			 char *err)
{
	const char *unknown = soak_unknown_field(obj, allowed);
	return unknown ? soak_errorf(err, "%s: unknown field '%s'", where, unknown) : true;
}

static bool want_object(const cJSON *v, const char *where, char *err)
{
	if (!cJSON_IsObject(v))
		return soak_errorf(err, "%s: %s, not an object", where, json_type(v));
	return true;
}

static bool want_array(const cJSON *v, const char *where, bool nonempty, char *err)
{
	if (!v)
		return soak_errorf(err, "missing field '%s'", where);
	if (!cJSON_IsArray(v))
		return soak_errorf(err, "%s: %s, not an array", where, json_type(v));
	if (nonempty && !v->child)
		return soak_errorf(err, "%s: empty array", where);
	return true;
}

/* Member key of obj as a finite number; missing is an error. */
static bool want_number(const cJSON *obj, const char *key, const char *where, double *out,
			char *err)
{
	const cJSON *v = soak_get(obj, key);
	if (!v)
		return soak_errorf(err, "%s: missing field '%s'", where, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return soak_errorf(err, "%s: '%s' is %s, not a finite number", where, key,
				   json_type(v));
	*out = v->valuedouble;
	return true;
}

static bool want_string(const cJSON *obj, const char *key, const char *where,
			const char **out, char *err)
{
	const cJSON *v = soak_get(obj, key);
	if (!v)
		return soak_errorf(err, "%s: missing field '%s'", where, key);
	if (!cJSON_IsString(v))
		return soak_errorf(err, "%s: '%s' is %s, not a string", where, key, json_type(v));
	*out = v->valuestring;
	return true;
}

static bool optional_string(const cJSON *obj, const char *key, const char *where, char *err)
{
	const cJSON *v = soak_get(obj, key);
	if (v && !cJSON_IsString(v))
		return soak_errorf(err, "%s: '%s' is %s, not a string", where, key, json_type(v));
	return true;
}

/* Names: 1-64 characters of [a-z0-9_]. */
static bool want_name(const char *s, const char *what, const char *where, char *err)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME_LEN || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return soak_errorf(err, "%s: %s '%s' is not 1 to %d characters of a-z, 0-9 and _",
				   where, what, s, MAX_NAME_LEN);
	return true;
}

static bool parse_cmp(const cJSON *obj, const char *where, enum tuner_cmp *out, char *err)
{
	const char *op;
	if (!want_string(obj, "op", where, &op, err))
		return false;
	for (int i = 0; i < 6; i++)
		if (strcmp(op, tuner_cmp_names[i]) == 0) {
			*out = (enum tuner_cmp)i;
			return true;
		}
	return soak_errorf(err, "%s: unknown op '%s' (use <, <=, >, >=, == or !=)", where, op);
}

static bool parse_param(const cJSON *obj, const char *where, int *out, char *err)
{
	const char *key;
	if (!want_string(obj, "key", where, &key, err))
		return false;
	*out = soak_param_by_key(key);
	if (*out < 0)
		return soak_errorf(err, "%s: unknown parameter '%s'", where, key);
	return true;
}

/* --- conditions ------------------------------------------------------ */

static void cond_free(struct tuner_cond *c)
{
	for (int i = 0; i < c->n; i++)
		cond_free(&c->items[i]);
	free(c->items);
	c->items = NULL;
	c->n = 0;
}

static bool parse_cond(const cJSON *j, const char *where, int depth, struct tuner_cond *out,
		       char *err);

static bool parse_cond_list(const cJSON *list, const char *where, int depth,
			    struct tuner_cond *out, char *err)
{
	if (!want_array(list, where, false, err))
		return false;
	out->n = cJSON_GetArraySize(list);
	out->items = xcalloc((size_t)out->n, sizeof *out->items);
	int i = 0;
	for (const cJSON *c = list->child; c; c = c->next, i++) {
		char sub[WHERE_MAX];
		wheref(sub, "%s[%d]", where, i);
		if (!parse_cond(c, sub, depth + 1, &out->items[i], err))
			return false;
	}
	return true;
}

static bool parse_cond(const cJSON *j, const char *where, int depth, struct tuner_cond *out,
		       char *err)
{
	static const char *const kpi_fields[] = {"kpi", "op", "value", NULL};
	memset(out, 0, sizeof *out);
	if (depth > MAX_COND_DEPTH)
		return soak_errorf(err, "%s: conditions nested deeper than %d", where, MAX_COND_DEPTH);
	if (!want_object(j, where, err))
		return false;
	const cJSON *all = soak_get(j, "all"), *any = soak_get(j, "any");
	if (all || any) {
		char sub[WHERE_MAX];
		if (cJSON_GetArraySize(j) != 1)
			return soak_errorf(err, "%s: 'all' or 'any' must be the only field", where);
		out->kind = all ? COND_ALL : COND_ANY;
		wheref(sub, "%s.%s", where, all ? "all" : "any");
		return parse_cond_list(all ? all : any, sub, depth, out, err);
	}
	const char *kpi;
	out->kind = COND_KPI;
	if (!known_fields(j, kpi_fields, where, err) || !want_string(j, "kpi", where, &kpi, err) ||
	    !parse_cmp(j, where, &out->cmp, err) || !want_number(j, "value", where, &out->value, err))
		return false;
	out->kpi = tuner_kpi_by_name(kpi);
	if (out->kpi < 0)
		return soak_errorf(err, "%s: unknown KPI '%s'", where, kpi);
	return true;
}

/* Mark the KPIs a condition reads. */
static void cond_kpis(const struct tuner_cond *c, bool mark[TUNER_KPI_COUNT])
{
	if (c->kind == COND_KPI)
		mark[c->kpi] = true;
	for (int i = 0; i < c->n; i++)
		cond_kpis(&c->items[i], mark);
}

bool tuner_cond_available(const struct tuner_cond *c, const bool have[TUNER_KPI_COUNT],
			  bool missing[TUNER_KPI_COUNT])
{
	bool reads[TUNER_KPI_COUNT] = {false}, ok = true;
	cond_kpis(c, reads);
	for (int k = 0; k < TUNER_KPI_COUNT; k++)
		if (reads[k] && !have[k]) {
			missing[k] = true;
			ok = false;
		}
	return ok;
}

bool tuner_cond_eval(const struct tuner_cond *c, const double kpi[TUNER_KPI_COUNT])
{
	switch (c->kind) {
	case COND_KPI:
		return tuner_compare(kpi[c->kpi], c->cmp, c->value);
	case COND_ALL:
		for (int i = 0; i < c->n; i++)
			if (!tuner_cond_eval(&c->items[i], kpi))
				return false;
		return true;
	case COND_ANY:
		for (int i = 0; i < c->n; i++)
			if (tuner_cond_eval(&c->items[i], kpi))
				return true;
		return false;
	}
	return false;
}

/* --- actions --------------------------------------------------------- */

static bool parse_round(const cJSON *j, const char *where, enum tuner_round *out, char *err)
{
	const cJSON *v = soak_get(j, "round");
	*out = ROUND_NONE;
	if (!v)
		return true;
	if (!cJSON_IsString(v))
		return soak_errorf(err, "%s: 'round' is %s, not a string", where, json_type(v));
	if (strcmp(v->valuestring, "down") == 0)
		*out = ROUND_DOWN;
	else if (strcmp(v->valuestring, "up") == 0)
		*out = ROUND_UP;
	else if (strcmp(v->valuestring, "nearest") == 0)
		*out = ROUND_NEAREST;
	else
		return soak_errorf(err, "%s: unknown round '%s' (use down, up or nearest)", where,
				   v->valuestring);
	return true;
}

static bool parse_bool(const cJSON *j, const char *key, const char *where, bool *out, char *err)
{
	const cJSON *v = soak_get(j, key);
	*out = false;
	if (!v)
		return true;
	if (!cJSON_IsBool(v))
		return soak_errorf(err, "%s: '%s' is %s, not true or false", where, key, json_type(v));
	*out = cJSON_IsTrue(v);
	return true;
}

static bool parse_if_set(const cJSON *j, const char *where, bool *replace, char *err)
{
	const cJSON *v = soak_get(j, "if_set");
	*replace = false;
	if (!v)
		return true;
	if (!cJSON_IsString(v))
		return soak_errorf(err, "%s: 'if_set' is %s, not a string", where, json_type(v));
	if (strcmp(v->valuestring, "replace") == 0)
		*replace = true;
	else if (strcmp(v->valuestring, "skip") != 0)
		return soak_errorf(err, "%s: unknown if_set '%s' (use skip or replace)", where,
				   v->valuestring);
	return true;
}

/* cap, floor and max_step_ratio: each optional, finite. */
static bool parse_limits(const cJSON *j, const char *where, struct tuner_action *a, char *err)
{
	if ((a->has_cap = soak_get(j, "cap") != NULL) &&
	    !want_number(j, "cap", where, &a->cap, err))
		return false;
	if ((a->has_floor = soak_get(j, "floor") != NULL) &&
	    !want_number(j, "floor", where, &a->floor, err))
		return false;
	if ((a->has_max_step = soak_get(j, "max_step_ratio") != NULL) &&
	    !want_number(j, "max_step_ratio", where, &a->max_step_ratio, err))
		return false;
	if (a->has_cap && a->has_floor && a->floor > a->cap)
		return soak_errorf(err, "%s: floor %g is above cap %g", where, a->floor, a->cap);
	if (a->has_max_step && a->max_step_ratio <= 0)
		return soak_errorf(err, "%s: 'max_step_ratio' must be positive", where);
	return true;
}

static bool parse_action(const cJSON *j, const char *where, struct tuner_action *a, char *err)
{
	static const char *const fields[] = {"key", "add", "mul", "round", "max_step_ratio", "cap",
		"floor", "emit_zero", "if_set", "description", NULL};
	memset(a, 0, sizeof *a);
	if (!want_object(j, where, err) || !known_fields(j, fields, where, err) ||
	    !parse_param(j, where, &a->param, err) || !optional_string(j, "description", where, err))
		return false;
	bool has_add = soak_get(j, "add") != NULL, has_mul = soak_get(j, "mul") != NULL;
	if (has_add == has_mul)
		return soak_errorf(err, "%s: needs exactly one of 'add' and 'mul'", where);
	a->is_mul = has_mul;
	if (!want_number(j, has_mul ? "mul" : "add", where, &a->amount, err))
		return false;
	if (has_mul && a->amount <= 0)
		return soak_errorf(err, "%s: 'mul' must be positive", where);
	if (has_mul && a->amount > 100)
		return soak_errorf(err, "%s: 'mul' %g is above 100", where, a->amount);
	double range = soak_param_defs[a->param].max - soak_param_defs[a->param].min;
	if (!has_mul && fabs(a->amount) > range)
		return soak_errorf(err, "%s: 'add' %g is larger than the parameter's whole range %g",
				   where, a->amount, range);
	if (has_mul ? a->amount == 1 : a->amount == 0)
		return soak_errorf(err, "%s: '%s' %g changes nothing", where,
				   has_mul ? "mul" : "add", a->amount);
	return parse_round(j, where, &a->round, err) && parse_limits(j, where, a, err) &&
	       parse_bool(j, "emit_zero", where, &a->emit_zero, err) &&
	       parse_if_set(j, where, &a->replace_if_set, err);
}

double tuner_action_delta(const struct tuner_action *a, double cur, const char **limit)
{
	double target = a->is_mul ? cur * a->amount : cur + a->amount;
	double direction = a->is_mul ? a->amount - 1 : a->amount;
	*limit = NULL;
	if (a->round == ROUND_DOWN)
		target = floor(target + 1e-9);
	else if (a->round == ROUND_UP)
		target = ceil(target - 1e-9);
	else if (a->round == ROUND_NEAREST)
		target = round(target);
	if (a->has_max_step && fabs(target - cur) > a->max_step_ratio * fabs(cur)) {
		target = cur + copysign(a->max_step_ratio * fabs(cur), target - cur);
		*limit = "step limit";
	}
	if (a->has_cap && target > a->cap) {
		target = a->cap;
		*limit = "cap";
	}
	if (a->has_floor && target < a->floor) {
		target = a->floor;
		*limit = "floor";
	}
	double delta = target - cur;
	const struct soak_param_def *d = &soak_param_defs[a->param];
	if (delta * direction <= 0 || fabs(delta) <= TUNER_VALUE_EPSILON * (d->max - d->min))
		delta = 0;
	return delta;
}

/* --- rules and conflicts ---------------------------------------------- */

static bool parse_actions(const cJSON *list, const char *where, struct tuner_rule *r, char *err)
{
	char sub[WHERE_MAX];
	wheref(sub, "%s: actions", where);
	if (!want_array(list, sub, true, err))
		return false;
	r->actions = xcalloc((size_t)cJSON_GetArraySize(list), sizeof *r->actions);
	for (const cJSON *c = list->child; c; c = c->next) {
		wheref(sub, "%s: actions[%d]", where, r->n_actions);
		struct tuner_action *a = &r->actions[r->n_actions];
		if (!parse_action(c, sub, a, err))
			return false;
		r->n_actions++;
		for (int i = 0; i < r->n_actions - 1; i++)
			if (r->actions[i].param == a->param)
				return soak_errorf(err, "%s: parameter '%s' already has an action in this rule",
						   sub, soak_param_defs[a->param].key);
	}
	return true;
}

static bool parse_rule(const cJSON *j, int index, struct tuner_rule *r, char *err)
{
	static const char *const fields[] = {"name", "group", "urgent", "description", "when",
		"actions", NULL};
	char where[WHERE_MAX], sub[WHERE_MAX];
	const char *name, *group;
	wheref(where, "rules[%d]", index);
	if (!want_object(j, where, err) || !want_string(j, "name", where, &name, err) ||
	    !want_name(name, "name", where, err))
		return false;
	r->name = xstrdup(name);
	wheref(where, "rules[%d] ('%s')", index, name);
	if (!known_fields(j, fields, where, err) || !optional_string(j, "description", where, err) ||
	    !parse_bool(j, "urgent", where, &r->urgent, err))
		return false;
	if (soak_get(j, "group")) {
		if (!want_string(j, "group", where, &group, err) ||
		    !want_name(group, "group", where, err))
			return false;
		r->group = xstrdup(group);
	}
	if (!soak_get(j, "when"))
		return soak_errorf(err, "%s: missing field 'when'", where);
	wheref(sub, "%s: when", where);
	return parse_cond(soak_get(j, "when"), sub, 0, &r->when, err) &&
	       parse_actions(soak_get(j, "actions"), where, r, err);
}

static bool parse_delta_tests(const cJSON *list, const char *where, struct tuner_conflict *c,
			      char *err)
{
	static const char *const fields[] = {"key", "op", "value", NULL};
	char sub[WHERE_MAX];
	wheref(sub, "%s: deltas", where);
	if (!want_array(list, sub, true, err))
		return false;
	c->tests = xcalloc((size_t)cJSON_GetArraySize(list), sizeof *c->tests);
	for (const cJSON *t = list->child; t; t = t->next) {
		struct tuner_delta_test *dt = &c->tests[c->n_tests];
		wheref(sub, "%s: deltas[%d]", where, c->n_tests);
		if (!want_object(t, sub, err) || !known_fields(t, fields, sub, err) ||
		    !parse_param(t, sub, &dt->param, err) || !parse_cmp(t, sub, &dt->cmp, err) ||
		    !want_number(t, "value", sub, &dt->value, err))
			return false;
		c->n_tests++;
	}
	return true;
}

static bool parse_drop(const cJSON *list, const char *where, struct tuner_conflict *c, char *err)
{
	char sub[WHERE_MAX];
	wheref(sub, "%s: drop", where);
	if (!want_array(list, sub, true, err))
		return false;
	int i = 0;
	for (const cJSON *k = list->child; k; k = k->next, i++) {
		if (!cJSON_IsString(k))
			return soak_errorf(err, "%s[%d]: %s, not a parameter name", sub, i, json_type(k));
		int id = soak_param_by_key(k->valuestring);
		if (id < 0)
			return soak_errorf(err, "%s[%d]: unknown parameter '%s'", sub, i, k->valuestring);
		c->drop[id] = true;
	}
	return true;
}

static bool parse_conflict(const cJSON *j, int index, struct tuner_conflict *c, char *err)
{
	static const char *const fields[] = {"name", "description", "when", "deltas", "drop", NULL};
	char where[WHERE_MAX], sub[WHERE_MAX];
	const char *name;
	wheref(where, "conflicts[%d]", index);
	if (!want_object(j, where, err) || !want_string(j, "name", where, &name, err) ||
	    !want_name(name, "name", where, err))
		return false;
	c->name = xstrdup(name);
	wheref(where, "conflicts[%d] ('%s')", index, name);
	if (!known_fields(j, fields, where, err) || !optional_string(j, "description", where, err))
		return false;
	c->has_when = soak_get(j, "when") != NULL;
	wheref(sub, "%s: when", where);
	if (c->has_when && !parse_cond(soak_get(j, "when"), sub, 0, &c->when, err))
		return false;
	return parse_delta_tests(soak_get(j, "deltas"), where, c, err) &&
	       parse_drop(soak_get(j, "drop"), where, c, err);
}

/* --- the file ---------------------------------------------------------- */

static bool parse_required(const cJSON *list, struct tuner_rules *r, char *err)
{
	if (!want_array(list, "required_kpis", false, err))
		return false;
	int i = 0;
	for (const cJSON *k = list->child; k; k = k->next, i++) {
		if (!cJSON_IsString(k))
			return soak_errorf(err, "required_kpis[%d]: %s, not a KPI name", i, json_type(k));
		int id = tuner_kpi_by_name(k->valuestring);
		if (id < 0)
			return soak_errorf(err, "required_kpis[%d]: unknown KPI '%s'", i, k->valuestring);
		if (r->required[id])
			return soak_errorf(err, "required_kpis[%d]: '%s' listed twice", i, k->valuestring);
		r->required[id] = true;
	}
	return true;
}

/* Whether a rule or conflict other than `self' already has this name. */
static bool name_taken(const struct tuner_rules *r, const char *name, const void *self)
{
	for (int i = 0; i < r->n_rules; i++)
		if (&r->rules[i] != self && strcmp(r->rules[i].name, name) == 0)
			return true;
	for (int i = 0; i < r->n_conflicts; i++)
		if (&r->conflicts[i] != self && strcmp(r->conflicts[i].name, name) == 0)
			return true;
	return false;
}

static bool parse_rules(const cJSON *list, struct tuner_rules *r, char *err)
{
	if (!want_array(list, "rules", false, err))
		return false;
	r->rules = xcalloc((size_t)cJSON_GetArraySize(list), sizeof *r->rules);
	for (const cJSON *j = list->child; j; j = j->next) {
		int index = r->n_rules++;   /* counted at once, so a half-built rule is freed */
		struct tuner_rule *rule = &r->rules[index];
		if (!parse_rule(j, index, rule, err))
			return false;
		if (name_taken(r, rule->name, rule))
			return soak_errorf(err, "rules[%d]: name '%s' is used twice", index, rule->name);
		cond_kpis(&rule->when, r->used);
	}
	return true;
}

/* KPIs the condition reads must all be in required_kpis. */
static bool only_required(const struct tuner_rules *r, const struct tuner_cond *c,
			  const char *where, char *err)
{
	bool reads[TUNER_KPI_COUNT] = {false};
	cond_kpis(c, reads);
	for (int k = 0; k < TUNER_KPI_COUNT; k++)
		if (reads[k] && !r->required[k])
			return soak_errorf(err, "%s: KPI '%s' must be listed in required_kpis", where,
					   tuner_kpi_name(k));
	return true;
}

static bool parse_conflicts(const cJSON *list, struct tuner_rules *r, char *err)
{
	if (!list)
		return true;
	if (!want_array(list, "conflicts", false, err))
		return false;
	r->conflicts = xcalloc((size_t)cJSON_GetArraySize(list), sizeof *r->conflicts);
	for (const cJSON *j = list->child; j; j = j->next) {
		int index = r->n_conflicts++;
		struct tuner_conflict *c = &r->conflicts[index];
		char where[WHERE_MAX];
		if (!parse_conflict(j, index, c, err))
			return false;
		if (name_taken(r, c->name, c))
			return soak_errorf(err, "conflicts[%d]: name '%s' is used twice", index, c->name);
		wheref(where, "conflicts[%d] ('%s'): when", index, c->name);
		if (c->has_when && !only_required(r, &c->when, where, err))
			return false;
		cond_kpis(&c->when, r->used);
	}
	return true;
}

static bool parse_file(const cJSON *root, struct tuner_rules *r, char *err)
{
	static const char *const fields[] = {"format", "description", "required_kpis", "rules",
		"conflicts", "apply_when", NULL};
	const char *format;
	if (!want_object(root, "top level", err) || !known_fields(root, fields, "top level", err) ||
	    !want_string(root, "format", "top level", &format, err) ||
	    !optional_string(root, "description", "top level", err))
		return false;
	if (strcmp(format, TUNER_RULES_FORMAT) != 0)
		return soak_errorf(err, "format '%s' is not '%s'", format, TUNER_RULES_FORMAT);
	if (!parse_required(soak_get(root, "required_kpis"), r, err) ||
	    !parse_rules(soak_get(root, "rules"), r, err) ||
	    !parse_conflicts(soak_get(root, "conflicts"), r, err))
		return false;
	if (!soak_get(root, "apply_when"))
		return soak_errorf(err, "top level: missing field 'apply_when'");
	if (!parse_cond(soak_get(root, "apply_when"), "apply_when", 0, &r->apply_when, err) ||
	    !only_required(r, &r->apply_when, "apply_when", err))
		return false;
	cond_kpis(&r->apply_when, r->used);
	for (int k = 0; k < TUNER_KPI_COUNT; k++)
		r->used[k] |= r->required[k];
	return true;
}

const char *tuner_rules_arg(const char *arg)
{
	return strcmp(arg, TUNER_RULES_NONE) == 0 ? TUNER_RULES_NONE_FILE : arg;
}

bool tuner_rules_load(const char *arg, struct tuner_rules *out, char *err)
{
	char why[SOAK_ERR_MAX];
	memset(out, 0, sizeof *out);
	arg = tuner_rules_arg(arg);
	if (!soak_find_data_file(arg, out->path, sizeof out->path, err))
		return false;
	soak_data_file_name(out->path, out->name, sizeof out->name);
	cJSON *root = soak_load_json_file(out->path, err);
	if (!root)
		return false;
	bool ok = parse_file(root, out, why);
	cJSON_Delete(root);
	if (!ok) {
		size_t n = strlen(out->path), cut = n > 150 ? n - 150 : 0;
		/* a long path keeps its end: the file name is what tells */
		soak_errorf(err, "rules '%s%s': %s", cut ? "..." : "", out->path + cut, why);
		tuner_rules_free(out);
	}
	return ok;
}

void tuner_rules_free(struct tuner_rules *r)
{
	for (int i = 0; i < r->n_rules; i++) {
		free(r->rules[i].name);
		free(r->rules[i].group);
		cond_free(&r->rules[i].when);
		free(r->rules[i].actions);
	}
	free(r->rules);
	for (int i = 0; i < r->n_conflicts; i++) {
		free(r->conflicts[i].name);
		cond_free(&r->conflicts[i].when);
		free(r->conflicts[i].tests);
	}
	free(r->conflicts);
	cond_free(&r->apply_when);
	memset(r, 0, sizeof *r);
}
