r"""The four objectives of a plan, each a layout of variables, a list of blocks and a cost.

``max_level``
    Kantorovich's common level: maximise ``level`` with consumption ``>= level * weight`` for
    the assortment (targets, if any, are then hard), or, without an assortment, gross output
    ``>= level * target`` for every target.
``min_labour``
    Meet every target; minimise total labour (all types) over the horizon.
``harmony``
    Maximise ``sum_k priority_k * h(r_k)`` with ``r_k = output_k / target_k`` and the concave
    piecewise-linear harmony

    .. math:: h(r) = \\min(2r - 1,\\; 1 + 0.1 (r - 1),\\; 1.1)

    i.e. a shortfall costs twice its ratio (``min(r, 1 + 0.1(r-1))`` less the penalty
    ``max(0, 1 - r)``), over-fulfilment earns a tenth, and nothing beyond double the target.
    A unit of ratio over-fulfilled is worth 0.1 and one short costs 2, so over-fulfilling one
    target can never hide a shortfall in another of comparable priority.
``max_consumption``
    Maximise ``sum_t (1 + discount)^-t sum_p weight_p c[p, t]`` (weights default to total
    labour values, else 1), subject to the targets and the terminal capacity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.plan import blocks as bk
from gosplan.plan.assemble import LP, assemble
from gosplan.plan.layout import Layout, PlanData, base_layout

#: Segments ``(a, b)`` of the harmony ``h(r) = min_k (a_k + b_k r)``.
HARMONY_SEGMENTS: list[tuple[float, float]] = [(-1.0, 2.0), (0.9, 0.1), (1.1, 0.0)]


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
    blocks = common_blocks(data, lay, target_mode)
    return assemble(lay, blocks, cost, maximise=kind != "min_labour")
