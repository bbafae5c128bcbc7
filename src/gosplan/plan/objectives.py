r"""The four objectives of a plan, each a layout of variables, a list of blocks and a cost.

``max_level``
    Kantorovich's common level: maximise ``level`` with consumption ``>= level * weight`` for
    the assortment (targets, if any, are then hard), or, without an assortment, gross output
    ``>= level * target`` for every target.
``min_labour``
    Meet every target; minimise total labour (all types) over the horizon.
``harmony``
    Maximise ``sum_k priority_k * h(r_k)`` with ``r_k = output_k / target_k`` and the strictly
    concave piecewise-linear harmony :func:`harmony_of`: its slope (the worth of one more unit
    of fulfilment ratio) is 1 just below the target and one more for each further quarter of
    the target missed (4, 3, 2, 1 on ``[0, 1/4], [1/4, 1/2], [1/2, 3/4], [3/4, 1]``), so

    .. math:: h(r) = \min(4r - 1.5,\; 3r - 1.25,\; 2r - 0.75,\; r,\;
              0.99 + 0.01 r,\; 1.01)

    (``h(0) = -1.5``, ``h(1/2) = 0.25``, ``h(1) = 1``): the interpolation at quarters of the
    quadratic ``1 - s/2 - 2 s^2`` of the shortfall ``s = 1 - r``. The steeper the shortfall,
    the more a unit of ratio is worth, so an LP spreads a shortage over the targets rather
    than leaving one far behind. Over-fulfilment earns 0.01 per unit of ratio, up to double
    the target, and nothing beyond: a hundredth of the least a shortfall costs, so over-
    fulfilling one target never pays for a shortfall in another of equal priority unless a
    unit of ratio of the first is more than a hundred times cheaper to make. Priorities scale
    the slopes: where a unit of fulfilment ratio of two targets costs the same resources, a
    target of priority ``p`` is met in full before one of priority below ``p / 4`` gets
    anything; in general the rule compares priorities per resource spent (``p / k`` against
    ``4 q / k'`` for ratios costing ``k`` and ``k'``).
``linear``
    The sum of ``objective_weights`` times the chosen quantities (output, activity levels,
    capacity, investment, employment, consumption, stocks), maximised or minimised
    (``sense``).
``max_consumption``
    Maximise ``sum_t (1 + discount)^-t sum_p weight_p c[p, t]`` over the consumption goods
    (weights default to their least-labour values, :mod:`gosplan.plan.valuation`; other final
    use of means of production is worth nothing), subject to the targets and the terminal
    requirement (``terminal_capacity``, ``terminal_growth`` or ``terminal = "static"``).
    Without one the plan is myopic at the end: it builds nothing that bears fruit only after
    the horizon and lets retiring capacity go (Feldman's model, with a fixed
    ``investment_share``, is meant this way).

Every objective logs a warning when the plan has no terminal requirement and the economy
could invest (a linear objective that weights the capacity at the end or the last stocks
excepted).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.spec import OBJECTIVE_QUANTITIES, PlanSpec
from gosplan.errors import InputError
from gosplan.plan import blocks as bk
from gosplan.plan.assemble import LP, assemble
from gosplan.plan.data import PlanData
from gosplan.plan.layout import Layout, base_layout

log = logging.getLogger(__name__)

#: Breakpoints of the harmony below the target (fulfilment ratios) and its slope on each
#: piece ending there: one more for each quarter of the target missed.
HARMONY_BREAKS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
HARMONY_SLOPES: tuple[float, ...] = (4.0, 3.0, 2.0, 1.0)
#: Worth of a unit of over-fulfilment (ratio above 1), up to :data:`HARMONY_CAP`.
HARMONY_OVER = 0.01
#: Fulfilment ratio beyond which over-fulfilment earns nothing.
HARMONY_CAP = 2.0


def _harmony_segments() -> list[tuple[float, float]]:
    """Lines ``(a, b)`` of the harmony, ``h(r) = min_k (a_k + b_k r)``, with ``h(1) = 1``."""
    segments = []
    right, value = 1.0, 1.0  # walk down from the target, piece by piece
    lefts = (0.0, *HARMONY_BREAKS[:-1])
    for left, slope in zip(reversed(lefts), reversed(HARMONY_SLOPES), strict=True):
        segments.append((value - slope * right, slope))
        value -= slope * (right - left)
        right = left
    segments.reverse()
    segments.append((1.0 - HARMONY_OVER, HARMONY_OVER))
    segments.append((1.0 + HARMONY_OVER * (HARMONY_CAP - 1.0), 0.0))
    return segments


#: Segments ``(a, b)`` of the harmony ``h(r) = min_k (a_k + b_k r)``; the rows of the harmony
#: block carry their position in this list as the dimension ``segment`` (in
#: ``PlanResult.duals``, ``binding`` and ``price_ranges``).
HARMONY_SEGMENTS: list[tuple[float, float]] = _harmony_segments()


def harmony_of(ratio: float | np.ndarray) -> float | np.ndarray:
    """The harmony ``h(r)`` of a fulfilment ratio (or an array of them)."""
    r = np.asarray(ratio, dtype=float)
    h = np.min([a + b * r for a, b in HARMONY_SEGMENTS], axis=0)
    return float(h) if h.ndim == 0 else h


def common_blocks(data: PlanData, lay: Layout, target_mode: str) -> list[bk.Block]:
    """Blocks every formulation shares, with the targets in the given mode."""
    return [
        bk.balance(data, lay),
        bk.labour(data, lay),
        bk.resources(data, lay),
        bk.capacity(data, lay),
        bk.floors(data, lay),
        bk.targets(data, lay, target_mode),
        bk.assortment(data, lay),
        bk.trade(data, lay),
        bk.terminal(data, lay),
        *bk.terminal_static(data, lay),
        bk.investment_share(data, lay),
        bk.harmony(data, lay, HARMONY_SEGMENTS),
        bk.level_links(data, lay),
    ]


def labour_cost(data: PlanData) -> np.ndarray:
    """Total labour per unit of every activity, laid out over the periods (x columns)."""
    per = np.asarray(data.labour.sum(axis=0)).ravel()
    return np.tile(per, data.T)


def labour_cost_of_plan(data: PlanData, lay: Layout) -> np.ndarray:
    """Total labour (all types, over the horizon) per unit of every column.

    The activities' labour on ``x`` and the construction labour on ``inv`` (spent within the
    horizon).
    """
    cost = np.zeros(lay.n)
    cost[lay.slice("x")] = labour_cost(data)
    if data.construction_coefficients.nnz and lay.has("inv"):
        cost[lay.slice("inv")] = np.asarray(data.construction_labour.sum(axis=0)).ravel()
    return cost


def product_weights(data: PlanData) -> np.ndarray:
    """Value of a unit of consumption of every product (economy order).

    The spec's ``consumption_weights`` (0 for products not listed), else the least-labour
    values of the consumption goods; other final use (of means of production) is worth 0.

    Raises
    ------
    ValuationError
        When no weights are given and no labour valuation can be computed.
    """
    spec = data.spec
    if spec.consumption_weights is not None:
        w = pd.Series(spec.consumption_weights, dtype=float).reindex(data.eco.product_labels)
        return w.fillna(0.0).to_numpy(float)
    return data.labour_values * data.consumption_goods


def consumption_weights(data: PlanData) -> np.ndarray:
    """Discounted weight of every consumption column ``c[p, t]``."""
    disc = (1.0 + data.spec.discount) ** -np.arange(data.T, dtype=float)
    return np.kron(disc, product_weights(data))


def _values_the_end(spec: PlanSpec) -> bool:
    """Whether a linear objective weights what is left at the end (capacity, last stocks)."""
    if spec.objective != "linear" or not len(spec.objective_weights):
        return False
    w = spec.objective_weights
    period = pd.to_numeric(w["period"], errors="coerce") if "period" in w.columns else None
    blank = period.isna() if period is not None else pd.Series(True, index=w.index)
    end = (w["quantity"] == "capacity") & (period == spec.periods[-1] + 1)
    stocks = (w["quantity"] == "stocks") & (blank | (period == spec.periods[-1]))
    return bool((end | stocks).any())


def _warn_without_terminal_requirement(data: PlanData, kind: str) -> None:
    """Say so when a plan may run capacity down at the end of the horizon."""
    spec = data.spec
    if spec.has_terminal_requirement() or not (np.asarray(data.inv_upper) > 0).any():
        return
    if kind == "linear" and _values_the_end(spec):
        return
    log.warning(
        "plan %r (%s) has no terminal requirement (terminal_capacity, terminal_growth or "
        'terminal = "static"): nothing will be built that bears fruit only after the '
        "horizon, capacity retiring at the end is not replaced, and final stocks are worth "
        "nothing",
        spec.name,
        kind,
    )


def _weight_positions(names: pd.Index, label: Any) -> np.ndarray:
    """Positions of a weight row's label among ``names`` (every position for a blank label)."""
    if label is None or pd.isna(label) or str(label).strip() == "":
        return np.arange(len(names))
    return np.array([names.get_loc(label)])


def _weight_periods(spec: PlanSpec, period: Any, T: int) -> list[int]:
    """Period positions a weight row applies to: all for a blank period, ``T`` for the end."""
    if period is None or pd.isna(period):
        return list(range(T))
    if int(period) == spec.periods[-1] + 1:  # the end of the horizon (capacity only)
        return [T]
    return [spec.periods.index(int(period))]


def _capped_positions(
    data: PlanData, q: str, pos: np.ndarray, names: pd.Index, row: int
) -> np.ndarray:
    """Positions among the capped activities of a capacity or investment row's activities.

    Raises
    ------
    InputError
        When the row names an activity whose capacity is not limited.
    """
    k = pd.Index(data.capped).get_indexer(pos)
    if len(pos) > 1:  # a blank label: every activity whose capacity is limited
        return k[k >= 0]
    if (k < 0).any():
        raise InputError(
            f"the {q} of an activity whose capacity is not limited cannot be weighted",
            source="plan spec: objective_weights",
            row=row + 2,
            label=str(names[pos[k < 0][0]]),
            check="unknown_label",
        )
    return k


def _weight_capped(
    data: PlanData, lay: Layout, cost: np.ndarray, q: str, w: float, t: int, k: np.ndarray
) -> float:
    """Add the weight of capped activities' investment or capacity in period ``t`` to ``cost``.

    Returns the part of the objective's constant it adds (the initial capacity weighted).
    """
    if q == "investment":
        cost[lay.slice("inv").start + t * data.n_c + k] += w
        return 0.0
    made = data.capacity_made(t)[k]
    cost[lay.slice("inv")] += w * np.asarray(made.sum(axis=0)).ravel()
    return w * float(data.initial[k, t].sum())


def _weight_employment(
    data: PlanData, lay: Layout, cost: np.ndarray, w: float, t: int, pos: np.ndarray
) -> float:
    """Add the weight of the employment of labour types ``pos`` in period ``t`` to ``cost``.

    Returns the constant: the weighted construction labour of construction in progress.
    """
    x0 = lay.slice("x").start
    lab = sp.csr_array(data.labour)[pos]
    cost[x0 + t * data.n_a : x0 + (t + 1) * data.n_a] += w * np.asarray(lab.sum(axis=0)).ravel()
    if data.construction_coefficients.nnz and lay.has("inv"):
        rows = t * len(data.eco.labour_types) + pos
        cost[lay.slice("inv")] += w * np.asarray(data.construction_labour[rows].sum(axis=0)).ravel()
    return w * float(data.in_progress_labour[pos, t].sum())


def _weight_flow(
    data: PlanData, lay: Layout, cost: np.ndarray, q: str, w: float, t: int, pos: np.ndarray
) -> None:
    """Add the weight of output, activity, consumption or stocks in period ``t`` to ``cost``."""
    x0 = lay.slice("x").start
    if q == "output":
        cost[x0 : x0 + data.n_a * data.T] += (
            w * np.asarray(data.delivered[t * data.n_p + pos].sum(axis=0)).ravel()
        )
    elif q == "activity":
        cost[x0 + t * data.n_a + pos] += w
    elif q == "consumption":
        cost[lay.slice("c").start + t * data.n_p + pos] += w
    elif q == "stocks":
        k = pd.Index(data.stored).get_indexer(pos)
        if lay.has("s"):
            cost[lay.slice("s").start + t * data.n_s + k[k >= 0]] += w


def linear_objective(data: PlanData, lay: Layout) -> tuple[np.ndarray, float]:
    """Cost vector and constant of the linear objective (``objective_weights``).

    Returns
    -------
    (numpy.ndarray, float)
        The weight of every column and the constant (initial capacity and the construction
        labour of construction in progress weighted).

    Raises
    ------
    InputError
        When a row weights a quantity the plan does not have (the capacity or investment of
        an activity whose capacity is not limited).
    """
    spec, eco = data.spec, data.eco
    cost = np.zeros(lay.n)
    constant = 0.0
    labels_of = {
        "product": eco.product_labels,
        "activity": eco.activity_labels,
        "labour_type": eco.labour_types,
    }
    for i, row in enumerate(spec.objective_weights.itertuples(index=False)):
        q = str(row.quantity)
        names = labels_of[OBJECTIVE_QUANTITIES[q]]
        pos = _weight_positions(names, getattr(row, "label", None))
        horizon = _weight_periods(spec, getattr(row, "period", None), data.T)
        w = float(row.weight)
        for t in horizon:
            if q in ("capacity", "investment"):
                k = _capped_positions(data, q, pos, names, i)
                constant += _weight_capped(data, lay, cost, q, w, t, k)
            elif q == "employment":
                constant += _weight_employment(data, lay, cost, w, t, pos)
            else:
                _weight_flow(data, lay, cost, q, w, t, pos)
    return cost, constant


def formulate(data: PlanData, kind: str | None = None, *, warn: bool = False) -> LP:
    """The LP of a plan's objective (``kind`` defaults to the spec's objective).

    Parameters
    ----------
    data
        Arrays of the validated spec.
    kind
        ``"max_level"``, ``"min_labour"``, ``"harmony"``, ``"max_consumption"`` or
        ``"linear"``.
    warn
        Log a warning when the plan has no terminal requirement (the planner's own call).

    Returns
    -------
    LP
    """
    kind = kind or data.spec.objective
    lay = base_layout(data)
    has_assortment = len(data.spec.assortment) > 0
    target_mode = "hard"
    if kind == "max_level":
        lay.add("level", 1)
        target_mode = "hard" if has_assortment else "level"
        uses = bk.assortment_rows(data) if has_assortment else data.n_targets
        lay.add("level_copy", bk.level_copies(uses))
    elif kind == "harmony":
        lay.add("harmony", data.n_targets, -np.inf, np.inf)
        target_mode = "none"
    elif kind not in ("min_labour", "max_consumption", "linear"):
        raise ValueError(f"unknown objective {kind!r}")
    cost = np.zeros(lay.n)
    constant = 0.0
    maximise = kind != "min_labour"
    if kind == "max_level":
        cost[lay.slice("level")] = 1.0
    elif kind == "min_labour":
        cost = labour_cost_of_plan(data, lay)
        constant = float(data.in_progress_labour.sum())  # construction in progress
    elif kind == "harmony":
        cost[lay.slice("harmony")] = data.target_priority
    elif kind == "linear":
        cost, constant = linear_objective(data, lay)
        maximise = data.spec.sense == "max"
    else:
        cost[lay.slice("c")] = consumption_weights(data)
    if warn:
        _warn_without_terminal_requirement(data, kind)
        if kind != "linear" and len(data.spec.objective_weights):
            log.warning(
                "plan %r: objective_weights are given but the objective is %r; they are not used",
                data.spec.name,
                kind,
            )
    blocks = common_blocks(data, lay, target_mode)
    return assemble(lay, blocks, cost, maximise=maximise, offset=constant)
