"""The workforce as the planner and the simulation see it: labour available per period.

A unit of labour in the planner is skill-weighted labour (:meth:`WorkforceResult.labour`:
``sum_g p[g] W[e, g]`` over the enterprises). :func:`labour_available` averages it over the
steps of every year of a workforce run into the plan's ``labour_available`` table for one
labour type; :func:`with_workforce` puts it into a spec, so that a plan, its simulation (which
reads the spec's labour available) and a re-plan (:func:`gosplan.run.replan.replan` of the
spec it returns) all see the workforce as it is, not as the plan assumed it.
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


def with_workforce(
    spec: PlanSpec, result: WorkforceResult, labour_type: str = "workers", *, scale: float = 1.0
) -> PlanSpec:
    """The spec with the labour available of ``labour_type`` taken from a workforce run.

    Only the run's years that are periods of the spec change; the other labour types and
    periods keep their rows.

    Raises
    ------
    InputError
        If ``labour_type`` is not a labour type of the spec's economy, or the run covers no
        period of the spec.
    """
    types = [str(t) for t in spec.economy.labour_types]
    if labour_type not in types:
        raise InputError(
            f"the economy has no labour type {labour_type!r}; its types: {', '.join(types)}",
            source="with_workforce",
            label=labour_type,
            check=Check.UNKNOWN_LABEL,
        )
    rows = labour_available(result, labour_type, scale=scale)
    rows = rows[rows["period"].isin(spec.periods)]
    if not len(rows):
        raise InputError(
            f"the workforce run covers none of the plan's periods ({spec.periods[0]}–"
            f"{spec.periods[-1]})",
            source="with_workforce",
            check=Check.PERIOD_OUTSIDE_PLAN,
        )
    old = spec.labour_available
    keep = ~((old["labour_type"].astype(str) == labour_type) & old["period"].isin(rows["period"]))
    table = pd.concat([old[keep], rows[[c for c in rows.columns if c in old.columns]]])
    return spec.with_changes(labour_available=table.reset_index(drop=True))
