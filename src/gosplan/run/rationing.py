"""Rules that share a supplier's short shipments among those who ordered from it.

The orderers of product ``i`` are its input links ``k = (i, j)`` (product ``j`` restocking,
order ``o_k``) and the final users ``f`` (demand ``y_fi``). A supplier ships ``q_i`` (never
more than it was asked for: ``q_i <= D_i = sum_k o_k + sum_f y_fi``); a rule gives every
orderer its delivery, so that the deliveries add up to ``q_i`` and no one gets more than it
ordered:

``"proportional"``
    every orderer gets ``q_i / D_i`` of its order;
``"priority"``
    (:class:`Priority`) the orderers fall in classes served in order: the classes before the
    first that cannot be served in full get their orders, that class shares what is left in
    proportion to its orders, the later ones get nothing;
``"fixed"``
    (:class:`Allotments`) fixed allocations, the plan's supply orders: each orderer first gets
    up to its allotment's share of ``q_i`` (``q_i w_k / W_i``, ``W_i`` the sum of the
    allotments on ``i``); what an orderer does not take (it ordered less) goes to the others
    in proportion to what they still lack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Rules that share short shipments among the orderers.
RATIONING = ("proportional", "priority", "fixed")


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """``top / bottom`` where ``bottom > 0`` (else 0), at most 1."""
    out = np.divide(top, bottom, out=np.zeros_like(top, dtype=float), where=bottom > 0)
    return np.minimum(out, 1.0)


def proportional(
    shipped: np.ndarray,
    demand: np.ndarray,
    ordered: np.ndarray,
    rows: np.ndarray,
    final: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Deliveries per link and per final user (``F x n``): ``shipped / demand`` of each order."""
    share = _ratio(shipped, demand)
    return ordered * share[rows], final * share


@dataclass(frozen=True)
class Priority:
    """Priority classes of the orderers as ranks ``0 .. n_classes - 1`` (0 served first).

    ``rank[j]`` is the rank of product ``j`` as an orderer (``j < n``), ``rank[n + f]`` that of
    final user ``f``.
    """

    rank: np.ndarray
    n_classes: int

    def deliveries(
        self,
        shipped: np.ndarray,
        ordered: np.ndarray,
        rows: np.ndarray,
        cols: np.ndarray,
        final: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Deliveries per link and per final user (``F x n``) by class (see the module)."""
        n, k = len(shipped), self.n_classes
        link = self.rank[cols]
        users = self.rank[n : n + len(final)]
        per_class = np.bincount(rows * k + link, weights=ordered, minlength=n * k).reshape(n, k)
        for f, rank in enumerate(users):
            per_class[:, rank] += final[f]
        before = np.cumsum(per_class, axis=1) - per_class
        left = np.maximum(shipped[:, None] - before, 0.0)
        share = _ratio(left, per_class)
        return ordered * share[rows, link], final * share[:, users].T


@dataclass(frozen=True)
class Allotments:
    """Fixed allocations per period: ``links[p, k]`` to link ``k``, ``final[p, f, i]`` to users."""

    links: np.ndarray
    final: np.ndarray

    def deliveries(
        self,
        period: int,
        shipped: np.ndarray,
        ordered: np.ndarray,
        rows: np.ndarray,
        final: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Deliveries per link and per final user: allotments first, then what is left."""
        n = len(shipped)
        w_link, w_final = self.links[period], self.final[period]
        total = np.bincount(rows, weights=w_link, minlength=n) + w_final.sum(axis=0)
        part = np.divide(shipped, total, out=np.zeros(n), where=total > 0)
        first = np.minimum(ordered, w_link * part[rows])
        first_final = np.minimum(final, w_final * part)
        left = shipped - np.bincount(rows, weights=first, minlength=n) - first_final.sum(axis=0)
        lack, lack_final = ordered - first, final - first_final
        lacking = np.bincount(rows, weights=lack, minlength=n) + lack_final.sum(axis=0)
        more = _ratio(np.maximum(left, 0.0), lacking)
        return first + lack * more[rows], first_final + lack_final * more
