/* micro-step.c - tuner-filter's per-record transform (see micro-step.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "micro-step.h"
#include "params.h"
#include "record.h"
#include "tuner-common.h"

/* --- state.tuner --------------------------------------------------------- */

static bool want_bool(const cJSON *obj, const char *key, const char *where, bool *out,
		      char *err)
{
	const cJSON *v = soak_get(obj, key);
	if (!v)
		return soak_errorf(err, "missing field '%s.%s'", where, key);
	if (!cJSON_IsBool(v))
		return soak_errorf(err, "'%s.%s' is not true or false", where, key);
	*out = cJSON_IsTrue(v);
	return true;
}

static bool only_fields(const cJSON *obj, const char *const allowed[], const char *where,
			char *err)
{
	const char *unknown = soak_unknown_field(obj, allowed);
	return unknown ? soak_errorf(err, "unknown field '%s.%s'", where, unknown) : true;
}

static bool read_whole(const cJSON *obj, const char *key, const char *where, double lo,
		       double hi, double *out, char *err)
{
	char path[128];
	snprintf(path, sizeof path, "%s.%s", where, key);
	if (!soak_get_number(obj, key, path, out, err))
		return false;
	if (*out != floor(*out) || *out < lo || *out > hi)
		return soak_errorf(err, "'%s' must be a whole number from %g to %g", path, lo, hi);
	return true;
}

static bool read_from(const cJSON *obj, const char *where, struct tuner_step *st, char *err)
{
	cJSON *from;
	char path[128];
	snprintf(path, sizeof path, "%s.from", where);
	if (!soak_get_object(obj, "from", path, &from, err))
		return false;
	for (const cJSON *c = from->child; c; c = c->next) {
		int id = soak_param_by_key(c->string);
		if (id < 0)
			return soak_errorf(err, "unknown parameter '%s.%s'", path, c->string);
		const struct soak_param_def *d = &soak_param_defs[id];
		if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble) ||
		    c->valuedouble < d->min || c->valuedouble > d->max)
			return soak_errorf(err, "'%s.%s' is not a number within [%g, %g]", path,
					   c->string, d->min, d->max);
		st->changed[id] = true;
		st->from[id] = c->valuedouble;
	}
	return true;
}

/* The optional list of keys velocity skipped (absent in logs before it existed). */
static bool read_held(const cJSON *obj, const char *where, struct tuner_step *st, char *err)
{
	const cJSON *list = soak_get(obj, "velocity");
	int index = 0;
	if (!list)
		return true;
	if (!cJSON_IsArray(list))
		return soak_errorf(err, "'%s.velocity' is not an array", where);
	for (const cJSON *k = list->child; k; k = k->next, index++) {
		int id = cJSON_IsString(k) ? soak_param_by_key(k->valuestring) : -1;
		if (id < 0)
			return soak_errorf(err, "'%s.velocity[%d]' is not a parameter name", where, index);
		st->held[id] = true;
	}
	return true;
}

static bool read_step(const cJSON *obj, const char *where, struct tuner_step *st, char *err)
{
	static const char *const fields[] = {"iteration", "from", "size", "velocity", "streak",
		"freeze", NULL};
	double iteration, streak;
	memset(st, 0, sizeof *st);
	if (!cJSON_IsObject(obj))
		return soak_errorf(err, "'%s' is not an object", where);
	if (!only_fields(obj, fields, where, err) ||
	    !read_whole(obj, "iteration", where, 1, 1e9, &iteration, err) ||
	    !read_from(obj, where, st, err) || !read_held(obj, where, st, err) ||
	    !read_whole(obj, "streak", where, 0, 1e9, &streak, err) ||
	    !want_bool(obj, "freeze", where, &st->freeze, err))
		return false;
	char path[128];
	snprintf(path, sizeof path, "%s.size", where);
	if (!soak_get_number(obj, "size", path, &st->size, err))
		return false;
	if (st->size < 0 || st->size > SOAK_PARAM_COUNT)
		return soak_errorf(err, "'%s' is out of range [0, %d]", path, SOAK_PARAM_COUNT);
	st->iteration = (long)iteration;
	st->streak = (long)streak;
	if (st->streak > st->iteration)
		return soak_errorf(err, "'%s.streak' %ld is longer than the iterations so far", where,
				   st->streak);
	return true;
}

/*
 * The record's state.tuner as the state before `iteration': entries of
 * that iteration itself (a finished record re-run) are left out; later
 * ones are an error; those older than the options look back are dropped.
 */
static bool read_state(const cJSON *rec, long iteration, const struct tuner_filter_options *o,
		       struct tuner_filter_state *out, char *err)
{
	static const char *const fields[] = {"history", NULL};
	cJSON *state, *tuner;
	out->n = 0;
	if (!soak_get_object_opt(rec, "state", "state", &state, err))
		return false;
	if (!state)
		return true;
	if (!soak_get_object_opt(state, "tuner", "state.tuner", &tuner, err))
		return false;
	if (!tuner)
		return true;
	const cJSON *history = soak_get(tuner, "history");
	if (!only_fields(tuner, fields, "state.tuner", err))
		return false;
	if (!cJSON_IsArray(history))
		return soak_errorf(err, history ? "'state.tuner.history' is not an array"
					       : "missing field 'state.tuner.history'");
	long last = 0;
	int index = 0;
	for (const cJSON *e = history->child; e; e = e->next, index++) {
		char where[64];
		struct tuner_step st;
		snprintf(where, sizeof where, "state.tuner.history[%d]", index);
		if (!read_step(e, where, &st, err))
			return false;
		if (st.iteration <= last)
			return soak_errorf(err, "'%s.iteration' %ld does not follow %ld", where,
					   st.iteration, last);
		if (st.iteration > iteration)
			return soak_errorf(err, "'%s.iteration' %ld is after the record's iteration %ld",
					   where, st.iteration, iteration);
		last = st.iteration;
		if (st.iteration < iteration && st.iteration >= iteration - o->span)
			out->step[out->n++] = st;
	}
	return true;
}

static cJSON *step_json(const struct tuner_step *st)
{
	cJSON *obj = cJSON_CreateObject(), *from = cJSON_CreateObject();
	cJSON_AddItemToObject(obj, "iteration", soak_num((double)st->iteration));
	for (int id = 0; id < SOAK_PARAM_COUNT; id++)
		if (st->changed[id])
			cJSON_AddItemToObject(from, soak_param_defs[id].key, soak_num(st->from[id]));
	cJSON_AddItemToObject(obj, "from", from);
	cJSON_AddItemToObject(obj, "size", soak_num(st->size));
	cJSON *held = cJSON_CreateArray();
	for (int id = 0; id < SOAK_PARAM_COUNT; id++)
		if (st->held[id])
			cJSON_AddItemToArray(held, cJSON_CreateString(soak_param_defs[id].key));
	if (held->child)
		cJSON_AddItemToObject(obj, "velocity", held);
	else
		cJSON_Delete(held);
	cJSON_AddItemToObject(obj, "streak", soak_num((double)st->streak));
	cJSON_AddBoolToObject(obj, "freeze", st->freeze);
	return obj;
}

static cJSON *state_json(const struct tuner_filter_state *s)
{
	cJSON *tuner = cJSON_CreateObject(), *history = cJSON_CreateArray();
	for (int i = 0; i < s->n; i++)
		cJSON_AddItemToArray(history, step_json(&s->step[i]));
	cJSON_AddItemToObject(tuner, "history", history);
	return tuner;
}

/* The latest entry that changed param, or NULL. */
static const struct tuner_step *last_change(const struct tuner_filter_state *s, int param)
{
	for (int i = s->n - 1; i >= 0; i--)
		if (s->step[i].changed[param])
			return &s->step[i];
	return NULL;
}

/* --- the inputs of one decision ------------------------------------------ */

struct proposed {
	int param;
	double delta;
};

struct decision_input {
	long iteration;
	struct soak_params params;
	double risk, net;
	bool warmup;
	bool urgent;                             /* tuning.urgent: a FAIL to correct */
	int n;
	struct proposed key[SOAK_PARAM_COUNT];   /* in proposal order */
	cJSON *tuning;
};

static bool read_phase(const cJSON *rec, bool *warmup, char *err)
{
	cJSON *phase;
	const char *name;
	*warmup = false;
	if (!soak_get_object_opt(rec, "phase", "phase", &phase, err))
		return false;
	if (!phase)
		return true;
	if (!soak_get_string(phase, "name", "phase.name", &name, err))
		return false;
	if (strcmp(name, "WARMUP") && strcmp(name, "RAMPDOWN") && strcmp(name, "STEADY"))
		return soak_errorf(err, "'phase.name' is '%s', not WARMUP, RAMPDOWN or STEADY", name);
	*warmup = strcmp(name, "WARMUP") == 0;
	return true;
}

static bool read_summary(const cJSON *rec, struct decision_input *in, char *err)
{
	cJSON *summary;
	bool have_risk, have_net;
	if (!soak_get_object(rec, "summary", "summary", &summary, err) ||
	    !tuner_kpi_read(summary, TK_RISK_RATIO, &in->risk, &have_risk, err) ||
	    !tuner_kpi_read(summary, TK_NET_BPS, &in->net, &have_net, err))
		return false;
	if (!have_risk)
		return soak_errorf(err, "missing field 'summary.risk_ratio'");
	if (!have_net)
		return soak_errorf(err, "missing field 'summary.net_bps'");
	return true;
}

static bool read_proposed(const cJSON *rec, struct decision_input *in, char *err)
{
	cJSON *deltas;
	if (!soak_get(rec, "tuning"))
		return soak_errorf(err, "missing field 'tuning' (run tuner-propose first)");
	if (!soak_get_object(rec, "tuning", "tuning", &in->tuning, err))
		return false;
	if (!soak_get_object(in->tuning, "proposed_deltas", "tuning.proposed_deltas", &deltas, err))
		return false;
	const cJSON *urgent = soak_get(in->tuning, "urgent");
	if (urgent && !cJSON_IsBool(urgent))
		return soak_errorf(err, "'tuning.urgent' is not true or false");
	in->urgent = cJSON_IsTrue(urgent);
	in->n = 0;
	for (const cJSON *c = deltas->child; c; c = c->next) {
		char path[128];
		int id = soak_param_by_key(c->string);
		snprintf(path, sizeof path, "tuning.proposed_deltas.%s", c->string);
		if (id < 0)
			return soak_errorf(err, "unknown parameter '%s'", path);
		if (!soak_get_number(deltas, c->string, path, &in->key[in->n].delta, err))
			return false;
		double range = soak_param_defs[id].max - soak_param_defs[id].min;
		if (fabs(in->key[in->n].delta) > range)
			return soak_errorf(err, "'%s' = %s is larger than the parameter's whole range %g",
					   path, c->valuestring ? c->valuestring : "?", range);
		in->key[in->n++].param = id;
	}
	return true;
}

static bool read_input(const cJSON *rec, struct decision_input *in, char *err)
{
	return soak_get_iteration(rec, &in->iteration, err) &&
	       tuner_read_params(rec, &in->params, err) && read_summary(rec, in, err) &&
	       read_phase(rec, &in->warmup, err) && read_proposed(rec, in, err);
}

/* --- the decision ---------------------------------------------------------- */

struct candidate {
	int index;          /* into decision_input.key */
	double applied;     /* after clamping to bounds */
	double size;        /* range-normalized */
	bool first;         /* skipped by velocity at the previous iteration */
	bool integer;       /* a whole-number parameter */
};

struct decision {
	const char *reason[SOAK_PARAM_COUNT];   /* by input index; NULL = applied */
	double applied[SOAK_PARAM_COUNT];       /* by input index */
	double unscaled[SOAK_PARAM_COUNT];      /* by input index: clamped, before the budget */
	double factor[SOAK_PARAM_COUNT];        /* by input index: applied / unscaled */
	bool frozen;
	long frozen_until;
	long streak;
	double cap, used_before, used_after;
	struct tuner_step now;
};

/* x as it reads back from the record: carried and re-read state agree exactly. */
static double as_printed(double x)
{
	char buf[32];
	soak_format_number(x, buf);
	return strtod(buf, NULL);
}

static bool near(int param, double a, double b)
{
	const struct soak_param_def *d = &soak_param_defs[param];
	return fabs(a - b) <= TUNER_VALUE_EPSILON * (d->max - d->min);
}

static void decide_freeze(const struct tuner_filter_options *o, const struct tuner_filter_state *s,
			  const struct decision_input *in, struct decision *d)
{
	bool good = in->risk <= o->freeze_risk && in->net >= o->freeze_net;
	const struct tuner_step *prev = s->n ? &s->step[s->n - 1] : NULL;
	d->streak = 0;
	if (good)
		d->streak = prev && prev->iteration == in->iteration - 1 ? prev->streak + 1 : 1;
	d->now.streak = d->streak;
	if (o->freeze_after == 0 || o->freeze_length == 0)
		return;
	for (int i = 0; i < s->n; i++)
		if (s->step[i].freeze && s->step[i].iteration + o->freeze_length - 1 >= in->iteration) {
			d->frozen = true;
			d->frozen_until = s->step[i].iteration + o->freeze_length - 1;
		}
	if (!d->frozen && d->streak >= o->freeze_after) {
		d->now.freeze = d->frozen = true;
		d->frozen_until = in->iteration + o->freeze_length - 1;
	}
}

/* The reason a key cannot change at all, or NULL and the candidate. */
static const char *screen_key(const struct tuner_filter_options *o, const struct tuner_filter_state *s,
			      const struct decision_input *in, const struct decision *d,
			      int index, struct candidate *c)
{
	int id = in->key[index].param;
	double cur = in->params.value[id], delta = in->key[index].delta;
	const struct tuner_step *last = last_change(s, id);
	const struct tuner_step *prev = s->n ? &s->step[s->n - 1] : NULL;
	if (delta == 0)
		return "no_change";
	if (d->frozen && o->freeze_key[id])
		return "freeze";
	if (last && in->iteration - last->iteration <= o->cooldown)
		return "cooldown";
	double next = soak_param_clamp(id, cur + delta);
	if (near(id, next, cur)) {
		const struct soak_param_def *def = &soak_param_defs[id];
		return cur + delta < def->min || cur + delta > def->max ? "bounds" : "no_change";
	}
	if (last && in->iteration - last->iteration < o->oscillation_window &&
	    near(id, next, last->from[id]))
		return "oscillation";
	c->index = index;
	c->applied = next - cur;
	c->size = soak_param_normalized(id, c->applied);
	c->first = prev && prev->iteration == in->iteration - 1 && prev->held[id];
	c->integer = soak_param_defs[id].integer;
	return NULL;
}

/*
 * Sort by `before' (a strict order), keeping equal entries in their order
 * (insertion sort is stable).
 */
static void sort_candidates(struct candidate *c, int n,
			    bool (*before)(const struct candidate *, const struct candidate *))
{
	for (int i = 1; i < n; i++) {
		struct candidate x = c[i];
		int j = i - 1;
		while (j >= 0 && before(&x, &c[j])) {
			c[j + 1] = c[j];
			j--;
		}
		c[j + 1] = x;
	}
}

/*
 * The ranking for max_keys: a key velocity held back at the previous
 * iteration first (so larger steps cannot starve it), then largest size
 * first; ties keep the proposal order.
 */
static bool larger(const struct candidate *a, const struct candidate *b)
{
	if (a->first != b->first)
		return a->first;
	return b->size < a->size - TUNER_TIE_EPSILON;
}

/*
 * The order of the velocity budget: keys held back last iteration, then
 * whole-number keys (they move in units), then smaller steps.
 */
static bool budget_first(const struct candidate *a, const struct candidate *b)
{
	if (a->first != b->first)
		return a->first;
	if (a->integer != b->integer)
		return a->integer;
	return a->size < b->size - TUNER_TIE_EPSILON;
}

/*
 * The size of c's step within a share of the velocity budget: all of it
 * when it fits, else scaled down; a whole-number parameter moves in whole
 * units, at least one when the budget left (`left') holds one.
 */
static double fit_step(const struct decision_input *in, const struct candidate *c,
		       double share, double left)
{
	int id = in->key[c->index].param;
	if (c->size <= share + TUNER_TIE_EPSILON)
		return c->size;
	if (!soak_param_defs[id].integer)
		return share;
	double unit = soak_param_normalized(id, 1);
	double units = floor(share / unit + 1e-9);
	if (units < 1 && left >= unit - TUNER_TIE_EPSILON)
		units = 1;
	return units * unit;
}

/*
 * Spend the velocity budget left on the kept candidates: in budget_first
 * order, each takes at most an equal share of what is left, so a step is
 * scaled down rather than skipped.  A key that gets nothing is skipped
 * with "velocity"; when one held back last iteration gets nothing, the
 * rest of the budget is kept for it (the others are skipped too), so no
 * key is held back by velocity alone 3 iterations in a row.
 */
static void spend_budget(const struct decision_input *in, struct candidate *c, int n,
			 struct decision *d)
{
	double left = fmax(0, d->cap - d->used_before);
	sort_candidates(c, n, budget_first);
	for (int i = 0; i < n; i++) {
		int index = c[i].index, id = in->key[index].param;
		double size = left > TUNER_TIE_EPSILON ? fit_step(in, &c[i], left / (n - i), left) : 0;
		if (size <= TUNER_TIE_EPSILON) {
			d->reason[index] = "velocity";
			d->now.held[id] = true;
			if (c[i].first)
				left = 0;
			continue;
		}
		d->unscaled[index] = c[i].applied;
		d->factor[index] = size / c[i].size;
		d->applied[index] = c[i].applied * d->factor[index];
		if (soak_param_defs[id].integer)
			d->applied[index] = round(d->applied[index]);
		left -= size;
		d->used_after += size;
		d->now.changed[id] = true;
		d->now.from[id] = as_printed(in->params.value[id]);
		d->now.size += size;
	}
}

/*
 * The cap's multiplier: the phase's (--warmup-factor in WARMUP, else 1),
 * raised to the urgent factor when the proposal is urgent and that is
 * larger.
 */
static double velocity_factor(const struct tuner_filter_options *o, const struct decision_input *in)
{
	double factor = in->warmup ? o->warmup_factor : 1;
	if (in->urgent && o->urgent_factor > factor)
		factor = o->urgent_factor;
	return factor;
}

static void decide(const struct tuner_filter_options *o, const struct tuner_filter_state *s,
		   const struct decision_input *in, struct decision *d)
{
	struct candidate cand[SOAK_PARAM_COUNT];
	int n = 0;
	memset(d, 0, sizeof *d);
	d->now.iteration = in->iteration;
	decide_freeze(o, s, in, d);
	d->cap = o->velocity_cap * velocity_factor(o, in);
	for (int i = 0; i < s->n; i++)
		if (s->step[i].iteration > in->iteration - o->velocity_window)
			d->used_before += s->step[i].size;
	d->used_after = d->used_before;
	for (int i = 0; i < in->n; i++)
		if (!(d->reason[i] = screen_key(o, s, in, d, i, &cand[n])))
			n++;
	sort_candidates(cand, n, larger);
	for (int i = o->max_keys; i < n; i++)
		d->reason[cand[i].index] = "max_keys";
	spend_budget(in, cand, n < o->max_keys ? n : o->max_keys, d);
	d->now.size = as_printed(d->now.size);
}

/* --- the output ------------------------------------------------------------ */

static void write_tuning(const struct decision_input *in, const struct decision *d)
{
	cJSON *deltas = cJSON_CreateObject(), *skipped = cJSON_CreateObject();
	cJSON *clipped = cJSON_CreateObject(), *changed = cJSON_CreateArray();
	cJSON *scaled = cJSON_CreateObject();
	cJSON *guards = cJSON_CreateObject();
	for (int i = 0; i < in->n; i++) {
		const char *key = soak_param_defs[in->key[i].param].key;
		if (d->reason[i]) {
			cJSON_AddStringToObject(skipped, key, d->reason[i]);
			continue;
		}
		cJSON_AddItemToObject(deltas, key, soak_num(d->applied[i]));
		cJSON_AddItemToArray(changed, cJSON_CreateString(key));
		if (d->factor[i] < 1 - TUNER_VALUE_EPSILON)
			cJSON_AddItemToObject(scaled, key, soak_num(d->factor[i]));
		if (!near(in->key[i].param, d->unscaled[i], in->key[i].delta))
			cJSON_AddItemToObject(clipped, key, soak_num(in->key[i].delta));
	}
	cJSON_AddItemToObject(guards, "velocity_cap", soak_num(d->cap));
	cJSON_AddItemToObject(guards, "velocity_before", soak_num(d->used_before));
	cJSON_AddItemToObject(guards, "velocity_after", soak_num(d->used_after));
	cJSON_AddItemToObject(guards, "good_streak", soak_num((double)d->streak));
	cJSON_AddBoolToObject(guards, "frozen", d->frozen);
	cJSON_AddItemToObject(guards, "frozen_until",
			      d->frozen ? soak_num((double)d->frozen_until) : cJSON_CreateNull());
	soak_set(in->tuning, "deltas", deltas);
	soak_set(in->tuning, "skipped", skipped);
	soak_set(in->tuning, "clipped", clipped);
	soak_set(in->tuning, "scaled", scaled);
	soak_set(in->tuning, "applied", cJSON_CreateBool(cJSON_GetArraySize(changed) > 0));
	soak_set(in->tuning, "changed_keys", changed);
	soak_set(in->tuning, "guards", guards);
}

/* The state after this iteration: what the guards of the next ones need. */
static void next_state(const struct tuner_filter_options *o, const struct tuner_filter_state *s,
		       const struct decision *d, struct tuner_filter_state *out)
{
	out->n = 0;
	for (int i = 0; i < s->n; i++)
		if (s->step[i].iteration >= d->now.iteration - o->span)
			out->step[out->n++] = s->step[i];
	out->step[out->n++] = d->now;
}

static void write_record(cJSON *rec, const struct decision_input *in, const struct decision *d,
			 const struct tuner_filter_state *after)
{
	struct soak_params next = in->params;
	for (int i = 0; i < in->n; i++)
		if (!d->reason[i])
			next.value[in->key[i].param] += d->applied[i];
	soak_params_clamp(&next);
	write_tuning(in, d);
	soak_set(rec, "next_params", soak_params_to_json(&next));
	cJSON *state = soak_get(rec, "state");
	if (!state) {
		state = cJSON_CreateObject();
		soak_set(rec, "state", state);
	}
	soak_set(state, "tuner", state_json(after));
}

/*
 * Decide rec (read from line line_no) into rec and *after, the state
 * after it.  With the carry on, records must be one contiguous run of
 * iterations and each continues the state written for the one before;
 * the first takes the state it carries.
 */
bool tuner_filter_record(cJSON *rec, const struct tuner_filter_options *o,
			 const struct tuner_filter_carry *carry, long line_no,
			 struct tuner_filter_state *after, long *iteration, char *err)
{
	static struct decision_input in;
	static struct tuner_filter_state from_record;
	struct decision d;
	if (!read_input(rec, &in, err) || !read_state(rec, in.iteration, o, &from_record, err) ||
	    (o->carry && !soak_order_check(&carry->order, in.iteration, line_no, err)))
		return false;
	bool use_carry = o->carry && carry->order.started;
	const struct tuner_filter_state *before = use_carry ? &carry->state : &from_record;
	decide(o, before, &in, &d);
	next_state(o, before, &d, after);
	write_record(rec, &in, &d, after);
	*iteration = in.iteration;
	return true;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

void tuner_filter_defaults(struct tuner_filter_options *o)
{
	static const struct tuner_filter_options defaults = {
		.max_keys = 2, .cooldown = 1, .velocity_window = 3, .oscillation_window = 3,
		.freeze_after = 2, .freeze_length = 4, .velocity_cap = 0.15, .warmup_factor = 1.5,
		.urgent_factor = 2,
		.freeze_risk = 0.35, .freeze_net = 2.7, .carry = true,
		.freeze_key = {[P_IMPACT_CAP_RATIO] = true, [P_MAX_DELTA_RATIO] = true},
	};
	*o = defaults;
	tuner_filter_span(o);
}

void tuner_filter_span(struct tuner_filter_options *o)
{
	o->span = max_int(max_int(o->cooldown, o->oscillation_window - 1),
			  max_int(max_int(o->velocity_window - 1, o->freeze_after - 1),
				  o->freeze_length - 1));
}
