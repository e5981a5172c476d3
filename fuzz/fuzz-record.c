/*
 * fuzz-record.c - libFuzzer harness for the record reader and writer:
 * soak_parse_checked on the whole input; an accepted record is written
 * with soak_stream_write and must read back.  The first 8 bytes, taken as
 * a double, go through soak_format_number: a finite value must come out
 * as a JSON number our reader accepts, equal to 12 significant digits.
 */
#include <math.h>

#include "harness.h"

static void check_format(const uint8_t *data, size_t size)
{
	double x;
	char text[64], line[96], err[SOAK_ERR_MAX];
	if (size < sizeof x)
		return;
	memcpy(&x, data, sizeof x);
	if (!isfinite(x))
		return;
	int n = soak_format_number(x, text);
	if (n <= 0 || n >= 32)
		abort();
	snprintf(line, sizeof line, "{\"x\":%s}", text);
	cJSON *back = soak_parse_checked(line, strlen(line), err);
	if (!back) {
		fprintf(stderr, "fuzz: soak_format_number(%.17g) = '%s': %s\n", x, text, err);
		abort();
	}
	double y = soak_get(back, "x")->valuedouble;
	if (fabs(y - x) > 1e-11 * fabs(x)) {
		fprintf(stderr, "fuzz: soak_format_number(%.17g) = '%s' reads back as %.17g\n", x, text, y);
		abort();
	}
	cJSON_Delete(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[SOAK_ERR_MAX];
	struct soak_stream s;
	struct fuzz_out out = {0};
	char *text = fuzz_text(data, size);
	check_format(data, size);
	fuzz_stream_open(&s, &out);
	fuzz_stream_line(&s, text, size, 1);
	cJSON *rec = soak_parse_checked(text, size, err);
	if (rec) {
		long iteration;
		(void)soak_get_iteration(rec, &iteration, err);
		soak_stream_write(&s, rec);
		cJSON_Delete(rec);
	}
	fuzz_stream_close(&s, &out);
	free(text);
	return 0;
}
