"""Knock-on effects in a simulation: the chain of limiting inputs behind a shortfall, and back.

:func:`trace_shortfall` follows what limited a product at a step back to its root cause;
:func:`hurt_by` answers the reverse question: whose output fell because of a bottleneck.
Both read a :class:`~gosplan.core.simulation_result.SimulationResult` only (its ``limits`` and
``products`` tables); :class:`KnockOn` indexes it once and answers many queries.

Definitions
-----------
Pointer
    At step ``t`` a product ``j`` limited by ``"input:i"`` points at ``(i, t - 1)``: in
    :func:`gosplan.run.simulate.simulate` production at step ``t`` draws on the stocks held at
    the start of the step, which hold the deliveries made at step ``t - 1`` (deliveries
    "arrive for the next step"), so the scarce input's shortfall is the one of its supplier
    at the step before. At step 0 there is no step before: the stocks are the equilibrium
    start's, and the chain ends there (end ``"start"``).
Chain (:meth:`KnockOn.trace`)
    Row 0 is ``(product, step)``; each next row is the one the previous row points at. It ends
    at a product limited by ``"capacity"`` (the root cause, end ``"capacity"``) or by
    ``"demand"`` (it delivered all it was asked for: the shortage is not a supplier's; end
    ``"demand"``), at step 0 (``"start"``), when the next link would return to a product
    already in the chain (end ``"cycle"``; the frame's ``attrs["cycle_to"]`` names it), or
    after ``depth`` links (``"depth"``). ``attrs["end"]`` says which; ``attrs["root"]`` is the
    last row's product.
Equilibrium output
    The output the run started from, ``x = (I - A)^-1 y``; it is read off the result as the
    *demand* at step 0 (the orders placed at the start are the equilibrium use, so
    ``D(0) = A x + y = x`` whatever the shocks do at step 0).
Shortfall, output lost
    ``max(0, planned - output)`` at a step (``planned``: the equilibrium output of the step's
    period, a column of the result's ``products``; without it, the equilibrium output).
Hurt by ``b`` (:meth:`KnockOn.hurt_by`)
    Product ``j`` at step ``t`` is hurt by ``b`` when following the pointers from ``(j, t)``
    reaches ``b`` (``j = b`` itself counts, at distance 0). Unlike the trace, this follows a
    loop through: a product whose chain goes round a loop of inputs and then reaches ``b``
    counts as hurt by ``b``. The table sums, over the chosen steps at which it is hurt, each
    product's output lost and unmet final demand.

Vectorised: the index holds per step the pointer array (an ``int32`` code per product); a
reverse query is one gather per step over all products (dynamic programming forward in
time), a trace a walk of at most ``steps`` links.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from gosplan.core.checks import Check
from gosplan.core.simulation_result import SimulationResult
from gosplan.errors import InputError

#: Codes of the pointer array below 0 (0 and up: the limiting input's product).
CAPACITY, DEMAND = -1, -2
#: Columns of :meth:`KnockOn.trace` and :meth:`KnockOn.hurt_by`.
TRACE_COLUMNS = ("link", "product", "step", "limiting", "output", "capacity", "shortfall")
HURT_COLUMNS = ("product", "links", "steps", "output_lost", "unmet_final")
_FAR = np.int32(2**30)
_SOURCE = "trace"


def _codes(column: pd.Series | pd.Categorical) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and their labels (as text) of a label column."""
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype):
        cat = column.cat
        return np.asarray(cat.codes, dtype=np.int64), pd.Index(cat.categories).astype(str)
    if isinstance(column, pd.Categorical):
        return np.asarray(column.codes, dtype=np.int64), pd.Index(column.categories).astype(str)
    codes, uniques = pd.factorize(pd.Series(column).astype(str))
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques).astype(str)


class KnockOn:
    """An index of a simulation's limits for knock-on queries (:meth:`trace`, :meth:`hurt_by`).

    Parameters
    ----------
    result
        A simulation (every product at every step ``0 .. steps - 1``).

    Attributes
    ----------
    labels
        The products, in the order of the arrays.
    pointer
        ``steps x products`` codes: the limiting input's position, or :data:`CAPACITY` /
        :data:`DEMAND`.
    output, capacity, unmet_final
        ``steps x products`` arrays from :attr:`SimulationResult.products`.
    equilibrium
        Equilibrium output by product (the demand at step 0; see the module).
    """

    def __init__(self, result: SimulationResult) -> None:
        products, limits = result.products, result.limits
        pcodes, labels = _codes(products["product"])
        steps = result.steps
        n = len(labels)
        self.labels = labels
        self.steps = steps
        self.n = n
        self._position = pd.Index(labels)
        self._dtype = pd.CategoricalDtype(labels)
        step = products["step"].to_numpy(dtype=np.int64)
        cell = step * n + pcodes

        def grid(name: str) -> np.ndarray:
            out = np.full(steps * n, np.nan)
            out[cell] = products[name].to_numpy(dtype=float)
            return out.reshape(steps, n)

        self.output = grid("output")
        self.capacity = grid("capacity")
        self.unmet_final = grid("unmet_final")
        demand = grid("demand")
        self.equilibrium = demand[0].copy() if steps else np.zeros(n)
        planned = grid("planned") if "planned" in products.columns else self.equilibrium[None, :]
        self.lost = np.maximum(planned - self.output, 0.0)

        lcodes, lnames = _codes(limits["product"])
        lpos = self._position.get_indexer(lnames)[lcodes]
        kcodes, knames = _codes(limits["limiting"])
        meaning = np.full(len(knames), DEMAND, dtype=np.int64)
        meaning[np.asarray(knames == "capacity")] = CAPACITY
        is_input = np.asarray(knames.str.startswith("input:"))
        if is_input.any():
            target = self._position.get_indexer(knames[is_input].str.slice(6))
            if (target < 0).any():
                bad = knames[is_input][target < 0][0]
                raise InputError(
                    "a limit names an input the simulation has no product for",
                    source=_SOURCE,
                    label=str(bad),
                    check=Check.UNKNOWN_LABEL,
                )
            meaning[is_input] = target
        pointer = np.full(steps * n, DEMAND, dtype=np.int32)
        lstep = limits["step"].to_numpy(dtype=np.int64)
        ok = lpos >= 0
        pointer[lstep[ok] * n + lpos[ok]] = meaning[kcodes[ok]]
        self.pointer = pointer.reshape(steps, n)
        # Gather index for the reverse query: an input pointer, or n (a slot that is "far").
        follow = np.where(self.pointer >= 0, self.pointer, n).astype(np.int32)
        if steps:
            follow[0] = n  # nothing before the start
        self._follow = follow

    # ------------------------------------------------------------------ arguments
    def _product(self, product: object) -> int:
        pos = int(self._position.get_indexer([str(product)])[0])
        if pos < 0:
            raise InputError(
                "the simulation has no such product",
                source=_SOURCE,
                label=str(product),
                check=Check.UNKNOWN_LABEL,
            )
        return pos

    def _step(self, step: object, name: str = "step") -> int:
        if (
            not isinstance(step, int | np.integer)
            or isinstance(step, bool)
            or not 0 <= int(step) < self.steps
        ):
            raise InputError(
                f"{name} must be a step of the run, 0 to {self.steps - 1}, not {step!r}",
                source=_SOURCE,
                check=Check.OUT_OF_RANGE,
            )
        return int(step)

    def _limit_name(self, code: int) -> str:
        if code == CAPACITY:
            return "capacity"
        if code == DEMAND:
            return "demand"
        return f"input:{self.labels[code]}"

    # ------------------------------------------------------------------ queries
    def trace(self, product: object, step: object, *, depth: int | None = None) -> pd.DataFrame:
        """The chain of limiting inputs behind ``product`` at ``step`` (see the module).

        Parameters
        ----------
        product, step
            Where to start.
        depth
            At most this many links after row 0 (``None``: no limit).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`TRACE_COLUMNS`, one row per link; ``attrs["end"]`` is ``"capacity"``,
            ``"demand"``, ``"start"``, ``"cycle"`` or ``"depth"``; ``attrs["root"]`` the last
            row's product; ``attrs["cycle_to"]`` (end ``"cycle"``) the product it returns to.

        Raises
        ------
        InputError
            Unknown product (check ``unknown_label``); step outside the run or a negative
            depth (``out_of_range``).
        """
        j = self._product(product)
        t = self._step(step)
        if depth is not None and (
            not isinstance(depth, int | np.integer) or isinstance(depth, bool) or depth < 0
        ):
            raise InputError(
                f"depth must be a whole number of at least 0, not {depth!r}",
                source=_SOURCE,
                check=Check.OUT_OF_RANGE,
            )
        chain_p: list[int] = []
        chain_t: list[int] = []
        seen: set[int] = set()
        end, cycle_to = "", None
        while True:
            chain_p.append(j)
            chain_t.append(t)
            seen.add(j)
            code = int(self.pointer[t, j])
            if code == CAPACITY:
                end = "capacity"
                break
            if code == DEMAND:
                end = "demand"
                break
            if t == 0:
                end = "start"
                break
            if depth is not None and len(chain_p) > depth:
                end = "depth"
                break
            if code in seen:
                end, cycle_to = "cycle", str(self.labels[code])
                break
            j, t = code, t - 1
        ps, ts = np.asarray(chain_p), np.asarray(chain_t)
        frame = pd.DataFrame(
            {
                "link": np.arange(len(ps), dtype=np.int64),
                "product": [str(self.labels[p]) for p in ps],
                "step": ts.astype(np.int64),
                "limiting": [self._limit_name(int(c)) for c in self.pointer[ts, ps]],
                "output": self.output[ts, ps],
                "capacity": self.capacity[ts, ps],
                "shortfall": self.lost[ts, ps],
            }
        )
        frame.attrs["end"] = end
        frame.attrs["root"] = str(self.labels[ps[-1]])
        if cycle_to is not None:
            frame.attrs["cycle_to"] = cycle_to
        return frame

    def distance(self, product: object) -> np.ndarray:
        """``steps x products``: links from each ``(j, t)`` to ``product`` (2^30: never)."""
        b = self._product(product)
        n = self.n
        dist = np.empty((self.steps, n), dtype=np.int32)
        prev = np.full(n + 1, _FAR, dtype=np.int32)
        for t in range(self.steps):
            cur = prev[self._follow[t]]
            cur += 1
            np.minimum(cur, _FAR, out=cur)
            cur[b] = 0
            dist[t] = cur
            prev[:n] = cur
        return dist

    def hurt_by(self, product: object, *, steps: Iterable[int] | None = None) -> pd.DataFrame:
        """Every product whose limit chain passes through ``product`` (see the module).

        Parameters
        ----------
        product
            The bottleneck.
        steps
            The steps to sum over (``None``: all). Chains are followed through earlier steps
            whatever the choice.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`HURT_COLUMNS`: per product hurt, the fewest links to the bottleneck
            (0: the bottleneck itself), the number of chosen steps at which it was hurt, and
            the output lost and final demand unmet summed over those steps; ``product`` is a
            categorical of :attr:`labels`. Sorted by output lost (largest first), then links,
            then the products' order in the result.

        Raises
        ------
        InputError
            Unknown product (``unknown_label``); a step outside the run (``out_of_range``).
        """
        dist = self.distance(product)
        if steps is None:
            d, lost_all, unmet_all = dist, self.lost, self.unmet_final
        else:
            chosen = np.unique(np.asarray([self._step(s, "steps") for s in steps], np.int64))
            d, lost_all = dist[chosen], self.lost[chosen]
            unmet_all = self.unmet_final[chosen]
        hit = d < _FAR
        count = hit.sum(axis=0)
        lost = np.where(hit, lost_all, 0.0).sum(axis=0)
        unmet = np.where(hit, unmet_all, 0.0).sum(axis=0)
        links = d.min(axis=0, initial=_FAR)
        cols = np.flatnonzero(count)
        order = cols[np.lexsort((cols, links[cols], -lost[cols]))]
        return pd.DataFrame(
            {
                "product": pd.Categorical.from_codes(order, dtype=self._dtype),
                "links": links[order].astype(np.int64),
                "steps": count[order].astype(np.int64),
                "output_lost": lost[order],
                "unmet_final": unmet[order],
            }
        )


def trace_shortfall(
    result: SimulationResult, product: object, step: object, *, depth: int | None = None
) -> pd.DataFrame:
    """The chain of limiting inputs behind ``product`` at ``step``: :meth:`KnockOn.trace`."""
    return KnockOn(result).trace(product, step, depth=depth)


def hurt_by(
    result: SimulationResult, product: object, *, steps: Iterable[int] | None = None
) -> pd.DataFrame:
    """Who was hurt by the bottleneck ``product``: :meth:`KnockOn.hurt_by`."""
    return KnockOn(result).hurt_by(product, steps=steps)
