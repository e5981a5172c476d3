/* kpi-gate - judge each iteration's KPIs and the last-N window. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "history.h"
#include "judge.h"
#include "record.h"
#include "thresholds.h"

static const char help_text[] =
"Usage: kpi-gate [OPTION]...\n"
"Judge each record's KPIs (summary) against a thresholds file, add the\n"
"verdict as 'gate' and carry the last-N window in state.gate (JSON lines,\n"
"stdin to stdout).\n"
"\n"
"  -t, --thresholds=NAME|FILE  thresholds file (default kpi_thresholds_v1)\n"
"  -m, --mode=warn|normal      gate mode for every record (default: the\n"
"                              record's phase.gate_mode, else normal)\n"
"  -w, --window=N              window size, 1 to 1000 (default: the file's)\n"
"  -s, --summary               read the whole log, print one verdict object\n"
"                              and exit 1 when it is FAIL\n"
"      --text                  with --summary: the verdict as lines of text\n"
"                              for a person instead of JSON\n"
SOAK_STREAM_HELP
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"An iteration is PASS when every rule holds, else the worst level of the\n"
"rules it breaks; a missing KPI is FAIL.  In WARN mode a FAIL becomes WARN\n"
"and is listed in gate.downgraded.  See kpi-gate(1), soak-thresholds(5).\n";

/* Everything kpi-gate keeps between records (constant size). */
struct gate_context {
	struct soak_thresholds th;
	bool wanted[SOAK_RULE_KPI_COUNT];  /* read from summary: rule KPIs and history KPIs */
	int forced_mode;             /* -1: from the record; else warn (1) / normal (0) */
	bool summary;                /* --summary: the window only from records present */
	struct soak_order order;     /* the last record judged */
	struct soak_gate_window carry;    /* the history written for it */
	struct soak_gate_window scratch;  /* history read from the current record */
	struct soak_gate_window next;     /* history being built */
};

/* The outcome for one record. */
struct judgement {
	long iteration;
	enum soak_level status;
	bool downgraded;
	cJSON *gate;                 /* the gate section */
	cJSON *state_gate;           /* the state.gate section */
};

static cJSON *checked(cJSON *node)
{
	if (!node)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return node;
}

static void add_string(cJSON *obj, const char *key, const char *s)
{
	cJSON_AddItemToObjectCS(obj, key, checked(cJSON_CreateString(s)));
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
	if (judged->count == 0)
		return true;
	long oldest = judged->entry[0].iteration;
	for (long i = 0; i < history->count; i++) {
		const struct soak_kpi_point *h = &history->entry[i];
		if (h->iteration < oldest || h->iteration - oldest >= judged->count)
			continue;
		const struct soak_kpi_point *j = &judged->entry[h->iteration - oldest];
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
	cJSON *state_gate = checked(cJSON_CreateObject());
	cJSON *history = checked(cJSON_CreateArray());
	for (long i = 0; i < w->count; i++)
		cJSON_AddItemToArray(history, soak_history_entry_new(&w->entry[i]));
	cJSON_AddItemToObjectCS(state_gate, "history", history);
	return state_gate;
}

/* ------------------------------------------------------------------ */
/* One record                                                          */

/*
 * Judge rec (read from line line_no).  Nothing is changed when it is
 * invalid (false, err).  Records must be one contiguous run of
 * iterations.  The window continues the one written for the previous
 * record; the record's own state.gate.history must agree with it.  For
 * the first record of the stream the window starts from that history
 * (a ring resumed, one line re-run), except under --summary, whose
 * verdict is made from the records present only.
 */
static bool judge_record(const cJSON *rec, struct gate_context *g, long line_no,
			 struct judgement *j, char *err)
{
	struct soak_gate_reading r;
	enum soak_level window_status;
	if (!soak_gate_read(rec, g->wanted, g->forced_mode, &r, err) ||
	    !soak_order_check(&g->order, r.iteration, line_no, err) ||
	    !read_history(rec, r.iteration, g->th.window_size - 1, &g->scratch, err) ||
	    !check_against_stream(&g->scratch, &g->carry, err))
		return false;
	static const struct soak_gate_window empty;
	const struct soak_gate_window *base = g->order.started ? &g->carry
					      : g->summary ? &empty : &g->scratch;
	cJSON *reasons = checked(cJSON_CreateArray()), *downgraded = checked(cJSON_CreateArray());
	j->iteration = r.iteration;
	j->status = soak_gate_judge_iteration(&g->th, &r, reasons, downgraded);
	j->downgraded = cJSON_GetArraySize(downgraded) > 0;
	struct soak_kpi_point point = soak_gate_point(&r, j->status);
	extend_window(base, &point, g->th.window_size, &g->next);
	j->gate = checked(cJSON_CreateObject());
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

static void write_judged(struct soak_stream *s, cJSON *rec, struct judgement *j)
{
	cJSON *state = soak_get(rec, "state");
	soak_set(rec, "gate", j->gate);
	if (!state)
		cJSON_AddItemToObjectCS(rec, "state", state = checked(cJSON_CreateObject()));
	soak_set(state, "gate", j->state_gate);
	soak_stream_write(s, rec);
}

/* ------------------------------------------------------------------ */
/* --summary                                                           */

struct summary {
	struct soak_gate_tally tally;
	cJSON *first_fail;       /* {"iteration", "reasons"} of the first FAIL */
	cJSON *last_window;      /* gate.window of the last record */
};

static void summary_add(struct summary *sum, struct judgement *j)
{
	soak_gate_tally_add(&sum->tally, j->iteration, j->status, j->downgraded);
	if (j->status == SOAK_LEVEL_FAIL && !sum->first_fail) {
		sum->first_fail = checked(cJSON_CreateObject());
		cJSON_AddItemToObjectCS(sum->first_fail, "iteration", soak_num((double)j->iteration));
		cJSON_AddItemToObjectCS(sum->first_fail, "reasons",
				      cJSON_DetachItemFromObjectCaseSensitive(j->gate, "reasons"));
	}
	cJSON_Delete(sum->last_window);
	sum->last_window = cJSON_DetachItemFromObjectCaseSensitive(j->gate, "window");
	cJSON_Delete(j->gate);
	cJSON_Delete(j->state_gate);
}

static cJSON *summary_verdict(struct summary *sum, const struct soak_thresholds *th, long skipped,
			      enum soak_level *status)
{
	const struct soak_gate_tally *t = &sum->tally;
	cJSON *v = checked(cJSON_CreateObject()), *reasons = checked(cJSON_CreateArray());
	cJSON *counts = checked(cJSON_CreateObject());
	*status = soak_gate_verdict(t, sum->last_window, th->window_size, skipped, reasons);
	add_string(v, "status", soak_level_names[*status]);
	add_string(v, "thresholds", th->name);
	cJSON_AddItemToObjectCS(v, "iterations", soak_num((double)t->iterations));
	cJSON_AddItemToObjectCS(v, "first_iteration", t->iterations
			      ? soak_num((double)t->first_iteration) : checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "last_iteration", t->iterations
			      ? soak_num((double)t->last_iteration) : checked(cJSON_CreateNull()));
	for (int l = SOAK_LEVEL_PASS; l <= SOAK_LEVEL_FAIL; l++)
		cJSON_AddItemToObjectCS(counts, soak_level_names[l], soak_num((double)t->counts[l]));
	cJSON_AddItemToObjectCS(v, "counts", counts);
	cJSON_AddItemToObjectCS(v, "downgraded", soak_num((double)t->downgraded));
	cJSON_AddItemToObjectCS(v, "skipped", soak_num((double)skipped));
	cJSON_AddItemToObjectCS(v, "first_fail", sum->first_fail ? sum->first_fail
			      : checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "window", sum->last_window ? sum->last_window
			      : checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "reasons", reasons);
	return v;
}

/* ------------------------------------------------------------------ */
/* main                                                                */

struct options {
	const char *thresholds;
	long window;       /* 0: the file's */
	bool summary;
	bool text;         /* --text: the --summary verdict for a person */
};

static int parse_mode(const char *arg)
{
	if (strcasecmp(arg, "warn") == 0)
		return 1;
	if (strcasecmp(arg, "normal") == 0)
		return 0;
	soak_usage_error("option '--mode': '%s' is not warn or normal", arg);
}

/* Load --thresholds (a usage error, exit 2, when it is not valid) and
 * what to read of each summary: the history KPIs and those rules name. */
static void load_thresholds(const char *arg, struct gate_context *g)
{
	soak_thresholds_load(arg, SOAK_WORDING_GATE, &g->th);
	soak_gate_wanted(&g->th, g->wanted);
}

static void parse_options(int argc, char **argv, struct soak_stream *s, struct options *o,
			  struct gate_context *g)
{
	static const struct option longopts[] = {
		{"thresholds", required_argument, NULL, 't'},
		{"mode", required_argument, NULL, 'm'},
		{"window", required_argument, NULL, 'w'},
		{"summary", no_argument, NULL, 's'},
		{"text", no_argument, NULL, 'T'},
		SOAK_STREAM_LONGOPTS,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "t:m:w:shV", longopts, NULL)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 't': o->thresholds = optarg; break;
		case 'm': g->forced_mode = parse_mode(optarg); break;
		case 'w': o->window = soak_arg_long("--window", optarg, 1, SOAK_MAX_WINDOW); break;
		case 's': o->summary = true; break;
		case 'T': o->text = true; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->text && !o->summary)
		soak_usage_error("option '--text' needs --summary");
	if (o->summary && g->forced_mode == 1)
		soak_usage_error("option '--mode=warn' with --summary: a verdict downgrades a FAIL only "
				 "in a WARMUP phase");
	g->summary = o->summary;
}

/* The "text" member of each object of an array, one indented line each. */
static void print_texts(FILE *out, const char *indent, const cJSON *array)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, array) {
		const cJSON *text = soak_get(item, "text");
		if (cJSON_IsString(text))
			fprintf(out, "%s%s\n", indent, text->valuestring);
	}
}

/* The verdict object as a person reads it. */
static void print_verdict_text(FILE *out, const cJSON *v, const struct summary *sum)
{
	fprintf(out, "verdict: %s (%s; %ld iterations: %ld PASS, %ld WARN, %ld FAIL)\n",
		soak_get(v, "status")->valuestring, soak_get(v, "thresholds")->valuestring,
		sum->tally.iterations, sum->tally.counts[SOAK_LEVEL_PASS],
		sum->tally.counts[SOAK_LEVEL_WARN], sum->tally.counts[SOAK_LEVEL_FAIL]);
	print_texts(out, "  ", soak_get(v, "reasons"));
	const cJSON *window = soak_get(v, "window");
	if (cJSON_IsObject(window)) {
		const cJSON *status = soak_get(window, "status"), *count = soak_get(window, "count");
		fprintf(out, "  window of the last %g iterations: %s\n",
			cJSON_IsNumber(count) ? count->valuedouble : 0,
			cJSON_IsString(status) ? status->valuestring : "-");
		print_texts(out, "    ", soak_get(window, "goals"));
	}
	const cJSON *first_fail = soak_get(v, "first_fail");
	if (cJSON_IsObject(first_fail)) {
		fprintf(out, "  first FAIL, iteration %g:\n", soak_get(first_fail, "iteration")->valuedouble);
		print_texts(out, "    ", soak_get(first_fail, "reasons"));
	}
}

int main(int argc, char **argv)
{
	static struct gate_context g;
	struct soak_stream s;
	struct options o = {"kpi_thresholds_v1", 0, false, false};
	struct summary sum = {0};
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	g.forced_mode = -1;
	parse_options(argc, argv, &s, &o, &g);
	load_thresholds(o.thresholds, &g);
	if (!o.summary) /* --summary keeps cJSON of earlier records (first_fail) */
		soak_stream_use_arena(&s);
	if (o.window)
		g.th.window_size = o.window;
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		struct judgement j;
		if (!judge_record(rec, &g, s.line_no, &j, err))
			soak_stream_reject(&s, "%s", err);
		else if (o.summary)
			summary_add(&sum, &j);
		else
			write_judged(&s, rec, &j);
		cJSON_Delete(rec);
	}
	if (!o.summary)
		return soak_stream_finish(&s);
	enum soak_level status;
	cJSON *verdict = summary_verdict(&sum, &g.th, s.skipped, &status);
	if (o.text) {
		print_verdict_text(s.out, verdict, &sum); /* write errors: soak_stream_finish */
	} else {
		soak_stream_write(&s, verdict);
	}
	cJSON_Delete(verdict);
	int rc = soak_stream_finish(&s);
	return rc != SOAK_EXIT_OK ? rc : status == SOAK_LEVEL_FAIL ? SOAK_EXIT_FAIL : SOAK_EXIT_OK;
}
