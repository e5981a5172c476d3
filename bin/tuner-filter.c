/* tuner-filter - decide which proposed deltas are applied: micro-steps and guards. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "params.h"
#include "record.h"
#include "micro-step.h"

static const char help_text[] =
"Usage: tuner-filter [OPTION]...\n"
"Decide which of `tuning.proposed_deltas' (written by tuner-propose) are\n"
"applied: at most K keys (one velocity held back first, then the largest\n"
"range-normalized change), none on cooldown, steps scaled down to the\n"
"velocity budget left, no A->B->A\n"
"oscillation, frozen keys held after a steady stretch.  Writes\n"
"`tuning.deltas', `tuning.skipped', `tuning.scaled' and the rest of the\n"
"decision, `next_params' and `state.tuner' (JSON lines, stdin to stdout).\n"
"Records need `iteration', `summary' and `tuning'.\n"
"\n"
"  -k, --max-keys=K             most keys changed per iteration (2)\n"
"      --cooldown=C             iterations a changed key is skipped (1)\n"
"      --velocity-cap=X         most range-normalized change summed over the\n"
"                               velocity window (0.15)\n"
"      --velocity-window=W      iterations the velocity sum covers, the\n"
"                               current one included (3)\n"
"      --warmup-factor=F        velocity cap multiplier in WARMUP (1.5)\n"
"      --urgent-factor=U        velocity cap multiplier when tuning.urgent is\n"
"                               true, 1 to 100 (2); the larger factor applies\n"
"      --oscillation-window=O   iterations within which A->B->A is blocked\n"
"                               (3; 0 turns the guard off)\n"
"      --freeze-after=A         good iterations in a row that start a freeze\n"
"                               (2; 0 turns the freeze off)\n"
"      --freeze-length=L        iterations a freeze lasts (4)\n"
"      --freeze-risk=R          a good iteration has risk_ratio <= R (0.35)\n"
"      --freeze-net=N           and net_bps >= N (2.7)\n"
"      --freeze-keys=LIST       comma-separated keys a freeze holds\n"
"                               (impact_cap_ratio,max_delta_ratio)\n"
"      --no-carry               take the state from each record only, never\n"
"                               from the previous line of the stream\n"
SOAK_STREAM_HELP
"  -h, --help                   show this help and exit\n"
"  -V, --version                show the version and exit\n"
"\n"
"Skip reasons: no_change, freeze, cooldown, bounds, oscillation, max_keys,\n"
"velocity.  See tuner-filter(1).\n";

/* --- options ----------------------------------------------------------------- */

static void parse_freeze_keys(const char *list, bool key[SOAK_PARAM_COUNT])
{
	memset(key, 0, SOAK_PARAM_COUNT * sizeof key[0]);
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		char name[64];
		if (len == 0 || len >= sizeof name)
			soak_usage_error("option '--freeze-keys': bad list '%s'", list);
		memcpy(name, p, len);
		name[len] = '\0';
		int id = soak_param_by_key(name);
		if (id < 0)
			soak_usage_error("option '--freeze-keys': unknown parameter '%s'", name);
		key[id] = true;
		p += len;
		if (*p == ',' && *++p == '\0')
			soak_usage_error("option '--freeze-keys': bad list '%s'", list);
	}
}

enum {
	OPT_VELOCITY_CAP = 0x100, OPT_VELOCITY_WINDOW, OPT_WARMUP_FACTOR, OPT_URGENT_FACTOR, OPT_OSCILLATION_WINDOW,
	OPT_FREEZE_AFTER, OPT_FREEZE_LENGTH, OPT_FREEZE_RISK, OPT_FREEZE_NET, OPT_FREEZE_KEYS,
	OPT_NO_CARRY
};

static void parse_options(int argc, char **argv, struct soak_stream *s, struct tuner_filter_options *o)
{
	static const struct option longopts[] = {
		{"max-keys", required_argument, NULL, 'k'},
		{"cooldown", required_argument, NULL, 'c'},
		{"velocity-cap", required_argument, NULL, OPT_VELOCITY_CAP},
		{"velocity-window", required_argument, NULL, OPT_VELOCITY_WINDOW},
		{"warmup-factor", required_argument, NULL, OPT_WARMUP_FACTOR},
		{"urgent-factor", required_argument, NULL, OPT_URGENT_FACTOR},
		{"oscillation-window", required_argument, NULL, OPT_OSCILLATION_WINDOW},
		{"freeze-after", required_argument, NULL, OPT_FREEZE_AFTER},
		{"freeze-length", required_argument, NULL, OPT_FREEZE_LENGTH},
		{"freeze-risk", required_argument, NULL, OPT_FREEZE_RISK},
		{"freeze-net", required_argument, NULL, OPT_FREEZE_NET},
		{"freeze-keys", required_argument, NULL, OPT_FREEZE_KEYS},
		{"no-carry", no_argument, NULL, OPT_NO_CARRY},
		SOAK_STREAM_LONGOPTS,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "k:hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 'k': o->max_keys = (int)soak_arg_long("--max-keys", optarg, 1, SOAK_PARAM_COUNT); break;
		case 'c': o->cooldown = (int)soak_arg_long("--cooldown", optarg, 0, MAX_WINDOW); break;
		case OPT_VELOCITY_CAP: o->velocity_cap = soak_arg_double("--velocity-cap", optarg, 0, 1000); break;
		case OPT_VELOCITY_WINDOW: o->velocity_window = (int)soak_arg_long("--velocity-window", optarg, 1, MAX_WINDOW); break;
		case OPT_WARMUP_FACTOR: o->warmup_factor = soak_arg_double("--warmup-factor", optarg, 0, 100); break;
		case OPT_URGENT_FACTOR: o->urgent_factor = soak_arg_double("--urgent-factor", optarg, 1, 100); break;
		case OPT_OSCILLATION_WINDOW: o->oscillation_window = (int)soak_arg_long("--oscillation-window", optarg, 0, MAX_WINDOW); break;
		case OPT_FREEZE_AFTER: o->freeze_after = (int)soak_arg_long("--freeze-after", optarg, 0, MAX_WINDOW); break;
		case OPT_FREEZE_LENGTH: o->freeze_length = (int)soak_arg_long("--freeze-length", optarg, 1, MAX_WINDOW); break;
		case OPT_FREEZE_RISK: o->freeze_risk = soak_arg_double("--freeze-risk", optarg, 0, 1e6); break;
		case OPT_FREEZE_NET: o->freeze_net = soak_arg_double("--freeze-net", optarg, -1e6, 1e6); break;
		case OPT_FREEZE_KEYS: parse_freeze_keys(optarg, o->freeze_key); break;
		case OPT_NO_CARRY: o->carry = false; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	tuner_filter_span(o);
}

int main(int argc, char **argv)
{
	static struct tuner_filter_options o;
	static struct tuner_filter_carry carry;
	static struct tuner_filter_state after;
	struct soak_stream s;
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	soak_stream_use_arena(&s);
	tuner_filter_defaults(&o);
	parse_options(argc, argv, &s, &o);
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		long iteration;
		if (!tuner_filter_record(rec, &o, &carry, s.line_no, &after, &iteration, err)) {
			soak_stream_reject(&s, "%s", err);
		} else if (soak_stream_write(&s, rec)) {
			carry.state = after;
			soak_order_accept(&carry.order, iteration, s.line_no);
		}
		cJSON_Delete(rec);
	}
	return soak_stream_finish(&s);
}
