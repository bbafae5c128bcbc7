"""The worked example of the workers' side: the brigade wage rules compared, 1929–32.

:func:`run_labour_example` runs the scenario's calibrated workforce
(:func:`gosplan.run.labour_scenario.labour_run`) under each brigade wage rule — the pooled
wage split equally, by grade (tariff coefficients), or by piece rates — and sets them side by
side: skilled workers' separations, skill-weighted labour (what the enterprises can make),
employment, and the fit of the by-grade run to the period's turnover table. The real wage is
an input of the runs (falling to half of 1928 by 1932, the estimate quoted in the scenario's
reference); aggregate statistics only. The by-grade and equal rules are also run *inside* the
plan's monthly simulation (:func:`gosplan.run.coupled.coupled_scenario`): the plan produces
with the workers the workforce has each month, and their quits feel the month's shortages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from gosplan.report import Report
    from gosplan.run.coupled import CoupledRun
    from gosplan.run.labour_scenario import LabourRun

#: The rules compared, in order.
RULES = ("by_grade", "equal", "piece")

#: The rules also run inside the plan's monthly simulation.
INSIDE_RULES = ("by_grade", "equal")


@dataclass
class LabourExample:
    """The runs under each rule, their comparison and the fit of the by-grade run."""

    runs: dict[str, LabourRun]
    rules: pd.DataFrame
    fit: pd.DataFrame
    real_wage: pd.Series
    coupled: LabourRun | None = None
    shortage: pd.Series | None = None
    inside: dict[str, CoupledRun] | None = None


def run_labour_example(
    scenario: str = "ussr-1928", shortage: pd.Series | None = None
) -> LabourExample:
    """Run the scenario's workforce under every rule of :data:`RULES`.

    ``shortage`` (the households' unmet demand by year, 0 to 1, e.g.
    :func:`gosplan.run.labour_scenario.shortage_from` a simulated run) adds a by-grade run
    under those shortages instead of the calibrated path.
    """
    from gosplan.report.labour import rules_table
    from gosplan.run.coupled import coupled_scenario
    from gosplan.run.labour_scenario import labour_run

    runs = {rule: labour_run(scenario, rule=rule) for rule in RULES}
    base = runs["by_grade"]
    real = base.inputs.set_index("year")["real_wage"]
    coupled = None if shortage is None else labour_run(scenario, shortage=shortage)
    return LabourExample(
        runs=runs,
        rules=rules_table({rule: run.result for rule, run in runs.items()}),
        fit=base.turnover,
        real_wage=real,
        coupled=coupled,
        shortage=shortage,
        inside={rule: coupled_scenario(scenario=scenario, rule=rule) for rule in INSIDE_RULES},
    )


def add_labour_example(rep: Report, example: LabourExample) -> None:
    """The workers' side in the demo's report: the fit, the rules compared, the figures."""
    from gosplan.report.labour import add_rules_compared, turnover_figure

    fit = example.fit.assign(**{"model - table, %": 100 * example.fit["relative_difference"]})
    rep.add_table(
        "The workers' side: turnover, model and history, 1929–32",
        fit.drop(columns="relative_difference").round(1),
        caption="Accessions and separations per 100 employees a year in the scenario's "
        "workforce run (by-grade pay) beside the turnover table [C-T2, citing Nove p.198]; "
        "the parameters and their bases are in the scenario's labour/parameters.toml "
        "(calibrated to coal's 1930 separations and to all industry's 1929–30; 1931–32 are "
        "not fitted).",
    )
    rep.add_figure("Separations by industry", turnover_figure(example.runs["by_grade"].result),
                   caption="Separations per 100 employees a year, the industries with most "
                   "(by-grade pay).", same_section=True)  # fmt: skip
    add_rules_compared(
        rep,
        {rule: run.result for rule, run in example.runs.items()},
        heading="The brigade wage rules compared, 1929–32",
        real_wage=example.real_wage,
    )
    if example.inside:
        rep.add_table(
            "The rules inside the plan's monthly run, 1929–32",
            inside_table(example.inside).round(3),
            caption="The adopted plan simulated month by month with the scenario's workforce "
            "inside it: each month the plan produces with the workers the workforce has, and "
            "their quits feel that month's unmet household demand (gosplan.run.coupled).",
        )


def labour_lines(example: LabourExample) -> list[str]:
    """The comparison in short lines for the terminal."""
    fit = example.fit.set_index(["year", "industry", "movement"])
    coal = fit.loc[(1930, "coal industry", "left")]
    lines = [
        f"coal separations 1930: {coal['model']:.0f} per 100 (table {coal['table']:.0f})",
        "rule       skilled separations /100   labour end/start   employment end/start",
    ]
    for row in example.rules.itertuples(index=False):
        lines.append(f"{row[0]:<10}{row[1]:>18.0f}{row[2]:>19.2f}{row[3]:>22.2f}")
    last = example.real_wage.index.max()
    lines.append(f"real wage fed to the runs: {example.real_wage[last]:.2f} of 1928 in {last}")
    if example.inside:
        lines.extend(_inside_lines(example.inside))
    if example.coupled is not None and example.shortage is not None:
        mine = _all_left(example.coupled.turnover)
        calibrated = _all_left(example.fit)
        worst = example.shortage.idxmax()
        lines.append(
            f"with the simulated shortages ({100 * example.shortage.max():.0f} % in {worst}): "
            f"separations {mine[worst]:.0f} /100 (vs {calibrated[worst]:.0f})"
        )
    return lines


def inside_table(inside: dict[str, CoupledRun]) -> pd.DataFrame:
    """The rules run inside the plan's monthly simulation, side by side.

    Columns: the rule, skilled separations per 100 a year (mean of the years), the mean share
    of households' demand unmet (at labour values) and output at labour values relative to
    the first rule's run.
    """
    values = {rule: _output_value(run) for rule, run in inside.items()}
    first = next(iter(values.values()))
    return pd.DataFrame(
        {
            "rule": list(inside),
            "skilled separations /100": [r.skilled_separations().mean() for r in inside.values()],
            "households unmet, %": [100 * r.shortage.mean() for r in inside.values()],
            "output vs first rule": [v / first for v in values.values()],
        }
    )


def _output_value(run: CoupledRun) -> float:
    """The run's output over all its steps at the shortage's weights (labour values)."""
    output = run.simulation.series("output")
    w = run.weights.reindex(output.columns).fillna(0.0)
    return float((output.to_numpy() @ w.to_numpy()).sum())


def _inside_lines(inside: dict[str, CoupledRun]) -> list[str]:
    table = inside_table(inside)
    lines = ["inside the plan's monthly run (the workforce month by month):"]
    for row in table.itertuples(index=False):
        lines.append(
            f"  {row[0]:<9} skilled separations {row[1]:>4.0f} /100, households unmet "
            f"{row[2]:4.1f} %, output {row[3]:.3f}"
        )
    return lines


def _all_left(turnover: pd.DataFrame) -> pd.Series:
    rows = turnover[
        (turnover["industry"] == "all large-scale industry") & (turnover["movement"] == "left")
    ]
    return rows.set_index("year")["model"]
