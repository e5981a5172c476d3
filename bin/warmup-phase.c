/* warmup-phase - the warm-up phase of each record's iteration. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "record.h"

static const char help_text[] =
"Usage: warmup-phase [OPTION]...\n"
"Add the warm-up phase of each record's iteration (JSON lines, stdin to stdout).\n"
"\n"
"      --warmup-iterations=W   iterations of full warm-up (default 4)\n"
"      --rampdown-steps=R      ramp-down iterations after warm-up (default 2)\n"
SOAK_STREAM_HELP
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"Phase of iteration i: WARMUP (weight 1, gate mode WARN) for i <= W;\n"
"RAMPDOWN (weight 1 - (i - W)/(R + 1), gate mode NORMAL) for the next R;\n"
"STEADY (weight 0, gate mode NORMAL) after.  See warmup-phase(1).\n";

struct phase_options {
	long warmup_iterations;
	long rampdown_steps;
};

struct phase {
	const char *name;
	double weight;
	const char *gate_mode;
};

static struct phase phase_of(long i, const struct phase_options *o)
{
	if (i <= o->warmup_iterations)
		return (struct phase){"WARMUP", 1.0, "WARN"};
	long k = i - o->warmup_iterations;
	if (k <= o->rampdown_steps)
		return (struct phase){"RAMPDOWN",
			1.0 - (double)k / (double)(o->rampdown_steps + 1), "NORMAL"};
	return (struct phase){"STEADY", 0.0, "NORMAL"};
}

static cJSON *phase_section(const struct phase *p)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "name", p->name);
	cJSON_AddItemToObject(obj, "weight", soak_num(p->weight));
	cJSON_AddStringToObject(obj, "gate_mode", p->gate_mode);
	return obj;
}

static void parse_options(int argc, char **argv, struct soak_stream *s, struct phase_options *o)
{
	static const struct option longopts[] = {
		{"warmup-iterations", required_argument, NULL, 'w'},
		{"rampdown-steps", required_argument, NULL, 'r'},
		SOAK_STREAM_LONGOPTS,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 'w': o->warmup_iterations = soak_arg_long("--warmup-iterations", optarg, 0, 1000000); break;
		case 'r': o->rampdown_steps = soak_arg_long("--rampdown-steps", optarg, 0, 1000000); break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
}

int main(int argc, char **argv)
{
	struct soak_stream s;
	struct phase_options o = {4, 2};
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	soak_stream_use_arena(&s);
	parse_options(argc, argv, &s, &o);
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		long i;
		if (!soak_get_iteration(rec, &i, err)) {
			soak_stream_reject(&s, "%s", err);
		} else {
			struct phase p = phase_of(i, &o);
			soak_set(rec, "phase", phase_section(&p));
			soak_stream_write(&s, rec);
		}
		cJSON_Delete(rec);
	}
	return soak_stream_finish(&s);
}
