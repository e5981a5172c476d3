/*
 * fuzz-kpi-gate.c - libFuzzer harness for kpi-gate's per-record transform
 * (soak_gate_stream_judge): the input is up to 64 lines, judged in order
 * as one stream under kpi_thresholds_v1; the first byte picks the window
 * size (1 to 8), --summary or not and the gate mode.  Every record judged
 * is written and must read back; the verdict of the whole stream is made
 * and written as kpi-gate --summary makes it.
 */
#include "gate-stream.h"
#include "harness.h"
#include "judge.h"
#include "thresholds.h"

static struct soak_thresholds thresholds;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	soak_thresholds_load(FUZZ_PRESETS "/kpi_thresholds_v1.json", SOAK_WORDING_GATE, &thresholds);
	return 0;
}

/* The verdict of the lines judged, written like kpi-gate --summary's. */
static void write_verdict(struct soak_stream *s, const struct soak_gate_tally *t,
			  const cJSON *window, long window_size)
{
	cJSON *verdict = cJSON_CreateObject(), *reasons = cJSON_CreateArray();
	if (!verdict || !reasons)
		abort();
	enum soak_level status = soak_gate_verdict(t, window, window_size, s->skipped, reasons);
	cJSON_AddStringToObject(verdict, "status", soak_level_names[status]);
	cJSON_AddItemToObject(verdict, "reasons", reasons);
	soak_stream_write(s, verdict);
	cJSON_Delete(verdict);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct soak_gate_stream g;
	struct soak_stream s;
	struct fuzz_out out = {0};
	struct soak_gate_tally tally = {0};
	cJSON *window = NULL;
	if (size < 1)
		return 0;
	g.th = thresholds;
	g.th.window_size = 1 + data[0] % 8;
	soak_gate_stream_start(&g, (data[0] >> 3) % 3 - 1, (data[0] >> 5) & 1);
	char *text = fuzz_text(data + 1, size - 1);
	size_t pos = 0, len;
	long line_no = 0;
	char *line;
	fuzz_stream_open(&s, &out);
	while ((line = fuzz_next_line(text, size - 1, &pos, &len)) && line_no < 64) {
		char err[SOAK_ERR_MAX];
		struct soak_gate_judgement j;
		fuzz_stream_line(&s, line, len, ++line_no);
		cJSON *rec = soak_parse_checked(line, len, err);
		if (!rec)
			continue;
		if (soak_gate_stream_judge(rec, &g, line_no, &j, err)) {
			soak_gate_tally_add(&tally, j.iteration, j.status, j.downgraded);
			cJSON_Delete(window);
			window = cJSON_Duplicate(soak_get(j.gate, "window"), 1);
			soak_gate_judgement_put(rec, &j);
			soak_stream_write(&s, rec);
		}
		cJSON_Delete(rec);
	}
	write_verdict(&s, &tally, window, g.th.window_size);
	cJSON_Delete(window);
	fuzz_stream_close(&s, &out);
	free(text);
	return 0;
}
