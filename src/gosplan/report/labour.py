"""Report sections of a workforce run: turnover by year and industry, the grades, the rules.

:func:`add_workforce` shows a :class:`~gosplan.core.workforce_result.WorkforceResult`:
accessions and separations per 100 employees by industry and year (the period's own form),
separations by grade, and a figure of the separations by year; :func:`add_rules_compared`
sets several runs (one per brigade wage rule) side by side: skilled separations, skill-
weighted labour and employment. Aggregate statistics only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gosplan.core.workforce_result import WorkforceResult
from gosplan.report.figures import MAX_WIDTH, SIZE, _labels, _legend, _styled, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from gosplan.report.build import Report

#: Industries shown in a figure.
SHOWN = 5


@_styled
def turnover_figure(result: WorkforceResult, column: str = "separations_per_100") -> Figure:
    """Separations (or accessions) per 100 employees by year, the industries with most."""
    table = result.statistics.assign(industry=result.statistics["industry"].astype(str))
    wide = table.pivot_table(index="year", columns="industry", values=column, aggfunc="mean")
    chosen = list(wide.mean().sort_values(ascending=False).index[:SHOWN])
    fig, (ax,) = new_figure((MAX_WIDTH, SIZE[1]))
    for industry in chosen:
        ax.plot(wide.index, wide[industry].to_numpy(), marker="o", label=industry)
    words = column.replace("_per_100", "").replace("_", " ")
    _labels(ax, f"{words.capitalize()} per 100 employees a year", "year", "per 100 employees")
    ax.set_xticks(wide.index)
    _legend(ax, len(chosen))
    return fig


def add_workforce(rep: Report, result: WorkforceResult, *, heading: str) -> None:
    """A workforce run: turnover by industry and year, by grade, and its figure."""
    stats = result.statistics.round(1)
    rep.add_table(
        heading,
        stats,
        caption="Accessions (hires) and separations (quits, promotions out, mobilisation) "
        "per 100 employees a year (the year's average employment), by industry; the wage "
        "fund in the run's money per year.",
    )
    rep.add_figure("Separations by year", turnover_figure(result), same_section=True,
                   caption="Separations per 100 employees a year.")  # fmt: skip
    grades = result.turnover("grade").round(1)
    rep.add_table(
        "Turnover by skill grade",
        grades,
        caption="Accessions and separations per 100 employees of each grade a year (hires "
        "enter the lowest grade; upgrading moves workers up).",
    )


def rules_table(runs: Mapping[str, WorkforceResult], skilled: str = "skilled") -> pd.DataFrame:
    """Per rule: skilled separations per 100 a year, and labour and employment at the end."""
    rows = []
    for rule, result in runs.items():
        by_grade = result.turnover("grade")
        mine = by_grade[by_grade["grade"].astype(str) == skilled]
        labour = result.labour().sum(axis=1)
        employment = result.series("workers").sum(axis=1)
        rows.append(
            {
                "rule": rule,
                "skilled separations per 100": float(mine["separations_per_100"].mean()),
                "skill-weighted labour, end / start": float(labour.iloc[-1] / labour.iloc[0]),
                "employment, end / start": float(employment.iloc[-1] / employment.iloc[0]),
            }
        )
    return pd.DataFrame(rows)


@_styled
def rules_figure(runs: Mapping[str, WorkforceResult]) -> Figure:
    """Skill-weighted labour over the steps under each rule (index, first step = 100)."""
    fig, (ax,) = new_figure((MAX_WIDTH, SIZE[1]))
    for rule, result in runs.items():
        labour = result.labour().sum(axis=1)
        ax.plot(labour.index, 100 * labour.to_numpy() / labour.iloc[0], label=rule)
    _labels(ax, "Skill-weighted labour under each brigade wage rule", "step", "index, start = 100")
    _legend(ax, len(runs))
    return fig


def add_rules_compared(
    rep: Report,
    runs: Mapping[str, WorkforceResult],
    *,
    heading: str,
    real_wage: pd.Series | None = None,
) -> None:
    """Several runs, one per brigade wage rule, side by side (and the real wage, if given)."""
    rep.add_table(
        heading,
        rules_table(runs).round(3),
        caption="Skilled separations per 100 skilled employees a year (the mean over the "
        "run's years), and skill-weighted labour and employment at the end of the run "
        "against the start, under each rule.",
    )
    rep.add_figure("Labour under each rule", rules_figure(runs), same_section=True,
                   caption="Skill-weighted labour, the run's first step = 100.")  # fmt: skip
    if real_wage is not None and len(real_wage):
        table = pd.DataFrame(
            {"year": real_wage.index, "real wage": np.round(real_wage.to_numpy(), 3)}
        )
        rep.add_table(
            "The real wage", table, caption="The real wage index the run was fed (first year = 1)."
        )
