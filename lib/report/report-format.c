/* report-format.c - soak-report: Markdown, Prometheus text exposition and the gnuplot PNG. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "verdict-format.h"
#include "report-common.h"

/* ------------------------------------------------------------------ */
/* Markdown                                                            */

/* Text from the log or the command line, with Markdown's specials escaped. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', out);
		else if (strchr("\\`*_[]|~", *s) ||
			 (*s == '<' && (isalpha((unsigned char)s[1]) || (s[1] && strchr("/!?", s[1])))))
			fprintf(out, "\\%c", *s);   /* '<' only where it could open a tag */
		else
			fputc(*s, out);
	}
}

static void md_number(FILE *out, bool known, double x)
{
	char buf[32];
	fputs(known ? report_short_number(x, buf) : "–", out);
}

/* "✅ mean >= 0.83; ❌ max <= 340" for the KPI's goals, "–" without any. */
static void md_goals(FILE *out, const struct report_snapshot *snap, int kpi)
{
	int shown = 0;
	char t[32];
	for (int i = 0; i < snap->n_goals; i++) {
		const struct report_goal *g = &snap->goal[i];
		if (g->rule->kpi != report_kpis[kpi].kpi)
			continue;
		soak_format_number(g->rule->threshold, t);
		fprintf(out, "%s%s %s %s %s%s", shown++ ? "; " : "", g->met ? "✅" : "❌",
			soak_stat_names[g->rule->stat], soak_cmp_names[g->rule->cmp], t,
			g->known ? "" : " (unknown)");
	}
	if (!shown)
		fputs("–", out);
}

static void md_kpi_table(FILE *out, const struct report_snapshot *snap)
{
	fputs("| KPI | mean | median | min | max | trend | missing | goal |\n"
	      "|---|--:|--:|--:|--:|---|--:|---|\n", out);
	for (int k = 0; k < RK_COUNT; k++) {
		const struct report_kpi_stats *st = &snap->kpi[k];
		fprintf(out, "| %s |", report_kpi_name(k));
		for (int i = 0; i < SOAK_STAT_COUNT; i++) {
			fputc(' ', out);
			md_number(out, st->count > 0, st->stat[i]);
			fputs(" |", out);
		}
		fprintf(out, " %s | %ld | ", st->trend, st->missing);
		md_goals(out, snap, k);
		fputs(" |\n", out);
	}
}

static void md_verdict(FILE *out, const struct report_snapshot *snap)
{
	fprintf(out, "\n### Verdict: %s\n\n", soak_level_names[snap->verdict]);
	if (snap->n_reasons == 0)
		fputs("Every goal of the window is met.\n", out);
	for (int i = 0; i < snap->n_reasons; i++) {
		fprintf(out, "- **%s** ", soak_level_names[snap->reason_level[i]]);
		md_text(out, snap->reason[i]);
		fputc('\n', out);
	}
}

static void md_baseline(FILE *out, const struct report_snapshot *cur,
			const struct report_snapshot *base, const struct report_comparison *cmp)
{
	fputs("\n### Against the baseline ", out);
	soak_md_code(out, base->log->label);
	fprintf(out, " (%s, iterations %ld): %s\n\n", soak_level_names[base->verdict],
		base->log->count, compare_verdict_names[cmp->result.verdict]);
	md_text(out, report_one_pair_text);
	fputs(".\n\n| KPI | stat | this | baseline | Δ | outcome |\n|---|---|--:|--:|--:|---|\n",
	      out);
	for (int k = 0; k < RK_COUNT; k++) {
		enum soak_stat stat = report_compared_stat(cur->th, k);
		const struct report_kpi_stats *a = &cur->kpi[k], *b = &base->kpi[k];
		fprintf(out, "| %s | %s | ", report_kpi_name(k), soak_stat_names[stat]);
		md_number(out, a->count > 0, a->stat[stat]);
		fputs(" | ", out);
		md_number(out, b->count > 0, b->stat[stat]);
		fputs(" | ", out);
		md_number(out, a->count > 0 && b->count > 0, a->stat[stat] - b->stat[stat]);
		fprintf(out, " | %s |\n", compare_outcome_names[cmp->result.kpi[k].outcome]);
	}
}

static void md_names(FILE *out, const char *title, const struct report_names *names)
{
	fprintf(out, "\n| %s | count |\n|---|--:|\n", title);
	for (int i = 0; i < names->n; i++) {
		fputs("| ", out);
		md_text(out, names->name[i]);
		fprintf(out, " | %ld |\n", names->count[i]);
	}
	if (names->other)
		fprintf(out, "| (other) | %ld |\n", names->other);
	if (names->n == 0 && names->other == 0)
		fputs("| (none) | 0 |\n", out);
}

static void md_counts(FILE *out, const struct report_log *log)
{
	fputs("\n### Gate status of every iteration\n\n| PASS | WARN | FAIL | downgraded |\n"
	      "|--:|--:|--:|--:|\n|", out);
	for (int i = 0; i < SOAK_LEVEL_COUNT; i++)
		fprintf(out, " %ld |", log->tally.counts[i]);
	fprintf(out, " %ld |\n\n### Tuning\n\nApplied in %ld of %ld iterations.\n", log->tally.downgraded,
		log->tuning_applied, log->count);
	md_names(out, "key changed", &log->keys_changed);
	md_names(out, "skip reason", &log->skips);
	fputs("\n### Guards (iterations in which each fired)\n\n| guard | iterations |\n|---|--:|\n",
	      out);
	for (int g = 0; g < RG_COUNT; g++)
		fprintf(out, "| %s | %ld |\n", report_guard_names[g], log->guards[g]);
}

/* One KPI over the whole run: bucket means scaled to " .-=+#"-like levels. */
static void md_sparkline(FILE *out, const struct report_spark *sp, int k)
{
	static const char levels[] = ".-=+#";
	double lo = INFINITY, hi = -INFINITY;
	char a[32], b[32];
	for (int i = 0; i < sp->n; i++)
		if (sp->count[k][i]) {
			double m = sp->sum[k][i] / (double)sp->count[k][i];
			lo = fmin(lo, m);
			hi = fmax(hi, m);
		}
	fprintf(out, "%-17s ", report_kpi_name(k));
	if (lo > hi) {
		fputs("(no values)\n", out);
		return;
	}
	for (int i = 0; i < sp->n; i++) {
		double m = sp->count[k][i] ? sp->sum[k][i] / (double)sp->count[k][i] : 0;
		int level = hi > lo ? (int)lround((m - lo) / (hi - lo) * 4) : 2;
		fputc(sp->count[k][i] ? levels[level] : ' ', out);
	}
	fprintf(out, "  %s .. %s\n", report_short_number(lo, a), report_short_number(hi, b));
}

void report_markdown(FILE *out, const struct report_snapshot *cur,
		     const struct report_snapshot *base, const struct report_comparison *cmp)
{
	const struct report_log *log = cur->log;
	fprintf(out, "## Soak report: %s\n\n", soak_level_names[cur->verdict]);
	if (log->count)
		fprintf(out, "%ld iterations (%ld to %ld); window: the last %ld of %ld (%ld to %ld); "
			"thresholds ", log->count, log->first, log->last, cur->window_count,
			log->window_size, report_window_point(log, 0)->iteration, log->last);
	else
		fputs("No iterations; thresholds ", out);
	soak_md_code(out, cur->th->name);
	fputs(".\n\n", out);
	md_kpi_table(out, cur);
	md_verdict(out, cur);
	if (base)
		md_baseline(out, cur, base, cmp);
	md_counts(out, log);
	if (log->count) {
		fprintf(out, "\n### KPIs over the whole run (%ld iteration%s per character)\n\n```\n",
			log->spark.width, log->spark.width == 1 ? "" : "s");
		for (int k = 0; k < RK_COUNT; k++)
			md_sparkline(out, &log->spark, k);
		fputs("```\n", out);
	}
}

/* ------------------------------------------------------------------ */
/* Prometheus text exposition                                          */

static void prom_header(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void prom_label_value(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* The run's labels (run_id, seed, preset) on every sample of report_prometheus, or NULL. */
static const char *const *prom_run_labels;

/* name{key="value"...} x; labels are (key, value) pairs, NULL-ended; then the run's. */
static void prom_sample(FILE *out, const char *name, double x, const char *const *labels)
{
	char buf[32];
	int n = 0;
	fputs(name, out);
	for (const char *const *set[] = {labels, prom_run_labels}, *const **l = set; l < set + 2; l++)
		for (int i = 0; *l && (*l)[i]; i += 2) {
			fprintf(out, "%s%s=", n++ ? "," : "{", (*l)[i]);
			prom_label_value(out, (*l)[i + 1]);
		}
	soak_format_number(x, buf);
	fprintf(out, "%s %s\n", n ? "}" : "", buf);
}

static void prom_kpis(FILE *out, const char *name, const char *help,
		      const struct report_snapshot *a, const struct report_snapshot *b,
		      const char *window)
{
	prom_header(out, name, help);
	for (int k = 0; k < RK_COUNT; k++)
		for (int i = 0; i < SOAK_STAT_COUNT; i++) {
			const char *labels[] = {"kpi", report_kpi_name(k), "stat",
						soak_stat_names[i], "window", window, NULL};
			if (a->kpi[k].count && (!b || b->kpi[k].count))
				prom_sample(out, name, a->kpi[k].stat[i] - (b ? b->kpi[k].stat[i] : 0),
					    labels);
		}
}

static void prom_window(FILE *out, const struct report_snapshot *snap, const char *window)
{
	prom_header(out, "soak_kpi_missing", "Iterations of the window without the KPI.");
	for (int k = 0; k < RK_COUNT; k++) {
		const char *labels[] = {"kpi", report_kpi_name(k), "window", window, NULL};
		prom_sample(out, "soak_kpi_missing", (double)snap->kpi[k].missing, labels);
	}
	prom_header(out, "soak_kpi_trend", "Trend over the window: 1 up, 0 flat, -1 down "
		    "(absent with fewer than 4 values).");
	for (int k = 0; k < RK_COUNT; k++) {
		const char *labels[] = {"kpi", report_kpi_name(k), "window", window, NULL};
		const char *t = snap->kpi[k].trend;
		if (strcmp(t, "n/a"))
			prom_sample(out, "soak_kpi_trend", strcmp(t, "up") == 0 ? 1
					  : strcmp(t, "down") == 0 ? -1 : 0, labels);
	}
	prom_header(out, "soak_goal_met", "1 when the window goal is met, else 0.");
	for (int i = 0; i < snap->n_goals; i++) {
		const struct report_goal *g = &snap->goal[i];
		const char *labels[] = {"kpi", soak_rule_kpis[g->rule->kpi].name, "stat",
					soak_stat_names[g->rule->stat], "op",
					soak_cmp_names[g->rule->cmp], "window", window, NULL};
		prom_sample(out, "soak_goal_met", g->met, labels);
	}
	prom_header(out, "soak_verdict", "1 for the verdict of the window, 0 for the others.");
	for (int l = SOAK_LEVEL_PASS; l <= SOAK_LEVEL_FAIL; l++) {
		const char *labels[] = {"status", soak_level_names[l], "window", window, NULL};
		prom_sample(out, "soak_verdict", snap->verdict == (enum soak_level)l, labels);
	}
}

static void prom_names(FILE *out, const char *name, const char *help, const char *label,
		       const struct report_names *names)
{
	prom_header(out, name, help);
	for (int i = 0; i < names->n; i++) {
		const char *labels[] = {label, names->name[i], NULL};
		prom_sample(out, name, (double)names->count[i], labels);
	}
	if (names->other) {
		const char *labels[] = {label, "(other)", NULL};
		prom_sample(out, name, (double)names->other, labels);
	}
}

static void prom_counts(FILE *out, const struct report_log *log)
{
	prom_header(out, "soak_iterations", "Iterations in the log.");
	prom_sample(out, "soak_iterations", (double)log->count, NULL);
	prom_header(out, "soak_skipped_lines", "Bad lines skipped (--on-error=skip).");
	prom_sample(out, "soak_skipped_lines", (double)log->skipped, NULL);
	prom_header(out, "soak_gate_iterations", "Iterations by their gate status, judged again.");
	for (int i = 0; i < SOAK_LEVEL_COUNT; i++) {
		const char *labels[] = {"status", soak_level_names[i], NULL};
		prom_sample(out, "soak_gate_iterations", (double)log->tally.counts[i], labels);
	}
	prom_header(out, "soak_tuning_applied_iterations", "Iterations whose tuning was applied.");
	prom_sample(out, "soak_tuning_applied_iterations", (double)log->tuning_applied, NULL);
	prom_names(out, "soak_tuning_key_changes", "Iterations that changed each key.", "key",
		   &log->keys_changed);
	prom_names(out, "soak_tuning_skips", "Skipped tuning deltas by reason.", "reason",
		   &log->skips);
	prom_header(out, "soak_guard_iterations", "Iterations in which each guard fired.");
	for (int g = 0; g < RG_COUNT; g++) {
		const char *labels[] = {"guard", report_guard_names[g], NULL};
		prom_sample(out, "soak_guard_iterations", (double)log->guards[g], labels);
	}
}

void report_prometheus(FILE *out, const struct report_snapshot *cur,
		       const struct report_snapshot *base, const char *const *run_labels)
{
	char window[32];
	prom_run_labels = run_labels;
	snprintf(window, sizeof window, "%ld", cur->log->window_size);
	prom_kpis(out, "soak_kpi", "KPI statistic over the last-N window of the log.", cur, NULL,
		  window);
	prom_window(out, cur, window);
	prom_counts(out, cur->log);
	if (base) {
		prom_kpis(out, "soak_baseline_kpi", "KPI statistic over the last-N window of the "
			  "baseline log.", base, NULL, window);
		prom_kpis(out, "soak_kpi_delta", "KPI statistic of the log minus the baseline's.",
			  cur, base, window);
	}
	prom_run_labels = NULL;
}

/* ------------------------------------------------------------------ */
/* The plot                                                            */

/* A gnuplot single-quoted string: quotes doubled, nothing else special. */
static void gp_string(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
	fputc('\'', out);
}

/* The unit of a gate KPI's axis. */
static const char *const gp_units[RK_GATE_COUNT] = {"ratio", "bps", "ms", "ratio"};
/* Fill colours of the phases (none, WARMUP, RAMPDOWN, STEADY); "" not shaded. */
static const char *const gp_phase_colours[REPORT_PHASE_COUNT] = {"", "#f4a261", "#e9c46a", ""};

#define GP_MAX_SPANS 64   /* phase changes shaded; a log with more shades the first ones */

struct gp_span {
	int phase;
	long from, to;
};

struct gp_spans {
	int n;
	struct gp_span span[GP_MAX_SPANS];
};

/* Extend the spans with one point's phase. */
static void spans_add(struct gp_spans *sp, long iteration, int phase)
{
	struct gp_span *last = sp->n ? &sp->span[sp->n - 1] : NULL;
	if (last && last->phase == phase && last->to == iteration - 1) {
		last->to = iteration;
	} else if (sp->n < GP_MAX_SPANS) {
		sp->span[sp->n++] = (struct gp_span){phase, iteration, iteration};
	}
}

/* Copy a points file into a gnuplot data block NAME; note the phase spans. */
static void gp_block(FILE *out, const char *name, FILE *data, struct gp_spans *sp)
{
	char line[256];
	fprintf(out, "$%s << EOD\n", name);
	rewind(data);
	while (fgets(line, sizeof line, data)) {
		long iteration;
		int status, phase;
		fputs(line, out);
		if (sp && sscanf(line, "%ld %*s %*s %*s %*s %d %d", &iteration, &status, &phase) == 3)
			spans_add(sp, iteration, phase);
	}
	fputs("EOD\n", out);
}

/* Shaded rectangles behind every panel, one per span of a shaded phase. */
static void gp_phase_objects(FILE *out, const struct gp_spans *sp)
{
	for (int i = 0; i < sp->n; i++) {
		const struct gp_span *s = &sp->span[i];
		if (gp_phase_colours[s->phase][0])
			fprintf(out, "set object %d rect from first %ld.5, graph 0 to first %ld.5, graph 1 "
				"fc rgb '%s' fs solid 0.35 noborder behind\n", i + 1, s->from - 1, s->to,
				gp_phase_colours[s->phase]);
	}
}

static void gp_panel(FILE *out, const struct report_snapshot *snap,
		     const struct report_plot_info *info, int k)
{
	char t[32];
	int column = k + 2;
	fprintf(out, "set title '%s'\nset ylabel '%s (%s)'\n", report_kpi_name(k),
		report_kpi_name(k), gp_units[k]);
	fprintf(out, "plot $data using 1:%d with linespoints pt 7 ps 0.5 lc rgb '#1f5fa8' "
		"title 'this run'", column);
	if (info->baseline_data) {
		char label[512];
		snprintf(label, sizeof label, "baseline %s", info->baseline_label);
		fprintf(out, ", $base using 1:%d with linespoints pt 6 ps 0.5 dt 3 lc rgb '#7f7f7f' "
			"title ", column);
		gp_string(out, label);
	}
	for (int i = 0; i < snap->th->n_iteration; i++) {
		const struct soak_rule *r = &snap->th->iteration[i];
		if (r->kpi != report_kpis[k].kpi)
			continue;
		soak_format_number(r->threshold, t);
		fprintf(out, ", %s with lines dt 2 lw 1.5 lc rgb '%s' title '%s if %s %s'", t,
			r->level == SOAK_LEVEL_FAIL ? "#c0392b" : "#e69f00", soak_level_names[r->level],
			soak_cmp_negations[r->cmp], t);
	}
	fprintf(out, ", $data using 1:(column(6) == 2 ? column(%d) : NaN) with points pt 5 ps 1.2 "
		"lc rgb '#c0392b' title 'FAIL iteration'", column);
	fprintf(out, ", $data using 1:(column(6) == 1 ? column(%d) : NaN) with points pt 9 ps 1.2 "
		"lc rgb '#e69f00' title 'WARN iteration'", column);
	for (int ph = REPORT_PHASE_WARMUP; ph < REPORT_PHASE_COUNT; ph++)
		if (gp_phase_colours[ph][0])
			fprintf(out, ", NaN with boxes fs solid 0.35 noborder lc rgb '%s' title '%s'",
				gp_phase_colours[ph], report_phase_names[ph]);
	fputc('\n', out);
}

/* "soak-report: preset P, seed S, N iterations (F-L), verdict V, thresholds T[, run R]" */
static void gp_title(FILE *out, const struct report_snapshot *snap,
		     const struct report_plot_info *info)
{
	const struct report_log *log = snap->log;
	char title[1024];
	int n = snprintf(title, sizeof title, "soak-report: preset %s, seed %s, %ld iterations "
			 "(%ld-%ld), verdict %s, thresholds %s", info->preset, info->seed, log->count,
			 log->first, log->last, soak_level_names[snap->verdict], snap->th->name);
	if (info->run_id && n > 0 && (size_t)n < sizeof title)
		snprintf(title + n, sizeof title - (size_t)n, ", run %s", info->run_id);
	fputs("set multiplot layout 2,2 title ", out);
	gp_string(out, title);
	fputc('\n', out);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void gp_terminal(FILE *out, const char *path)
{
	if (ends_with(path, ".svg"))
		fputs("set terminal svg noenhanced size 1200,900 dynamic font 'sans,10'\n", out);
	else
		fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
		      "  set terminal pngcairo noenhanced size 1200,900 font ',10'\n"
		      "} else {\n  set terminal png noenhanced size 1200,900\n}\n", out);
	fputs("set output ", out);
	gp_string(out, path);
	fputc('\n', out);
}

static void plot_script(FILE *out, FILE *data, const struct report_snapshot *snap,
			const struct report_plot_info *info)
{
	const struct report_log *log = snap->log;
	static struct gp_spans spans;
	spans.n = 0;
	gp_terminal(out, info->path);
	fputs("set datafile missing '?'\n", out);
	gp_block(out, "data", data, &spans);
	if (info->baseline_data)
		gp_block(out, "base", info->baseline_data, NULL);
	fprintf(out, "set grid\nset key below horizontal font ',8'\nset xlabel 'iteration'\n"
		"set xrange [%ld.5:%ld.5]\nset xtics out nomirror\nset offsets 0, 0, graph 0.1, "
		"graph 0.1\n", log->first - 1, log->last);
	gp_phase_objects(out, &spans);
	long window_start = report_window_point(log, 0)->iteration;
	fprintf(out, "set arrow 1 from first %ld.5, graph 0 to first %ld.5, graph 1 nohead dt 3 "
		"lc rgb '#555555'\nset label 1 'last %ld' at first %ld.5, graph 0.95 offset 0.5,0 "
		"font ',8'\n", window_start - 1, window_start - 1, snap->window_count, window_start - 1);
	gp_title(out, snap, info);
	for (int k = 0; k < RK_GATE_COUNT; k++)
		gp_panel(out, snap, info, k);
	fputs("unset multiplot\n", out);
}

/* The file at path begins as a PNG or (for .svg) an SVG document does. */
static bool is_image(const char *path)
{
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	char head[512] = {0};
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(head, 1, sizeof head - 1, f) : 0;
	if (f)
		fclose(f);
	if (ends_with(path, ".svg"))
		return strstr(head, "<svg") != NULL;
	return n >= 8 && memcmp(head, png, 8) == 0;
}

/* gnuplot with the script on its stdin and stdout on /dev/null; its exit status. */
static int run_gnuplot(FILE *data, const struct report_snapshot *snap,
		       const struct report_plot_info *info)
{
	int fds[2], status;
	if (fflush(data) != 0 || ferror(data))
		soak_die(SOAK_EXIT_IO, "write error on the plot's temporary file");
	if (pipe(fds) != 0)
		soak_die(SOAK_EXIT_IO, "cannot run gnuplot: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		soak_die(SOAK_EXIT_IO, "cannot run gnuplot: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(fds[0], 0);
		if (null >= 0)
			dup2(null, 1);
		close(fds[0]);
		close(fds[1]);
		execlp("gnuplot", "gnuplot", (char *)NULL);
		fprintf(stderr, "%s: cannot run gnuplot: %s\n", soak_progname, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	FILE *script = fdopen(fds[1], "w");
	if (!script)
		soak_die(SOAK_EXIT_IO, "cannot run gnuplot: %s", strerror(errno));
	plot_script(script, data, snap, info);
	fclose(script);   /* a gnuplot that died early shows in its status */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			soak_die(SOAK_EXIT_IO, "cannot wait for gnuplot: %s", strerror(errno));
	return status;
}

void report_plot(FILE *data, const struct report_snapshot *snap,
		 const struct report_plot_info *info)
{
	if (info->baseline_data && (fflush(info->baseline_data) != 0 || ferror(info->baseline_data)))
		soak_die(SOAK_EXIT_IO, "write error on the plot's temporary file");
	int status = run_gnuplot(data, snap, info);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		soak_die(SOAK_EXIT_IO, "gnuplot failed (%s %d): no plot written to '%s'",
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), info->path);
	if (!is_image(info->path))
		soak_die(SOAK_EXIT_IO, "gnuplot left no %s at '%s'",
			 ends_with(info->path, ".svg") ? "SVG" : "PNG", info->path);
}
