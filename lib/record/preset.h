/*
 * preset.h - preset files: named parameter changes in the original tool's
 * format, changes.<section>.<param> = {"op": "add"|"mul"|"set",
 * "value": number, "reason": string}.
 */
#ifndef SOAK_PRESET_H
#define SOAK_PRESET_H

#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include "params.h"

enum soak_preset_opcode { SOAK_OP_ADD, SOAK_OP_MUL, SOAK_OP_SET };

struct soak_preset_op {
	int param;                    /* enum soak_param_id */
	enum soak_preset_opcode op;
	double value;
};

struct soak_preset {
	char name[256];               /* file name without directory and .json */
	char path[PATH_MAX];          /* the file it was read from */
	int n_ops;
	struct soak_preset_op ops[SOAK_PARAM_COUNT];
};

/*
 * Find a data file: `arg` with a '/' is a path used as it is; otherwise
 * it is a NAME (no "..", not empty) looked up as NAME.json in each
 * directory of $SOAKKIT_PRESET_PATH (colon-separated), then in the
 * installed presets directory.  Returns false with a message in err.
 */
bool soak_find_data_file(const char *arg, char *path, size_t pathlen, char *err);

/*
 * --list-presets: every data file a NAME can name, in the order
 * soak_find_data_file searches (a name found earlier hides a later one),
 * one "NAME<TAB>KIND<TAB>PATH" line each, KIND one of preset, thresholds,
 * rules, market, compare (soak-compare-config(5)), or "?" for a file of
 * none of those formats (by its top-level members).  Write errors are left to the caller.
 */
void soak_list_data_files(FILE *out);

/* The name of a data file: its path without directories and ".json". */
void soak_data_file_name(const char *path, char *name, size_t size);

/*
 * Load and check a preset.  Every path must be in the registry and every
 * op known, each parameter at most once, value finite; mul values must be
 * positive.  Errors name the file and the path: "preset 'F': unknown
 * parameter 'quoting.foo'".  Other top-level fields are informational.
 */
bool soak_preset_load(const char *arg, struct soak_preset *out, char *err);

/*
 * out = params with the preset applied at weight w in [0, 1]: the
 * interpolation between params (w = 0) and the preset's full result
 * clamped to bounds (w = 1), so the ramp-down is proportional; whole-number
 * parameters are rounded.  Never compounds: the caller passes
 * the tuned params each time.
 */
void soak_preset_apply(const struct soak_preset *p, const struct soak_params *params,
		       double weight, struct soak_params *out);

#endif
