"""An adopted plan run forward on its calendar: months (or days) of the plan's years.

``simulate(spec, result, step="month")`` (:func:`simulate_plan`) turns an optimal plan into
the schedule of a :class:`~gosplan.run.simulate.Simulation` and runs it:

* **products and technique**: one technique per product, the mix of the product's
  activities in the plan (each weighted by its level over the horizon; a product the plan
  does not make keeps its activities in equal parts), so an economy with several
  techniques per product runs at product level; activity levels are the product's output
  times the activity's share of it;
* **final demand** per step: the plan's net output ``(I - A) x`` of the period (``x`` its
  gross output) over the steps of a period, shared among the final users ``households``
  (consumption), ``investment``, ``state`` (fixed final demand: defence, contracted exports,
  other final use) and ``stock building`` (stock building and net exports) in proportion to
  the plan's positive final uses of the product (none: all to ``stock building``);
  negative net output (a product drawn from stocks or imports) counts as 0;
* **capacity** per step: the plan's capacity of the product's activities over the steps of
  a period (unlimited activities: no limit), never below the equilibrium output (the
  averaged technique may need a little more than the plan's own mix);
* **labour**: the labour available of the spec per period over its steps (types not
  limited: no limit), never below what the equilibrium needs; ``labour=False`` ignores it;
* **stocks** in days of use (``stock_days``, default 60) with a restoration time in days
  (``restoration``, default 45), each at least one step;
* **counter-plans** (the part-1 table, :func:`gosplan.run.counter_plans.read_counter_plans`)
  become ``counter_plan`` shocks for their period: the enterprise's product gets capacity
  and final demand raised by the extra output, nothing upstream — ``accept="all"``: every
  counter-plan in full, accepted without its inputs (the 1929–30 practice);
  ``accept="checked"``: each by the share that the check against the plan's slack accepts
  (:func:`~gosplan.run.counter_plans.check_counter_plan`, mode ``"commit"``).

Shocks (:mod:`gosplan.run.shocks`) may give ``date`` (``"1931"``, ``"1931-07"`` or
``"1931-07-15"``) instead of ``from_step``, and ``enterprise`` instead of ``product``: an
enterprise's loss is its share of the product's capacity. ``recovery`` counts steps.

The result adds to the product tables the final users (``final``), the activities, the
enterprises (each enterprise's output and capacity are its activity's in proportion to its
capacity, its own shocks included — exact for one enterprise shocked at a time in a product;
its limit is its product's) and the calendar.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.balance.solvers import solve_leontief
from gosplan.core.checks import Check, Problems
from gosplan.core.control_figures import label_column
from gosplan.core.enterprises import enterprises_of
from gosplan.core.plan_result import PlanResult
from gosplan.core.progress import Progress
from gosplan.core.simulation_result import SimulationResult
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.run.shocks import Shocks, shock_set
from gosplan.run.simulate import (
    Schedule,
    Simulation,
    rationing_rule,
    run,
    stock_settings,
)

#: Steps per period (a year) of each step length.
STEPS_PER_PERIOD = {"month": 12, "day": 365}
#: The final users of a plan.
USERS = ("households", "investment", "state", "stock building")
#: Default stock target and restoration time of a plan's run, in days.
PLAN_STOCK_DAYS, PLAN_RESTORATION = 60.0, 45.0
#: How counter-plans are accepted.
ACCEPT = ("all", "checked")


@dataclass(frozen=True)
class PlanFrame:
    """What an adopted plan asks of every product, period by period, at product level.

    Attributes
    ----------
    technology, labour
        The square technology (products x products) and labour (types x products) of the
        plan's mix of techniques.
    mix
        Each activity's share of its product's output.
    final
        ``P x F x n``: final demand per period by user (:data:`USERS`) and product.
    capacity, activity_capacity
        ``P x n`` and ``P x n_activities``: capacity per period (``inf``: unlimited).
    labour_available
        ``P x m`` per period (``inf``: not limited), or ``None``.
    """

    technology: sp.csc_array
    labour: sp.csc_array | None
    mix: np.ndarray
    final: np.ndarray
    capacity: np.ndarray
    activity_capacity: np.ndarray
    labour_available: np.ndarray | None


def plan_frame(
    spec: PlanSpec, result: PlanResult, *, labour: bool = True, periods: list[Any] | None = None
) -> PlanFrame:
    """The plan at product level (see the module) over ``periods``; an optimal plan only."""
    if not result.optimal:
        raise InputError(
            f"a simulation runs an adopted plan; this one is {result.status}",
            source="plan",
            check=Check.BAD_ARGUMENT,
        )
    eco = spec.economy
    periods = list(result.periods) if periods is None else periods
    made = eco.activity_product
    levels = _table(result.activity_levels, eco.activity_labels, periods, 0.0)
    mix = _mix(levels.sum(axis=1), made, eco.n_products)
    to_product = sp.csc_array(
        (mix, (np.arange(eco.n_activities), made)), shape=(eco.n_activities, eco.n_products)
    )
    technology = sp.csc_array(eco.technology @ to_product)
    lab = None if eco.labour is None else sp.csc_array(eco.labour @ to_product)
    output = _table(result.output, eco.product_labels, periods, 0.0).T
    net = np.maximum(output - (technology @ output.T).T, 0.0)
    final = net[:, None, :] * _user_shares(result, eco.product_labels, periods)
    act_cap = _table(result.capacity, eco.activity_labels, periods, np.inf).T
    capacity = np.stack(
        [
            np.bincount(made, weights=row, minlength=eco.n_products)
            for row in np.nan_to_num(act_cap, posinf=1e300)
        ]
    )
    capacity = np.where(capacity >= 1e299, np.inf, capacity)
    available = None
    if labour and lab is not None and len(spec.labour_available):
        available = _labour_table(spec, eco.labour_types, periods)
    return PlanFrame(technology, lab, mix, final, capacity, act_cap, available)


def labour_values(spec: PlanSpec, result: PlanResult) -> pd.Series:
    """Labour (all types) per unit of every product at the plan's mix of techniques.

    ``v = l (I - A)^-1`` with the product-level technology and labour of :func:`plan_frame`:
    the weights that add unlike products up (unmet demand, say).
    """
    frame = plan_frame(spec, result, labour=False)
    labels = pd.Index([str(p) for p in spec.economy.product_labels], name="product")
    if frame.labour is None:
        return pd.Series(1.0, index=labels, name="labour_value")
    direct = np.asarray(frame.labour.sum(axis=0)).ravel()
    values = solve_leontief(frame.technology, direct, transpose=True).x
    return pd.Series(np.asarray(values, float), index=labels, name="labour_value")


def _table(frame: pd.DataFrame, labels: pd.Index, periods: list[Any], fill: float) -> np.ndarray:
    """A result table (labels x periods) as an array in the economy's order."""
    index = pd.Index([str(p) for p in labels])
    if frame is None or not len(frame):
        return np.full((len(labels), len(periods)), fill)
    table = frame.copy()
    table.index = [str(p) for p in table.index]
    return table.reindex(index=index, columns=periods).fillna(fill).to_numpy(dtype=float)


def _mix(levels: np.ndarray, made: np.ndarray, n: int) -> np.ndarray:
    """Each activity's share of its product's output (equal shares where none is run)."""
    total = np.bincount(made, weights=levels, minlength=n)
    count = np.bincount(made, minlength=n).astype(float)
    return np.where(
        total[made] > 0, levels / np.where(total[made] > 0, total[made], 1.0), 1.0 / count[made]
    )


def _user_shares(result: PlanResult, labels: pd.Index, periods: list[Any]) -> np.ndarray:
    """``P x F x n``: each final user's share of a product's final use in a period."""
    n, out = len(labels), np.zeros((len(periods), len(USERS), len(labels)))
    uses = result.final_use
    index = pd.Index([str(p) for p in labels])
    parts = {
        "households": ("consumption",),
        "investment": ("investment",),
        "state": ("fixed", "other_final_use"),
        "stock building": ("stock_building", "net_exports"),
    }
    for p, period in enumerate(periods):
        rows = uses[uses["period"] == period]
        pos = index.get_indexer(pd.Index([str(x) for x in rows["product"]]))
        keep = pos >= 0
        for f, user in enumerate(USERS):
            values = sum(
                np.maximum(pd.to_numeric(rows[c]).to_numpy(float), 0.0) for c in parts[user]
            )
            out[p, f, pos[keep]] = np.asarray(values)[keep]
    total = out.sum(axis=1, keepdims=True)
    share = np.divide(out, total, out=np.zeros_like(out), where=total > 0)
    share[:, USERS.index("stock building"), :] += (total[:, 0, :] <= 0).reshape(len(periods), n)
    return share


def _labour_table(spec: PlanSpec, types: pd.Index, periods: list[Any]) -> np.ndarray:
    table = spec.labour_available
    out = np.full((len(periods), len(types)), np.inf)
    kind = pd.Index([str(t) for t in types])
    for _, row in table.iterrows():
        h = kind.get_loc(str(row["labour_type"])) if str(row["labour_type"]) in kind else -1
        if h >= 0 and row["period"] in periods:
            out[periods.index(row["period"]), h] = float(row["available"])
    return out


def period_start(period: int, year_start: int) -> dt.date:
    """The first day of a plan period: 1 January, or 1 ``year_start`` of the year before.

    A period is labelled by the year in which it ends (the Soviet economic year 1928/29,
    1 October 1928 to 30 September 1929, is period 1929 with ``year_start=10``).
    """
    if year_start == 1:
        return dt.date(int(period), 1, 1)
    return dt.date(int(period) - 1, year_start, 1)


def step_starts(periods: list[Any], step: str, year_start: int = 1) -> list[dt.date]:
    """The first day of every step of a run (a month, or a day of a 365-day period)."""
    out: list[dt.date] = []
    for period in periods:
        first = period_start(period, year_start)
        if step == "month":
            months = [first.month - 1 + m for m in range(12)]
            out.extend(dt.date(first.year + m // 12, m % 12 + 1, 1) for m in months)
        else:
            out.extend(first + dt.timedelta(days=d) for d in range(STEPS_PER_PERIOD[step]))
    return out


def calendar(periods: list[Any], step: str, year_start: int = 1) -> pd.DataFrame:
    """Columns ``step, period, date`` (the first day of every step) of a run."""
    k = STEPS_PER_PERIOD[step]
    starts = step_starts(periods, step, year_start)
    text = [d.isoformat()[:7] if step == "month" else d.isoformat() for d in starts]
    return pd.DataFrame(
        {
            "step": np.arange(len(starts), dtype=np.int64),
            "period": np.repeat(np.asarray(periods, dtype=np.int64), k),
            "date": label_column(pd.Series(text)),
        }
    )


@dataclass(frozen=True)
class _Context:
    """What converting shocks and counter-plans needs to know of the run."""

    products: pd.Index
    enterprises: pd.DataFrame
    enterprise_share: np.ndarray
    enterprise_product: np.ndarray
    calendar: pd.DataFrame
    periods: list[Any]
    k: int
    capacity: np.ndarray
    mix: np.ndarray
    starts: list[dt.date]
    year_start: int


def _context(
    spec: PlanSpec, frame: PlanFrame, periods: list[Any], step: str, year_start: int
) -> _Context:
    eco = spec.economy
    table = enterprises_of(eco)
    acts = pd.Index([str(a) for a in eco.activity_labels])
    act = acts.get_indexer(pd.Index([str(a) for a in table["activity"]]))
    cap = pd.to_numeric(table["capacity"], errors="coerce").fillna(0.0).to_numpy(float)
    per_act = np.bincount(act, weights=cap, minlength=len(acts))
    count = np.bincount(act, minlength=len(acts)).astype(float)
    within = np.where(
        per_act[act] > 0, cap / np.where(per_act[act] > 0, per_act[act], 1.0), 1.0 / count[act]
    )
    made = eco.activity_product[act]
    # an enterprise's share of its product's capacity: its share of the activity, times the
    # activity's share of the product's capacity in the first period
    act_cap = np.nan_to_num(frame.activity_capacity[0], posinf=0.0)
    prod_cap = np.bincount(eco.activity_product, weights=act_cap, minlength=eco.n_products)
    act_share = np.where(
        prod_cap[made] > 0,
        act_cap[act] / np.where(prod_cap[made] > 0, prod_cap[made], 1.0),
        frame.mix[act],
    )
    return _Context(
        products=pd.Index([str(p) for p in eco.product_labels]),
        enterprises=table.assign(_activity=act, _within=within),
        enterprise_share=within * act_share,
        enterprise_product=made,
        calendar=calendar(periods, step, year_start),
        periods=periods,
        k=STEPS_PER_PERIOD[step],
        capacity=frame.capacity,
        mix=frame.mix,
        starts=step_starts(periods, step, year_start),
        year_start=year_start,
    )


def _step_of(value: Any, ctx: _Context) -> int | None:
    """The step of a date; ``None``: not in the run.

    ``YYYY`` is a period (its first step), ``YYYY-MM`` a month, ``YYYY-MM-DD`` a day.
    """
    text = str(value).strip()
    try:
        parts = [int(x) for x in text.split("-")]
        year, month, day = [*parts, 1, 1][:3]
        when = dt.date(year, month, day)
    except (ValueError, TypeError):
        return None
    if len(parts) == 1:
        return ctx.periods.index(year) * ctx.k if year in ctx.periods else None
    starts = ctx.starts
    if when < starts[0] or when >= period_start(ctx.periods[-1] + 1, ctx.year_start):
        return None
    return bisect.bisect_right(starts, when) - 1


def _plan_shocks(
    table: pd.DataFrame | None, ctx: _Context, problems: Problems
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """A plan's shocks in the form of a plain run, and the enterprises' own shocks."""
    none = pd.DataFrame(
        {"enterprise": [], "from_step": [], "share": [], "recovery": [], "curve": []}
    )
    if table is None or not len(table):
        return table, none
    source = str(table.attrs.get("source", "shocks"))
    out = table.copy().reset_index(drop=True)
    names = [
        str(v)
        for v in (
            out["enterprise"]
            if "enterprise" in out.columns
            else out.get("product", pd.Series([""] * len(out)))
        )
    ]
    if "date" in out.columns:
        steps = [_step_of(v, ctx) for v in out["date"]]
        horizon = f"{ctx.periods[0]}–{ctx.periods[-1]}; write 1931, 1931-07 or 1931-07-15"
        problems.add_rows(
            np.array([s is None for s in steps]),
            lambda r: f"a shock's date {out['date'][r]!r} is not in the plan's horizon ({horizon})",
            source=source,
            labels=names,
            check=Check.PERIOD_OUTSIDE_PLAN,
        )
        out["from_step"] = [0 if s is None else s for s in steps]
    own = none
    if "enterprise" in out.columns:
        out, own = _enterprise_shocks(out, ctx, problems, source)
    out.attrs["source"] = source
    return out, own


def _enterprise_shocks(
    out: pd.DataFrame, ctx: _Context, problems: Problems, source: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows naming an enterprise become shocks on its product, scaled by its share."""
    given = out["enterprise"].notna() & (out["enterprise"].astype(str).str.strip() != "")
    names = pd.Index([str(e) for e in ctx.enterprises["enterprise"]])
    pos = names.get_indexer(pd.Index([str(e) for e in out["enterprise"]]))
    labels = [str(v) for v in out["enterprise"]]
    problems.add_rows(
        given.to_numpy() & (pos < 0),
        "a shock for an enterprise the economy does not have",
        source=source,
        labels=labels,
        check=Check.UNKNOWN_ENTERPRISE,
    )
    hit = given.to_numpy() & (pos >= 0)
    out = out.copy()
    if "product" not in out.columns:
        out["product"] = ""
    product = np.array(out["product"].astype(object), dtype=object)
    product[hit] = ctx.products[ctx.enterprise_product[pos[hit]]]
    out["product"] = product
    share = (
        pd.to_numeric(out.get("share"), errors="coerce")
        if "share" in out.columns
        else pd.Series(np.nan, index=out.index)
    )
    own = pd.DataFrame(
        {
            "enterprise": pos[hit],
            "from_step": out.loc[hit, "from_step"].to_numpy(),
            "share": share[hit].to_numpy(float),
            "recovery": pd.to_numeric(out["recovery"], errors="coerce").fillna(0)[hit].to_numpy()
            if "recovery" in out.columns
            else 0.0,
            "curve": out["curve"][hit].to_numpy() if "curve" in out.columns else "",
        }
    )
    scale = np.ones(len(out))
    scale[hit] = ctx.enterprise_share[pos[hit]]
    for col in ("share", "share_min", "share_max"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce") * scale
    return out, own


def _counter_plan_shocks(
    spec: PlanSpec,
    result: PlanResult,
    table: pd.DataFrame | None,
    accept: str,
    ctx: _Context,
    problems: Problems,
) -> pd.DataFrame | None:
    """Counter-plans as ``counter_plan`` shocks for their period (see the module)."""
    if table is None or not len(table):
        return None
    from gosplan.run.counter_plans import check_counter_plan

    check = check_counter_plan(result, spec, table, mode="commit")
    accepted = dict(
        zip(check.summary["counter_plan"].astype(str), check.summary["accepted_share"], strict=True)
    )
    source = str(table.attrs.get("source", "counter-plans"))
    names = pd.Index([str(e) for e in ctx.enterprises["enterprise"]])
    rows = []
    for _, row in table.reset_index(drop=True).iterrows():
        e = names.get_indexer([str(row["enterprise"])])[0]
        period = row["period"]
        if e < 0 or period not in ctx.periods:
            continue  # the check above has reported it
        p, product = ctx.periods.index(period), int(ctx.enterprise_product[e])
        share = 1.0 if accept == "all" else float(accepted.get(str(row["counter_plan"]), 0.0))
        cap = ctx.capacity[p, product]
        extra = float(row["extra_output"]) * share
        if not np.isfinite(cap) or cap <= 0 or extra <= 0:
            continue
        rows.append(
            {
                "product": ctx.products[product],
                "from_step": p * ctx.k,
                "share": extra / cap,
                "recovery": ctx.k,
                "curve": "step",
                "kind": "counter_plan",
                "counter_plan": str(row["counter_plan"]),
            }
        )
    out = pd.DataFrame(
        rows, columns=["product", "from_step", "share", "recovery", "curve", "kind", "counter_plan"]
    )
    out.attrs["source"] = source
    return out


def prepare_plan(
    spec: PlanSpec,
    result: PlanResult,
    *,
    step: str = "month",
    stock_days: Any = PLAN_STOCK_DAYS,
    restoration: Any = PLAN_RESTORATION,
    shocks: pd.DataFrame | None = None,
    rationing: str = "proportional",
    classes: pd.DataFrame | None = None,
    counter_plans: pd.DataFrame | None = None,
    accept: str = "all",
    labour: bool = True,
    seed: int | None = None,
    periods: Any = None,
    year_start: int = 1,
) -> tuple[Simulation, _Context, pd.DataFrame]:
    """The checked options of :func:`simulate_plan`: simulation, context, own shocks."""
    problems = Problems()
    if step not in STEPS_PER_PERIOD:
        raise InputError(
            f"unknown step {step!r}; choose {', '.join(STEPS_PER_PERIOD)}",
            source="step",
            check=Check.BAD_OPTION,
        )
    if accept not in ACCEPT:
        raise InputError(
            f"unknown acceptance {accept!r}; choose {', '.join(ACCEPT)}",
            source="accept",
            check=Check.BAD_OPTION,
        )
    periods = _periods(result, periods)
    frame = plan_frame(spec, result, labour=labour, periods=periods)
    ctx = _context(spec, frame, periods, step, _year_start(year_start))
    labels, k = ctx.products, ctx.k
    days, tau = stock_settings(stock_days, restoration, labels, problems, per_step=365.0 / k)
    table, own = _plan_shocks(shocks, ctx, problems)
    promised = _counter_plan_shocks(spec, result, counter_plans, accept, ctx, problems)
    if promised is not None and len(promised):
        table = promised if table is None else pd.concat([table, promised], ignore_index=True)
        table.attrs["source"] = str(
            (shocks if shocks is not None else promised).attrs.get("source", "shocks")
        )
    types = pd.Index([str(h) for h in spec.economy.labour_types])
    limited = (
        np.zeros(len(types), bool)
        if frame.labour_available is None
        else np.isfinite(frame.labour_available).any(axis=0)
    )
    steps = len(periods) * k
    shock_table = shock_set(
        table, labels, types, limited, steps, problems, seed=seed, period_steps=k
    )
    users = pd.Index(list(USERS))
    priority = rationing_rule(rationing, classes, labels, users, problems)
    problems.raise_if_any()
    schedule = _schedule(frame, ctx, k)
    sim = Simulation(
        frame.technology,
        schedule,
        days,
        tau,
        shock_table,
        labour=frame.labour if schedule.labour is not None else None,
        rationing=rationing,
        priority=priority,
    )
    sim.labels, sim.labour_types, sim.economy = labels, types, spec.economy
    sim.info = {
        "plan": spec.name,
        "step": step,
        "periods": f"{periods[0]}–{periods[-1]}",
        "counter_plans": 0 if promised is None else len(promised),
        "accept": accept,
    }
    return sim, ctx, own


def _year_start(month: Any) -> int:
    """The month a plan period starts in, checked (1 to 12)."""
    if not isinstance(month, int | np.integer) or isinstance(month, bool) or not 1 <= month <= 12:
        raise InputError(
            f"year_start is the month a period starts in, 1 to 12, not {month!r}",
            source="year_start",
            check=Check.OUT_OF_RANGE,
        )
    return int(month)


def _periods(result: PlanResult, periods: Any) -> list[Any]:
    """The plan periods to run: all, or a run of consecutive ones the plan has."""
    every = list(result.periods)
    if periods is None:
        return every
    wanted = [int(p) for p in periods]
    missing = [p for p in wanted if p not in every]
    if missing or not wanted:
        raise InputError(
            f"periods {missing or wanted} are not periods of the plan ({every[0]}–{every[-1]})",
            source="periods",
            check=Check.PERIOD_OUTSIDE_PLAN,
        )
    first = every.index(wanted[0])
    return every[first : first + len(wanted)]


def _schedule(frame: PlanFrame, ctx: _Context, k: int) -> Schedule:
    """Per step: the plan's final demand, capacity and labour (see the module)."""
    final = frame.final / k
    eq = np.asarray(solve_leontief(frame.technology, final.sum(axis=1).T).x, float).T
    capacity = np.maximum(frame.capacity / k, eq)
    labour = None
    if frame.labour_available is not None and frame.labour is not None:
        need = (frame.labour @ eq.T).T
        labour = np.maximum(frame.labour_available / k, need)
    period = np.repeat(np.arange(len(ctx.periods), dtype=np.int64), k)
    return Schedule(
        period=period,
        final_demand=final,
        capacity=capacity,
        labour=labour,
        users=pd.Index(list(USERS)),
        equilibria=eq,
    )


def simulate_plan(
    spec: PlanSpec, result: PlanResult, *, progress: Progress | None = None, **options: Any
) -> SimulationResult:
    """Run an adopted plan forward on its calendar (see the module).

    Parameters
    ----------
    spec, result
        The plan's spec and its optimal result.
    **options
        ``step`` (``"month"`` or ``"day"``), ``stock_days`` and ``restoration`` (days, at
        least a step; one number or by product), ``shocks`` (a table,
        :mod:`gosplan.run.shocks`, with ``date`` or ``from_step`` and ``product`` or
        ``enterprise``), ``rationing`` and ``classes``
        (the orderers: products and the users :data:`USERS`), ``counter_plans`` (the part-1
        table) with ``accept`` (``"all"`` or ``"checked"``), ``labour`` (``False``: labour
        never limits), ``seed`` (draws of shock ranges), ``periods`` (consecutive periods
        of the plan to run; default all), ``year_start`` (the month a period starts in:
        1, or 10 for the Soviet economic year from 1 October, period 1929 = 1928/29) and
        ``replan`` (``None``, ``"keep"`` or
        ``"rescale"``: re-plan the rest of the horizon at the end of every period with that
        target policy, :mod:`gosplan.run.rolling`).
    progress
        Called as ``progress(fraction_done, message)`` as the steps run.

    Returns
    -------
    SimulationResult
        The products, limits, final users, activities, enterprises and calendar, step by step.

    Raises
    ------
    ValidationError
        Every problem with the options and the shocks at once (file, row and label).
    InputError
        An option that is unknown, a plan that is not optimal, a missing column.
    """
    policy = options.pop("replan", None)
    if policy is not None:
        from gosplan.run.rolling import simulate_replanning

        out, _ = simulate_replanning(
            spec, result, replan_policy=policy, progress=progress, **options
        )
        return out
    sim, ctx, own = prepare_plan(spec, result, **options)
    return finish(run(sim, progress), spec, sim, ctx, own)


def finish(
    out: SimulationResult, spec: PlanSpec, sim: Simulation, ctx: _Context, own: pd.DataFrame
) -> SimulationResult:
    """A plan's run with its activities, calendar and enterprises added."""
    out = replace(out, activities=_activities(out, spec, ctx), calendar=ctx.calendar)
    return replace(out, enterprises=_enterprises(out, sim, ctx, own))


def _activities(out: SimulationResult, spec: PlanSpec, ctx: _Context) -> pd.DataFrame:
    """Each activity's level (its share of its product's output) and capacity, per step."""
    eco = spec.economy
    made = eco.activity_product
    frame_mix = ctx.mix
    output = out.series("output")[list(ctx.products)].to_numpy()
    capacity = out.series("capacity")[list(ctx.products)].to_numpy()
    steps, n_act = output.shape[0], eco.n_activities
    acts = pd.Index([str(a) for a in eco.activity_labels])
    return pd.DataFrame(
        {
            "activity": label_column(
                pd.Categorical.from_codes(np.tile(np.arange(n_act), steps), acts)
            ),
            "product": label_column(pd.Categorical.from_codes(np.tile(made, steps), ctx.products)),
            "step": np.repeat(np.arange(steps, dtype=np.int64), n_act),
            "level": (output[:, made] * frame_mix).ravel(),
            "capacity": (capacity[:, made] * frame_mix).ravel(),
        }
    )


def _enterprises(
    out: SimulationResult, sim: Simulation, ctx: _Context, own: pd.DataFrame
) -> pd.DataFrame:
    """Each enterprise's output, capacity and limit per step (see the module)."""
    table = ctx.enterprises
    act = table["_activity"].to_numpy(np.int64)
    within = table["_within"].to_numpy(float)
    n_e, steps = len(table), out.steps
    levels = out.activities if len(out.activities) else None
    level = _activity_array(out, "level", levels, steps)
    act_cap = _activity_array(out, "capacity", levels, steps)
    shocks = _own_shocks(own)
    factor = (
        np.stack([shocks.factor(t, n_e) for t in range(steps)])
        if len(shocks)
        else np.ones((steps, n_e))
    )
    weight = within[None, :] * factor
    per_act = np.zeros((steps, level.shape[1]))
    np.add.at(per_act.T, act, weight.T)
    part = np.divide(weight, per_act[:, act], out=np.zeros_like(weight), where=per_act[:, act] > 0)
    limits = np.asarray(out.limits["limiting"].astype(str), dtype=object).reshape(steps, -1)
    names = pd.Index([str(e) for e in table["enterprise"]])
    acts = (
        pd.Index([str(a) for a in sim.economy.activity_labels])
        if sim.economy is not None
        else pd.Index([])
    )
    return pd.DataFrame(
        {
            "enterprise": label_column(
                pd.Categorical.from_codes(np.tile(np.arange(n_e), steps), names)
            ),
            "activity": label_column(pd.Categorical.from_codes(np.tile(act, steps), acts)),
            "step": np.repeat(np.arange(steps, dtype=np.int64), n_e),
            "output": (level[:, act] * part).ravel(),
            "capacity": (act_cap[:, act] * part).ravel(),
            "limiting": label_column(pd.Series(limits[:, ctx.enterprise_product].ravel())),
        }
    )


def _activity_array(
    out: SimulationResult, column: str, table: pd.DataFrame | None, steps: int
) -> np.ndarray:
    if table is None:
        return np.zeros((steps, 0))
    return table[column].to_numpy(float).reshape(steps, -1)


def _own_shocks(own: pd.DataFrame) -> Shocks:
    """The enterprises' own capacity shocks (positions in the enterprise table)."""
    if not len(own):
        return Shocks.none()
    curves = {"linear": 0, "exponential": 1, "step": 2}
    return Shocks(
        target=own["enterprise"].to_numpy(np.int64),
        start=own["from_step"].to_numpy(np.int64),
        share=np.nan_to_num(own["share"].to_numpy(float)),
        recovery=own["recovery"].to_numpy(float),
        curve=np.array([curves.get(str(c) or "linear", 0) for c in own["curve"]], dtype=np.int64),
    )
