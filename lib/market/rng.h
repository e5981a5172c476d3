/*
 * rng.h - soakkit's own random numbers: xoshiro256** seeded through
 * splitmix64, with uniform, normal and exponential draws.
 *
 * The integer sequence is the same on every platform; normal and
 * exponential draws use only log and sqrt, so
 * they agree wherever libm rounds those correctly.  rand() is never used.
 */
#ifndef SOAK_RNG_H
#define SOAK_RNG_H

#include <stdint.h>

struct soak_rng {
	uint64_t s[4];
	double spare_normal;    /* second value of the last polar pair */
	int has_spare;
};

/*
 * Seed a generator from a list of words (e.g. seed, iteration, stream
 * number): each word is mixed through splitmix64 into the state, so
 * different lists give independent-looking streams.  n may be 0.
 */
void soak_rng_seed(struct soak_rng *r, const uint64_t *words, int n);

/* The next 64 random bits. */
uint64_t soak_rng_next(struct soak_rng *r);

/* Uniform in [0, 1) with 53 random bits. */
double soak_rng_uniform(struct soak_rng *r);

/* Uniform in (0, 1]: never 0, so safe for log. */
double soak_rng_uniform_pos(struct soak_rng *r);

/* Standard normal (Marsaglia's polar method). */
double soak_rng_normal(struct soak_rng *r);

/* Exponential with the given mean (> 0). */
double soak_rng_exponential(struct soak_rng *r, double mean);

#endif
