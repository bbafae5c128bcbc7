"""An independent formulation of the plan LP, built row by row from ``docs/plan-format.md``.

Nothing here comes from the project's LP code (``gosplan.plan.blocks``, ``layout``,
``objectives``, ``assemble``, ``crash``): only the documented tables and objectives, the
:class:`~gosplan.core.spec.PlanSpec` fields and the economy's public matrices are read. The LP
is written out as Python dictionaries, one variable per ``(kind, label, period)`` and one row
per documented relation, and solved by :func:`scipy.optimize.linprog` (HiGHS), so that a
misreading of the documentation in the project shows up as a disagreement with this module.

Reading of the documentation (periods ``t = 0 .. T-1``, the end of the horizon is ``t = T``):

* ``x[j, t]`` is the level of activity ``j`` *run* in ``t``; its inputs, labour, resources and
  capacity are in ``t``, its output arrives in ``t + lead_time`` (lost after the horizon);
* ``inv[j, s]`` is new capacity started in ``s`` (capacity-limited activities only: a finite
  economy capacity or rows in ``vintages``); it spends ``B[:, j] w_j(d)`` capital goods and
  ``CL[:, j] w_j(d)`` construction labour in ``s + d`` and adds capacity from ``s + lag``
  (not allowed when ``s + lag > T``); ``w_j`` is the ``construction`` profile, else evenly over
  the lag (all at once for a lag of 0);
* capacity in ``t``: vintages still in service (``start + t < year_built + service_life``;
  without vintage rows the economy's capacity, built at the start) times ``(1 - rate)^t``,
  plus every completed investment times ``(1 - rate)^(t - s - lag)``, retired
  ``service_life`` periods after completion;
* balance, every product and period: deliveries + imports + carried stock
  ``(1 - loss) s[t - 1]`` (for ``t = 0`` the whole initial stock, see
  :data:`INITIAL_STOCK_LOSES`) = intermediate use + capital goods
  + stock ``s[t]`` + fixed final demand + final use ``c`` + exports;
* stocks exist for the products of ``storage`` and ``initial_stocks`` (every product with
  ``storable = "all"``), at most ``max_stock``;
* targets are hard (``output >= target``) except in ``harmony`` and in a ``max_level`` without
  assortment (where they are the bundle); floors ``c >= floor``; labour
  of a listed type (with construction labour) and resources of a listed resource are at most
  the amount available in the listed periods; the trade balance
  ``sum(world_price (m - e)) <= trade_deficit`` per period, ``m <= import_limit``,
  ``e <= export_limit``;
* terminal requirements (every objective): capacity at the end at least ``terminal_capacity``
  and at least ``terminal_growth`` times the capacity of the initial stock in the first
  period; ``terminal = "static"`` adds levels ``y >= 0`` with
  ``(O - A) y - B (rate * y) >= c[consumption goods, T-1] + fixed final demand[T-1]``,
  ``y <= capacity at the end`` and ``Lab y <= labour available in T-1``;
* ``investment_share``: ``sum_j k_j (mop_j - share) spent_j(t) = 0`` with ``k_j = v . B[:, j]``
  (``v`` least-labour values) and ``mop_j`` whether ``j`` makes a means of production.

Objectives: ``max_level`` (the common level θ with ``c >= θ weight`` over the assortment, or
``output >= θ target`` over the targets when there is no assortment), ``min_labour`` (total
labour, construction labour included), ``harmony`` (``sum priority h(output / target)`` with
the documented piecewise-linear ``h``), ``max_consumption`` (``sum_t (1 + discount)^-t w c``
over consumption goods, ``w`` the consumption weights or the least-labour values) and
``linear`` (``objective_weights``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION
from gosplan.core.spec import PlanSpec

Key = tuple[str, Any, int]
Expr = dict[int, float]

#: Documented harmony segments: (width, slope) from a ratio of 0 upwards; beyond 2: slope 0.
HARMONY_SEGMENTS: tuple[tuple[float, float], ...] = (
    (0.25, 4.0),
    (0.25, 3.0),
    (0.25, 2.0),
    (0.25, 1.0),
    (1.0, 0.01),
)
#: Documented harmony of a ratio of 0.
HARMONY_AT_ZERO = -1.5

#: Whether the initial stock loses the storage loss in the first period. ``False``: the stock
#: "at the start" is there in full in the first period; the loss is charged on what is stored
#: "from one period to the next" (the project's reading, and the one taken here). ``True``
#: treats the initial stock as the stock at the end of a period before the first.
INITIAL_STOCK_LOSES = False

#: Status words of :func:`scipy.optimize.linprog`, as the project names them.
STATUS = {0: "optimal", 1: "iteration_limit", 2: "infeasible", 3: "unbounded", 4: "error"}


def harmony(ratio: float) -> float:
    """Documented harmony ``h(r)`` of a fulfilment ratio.

    Parameters
    ----------
    ratio
        Output over target (``>= 0``).

    Returns
    -------
    float
        ``h(r)``: ``-1.5`` at 0, slopes 4, 3, 2, 1 by quarters up to ``h(1) = 1``, 0.01 up to 2,
        flat beyond.

    Examples
    --------
    >>> harmony(0.0), harmony(0.5), harmony(1.0), round(harmony(3.0), 12)
    (-1.5, 0.25, 1.0, 1.01)
    """
    value, left = HARMONY_AT_ZERO, max(float(ratio), 0.0)
    for width, slope in HARMONY_SEGMENTS:
        step = min(left, width)
        value += slope * step
        left -= step
    return value


def least_labour_values_independently(spec: PlanSpec) -> np.ndarray:
    """Least-labour values ``max sum v`` s.t. ``v (O - A) <= l``, ``v >= 0`` (0 where not made).

    Parameters
    ----------
    spec
        The plan; its economy's output, technology and labour matrices are read.

    Returns
    -------
    numpy.ndarray
        One value per product, economy order.
    """
    eco = spec.economy
    Out = eco.output_matrix.toarray()
    A = eco.technology.toarray()
    lab = eco.labour.toarray().sum(axis=0)
    made = Out.sum(axis=1) > 0
    res = linprog(
        -np.ones(eco.n_products),
        A_ub=(Out - A).T,
        b_ub=lab,
        bounds=[(0.0, None if m else 0.0) for m in made],
        method="highs",
    )
    if res.status != 0:
        raise ValueError(f"least-labour values have no optimum: {res.message}")
    return np.maximum(res.x, 0.0)


# --------------------------------------------------------------------------- the LP by hand
@dataclass
class HandLP:
    """Variables by key and rows as coefficient dictionaries.

    Attributes
    ----------
    keys
        Variable keys in column order.
    index
        Column of every key.
    lower, upper
        Bounds of the variables.
    rows
        ``(block, label, coefficients, lower, upper)`` of every row.
    """

    keys: list[Key] = field(default_factory=list)
    index: dict[Key, int] = field(default_factory=dict)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    rows: list[tuple[str, tuple[Any, ...], Expr, float, float]] = field(default_factory=list)

    def var(self, kind: str, label: Any, t: int, lo: float = 0.0, hi: float = np.inf) -> int:
        """Add (or return) the variable ``(kind, label, t)`` with bounds ``[lo, hi]``."""
        key = (kind, label, t)
        if key in self.index:
            return self.index[key]
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.lower.append(lo)
        self.upper.append(hi)
        return self.index[key]

    def row(self, block: str, label: tuple[Any, ...], expr: Expr, lo: float, hi: float) -> None:
        """Add the row ``lo <= expr <= hi`` (constants already moved into the bounds)."""
        self.rows.append((block, label, dict(expr), lo, hi))

    def matrices(
        self, extra: list[tuple[Expr, float, float]] = ()
    ) -> tuple[sp.csr_array | None, np.ndarray, sp.csr_array | None, np.ndarray]:
        """``A_ub, b_ub, A_eq, b_eq`` for :func:`linprog`, COO built entry by entry."""
        ub_r, ub_c, ub_v, ub_b = [], [], [], []
        eq_r, eq_c, eq_v, eq_b = [], [], [], []
        every = [(e, lo, hi) for _, _, e, lo, hi in self.rows] + list(extra)
        for expr, lo, hi in every:
            if lo == hi:
                for col, v in expr.items():
                    eq_r.append(len(eq_b))
                    eq_c.append(col)
                    eq_v.append(v)
                eq_b.append(lo)
                continue
            if np.isfinite(hi):
                for col, v in expr.items():
                    ub_r.append(len(ub_b))
                    ub_c.append(col)
                    ub_v.append(v)
                ub_b.append(hi)
            if np.isfinite(lo):
                for col, v in expr.items():
                    ub_r.append(len(ub_b))
                    ub_c.append(col)
                    ub_v.append(-v)
                ub_b.append(-lo)
        n = len(self.keys)
        A_ub = sp.coo_array((ub_v, (ub_r, ub_c)), shape=(len(ub_b), n)).tocsr() if ub_b else None
        A_eq = sp.coo_array((eq_v, (eq_r, eq_c)), shape=(len(eq_b), n)).tocsr() if eq_b else None
        return A_ub, np.asarray(ub_b, float), A_eq, np.asarray(eq_b, float)

    def solve(
        self, cost: Expr, sense: str, extra: list[tuple[Expr, float, float]] = ()
    ) -> tuple[str, float, np.ndarray | None]:
        """Optimise ``cost`` (``"max"`` or ``"min"``); return status, objective and the point."""
        c = np.zeros(len(self.keys))
        for col, v in cost.items():
            c[col] += v
        sign = -1.0 if sense == "max" else 1.0
        A_ub, b_ub, A_eq, b_eq = self.matrices(extra)
        res = linprog(
            sign * c,
            A_ub=A_ub,
            b_ub=b_ub if A_ub is not None else None,
            A_eq=A_eq,
            b_eq=b_eq if A_eq is not None else None,
            bounds=list(zip(self.lower, self.upper, strict=True)),
            method="highs",
            options={"primal_feasibility_tolerance": 1e-9, "dual_feasibility_tolerance": 1e-9},
        )
        status = STATUS.get(res.status, "error")
        if status != "optimal":
            return status, float("nan"), None
        return status, float(c @ res.x), np.asarray(res.x, float)


def _add(expr: Expr, col: int, coef: float) -> None:
    if coef != 0.0:
        expr[col] = expr.get(col, 0.0) + coef


def _num(value: Any, default: float) -> float:
    """A number from a cell, ``default`` where blank."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return default
    return default if np.isnan(v) else v


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(np.isnan(value))
    except TypeError:
        return False


# --------------------------------------------------------------------------- the model
@dataclass
class IndependentModel:
    """The hand-built LP of a spec with its objective and the plan's quantities as expressions.

    Attributes
    ----------
    spec
        The plan.
    lp
        Variables and rows.
    cost
        The objective's coefficients (without ``constant``).
    constant
        Constant part of the objective (capacity of the initial stock in a linear objective,
        ``-1.5`` per unit of priority in harmony).
    sense
        ``"max"`` or ``"min"``.
    labour
        Total labour over the horizon (for the least-labour second stage).
    quantities
        ``(kind, label, t) -> (expression, constant)`` of every reported quantity: ``output``,
        ``activity``, ``capacity`` (``t = T`` at the end), ``investment``, ``employment``,
        ``consumption``, ``stocks``, ``imports``, ``exports``.
    """

    spec: PlanSpec
    lp: HandLP
    cost: Expr
    constant: float
    sense: str
    labour: Expr
    quantities: dict[Key, tuple[Expr, float]]


def build_model(spec: PlanSpec, objective: str | None = None) -> IndependentModel:
    """Write the LP of ``spec`` row by row from the documentation.

    Parameters
    ----------
    spec
        A validated plan specification.
    objective
        Override of ``spec.objective``.

    Returns
    -------
    IndependentModel
    """
    eco = spec.economy
    objective = objective or spec.objective
    T = spec.n_periods
    start = spec.periods[0]
    pos = {int(p): i for i, p in enumerate(spec.periods)}
    pos[int(spec.periods[-1]) + 1] = T
    products = list(eco.product_labels)
    activities = list(eco.activity_labels)
    Out = eco.output_matrix.toarray()
    A = eco.technology.toarray()
    B = eco.capital.toarray()
    Lab = eco.labour.toarray()
    Res = eco.resources.toarray()
    made_by = [products[i] for i in np.argmax(Out, axis=0)]
    groups = eco.products["group"]
    consumer = {p: groups[p] == CONSUMER_GOODS for p in products}
    lp = HandLP()

    # ---------------------------------------------------------------- per-activity facts
    lag = {j: int(spec.default_lag) for j in activities}
    for _, r in spec.lags.iterrows():
        lag[r["activity"]] = int(r["lag"])
    lead = dict.fromkeys(activities, 0)
    for _, r in spec.lead_times.iterrows():
        lead[r["activity"]] = int(r["lead_time"])
    rate = dict.fromkeys(activities, 0.0)
    for _, r in spec.depreciation.iterrows():
        rate[r["activity"]] = float(r["rate"])
    life = {j: float(eco.service_life[k]) for k, j in enumerate(activities)}
    vintages: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for _, r in spec.vintages.iterrows():
        vintages[r["activity"]].append((int(r["year_built"]), float(r["capacity"])))
    for k, j in enumerate(activities):
        if j not in vintages and np.isfinite(eco.capacity[k]):
            vintages[j].append((start, float(eco.capacity[k])))
    capped = {j: j in vintages for j in activities}
    profile: dict[str, dict[int, float]] = {}
    for j in activities:
        width = max(lag[j], 1)
        profile[j] = {d: 1.0 / width for d in range(width)}
    listed: dict[str, dict[int, float]] = defaultdict(dict)
    for _, r in spec.construction.iterrows():
        listed[r["activity"]][int(r["offset"])] = float(r["share"])
    profile.update(listed)
    CL: dict[str, dict[str, float]] = defaultdict(dict)  # activity -> type -> coefficient
    for _, r in spec.construction_labour.iterrows():
        CL[r["activity"]][r["labour_type"]] = float(r["coefficient"])

    def in_service(year: int, built: int, j: str) -> bool:
        return np.isnan(life[j]) or year < built + life[j]

    def initial_capacity(j: str, t: int) -> float:
        """Capacity of the initial stock in period ``t`` (``t = T``: the end)."""
        year = start + t
        kept = sum(c for b, c in vintages[j] if in_service(year, b, j))
        return kept * (1.0 - rate[j]) ** t

    # ---------------------------------------------------------------- variables
    x = {(j, t): lp.var("activity", j, t) for j in activities for t in range(T)}
    bounds_inv: dict[tuple[str, int], list[float]] = {}
    for j in activities:
        if not capped[j]:
            continue
        for s in range(T):
            bounds_inv[j, s] = [0.0, np.inf if s + lag[j] <= T else 0.0]
    for _, r in spec.investment_limits.iterrows():
        j = r["activity"]
        period = r["period"] if "period" in spec.investment_limits.columns else None
        ts = range(T) if _blank(period) else [pos[int(period)]]
        for s in ts:
            b = bounds_inv[j, s]
            if "min" in r.index:
                b[0] = max(b[0], _num(r["min"], 0.0))
            if "max" in r.index:
                b[1] = min(b[1], _num(r["max"], np.inf))
    inv = {k: lp.var("investment", k[0], k[1], lo, hi) for k, (lo, hi) in bounds_inv.items()}

    storable: dict[str, float] = {}  # product -> loss
    if spec.storable == "all":
        storable = dict.fromkeys(products, 0.0)
    initial = dict.fromkeys(products, 0.0)
    for _, r in spec.initial_stocks.iterrows():
        initial[r["product"]] = float(r["stock"])
        storable.setdefault(r["product"], 0.0)
    max_stock = dict.fromkeys(products, np.inf)
    for _, r in spec.storage.iterrows():
        p = r["product"]
        storable[p] = _num(r["loss"], 0.0) if "loss" in r.index else 0.0
        if "max_stock" in r.index:
            max_stock[p] = _num(r["max_stock"], np.inf)
    stock = {
        (p, t): lp.var("stocks", p, t, 0.0, max_stock[p])
        for p in products
        if p in storable
        for t in range(T)
    }
    floor = defaultdict(float)
    for _, r in spec.floors.iterrows():
        floor[r["product"], pos[int(r["period"])]] = float(r["floor"])
    cons = {(p, t): lp.var("consumption", p, t, floor[p, t]) for p in products for t in range(T)}
    imports: dict[tuple[str, int], int] = {}
    exports: dict[tuple[str, int], int] = {}
    price: dict[str, float] = {}
    for _, r in spec.trade.iterrows():
        p = r["product"]
        price[p] = float(r["world_price"])
        m_hi = _num(r["import_limit"], np.inf) if "import_limit" in r.index else np.inf
        e_hi = _num(r["export_limit"], np.inf) if "export_limit" in r.index else np.inf
        for t in range(T):
            imports[p, t] = lp.var("imports", p, t, 0.0, m_hi)
            exports[p, t] = lp.var("exports", p, t, 0.0, e_hi)

    # ---------------------------------------------------------------- expressions
    def spent(j: str, t: int) -> Expr:
        """Investment units of activity ``j`` under construction spending in ``t``."""
        out: Expr = {}
        for d, w in profile[j].items():
            if (j, t - d) in inv:
                _add(out, inv[j, t - d], w)
        return out

    def capacity(j: str, t: int) -> tuple[Expr, float]:
        out: Expr = {}
        for s in range(T):
            done = s + lag[j]
            if (j, s) in inv and done <= t and in_service(start + t, start + done, j):
                _add(out, inv[j, s], (1.0 - rate[j]) ** (t - done))
        return out, initial_capacity(j, t)

    def output(p: str, t: int) -> Expr:
        out: Expr = {}
        i = products.index(p)
        for k, j in enumerate(activities):
            if Out[i, k] and t - lead[j] >= 0:
                _add(out, x[j, t - lead[j]], Out[i, k])
        return out

    def employment(lt: str, t: int) -> Expr:
        i = list(eco.labour_types).index(lt)
        out: Expr = {}
        for k, j in enumerate(activities):
            _add(out, x[j, t], Lab[i, k])
            coef = CL[j].get(lt, 0.0)
            if coef:
                for col, v in spent(j, t).items():
                    _add(out, col, coef * v)
        return out

    quantities: dict[Key, tuple[Expr, float]] = {}
    for t in range(T):
        for p in products:
            quantities["output", p, t] = (output(p, t), 0.0)
            quantities["consumption", p, t] = ({cons[p, t]: 1.0}, 0.0)
            quantities["stocks", p, t] = ({stock[p, t]: 1.0} if (p, t) in stock else {}, 0.0)
            quantities["imports", p, t] = (
                {imports[p, t]: 1.0} if (p, t) in imports else {},
                0.0,
            )
            quantities["exports", p, t] = (
                {exports[p, t]: 1.0} if (p, t) in exports else {},
                0.0,
            )
        for j in activities:
            quantities["activity", j, t] = ({x[j, t]: 1.0}, 0.0)
            quantities["investment", j, t] = ({inv[j, t]: 1.0} if (j, t) in inv else {}, 0.0)
        for lt in eco.labour_types:
            quantities["employment", lt, t] = (employment(lt, t), 0.0)
    for j in activities:
        if capped[j]:
            for t in range(T + 1):
                quantities["capacity", j, t] = capacity(j, t)

    # ---------------------------------------------------------------- balance
    ffd = defaultdict(float)
    for _, r in spec.fixed_final_demand.iterrows():
        ffd[r["product"], pos[int(r["period"])]] += float(r["quantity"])
    for t in range(T):
        for i, p in enumerate(products):
            expr = output(p, t)  # deliveries - uses = fixed final demand - carried initial stock
            for k, j in enumerate(activities):
                _add(expr, x[j, t], -A[i, k])
                if B[i, k]:
                    for col, v in spent(j, t).items():
                        _add(expr, col, -B[i, k] * v)
            rhs = ffd[p, t]
            if p in storable:
                _add(expr, stock[p, t], -1.0)
                if t > 0:
                    _add(expr, stock[p, t - 1], 1.0 - storable[p])
                else:
                    kept = 1.0 - storable[p] if INITIAL_STOCK_LOSES else 1.0
                    rhs -= kept * initial[p]
            _add(expr, cons[p, t], -1.0)
            if (p, t) in imports:
                _add(expr, imports[p, t], 1.0)
                _add(expr, exports[p, t], -1.0)
            lp.row("balance", (p, t), expr, rhs, rhs)

    # ---------------------------------------------------------------- limits
    for _, r in spec.labour_available.iterrows():
        t = pos[int(r["period"])]
        lp.row(
            "labour",
            (r["labour_type"], t),
            employment(r["labour_type"], t),
            -np.inf,
            float(r["available"]),
        )
    for _, r in spec.resources_available.iterrows():
        t = pos[int(r["period"])]
        i = list(eco.resource_types).index(r["resource"])
        expr: Expr = {}
        for k, j in enumerate(activities):
            _add(expr, x[j, t], Res[i, k])
        lp.row("resources", (r["resource"], t), expr, -np.inf, float(r["available"]))
    for j in activities:
        if not capped[j]:
            continue
        for t in range(T):
            cap, const = capacity(j, t)
            expr = {x[j, t]: 1.0}
            for col, v in cap.items():
                _add(expr, col, -v)
            lp.row("capacity", (j, t), expr, -np.inf, const)
    if price:
        for t in range(T):
            expr = {}
            for p, w in price.items():
                _add(expr, imports[p, t], w)
                _add(expr, exports[p, t], -w)
            lp.row("trade", (t,), expr, -np.inf, float(spec.trade_deficit))

    # ---------------------------------------------------------------- terminal
    need = defaultdict(float)
    for _, r in spec.terminal_capacity.iterrows():
        need[r["activity"]] = max(need[r["activity"]], float(r["capacity"]))
    if spec.terminal_growth is not None:
        for j in activities:
            if capped[j]:
                k0 = sum(c for b, c in vintages[j] if in_service(start, b, j))
                need[j] = max(need[j], float(spec.terminal_growth) * k0)
    for j, lo in need.items():
        cap, const = capacity(j, T)
        lp.row("terminal", (j,), cap, lo - const, np.inf)
    if spec.terminal == "static":
        y = {j: lp.var("terminal_level", j, T) for j in activities}
        for i, p in enumerate(products):
            expr = {}
            for k, j in enumerate(activities):
                _add(expr, y[j], Out[i, k] - A[i, k] - B[i, k] * rate[j])
            if consumer[p]:
                _add(expr, cons[p, T - 1], -1.0)
            lp.row("terminal_balance", (p,), expr, ffd[p, T - 1], np.inf)
        for j in activities:
            if capped[j]:
                cap, const = capacity(j, T)
                expr = {y[j]: 1.0}
                for col, v in cap.items():
                    _add(expr, col, -v)
                lp.row("terminal_capacity_use", (j,), expr, -np.inf, const)
        for _, r in spec.labour_available.iterrows():
            if pos[int(r["period"])] != T - 1:
                continue
            i = list(eco.labour_types).index(r["labour_type"])
            expr = {}
            for k, j in enumerate(activities):
                # its labour, and the construction labour replacing what wears out
                _add(expr, y[j], Lab[i, k] + CL[j].get(r["labour_type"], 0.0) * rate[j])
            lp.row("terminal_labour", (r["labour_type"],), expr, -np.inf, float(r["available"]))

    # ---------------------------------------------------------------- investment share
    if spec.investment_share is not None and inv:
        v = least_labour_values_independently(spec)
        share = float(spec.investment_share)
        for t in range(T):
            expr = {}
            for k, j in enumerate(activities):
                if not capped[j]:
                    continue
                mop = 1.0 if groups[made_by[k]] == MEANS_OF_PRODUCTION else 0.0
                kj = float(v @ B[:, k])
                for col, w in spent(j, t).items():
                    _add(expr, col, kj * (mop - share) * w)
            if expr:
                lp.row("investment_share", (t,), expr, 0.0, 0.0)

    # ---------------------------------------------------------------- objective
    labour: Expr = {}
    for t in range(T):
        for lt in eco.labour_types:
            for col, v in employment(lt, t).items():
                _add(labour, col, v)
    targets = spec.targets
    prio = (
        pd.to_numeric(targets["priority"], errors="coerce").fillna(1.0).to_numpy(float)
        if "priority" in targets.columns
        else np.ones(len(targets))
    )
    cost: Expr = {}
    constant = 0.0
    sense = "max"
    if objective == "harmony":
        for n, (_, r) in enumerate(targets.iterrows()):
            t, target = pos[int(r["period"])], float(r["target"])
            # target * (sum of segments) <= output; the part beyond 2 is worth nothing
            expr = {col: -v for col, v in output(r["product"], t).items()}
            for s, (width, slope) in enumerate(HARMONY_SEGMENTS):
                u = lp.var("harmony", (r["product"], s), t, 0.0, width)
                _add(expr, u, target)
                _add(cost, u, prio[n] * slope)
            lp.row("harmony", (r["product"], t), expr, -np.inf, 0.0)
            constant += prio[n] * HARMONY_AT_ZERO
    elif objective != "max_level" or len(spec.assortment):
        for _, r in targets.iterrows():
            t = pos[int(r["period"])]
            lp.row(
                "targets", (r["product"], t), output(r["product"], t), float(r["target"]), np.inf
            )
    if objective == "max_level":
        theta = lp.var("level", None, 0)
        cost = {theta: 1.0}
        if len(spec.assortment):
            for _, r in spec.assortment.iterrows():
                period = r["period"] if "period" in spec.assortment.columns else None
                ts = range(T) if _blank(period) else [pos[int(period)]]
                for t in ts:
                    expr = {cons[r["product"], t]: 1.0}
                    _add(expr, theta, -float(r["weight"]))
                    lp.row("assortment", (r["product"], t), expr, 0.0, np.inf)
        else:
            for _, r in targets.iterrows():
                t = pos[int(r["period"])]
                expr = output(r["product"], t)
                _add(expr, theta, -float(r["target"]))
                lp.row("level", (r["product"], t), expr, 0.0, np.inf)
    elif objective == "min_labour":
        cost, sense = dict(labour), "min"
    elif objective == "max_consumption":
        if spec.consumption_weights is not None:
            weights = spec.consumption_weights.reindex(products).fillna(0.0).to_dict()
        else:
            v = least_labour_values_independently(spec)
            weights = {p: float(v[i]) if consumer[p] else 0.0 for i, p in enumerate(products)}
        for t in range(T):
            factor = (1.0 + float(spec.discount)) ** -t
            for p in products:
                if consumer[p]:
                    _add(cost, cons[p, t], factor * float(weights[p]))
    elif objective == "linear":
        sense = spec.sense
        kinds = {
            "output": products,
            "activity": activities,
            "capacity": activities,
            "investment": activities,
            "employment": list(eco.labour_types),
            "consumption": products,
            "stocks": products,
        }
        cols = spec.objective_weights.columns
        for _, r in spec.objective_weights.iterrows():
            q = r["quantity"]
            label = r["label"] if "label" in cols else None
            period = r["period"] if "period" in cols else None
            labels = kinds[q] if _blank(label) else [label]
            ts = range(T) if _blank(period) else [pos[int(period)]]
            for lab_ in labels:
                for t in ts:
                    if (q, lab_, t) not in quantities:
                        continue  # no stock of a product that cannot be stored, etc.
                    expr, const = quantities[q, lab_, t]
                    for col, v in expr.items():
                        _add(cost, col, float(r["weight"]) * v)
                    constant += float(r["weight"]) * const
    elif objective != "harmony":
        raise ValueError(f"unknown objective {objective!r}")
    return IndependentModel(spec, lp, cost, constant, sense, labour, quantities)


# --------------------------------------------------------------------------- solving
@dataclass
class IndependentResult:
    """The independent optimum of a spec.

    Attributes
    ----------
    status
        ``"optimal"``, ``"infeasible"``, ``"unbounded"`` or another linprog outcome.
    objective
        The objective as documented (constants included); ``nan`` without an optimum.
    level
        θ for ``max_level``, else ``None``.
    labour
        Total labour of the returned plan (the least at the optimum for ``max_level``).
    point
        The solution vector (``None`` without an optimum).
    model
        The model solved.
    """

    status: str
    objective: float
    level: float | None
    labour: float
    point: np.ndarray | None = field(repr=False)
    model: IndependentModel = field(repr=False)

    def value(self, kind: str, label: Any, t: int) -> float:
        """A quantity of the plan (``t`` is the period position; ``T`` for the end)."""
        expr, const = self.model.quantities[kind, label, t]
        assert self.point is not None
        return const + sum(v * self.point[col] for col, v in expr.items())

    def table(self, kind: str) -> pd.DataFrame:
        """A quantity as a labels x period-labels table (like the project's result tables)."""
        spec = self.model.spec
        labels = sorted({k[1] for k in self.model.quantities if k[0] == kind}, key=str)
        T = spec.n_periods
        return pd.DataFrame(
            [[self.value(kind, lab, t) for t in range(T)] for lab in labels],
            index=labels,
            columns=list(spec.periods),
        )


def _fix(model: IndependentModel, optimum: float, rtol: float) -> tuple[Expr, float, float]:
    """A row holding the objective at its optimum (within ``rtol``)."""
    slack = rtol * max(1.0, abs(optimum))
    target = optimum - model.constant
    if model.sense == "max":
        return model.cost, target - slack, np.inf
    return model.cost, -np.inf, target + slack


def solve_independently(
    spec: PlanSpec, *, least_labour: bool = True, objective: str | None = None
) -> IndependentResult:
    """Optimise ``spec`` with the hand-built LP.

    Parameters
    ----------
    spec
        A validated plan specification.
    least_labour
        For ``max_level``: a second LP for the least labour at the optimal level.
    objective
        Override of ``spec.objective``.

    Returns
    -------
    IndependentResult
    """
    model = build_model(spec, objective)
    status, value, point = model.lp.solve(model.cost, model.sense)
    if status != "optimal":
        return IndependentResult(status, float("nan"), None, float("nan"), None, model)
    optimum = value + model.constant
    max_level = (objective or spec.objective) == "max_level"
    level = optimum if max_level else None
    if least_labour and max_level:
        fixed = _fix(model, optimum, 1e-9)
        status2, _, point2 = model.lp.solve(model.labour, "min", [fixed])
        if status2 == "optimal":
            point = point2
    assert point is not None
    labour = float(sum(v * point[col] for col, v in model.labour.items()))
    return IndependentResult(status, optimum, level, labour, point, model)


def optimal_range(
    result: IndependentResult,
    kind: str,
    label: Any,
    t: int,
    *,
    rtol: float = 1e-9,
    hold_labour: bool = False,
) -> tuple[float, float]:
    """Least and greatest value of one quantity over the optimal plans.

    Parameters
    ----------
    result
        An optimal independent result.
    kind, label, t
        The quantity (see :attr:`IndependentModel.quantities`).
    rtol
        Relative slack of the objective held at its optimum.
    hold_labour
        Also hold total labour at the plan's (the second stage of ``max_level``).

    Returns
    -------
    tuple of float
        ``(low, high)``; equal (to the tolerance) when the optimum fixes the quantity.
    """
    model = result.model
    extra = [_fix(model, result.objective, rtol)]
    if hold_labour:
        extra.append((model.labour, -np.inf, result.labour + rtol * max(1.0, result.labour)))
    expr, const = model.quantities[kind, label, t]
    out = []
    for sense in ("min", "max"):
        status, value, _ = model.lp.solve(expr, sense, extra)
        if status == "unbounded":
            value = -np.inf if sense == "min" else np.inf
        elif status != "optimal":
            raise RuntimeError(f"range LP of {(kind, label, t)} ended {status}")
        out.append(value + const)
    return out[0], out[1]


# --------------------------------------------------------------------------- plugging in a plan
def _project_values(model: IndependentModel, plan: Any) -> tuple[np.ndarray, list[str]]:
    """The project's plan as a point of the independent LP, and quantities it has beyond it."""
    spec = model.spec
    periods = list(spec.periods)
    point = np.zeros(len(model.lp.keys))
    extra: list[str] = []
    final_use = getattr(plan, "final_use", None)
    free = None
    if isinstance(final_use, pd.DataFrame) and len(final_use):
        free = final_use.assign(c=final_use["consumption"] + final_use["other_final_use"]).pivot(
            index="product", columns="period", values="c"
        )
    frames = {
        "activity": plan.activity_levels,
        "investment": plan.investment,
        "stocks": plan.stocks,
        "consumption": free if free is not None else plan.consumption,
        "imports": plan.imports,
        "exports": plan.exports,
    }
    for kind, frame in frames.items():
        for label in frame.index:
            for p in periods:
                key = (kind, label, periods.index(p))
                value = float(frame.loc[label, p])
                if key in model.lp.index:
                    point[model.lp.index[key]] = value
                elif abs(value) > 1e-7:
                    extra.append(f"{kind}[{label}, {p}] = {value:g} has no variable here")
    levels = getattr(plan, "terminal_levels", None)
    if isinstance(levels, pd.DataFrame):
        levels = levels["level"] if "level" in levels.columns else levels.iloc[:, 0]
    if levels is not None:
        for label, value in levels.items():
            key = ("terminal_level", label, spec.n_periods)
            if key in model.lp.index:
                point[model.lp.index[key]] = float(value)
    for key, col in model.lp.index.items():
        if key[0] == "level":
            point[col] = float(plan.level) if plan.level is not None else 0.0
    # harmony segments filled from the ratio, lowest first
    if any(k[0] == "harmony" for k in model.lp.keys):
        for _, r in spec.targets.iterrows():
            t = spec.periods.index(int(r["period"]))
            expr = model.quantities["output", r["product"], t][0]
            left = sum(v * point[c] for c, v in expr.items()) / float(r["target"])
            for s, (width, _) in enumerate(HARMONY_SEGMENTS):
                step = min(max(left, 0.0), width)
                point[model.lp.index["harmony", (r["product"], s), t]] = step
                left -= step
    return point, extra


def plan_violations(model: IndependentModel, plan: Any) -> dict[str, float]:
    """Largest violation of every block of the independent LP by the project's plan.

    Parameters
    ----------
    model
        The independent model of the plan's spec.
    plan
        A :class:`gosplan.plan.PlanResult` (its activity levels, investment, stocks,
        consumption, imports, exports, level and terminal levels are plugged in).

    Returns
    -------
    dict
        Block name -> largest violation, scaled by ``1 + |bound|``; ``"bounds"`` for variable
        bounds and ``"unmapped"`` (1.0) when the plan has a nonzero quantity the independent
        LP has no variable for.
    """
    point, extra = _project_values(model, plan)
    out: dict[str, float] = defaultdict(float)
    lo = np.asarray(model.lp.lower)
    hi = np.asarray(model.lp.upper)
    with np.errstate(invalid="ignore"):
        below = np.where(np.isfinite(lo), (lo - point) / (1 + np.abs(lo)), 0.0)
        above = np.where(
            np.isfinite(hi), (point - hi) / (1 + np.abs(np.where(np.isfinite(hi), hi, 0.0))), 0.0
        )
    out["bounds"] = float(max(0.0, below.max(initial=0.0), above.max(initial=0.0)))
    for block, _, expr, rlo, rhi in model.lp.rows:
        value = sum(v * point[c] for c, v in expr.items())
        scale = 1.0 + max(
            abs(rlo) if np.isfinite(rlo) else 0.0, abs(rhi) if np.isfinite(rhi) else 0.0
        )
        gap = max(rlo - value, value - rhi, 0.0) / scale
        out[block] = max(out[block], gap)
    if extra:
        out["unmapped"] = 1.0
    return dict(out)


def plan_objective(model: IndependentModel, plan: Any) -> float:
    """The documented objective of the project's plan, computed by the independent model."""
    point, _ = _project_values(model, plan)
    return model.constant + sum(v * point[c] for c, v in model.cost.items())


def worst_rows(model: IndependentModel, plan: Any, n: int = 5) -> list[str]:
    """The ``n`` rows the project's plan violates most, for messages."""
    point, extra = _project_values(model, plan)
    found = []
    for block, label, expr, rlo, rhi in model.lp.rows:
        value = sum(v * point[c] for c, v in expr.items())
        gap = max(rlo - value, value - rhi, 0.0)
        if gap > 1e-7 * (
            1 + max(abs(rlo) if np.isfinite(rlo) else 0.0, abs(rhi) if np.isfinite(rhi) else 0.0)
        ):
            found.append((gap, f"{block}{label}: {value:.9g} not in [{rlo:.9g}, {rhi:.9g}]"))
    found.sort(reverse=True)
    return extra + [m for _, m in found[:n]]
