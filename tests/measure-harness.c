/*
 * measure-harness - test hooks into lib/measure that no installed program
 * offers.  Built by make check only; used by tests/soak-measure.bats.
 *
 *   measure-harness break PART BPS < LOG
 *     Feed the event log to the accumulator, add BPS to the part PART
 *     (gross, fees, adverse, slippage, inventory; "none": no change)
 *     through measure_break_part, then run the real measure_finish.
 *     Prints "ok NET_BPS" and exits 0 when the identity holds; prints
 *     measure_finish's message and exits 1 when it fails.
 *   measure-harness roundtrip < LOG
 *     Parse each event, write it with soak_event_format, parse that
 *     again; print the written line.  Exits 1 (naming the line) when the
 *     second parse differs from the first in any field read.
 *
 * Exits 2 on a bad log or bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"
#include "events.h"
#include "measure.h"

/* Read the next line of stdin into *e; false at the end. Dies on a bad line. */
static bool next_event(struct soak_event *e, long *line_no)
{
	static char *line;
	static size_t cap;
	char err[SOAK_ERR_MAX];
	ssize_t len = getline(&line, &cap, stdin);
	if (len == -1) {
		free(line);
		line = NULL;
		return false;
	}
	++*line_no;
	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	memset(e, 0, sizeof *e);
	if (!soak_event_parse(line, (size_t)len, e, err))
		soak_die(SOAK_EXIT_USAGE, "line %ld: %s", *line_no, err);
	return true;
}

static int break_part(const char *part, double bps)
{
	struct measure m;
	struct soak_event e;
	char err[SOAK_ERR_MAX];
	long line_no = 0;
	measure_init(&m, &(struct measure_config){ 0 });
	measure_begin(&m);
	while (next_event(&e, &line_no))
		if (!measure_event(&m, &e, err))
			soak_die(SOAK_EXIT_USAGE, "line %ld: %s", line_no, err);
	if (strcmp(part, "none") != 0 && !measure_break_part(&m, part, bps))
		soak_die(SOAK_EXIT_USAGE, "unknown part '%s'", part);
	struct soak_summary k;
	bool ok = measure_finish(&m, &k, err);
	measure_free(&m);
	if (!ok) {
		printf("%s\n", err);
		return 1;
	}
	printf("ok %.9f\n", k.net_bps);
	return 0;
}

/* The fields of a and b that their type has are the same, bit for bit. */
static bool same_event(const struct soak_event *a, const struct soak_event *b)
{
	return a->type == b->type && a->t == b->t && a->iteration == b->iteration &&
	       a->position_limit == b->position_limit && a->risk_budget == b->risk_budget &&
	       a->markout_s == b->markout_s && a->price == b->price &&
	       strcmp(a->id, b->id) == 0 && a->side == b->side && a->qty == b->qty &&
	       a->kind == b->kind && a->liquidity == b->liquidity && a->fee == b->fee &&
	       strcmp(a->reason, b->reason) == 0;
}

static int roundtrip(void)
{
	struct soak_event e, back;
	char text[SOAK_EVENT_LINE_MAX], err[SOAK_ERR_MAX];
	long line_no = 0;
	while (next_event(&e, &line_no)) {
		size_t n = soak_event_format(&e, text);
		memset(&back, 0, sizeof back);
		if (!soak_event_parse(text, n, &back, err))
			soak_die(1, "line %ld: written as '%s', which does not parse: %s",
				 line_no, text, err);
		if (!same_event(&e, &back))
			soak_die(1, "line %ld: written as '%s', which reads back differently",
				 line_no, text);
		puts(text);
	}
	return 0;
}

int main(int argc, char **argv)
{
	soak_cli_init(argv[0]);
	if (argc == 4 && strcmp(argv[1], "break") == 0)
		return break_part(argv[2], atof(argv[3]));
	if (argc == 2 && strcmp(argv[1], "roundtrip") == 0)
		return roundtrip();
	soak_die(SOAK_EXIT_USAGE, "usage: measure-harness break PART BPS < LOG | roundtrip < LOG");
}
