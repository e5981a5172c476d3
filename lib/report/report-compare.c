/* report-compare.c - soak-report --baseline judged with soak-compare's statistics. */
#include <string.h>

#include "compare.h"
#include "report-common.h"

const char report_one_pair_text[] =
	"one run per side cannot decide: a KPI moves by more from one seed to the next than "
	"most changes move it; soak several seeds of each side (soak-sweep) and compare them "
	"(soak-compare)";

/* The comparison config of the report's KPIs: each one's compared
 * statistic and direction, no tolerance, nothing critical. */
static void report_compare_config(const struct report_snapshot *cur, struct compare_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	strcpy(cfg->name, "soak-report");
	cfg->window = cur->log->window_size;
	cfg->confidence = 0.95;
	cfg->min_units = 5;
	cfg->score_pass = 100;
	cfg->score_marginal = 50;
	cfg->n_kpis = RK_COUNT;
	for (int k = 0; k < RK_COUNT; k++)
		cfg->kpis[k] = (struct compare_kpi){
			.kpi = report_kpis[k].kpi, .stat = report_compared_stat(cur->th, k),
			.direction = report_kpi_direction(cur->th, k), .weight = 1};
}

/* The snapshot as the one unit of its side. */
static void unit_of(const struct report_snapshot *snap, const struct compare_config *cfg,
		    struct compare_log *unit)
{
	memset(unit, 0, sizeof *unit);
	unit->path = snap->log->label;
	unit->iterations = snap->log->count;
	for (int k = 0; k < RK_COUNT; k++) {
		unit->present[k] = snap->kpi[k].count > 0;
		unit->value[k] = snap->kpi[k].stat[cfg->kpis[k].stat];
	}
}

void report_compare(const struct report_snapshot *cur, const struct report_snapshot *base,
		    struct report_comparison *cmp)
{
	struct compare_log this_unit, base_unit;
	report_compare_config(cur, &cmp->cfg);
	unit_of(cur, &cmp->cfg, &this_unit);
	unit_of(base, &cmp->cfg, &base_unit);
	strcpy(cmp->result.pairing_note, "unpaired: one log a side");
	compare_judge(&cmp->cfg, &base_unit, 1, &this_unit, 1, NULL, &cmp->result);
}
