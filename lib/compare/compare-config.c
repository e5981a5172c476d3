/* compare-config.c - the comparison config, soak-compare-config(5). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "preset.h"

/* An optional number member in [lo, hi] (whole when integer). */
static bool number_in(const cJSON *obj, const char *key, const char *path, double lo,
		      double hi, bool integer, double *out, char *err)
{
	bool present;
	double v;
	if (!soak_get_number_opt(obj, key, path, &v, &present, err))
		return false;
	if (!present)
		return true;
	if (v < lo || v > hi || (integer && v != floor(v)))
		return soak_errorf(err, "'%s' must be %s from %g to %g, not %s", path,
				   integer ? "a whole number" : "a number", lo, hi,
				   soak_get(obj, key)->valuestring);
	*out = v;
	return true;
}

static bool optional_string(const cJSON *obj, const char *key, const char *path, char *err)
{
	const cJSON *v = soak_get(obj, key);
	return !v || cJSON_IsString(v) || soak_errorf(err, "'%s' is not a string", path);
}

static int named(const char *name, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

static bool read_kpi(const cJSON *o, int i, struct compare_kpi *k, char *err)
{
	static const char *const allowed[] = {"kpi", "stat", "better", "tolerance", "critical",
					      "weight", "note", NULL};
	static const char *const directions[] = {"lower", "higher"};
	char path[64];
	const char *name, *stat = "mean", *better, *unknown;
	if (!cJSON_IsObject(o))
		return soak_errorf(err, "'kpis[%d]' is not an object", i);
	if ((unknown = soak_unknown_field(o, allowed)))
		return soak_errorf(err, "'kpis[%d]': unknown member '%s'", i, unknown);
	snprintf(path, sizeof path, "kpis[%d].kpi", i);
	if (!soak_get_string(o, "kpi", path, &name, err))
		return false;
	if ((k->kpi = soak_rule_kpi_named(name)) < 0)
		return soak_errorf(err, "'%s': unknown KPI '%s'", path, name);
	snprintf(path, sizeof path, "kpis[%d].stat", i);
	if (soak_get(o, "stat") && !soak_get_string(o, "stat", path, &stat, err))
		return false;
	int s = named(stat, soak_stat_names, SOAK_STAT_COUNT);
	if (s < 0)
		return soak_errorf(err, "'%s': '%s' is not mean, median, min or max", path, stat);
	k->stat = (enum soak_stat)s;
	snprintf(path, sizeof path, "kpis[%d].better", i);
	if (!soak_get_string(o, "better", path, &better, err))
		return false;
	int d = named(better, directions, 2);
	if (d < 0)
		return soak_errorf(err, "'%s': '%s' is not higher or lower", path, better);
	k->direction = d ? +1 : -1;
	snprintf(path, sizeof path, "kpis[%d].tolerance", i);
	if (!soak_get_number(o, "tolerance", path, &k->tolerance, err))
		return false;
	if (k->tolerance < 0)
		return soak_errorf(err, "'%s' must not be negative", path);
	const cJSON *critical = soak_get(o, "critical");
	if (critical && !cJSON_IsBool(critical))
		return soak_errorf(err, "'kpis[%d].critical' is not true or false", i);
	k->critical = cJSON_IsTrue(critical);
	k->weight = 1;
	snprintf(path, sizeof path, "kpis[%d].weight", i);
	if (!number_in(o, "weight", path, 1e-9, 1e9, false, &k->weight, err))
		return false;
	snprintf(path, sizeof path, "kpis[%d].note", i);
	return optional_string(o, "note", path, err);
}

static bool read_kpis(const cJSON *root, struct compare_config *cfg, char *err)
{
	const cJSON *kpis = soak_get(root, "kpis"), *o;
	if (!cJSON_IsArray(kpis) || cJSON_GetArraySize(kpis) == 0)
		return soak_errorf(err, "'kpis' must be a non-empty array");
	if (cJSON_GetArraySize(kpis) > COMPARE_MAX_KPIS)
		return soak_errorf(err, "'kpis' has more than %d entries", COMPARE_MAX_KPIS);
	cJSON_ArrayForEach(o, kpis) {
		struct compare_kpi *k = &cfg->kpis[cfg->n_kpis];
		if (!read_kpi(o, cfg->n_kpis, k, err))
			return false;
		for (int j = 0; j < cfg->n_kpis; j++)
			if (cfg->kpis[j].kpi == k->kpi && cfg->kpis[j].stat == k->stat)
				return soak_errorf(err, "'kpis[%d]': %s %s is already kpis[%d]",
						   cfg->n_kpis, soak_rule_kpis[k->kpi].name,
						   soak_stat_names[k->stat], j);
		cfg->n_kpis++;
	}
	return true;
}

static bool read_score(const cJSON *root, struct compare_config *cfg, char *err)
{
	static const char *const allowed[] = {"pass", "marginal", NULL};
	const cJSON *score = soak_get(root, "score");
	const char *unknown;
	if (!score)
		return true;
	if (!cJSON_IsObject(score))
		return soak_errorf(err, "'score' is not an object");
	if ((unknown = soak_unknown_field(score, allowed)))
		return soak_errorf(err, "'score': unknown member '%s'", unknown);
	if (!number_in(score, "pass", "score.pass", 0, 100, false, &cfg->score_pass, err) ||
	    !number_in(score, "marginal", "score.marginal", 0, 100, false, &cfg->score_marginal,
		       err))
		return false;
	if (cfg->score_marginal > cfg->score_pass)
		return soak_errorf(err, "'score.marginal' is above 'score.pass'");
	return true;
}

bool compare_config_read(const cJSON *root, struct compare_config *cfg, char *err)
{
	static const char *const allowed[] = {"description", "version", "window", "confidence",
					      "min_units", "score", "kpis", NULL};
	const char *unknown;
	double window = 8, min_units = 5;
	memset(cfg, 0, sizeof *cfg);
	cfg->confidence = 0.95;
	cfg->score_pass = 100;
	cfg->score_marginal = 50;
	if (!cJSON_IsObject(root))
		return soak_errorf(err, "not a JSON object");
	if ((unknown = soak_unknown_field(root, allowed)))
		return soak_errorf(err, "unknown member '%s'", unknown);
	if (!optional_string(root, "description", "description", err) ||
	    !optional_string(root, "version", "version", err) ||
	    !number_in(root, "window", "window", 1, SOAK_MAX_WINDOW, true, &window, err) ||
	    !number_in(root, "confidence", "confidence", 0.5, 0.9999, false, &cfg->confidence,
		       err) ||
	    !number_in(root, "min_units", "min_units", 1, COMPARE_MAX_LOGS, true, &min_units, err) ||
	    !read_score(root, cfg, err))
		return false;
	cfg->window = (long)window;
	cfg->min_units = (long)min_units;
	return read_kpis(root, cfg, err);
}

void compare_config_load(const char *arg, struct compare_config *cfg)
{
	char path[4096], err[SOAK_ERR_MAX], why[SOAK_ERR_MAX];
	if (!soak_find_data_file(arg, path, sizeof path, err))
		soak_die(SOAK_EXIT_USAGE, "config %s", err);
	cJSON *root = soak_load_json_file(path, err);
	if (!root)
		soak_die(SOAK_EXIT_USAGE, "config %s", err);
	bool ok = compare_config_read(root, cfg, why);
	cJSON_Delete(root);
	if (!ok)
		soak_die(SOAK_EXIT_USAGE, "config '%s': %s", path, why);
	soak_data_file_name(path, cfg->name, sizeof cfg->name);
}
