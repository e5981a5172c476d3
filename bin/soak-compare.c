/* soak-compare - judge a candidate against a baseline over many soak logs, as a canary
 * analysis does: a rank test and an interval per KPI, a score, PASS/FAIL/INCONCLUSIVE. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "compare.h"
#include "record.h"

static const char help_text[] =
"Usage: soak-compare --baseline LOG|DIR... --candidate LOG|DIR... [OPTION]...\n"
"Judge a candidate against a baseline over many soak logs (one unit per\n"
"log: each KPI over its last N iterations).  Logs pair by summary.seed\n"
"when both sides carry the same seeds (Wilcoxon signed-rank test on the\n"
"paired differences), else they are compared unpaired (Mann-Whitney U).\n"
"A DIR stands for its seed-N.jsonl logs (a soak-sweep variant directory).\n"
"\n"
"  -b, --baseline LOG|DIR...   the baseline's logs (the arguments after it)\n"
"  -c, --candidate LOG|DIR...  the candidate's logs (the arguments after it)\n"
"  -C, --config=NAME|FILE      comparison config (default compare_default)\n"
"      --last=N                window of each log, 1 to 1000 (default: the\n"
"                              config's)\n"
"      --pairing=MODE          auto (default): by seed when the seeds match,\n"
"                              else unpaired; seed: by seed or fail; order:\n"
"                              the i-th logs of each side; none: unpaired\n"
"  -f, --format=FORMAT         json (default), markdown, text (a line per\n"
"                              KPI and the verdict), junit (JUnit XML) or\n"
"                              github (::error/::warning/::notice lines)\n"
"      --fail-on=LEVEL         fail (default): exit status as below;\n"
"                              inconclusive: INCONCLUSIVE exits 1 as well\n"
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"Exit status: 0 PASS, 1 FAIL, 4 INCONCLUSIVE (1 with --fail-on=inconclusive),\n"
"2 bad usage or input, 3 an I/O error.  See soak-compare(1) and soak-compare-config(5).\n";

enum { OPT_PAIRING = 0x2000, OPT_FAIL_ON, EXIT_INCONCLUSIVE = 4 };

enum format { FORMAT_JSON, FORMAT_MARKDOWN, FORMAT_TEXT, FORMAT_JUNIT, FORMAT_GITHUB };

struct side {
	const char *first_arg;
	int n_args;
	long n;
	char *path[COMPARE_MAX_LOGS];
};

struct options {
	const char *config;
	long last;
	enum compare_pairing pairing;
	enum format format;
	bool fail_on_inconclusive;
	struct side base, cand;
};

static void add_path(struct side *side, const char *path, const char *name)
{
	if (side->n == COMPARE_MAX_LOGS)
		soak_usage_error("more than %d logs on the %s side", COMPARE_MAX_LOGS, name);
	if (!(side->path[side->n++] = strdup(path)))
		soak_die(SOAK_EXIT_IO, "out of memory");
}

/* The seed of a file called seed-N.jsonl, or -1. */
static long long seed_of_name(const char *name)
{
	const char *digits = name + 5;
	size_t len = strspn(digits, "0123456789");
	if (strncmp(name, "seed-", 5) != 0 || len == 0 || len > 18 ||
	    strcmp(digits + len, ".jsonl") != 0)
		return -1;
	return atoll(digits);
}

struct dir_entry { long long seed; char *name; };

/* Order of seed, then of name: seed-1 and seed-01 are one seed, and qsort is
 * not stable, so without the name the order would be readdir's. */
static int by_seed(const void *a, const void *b)
{
	const struct dir_entry *p = a, *q = b;
	if (p->seed != q->seed)
		return (p->seed > q->seed) - (p->seed < q->seed);
	return strcmp(p->name, q->name);
}

/* Every seed-N.jsonl of dir, in order of N (names of one N in strcmp order). */
static void add_dir(struct side *side, const char *dir, const char *name)
{
	static struct dir_entry entries[COMPARE_MAX_LOGS];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		soak_die(SOAK_EXIT_IO, "cannot read directory '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		long long seed = seed_of_name(e->d_name);
		if (seed < 0)
			continue;
		if (n == COMPARE_MAX_LOGS)
			soak_usage_error("more than %d logs in '%s'", COMPARE_MAX_LOGS, dir);
		entries[n].seed = seed;
		if (!(entries[n++].name = strdup(e->d_name)))
			soak_die(SOAK_EXIT_IO, "out of memory");
	}
	closedir(d);
	if (n == 0)
		soak_usage_error("no seed-N.jsonl logs in directory '%s'", dir);
	qsort(entries, (size_t)n, sizeof *entries, by_seed);
	for (int i = 0; i < n; i++) {
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", dir, entries[i].name);
		add_path(side, path, name);
		free(entries[i].name);
	}
}

static void add_arg(struct side *side, const char *arg, const char *name)
{
	struct stat st;
	if (!side->n_args++)
		side->first_arg = arg;
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		add_dir(side, arg, name);
	else
		add_path(side, arg, name);
}

static enum compare_pairing parse_pairing(const char *arg)
{
	static const char *const names[] = {"auto", "seed", "order", "none"};
	for (int i = 0; i < 4; i++)
		if (strcmp(arg, names[i]) == 0)
			return (enum compare_pairing)i;
	soak_usage_error("option '--pairing': '%s' is not auto, seed, order or none", arg);
}

static enum format parse_format(const char *arg)
{
	static const char *const names[] = {"json", "markdown", "text", "junit", "github"};
	for (int i = 0; i < 5; i++)
		if (strcmp(arg, names[i]) == 0)
			return (enum format)i;
	soak_usage_error("option '--format': '%s' is not json, markdown, text, junit or github",
			 arg);
}

static bool parse_fail_on(const char *arg)
{
	if (strcmp(arg, "fail") && strcmp(arg, "inconclusive"))
		soak_usage_error("option '--fail-on': '%s' is not fail or inconclusive", arg);
	return strcmp(arg, "inconclusive") == 0;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"baseline", required_argument, NULL, 'b'},
		{"candidate", required_argument, NULL, 'c'},
		{"config", required_argument, NULL, 'C'},
		{"last", required_argument, NULL, 'n'},
		{"pairing", required_argument, NULL, OPT_PAIRING},
		{"format", required_argument, NULL, 'f'},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		SOAK_HELP_VERSION_LONGOPTS
	};
	struct side *current = NULL;
	int opt;
	/* "-": operands come back in order as option 1, so each joins the side before it */
	while ((opt = soak_getopt_long(argc, argv, "-b:c:C:f:hV", longopts)) != -1) {
		switch (opt) {
		case 1:
			if (!current)
				soak_usage_error("'%s': give --baseline or --candidate before a log",
						 optarg);
			add_arg(current, optarg, current == &o->base ? "baseline" : "candidate");
			break;
		case 'b': current = &o->base; add_arg(current, optarg, "baseline"); break;
		case 'c': current = &o->cand; add_arg(current, optarg, "candidate"); break;
		case 'C': o->config = optarg; break;
		case 'n': o->last = soak_arg_long("--last", optarg, 1, SOAK_MAX_WINDOW); break;
		case OPT_PAIRING: o->pairing = parse_pairing(optarg); break;
		case 'f': o->format = parse_format(optarg); break;
		case OPT_FAIL_ON: o->fail_on_inconclusive = parse_fail_on(optarg); break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (!o->base.n || !o->cand.n)
		soak_usage_error("give the logs of both sides: --baseline LOG... --candidate LOG...");
}

/* "PATH" for one argument, "PATH (+N more)" for more. */
static const char *label_of(const struct side *side, char *buf, size_t size)
{
	if (side->n_args == 1)
		snprintf(buf, size, "%s", side->first_arg);
	else
		snprintf(buf, size, "%s (+%d more)", side->first_arg, side->n_args - 1);
	return buf;
}

static void write_result(const struct options *o, const struct compare_result *res)
{
	char base_label[4300], cand_label[4300];
	label_of(&o->base, base_label, sizeof base_label);
	label_of(&o->cand, cand_label, sizeof cand_label);
	if (o->format == FORMAT_MARKDOWN) {
		compare_markdown(stdout, res, base_label, cand_label);
	} else if (o->format == FORMAT_TEXT) {
		compare_text(stdout, res);
	} else if (o->format == FORMAT_JUNIT) {
		compare_junit(stdout, res);
	} else if (o->format == FORMAT_GITHUB) {
		compare_github(stdout, res);
	} else {
		cJSON *json = compare_json(res, base_label, cand_label);
		char *text = cJSON_PrintUnformatted(json);
		if (!text)
			soak_die(SOAK_EXIT_IO, "out of memory");
		fputs(text, stdout);
		fputc('\n', stdout);
		free(text);
		cJSON_Delete(json);
	}
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno == EPIPE)
			exit(SOAK_EXIT_OK);
		soak_die(SOAK_EXIT_IO, "write error: %s", strerror(errno ? errno : EIO));
	}
}

int main(int argc, char **argv)
{
	static struct options o;
	static struct compare_config cfg;
	static struct compare_log base[COMPARE_MAX_LOGS], cand[COMPARE_MAX_LOGS];
	static struct compare_result res;
	static long order[COMPARE_MAX_LOGS];
	soak_cli_init(argv[0]);
	o.config = "compare_default";
	parse_options(argc, argv, &o);
	compare_config_load(o.config, &cfg);
	if (o.last)
		cfg.window = o.last;
	for (long i = 0; i < o.base.n; i++)
		compare_log_read(o.base.path[i], &cfg, &base[i]);
	for (long j = 0; j < o.cand.n; j++)
		compare_log_read(o.cand.path[j], &cfg, &cand[j]);
	bool paired = compare_pair(base, o.base.n, cand, o.cand.n, o.pairing, order,
				   res.pairing_note);
	compare_judge(&cfg, base, o.base.n, cand, o.cand.n, paired ? order : NULL, &res);
	write_result(&o, &res);
	if (res.verdict == VERDICT_INCONCLUSIVE)
		return o.fail_on_inconclusive ? SOAK_EXIT_FAIL : EXIT_INCONCLUSIVE;
	return res.verdict == VERDICT_PASS ? SOAK_EXIT_OK : SOAK_EXIT_FAIL;
}
