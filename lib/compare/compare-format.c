/* compare-format.c - a comparison as JSON and as Markdown. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "verdict-format.h"

static cJSON *checked(cJSON *node)
{
	if (!node)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return node;
}

static void add(cJSON *obj, const char *key, cJSON *item)
{
	cJSON_AddItemToObject(obj, key, checked(item));
}

static cJSON *num_or_null(bool known, double x)
{
	return known && isfinite(x) ? soak_num(x) : checked(cJSON_CreateNull());
}

static const char *test_name(const struct compare_result *res)
{
	return res->paired ? "wilcoxon-signed-rank" : "mann-whitney-u";
}

static cJSON *side_json(const struct compare_side *s)
{
	cJSON *o = checked(cJSON_CreateObject());
	add(o, "n", soak_num((double)s->n));
	add(o, "mean", num_or_null(s->n > 0, s->mean));
	add(o, "median", num_or_null(s->n > 0, s->median));
	add(o, "sd", num_or_null(s->n > 1, s->sd));
	add(o, "min", num_or_null(s->n > 0, s->min));
	add(o, "max", num_or_null(s->n > 0, s->max));
	return o;
}

static cJSON *difference_json(const struct compare_kpi_result *r, double confidence)
{
	cJSON *o = checked(cJSON_CreateObject());
	bool known = r->base.n > 0 && r->cand.n > 0;
	add(o, "estimate", num_or_null(r->tested, r->test.estimate));
	add(o, "mean", num_or_null(known, r->mean_difference));
	add(o, "lo", num_or_null(r->tested, r->test.lo));
	add(o, "hi", num_or_null(r->tested, r->test.hi));
	add(o, "confidence", soak_num(confidence));
	return o;
}

static cJSON *kpi_json(const struct compare_result *res, const struct compare_kpi_result *r)
{
	const struct compare_kpi *d = r->def;
	cJSON *o = checked(cJSON_CreateObject());
	add(o, "kpi", cJSON_CreateString(soak_rule_kpis[d->kpi].name));
	add(o, "stat", cJSON_CreateString(soak_stat_names[d->stat]));
	add(o, "better", cJSON_CreateString(d->direction > 0 ? "higher" : "lower"));
	add(o, "tolerance", soak_num(d->tolerance));
	add(o, "critical", cJSON_CreateBool(d->critical));
	add(o, "weight", soak_num(d->weight));
	add(o, "n", soak_num((double)(res->paired ? r->base.n : r->base.n + r->cand.n)));
	add(o, "baseline", side_json(&r->base));
	add(o, "candidate", side_json(&r->cand));
	add(o, "difference", difference_json(r, res->cfg->confidence));
	add(o, "test", cJSON_CreateString(test_name(res)));
	add(o, "method", r->tested ? cJSON_CreateString(r->test.exact ? "exact" : "normal")
				   : cJSON_CreateNull());
	add(o, "statistic", num_or_null(r->tested, r->test.statistic));
	add(o, "p_value", num_or_null(r->tested, r->test.p_value));
	add(o, "outcome", cJSON_CreateString(compare_outcome_names[r->outcome]));
	add(o, "text", cJSON_CreateString(r->text));
	return o;
}

static cJSON *side_label_json(const char *label, long logs)
{
	cJSON *o = checked(cJSON_CreateObject());
	add(o, "label", cJSON_CreateString(label));
	add(o, "logs", soak_num((double)logs));
	return o;
}

cJSON *compare_json(const struct compare_result *res, const char *base_label,
		    const char *cand_label)
{
	const struct compare_config *cfg = res->cfg;
	cJSON *o = checked(cJSON_CreateObject());
	cJSON *levels = checked(cJSON_CreateObject()), *reasons = checked(cJSON_CreateArray());
	cJSON *kpis = checked(cJSON_CreateArray());
	add(o, "verdict", cJSON_CreateString(compare_verdict_names[res->verdict]));
	add(o, "score", soak_num(round(res->score * 100) / 100));
	add(levels, "pass", soak_num(cfg->score_pass));
	add(levels, "marginal", soak_num(cfg->score_marginal));
	add(o, "levels", levels);
	for (int i = 0; i < res->n_reasons; i++)
		cJSON_AddItemToArray(reasons, checked(cJSON_CreateString(res->reason[i])));
	add(o, "reasons", reasons);
	add(o, "config", cJSON_CreateString(cfg->name));
	add(o, "window", soak_num((double)cfg->window));
	add(o, "confidence", soak_num(cfg->confidence));
	add(o, "paired", cJSON_CreateBool(res->paired));
	add(o, "pairing", cJSON_CreateString(res->pairing_note));
	add(o, "baseline", side_label_json(base_label, res->n_base));
	add(o, "candidate", side_label_json(cand_label, res->n_cand));
	for (int k = 0; k < cfg->n_kpis; k++)
		cJSON_AddItemToArray(kpis, kpi_json(res, &res->kpi[k]));
	add(o, "kpis", kpis);
	return o;
}

/* ------------------------------------------------------------------ */
/* Markdown                                                            */

/* Text with Markdown's specials escaped (it may come from the command line). */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', out);
		else if (strchr("\\`*_[]|<>~", *s))
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
}

/* p with 3 significant digits, as soak_num prints numbers. */
static const char *p_text(double p, char *buf)
{
	if (p <= 0) {
		strcpy(buf, "0");
		return buf;
	}
	double scale = pow(10, 2 - floor(log10(p)));
	soak_format_number(round(p * scale) / scale, buf);
	return buf;
}

static void md_kpi_row(FILE *out, const struct compare_result *res,
		       const struct compare_kpi_result *r)
{
	static const char *const marks[OUTCOME_COUNT] = {"✅ better", "✅ pass",
							 "❔ inconclusive", "❌ worse"};
	const struct compare_kpi *d = r->def;
	char a[32], b[32], c[32], lo[32], hi[32], p[32];
	fprintf(out, "| %s %s%s | %s | %s | %s | %s | ", soak_rule_kpis[d->kpi].name,
		soak_stat_names[d->stat], d->critical ? " (critical)" : "",
		d->direction > 0 ? "higher" : "lower",
		r->base.n ? compare_number(r->base.mean, a) : "–",
		r->cand.n ? compare_number(r->cand.mean, b) : "–",
		r->tested ? compare_number(r->test.estimate, c) : "–");
	if (r->tested)
		fprintf(out, "[%s, %s]", compare_number(r->test.lo, lo), compare_number(r->test.hi, hi));
	else
		fputs("–", out);
	fprintf(out, " | %s | %s | %s | %s |\n", compare_number(d->tolerance, a),
		r->tested ? p_text(r->test.p_value, p) : "–",
		r->tested ? (r->test.exact ? "exact" : "normal") : "–", marks[r->outcome]);
	(void)res;
}

void compare_markdown(FILE *out, const struct compare_result *res, const char *base_label,
		      const char *cand_label)
{
	const struct compare_config *cfg = res->cfg;
	char s[32];
	fprintf(out, "## Comparison: %s (score %s)\n\nCandidate ", compare_verdict_names[res->verdict],
		compare_number(res->score, s));
	soak_md_code(out, cand_label);
	fprintf(out, " (%ld log%s) against baseline ", res->n_cand, res->n_cand == 1 ? "" : "s");
	soak_md_code(out, base_label);
	fprintf(out, " (%ld log%s), ", res->n_base, res->n_base == 1 ? "" : "s");
	md_text(out, res->pairing_note);
	fprintf(out, "; %s test; each log's unit is its last %ld iterations; config ",
		res->paired ? "Wilcoxon signed-rank" : "Mann–Whitney U", cfg->window);
	soak_md_code(out, cfg->name);
	fprintf(out, ".\n\n| KPI | better | baseline mean | candidate mean | difference | "
		"%g%% interval | tolerance | p | method | outcome |\n"
		"|---|---|--:|--:|--:|---|--:|--:|---|---|\n", 100 * cfg->confidence);
	for (int k = 0; k < cfg->n_kpis; k++)
		md_kpi_row(out, res, &res->kpi[k]);
	fprintf(out, "\n### Verdict: %s\n\n", compare_verdict_names[res->verdict]);
	for (int i = 0; i < res->n_reasons; i++) {
		fputs("- ", out);
		md_text(out, res->reason[i]);
		fputc('\n', out);
	}
}

/* ------------------------------------------------------------------ */
/* Text, JUnit XML, GitHub workflow commands                           */

/* "KPI STAT" of a result (buf: 128 bytes). */
static const char *kpi_name(const struct compare_kpi_result *r, char *buf)
{
	snprintf(buf, 128, "%s %s", soak_rule_kpis[r->def->kpi].name,
		 soak_stat_names[r->def->stat]);
	return buf;
}

/* "difference D, C% interval [lo, hi], tolerance T, p P" or, untested,
 * "not tested, tolerance T" (buf: 256 bytes). */
static const char *kpi_detail(const struct compare_result *res,
			      const struct compare_kpi_result *r, char *buf)
{
	char d[32], lo[32], hi[32], t[32], p[32];
	compare_number(r->def->tolerance, t);
	if (!r->tested) {
		snprintf(buf, 256, "not tested, tolerance %s", t);
		return buf;
	}
	snprintf(buf, 256, "difference %s, %g%% interval [%s, %s], tolerance %s, p %s",
		 compare_number(r->test.estimate, d), 100 * res->cfg->confidence,
		 compare_number(r->test.lo, lo), compare_number(r->test.hi, hi), t,
		 p_text(r->test.p_value, p));
	return buf;
}

/* "VERDICT (score S): reason; reason" (buf: COMPARE_TEXT_MAX * (COMPARE_MAX_KPIS + 3)). */
static const char *verdict_line(const struct compare_result *res, char *buf, size_t size)
{
	char s[32];
	size_t len = (size_t)snprintf(buf, size, "%s (score %s)",
				      compare_verdict_names[res->verdict],
				      compare_number(res->score, s));
	for (int i = 0; i < res->n_reasons && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "; " : ": ",
					res->reason[i]);
	return buf;
}

enum { VERDICT_LINE_MAX = COMPARE_TEXT_MAX * (COMPARE_MAX_KPIS + 3) };

void compare_text(FILE *out, const struct compare_result *res)
{
	static char line[VERDICT_LINE_MAX];
	char name[128], detail[256];
	for (int k = 0; k < res->cfg->n_kpis; k++) {
		const struct compare_kpi_result *r = &res->kpi[k];
		fprintf(out, "%s%s: %s: %s\n", kpi_name(r, name), r->def->critical ? " (critical)" : "",
			compare_outcome_names[r->outcome], kpi_detail(res, r, detail));
	}
	fprintf(out, "verdict: %s\n", verdict_line(res, line, sizeof line));
}

static void xml_attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	soak_xml_escaped(out, value);
	fputc('"', out);
}

static void junit_case(FILE *out, const char *name, const char *type, const char *message,
		       const char *body)
{
	fputs("  <testcase classname=\"soak-compare\"", out);
	xml_attr(out, "name", name);
	if (!type) {
		fputs("/>\n", out);
		return;
	}
	fputs(">\n    <failure", out);
	xml_attr(out, "type", type);
	xml_attr(out, "message", message);
	fputc('>', out);
	soak_xml_escaped(out, body);
	fputs("</failure>\n  </testcase>\n", out);
}

void compare_junit(FILE *out, const struct compare_result *res)
{
	static char line[VERDICT_LINE_MAX];
	char name[128], detail[256];
	int failures = res->verdict == VERDICT_FAIL;
	for (int k = 0; k < res->cfg->n_kpis; k++)
		failures += res->kpi[k].outcome == OUTCOME_WORSE;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuite name=\"soak-compare\" tests=\"%d\" failures=\"%d\">\n",
		res->cfg->n_kpis + 1, failures);
	for (int k = 0; k < res->cfg->n_kpis; k++) {
		const struct compare_kpi_result *r = &res->kpi[k];
		bool worse = r->outcome == OUTCOME_WORSE;
		junit_case(out, kpi_name(r, name), worse ? "worse" : NULL,
			   kpi_detail(res, r, detail), r->text);
	}
	verdict_line(res, line, sizeof line);
	junit_case(out, "verdict", res->verdict == VERDICT_FAIL ? "FAIL" : NULL, line, line);
	fputs("</testsuite>\n", out);
}

static void github_command(FILE *out, const char *command, const char *title,
			   const char *message, const char *detail)
{
	fprintf(out, "::%s title=", command);
	soak_github_escaped(out, title, true);
	fputs("::", out);
	soak_github_escaped(out, message, false);
	if (detail) {
		fputs(" (", out);
		soak_github_escaped(out, detail, false);
		fputc(')', out);
	}
	fputc('\n', out);
}

void compare_github(FILE *out, const struct compare_result *res)
{
	static char line[VERDICT_LINE_MAX];
	char name[128], detail[256];
	for (int k = 0; k < res->cfg->n_kpis; k++) {
		const struct compare_kpi_result *r = &res->kpi[k];
		if (r->outcome != OUTCOME_WORSE)
			continue;
		char message[128 + 16];
		snprintf(message, sizeof message, "%s: worse", kpi_name(r, name));
		github_command(out, r->def->critical ? "error" : "warning", "KPI", message,
			       kpi_detail(res, r, detail));
	}
	verdict_line(res, line, sizeof line);
	if (res->verdict == VERDICT_INCONCLUSIVE)
		github_command(out, "warning", "verdict", line, NULL);
	else
		github_command(out, res->verdict == VERDICT_FAIL ? "error" : "notice", "verdict",
			       line, NULL);
}
