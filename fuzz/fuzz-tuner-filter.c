/*
 * fuzz-tuner-filter.c - libFuzzer harness for tuner-filter's per-record
 * transform (tuner_filter_record): the input is up to 64 lines, decided
 * in order as one stream with the default options (the first byte turns
 * the carry off and picks max_keys 1 to 4); every record decided is
 * written and must read back, and the carry is committed as tuner-filter
 * commits it.
 */
#include "harness.h"
#include "micro-step.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tuner_filter_options o;
	static struct tuner_filter_carry carry;
	static struct tuner_filter_state after;
	struct soak_stream s;
	struct fuzz_out out = {0};
	if (size < 1)
		return 0;
	tuner_filter_defaults(&o);
	o.carry = !(data[0] & 1);
	o.max_keys = 1 + (data[0] >> 1) % 4;
	memset(&carry, 0, sizeof carry);
	char *text = fuzz_text(data + 1, size - 1);
	size_t pos = 0, len;
	long line_no = 0, iteration;
	char *line;
	fuzz_stream_open(&s, &out);
	while ((line = fuzz_next_line(text, size - 1, &pos, &len)) && line_no < 64) {
		char err[SOAK_ERR_MAX];
		fuzz_stream_line(&s, line, len, ++line_no);
		cJSON *rec = soak_parse_checked(line, len, err);
		if (!rec)
			continue;
		if (tuner_filter_record(rec, &o, &carry, line_no, &after, &iteration, err) &&
		    soak_stream_write(&s, rec)) {
			carry.state = after;
			soak_order_accept(&carry.order, iteration, line_no);
		}
		cJSON_Delete(rec);
	}
	fuzz_stream_close(&s, &out);
	free(text);
	return 0;
}
