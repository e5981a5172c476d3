/* verdict-format.c - a soak verdict as JSON, text, JUnit XML, GitHub
 * workflow commands or Markdown.  See verdict-format.h. */
#include "verdict-format.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char *const format_names[] = {"json", "text", "junit", "github", "markdown"};

bool soak_verdict_format_parse(const char *name, enum soak_verdict_format *out)
{
	for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum soak_verdict_format)i;
			return true;
		}
	return false;
}

bool soak_fail_on_parse(const char *name, enum soak_fail_on *out)
{
	if (strcmp(name, "fail") == 0)
		*out = SOAK_FAIL_ON_FAIL;
	else if (strcmp(name, "warn") == 0)
		*out = SOAK_FAIL_ON_WARN;
	else
		return false;
	return true;
}

bool soak_verdict_format_wants_iterations(enum soak_verdict_format format)
{
	return format == SOAK_VERDICT_JUNIT || format == SOAK_VERDICT_GITHUB ||
	       format == SOAK_VERDICT_MARKDOWN;
}

cJSON *soak_verdict_iteration_new(long iteration, const cJSON *gate)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	const cJSON *status = soak_get(gate, "status"), *reasons = soak_get(gate, "reasons");
	cJSON_AddItemToObjectCS(o, "iteration", soak_num((double)iteration));
	cJSON_AddItemToObjectCS(o, "status", soak_checked(cJSON_CreateString(
		cJSON_IsString(status) ? status->valuestring : "FAIL")));
	cJSON_AddItemToObjectCS(o, "reasons", reasons ? soak_checked(cJSON_Duplicate(reasons, 1))
						       : soak_checked(cJSON_CreateArray()));
	return o;
}

cJSON *soak_verdict_run_new(const cJSON *run_json)
{
	static const char *const from[] = {"run_id", "soakkit", "seed", "preset", "warmup_preset",
					   "thresholds", "engine"};
	static const char *const to[] = {"run_id", "version", "seed", "preset", "warmup_preset",
					 "thresholds", "engine"};
	cJSON *run = soak_checked(cJSON_CreateObject());
	for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
		const cJSON *v = soak_get(run_json, from[i]);
		cJSON_AddItemToObject(run, to[i], soak_checked(v ? cJSON_Duplicate(v, true)
							     : cJSON_CreateNull()));
	}
	return run;
}

int soak_verdict_exit(const char *status, enum soak_fail_on fail_on)
{
	if (strcmp(status, "FAIL") == 0)
		return SOAK_EXIT_FAIL;
	if (fail_on == SOAK_FAIL_ON_WARN && strcmp(status, "WARN") == 0)
		return SOAK_EXIT_FAIL;
	return SOAK_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* Reading the verdict                                                 */

static const char *string_of(const cJSON *obj, const char *key, const char *fallback)
{
	const cJSON *v = soak_get(obj, key);
	return cJSON_IsString(v) ? v->valuestring : fallback;
}

/* A number member as soak_num prints it ("-" when absent or null). */
static const char *number_of(const cJSON *obj, const char *key, char buf[32])
{
	const cJSON *v = soak_get(obj, key);
	if (cJSON_IsRaw(v))
		return v->valuestring;
	if (!cJSON_IsNumber(v))
		return "-";
	soak_format_number(v->valuedouble, buf);
	return buf;
}

static long long_of(const cJSON *obj, const char *key)
{
	const cJSON *v = soak_get(obj, key);
	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

/* True when `level` makes the job fail under fail_on. */
static bool fails(const char *level, enum soak_fail_on fail_on)
{
	return soak_verdict_exit(level, fail_on) != SOAK_EXIT_OK;
}

static long count_of(const cJSON *verdict, const char *level)
{
	return long_of(soak_get(verdict, "counts"), level);
}

/* ------------------------------------------------------------------ */
/* text                                                                */

static void text_lines(FILE *out, const char *indent, const cJSON *array)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, array) {
		const char *text = string_of(item, "text", NULL);
		if (text)
			fprintf(out, "%s%s\n", indent, text);
	}
}

static void write_text(FILE *out, const cJSON *v)
{
	char buf[32];
	fprintf(out, "verdict: %s (%s; %ld iterations: %ld PASS, %ld WARN, %ld FAIL)\n",
		string_of(v, "status", "-"), string_of(v, "thresholds", "-"), long_of(v, "iterations"),
		count_of(v, "PASS"), count_of(v, "WARN"), count_of(v, "FAIL"));
	text_lines(out, "  ", soak_get(v, "reasons"));
	const cJSON *window = soak_get(v, "window");
	if (cJSON_IsObject(window)) {
		fprintf(out, "  window of the last %s iterations: %s\n", number_of(window, "count", buf),
			string_of(window, "status", "-"));
		text_lines(out, "    ", soak_get(window, "goals"));
	}
	const cJSON *first_fail = soak_get(v, "first_fail");
	if (cJSON_IsObject(first_fail)) {
		fprintf(out, "  first FAIL, iteration %s:\n", number_of(first_fail, "iteration", buf));
		text_lines(out, "    ", soak_get(first_fail, "reasons"));
	}
}

/* ------------------------------------------------------------------ */
/* JUnit XML                                                           */

void soak_xml_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\t': case '\n': fputc(c, out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputs("&#xFFFD;", out);
			else
				fputc(c, out);
		}
	}
}

static void xml_attribute(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	soak_xml_escaped(out, value);
	fputc('"', out);
}

/* A scalar member of the verdict as a property (provenance fields included). */
static void junit_property(FILE *out, const char *prefix, const cJSON *member)
{
	char buf[32];
	const char *value = "";
	if (cJSON_IsString(member) || cJSON_IsRaw(member))
		value = member->valuestring;
	else if (cJSON_IsBool(member))
		value = cJSON_IsTrue(member) ? "true" : "false";
	else if (cJSON_IsNumber(member))
		value = soak_format_number(member->valuedouble, buf) > 0 ? buf : "";
	fputs("    <property name=\"", out);
	soak_xml_escaped(out, prefix);
	soak_xml_escaped(out, member->string);
	fputc('"', out);
	xml_attribute(out, "value", value);
	fputs("/>\n", out);
}

static bool is_property(const cJSON *member)
{
	return member->string && !cJSON_IsObject(member) && !cJSON_IsArray(member) &&
	       !cJSON_IsNull(member);
}

/* The verdict's scalar members, then its run object's as "run.KEY". */
static void junit_properties(FILE *out, const cJSON *v)
{
	const cJSON *member;
	fputs("   <properties>\n", out);
	cJSON_ArrayForEach(member, v)
		if (is_property(member))
			junit_property(out, "", member);
	cJSON_ArrayForEach(member, soak_get(v, "run"))
		if (is_property(member))
			junit_property(out, "run.", member);
	fputs("   </properties>\n", out);
}

/* <failure> for each reason that fails, system-out lines for the others. */
static void junit_reasons(FILE *out, const cJSON *reasons, enum soak_fail_on fail_on)
{
	const cJSON *r;
	bool any_out = false;
	cJSON_ArrayForEach(r, reasons) {
		const char *level = string_of(r, "level", "FAIL"), *text = string_of(r, "text", "");
		if (!fails(level, fail_on))
			continue;
		fputs("    <failure", out);
		xml_attribute(out, "type", level);
		xml_attribute(out, "message", text);
		fputs(">", out);
		soak_xml_escaped(out, text);
		fputs("</failure>\n", out);
	}
	cJSON_ArrayForEach(r, reasons) {
		const char *level = string_of(r, "level", "FAIL");
		if (fails(level, fail_on))
			continue;
		fputs(any_out ? "\n" : "    <system-out>", out);
		any_out = true;
		soak_xml_escaped(out, level);
		fputs(": ", out);
		soak_xml_escaped(out, string_of(r, "text", ""));
	}
	if (any_out)
		fputs("</system-out>\n", out);
}

static void junit_case_open(FILE *out, const char *classname, const char *name)
{
	fputs("   <testcase", out);
	xml_attribute(out, "classname", classname);
	xml_attribute(out, "name", name);
}

static void junit_case(FILE *out, const char *classname, const char *name, const cJSON *reasons,
		       enum soak_fail_on fail_on)
{
	junit_case_open(out, classname, name);
	if (cJSON_GetArraySize(reasons) == 0) {
		fputs("/>\n", out);
		return;
	}
	fputs(">\n", out);
	junit_reasons(out, reasons, fail_on);
	fputs("   </testcase>\n", out);
}

/* A window goal as a one-reason list: met goals have none. */
static cJSON *goal_reasons(const cJSON *goal)
{
	cJSON *reasons = soak_checked(cJSON_CreateArray());
	if (cJSON_IsTrue(soak_get(goal, "met")))
		return reasons;
	cJSON *r = soak_checked(cJSON_CreateObject());
	cJSON_AddItemToObjectCS(r, "level", soak_checked(cJSON_CreateString(string_of(goal, "level", "FAIL"))));
	cJSON_AddItemToObjectCS(r, "text", soak_checked(cJSON_CreateString(string_of(goal, "text", ""))));
	cJSON_AddItemToArray(reasons, r);
	return reasons;
}

/* Count the testcases and failing ones the suite will hold. */
static void junit_counts(const cJSON *v, const cJSON *iterations, enum soak_fail_on fail_on,
			 long *tests, long *failures)
{
	const cJSON *item, *window = soak_get(v, "window");
	*tests = 1;
	*failures = fails(string_of(v, "status", "FAIL"), fail_on);
	cJSON_ArrayForEach(item, iterations) {
		(*tests)++;
		*failures += fails(string_of(item, "status", "FAIL"), fail_on);
	}
	cJSON_ArrayForEach(item, soak_get(window, "goals")) {
		(*tests)++;
		*failures += !cJSON_IsTrue(soak_get(item, "met")) &&
			     fails(string_of(item, "level", "FAIL"), fail_on);
	}
}

static void junit_testcases(FILE *out, const cJSON *v, const cJSON *iterations,
			    enum soak_fail_on fail_on)
{
	char name[64], buf[32];
	const cJSON *item;
	cJSON_ArrayForEach(item, iterations) {
		snprintf(name, sizeof name, "iteration %s", number_of(item, "iteration", buf));
		junit_case(out, "soak.iterations", name, soak_get(item, "reasons"), fail_on);
	}
	cJSON_ArrayForEach(item, soak_get(soak_get(v, "window"), "goals")) {
		char goal[160];
		snprintf(goal, sizeof goal, "%s %s %s %s", string_of(item, "kpi", "-"),
			 string_of(item, "stat", "-"), string_of(item, "op", "-"),
			 number_of(item, "threshold", buf));
		cJSON *reasons = goal_reasons(item);
		junit_case(out, "soak.window", goal, reasons, fail_on);
		cJSON_Delete(reasons);
	}
	junit_case(out, "soak", "verdict", soak_get(v, "reasons"), fail_on);
}

static void write_junit(FILE *out, const cJSON *v, const cJSON *iterations,
			enum soak_fail_on fail_on)
{
	long tests, failures;
	junit_counts(v, iterations, fail_on, &tests, &failures);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"soakkit\" tests=\"%ld\" failures=\"%ld\" errors=\"0\">\n",
		tests, failures);
	fputs("  <testsuite", out);
	xml_attribute(out, "name", "soak");
	fprintf(out, " tests=\"%ld\" failures=\"%ld\" errors=\"0\" skipped=\"0\">\n", tests, failures);
	junit_properties(out, v);
	junit_testcases(out, v, iterations, fail_on);
	fputs("  </testsuite>\n</testsuites>\n", out);
}

/* ------------------------------------------------------------------ */
/* GitHub workflow commands                                            */

void soak_github_escaped(FILE *out, const char *s, bool property)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (property && *s == ':')
			fputs("%3A", out);
		else if (property && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

static void github_line(FILE *out, const char *level, const char *title, const char *message,
			enum soak_fail_on fail_on)
{
	const char *command = fails(level, fail_on) ? "error"
			    : strcmp(level, "WARN") == 0 ? "warning" : "notice";
	fprintf(out, "::%s title=", command);
	soak_github_escaped(out, title, true);
	fputs("::", out);
	soak_github_escaped(out, message, false);
	fputc('\n', out);
}

/* One line per reason; the title names the KPI (when the reason has one) and the where. */
static void github_reasons(FILE *out, const char *where, const cJSON *reasons,
			   enum soak_fail_on fail_on)
{
	char title[128];
	const cJSON *r;
	cJSON_ArrayForEach(r, reasons) {
		const char *kpi = string_of(r, "kpi", NULL);
		if (kpi)
			snprintf(title, sizeof title, "%s (%s)", kpi, where);
		else
			snprintf(title, sizeof title, "%s", where);
		github_line(out, string_of(r, "level", "FAIL"), title, string_of(r, "text", ""), fail_on);
	}
}

static void write_github(FILE *out, const cJSON *v, const cJSON *iterations,
			 enum soak_fail_on fail_on)
{
	char title[128], buf[32], message[512];
	const cJSON *item;
	cJSON_ArrayForEach(item, iterations) {
		snprintf(title, sizeof title, "soak iteration %s", number_of(item, "iteration", buf));
		github_reasons(out, title, soak_get(item, "reasons"), fail_on);
	}
	cJSON_ArrayForEach(item, soak_get(soak_get(v, "window"), "goals"))
		if (!cJSON_IsTrue(soak_get(item, "met"))) {
			snprintf(title, sizeof title, "%s (soak window)", string_of(item, "kpi", "-"));
			github_line(out, string_of(item, "level", "FAIL"), title,
				    string_of(item, "text", ""), fail_on);
		}
	const char *status = string_of(v, "status", "FAIL");
	snprintf(title, sizeof title, "soak verdict %s", status);
	snprintf(message, sizeof message, "%s (%s; %ld iterations: %ld PASS, %ld WARN, %ld FAIL)",
		 status, string_of(v, "thresholds", "-"), long_of(v, "iterations"),
		 count_of(v, "PASS"), count_of(v, "WARN"), count_of(v, "FAIL"));
	github_line(out, status, title, message, fail_on);
	github_reasons(out, title, soak_get(v, "reasons"), fail_on);
}

/* ------------------------------------------------------------------ */
/* Markdown                                                            */

/* Text for a table cell: HTML and Markdown punctuation made literal. */
void soak_md_code(FILE *out, const char *s)
{
	fputc('`', out);
	for (; *s; s++)
		fputc(*s == '`' ? '\'' : *s == '\n' || *s == '\r' ? ' ' : *s, out);
	fputc('`', out);
}

static void md_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '\n': case '\r': fputc(' ', out); break;
		case '|': case '\\': case '`': case '*': case '[': case ']': case '#':
			fputc('\\', out);
			fputc(*s, out);
			break;
		default: fputc(*s, out);
		}
	}
}

static void md_reasons_cell(FILE *out, const cJSON *reasons)
{
	const cJSON *r;
	bool first = true;
	cJSON_ArrayForEach(r, reasons) {
		fputs(first ? "" : "; ", out);
		first = false;
		md_escaped(out, string_of(r, "text", ""));
	}
}

static void md_goals(FILE *out, const cJSON *window)
{
	char buf[32], t[32];
	const cJSON *goal;
	fprintf(out, "\n### Window: the last %s iterations, ", number_of(window, "count", buf));
	md_escaped(out, string_of(window, "status", "-"));
	fputs("\n\n| goal | value | threshold | level | met |\n|---|---:|---|---|---|\n", out);
	cJSON_ArrayForEach(goal, soak_get(window, "goals")) {
		fputs("| ", out);
		md_escaped(out, string_of(goal, "kpi", "-"));
		fputc(' ', out);
		md_escaped(out, string_of(goal, "stat", "-"));
		fprintf(out, " | %s | ", number_of(goal, "value", buf));
		md_escaped(out, string_of(goal, "op", "-"));
		fprintf(out, " %s | ", number_of(goal, "threshold", t));
		md_escaped(out, string_of(goal, "level", "-"));
		fprintf(out, " | %s |\n", cJSON_IsTrue(soak_get(goal, "met")) ? "yes" : "**no**");
	}
}

static void md_iterations(FILE *out, const cJSON *iterations)
{
	char buf[32];
	const cJSON *item;
	bool header = false;
	cJSON_ArrayForEach(item, iterations) {
		const char *status = string_of(item, "status", "FAIL");
		if (strcmp(status, "PASS") == 0)
			continue;
		if (!header)
			fputs("\n### Iterations not PASS\n\n| iteration | status | reasons |\n|---:|---|---|\n", out);
		header = true;
		fprintf(out, "| %s | ", number_of(item, "iteration", buf));
		md_escaped(out, status);
		fputs(" | ", out);
		md_reasons_cell(out, soak_get(item, "reasons"));
		fputs(" |\n", out);
	}
}

static void write_markdown(FILE *out, const cJSON *v, const cJSON *iterations)
{
	const cJSON *r;
	fputs("## Soak verdict: ", out);
	md_escaped(out, string_of(v, "status", "-"));
	fputs("\n\nThresholds ", out);
	md_escaped(out, string_of(v, "thresholds", "-"));
	fprintf(out, "; %ld iterations: %ld PASS, %ld WARN, %ld FAIL.\n", long_of(v, "iterations"),
		count_of(v, "PASS"), count_of(v, "WARN"), count_of(v, "FAIL"));
	if (cJSON_GetArraySize(soak_get(v, "reasons")) > 0)
		fputs("\n| level | reason |\n|---|---|\n", out);
	cJSON_ArrayForEach(r, soak_get(v, "reasons")) {
		fputs("| ", out);
		md_escaped(out, string_of(r, "level", "-"));
		fputs(" | ", out);
		md_escaped(out, string_of(r, "text", ""));
		fputs(" |\n", out);
	}
	if (cJSON_IsObject(soak_get(v, "window")))
		md_goals(out, soak_get(v, "window"));
	md_iterations(out, iterations);
}

/* ------------------------------------------------------------------ */

void soak_verdict_write(struct soak_stream *s, enum soak_verdict_format format,
			enum soak_fail_on fail_on, cJSON *verdict, const cJSON *iterations)
{
	switch (format) {
	case SOAK_VERDICT_JSON: soak_stream_write(s, verdict); return;
	case SOAK_VERDICT_TEXT: write_text(s->out, verdict); break;
	case SOAK_VERDICT_JUNIT: write_junit(s->out, verdict, iterations, fail_on); break;
	case SOAK_VERDICT_GITHUB: write_github(s->out, verdict, iterations, fail_on); break;
	case SOAK_VERDICT_MARKDOWN: write_markdown(s->out, verdict, iterations); break;
	}
	fflush(s->out);
}
