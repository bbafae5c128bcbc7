"""A discrete-time input–output simulation: orders, stocks, production and rationing.

:func:`simulate` runs a square economy (one activity per product) forward step by step;
:class:`Simulation` holds its state and makes one step at a time (:meth:`Simulation.step`),
for tests and for callers that intervene between steps.

Everything lives on the *input links*, the nonzeros ``k = (i, j)`` of the technology
matrix ``A`` (``a_k`` units of product ``i`` per unit of product ``j``): a stock ``s_k`` of
``i`` held by ``j``, an order ``o_k`` from ``j`` to ``i``, a delivery ``d_k``. No dense
n x n array is ever made. Quantities are flows per step (a step is a day when ``stock_days``
is counted in days), so final demand ``y`` and capacity ``c`` are per step.

Step ``t`` (``t = 0 .. steps - 1``):

1. capacity: ``c_j(t) = c_j * prod over shocks on j of (1 - loss(t))``, where a shock of
   ``share`` from step ``t0`` with ``recovery`` ``R`` loses ``share * max(0, 1 - (t - t0)/R)``
   from ``t0`` on (``R = 0``: ``share`` for ever);
2. demand: ``D_i(t) = sum over links k = (i, j) of o_k(t-1) + y_i`` (the orders placed last
   step, final demand being one more orderer);
3. production: ``x^_j(t) = min(c_j(t), D_j(t), min over links k = (i, j) of s_k / a_k)``;
   with ``labour`` given (``L_h`` per step of labour type ``h``, coefficients ``l_hj``, a
   shock of kind ``"labour"`` scaling ``L_h(t)`` like capacity above), labour is shared among
   the products in proportion to their need at ``x^``: with ``N_h = sum_j l_hj x^_j``,
   ``rho_h = min(1, L_h(t) / N_h)`` and ``x_j = x^_j * min over h with l_hj > 0 of rho_h``,
   so ``x_j <= (rho_h l_hj x^_j) / l_hj``, the labour allotted to ``j`` over its coefficient
   (labour a product cannot use for want of another type is not passed on to others);
   what bounded it is recorded (``"labour:<h>"`` where labour cut ``x^``, else ``"demand"``
   first on ties, then ``"capacity"``, then the scarcest input ``"input:<i>"``);
4. use: ``u_k = a_k x_j``, ``s_k <- s_k - u_k`` (never negative: ``x_j <= s_k / a_k``);
5. rationing (``"proportional"``): supplier ``i`` delivers ``r_i = x_i / D_i`` of every
   order, ``d_k = r_i o_k(t-1)`` and ``y_i r_i`` to final use (so its deliveries add up to
   its output and no one gets more than it ordered); unmet final demand is ``y_i (1 - r_i)``.
   ``"priority"``: the orderers (products, and ``"final"`` for final demand) fall in classes
   (``classes``, served in increasing order; those not listed: the last class given); with
   ``B_ic`` the orders on ``i`` of class ``c`` and ``P_ic`` those of the classes before it,
   class ``c`` gets
   ``r_ic = clip((x_i - P_ic) / B_ic, 0, 1)`` of each of its orders: classes in order are served
   in full, the first one that cannot be is served proportionally, the later ones get nothing
   (deliveries again add up to ``x_i``);
6. deliveries arrive for the next step: ``s_k <- s_k + d_k``;
7. orders: the stock target is ``T_k = stock_days_i * a_k * D_j(t)`` (``stock_days`` days of
   the use that ``j``'s demand calls for; per input product ``i``), and
   ``o_k(t) = max(0, u_k + (T_k - s_k) / restoration_i)``.

The start is the equilibrium: ``x = (I - A)^-1 y``, ``s_k = stock_days_i * a_k * x_j`` and
``o_k = a_k x_j``; without a shock (and with capacity at least ``x``) every step repeats it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.checks import Check, Problems
from gosplan.core.control_figures import label_column
from gosplan.core.economy import Economy
from gosplan.core.provenance import provenance
from gosplan.core.simulation_result import SimulationResult
from gosplan.errors import InputError

#: Rules that share a supplier's short output among its orderers.
RATIONING = ("proportional", "priority")
#: Columns of a shocks table (``recovery`` and ``kind`` may be left out: 0, never recovers;
#: ``"capacity"``).
SHOCK_COLUMNS = ("product", "from_step", "share", "recovery", "kind")
#: Kinds of shock: capacity of a product lost, or labour of a labour type.
SHOCK_KINDS = ("capacity", "labour")
#: Columns of a priority classes table.
CLASS_COLUMNS = ("product", "class")
#: The orderer name of final demand in a classes table.
FINAL = "final"
#: Default stock target, in steps (days) of use.
STOCK_DAYS = 30.0
#: Default restoration time of a stock gap, in steps.
RESTORATION = 30.0
#: Codes of :attr:`StepState.limiting` below 0 (0 to n - 1: the limiting input's product;
#: n + h: labour type h).
CAPACITY, DEMAND = -1, -2
_TIE = 1e-12

Number: TypeAlias = float | int
PerProduct: TypeAlias = float | int | pd.Series | Mapping[str, float | int]


@dataclass(frozen=True)
class StepState:
    """What happened at one step (arrays by product, or by input link in CSC order)."""

    step: int
    output: np.ndarray
    capacity: np.ndarray
    demand: np.ndarray
    delivered_final: np.ndarray
    unmet_final: np.ndarray
    limiting: np.ndarray
    ordered: np.ndarray
    delivered: np.ndarray
    stocks: np.ndarray


@dataclass(frozen=True)
class _Shocks:
    product: np.ndarray
    start: np.ndarray
    share: np.ndarray
    recovery: np.ndarray

    def factor(self, t: int, n: int) -> np.ndarray:
        """``prod (1 - loss)`` over the shocks of each product at step ``t``."""
        out = np.ones(n)
        if not len(self.product):
            return out
        elapsed = t - self.start
        fading = np.where(
            self.recovery > 0,
            np.clip(1.0 - elapsed / np.where(self.recovery > 0, self.recovery, 1.0), 0.0, 1.0),
            1.0,
        )
        loss = np.where(elapsed >= 0, self.share * fading, 0.0)
        np.multiply.at(out, self.product, 1.0 - loss)
        return out


_NO_SHOCKS = _Shocks(*(np.zeros(0, dtype=d) for d in (np.int64, np.int64, float, float)))


@dataclass(frozen=True)
class Priority:
    """Priority classes of the orderers as ranks ``0 .. n_classes - 1`` (0 served first).

    ``rank[j]`` is the rank of product ``j`` as an orderer, ``rank[n]`` that of final demand.
    """

    rank: np.ndarray
    n_classes: int

    def shares(
        self,
        output: np.ndarray,
        ordered: np.ndarray,
        rows: np.ndarray,
        cols: np.ndarray,
        final_demand: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The part of its order each link gets, and each product's final use gets."""
        n, k = len(output), self.n_classes
        link, final = self.rank[cols], int(self.rank[n])
        per_class = np.bincount(rows * k + link, weights=ordered, minlength=n * k).reshape(n, k)
        per_class[:, final] += final_demand
        before = np.cumsum(per_class, axis=1) - per_class
        left = np.maximum(output[:, None] - before, 0.0)
        share = np.divide(left, per_class, out=np.zeros((n, k)), where=per_class > 0)
        share = np.minimum(share, 1.0)
        return share[rows, link], share[:, final]


class Simulation:
    """The state of a simulation; :meth:`step` advances it by one step.

    Parameters are those of :func:`simulate` (which validates them and builds this).

    Attributes
    ----------
    rows, cols, coef
        The input links in CSC order: supplier product, user product, coefficient.
    labour, labour_available, labour_shocks, priority
        Labour coefficients (types x products; ``None``: labour never limits), labour per
        step by type (``inf``: no limit), the labour shocks (on type positions), and the
        priority classes (``None``: proportional rationing).
    stocks, orders
        Per link: the stock held at the start of the next step, the orders placed last step.
    labels, steps, economy, rationing, gross_output
        Set by :func:`prepare`: the product labels, the steps to run, the (square) economy,
        the rationing rule and the equilibrium gross output the run starts from.
    """

    def __init__(
        self,
        technology: sp.csc_array,
        final_demand: np.ndarray,
        capacity: np.ndarray,
        stock_days: np.ndarray,
        restoration: np.ndarray,
        shocks: _Shocks,
        *,
        labour: sp.csc_array | None = None,
        labour_available: np.ndarray | None = None,
        labour_shocks: _Shocks = _NO_SHOCKS,
        priority: Priority | None = None,
    ) -> None:
        A = sp.csc_array(technology, copy=True)
        A.sum_duplicates()
        A.eliminate_zeros()
        n = A.shape[0]
        self.n = n
        self.coef = np.asarray(A.data, dtype=float)
        self.rows = np.asarray(A.indices, dtype=np.int64)
        self.cols = np.repeat(np.arange(n), np.diff(A.indptr))
        nonempty = np.flatnonzero(np.diff(A.indptr))
        self._starts = A.indptr[:-1][nonempty]
        self._with_inputs = nonempty
        self.final_demand = final_demand
        self.base_capacity = capacity
        self._days = stock_days[self.rows]
        self._restoration = restoration[self.rows]
        self.stock_days = stock_days
        self.restoration = restoration
        self.shocks = shocks
        self.labour = None if labour is None else sp.csc_array(labour, copy=True)
        if self.labour is not None:
            self.labour.sum_duplicates()
            self.labour.eliminate_zeros()
            self.labour.sort_indices()
        self.labour_available = (
            np.zeros(0) if labour_available is None else np.asarray(labour_available, float)
        )
        self.labour_shocks = labour_shocks
        self.labour_types = pd.Index([str(h) for h in range(len(self.labour_available))])
        self.priority = priority
        self.labels = pd.Index([str(i) for i in range(n)])
        self.steps = 0
        self.economy: Economy | None = None
        self.rationing = "proportional"
        self.gross_output = np.zeros(n)
        self.t = 0
        self.stocks = np.zeros(len(self.coef))
        self.orders = np.zeros(len(self.coef))

    def start(self, gross_output: np.ndarray) -> None:
        """Put the state at the equilibrium of ``gross_output``: stocks at target, orders = use."""
        use = self.coef * gross_output[self.cols]
        self.stocks = self._days * use
        self.orders = use.copy()
        self.t = 0

    def step(self) -> StepState:
        """Make one step (see the module) and return what happened."""
        n, t = self.n, self.t
        capacity = self.base_capacity * self.shocks.factor(t, n)
        ordered = self.orders
        demand = np.bincount(self.rows, weights=ordered, minlength=n) + self.final_demand
        ratio = self.stocks / self.coef
        allowed = np.full(n, np.inf)
        if len(ratio):
            allowed[self._with_inputs] = np.minimum.reduceat(ratio, self._starts)
        output = np.minimum(np.minimum(capacity, demand), allowed)
        limiting = self._limiting(output, capacity, demand, allowed, ratio)
        if self.labour is not None:
            output, limiting = self._labour_limit(output, limiting, t)
        use = self.coef * output[self.cols]
        stocks = np.maximum(self.stocks - use, 0.0)
        if self.priority is None:
            share = np.divide(output, demand, out=np.zeros(n), where=demand > 0)
            share = np.minimum(share, 1.0)
            delivered = ordered * share[self.rows]
            delivered_final = self.final_demand * share
        else:
            to_links, to_final = self.priority.shares(
                output, ordered, self.rows, self.cols, self.final_demand
            )
            delivered = ordered * to_links
            delivered_final = self.final_demand * to_final
        stocks = stocks + delivered
        target = self._days * self.coef * demand[self.cols]
        self.orders = np.maximum(use + (target - stocks) / self._restoration, 0.0)
        self.stocks = stocks
        self.t = t + 1
        return StepState(
            step=t,
            output=output,
            capacity=capacity,
            demand=demand,
            delivered_final=delivered_final,
            unmet_final=self.final_demand - delivered_final,
            limiting=limiting,
            ordered=ordered,
            delivered=delivered,
            stocks=stocks,
        )

    def _labour_limit(
        self, output: np.ndarray, limiting: np.ndarray, t: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Output cut to the labour available, shared by need at ``output`` (see the module)."""
        L = self.labour
        assert L is not None
        m = L.shape[0]
        available = self.labour_available * self.labour_shocks.factor(t, m)
        need = L @ output
        rho = np.ones(m)
        short = need > available
        rho[short] = available[short] / need[short]
        if not L.nnz:
            return output, limiting
        per_entry = rho[L.indices]
        nonempty = np.flatnonzero(np.diff(L.indptr))
        cut = np.ones(self.n)
        cut[nonempty] = np.minimum.reduceat(per_entry, L.indptr[:-1][nonempty])
        binds = cut < 1.0 - _TIE
        if not binds.any():
            return output, limiting
        limiting = limiting.copy()
        cols = np.repeat(np.arange(self.n), np.diff(L.indptr))
        hit = np.flatnonzero(binds[cols] & (per_entry <= cut[cols]))
        first_cols, first = np.unique(cols[hit], return_index=True)
        limiting[first_cols] = self.n + L.indices[hit[first]]
        return output * cut, limiting

    def _limiting(
        self,
        output: np.ndarray,
        capacity: np.ndarray,
        demand: np.ndarray,
        allowed: np.ndarray,
        ratio: np.ndarray,
    ) -> np.ndarray:
        bound = output * (1.0 + _TIE)
        code = np.full(self.n, CAPACITY, dtype=np.int64)
        by_input = (allowed < capacity) & (allowed <= bound)
        by_demand = demand <= bound
        if by_input.any():
            hit = np.flatnonzero((ratio <= bound[self.cols]) & by_input[self.cols])
            first_cols, first = np.unique(self.cols[hit], return_index=True)
            code[first_cols] = self.rows[hit[first]]
        code[by_demand] = DEMAND
        return code


def prepare(
    economy: Economy,
    final_demand: pd.Series | Mapping[str, Number],
    *,
    steps: int,
    capacity: pd.Series | Mapping[str, Number] | None = None,
    stock_days: PerProduct = STOCK_DAYS,
    restoration: PerProduct = RESTORATION,
    shocks: pd.DataFrame | None = None,
    rationing: str = "proportional",
    classes: pd.DataFrame | None = None,
    labour: pd.Series | Mapping[str, Number] | Number | None = None,
) -> Simulation:
    """Validate the arguments of :func:`simulate`; its :class:`Simulation`, at the start.

    Parameters
    ----------
    economy
        A square economy (one activity per product; see :meth:`Economy.square`).
    final_demand
        Final demand per step by product (products not named: 0).
    steps
        How many steps to run (at least 1).
    capacity
        Capacity per step by product; ``None`` or a product not named: its equilibrium gross
        output (no slack). The economy's own (per-period) capacity is ignored.
    stock_days, restoration
        Stock target of every input in steps of use, and the steps over which a stock gap is
        made up by orders (each at least 1): one number, or by input product (products not
        named: :data:`STOCK_DAYS`, :data:`RESTORATION`).
    shocks
        Columns ``product, from_step, share`` [, ``recovery``, ``kind``]: a share (0 to 1) of
        capacity lost from a step on, recovering linearly over ``recovery`` steps (0 or left
        out: never); ``kind`` ``"labour"``: ``product`` names a labour type and the share is
        of its available labour (which ``labour`` must give).
    rationing, classes
        How a supplier shares short output: ``"proportional"`` to the orders, or
        ``"priority"`` by ``classes`` (columns ``product`` — the orderer, or ``"final"`` —
        and ``class``, 1 = served first; orderers not listed go to the last class).
    labour
        Labour available per step by labour type (types not named: no limit), or one number
        for a single labour type; ``None``: labour never limits output.

    Returns
    -------
    Simulation
        At its equilibrium start; ``steps`` calls of :meth:`Simulation.step` run it.

    Raises
    ------
    ValidationError
        Every problem with the arguments and the shocks at once, with named checks.
    InputError
        If the economy is not square or a shocks or classes column is missing.
    """
    eco = economy.square()
    args = _arguments(
        eco, final_demand, steps, capacity, stock_days, restoration, shocks, rationing, classes,
        labour,
    )  # fmt: skip
    x = np.asarray(eco.gross_output(pd.Series(args.y, index=eco.product_labels)), dtype=float)
    cap = args.capacity
    base = x.copy() if cap is None else np.where(np.isnan(cap), x, cap)
    sim = Simulation(
        eco.technology, args.y, base, args.days, args.tau, args.shocks,
        labour=None if args.available is None else eco.labour,
        labour_available=args.available, labour_shocks=args.labour_shocks,
        priority=args.priority if rationing == "priority" else None,
    )  # fmt: skip
    sim.labour_types = args.types
    sim.start(x)
    sim.labels, sim.steps, sim.economy, sim.rationing = args.labels, args.steps, eco, rationing
    sim.gross_output = x
    return sim


@dataclass
class _Arguments:
    """The checked arguments of :func:`prepare`, as arrays by product."""

    labels: pd.Index
    steps: int
    y: np.ndarray
    days: np.ndarray
    tau: np.ndarray
    capacity: np.ndarray | None
    types: pd.Index
    available: np.ndarray | None
    shocks: Any
    labour_shocks: Any
    priority: Any


def _arguments(
    eco: Economy,
    final_demand: Any,
    steps: Any,
    capacity: Any,
    stock_days: Any,
    restoration: Any,
    shocks: pd.DataFrame | None,
    rationing: str,
    classes: pd.DataFrame | None,
    labour: Any,
) -> _Arguments:
    """Check every argument of :func:`prepare`, collecting the problems into one error."""
    labels = pd.Index([str(p) for p in eco.product_labels])
    problems = Problems()
    if rationing not in RATIONING:
        problems.add(
            f"unknown rationing rule {rationing!r}; choose {', '.join(RATIONING)}",
            source="rationing",
            check=Check.BAD_OPTION,
        )
    if not isinstance(steps, int | np.integer) or isinstance(steps, bool) or steps < 1:
        problems.add(
            f"steps must be a whole number of at least 1, not {steps!r}",
            source="steps",
            check=Check.OUT_OF_RANGE,
        )
        steps = 0
    y = _by_product(final_demand, labels, 0.0, "final demand", problems)
    _at_least(y, 0.0, labels, "final demand", problems, Check.NEGATIVE_VALUE)
    days = _by_product(stock_days, labels, STOCK_DAYS, "stock_days", problems)
    _at_least(days, 1.0, labels, "stock_days", problems, Check.OUT_OF_RANGE)
    tau = _by_product(restoration, labels, RESTORATION, "restoration", problems)
    _at_least(tau, 1.0, labels, "restoration", problems, Check.OUT_OF_RANGE)
    cap_given = (
        None if capacity is None else _by_product(capacity, labels, np.nan, "capacity", problems)
    )
    if cap_given is not None:
        _at_least(cap_given, 0.0, labels, "capacity", problems, Check.NEGATIVE_VALUE)
    types = pd.Index([str(h) for h in eco.labour_types])
    available = None if labour is None else _labour(labour, types, problems)
    table, labour_table = _shocks(shocks, labels, types, available, int(steps), problems)
    priority = _classes(classes, labels, rationing, problems)
    problems.raise_if_any()

    return _Arguments(
        labels, int(steps), y, days, tau, cap_given, types, available, table, labour_table,
        priority,
    )  # fmt: skip


def simulate(
    economy: Economy,
    final_demand: pd.Series | Mapping[str, Number],
    *,
    steps: int,
    capacity: pd.Series | Mapping[str, Number] | None = None,
    stock_days: PerProduct = STOCK_DAYS,
    restoration: PerProduct = RESTORATION,
    shocks: pd.DataFrame | None = None,
    rationing: str = "proportional",
    classes: pd.DataFrame | None = None,
    labour: pd.Series | Mapping[str, Number] | Number | None = None,
) -> SimulationResult:
    """Run a square economy forward ``steps`` steps from its equilibrium (see the module).

    The parameters, and the errors raised, are those of :func:`prepare`.

    Returns
    -------
    SimulationResult
        Output, capacity, demand and final deliveries per product and step, and what
        limited each product's output at each step.
    """
    sim = prepare(
        economy,
        final_demand,
        steps=steps,
        capacity=capacity,
        stock_days=stock_days,
        restoration=restoration,
        shocks=shocks,
        rationing=rationing,
        classes=classes,
        labour=labour,
    )
    states = [sim.step() for _ in range(sim.steps)]
    return _result(states, sim)


# ---------------------------------------------------------------------------- arguments
def _by_product(
    value: Any, labels: pd.Index, default: float, name: str, problems: Problems
) -> np.ndarray:
    """A number per product from a scalar or a labelled series (unknown labels: a problem)."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        try:
            return np.full(len(labels), float(value))
        except (TypeError, ValueError):
            pass
    if not isinstance(value, pd.Series | Mapping):
        problems.add(
            f"{name} must be a number or a series by product",
            source=name,
            check=Check.NON_NUMERIC,
        )
        return np.full(len(labels), default)
    series = pd.Series(value, dtype=object) if isinstance(value, Mapping) else value
    keys = pd.Index([str(k) for k in series.index])
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    pos = labels.get_indexer(keys)
    for label in keys[pos < 0][:20]:
        problems.add(
            f"{name} names a product the economy does not make",
            source=name,
            label=str(label),
            check=Check.UNKNOWN_LABEL,
        )
    for label in keys[(pos >= 0) & ~np.isfinite(numbers)][:20]:
        problems.add(
            f"{name} must be a finite number",
            source=name,
            label=str(label),
            check=Check.NON_NUMERIC,
        )
    out = np.full(len(labels), default)
    keep = (pos >= 0) & np.isfinite(numbers)
    out[pos[keep]] = numbers[keep]
    return out


def _at_least(
    values: np.ndarray,
    low: float,
    labels: pd.Index,
    name: str,
    problems: Problems,
    check: Check,
) -> None:
    for i in np.flatnonzero(values < low)[:20]:
        problems.add(
            f"{name} must be at least {low:g}, not {values[i]:g}",
            source=name,
            label=str(labels[i]),
            check=check,
        )


def _labour(value: Any, types: pd.Index, problems: Problems) -> np.ndarray | None:
    """Labour available per step by labour type (types not named: ``inf``, no limit)."""
    source = "labour"
    if not len(types):
        problems.add(
            "labour can limit output only in an economy with labour coefficients",
            source=source,
            check=Check.NO_LABOUR,
        )
        return None
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        if len(types) > 1:
            problems.add(
                f"one number of labour is for an economy with one labour type, not "
                f"{len(types)}; give a series by labour type",
                source=source,
                check=Check.BAD_SETTING,
            )
            return None
        available = np.full(1, float(value))
    else:
        available = _by_product(value, types, np.inf, source, problems)
        named = np.isfinite(available)
        available[~named] = np.inf
    if np.isnan(available).any() or np.isneginf(available).any():
        problems.add("labour must be a finite number", source=source, check=Check.NON_NUMERIC)
        return None
    _at_least(available, 0.0, types, source, problems, Check.NEGATIVE_VALUE)
    return available


def _shocks(
    table: pd.DataFrame | None,
    labels: pd.Index,
    types: pd.Index,
    available: np.ndarray | None,
    steps: int,
    problems: Problems,
) -> tuple[_Shocks, _Shocks]:
    """The capacity shocks (on product positions) and the labour shocks (on type positions)."""
    empty = (_NO_SHOCKS, _NO_SHOCKS)
    if table is None or not len(table):
        return empty
    for col in SHOCK_COLUMNS[:3]:
        if col not in table.columns:
            raise InputError(
                f"the shocks table needs the column {col!r}",
                source=_SHOCKS,
                check=Check.MISSING_COLUMN,
            )
    names = [str(p) for p in table["product"]]
    kinds = (
        np.array([str(k) for k in table["kind"]], dtype=object)
        if "kind" in table.columns
        else np.full(len(table), "capacity", dtype=object)
    )
    is_capacity, is_labour = kinds == "capacity", kinds == "labour"
    pos = _shock_positions(names, kinds, labels, types, available, problems)
    start, share, recovery = _shock_numbers(table, names, steps, problems)
    if problems:
        return empty

    def part(mask: np.ndarray) -> _Shocks:
        return _Shocks(
            pos[mask].astype(np.int64), start[mask].astype(np.int64), share[mask], recovery[mask]
        )

    return part(is_capacity), part(is_labour)


_SHOCKS = "shocks"


def _shock_positions(
    names: list[str],
    kinds: np.ndarray,
    labels: pd.Index,
    types: pd.Index,
    available: np.ndarray | None,
    problems: Problems,
) -> np.ndarray:
    """Each shock's product (or labour type) position; unknown kinds and labels are problems."""
    is_capacity, is_labour = kinds == "capacity", kinds == "labour"
    problems.add_rows(
        ~(is_capacity | is_labour),
        lambda r: f"unknown shock kind {kinds[r]!r}; choose {', '.join(SHOCK_KINDS)}",
        source=_SHOCKS,
        labels=names,
        check=Check.BAD_OPTION,
    )
    index = pd.Index(names)
    pos = np.where(is_labour, types.get_indexer(index), labels.get_indexer(index))
    problems.add_rows(
        is_capacity & (pos < 0),
        "a shock for a product the economy does not make",
        source=_SHOCKS,
        labels=names,
        check=Check.UNKNOWN_LABEL,
    )
    problems.add_rows(
        is_labour & (pos < 0),
        "a labour shock for a labour type the economy does not have",
        source=_SHOCKS,
        labels=names,
        check=Check.UNKNOWN_LABEL,
    )
    limited = np.zeros(len(types) + 1, dtype=bool)
    if available is not None:
        limited[: len(available)] = np.isfinite(available)
    problems.add_rows(
        is_labour & (pos >= 0) & ~limited[np.where(is_labour & (pos >= 0), pos, -1)],
        "a labour shock needs the labour available of its type (the labour argument)",
        source=_SHOCKS,
        labels=names,
        check=Check.MISSING_VALUE,
    )
    return pos


def _shock_numbers(
    table: pd.DataFrame, names: list[str], steps: int, problems: Problems
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shocks' from_step, share and recovery, each checked."""

    def column(col: str, default: float) -> np.ndarray:
        if col not in table.columns:
            return np.full(len(table), default)
        values = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
        problems.add_rows(
            ~np.isfinite(values),
            f"the shock's {col!r} must be a finite number",
            source=_SHOCKS,
            labels=names,
            check=Check.NON_NUMERIC,
        )
        return values

    start, share, recovery = column("from_step", 0), column("share", 0.0), column("recovery", 0.0)
    problems.add_rows(
        share < 0,
        lambda r: f"a shock's share cannot be negative ({share[r]:g})",
        source=_SHOCKS,
        labels=names,
        check=Check.NEGATIVE_VALUE,
    )
    problems.add_rows(
        share > 1,
        lambda r: f"a shock's share is a part of capacity or labour, at most 1 ({share[r]:g})",
        source=_SHOCKS,
        labels=names,
        check=Check.OUT_OF_RANGE,
    )
    problems.add_rows(
        (start < 0) | (start >= steps) | (np.isfinite(start) & (start != np.round(start))),
        lambda r: f"a shock's from_step must be a step of the run, 0 to {steps - 1} ({start[r]:g})",
        source=_SHOCKS,
        labels=names,
        check=Check.OUT_OF_RANGE,
    )
    problems.add_rows(
        recovery < 0,
        lambda r: f"a shock's recovery cannot be negative ({recovery[r]:g})",
        source=_SHOCKS,
        labels=names,
        check=Check.NEGATIVE_VALUE,
    )
    return start, share, recovery


def _classes(
    table: pd.DataFrame | None, labels: pd.Index, rationing: str, problems: Problems
) -> Priority | None:
    """The priority classes as ranks per orderer (position ``n``: final demand)."""
    if table is None:
        return Priority(np.zeros(len(labels) + 1, np.int64), 1)
    source = "classes"
    if rationing != "priority":
        problems.add(
            f"classes are for rationing='priority', not {rationing!r}",
            source=source,
            check=Check.BAD_OPTION,
        )
        return None
    for col in CLASS_COLUMNS:
        if col not in table.columns:
            raise InputError(
                f"the classes table needs the column {col!r}",
                source=source,
                check=Check.MISSING_COLUMN,
            )
    names = [str(p) for p in table["product"]]
    pos = labels.get_indexer(pd.Index(names))
    pos = np.where(np.array(names, dtype=object) == FINAL, len(labels), pos)
    problems.add_rows(
        pos < 0,
        f"classes name an orderer that is neither a product of the economy nor {FINAL!r}",
        source=source,
        labels=names,
        check=Check.UNKNOWN_LABEL,
    )
    values = pd.to_numeric(table["class"], errors="coerce").to_numpy(dtype=float)
    raw = list(table["class"])
    bad = ~np.isfinite(values) | (values < 1) | (values != np.round(values))
    problems.add_rows(
        bad,
        lambda r: f"a class must be a whole number of at least 1, not {raw[r]!r}",
        source=source,
        labels=names,
        check=Check.OUT_OF_RANGE,
    )
    problems.add_rows(
        pd.Index(names).duplicated(keep="first"),
        "an orderer listed twice in the classes",
        source=source,
        labels=names,
        check=Check.DUPLICATE_LABEL,
    )
    if problems:
        return None
    given = np.unique(values.astype(np.int64))
    n_classes = max(len(given), 1)
    rank = np.full(len(labels) + 1, n_classes - 1, dtype=np.int64)
    rank[pos] = np.searchsorted(given, values.astype(np.int64))
    return Priority(rank, n_classes)


# ---------------------------------------------------------------------------- result
def _result(states: list[StepState], sim: Simulation) -> SimulationResult:
    labels, steps, eco, rationing = sim.labels, sim.steps, sim.economy, sim.rationing
    assert eco is not None
    n = len(labels)
    product = label_column(pd.Categorical.from_codes(np.tile(np.arange(n), steps), labels))
    step = np.repeat(np.arange(steps, dtype=np.int64), n)

    def stack(name: str) -> np.ndarray:
        if not states:
            return np.zeros(0)
        return np.concatenate([getattr(s, name) for s in states])

    products = pd.DataFrame(
        {
            "product": product,
            "step": step,
            "output": stack("output"),
            "capacity": stack("capacity"),
            "demand": stack("demand"),
            "delivered_final": stack("delivered_final"),
            "unmet_final": stack("unmet_final"),
        }
    )
    names = pd.Index(
        [
            "demand",
            "capacity",
            *(f"input:{p}" for p in labels),
            *(f"labour:{h}" for h in sim.labour_types),
        ]
    )
    codes = stack("limiting").astype(np.int64) - DEMAND if states else np.zeros(0, np.int64)
    limiting = label_column(pd.Categorical.from_codes(codes, names))
    limits = pd.DataFrame({"product": product, "step": step, "limiting": limiting})
    extra: dict[str, Any] = {}
    if sim.priority is not None:
        extra["priority_classes"] = sim.priority.n_classes
    if sim.labour is not None:
        avail = sim.labour_available
        one = len(avail) == 1 and bool(np.isfinite(avail[0]))
        extra["labour"] = float(avail[0]) if one else "by labour type"
        extra["labour_shocks"] = len(sim.labour_shocks.product)
    prov = provenance(
        economy=eco.meta.name,
        economy_source=eco.meta.source,
        model="input-output simulation",
        steps=steps,
        products=n,
        input_links=int(eco.technology.nnz),
        stock_days=_summary(sim.stock_days),
        restoration=_summary(sim.restoration),
        shocks=len(sim.shocks.product),
        rationing=rationing,
        **extra,
    )
    return SimulationResult(products=products, limits=limits, rationing=rationing, provenance=prov)


def _summary(values: np.ndarray) -> float | str:
    """One number where every product shares it, else ``"by product"``."""
    if len(values) and bool((values == values[0]).all()):
        return float(values[0])
    return "by product"
