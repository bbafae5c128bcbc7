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
    unit of ratio of the first is a hundred times cheaper to make. Priorities scale the
    slopes: a target of priority ``p`` is met in full before one of priority below ``p / 4``
    gets anything.
``max_consumption``
    Maximise ``sum_t (1 + discount)^-t sum_p weight_p c[p, t]`` (weights default to total
    labour values, else 1), subject to the targets and the terminal capacity requirement
    (``terminal_capacity`` or ``terminal_growth``). Without one the plan is myopic at the end:
    it builds nothing that bears fruit only after the horizon and lets retiring capacity go
    (Feldman's model, with a fixed ``investment_share``, is meant this way); a warning is
    logged when the economy could invest.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from gosplan.plan import blocks as bk
from gosplan.plan.assemble import LP, assemble
from gosplan.plan.layout import Layout, PlanData, base_layout

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


#: Segments ``(a, b)`` of the harmony ``h(r) = min_k (a_k + b_k r)``.
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
        bk.investment_share(data, lay),
        bk.harmony(data, lay, HARMONY_SEGMENTS),
        bk.level_links(data, lay),
    ]


def labour_cost(data: PlanData) -> np.ndarray:
    """Total labour per unit of every activity, laid out over the periods (x columns)."""
    per = np.asarray(data.Lab.sum(axis=0)).ravel()
    return np.tile(per, data.T)


def consumption_weights(data: PlanData) -> np.ndarray:
    """Discounted weight of every consumption column ``c[p, t]``."""
    spec = data.spec
    if spec.consumption_weights is not None:
        w = data.eco.align_products(pd.Series(spec.consumption_weights), "consumption weights")
    elif data.labour_values is not None:
        w = data.labour_values
    else:
        w = np.ones(data.n_p)
    disc = (1.0 + spec.discount) ** -np.arange(data.T, dtype=float)
    return np.kron(disc, w)


def _warn_without_terminal_requirement(data: PlanData) -> None:
    """Say so when ``max_consumption`` may run capacity down at the end of the horizon."""
    spec = data.spec
    has_requirement = len(spec.terminal_capacity) > 0 or spec.terminal_growth is not None
    if has_requirement or not (np.asarray(data.inv_upper) > 0).any():
        return
    log.warning(
        "plan %r maximises consumption without a terminal capacity requirement "
        "(terminal_capacity or terminal_growth): nothing will be built that bears fruit only "
        "after the horizon, and capacity retiring at the end is not replaced",
        spec.name,
    )


def formulate(data: PlanData, kind: str | None = None) -> LP:
    """The LP of a plan's objective (``kind`` defaults to the spec's objective).

    Parameters
    ----------
    data
        Arrays of the validated spec.
    kind
        ``"max_level"``, ``"min_labour"``, ``"harmony"`` or ``"max_consumption"``.

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
    elif kind not in ("min_labour", "max_consumption"):
        raise ValueError(f"unknown objective {kind!r}")
    cost = np.zeros(lay.n)
    if kind == "max_level":
        cost[lay.slice("level")] = 1.0
    elif kind == "min_labour":
        cost[lay.slice("x")] = labour_cost(data)
    elif kind == "harmony":
        cost[lay.slice("harmony")] = data.target_priority
    else:
        cost[lay.slice("c")] = consumption_weights(data)
        _warn_without_terminal_requirement(data)
    blocks = common_blocks(data, lay, target_mode)
    return assemble(lay, blocks, cost, maximise=kind != "min_labour")
