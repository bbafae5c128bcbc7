"""Brigades' counter-plans, checked against the plan like any other (part 1's check).

A shock brigade of an enterprise pledges extra output in a period, often with a raised labour
norm (less labour a unit: the pledge of economy), and its workers spend time in planning
sessions. :func:`brigade_counter_plans` turns a brigades table (:data:`BRIGADE_COLUMNS`,
optional :data:`OPTIONAL_COLUMNS`) into part 1's counter-plan table, one counter-plan per
brigade pledge; :func:`check_brigades` checks them with
:func:`gosplan.run.counter_plans.check_counter_plan`, the sessions' time counted as labour
(half an hour of an eight-hour day is a sixteenth of every worker's year, the share
:func:`gosplan.run.wages.shock_work` takes off the labour factor).
"""

from __future__ import annotations

import pandas as pd

from gosplan.core.checks import Check
from gosplan.core.counter_plan_check import CounterPlanCheck
from gosplan.core.plan_result import PlanResult
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.run.counter_plans import check_counter_plan

#: Columns of a brigades table.
BRIGADE_COLUMNS = ("brigade", "enterprise", "period", "extra_output")
#: Optional columns: the new labour norm (labour a unit of output) and its labour type.
OPTIONAL_COLUMNS = ("labour_norm", "labour_type")


def brigade_counter_plans(brigades: pd.DataFrame, *, labour_type: str = "workers") -> pd.DataFrame:
    """Part 1's counter-plan table of the brigades' pledges (rows in the same order).

    ``counter_plan`` is the brigade; a ``labour_norm`` becomes the new coefficient of the
    labour type (``labour_type`` column, else the argument), a blank one no new norm.

    Raises
    ------
    InputError
        If a required column is missing (the table's ``attrs["source"]`` names it).
    """
    source = str(brigades.attrs.get("source", "brigades"))
    for col in BRIGADE_COLUMNS:
        if col not in brigades.columns:
            raise InputError(
                f"the brigades table needs the column {col!r}",
                source=source,
                check=Check.MISSING_COLUMN,
            )
    table = pd.DataFrame(
        {
            "counter_plan": brigades["brigade"].astype(str).to_numpy(),
            "enterprise": brigades["enterprise"].to_numpy(),
            "period": brigades["period"].to_numpy(),
            "extra_output": brigades["extra_output"].to_numpy(),
        }
    )
    if "labour_norm" in brigades.columns:
        norm = pd.to_numeric(brigades["labour_norm"], errors="coerce")
        kind = brigades["labour_type"] if "labour_type" in brigades.columns else labour_type
        table["input"] = pd.Series(kind, index=brigades.index).where(norm.notna(), "").to_numpy()
        table["new_coefficient"] = brigades["labour_norm"].to_numpy()
    table.attrs["source"] = source
    return table


def check_brigades(
    result: PlanResult,
    spec: PlanSpec,
    brigades: pd.DataFrame,
    *,
    mode: str = "commit",
    session_hours_per_day: float = 0.0,
    hours_per_day: float = 8.0,
    labour_type: str = "workers",
) -> CounterPlanCheck:
    """Check the brigades' pledges against the plan's slack, sessions' time included.

    Parameters
    ----------
    result, spec
        The adopted plan and its spec.
    brigades
        The brigades table (see the module).
    mode
        As for :func:`~gosplan.run.counter_plans.check_counter_plan` (default ``"commit"``: in
        order, each reserving what it takes).
    session_hours_per_day, hours_per_day
        Planning sessions' hours in a working day of ``hours_per_day``: their share of the
        working year is the session labour of the check.

    Raises
    ------
    InputError
        A session longer than the working day, or anything the check refuses (unknown
        enterprise, a period outside the plan, a negative pledge: by row and label).
    """
    if not 0.0 <= session_hours_per_day <= hours_per_day or hours_per_day <= 0:
        raise InputError(
            f"planning sessions take between 0 and the working day ({hours_per_day:g} hours), "
            f"not {session_hours_per_day:g}",
            source="session_hours_per_day",
            check=Check.OUT_OF_RANGE,
        )
    table = brigade_counter_plans(brigades, labour_type=labour_type)
    return check_counter_plan(
        result,
        spec,
        table,
        mode=mode,
        session_labour=session_hours_per_day / hours_per_day,
        source=table.attrs["source"],
    )
