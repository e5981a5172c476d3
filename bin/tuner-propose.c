/* tuner-propose - propose parameter deltas from an iteration's KPIs by a rule table. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "params.h"
#include "record.h"
#include "tuner-common.h"
#include "tuner-rules.h"

static const char help_text[] =
"Usage: tuner-propose [OPTION]...\n"
"Propose parameter deltas for each record from its `summary' KPIs and its\n"
"`params' by a rule table, and write them, with the reasons, as the record's\n"
"`tuning' section (JSON lines, stdin to stdout).  Records need `summary';\n"
"`params' absent means every parameter at its baseline.\n"
"\n"
"  -r, --rules=NAME|FILE   rule table (default tuner_rules_v2)\n"
"      --check-rules       check the rule table, print a summary and exit\n"
SOAK_STREAM_HELP
SOAK_LIST_PRESETS_HELP
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Deltas are increments to `params', never absolute values; tuner-filter\n"
"decides which of them are applied.  See tuner-propose(1) and\n"
"soak-tuner-rules(5).\n";

/* --- a growing string, for the rationale ------------------------------- */

struct text {
	char *buf;
	size_t len, cap;
};

static void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			soak_die(SOAK_EXIT_IO, "cannot format the rationale");
		if (t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		t->cap = 2 * (t->len + (size_t)n + 64);
		if (!(t->buf = realloc(t->buf, t->cap)))
			soak_die(SOAK_EXIT_IO, "out of memory");
	}
}

/* Append the text as a string to a JSON array, and empty it. */
static void text_flush(struct text *t, cJSON *array)
{
	cJSON_AddItemToArray(array, cJSON_CreateString(t->len ? t->buf : ""));
	t->len = 0;
	if (t->buf)
		t->buf[0] = '\0';
}

static const char *num(double x, char buf[32])
{
	soak_format_number(x, buf);
	return buf;
}

/* A delta as "+5" or "-0.01". */
static const char *signed_num(double x, char buf[33])
{
	buf[0] = '+';
	soak_format_number(x, x > 0 ? buf + 1 : buf);
	return buf;
}

/* "risk_ratio 0.68 >= 0.6 and ...", with the record's values. */
static void cond_text(struct text *t, const struct tuner_cond *c, const double kpi[])
{
	char a[32], b[32];
	if (c->kind == COND_KPI) {
		text_printf(t, "%s %s %s %s", tuner_kpi_name(c->kpi), num(kpi[c->kpi], a),
			    tuner_cmp_names[c->cmp], num(c->value, b));
		return;
	}
	if (c->n == 0) {
		text_printf(t, "%s", c->kind == COND_ALL ? "always" : "never");
		return;
	}
	for (int i = 0; i < c->n; i++) {
		bool nested = c->items[i].kind != COND_KPI && c->items[i].n > 1;
		if (i > 0)
			text_printf(t, " %s ", c->kind == COND_ALL ? "and" : "or");
		text_printf(t, "%s", nested ? "(" : "");
		cond_text(t, &c->items[i], kpi);
		text_printf(t, "%s", nested ? ")" : "");
	}
}

/* --- the proposal -------------------------------------------------------- */

struct proposal {
	double delta[SOAK_PARAM_COUNT];
	bool set[SOAK_PARAM_COUNT];
	int order[SOAK_PARAM_COUNT];   /* keys in the order they were first set */
	int n;
	const char *dropped_by[SOAK_PARAM_COUNT];
	bool urgent[SOAK_PARAM_COUNT]; /* the delta is an urgent rule's */
};

struct kpis {
	double value[TUNER_KPI_COUNT];
	bool have[TUNER_KPI_COUNT];
};

static void propose(struct proposal *p, int param, double delta)
{
	if (!p->set[param])
		p->order[p->n++] = param;
	p->set[param] = true;
	p->delta[param] = delta;
}

/* Run one action; describe its effect in t. */
static void run_action(const struct tuner_action *a, bool urgent,
		       const struct soak_params *params, struct proposal *p, struct text *t)
{
	const char *key = soak_param_defs[a->param].key, *limit;
	char d[33], lim[32];
	if (p->set[a->param] && !a->replace_if_set) {
		text_printf(t, "%s already set", key);
		return;
	}
	double delta = tuner_action_delta(a, params->value[a->param], &limit);
	double limit_value = limit && strcmp(limit, "cap") == 0 ? a->cap : a->floor;
	bool emitted = delta != 0 || a->emit_zero;
	if (emitted) {
		propose(p, a->param, delta);
		p->urgent[a->param] = urgent && delta != 0;
	}
	if (delta != 0)
		text_printf(t, "%s %s", key, signed_num(delta, d));
	else
		text_printf(t, "%s %s", key, emitted ? "0" : "unchanged");
	if (limit && strcmp(limit, "step limit") == 0)
		text_printf(t, " (step limit)");
	else if (limit)
		text_printf(t, " (%s %s)", limit, num(limit_value, lim));
}

static void fire_rule(const struct tuner_rule *r, const struct kpis *k,
		      const struct soak_params *params, struct proposal *p, struct text *t)
{
	text_printf(t, "%s: ", r->name);
	cond_text(t, &r->when, k->value);
	text_printf(t, ": ");
	for (int i = 0; i < r->n_actions; i++) {
		text_printf(t, "%s", i ? ", " : "");
		run_action(&r->actions[i], r->urgent, params, p, t);
	}
}

/* {"rule": NAME, "missing": [KPI...]} and its rationale line. */
static void not_evaluated(const char *rule, const bool missing[], const char *why,
			  cJSON *list, cJSON *rationale, struct text *t)
{
	cJSON *entry = cJSON_CreateObject(), *names = cJSON_CreateArray();
	cJSON_AddStringToObject(entry, "rule", rule);
	text_printf(t, "%s: not evaluated:%s%s", rule, why[0] ? " " : "", why);
	for (int k = 0, n = 0; k < TUNER_KPI_COUNT; k++)
		if (missing[k]) {
			cJSON_AddItemToArray(names, cJSON_CreateString(tuner_kpi_name(k)));
			text_printf(t, "%ssummary.%s", n++ ? ", " : " ", tuner_kpi_name(k));
		}
	text_printf(t, " missing");
	cJSON_AddItemToObject(entry, "missing", names);
	cJSON_AddItemToArray(list, entry);
	text_flush(t, rationale);
}

/* Groups whose outcome is settled (fired) or unknown (a member not evaluated). */
struct group_state {
	const char *name;
	bool fired, unknown;
	bool missing[TUNER_KPI_COUNT];
};

static struct group_state *find_group(struct group_state *g, int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(g[i].name, name) == 0)
			return &g[i];
	memset(&g[*n], 0, sizeof g[*n]);
	g[*n].name = name;
	return &g[(*n)++];
}

static void run_rules(const struct tuner_rules *rules, const struct kpis *k,
		      const struct soak_params *params, struct proposal *p, cJSON *fired,
		      cJSON *unevaluated, cJSON *rationale, struct text *t)
{
	struct group_state *groups = calloc((size_t)rules->n_rules + 1, sizeof *groups);
	int n_groups = 0;
	if (!groups)
		soak_die(SOAK_EXIT_IO, "out of memory");
	for (int i = 0; i < rules->n_rules; i++) {
		const struct tuner_rule *r = &rules->rules[i];
		struct group_state *g = r->group ? find_group(groups, &n_groups, r->group) : NULL;
		bool missing[TUNER_KPI_COUNT] = {false};
		if (g && g->fired)
			continue;
		if (g && g->unknown) {
			char why[200];
			snprintf(why, sizeof why, "group '%s' undecided,", r->group);
			not_evaluated(r->name, g->missing, why, unevaluated, rationale, t);
			continue;
		}
		if (!tuner_cond_available(&r->when, k->have, missing)) {
			if (g) {
				g->unknown = true;
				memcpy(g->missing, missing, sizeof missing);
			}
			not_evaluated(r->name, missing, "", unevaluated, rationale, t);
			continue;
		}
		if (!tuner_cond_eval(&r->when, k->value))
			continue;
		if (g)
			g->fired = true;
		cJSON_AddItemToArray(fired, cJSON_CreateString(r->name));
		fire_rule(r, k, params, p, t);
		text_flush(t, rationale);
	}
	free(groups);
}

static bool conflict_holds(const struct tuner_conflict *c, const struct kpis *k,
			   const struct proposal *p)
{
	if (c->has_when && !tuner_cond_eval(&c->when, k->value))
		return false;
	for (int i = 0; i < c->n_tests; i++) {
		const struct tuner_delta_test *dt = &c->tests[i];
		if (!p->set[dt->param] || p->dropped_by[dt->param] ||
		    !tuner_compare(p->delta[dt->param], dt->cmp, dt->value))
			return false;
	}
	return true;
}

static void run_conflicts(const struct tuner_rules *rules, const struct kpis *k,
			  struct proposal *p, cJSON *rationale, struct text *t)
{
	char a[33], b[32];
	for (int i = 0; i < rules->n_conflicts; i++) {
		const struct tuner_conflict *c = &rules->conflicts[i];
		if (!conflict_holds(c, k, p))
			continue;
		text_printf(t, "%s: ", c->name);
		if (c->has_when) {
			cond_text(t, &c->when, k->value);
			text_printf(t, " and ");
		}
		for (int j = 0; j < c->n_tests; j++)
			text_printf(t, "%s%s %s %s %s", j ? " and " : "",
				    soak_param_defs[c->tests[j].param].key,
				    signed_num(p->delta[c->tests[j].param], a),
				    tuner_cmp_names[c->tests[j].cmp], num(c->tests[j].value, b));
		text_printf(t, ": dropped");
		for (int id = 0, n = 0; id < SOAK_PARAM_COUNT; id++)
			if (c->drop[id] && p->set[id] && !p->dropped_by[id]) {
				p->dropped_by[id] = c->name;
				text_printf(t, "%s%s", n++ ? ", " : " ", soak_param_defs[id].key);
			}
		text_flush(t, rationale);
	}
}

/* --- the record ---------------------------------------------------------- */

static bool read_kpis(const cJSON *rec, const struct tuner_rules *rules, struct kpis *k,
		      char *err)
{
	cJSON *summary;
	if (!soak_get_object(rec, "summary", "summary", &summary, err))
		return false;
	for (int i = 0; i < TUNER_KPI_COUNT; i++) {
		k->have[i] = false;
		if (rules->used[i] &&
		    !tuner_kpi_read(summary, i, &k->value[i], &k->have[i], err))
			return false;
		if (rules->required[i] && !k->have[i])
			return soak_errorf(err, "missing field 'summary.%s' (required by rules '%s')",
					   tuner_kpi_name(i), rules->name);
	}
	return true;
}

static cJSON *deltas_json(const struct proposal *p, bool include)
{
	cJSON *obj = cJSON_CreateObject();
	for (int i = 0; include && i < p->n; i++) {
		int id = p->order[i];
		if (!p->dropped_by[id])
			cJSON_AddItemToObject(obj, soak_param_defs[id].key, soak_num(p->delta[id]));
	}
	return obj;
}

static void decide(const struct tuner_rules *rules, const struct kpis *k, bool *apply,
		   cJSON *rationale, struct text *t)
{
	*apply = tuner_cond_eval(&rules->apply_when, k->value);
	text_printf(t, "%s: ", *apply ? "apply" : "stable, no changes");
	cond_text(t, &rules->apply_when, k->value);
	text_printf(t, " is %s", *apply ? "true" : "false");
	text_flush(t, rationale);
}

/* Whether an urgent rule's non-zero delta is still proposed (after the conflicts). */
static bool is_urgent(const struct proposal *p)
{
	for (int i = 0; i < p->n; i++) {
		int id = p->order[i];
		if (p->urgent[id] && !p->dropped_by[id] && p->delta[id] != 0)
			return true;
	}
	return false;
}

static bool propose_record(cJSON *rec, const struct tuner_rules *rules, struct text *t,
			   char *err)
{
	struct soak_params params;
	struct kpis k;
	struct proposal p = {0};
	bool apply;
	if (!read_kpis(rec, rules, &k, err) || !tuner_read_params(rec, &params, err))
		return false;
	cJSON *tuning = cJSON_CreateObject(), *fired = cJSON_CreateArray();
	cJSON *unevaluated = cJSON_CreateArray(), *rationale = cJSON_CreateArray();
	cJSON *dropped = cJSON_CreateObject();
	run_rules(rules, &k, &params, &p, fired, unevaluated, rationale, t);
	run_conflicts(rules, &k, &p, rationale, t);
	decide(rules, &k, &apply, rationale, t);
	for (int i = 0; i < p.n; i++)
		if (p.dropped_by[p.order[i]])
			cJSON_AddStringToObject(dropped, soak_param_defs[p.order[i]].key,
						p.dropped_by[p.order[i]]);
	cJSON_AddStringToObject(tuning, "rules", rules->name);
	cJSON_AddItemToObject(tuning, "proposed_deltas", deltas_json(&p, apply));
	cJSON_AddItemToObject(tuning, "withheld_deltas", deltas_json(&p, !apply));
	cJSON_AddBoolToObject(tuning, "apply_decision", apply);
	cJSON_AddBoolToObject(tuning, "urgent", apply && is_urgent(&p));
	cJSON_AddItemToObject(tuning, "rules_fired", fired);
	cJSON_AddItemToObject(tuning, "not_evaluated", unevaluated);
	cJSON_AddItemToObject(tuning, "dropped", dropped);
	cJSON_AddItemToObject(tuning, "rationale", rationale);
	soak_set(rec, "tuning", tuning);
	return true;
}

/* --check-rules: one line about the table. */
static noreturn void check_rules(const struct tuner_rules *rules)
{
	printf("%s: %d rules, %d conflict rules, required KPIs:", rules->path, rules->n_rules,
	       rules->n_conflicts);
	for (int k = 0; k < TUNER_KPI_COUNT; k++)
		if (rules->required[k])
			printf(" %s", tuner_kpi_name(k));
	printf("\n");
	if (fflush(stdout) != 0 || ferror(stdout))
		soak_die(SOAK_EXIT_IO, "write error");
	exit(SOAK_EXIT_OK);
}

enum { OPT_CHECK_RULES = 0x100 };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"check-rules", no_argument, NULL, OPT_CHECK_RULES},
		SOAK_STREAM_LONGOPTS,
		SOAK_LIST_PRESETS_LONGOPT,
		SOAK_HELP_VERSION_LONGOPTS
	};
	const char *rules_arg = "tuner_rules_v2";
	bool check = false;
	struct soak_stream s;
	int opt;
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	soak_stream_use_arena(&s);
	while ((opt = soak_getopt_long(argc, argv, "r:hV", longopts)) != -1) {
		if (soak_stream_option(&s, opt, optarg))
			continue;
		switch (opt) {
		case 'r': rules_arg = optarg; break;
		case OPT_CHECK_RULES: check = true; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	struct tuner_rules rules;
	struct text t = {0};
	char err[SOAK_ERR_MAX];
	if (!tuner_rules_load(rules_arg, &rules, err))
		soak_die(SOAK_EXIT_USAGE, "%s", err);
	if (check)
		check_rules(&rules);
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		if (propose_record(rec, &rules, &t, err))
			soak_stream_write(&s, rec);
		else
			soak_stream_reject(&s, "%s", err);
		cJSON_Delete(rec);
	}
	free(t.buf);
	tuner_rules_free(&rules);
	return soak_stream_finish(&s);
}
