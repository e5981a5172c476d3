/*
 * params.h - the parameter registry: the one table of every tunable
 * parameter soakkit knows (flat key, preset path, unit, baseline, bounds).
 *
 * Every program, preset and the simulator use the flat keys; preset files
 * use the "section.param" paths, which map one-to-one onto the keys.
 */
#ifndef SOAK_PARAMS_H
#define SOAK_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

enum soak_param_id {
	P_BASE_SPREAD_BPS_DELTA,
	P_MIN_INTERVAL_MS,
	P_REPLACE_RATE_PER_MIN,
	P_IMPACT_CAP_RATIO,
	P_MAX_DELTA_RATIO,
	P_TAIL_AGE_MS,
	P_CONCURRENCY_LIMIT,
	P_RESCUE_MAX_RATIO,
	P_RESCUE_MIN_EDGE_BPS,
	P_RESCUE_COOLDOWN_MS,
	P_POSITION_LIMIT_NOTIONAL,
	SOAK_PARAM_COUNT
};

struct soak_param_def {
	const char *key;          /* flat key, as in records */
	const char *preset_path;  /* "section.param", as in preset files */
	const char *unit;
	double baseline;
	double min, max;          /* inclusive bounds */
	bool integer;             /* values are rounded to whole numbers */
	const char *meaning;      /* one line for --list-params and man5 */
};

/* The registry, indexed by enum soak_param_id. */
extern const struct soak_param_def soak_param_defs[SOAK_PARAM_COUNT];

/* A full parameter set, indexed by enum soak_param_id. */
struct soak_params {
	double value[SOAK_PARAM_COUNT];
};

/* Index of the flat key, or -1 when it is not a known parameter. */
int soak_param_by_key(const char *key);

/* "; did you mean 'KEY'?" for a key that is not one (by_path: a preset
 * path), or ""; buf needs 160 bytes.  For error messages. */
const char *soak_param_suggest(const char *word, bool by_path, char *buf);

/* Index of the preset path ("quoting.min_interval_ms"), or -1. */
int soak_param_by_path(const char *path);

/* Fill *out with every baseline value. */
void soak_params_baseline(struct soak_params *out);

/* Clamp one value to its parameter's bounds (and round integer ones). */
double soak_param_clamp(int id, double value);

/* Clamp every value of *p in place. */
void soak_params_clamp(struct soak_params *p);

/* Range-normalized size of a change: |delta| / (max - min). */
double soak_param_normalized(int id, double delta);

enum soak_params_mode {
	SOAK_PARAMS_REQUIRE_ALL,    /* every registry key must be present */
	SOAK_PARAMS_FILL_BASELINE   /* absent keys take their baseline */
};

/*
 * Read a "params"-shaped object into *out.  Rejects (returns false and
 * writes a message to err, errlen bytes) a value that is not an object,
 * an unknown key, a value that is not a finite number, a value outside
 * the parameter's bounds, and (in REQUIRE_ALL mode) a missing key.
 * `what` names the object in messages ("params", "next_params").
 */
bool soak_params_from_json(const cJSON *obj, const char *what,
			   enum soak_params_mode mode, struct soak_params *out,
			   char *err, size_t errlen);

/* A new object with every parameter, in registry order. */
cJSON *soak_params_to_json(const struct soak_params *p);

#endif
