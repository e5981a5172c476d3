/*
 * market.h - market profiles for soak-mock (man/soak-market.5): a JSON
 * object of sections whose numbers fill struct sim_market.
 */
#ifndef SOAK_MARKET_H
#define SOAK_MARKET_H

#include <stdbool.h>
#include <stddef.h>
#include "sim.h"

/*
 * Load the profile `arg` (NAME looked up like a preset, or a path) into
 * *out.  Every field of man/soak-market.5 must be present, a finite
 * number within its documented range; unknown sections or fields are
 * errors (a typo must not silently keep a default).  "description" and
 * "version" at the top are informational.  On failure returns false with
 * a message naming the file and the field in err (SOAK_ERR_MAX bytes).
 */
bool market_load(const char *arg, struct sim_market *out, char *err);

/* One profile field: where it is in the file and in the struct, its range. */
struct market_field {
	const char *section, *name;
	size_t offset;
	double min, max;
};

/* The fields of a profile, in file order; *n gets their number. */
const struct market_field *market_fields(size_t *n);

#endif
