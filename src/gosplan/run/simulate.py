"""A discrete-time input–output simulation: orders, stocks, production and rationing.

:func:`simulate` runs an economy forward step by step: a square economy from its equilibrium
(``simulate(economy, final_demand, steps=...)``), or an adopted plan on its calendar
(``simulate(spec, result, step="month")``, see :mod:`gosplan.run.plan_simulation`).
:class:`Simulation` holds the state and makes one step at a time (:meth:`Simulation.step`),
for tests and for callers that intervene between steps.

Everything lives on the *input links*, the nonzeros ``k = (i, j)`` of the technology
matrix ``A`` (``a_k`` units of product ``i`` per unit of product ``j``): a stock ``s_k`` of
``i`` held by ``j``, an order ``o_k`` from ``j`` to ``i``, a delivery ``d_k``. No dense
n x n array is ever made. Quantities are flows per step, so final demand ``y_f`` (one row
per final user ``f``: ``"final"`` for a plain economy; households, investment, the state and
stock building for a plan) and capacity ``c`` are per step; both may change from one period
of a :class:`Schedule` to the next.

Step ``t`` (``t = 0 .. steps - 1``; shocks as in :mod:`gosplan.run.shocks`):

1. capacity: ``c_j(t) = c_j * prod (1 - loss)`` over the capacity and harvest shocks on
   ``j``, plus ``c_j * share`` for a counter-plan accepted without inputs (which adds the
   same to the first final user's demand for ``j``);
2. demand: ``D_i(t) = sum over links k = (i, j) of o_k(t-1) + sum_f y_fi`` (the orders placed
   last step, final users being more orderers);
3. production: ``x^_j(t) = min(c_j(t), D_j(t) - b_j, min over links k = (i, j) of s_k / a_k)``
   (``b_j`` goods made but held up by transport: they count against the orders); with labour
   limited (``L_h`` per step of labour type ``h``, coefficients ``l_hj``, labour shocks scaling
   ``L_h(t)``), labour is shared among the products in proportion to their need at ``x^``:
   with ``N_h = sum_j l_hj x^_j``, ``rho_h = min(1, L_h(t) / N_h)`` and
   ``x_j = x^_j * min over h with l_hj > 0 of rho_h`` (labour a product cannot use for want
   of another type is not passed on); what bounded it is recorded (``"labour:<h>"`` where
   labour cut ``x^``, else ``"demand"`` first on ties, then ``"capacity"``, then the scarcest
   input ``"input:<i>"``);
4. use: ``u_k = a_k x_j``, ``s_k <- s_k - u_k`` (never negative: ``x_j <= s_k / a_k``);
5. shipping: ``q_i = min(D_i, g_i(t) (x_i + b_i))`` with ``g_i(t) = prod (1 - loss)`` over the
   transport shocks on ``i``; ``b_i <- x_i + b_i - q_i`` (without transport shocks ``q = x``);
6. rationing (:mod:`gosplan.run.rationing`): ``q_i`` is shared among the orders of the links
   and the final users (proportionally, by priority classes or by fixed allotments), so the
   deliveries add up to ``q_i`` and no one gets more than it ordered; unmet final demand is
   ``y_fi`` less its delivery;
7. deliveries arrive for the next step: ``s_k <- s_k + d_k``;
8. orders: the stock target is ``T_k = stock_days_i * a_k * D_j(t)`` (``stock_days`` steps of
   the use that ``j``'s demand calls for; per input product ``i``), and
   ``o_k(t) = max(0, u_k + (T_k - s_k) / restoration_i)``.

The start is the equilibrium of the first period: ``x = (I - A)^-1 y``,
``s_k = stock_days_i * a_k * x_j`` and ``o_k = a_k x_j``; without a shock (and with capacity
at least ``x``) every step of a one-period run repeats it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.balance.solvers import solve_leontief
from gosplan.core.checks import Check, Problems
from gosplan.core.economy import Economy
from gosplan.core.simulation_result import SimulationResult
from gosplan.errors import InputError
from gosplan.run.rationing import RATIONING, Allotments, Priority, proportional
from gosplan.run.shocks import SHOCK_COLUMNS, SHOCK_KINDS, ShockSet, shock_set
from gosplan.run.simulation_arguments import (
    at_least,
    by_product,
    labour_available,
    priority_classes,
)

if TYPE_CHECKING:
    from gosplan.core.progress import Progress
    from gosplan.core.spec import PlanSpec

__all__ = [
    "CAPACITY",
    "DEMAND",
    "FINAL",
    "RATIONING",
    "RESTORATION",
    "SHOCK_COLUMNS",
    "SHOCK_KINDS",
    "STOCK_DAYS",
    "Schedule",
    "Simulation",
    "StepState",
    "prepare",
    "simulate",
]

#: The final user of a plain economy's final demand (and its name in a classes table).
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
    """What happened at one step (arrays by product, by input link in CSC order, or by user)."""

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
    shipped: np.ndarray
    backlog: np.ndarray
    final_demand: np.ndarray
    delivered_users: np.ndarray
    stocks_held: np.ndarray


@dataclass(frozen=True)
class Schedule:
    """What the run is asked for, period by period.

    Attributes
    ----------
    period
        The period (0-based) of every step.
    final_demand
        ``P x F x n``: final demand per step of every final user and product, by period.
    capacity
        ``P x n``: capacity per step, by period.
    labour
        ``P x m``: labour available per step by labour type (``inf``: no limit), by period;
        ``None``: labour never limits.
    users
        The names of the ``F`` final users.
    equilibria
        ``P x n``: the gross output ``(I - A)^-1 y`` of every period's final demand, where
        the builder has it already; ``None``: the :class:`Simulation` solves for it.
    """

    period: np.ndarray
    final_demand: np.ndarray
    capacity: np.ndarray
    labour: np.ndarray | None
    users: pd.Index
    equilibria: np.ndarray | None = None

    @property
    def steps(self) -> int:
        """Steps in the run."""
        return len(self.period)


class Simulation:
    """The state of a simulation; :meth:`step` advances it by one step.

    Built by :func:`prepare` (a plain economy) or :func:`gosplan.run.plan_simulation.prepare_plan`.

    Attributes
    ----------
    rows, cols, coef
        The input links in CSC order: supplier product, user product, coefficient.
    schedule, shocks
        The demand, capacity and labour per period, and the shocks.
    labour, priority, allotments
        Labour coefficients (types x products; ``None``: labour never limits), the priority
        classes (``None`` unless rationing by priority) and the fixed allotments (``None``
        unless rationing by fixed allocations).
    stocks, orders, backlog
        Per link: the stock held at the start of the next step, the orders placed last step;
        per product: goods made but not shipped.
    rebase
        Per product, the capacity shocks' factor that the schedule's capacity already takes
        into account (1; a re-plan from a shocked state sets it, see
        :mod:`gosplan.run.rolling`): capacity is the schedule's times ``factor(t) / rebase``.
    labels, labour_types, economy, rationing, gross_output, info
        The product and labour type labels, the (square) economy, the rationing rule, the
        equilibrium gross output the run starts from, and what the result's provenance adds.
    labour_now
        Labour available at the next step by labour type, in the schedule's units (``inf``:
        no limit), in place of the schedule's ``labour[period]``; labour shocks still scale
        it. ``None`` (the default): the schedule's. A caller that moves the labour force
        step by step sets it before each :meth:`step`
        (:func:`gosplan.run.coupled.simulate_with_workforce`).
    """

    def __init__(
        self,
        technology: sp.csc_array,
        schedule: Schedule,
        stock_days: np.ndarray,
        restoration: np.ndarray,
        shocks: ShockSet,
        *,
        labour: sp.csc_array | None = None,
        rationing: str = "proportional",
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
        self._indptr = np.asarray(A.indptr, dtype=np.int64)
        self._with_inputs = nonempty
        self.technology = A
        if schedule.equilibria is None:
            schedule = replace(schedule, equilibria=_equilibria(A, schedule.final_demand))
        self.schedule = schedule
        self._days = stock_days[self.rows]
        self._restoration = restoration[self.rows]
        self._inverse = 1.0 / self.coef  # stocks times this: the output they allow
        self._target = self._days * self.coef  # times the user's demand: the stock target
        self._pace = 1.0 / self._restoration
        self._scratch = np.empty(len(self.coef))
        self.stock_days = stock_days
        self.restoration = restoration
        self.shocks = shocks
        self.labour = None if labour is None or schedule.labour is None else _clean(labour)
        self.labour_types = pd.Index(
            [] if labour is None else [str(h) for h in range(labour.shape[0])]
        )
        self.rationing = rationing
        self.priority = priority if rationing == "priority" else None
        self.gross_output = self.equilibrium(0)
        self.allotments = self._allotments() if rationing == "fixed" else None
        self.labels = pd.Index([str(i) for i in range(n)])
        self.economy: Economy | None = None
        self.info: dict[str, Any] = {}
        self.labour_now: np.ndarray | None = None
        self.t = 0
        self.stocks = np.zeros(len(self.coef))
        self.orders = np.zeros(len(self.coef))
        self.backlog = np.zeros(n)
        self.rebase = np.ones(n)  # the shocks' factor a re-plan already took into account
        self.start(self.gross_output)

    @property
    def steps(self) -> int:
        """Steps in the run."""
        return self.schedule.steps

    def equilibrium(self, period: int) -> np.ndarray:
        """Gross output ``(I - A)^-1 y`` of a period's final demand (all users)."""
        return self.equilibria[period]

    @property
    def equilibria(self) -> np.ndarray:
        """``P x n``: the gross output of every period's final demand (the schedule's)."""
        assert self.schedule.equilibria is not None
        return self.schedule.equilibria

    def _allotments(self) -> Allotments:
        """The plan's supply orders per period: ``a_k x_j`` and the final demand."""
        periods = len(self.schedule.final_demand)
        links = np.stack([self.coef * self.equilibrium(p)[self.cols] for p in range(periods)])
        return Allotments(links, self.schedule.final_demand)

    def start(self, gross_output: np.ndarray) -> None:
        """Put the state at the equilibrium of ``gross_output``: stocks at target, orders = use."""
        use = self.coef * gross_output[self.cols]
        self.stocks = self._days * use
        self.orders = use.copy()
        self.backlog = np.zeros(self.n)
        self.t = 0

    def step(self) -> StepState:
        """Make one step (see the module) and return what happened."""
        n, t = self.n, self.t
        period = int(self.schedule.period[min(t, self.steps - 1)])
        capacity, final = self._asked(t, period)
        ordered = self.orders
        demand = np.bincount(self.rows, weights=ordered, minlength=n) + final.sum(axis=0)
        want = np.maximum(demand - self.backlog, 0.0)
        ratio = np.multiply(self.stocks, self._inverse, out=self._scratch)
        allowed = np.full(n, np.inf)
        if len(ratio):
            allowed[self._with_inputs] = np.minimum.reduceat(ratio, self._starts)
        output = np.minimum(np.minimum(capacity, want), allowed)
        limiting = self._limiting(output, capacity, want, allowed, ratio)
        if self.labour is not None:
            output, limiting = self._labour_limit(output, limiting, t, period)
        use = np.multiply(self.coef, output[self.cols])
        stocks = np.subtract(self.stocks, use, out=self.stocks)
        np.maximum(stocks, 0.0, out=stocks)
        ready = output + self.backlog
        shipped = np.minimum(ready * self.shocks.transport.factor(t, n), demand)
        delivered, to_users = self._ration(period, shipped, demand, ordered, final)
        stocks += delivered
        # orders: use + (target - stocks) / restoration, at least 0 (in place, on ``use``)
        gap = np.multiply(self._target, demand[self.cols], out=self._scratch)
        gap -= stocks
        gap *= self._pace
        use += gap
        self.orders = np.maximum(use, 0.0, out=use)
        self.stocks, self.backlog, self.t = stocks, ready - shipped, t + 1
        delivered_final = to_users.sum(axis=0)
        return StepState(
            step=t, output=output, capacity=capacity, demand=demand,
            delivered_final=delivered_final, unmet_final=final.sum(axis=0) - delivered_final,
            limiting=limiting, ordered=ordered, delivered=delivered, stocks=stocks,
            shipped=shipped, backlog=self.backlog, final_demand=final, delivered_users=to_users,
            stocks_held=self._held(stocks),
        )  # fmt: skip

    def _held(self, stocks: np.ndarray) -> np.ndarray:
        """The stocks of inputs each product's makers hold (a sum over its input links)."""
        held = np.zeros(self.n)
        if len(stocks):
            held[self._with_inputs] = np.add.reduceat(stocks, self._starts)
        return held

    def _asked(self, t: int, period: int) -> tuple[np.ndarray, np.ndarray]:
        """Capacity after the shocks, and final demand with the counter-plans' promises."""
        base = self.schedule.capacity[period]
        capacity = base * (self.shocks.capacity.factor(t, self.n) / self.rebase)
        final = self.schedule.final_demand[period]
        if len(self.shocks.counter_plan):
            promised = base * self.shocks.counter_plan.added(t, self.n)
            capacity = capacity + promised
            final = final.copy()
            final[0] = final[0] + promised
        return capacity, final

    def _ration(
        self,
        period: int,
        shipped: np.ndarray,
        demand: np.ndarray,
        ordered: np.ndarray,
        final: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        if self.priority is not None:
            return self.priority.deliveries(shipped, ordered, self.rows, self.cols, final)
        if self.allotments is not None:
            return self.allotments.deliveries(period, shipped, ordered, self.rows, final)
        return proportional(shipped, demand, ordered, self.rows, final)

    def _labour_limit(
        self, output: np.ndarray, limiting: np.ndarray, t: int, period: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Output cut to the labour available, shared by need at ``output`` (see the module)."""
        L, labour = self.labour, self.schedule.labour
        assert L is not None and labour is not None
        m = L.shape[0]
        base = labour[period] if self.labour_now is None else self.labour_now
        available = base * self.shocks.labour.factor(t, m)
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
        short = np.flatnonzero(by_input & ~by_demand)
        if len(short):  # only the links of the products short of an input are scanned
            links = _segments(self._indptr, short)
            hit = links[ratio[links] <= bound[self.cols[links]]]
            first_cols, first = np.unique(self.cols[hit], return_index=True)
            code[first_cols] = self.rows[hit[first]]
        code[by_demand] = DEMAND
        return code


def _segments(indptr: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The positions of the links of ``columns`` (ascending) in CSC order."""
    starts, ends = indptr[columns], indptr[columns + 1]
    lengths = ends - starts
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(int(lengths.sum()))


def _equilibria(technology: sp.csc_array, final_demand: np.ndarray) -> np.ndarray:
    """``P x n``: the gross output of every period's final demand (one solve for all)."""
    y = final_demand.sum(axis=1)
    if not technology.nnz:
        return y.astype(float)
    return np.asarray(solve_leontief(technology, y.T).x, dtype=float).T.reshape(y.shape)


def _clean(matrix: sp.csc_array) -> sp.csc_array:
    out = sp.csc_array(matrix, copy=True)
    out.sum_duplicates()
    out.eliminate_zeros()
    out.sort_indices()
    return out


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
    seed: int | None = None,
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
        A shocks table (:mod:`gosplan.run.shocks`: capacity, harvest, labour, transport and
        counter-plan shocks from a step, with recovery curves; shares drawn from ranges).
    rationing, classes
        How a supplier shares short shipments (:mod:`gosplan.run.rationing`):
        ``"proportional"`` to the orders, ``"priority"`` by ``classes`` (columns ``product`` —
        the orderer, or ``"final"`` — and ``class``, 1 = served first; orderers not listed go
        to the last class), or ``"fixed"`` allotments (the equilibrium's orders).
    labour
        Labour available per step by labour type (types not named: no limit), or one number
        for a single labour type; ``None``: labour never limits output.
    seed
        Seed of the shares drawn from ``share_min``/``share_max`` ranges (``None``: fresh).

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
    labels = pd.Index([str(p) for p in eco.product_labels])
    types = pd.Index([str(h) for h in eco.labour_types])
    users = pd.Index([FINAL])
    problems = Problems()
    steps = _steps(steps, problems)
    y = by_product(final_demand, labels, 0.0, "final demand", problems)
    at_least(y, 0.0, labels, "final demand", problems, Check.NEGATIVE_VALUE)
    days, tau = stock_settings(stock_days, restoration, labels, problems)
    cap = _capacity(capacity, labels, problems)
    available = None if labour is None else labour_available(labour, types, problems)
    limited = np.zeros(len(types), bool) if available is None else np.isfinite(available)
    shock_table = shock_set(shocks, labels, types, limited, steps, problems, seed=seed)
    priority = rationing_rule(rationing, classes, labels, users, problems)
    problems.raise_if_any()
    schedule = _plain_schedule(eco, y, cap, available, steps, users)
    sim = Simulation(
        eco.technology, schedule, days, tau, shock_table,
        labour=None if available is None else eco.labour, rationing=rationing, priority=priority,
    )  # fmt: skip
    sim.labels, sim.labour_types, sim.economy = labels, types, eco
    return sim


def _capacity(capacity: Any, labels: pd.Index, problems: Problems) -> np.ndarray | None:
    """Capacity by product (NaN: not given), or ``None``."""
    if capacity is None:
        return None
    cap = by_product(capacity, labels, np.nan, "capacity", problems)
    at_least(cap, 0.0, labels, "capacity", problems, Check.NEGATIVE_VALUE)
    return cap


def _plain_schedule(
    eco: Economy,
    y: np.ndarray,
    cap: np.ndarray | None,
    available: np.ndarray | None,
    steps: int,
    users: pd.Index,
) -> Schedule:
    """One period: final demand, capacity (default: the equilibrium output) and labour."""
    x = np.asarray(eco.gross_output(pd.Series(y, index=eco.product_labels)), dtype=float)
    return Schedule(
        period=np.zeros(steps, np.int64),
        final_demand=y[None, None, :],
        capacity=(x if cap is None else np.where(np.isnan(cap), x, cap))[None, :],
        labour=None if available is None else available[None, :],
        users=users,
        equilibria=x[None, :],
    )


def _steps(steps: Any, problems: Problems) -> int:
    if not isinstance(steps, int | np.integer) or isinstance(steps, bool) or steps < 1:
        problems.add(
            f"steps must be a whole number of at least 1, not {steps!r}",
            source="steps",
            check=Check.OUT_OF_RANGE,
        )
        return 0
    return int(steps)


def stock_settings(
    stock_days: Any,
    restoration: Any,
    labels: pd.Index,
    problems: Problems,
    *,
    per_step: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Stock target and restoration time per product, in steps (given in ``per_step`` units).

    Each must be at least one step: a stock of less than a step's use cannot feed a step's
    production (inputs arrive after the step's production).
    """
    days = by_product(stock_days, labels, STOCK_DAYS, "stock_days", problems)
    tau = by_product(restoration, labels, RESTORATION, "restoration", problems)
    unit = " days" if per_step != 1.0 else ""
    for name, values in (("stock_days", days), ("restoration", tau)):
        at_least(values, per_step, labels, name, problems, Check.OUT_OF_RANGE, unit=unit)
    return days / per_step, tau / per_step


def rationing_rule(
    rationing: str,
    classes: pd.DataFrame | None,
    labels: pd.Index,
    users: pd.Index,
    problems: Problems,
) -> Priority | None:
    """Check the rationing rule and the classes; the priority classes, if by priority."""
    if rationing not in RATIONING:
        problems.add(
            f"unknown rationing rule {rationing!r}; choose {', '.join(RATIONING)}",
            source="rationing",
            check=Check.BAD_OPTION,
        )
    priority = priority_classes(classes, labels, users, rationing, problems)
    return priority if rationing == "priority" else None


def simulate(
    model: Economy | PlanSpec, *args: Any, progress: Progress | None = None, **kwargs: Any
) -> SimulationResult:
    """Run an economy forward step by step (see the module).

    ``simulate(economy, final_demand, *, steps, ...)``: a square economy from its
    equilibrium, with the parameters (and errors) of :func:`prepare`.
    ``simulate(spec, result, *, step="month", ...)``: an adopted plan on its calendar, with
    the parameters of :func:`gosplan.run.plan_simulation.simulate_plan`.
    ``simulate(mrio, *, steps, shocks=..., ...)`` with a pymrio ``IOSystem`` (or a
    :class:`gosplan.run.ario.SparseMRIO`): the mode that reproduces BoARIO's ARIOPsiModel,
    :func:`gosplan.run.ario.ario_simulate` (its result is an ``ARIOResult``). ``progress``
    is called as ``progress(fraction_done, message)`` as the steps run.

    Returns
    -------
    SimulationResult
        Output, capacity, demand, stocks and final deliveries per product and step, what
        limited each product's output at each step, and (for a plan) the final users, the
        activities and the enterprises step by step.
    """
    if _is_mrio(model):
        from gosplan.run.ario import ario_simulate

        return ario_simulate(model, *args, **kwargs)  # type: ignore[return-value]
    if not isinstance(model, Economy):
        from gosplan.run.plan_simulation import simulate_plan

        return simulate_plan(model, *args, progress=progress, **kwargs)
    sim = prepare(model, *args, **kwargs)
    return run(sim, progress)


def _is_mrio(model: Any) -> bool:
    """A multi-regional table for the ARIO mode (a pymrio ``IOSystem`` or a ``SparseMRIO``)."""
    kind = type(model)
    return (kind.__module__.startswith("pymrio") and kind.__name__ == "IOSystem") or (
        kind.__name__ == "SparseMRIO" and kind.__module__ == "gosplan.run.ario"
    )


def run(sim: Simulation, progress: Progress | None = None) -> SimulationResult:
    """Run a prepared simulation to its end (checking first that its result fits in memory)."""
    from gosplan.run.simulation_tables import Record, result_of

    check_memory(sim)
    left = sim.steps - sim.t
    every = max(1, left // 50)
    states = Record(left, sim.n, len(sim.schedule.users))
    for i in range(left):
        states.add(sim.step())
        if progress is not None and ((i + 1) % every == 0 or i + 1 == left):
            progress((i + 1) / left, f"step {sim.t} of {sim.steps}")
    return result_of(states, sim)


def memory_needed(sim: Simulation) -> int:
    """Bytes a run of ``sim`` needs, roughly: its link arrays, its record and result tables."""
    users = len(sim.schedule.users)
    per_step = sim.n * (8 + 11 + (5 * users if users > 1 else 0)) * 8  # record, then tables
    links = len(sim.coef) * 12 * 8
    return int(sim.steps * per_step + links)


def available_memory() -> int | None:
    """Bytes of memory available now (Linux's ``MemAvailable``); ``None`` where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(sim: Simulation, available: int | None = None) -> None:
    """Refuse a run whose result would not fit in the memory available, before it starts.

    Raises
    ------
    InputError
        With check ``too_large``: the estimate, what is available, and what to cut.
    """
    have = available_memory() if available is None else available
    need = memory_needed(sim)
    if have is not None and need > have:
        raise InputError(
            f"a run of {sim.steps:,} steps of {sim.n:,} products ({len(sim.coef):,} input "
            f"links) needs about {need / 2**30:.1f} GiB, more than the "
            f"{have / 2**30:.1f} GiB available; run fewer steps (a coarser step or fewer "
            "periods) or split the run",
            source="simulation",
            check=Check.TOO_LARGE,
        )
