/* report-sweep.c - soak-report --sweep: one table per variant of a soak-sweep tree. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "report-common.h"

#define SWEEP_MAX_VARIANTS 256

/* One variant: its logs' compared statistics and verdicts. */
struct sweep_variant {
	char name[256];
	long runs;
	long verdicts[SOAK_LEVEL_COUNT];
	long n[RK_COUNT];
	double value[RK_COUNT][COMPARE_MAX_LOGS];
};

/* Names in dir, sorted: directories (want_dirs) or seed-N.jsonl files. */
static int list_dir(const char *dir, bool want_dirs, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, cap = 0;
	if (!d)
		soak_die(errno == ENOENT || errno == ENOTDIR ? SOAK_EXIT_USAGE : SOAK_EXIT_IO,
			 "cannot read directory '%s': %s", dir, strerror(errno));
	*names = NULL;
	while ((e = readdir(d))) {
		char path[4200];
		struct stat st;
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || (bool)S_ISDIR(st.st_mode) != want_dirs)
			continue;
		if (!want_dirs && (strncmp(e->d_name, "seed-", 5) != 0 || len < 12 ||
				   strcmp(e->d_name + len - 6, ".jsonl") != 0))
			continue;
		if (n == cap && !(*names = realloc(*names, (size_t)(cap = cap ? 2 * cap : 16) *
						     sizeof **names)))
			soak_die(SOAK_EXIT_IO, "out of memory");
		if (!((*names)[n++] = strdup(e->d_name)))
			soak_die(SOAK_EXIT_IO, "out of memory");
	}
	closedir(d);
	return n;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read one log of the tree into log, with the stream's error policy;
 * messages read "soak-report: PATH: line N: ...". */
static void read_log(const char *path, const struct soak_stream *main_stream,
		     const struct soak_thresholds *th, long window_size, struct report_log *log)
{
	struct soak_stream s;
	char name[4600];
	const char *progname = soak_progname;
	soak_stream_init(&s);
	s.skip_errors = main_stream->skip_errors;
	s.rejects_path = main_stream->rejects_path;
	s.rejects = main_stream->rejects;
	s.max_line = main_stream->max_line;
	if (!(s.in = fopen(path, "r")))
		soak_die(SOAK_EXIT_IO, "cannot open '%s': %s", path, strerror(errno));
	snprintf(name, sizeof name, "%s: %s", progname, path);
	soak_progname = name;
	report_log_read(log, &s, th, window_size, NULL);
	soak_progname = progname;
	if (s.skipped)
		soak_warn("%s: %ld bad line%s skipped", path, s.skipped, s.skipped == 1 ? "" : "s");
	fclose(s.in);
	free(s.line);
	free(s.rbuf);
	log->label = path;
}

static void read_variant(const char *dir, const char *name, const struct soak_stream *s,
			 const struct soak_thresholds *th, long window_size,
			 struct sweep_variant *v)
{
	static struct report_log log;
	static struct report_snapshot snap;
	char vdir[4200], **files;
	snprintf(vdir, sizeof vdir, "%s/%s", dir, name);
	int n = list_dir(vdir, false, &files);
	memset(v, 0, sizeof *v);
	snprintf(v->name, sizeof v->name, "%s", name);
	for (int i = 0; i < n; i++) {
		char path[4400];
		snprintf(path, sizeof path, "%s/%s", vdir, files[i]);
		read_log(path, s, th, window_size, &log);
		report_snapshot_make(&log, th, &snap);
		if (v->runs == COMPARE_MAX_LOGS)
			soak_usage_error("more than %d logs in '%s'", COMPARE_MAX_LOGS, vdir);
		v->runs++;
		v->verdicts[snap.verdict]++;
		for (int k = 0; k < RK_COUNT; k++)
			if (snap.kpi[k].count)
				v->value[k][v->n[k]++] = snap.kpi[k].stat[report_compared_stat(th, k)];
		free(files[i]);
	}
	free(files);
}

/* Mean, sd, median, min, max of v[0..n-1] (n >= 1; v is sorted). */
static void summarize(double *v, long n, double out[5])
{
	double sum = 0, sq = 0;
	for (long i = 0; i < n; i++)
		sum += v[i];
	out[0] = sum / (double)n;
	for (long i = 0; i < n; i++)
		sq += (v[i] - out[0]) * (v[i] - out[0]);
	out[1] = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	out[2] = soak_window_stat(SOAK_STAT_MEDIAN, v, n);   /* sorts */
	out[3] = v[0];
	out[4] = v[n - 1];
}

static const char *const summary_names[5] = {"mean", "sd", "median", "min", "max"};

static cJSON *variant_json(struct sweep_variant *v, const struct soak_thresholds *th)
{
	cJSON *o = soak_checked(cJSON_CreateObject()), *kpis = soak_checked(cJSON_CreateObject());
	cJSON *verdicts = soak_checked(cJSON_CreateObject());
	cJSON_AddItemToObject(o, "variant", soak_checked(cJSON_CreateString(v->name)));
	cJSON_AddItemToObject(o, "runs", soak_num((double)v->runs));
	for (int l = 0; l < SOAK_LEVEL_COUNT; l++)
		cJSON_AddItemToObject(verdicts, soak_level_names[l], soak_num((double)v->verdicts[l]));
	cJSON_AddItemToObject(o, "verdicts", verdicts);
	for (int k = 0; k < RK_COUNT; k++) {
		cJSON *s = soak_checked(cJSON_CreateObject());
		double stat[5];
		if (v->n[k])
			summarize(v->value[k], v->n[k], stat);
		cJSON_AddItemToObject(s, "stat", soak_checked(cJSON_CreateString(
			soak_stat_names[report_compared_stat(th, k)])));
		cJSON_AddItemToObject(s, "n", soak_num((double)v->n[k]));
		for (int i = 0; i < 5; i++)
			cJSON_AddItemToObject(s, summary_names[i], v->n[k] > (i == 1)
					      ? soak_num(stat[i]) : soak_checked(cJSON_CreateNull()));
		cJSON_AddItemToObject(kpis, report_kpi_name(k), s);
	}
	cJSON_AddItemToObject(o, "kpis", kpis);
	return o;
}

static void variant_markdown(FILE *out, struct sweep_variant *v, const struct soak_thresholds *th)
{
	char buf[32];
	fprintf(out, "\n### `%s`: %ld run%s (PASS %ld, WARN %ld, FAIL %ld)\n\n"
		"| KPI | stat | runs | mean | sd | median | min | max |\n"
		"|---|---|--:|--:|--:|--:|--:|--:|\n", v->name, v->runs, v->runs == 1 ? "" : "s",
		v->verdicts[SOAK_LEVEL_PASS], v->verdicts[SOAK_LEVEL_WARN],
		v->verdicts[SOAK_LEVEL_FAIL]);
	for (int k = 0; k < RK_COUNT; k++) {
		double stat[5];
		fprintf(out, "| %s | %s | %ld |", report_kpi_name(k),
			soak_stat_names[report_compared_stat(th, k)], v->n[k]);
		if (v->n[k])
			summarize(v->value[k], v->n[k], stat);
		for (int i = 0; i < 5; i++)
			fprintf(out, " %s |", v->n[k] > (i == 1) ? report_short_number(stat[i], buf) : "–");
		fputc('\n', out);
	}
}

void report_sweep(const char *dir, struct soak_stream *s, const struct soak_thresholds *th,
		  long window_size, bool markdown)
{
	static struct sweep_variant v;
	char **names;
	int n = list_dir(dir, true, &names), shown = 0;
	cJSON *list = soak_checked(cJSON_CreateArray());
	if (n)
		qsort(names, (size_t)n, sizeof *names, by_name);
	if (markdown)
		fprintf(s->out, "## Sweep report: `%s`\n\nEach run's KPIs over its last %ld "
			"iterations (the statistic of the KPI's window goal, else the mean); "
			"thresholds `%s`.\n", dir, window_size, th->name);
	for (int i = 0; i < n; i++) {
		read_variant(dir, names[i], s, th, window_size, &v);
		free(names[i]);
		if (v.runs == 0)
			continue;   /* not a variant: no seed-N.jsonl */
		shown++;
		if (markdown)
			variant_markdown(s->out, &v, th);
		else
			cJSON_AddItemToArray(list, variant_json(&v, th));
	}
	free(names);
	if (!shown)
		soak_die(SOAK_EXIT_USAGE, "no variant directories with seed-N.jsonl logs in '%s'", dir);
	if (!markdown) {
		cJSON *o = soak_checked(cJSON_CreateObject());
		cJSON_AddItemToObject(o, "sweep", soak_checked(cJSON_CreateString(dir)));
		cJSON_AddItemToObject(o, "thresholds", soak_checked(cJSON_CreateString(th->name)));
		cJSON_AddItemToObject(o, "window", soak_num((double)window_size));
		cJSON_AddItemToObject(o, "variants", list);
		soak_stream_write(s, o);
		cJSON_Delete(o);
	} else {
		cJSON_Delete(list);
	}
}
