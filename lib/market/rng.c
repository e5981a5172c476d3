/* rng.c - xoshiro256** with splitmix64 seeding (Blackman and Vigna). */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void soak_rng_seed(struct soak_rng *r, const uint64_t *words, int n)
{
	uint64_t x = 0x5eed5eed5eed5eedULL;
	for (int i = 0; i < n; i++) {
		/* Fold each word into the splitmix state, then stir. */
		x ^= words[i] + 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		x = splitmix64(&x);
	}
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;   /* the all-zero state is the one fixed point */
	r->has_spare = 0;
	r->spare_normal = 0.0;
}

uint64_t soak_rng_next(struct soak_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double soak_rng_uniform(struct soak_rng *r)
{
	return (double)(soak_rng_next(r) >> 11) * 0x1.0p-53;
}

double soak_rng_uniform_pos(struct soak_rng *r)
{
	return ((double)(soak_rng_next(r) >> 11) + 1.0) * 0x1.0p-53;
}

double soak_rng_normal(struct soak_rng *r)
{
	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare_normal;
	}
	double u, v, q;
	do {
		u = 2.0 * soak_rng_uniform(r) - 1.0;
		v = 2.0 * soak_rng_uniform(r) - 1.0;
		q = u * u + v * v;
	} while (q >= 1.0 || q == 0.0);
	double f = sqrt(-2.0 * log(q) / q);
	r->spare_normal = v * f;
	r->has_spare = 1;
	return u * f;
}

double soak_rng_exponential(struct soak_rng *r, double mean)
{
	return -mean * log(soak_rng_uniform_pos(r));
}
