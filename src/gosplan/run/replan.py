"""Re-planning: a new plan for the rest of the horizon, from the state the economy is in.

:func:`replan` takes the plan's spec, the actual state at the start of ``from_period`` (a
:class:`~gosplan.core.plan_state.PlanState`: capacity in service, construction in progress,
stocks, output achieved so far) and builds the spec of the periods from ``from_period`` on
(:func:`replan_spec`), then optimises it (:func:`gosplan.plan.optimise`), warm-started from the
previous plan where the method allows.

The spec of the rest of the horizon
-----------------------------------
* periods: ``from_period`` to the last; every per-period table (targets, assortment, floors,
  labour and resources available, fixed final demand, investment limits, objective weights)
  keeps its rows of those periods (and rows with a blank period);
* ``vintages``: the state's capacity; ``construction_in_progress``: the state's;
  ``initial_stocks``: the state's stocks;
* ``terminal_growth`` becomes ``terminal_capacity`` rows: the multiple of the capacity at the
  start of the *original* plan (the new start's capacity is another base);
* an activity whose investment lag is not shorter than the remaining horizon cannot bring new
  capacity into service in it: its investment is barred (an ``investment_limits`` row with a
  blank period and ``max`` 0), and capacity it could only have added at the very end (lag
  equal to the remaining horizon) is given up;
* targets, by the policy (:func:`replan_targets`). For each target product ``p`` let
  ``planned_p`` be the sum of its targets of the periods before ``from_period``,
  ``achieved_p`` the state's cumulative output and ``remaining_p`` the sum of its targets from
  ``from_period`` on (so that ``planned_p + remaining_p`` is the five-year total):

  ``keep``: the five-year total stands. The deficit ``max(planned_p - achieved_p, 0)`` is
  loaded onto the remaining periods in proportion to their original targets: each target is
  multiplied by ``1 + deficit_p / remaining_p``. Output above plan so far does not lower the
  later targets. A deficit with no later target to load it onto is reported (warning).

  ``rescale``: the plan is scaled to what was achieved: each remaining target is multiplied
  by ``min(achieved_p / planned_p, 1)`` (1 where nothing was planned before).

  ``keep`` targets are therefore never below ``rescale`` ones, and both equal the original
  targets where the plan was fulfilled so far.

Production lead times are not supported: output in transit at the start is not part of the
state (:class:`~gosplan.core.plan_state.PlanState`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from gosplan.core.checks import Check
from gosplan.core.plan_result import PlanResult
from gosplan.core.plan_state import PlanState
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.arguments import require_spec
from gosplan.plan.data import PlanData
from gosplan.plan.optimise import optimise

log = logging.getLogger(__name__)

__all__ = ["POLICIES", "replan", "replan_spec", "replan_targets"]

Policy = Literal["keep", "rescale"]
#: The target policies of a re-plan.
POLICIES: tuple[str, ...] = ("keep", "rescale")
#: Columns of :func:`replan_targets`.
TARGET_COLUMNS = (
    "product",
    "period",
    "original",
    "target",
    "planned",
    "achieved",
    "deficit",
    "factor",
)
_PERIOD_TABLES = (
    "targets",
    "floors",
    "labour_available",
    "resources_available",
    "fixed_final_demand",
)


def replan(
    spec: PlanSpec,
    state: PlanState,
    from_period: int,
    *,
    policy: Policy = "keep",
    previous: PlanResult | None = None,
    **options: Any,
) -> PlanResult:
    """A new plan for the periods from ``from_period`` on, from the actual state.

    Parameters
    ----------
    spec
        The plan's specification (its whole horizon).
    state
        The state at the start of ``from_period`` (``state.period == from_period``).
    from_period
        A period of the horizon after the first.
    policy
        ``"keep"`` (the five-year targets stand: the remaining years make up the deficit) or
        ``"rescale"`` (the remaining targets scaled by the share achieved so far); see the
        module docstring.
    previous
        The previous plan, to warm-start the simplex method from (mapped by labels;
        ``optimise(warm_start=...)``). The provenance's ``warm_start`` says whether it ran.
    **options
        Options of :func:`gosplan.plan.optimise` (``solver``, ``tol``, ``time_limit``,
        ``verify``, ``least_labour``, ``crash_basis``, ...).

    Returns
    -------
    PlanResult
        The plan of the remaining periods; ``provenance["replan"]`` holds the period, the
        policy and the target factors by product.

    Raises
    ------
    InputError
        When an argument is wrong: ``from_period`` not a period of the horizon after the
        first, a state of another period, an unknown policy, a spec with lead times.
    gosplan.errors.ValidationError
        When the state does not fit the spec (unknown activity or product, negative stock,
        a capacity-limited activity missing, ...), every problem at once.
    """
    new_spec = replan_spec(spec, state, from_period, policy=policy)
    result = optimise(new_spec, warm_start=previous, **options)
    targets = replan_targets(spec, state, from_period, policy=policy)
    factors = targets.groupby("product", sort=False)["factor"].first()
    record = {
        "from_period": int(from_period),
        "policy": policy,
        "original_spec": spec.name,
        "target_factors": {str(k): float(v) for k, v in factors.items()},
    }
    return replace(result, provenance={**result.provenance, "replan": record})


def _check_arguments(spec: PlanSpec, state: PlanState, from_period: Any, policy: str) -> int:
    """The position of ``from_period``, after checking every argument (InputError)."""
    require_spec(spec, "replan")
    if not isinstance(state, PlanState):
        raise InputError(
            f"replan needs a PlanState, got {type(state).__name__}",
            source="re-plan",
            label="state",
            check=Check.BAD_ARGUMENT,
        )
    if policy not in POLICIES:
        raise InputError(
            f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}",
            source="re-plan",
            label="policy",
            check=Check.BAD_ARGUMENT,
        )
    periods = spec.periods
    ok = isinstance(from_period, int | np.integer) and not isinstance(from_period, bool)
    k = periods.index(int(from_period)) if ok and int(from_period) in periods else -1
    if k < 1:
        raise InputError(
            f"from_period {from_period!r} is not a period of the horizon {periods[0]}–"
            f"{periods[-1]} after the first (to plan from the first, optimise the spec)",
            source="re-plan",
            label="from_period",
            check=Check.UNKNOWN_LABEL,
        )
    if state.period != int(from_period):
        raise InputError(
            f"the state is of the start of {state.period}, not of from_period {from_period}",
            source="re-plan",
            label="state",
            check=Check.BAD_ARGUMENT,
        )
    if spec.lead_time_of().any():
        raise InputError(
            "re-planning a spec with production lead times is not supported: output in "
            "transit at the start is not part of the state",
            source="re-plan",
            label="lead_times",
            check=Check.BAD_ARGUMENT,
        )
    return k


def replan_targets(
    spec: PlanSpec, state: PlanState, from_period: int, *, policy: Policy = "keep"
) -> pd.DataFrame:
    """The targets of the remaining periods under ``policy`` (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per target from ``from_period`` on: ``product``, ``period``, ``original``
        (the spec's target), ``target`` (the re-plan's), ``planned`` (the product's targets
        before ``from_period``), ``achieved`` (the state's output so far), ``deficit``
        (``max(planned - achieved, 0)``) and ``factor`` (``target / original``), plus the
        spec's ``priority`` where it has one.
    """
    _check_arguments(spec, state, from_period, policy)
    t = spec.targets
    if not len(t):
        return pd.DataFrame(columns=list(TARGET_COLUMNS))
    period = t["period"].to_numpy(int)
    value = t["target"].to_numpy(float)
    product = t["product"].astype(str)
    before = pd.Series(np.where(period < from_period, value, 0.0)).groupby(product.to_numpy()).sum()
    after = pd.Series(np.where(period >= from_period, value, 0.0)).groupby(product.to_numpy()).sum()
    achieved = state.achieved.reindex(before.index).fillna(0.0)
    deficit = np.maximum(before - achieved, 0.0)
    if policy == "keep":
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = (1.0 + deficit / after).where(after > 0, 1.0)
        lost = deficit[(after <= 0) & (deficit > 0)]
        if len(lost):
            log.warning(
                "re-plan from %s: no later target to load the deficit of %s onto",
                from_period,
                ", ".join(map(str, lost.index[:5])),
            )
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.minimum(achieved / before, 1.0).where(before > 0, 1.0)
    keep = period >= from_period
    out = pd.DataFrame(
        {
            "product": t["product"].to_numpy(object)[keep],
            "period": period[keep],
            "original": value[keep],
        }
    )
    names = product.to_numpy()[keep]
    out["target"] = out["original"] * factor.reindex(names).to_numpy(float)
    out["planned"] = before.reindex(names).to_numpy(float)
    out["achieved"] = achieved.reindex(names).to_numpy(float)
    out["deficit"] = deficit.reindex(names).to_numpy(float)
    out["factor"] = factor.reindex(names).to_numpy(float)
    if "priority" in t.columns:
        out["priority"] = t["priority"].to_numpy()[keep]
    return out


def replan_spec(
    spec: PlanSpec, state: PlanState, from_period: int, *, policy: Policy = "keep"
) -> PlanSpec:
    """The spec of the periods from ``from_period`` on, from ``state`` (module docstring).

    Raises
    ------
    InputError, gosplan.errors.ValidationError
        As :func:`replan`.
    """
    k = _check_arguments(spec, state, from_period, policy)
    state.check(spec)
    periods = spec.periods[k:]
    targets = replan_targets(spec, state, from_period, policy=policy)
    changes: dict[str, Any] = {
        "periods": periods,
        "name": f"{spec.name} re-planned from {from_period}",
        "vintages": state.capacity.copy(),
        "construction_in_progress": state.construction_in_progress.copy(),
        "initial_stocks": state.stocks_table(),
        "targets": targets.drop(columns=["original", "planned", "achieved", "deficit", "factor"]),
    }
    for name in _PERIOD_TABLES[1:]:
        changes[name] = _from(getattr(spec, name), from_period)
    if "period" in spec.assortment.columns:
        changes["assortment"] = _from(spec.assortment, from_period)
    changes["objective_weights"] = _from(
        spec.objective_weights, from_period, blank=True, end=spec.periods[-1] + 1
    )
    changes.update(_terminal(spec))
    changes.update(
        _long_lags(spec, state, periods, _from(spec.investment_limits, from_period, True))
    )
    return replace(spec, **changes).validated()  # type: ignore[arg-type]


def _from(
    table: pd.DataFrame, from_period: int, blank: bool = False, end: int | None = None
) -> pd.DataFrame:
    """The rows of ``table`` of the periods from ``from_period`` on (``blank``: and blanks)."""
    if not len(table) or "period" not in table.columns:
        return table.copy()
    period = pd.to_numeric(table["period"], errors="coerce")
    keep = (period >= from_period).to_numpy()
    if blank:
        keep |= period.isna().to_numpy()
    if end is not None:
        keep |= (period == end).to_numpy()
    return table[keep].reset_index(drop=True)


def _terminal(spec: PlanSpec) -> dict[str, Any]:
    """``terminal_growth`` as terminal capacity rows on the original plan's initial capacity."""
    if spec.terminal_growth is None:
        return {}
    data = PlanData(spec)
    labels = spec.economy.activity_labels[data.capped]
    need = pd.Series(spec.terminal_growth * data.initial_capacity, index=labels)
    if len(spec.terminal_capacity):
        given = spec.terminal_capacity.groupby("activity")["capacity"].max()
        need = pd.concat([need, given], axis=1).max(axis=1)
    table = pd.DataFrame({"activity": need.index.to_numpy(object), "capacity": need.to_numpy()})
    return {"terminal_growth": None, "terminal_capacity": table}


def _long_lags(
    spec: PlanSpec, state: PlanState, periods: tuple[int, ...], limits: pd.DataFrame
) -> dict[str, Any]:
    """Lags not shorter than the remaining horizon: investment barred (module docstring)."""
    eco, T = spec.economy, len(periods)
    lag = spec.lag_of()
    capped = np.isfinite(np.asarray(eco.capacity, float))
    capped |= eco.activity_labels.isin(state.capacity["activity"])
    lags = pd.DataFrame({"activity": eco.activity_labels.to_numpy(object), "lag": lag})
    long = lag >= T
    bar = eco.activity_labels[long & capped]
    keep_rows = capped | ~long  # uncapped activities have no investment: their lag is moot
    construction = spec.construction
    if len(construction):
        construction = construction[
            construction["activity"].isin(eco.activity_labels[capped])
        ].reset_index(drop=True)
    out: dict[str, Any] = {
        "lags": lags[keep_rows].reset_index(drop=True),
        "default_lag": int(min(spec.default_lag, max(T - 1, 0))),
        "construction": construction,
        "investment_limits": limits,
    }
    if len(bar):
        barred = pd.DataFrame({"activity": bar.to_numpy(object), "period": np.nan, "max": 0.0})
        out["investment_limits"] = pd.concat([limits, barred], ignore_index=True)
    return out
