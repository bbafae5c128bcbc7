"""The accumulation–consumption frontier: consumption now against capacity for later.

For each share ``gamma`` of capital spending that must go to activities making means of
production (the Feldman question; in the First Five-Year Plan about six sevenths of industrial
investment went to heavy industry), the plan is solved with ``objective="max_consumption"`` and
``investment_share=gamma``, and two figures are set against each other:

* **cumulative consumption**: ``sum_t sum_p w_p c[p, t]`` over the horizon, undiscounted, over
  the consumption goods only (the products of group ``consumer goods``: final use of means of
  production is accumulation or other final use, never consumption), with ``w`` the spec's
  consumption weights (default: the least-labour values of the products, the valuation of the
  objective, :mod:`gosplan.plan.valuation`);
* **terminal capacity**: the capacity of every capacity-limited activity at the end of the
  horizon (the period after the last, where the terminal requirement of the plan is measured:
  surviving initial stock plus every investment in service by then), valued at the
  least-labour value of the activity's product; and its part in activities making means of
  production.

With a ``population`` by period, ``consumption_per_head`` is ``sum_t C_t / N_t``: the
cumulative consumption per head, each period's consumption divided by that period's
population.

A share whose plan cannot be made is a point of the frontier like any other: its row carries
the plan's status (``infeasible``, ``unbounded``, ``time_limit``...) and NaN figures.
:func:`~gosplan.plan.optimise.optimise` reports an infeasible plan as a result with status
infeasible, never as an exception.

The points are independent plans (none starts from another's solution), so they can run
anywhere: one after the other in this process (the default), or as Dask tasks through the
engine of the ensembles (:func:`gosplan.engine.map_tasks`: the spec scattered once to
every worker, only the share travelling) with ``client=`` (a ``distributed.Client`` or a
scheduler address) or ``engine="dask"`` (a local cluster of worker processes for the call).
Both give the same plans, number for number: each point is the same :func:`optimise` call.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gosplan.core.economy import MEANS_OF_PRODUCTION
from gosplan.core.frontier_result import FRONTIER_COLUMNS as COLUMNS
from gosplan.core.frontier_result import FrontierResult
from gosplan.core.plan_result import PlanResult
from gosplan.core.progress import Progress
from gosplan.core.provenance import provenance
from gosplan.core.spec import PlanSpec
from gosplan.core.status import Status
from gosplan.errors import InputError
from gosplan.plan.arguments import SolveOptions, require_spec

if TYPE_CHECKING:
    from gosplan.plan.data import PlanData

logger = logging.getLogger(__name__)

#: Default shares: 1/7, 2/7, ..., 6/7.
DEFAULT_SHARES: tuple[float, ...] = tuple(k / 7 for k in range(1, 7))


def frontier(
    spec: PlanSpec,
    shares: Sequence[float] | None = None,
    *,
    population: pd.Series | None = None,
    progress: Progress | None = None,
    solver: str = "auto",
    tol: float = 1e-8,
    time_limit: float | None = None,
    verify: bool = True,
    least_labour: bool | None = None,
    crash_basis: bool = True,
    client: Any = None,
    engine: str | None = None,
    workers: int | None = None,
) -> FrontierResult:
    """Trace the accumulation–consumption frontier over investment shares.

    Parameters
    ----------
    spec
        The plan; its objective and investment share are replaced for each point.
    shares
        Shares of capital spending going to means of production, each in ``[0, 1]``
        (default ``1/7, 2/7, ..., 6/7``).
    population
        Population by period (a Series indexed by the plan's periods, positive), for
        consumption per head.
    progress
        Called as ``progress(fraction_done, message)`` after each share.
    solver, tol, time_limit, verify, least_labour, crash_basis
        As for :func:`gosplan.plan.optimise.optimise`, for the plan of every share.
    client
        A ``distributed.Client`` or a scheduler address: the points run there as Dask tasks
        (implies ``engine="dask"``).
    engine
        ``"serial"`` (the default without a client: in this process, in order) or
        ``"dask"`` (without a client: a local cluster of ``workers`` processes, default 2,
        for the call).
    workers
        Worker processes of that local cluster.

    Returns
    -------
    FrontierResult
        A row per share. A share whose plan is infeasible (or otherwise not optimal) is no
        exception: its row carries that status and NaN figures, as :func:`optimise` reports
        an infeasible plan as a result, never by raising.

    Raises
    ------
    InputError
        If ``spec`` is not a :class:`PlanSpec`, a share is outside ``[0, 1]``, the
        population does not cover every period, a solver option is out of range, or the
        engine is unknown. An unknown keyword is a ``TypeError``.
    """
    require_spec(spec, "frontier")
    opts = SolveOptions.checked(solver=solver, tol=tol, time_limit=time_limit)
    share_list = _shares(shares)
    heads = _population(population, spec)
    on_dask = _engine(engine, client) == "dask"
    options: dict[str, Any] = {"solver": opts.solver, "tol": opts.tol}
    options.update(time_limit=opts.time_limit, verify=verify, least_labour=least_labour)
    options["crash_basis"] = crash_basis
    shared: dict[str, Any] = {"spec": spec, "heads": heads, "options": options}
    points = _points(share_list, shared, progress, client if on_dask else None, workers, on_dask)
    results = [result for result, _ in points]
    table = pd.DataFrame([row for _, row in points], columns=list(COLUMNS))
    table["status"] = table["status"].astype(str)
    return FrontierResult(
        table=table,
        results=tuple(results),
        labour_unit=spec.economy.meta.labour_unit,
        provenance=provenance(spec, shares=share_list, **({"engine": "dask"} if on_dask else {})),
    )


def _points(
    shares: list[float],
    shared: dict[str, Any],
    progress: Progress | None,
    client: Any,
    workers: int | None,
    on_dask: bool,
) -> list[tuple[PlanResult, dict[str, Any]]]:
    """Every share's plan and row: in this process, in order, or as Dask tasks."""
    if on_dask:
        from gosplan.engine import map_tasks

        def tick(done: int, total: int, message: str) -> None:
            if progress is not None:
                progress(done / total, message)

        return map_tasks(
            solve_point, shares, shared, client=client, workers=workers, progress=tick,
            describe=lambda gamma: f"share {gamma:.4g}",
        )  # fmt: skip
    points = []
    for done, gamma in enumerate(shares, start=1):
        points.append(solve_point(gamma, **shared))
        if progress is not None:
            progress(done / len(shares), f"share {gamma:.4g}: {points[-1][0].status}")
    return points


def solve_point(
    gamma: float, *, spec: PlanSpec, heads: np.ndarray | None, options: dict[str, Any]
) -> tuple[PlanResult, dict[str, Any]]:
    """The plan of one share and its frontier row (a task of the Dask engine, or a loop step).

    ``options`` are the keyword arguments of :func:`~gosplan.plan.optimise.optimise`.
    """
    from gosplan.plan.optimise import optimise

    point = spec.with_changes(investment_share=gamma, objective="max_consumption")
    result = optimise(point, **options)
    logger.info("frontier share %.4f: %s", gamma, result.status)
    return result, _row(point, gamma, result, heads)


#: Engines of :func:`frontier`.
ENGINES = ("serial", "dask")


def _engine(engine: str | None, client: Any) -> str:
    """``"dask"`` with a client or when asked, else ``"serial"``; an unknown engine: error."""
    if engine is None:
        return "serial" if client is None else "dask"
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine {engine!r}; choose {', '.join(ENGINES)}", check="bad_option"
        )
    if engine == "serial" and client is not None:
        raise InputError("a client runs the points on Dask: give engine='dask' or no engine",
                         check="bad_option")  # fmt: skip
    return engine


def _shares(shares: object) -> list[float]:
    """The shares as floats in ``[0, 1]`` (default :data:`DEFAULT_SHARES`).

    Raises
    ------
    InputError
        If ``shares`` is not a sequence of numbers in ``[0, 1]``.
    """
    if shares is not None and (isinstance(shares, str) or not isinstance(shares, Iterable)):
        raise InputError(
            f"shares must be a sequence of numbers in [0, 1], got {type(shares).__name__} "
            f"{shares!r}",
            check="bad_argument",
        )
    try:
        share_list = [float(s) for s in (DEFAULT_SHARES if shares is None else shares)]
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"shares must be numbers in [0, 1] ({exc})", check="bad_argument"
        ) from None
    for s in share_list:
        if not 0.0 <= s <= 1.0:  # NaN fails too
            raise InputError(f"an investment share must be between 0 and 1, got {s}")
    return share_list


def _row(
    point: PlanSpec, gamma: float, result: PlanResult, heads: np.ndarray | None
) -> dict[str, Any]:
    """The frontier's row of one share: its status and, when optimal, its figures."""
    row: dict[str, Any] = {c: math.nan for c in COLUMNS}
    row.update(share=gamma, status=result.status)
    if result.status == Status.OPTIMAL:
        row.update(_figures(point, result, heads))
    return row


def _population(population: pd.Series | None, spec: PlanSpec) -> np.ndarray | None:
    if population is None:
        return None
    if not isinstance(population, pd.Series):
        raise InputError("population must be a pandas Series indexed by period")
    index = pd.Index(population.index)
    missing = [p for p in spec.periods if p not in index]
    if missing:
        raise InputError("population is missing a period of the plan", label=str(missing[0]))
    heads = population.reindex(list(spec.periods)).to_numpy(dtype=float)
    if not np.all(heads > 0):
        i = int(np.flatnonzero(~(heads > 0))[0])
        raise InputError("population must be positive", label=str(spec.periods[i]))
    return heads


def _figures(spec: PlanSpec, result: PlanResult, heads: np.ndarray | None) -> dict[str, float]:
    """Cumulative consumption (per head) and the value of the terminal capacity."""
    from gosplan.plan.data import PlanData
    from gosplan.plan.objectives import product_weights

    data = PlanData(spec)
    eco = spec.economy
    values = data.labour_values  # least-labour values: never physical units summed
    weights = product_weights(data)  # consumption goods only
    consumption = result.consumption.reindex(index=eco.product_labels, columns=list(spec.periods))
    per_period = weights @ consumption.to_numpy(dtype=float)
    out = {"cumulative_consumption": float(per_period.sum())}
    if heads is not None:
        out["consumption_per_head"] = float((per_period / heads).sum())
    end = terminal_capacity(spec, result, data)
    product = eco.activity_product[data.capped]
    value = end * values[product]
    mop = eco.products["group"].to_numpy()[product] == MEANS_OF_PRODUCTION
    out["terminal_capacity_value"] = float(value.sum())
    out["terminal_means_of_production_capacity"] = float(value[mop].sum())
    return out


def terminal_capacity(
    spec: PlanSpec, result: PlanResult, data: PlanData | None = None
) -> pd.Series:
    """Capacity of every capacity-limited activity at the end of the horizon.

    The end of the horizon is the period after the last: the initial stock surviving then
    plus the capacity made by every investment of the plan that is in service by then.

    Parameters
    ----------
    spec
        The plan's specification.
    result
        Its optimal :class:`~gosplan.core.plan_result.PlanResult`.
    data
        The spec's :class:`~gosplan.plan.data.PlanData`, if already built.

    Returns
    -------
    pandas.Series
        Indexed by activity (capacity-limited activities only).
    """
    from gosplan.plan.data import PlanData

    data = data if data is not None else PlanData(spec)
    acts = spec.economy.activity_labels[data.capped]
    inv = result.investment.reindex(index=acts, columns=list(spec.periods)).to_numpy(float)
    end = data.initial[:, data.T].astype(float).copy()
    for s in range(data.T):
        end += data.made_capacity(data.T, s) * inv[:, s]
    return pd.Series(end, index=acts, name="terminal_capacity")
