/* compare-read.c - one soak log reduced to its units: each config KPI over the last N. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"

/* The window as it is read: a ring of the last cfg->window iterations. */
struct window_ring {
	long count;
	double value[SOAK_MAX_WINDOW][COMPARE_MAX_KPIS];
	bool present[SOAK_MAX_WINDOW][COMPARE_MAX_KPIS];
};

/* summary.seed as digits, into seed; "" when absent or null. */
static bool read_seed(const cJSON *summary, char *seed, char *err)
{
	const cJSON *v = soak_get(summary, "seed");
	seed[0] = '\0';
	if (!v || cJSON_IsNull(v))
		return true;
	const char *text = cJSON_IsNumber(v) ? v->valuestring : NULL;
	size_t len = text ? strlen(text) : 0;
	if (!text || len == 0 || len >= COMPARE_SEED_MAX || strspn(text, "0123456789") != len)
		return soak_errorf(err, "'summary.seed' is not a whole number written in digits");
	memcpy(seed, text, len + 1);
	return true;
}

static bool read_record(const cJSON *rec, const struct compare_config *cfg, long *last,
			char *seed, double *value, bool *present, char *err)
{
	long iteration;
	cJSON *summary;
	if (!soak_get_iteration(rec, &iteration, err))
		return false;
	if (*last && iteration <= *last)
		return soak_errorf(err, "iteration %ld after iteration %ld: the log must be in "
				   "increasing order of iteration", iteration, *last);
	*last = iteration;
	if (!soak_get_object(rec, "summary", "summary", &summary, err) ||
	    !read_seed(summary, seed, err))
		return false;
	for (int k = 0; k < cfg->n_kpis; k++)
		if (!soak_rule_kpi_read(summary, cfg->kpis[k].kpi, &value[k], &present[k], err))
			return false;
	return true;
}

/* The log's unit of KPI k: its stat over the window, when every
 * iteration of the window has the KPI. */
static void unit_of(const struct window_ring *ring, long size, const struct compare_kpi *def,
		    int k, double *value, bool *present)
{
	double v[SOAK_MAX_WINDOW];
	for (long i = 0; i < size; i++) {
		if (!ring->present[i][k]) {
			*present = false;
			return;
		}
		v[i] = ring->value[i][k];
	}
	*present = true;
	*value = soak_window_stat(def->stat, v, size);
}

static FILE *open_log(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		soak_die(errno == ENOENT || errno == EISDIR ? SOAK_EXIT_USAGE : SOAK_EXIT_IO,
			 "cannot open '%s': %s", path, strerror(errno));
	return f;
}

/* Every record of the stream into the ring; the first seed into log->seed. */
static void read_all(struct soak_stream *s, const struct compare_config *cfg,
		     struct window_ring *ring, struct compare_log *log)
{
	cJSON *rec;
	long last = 0;
	while ((rec = soak_stream_next(s))) {
		char err[SOAK_ERR_MAX], seed[COMPARE_SEED_MAX];
		long slot = ring->count % cfg->window;
		if (!read_record(rec, cfg, &last, seed, ring->value[slot], ring->present[slot], err))
			soak_stream_reject(s, "%s", err);
		if (ring->count && strcmp(seed, log->seed) != 0)
			soak_stream_reject(s, "'summary.seed' is %s, not %s as in the lines before",
					   seed[0] ? seed : "absent", log->seed[0] ? log->seed : "absent");
		if (ring->count == 0)
			strcpy(log->seed, seed);
		ring->count++;
		cJSON_Delete(rec);
	}
}

void compare_log_read(const char *path, const struct compare_config *cfg,
		      struct compare_log *log)
{
	static struct window_ring ring;
	struct soak_stream s;
	char name[4200];
	const char *progname = soak_progname;
	memset(log, 0, sizeof *log);
	ring.count = 0;
	log->path = path;
	soak_stream_init(&s);
	s.in = open_log(path);
	snprintf(name, sizeof name, "%s: %s", progname, path);
	soak_progname = name;
	read_all(&s, cfg, &ring, log);
	if (ring.count < cfg->window)
		soak_die(SOAK_EXIT_USAGE, "%ld iteration%s, fewer than the window of %ld",
			 ring.count, ring.count == 1 ? "" : "s", cfg->window);
	soak_progname = progname;
	fclose(s.in);
	free(s.line);
	log->iterations = ring.count;
	for (int k = 0; k < cfg->n_kpis; k++)
		unit_of(&ring, cfg->window, &cfg->kpis[k], k, &log->value[k], &log->present[k]);
}
