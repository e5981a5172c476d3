/* gate-stream.c - kpi-gate's per-record transform (see gate-stream.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate-stream.h"

static void add_string(cJSON *obj, const char *key, const char *s)
{
	cJSON_AddItemToObjectCS(obj, key, soak_checked(cJSON_CreateString(s)));
}

/* ------------------------------------------------------------------ */
/* The history a record carries                                        */

/* Check state.gate.history and count the entries before `iteration`. */
static bool check_history(const cJSON *history, long iteration, long *before, char *err)
{
	long previous = 0;
	*before = 0;
	for (const cJSON *e = history->child; e; e = e->next) {
		struct soak_kpi_point p;
		if (!soak_history_entry_read(e, &p, err))
			return false;
		if (p.iteration <= previous)
			return soak_errorf(err, "'state.gate.history' is not in increasing order of "
					   "iteration (%ld after %ld)", p.iteration, previous);
		if (p.iteration > iteration)
			return soak_errorf(err, "'state.gate.history' holds iteration %ld, after the "
					   "record's iteration %ld", p.iteration, iteration);
		previous = p.iteration;
		*before += p.iteration < iteration;
	}
	return true;
}

/* The record's own history: the newest keep entries before its iteration
 * (an entry for the iteration itself is an earlier gate's and is dropped). */
static bool read_history(const cJSON *rec, long iteration, long keep,
			 struct soak_gate_window *out, char *err)
{
	cJSON *state, *gate = NULL;
	out->count = 0;
	if (!soak_get_object_opt(rec, "state", "state", &state, err) ||
	    (state && !soak_get_object_opt(state, "gate", "state.gate", &gate, err)))
		return false;
	if (!state || !gate)
		return true;
	const cJSON *history = soak_get(gate, "history");
	if (!history)
		return soak_errorf(err, "missing field 'state.gate.history'");
	if (!cJSON_IsArray(history))
		return soak_errorf(err, "'state.gate.history' is not an array");
	long before;
	if (!check_history(history, iteration, &before, err))
		return false;
	long index = 0;
	for (const cJSON *e = history->child; e && index < before; e = e->next, index++)
		if (index >= before - keep)
			(void)soak_history_entry_read(e, &out->entry[out->count++], err);
	return true;
}

static bool same_value(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/*
 * The history a record carries must agree with the records present: each
 * entry for an iteration the stream judged has that record's KPIs (the
 * status is not compared: it depends on the thresholds).
 */
static bool check_against_stream(const struct soak_gate_window *history,
				 const struct soak_gate_window *judged, char *err)
{
	long at = 0;   /* both in increasing order of iteration: one walk */
	for (long i = 0; i < history->count; i++) {
		const struct soak_kpi_point *h = &history->entry[i];
		while (at < judged->count && judged->entry[at].iteration < h->iteration)
			at++;
		if (at == judged->count)
			break;
		if (judged->entry[at].iteration != h->iteration)
			continue;   /* older than the stream, or a line skipped */
		const struct soak_kpi_point *j = &judged->entry[at];
		for (int k = 0; k < SOAK_KPI_COUNT; k++) {
			char a[32] = "null", b[32] = "null";
			if (h->present[k] == j->present[k] &&
			    (!h->present[k] || same_value(h->value[k], j->value[k])))
				continue;
			if (h->present[k])
				soak_format_number(h->value[k], a);
			if (j->present[k])
				soak_format_number(j->value[k], b);
			return soak_errorf(err, "'state.gate.history' disagrees with the records present: "
					   "iteration %ld %s is %s there, %s in its record", h->iteration,
					   soak_kpi_names[k], a, b);
		}
	}
	return true;
}

/* next = the newest (size - 1) entries of base, then the current point. */
static void extend_window(const struct soak_gate_window *base,
			  const struct soak_kpi_point *current, long size,
			  struct soak_gate_window *next)
{
	long keep = base->count < size - 1 ? base->count : size - 1;
	memcpy(next->entry, base->entry + (base->count - keep), (size_t)keep * sizeof *next->entry);
	next->entry[keep] = *current;
	next->count = keep + 1;
}

static cJSON *history_json(const struct soak_gate_window *w)
{
	cJSON *state_gate = soak_checked(cJSON_CreateObject());
	cJSON *history = soak_checked(cJSON_CreateArray());
	for (long i = 0; i < w->count; i++)
		cJSON_AddItemToArray(history, soak_history_entry_new(&w->entry[i]));
	cJSON_AddItemToObjectCS(state_gate, "history", history);
	return state_gate;
}

/* ------------------------------------------------------------------ */
/* One record                                                          */

bool soak_gate_stream_judge(const cJSON *rec, struct soak_gate_stream *g, long line_no,
			    struct soak_gate_judgement *j, char *err)
{
	struct soak_gate_reading r;
	enum soak_level window_status;
	if (!soak_get_iteration(rec, &r.iteration, err) ||
	    !soak_order_check(&g->order, r.iteration, line_no, err))
		return false;
	if (!soak_gate_read(rec, g->wanted, g->forced_mode, &r, err) ||
	    !read_history(rec, r.iteration, g->th.window_size - 1, &g->scratch, err) ||
	    !check_against_stream(&g->scratch, &g->carry, err)) {
		/* A bad record in its place (skipped with --on-error=skip): the next
		 * line follows it, and the window goes on without it. */
		soak_order_accept(&g->order, r.iteration, line_no);
		return false;
	}
	static const struct soak_gate_window empty;
	const struct soak_gate_window *base = g->order.started ? &g->carry
					      : g->summary ? &empty : &g->scratch;
	cJSON *reasons = soak_checked(cJSON_CreateArray()), *downgraded = soak_checked(cJSON_CreateArray());
	j->iteration = r.iteration;
	j->status = soak_gate_judge_iteration(&g->th, &r, reasons, downgraded);
	j->downgraded = cJSON_GetArraySize(downgraded) > 0;
	struct soak_kpi_point point = soak_gate_point(&r, j->status);
	extend_window(base, &point, g->th.window_size, &g->next);
	j->gate = soak_checked(cJSON_CreateObject());
	add_string(j->gate, "status", soak_level_names[j->status]);
	add_string(j->gate, "mode", r.warn_mode ? "WARN" : "NORMAL");
	add_string(j->gate, "thresholds", g->th.name);
	cJSON_AddItemToObjectCS(j->gate, "reasons", reasons);
	cJSON_AddItemToObjectCS(j->gate, "downgraded", downgraded);
	cJSON_AddItemToObjectCS(j->gate, "window",
				soak_gate_judge_window(&g->th, &g->next, &window_status));
	j->state_gate = history_json(&g->next);
	g->carry.count = g->next.count;
	memcpy(g->carry.entry, g->next.entry, (size_t)g->next.count * sizeof *g->next.entry);
	soak_order_accept(&g->order, r.iteration, line_no);
	return true;
}

void soak_gate_stream_start(struct soak_gate_stream *g, int forced_mode, bool summary)
{
	soak_gate_wanted(&g->th, g->wanted);
	g->forced_mode = forced_mode;
	g->summary = summary;
	memset(&g->order, 0, sizeof g->order);
	g->carry.count = 0;
}

void soak_gate_judgement_put(cJSON *rec, struct soak_gate_judgement *j)
{
	cJSON *state = soak_get(rec, "state");
	soak_set(rec, "gate", j->gate);
	if (!state)
		cJSON_AddItemToObjectCS(rec, "state", state = soak_checked(cJSON_CreateObject()));
	soak_set(state, "gate", j->state_gate);
}
