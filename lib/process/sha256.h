/*
 * sha256.h - SHA-256 (FIPS 180-4), for run.json's fingerprints of the
 * data files a run uses.
 */
#ifndef SOAK_SHA256_H
#define SOAK_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct soak_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char block[64];
	size_t used;
};

void soak_sha256_init(struct soak_sha256 *s);
void soak_sha256_update(struct soak_sha256 *s, const void *data, size_t len);

/* The digest as 64 lowercase hex digits and a NUL into hex[65]. */
void soak_sha256_hex(struct soak_sha256 *s, char hex[65]);

/*
 * The SHA-256 of the regular file at path into hex[65].  Anything else
 * (a FIFO, a directory, a device) is refused without blocking: false
 * with err naming it.  Also false with err when it cannot be read.
 */
bool soak_sha256_file(const char *path, char hex[65], char *err);

#endif
