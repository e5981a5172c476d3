/*
 * measure-identity - a test harness for the attribution identity of
 * lib/measure: reads one event log (soak-events(5)) on stdin, adds BPS
 * to the part PART (gross, fees, adverse, slippage, inventory; "none"
 * for no change) through measure_break_part, then runs the real
 * measure_finish.  Prints "ok NET_BPS" and exits 0 when the identity
 * holds, prints measure_finish's message and exits 1 when it fails,
 * exits 2 on a bad log or bad arguments.  Built by make check only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"
#include "events.h"
#include "measure.h"

/* Feed stdin's events to m; false with err (and the line) on a bad one. */
static bool feed(struct measure *m, long *line_no, char *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool ok = true;
	while (ok && (len = getline(&line, &cap, stdin)) != -1) {
		struct soak_event e;
		++*line_no;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		ok = soak_event_parse(line, (size_t)len, &e, err) && measure_event(m, &e, err);
	}
	free(line);
	return ok;
}

int main(int argc, char **argv)
{
	soak_cli_init(argv[0]);
	if (argc != 3)
		soak_die(SOAK_EXIT_USAGE, "usage: measure-identity PART BPS < LOG");
	double bps = atof(argv[2]);
	struct measure m;
	measure_init(&m, &(struct measure_config){ 0 });
	measure_begin(&m);
	char err[SOAK_ERR_MAX];
	long line_no = 0;
	if (!feed(&m, &line_no, err))
		soak_die(SOAK_EXIT_USAGE, "line %ld: %s", line_no, err);
	if (strcmp(argv[1], "none") != 0 && !measure_break_part(&m, argv[1], bps))
		soak_die(SOAK_EXIT_USAGE, "unknown part '%s'", argv[1]);
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
