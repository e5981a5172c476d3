/*
 * verdict-format.h - a soak verdict in the formats a CI pipeline reads.
 *
 * The verdict is the JSON object kpi-gate --summary prints (status,
 * thresholds, iterations, counts, downgraded, skipped, first_fail, window
 * with goals, reasons).  Optionally with it, the judged iterations: an
 * array of {"iteration": N, "status": "PASS|WARN|FAIL", "reasons": [...]}
 * where reasons are kpi-gate's gate.reasons (kpi, value, op, threshold,
 * level, text).  soak_verdict_iteration_new makes one such entry from a
 * record's gate section.
 *
 * A program that prints a verdict (kpi-gate --summary today; soak-run and
 * soak-compare are meant to call the same functions) offers
 *   --format=json|text|junit|github|markdown   soak_verdict_format_parse
 *   --fail-on=fail|warn                        soak_fail_on_parse
 * prints with soak_verdict_write and exits with soak_verdict_exit.
 * Every format is deterministic: nothing from the clock or the host.
 */
#ifndef SOAK_VERDICT_FORMAT_H
#define SOAK_VERDICT_FORMAT_H
#include <stdbool.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "record.h"

enum soak_verdict_format {
	SOAK_VERDICT_JSON,      /* the verdict object, one line */
	SOAK_VERDICT_TEXT,      /* lines for a person */
	SOAK_VERDICT_JUNIT,     /* JUnit XML: a testcase per iteration, per window goal */
	SOAK_VERDICT_GITHUB,    /* GitHub Actions ::error / ::warning commands */
	SOAK_VERDICT_MARKDOWN   /* a job summary */
};

/* Which verdict makes the exit status 1: FAIL only, or WARN as well. */
enum soak_fail_on {
	SOAK_FAIL_ON_FAIL,
	SOAK_FAIL_ON_WARN
};

/* Help text lines for --format and --fail-on, for a program's --help. */
#define SOAK_VERDICT_FORMAT_HELP \
"      --format=FORMAT         with --summary: json (default), text, junit\n" \
"                              (JUnit XML), github (::error/::warning lines)\n" \
"                              or markdown (a CI job summary)\n" \
"      --fail-on=LEVEL         fail (default): exit 1 on a FAIL verdict;\n" \
"                              warn: on a WARN verdict as well\n"

/* The format named `name` into *out; false when there is none of that name. */
bool soak_verdict_format_parse(const char *name, enum soak_verdict_format *out);

/* "fail" or "warn" into *out; false for anything else. */
bool soak_fail_on_parse(const char *name, enum soak_fail_on *out);

/* True when this format wants the per-iteration array (junit, github, markdown). */
bool soak_verdict_format_wants_iterations(enum soak_verdict_format format);

/*
 * One entry of the iterations array: {"iteration", "status", "reasons"}
 * with a deep copy of gate's "status" and "reasons".  The caller owns it.
 * Exits 3 when memory runs out.
 */
cJSON *soak_verdict_iteration_new(long iteration, const cJSON *gate);

/*
 * Write the verdict to s->out in `format`.  iterations may be NULL (then
 * junit has no per-iteration testcases and github/markdown list only the
 * verdict's own reasons).  fail_on decides which levels are reported as
 * failures (junit <failure>, github ::error): FAIL, or WARN and FAIL.
 * Write errors are left for soak_stream_finish to report (json: as
 * soak_stream_write).  verdict's numbers are printed as soak_num prints them.
 */
void soak_verdict_write(struct soak_stream *s, enum soak_verdict_format format,
			enum soak_fail_on fail_on, cJSON *verdict, const cJSON *iterations);

/*
 * The verdict's "run" object from a run.json (soak-run(1)): run_id,
 * version (run.json's "soakkit"), seed, preset, warmup_preset,
 * thresholds, engine; a member run.json lacks is null.  The caller owns
 * it.  Exits 3 when memory runs out.
 */
cJSON *soak_verdict_run_new(const cJSON *run_json);

/* The exit status for a verdict status ("PASS", "WARN", "FAIL"): 1 when it fails under fail_on. */
int soak_verdict_exit(const char *status, enum soak_fail_on fail_on);

/* s to out with & < > " ' as entities and the control characters XML 1.0
 * forbids (all below 0x20 but tab and newline, and 0x7f) as U+FFFD. */
void soak_xml_escaped(FILE *out, const char *s);

/* s as a Markdown code span: backticks become quotes, line breaks spaces. */
void soak_md_code(FILE *out, const char *s);

/* s to out as GitHub workflow command data: % CR LF as %25 %0D %0A; in a
 * property (title=...) also : and , as %3A %2C. */
void soak_github_escaped(FILE *out, const char *s, bool property);

#endif
