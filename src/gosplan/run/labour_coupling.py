"""The workforce as the planner and the simulation see it: labour available per period.

A unit of labour in the planner is skill-weighted labour (:meth:`WorkforceResult.labour`:
``sum_g p[g] W[e, g]`` over the enterprises). :func:`labour_available` averages it over the
steps of every year of a workforce run into the plan's ``labour_available`` table for one
labour type; where the economy has a labour type per grade (named like the run's grades),
:func:`labour_by_grade` gives each grade's workers to its own type instead.
:func:`with_workforce` puts either into a spec, so that a plan, its simulation (which reads
the spec's labour available) and a re-plan (:func:`gosplan.run.replan.replan` of the spec it
returns) all see the workforce as it is, not as the plan assumed it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.core.checks import Check
from gosplan.core.spec import PlanSpec
from gosplan.core.workforce_result import WorkforceResult
from gosplan.errors import InputError

#: Columns of the table :func:`labour_available` returns (the plan table's columns).
COLUMNS = ("labour_type", "period", "available", "source")


def labour_available(
    result: WorkforceResult, labour_type: str = "workers", *, scale: float = 1.0
) -> pd.DataFrame:
    """Skill-weighted labour of a workforce run, a year's average, as plan rows.

    Parameters
    ----------
    result
        A workforce run (its years: ``start_year + step // steps_per_year``).
    labour_type
        The planner's labour type the workforce supplies.
    scale
        Planner's units of labour per skill-weighted worker of the run (1: the same unit).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per year of the run.
    """
    if not np.isfinite(scale) or scale <= 0:
        raise InputError(
            f"scale must be a positive number, not {scale!r}",
            source="labour_available",
            check=Check.OUT_OF_RANGE,
        )
    labour = result.labour().sum(axis=1)
    years = result.start_year + labour.index.to_numpy() // result.steps_per_year
    mean = labour.groupby(years).mean() * scale
    return pd.DataFrame(
        {
            "labour_type": labour_type,
            "period": mean.index.astype(np.int64),
            "available": mean.to_numpy(dtype=float),
            "source": "workforce run (skill-weighted labour, the year's mean)",
        }
    )


def labour_by_grade(result: WorkforceResult, *, scale: float = 1.0) -> pd.DataFrame:
    """Each grade's workers, a year's mean, as plan rows of a labour type named after it."""
    w = result.workers
    years = result.start_year + w["step"].to_numpy() // result.steps_per_year
    frame = pd.DataFrame(
        {"grade": w["grade"].astype(str), "step": w["step"], "year": years, "w": w["workers"]}
    )
    per_step = frame.groupby(["grade", "year", "step"], sort=False)["w"].sum()
    mean = per_step.groupby(level=["grade", "year"], sort=False).mean() * scale
    return pd.DataFrame(
        {
            "labour_type": mean.index.get_level_values("grade").astype(str),
            "period": mean.index.get_level_values("year").astype(np.int64),
            "available": mean.to_numpy(dtype=float),
            "source": "workforce run (workers of the grade, the year's mean)",
        }
    )


def with_workforce(
    spec: PlanSpec,
    result: WorkforceResult,
    labour_type: str | None = "workers",
    *,
    scale: float = 1.0,
) -> PlanSpec:
    """The spec with labour available taken from a workforce run.

    ``labour_type``: the type the skill-weighted labour goes to; ``None``: one type per grade
    (the economy must have a labour type named after every grade of the run). Only the
    run's years that are periods of the spec change; other types and periods keep their rows.

    Raises
    ------
    InputError
        If a labour type is not one of the spec's economy, or the run covers no period of the
        spec.
    """
    types = [str(t) for t in spec.economy.labour_types]
    wanted = [labour_type] if labour_type is not None else list(result.grades["grade"].astype(str))
    for name in wanted:
        if name not in types:
            raise InputError(
                f"the economy has no labour type {name!r}; its types: {', '.join(types)}",
                source="with_workforce",
                label=name,
                check=Check.UNKNOWN_LABEL,
            )
    rows = (
        labour_available(result, labour_type, scale=scale)
        if labour_type is not None
        else labour_by_grade(result, scale=scale)
    )
    rows = rows[rows["period"].isin(spec.periods)]
    if not len(rows):
        raise InputError(
            f"the workforce run covers none of the plan's periods ({spec.periods[0]}–"
            f"{spec.periods[-1]})",
            source="with_workforce",
            check=Check.PERIOD_OUTSIDE_PLAN,
        )
    old = spec.labour_available
    keep = ~(old["labour_type"].astype(str).isin(wanted) & old["period"].isin(rows["period"]))
    table = pd.concat([old[keep], rows[[c for c in rows.columns if c in old.columns]]])
    return spec.with_changes(labour_available=table.reset_index(drop=True))
