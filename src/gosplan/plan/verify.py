"""Independent check of a plan: recompute every relation from the labelled tables.

Nothing here reads the LP matrix: every relation of the plan is recomputed from the result's
tables and the economy's own matrices, one small function per relation, each reported under its
own key of :attr:`VerificationReport.max_violation`:

======================= ==========================================================================
key                     relation
======================= ==========================================================================
balance                 deliveries + stocks carried in (less their loss) + imports = intermediate
                        use + capital goods spent + consumption + fixed final demand + stocks
                        carried out + exports, every product and period
output                  the output table = deliveries: ``O x[:, t - lead_time]``
capital_spending        the capital spending table = ``B`` times the investment spread over the
                        construction profile, plus construction in progress
employment              the employment table = labour used by the activities and by construction
nonnegativity           every variable (activity levels, consumption, stocks, imports, exports,
                        investment, terminal levels) ``>= 0``
labour                  labour used (activities and construction) ``<=`` available
resources               resources used ``<=`` available
capacity                activity level ``<=`` capacity (vintages, depreciation, retirement,
                        investment completed after its lag, construction in progress)
investment_allowed      new capacity only where it can bear fruit: a capacity-limited activity
                        with capital coefficients, started no later than ``T - lag``
investment_limits       ``min <= investment <= max`` of the ``investment_limits`` table
storage                 stocks only of the products that can be stored
max_stock               stock ``<=`` ``max_stock`` of the storage table
floors                  consumption ``>=`` floor
targets                 deliveries ``>=`` target (``level * target`` in ``max_level`` without an
                        assortment)
assortment              consumption ``>= level * weight`` (``max_level``)
trade                   ``sum(world_price * (imports - exports)) <= trade_deficit`` each period
import_limit            imports ``<=`` import limit (0 for products not in the trade table)
export_limit            exports ``<=`` export limit (0 for products not in the trade table)
terminal                capacity at the end ``>=`` ``terminal_capacity`` and ``terminal_growth``
                        times the initial capacity
terminal_balance        static terminal condition: ``(O - A) y - B (delta y) >=`` consumption of
                        consumption goods and fixed final demand of the last period
terminal_capacity_use   terminal levels ``<=`` capacity at the end
terminal_labour         labour of the terminal levels (and of the construction replacing worn-out
                        capacity) ``<=`` labour available in the last period
investment_share        ``sum_j k_j (mop_j - share) spent_j(t) = 0`` each period
objective               the reported objective = the objective recomputed from the tables
======================= ==========================================================================

The objective is recomputed for its kind (``result.objective_kind``): ``max_level`` the least
ratio of consumption to weight over the assortment (of deliveries to target without one), also
against ``result.level``; ``min_labour`` all labour used, construction labour included;
``max_consumption`` discounted consumption at the spec's weights or the least-labour values of
the consumption goods; ``harmony`` the priority-weighted harmony of the targets' fulfilment;
``linear`` the sum of the ``objective_weights`` rows (capacity constants included).

Each violation is measured relative to the magnitude of the terms of the relation
(``violation / max(1, magnitude)``); the plan passes when every one is within ``tol``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.economy import MEANS_OF_PRODUCTION
from gosplan.core.spec import PlanSpec
from gosplan.core.verification import VerificationReport
from gosplan.plan.objectives import HARMONY_CAP, harmony_of
from gosplan.plan.valuation import least_labour_values

if TYPE_CHECKING:
    from gosplan.core.plan_result import PlanResult


# ---------------------------------------------------------------------- helpers
def _rel(excess: np.ndarray, scale: np.ndarray | float) -> float:
    """Largest positive ``excess`` relative to ``max(1, |scale|)``, 0 when there is none."""
    excess = np.asarray(excess, float)
    if excess.size == 0:
        return 0.0
    return float(np.max(np.maximum(excess, 0.0) / np.maximum(1.0, np.abs(scale))))


def _blank(values: pd.Series) -> np.ndarray:
    """True where a cell of an optional column is empty (missing or blank text)."""
    text = values.astype(str).str.strip()
    return (values.isna() | (text == "") | (text.str.lower() == "nan")).to_numpy(bool)


def _numbers(table: pd.DataFrame, column: str, default: float) -> np.ndarray:
    """An optional numeric column, ``default`` where missing or blank."""
    if column not in table.columns:
        return np.full(len(table), default)
    return pd.to_numeric(table[column], errors="coerce").fillna(default).to_numpy(float)


def _period_positions(spec: PlanSpec, table: pd.DataFrame) -> list[list[int]]:
    """Periods each row of a table applies to: its ``period``, or every one where blank."""
    every = list(range(spec.n_periods))
    if "period" not in table.columns:
        return [every] * len(table)
    blank = _blank(table["period"])
    per = list(spec.periods)
    return [
        every if b else [per.index(int(p))] for b, p in zip(blank, table["period"], strict=True)
    ]


def _cells(spec: PlanSpec, table: pd.DataFrame, labels: pd.Index, key: str) -> tuple:
    """Rows of a table as positions: (row, label position, period position).

    One entry per period a row applies to (every period where its period is blank or absent).
    """
    pos = labels.get_indexer(table[key]) if len(table) else np.zeros(0, int)
    every = np.arange(spec.n_periods)
    if "period" not in table.columns:
        rows = np.repeat(np.arange(len(table)), spec.n_periods)
        return rows, pos[rows], np.tile(every, len(table))
    blank = np.asarray(_blank(table["period"]), dtype=bool)
    per = pd.Index(spec.periods).get_indexer(
        pd.to_numeric(table["period"], errors="coerce").fillna(spec.periods[0]).astype(int)
    )
    count = np.where(blank, spec.n_periods, 1)
    rows = np.repeat(np.arange(len(table)), count)
    t = np.where(
        blank[rows], np.concatenate([every[:c] for c in count]) if len(count) else [], per[rows]
    )
    return rows, pos[rows], np.asarray(t, dtype=int)


def _lags(spec: PlanSpec) -> np.ndarray:
    eco = spec.economy
    lag = pd.Series(int(spec.default_lag), index=eco.activity_labels)
    if len(spec.lags):
        lag.loc[spec.lags["activity"].to_numpy()] = spec.lags["lag"].to_numpy(int)
    return lag.to_numpy(int)


def _depreciation(spec: PlanSpec) -> np.ndarray:
    eco = spec.economy
    rate = pd.Series(0.0, index=eco.activity_labels)
    if len(spec.depreciation):
        rate.loc[spec.depreciation["activity"].to_numpy()] = spec.depreciation["rate"].to_numpy(
            float
        )
    return rate.to_numpy(float)


def _capital(spec: PlanSpec) -> sp.csc_array:
    """Capital coefficients of the economy, products x activities (zeros where none)."""
    eco = spec.economy
    if eco.capital is None:
        return sp.csc_array((eco.n_products, eco.n_activities))
    return eco.capital


def _groups(spec: PlanSpec) -> np.ndarray:
    """Economy group of every product (``""`` where none)."""
    eco = spec.economy
    if "group" not in eco.products.columns:
        return np.full(eco.n_products, "", dtype=object)
    return eco.products["group"].fillna("").astype(str).to_numpy(object)


def lead_times(spec: PlanSpec) -> np.ndarray:
    """Production lead time of every activity (economy order), default 0."""
    eco = spec.economy
    lead = np.zeros(eco.n_activities, dtype=int)
    table = spec.lead_times
    if len(table):
        lead[eco.activity_labels.get_indexer(table["activity"])] = table["lead_time"].to_numpy(int)
    return lead


def deliveries(spec: PlanSpec, levels: np.ndarray) -> np.ndarray:
    """Output delivered per product and period: ``sum_j O[p, j] x[j, t - L_j]``.

    ``levels`` are the activity levels (activities x periods) in the periods they run.
    """
    T = levels.shape[1]
    lead = lead_times(spec)
    source = np.arange(T)[None, :] - lead[:, None]
    run = np.take_along_axis(levels, np.clip(source, 0, max(T - 1, 0)), axis=1)
    return np.asarray(spec.economy.output_matrix @ np.where(source >= 0, run, 0.0))


def construction_profile(spec: PlanSpec) -> np.ndarray:
    """Share ``w_j(d)`` of an investment spent ``d`` periods after its start, activities x d.

    From the ``construction`` table where an activity is listed (offsets not listed: 0), else
    evenly over the lag (all at once when the lag is 0).
    """
    eco = spec.economy
    lag = np.maximum(_lags(spec), 1)
    table = spec.construction
    offset = table["offset"].to_numpy(int) if len(table) else np.zeros(0, int)
    width = max(int(lag.max(initial=1)), int(offset.max(initial=-1)) + 1)
    d = np.arange(width)
    w = np.where(d[None, :] < lag[:, None], 1.0 / lag[:, None], 0.0)
    if len(table):
        pos = eco.activity_labels.get_indexer(table["activity"])
        w[np.unique(pos)] = 0.0
        np.add.at(w, (pos, offset), table["share"].to_numpy(float))
    return w


def construction_spent(spec: PlanSpec, investment: pd.DataFrame) -> np.ndarray:
    """Capacity under construction paid for per activity and period: ``sum_s w(t - s) inv[s]``.

    Construction in progress (``PlanSpec.construction_in_progress_building``) is included.

    Capital goods spent are ``B`` times this, construction labour the construction labour
    coefficients times this.
    """
    eco = spec.economy
    T = spec.n_periods
    inv = (
        investment.reindex(index=eco.activity_labels, columns=list(spec.periods))
        .fillna(0.0)
        .to_numpy(float)
    )
    w = construction_profile(spec)
    spent = spec.construction_in_progress_building()  # fixed in advance
    for d in range(min(w.shape[1], T)):
        spent[:, d:] += w[:, d : d + 1] * inv[:, : T - d]
    return spent


def capital_goods_spent(spec: PlanSpec, investment: pd.DataFrame) -> np.ndarray:
    """Capital goods spent per product and period, from the investment table."""
    return np.asarray(_capital(spec) @ construction_spent(spec, investment))


def construction_labour(spec: PlanSpec) -> np.ndarray:
    """Labour per unit of new capacity, labour types x activities (0 where not listed)."""
    eco = spec.economy
    cl = np.zeros((len(eco.labour_types), eco.n_activities))
    table = spec.construction_labour
    if len(table):
        np.add.at(
            cl,
            (
                eco.labour_types.get_indexer(table["labour_type"]),
                eco.activity_labels.get_indexer(table["activity"]),
            ),
            table["coefficient"].to_numpy(float),
        )
    return cl


def capacity_limited(spec: PlanSpec) -> np.ndarray:
    """Activities whose capacity is limited: with a vintage or a finite economy capacity."""
    eco = spec.economy
    limited = np.isfinite(np.asarray(eco.capacity, float))
    if len(spec.vintages):
        limited[eco.activity_labels.get_indexer(spec.vintages["activity"])] = True
    return limited


def investment_allowed(spec: PlanSpec) -> np.ndarray:
    """Where new capacity can bear fruit, activities x periods of the start.

    Capacity is worth building only for an activity whose capacity is limited, it costs
    capital goods (else it would be free), and it must come into service (and all its capital
    goods be spent) within the horizon: started in ``s`` with ``s + lag <= T``.
    """
    T = spec.n_periods
    costs = np.asarray(abs(_capital(spec)).sum(axis=0)).ravel() > 0
    in_time = np.arange(T)[None, :] + _lags(spec)[:, None] <= T
    return (capacity_limited(spec) & costs)[:, None] & in_time


def capacity_available(spec: PlanSpec, investment: pd.DataFrame) -> np.ndarray:
    """Capacity per activity and period ``0..T`` (``T`` = end), ``inf`` where unlimited."""
    eco = spec.economy
    T = spec.n_periods
    labels = [*list(spec.periods), spec.periods[-1] + 1]
    life = np.asarray(eco.service_life, float)
    keep = 1.0 - _depreciation(spec)
    cap = np.zeros((eco.n_activities, T + 1))
    vint = spec.vintages
    with_vintage = np.zeros(eco.n_activities, bool)
    if len(vint):
        pos = eco.activity_labels.get_indexer(vint["activity"].to_numpy())
        built = vint["year_built"].to_numpy(float)
        amount = vint["capacity"].to_numpy(float)
        with_vintage[pos] = True
        for t, year in enumerate(labels):
            alive = np.isnan(life[pos]) | (year < built + life[pos])
            np.add.at(cap[:, t], pos, np.where(alive, amount * keep[pos] ** t, 0.0))
    base = np.asarray(eco.capacity, float)
    unlimited = ~with_vintage & ~np.isfinite(base)
    for t, year in enumerate(labels):
        alive = np.isnan(life) | (year < spec.start + life)
        plain = ~with_vintage & ~unlimited
        cap[plain, t] += np.where(alive, base, 0.0)[plain] * keep[plain] ** t
    inv = (
        investment.reindex(index=eco.activity_labels, columns=list(spec.periods))
        .fillna(0.0)
        .to_numpy(float)
    )
    lag = _lags(spec)
    for s in range(T):
        for t in range(T + 1):
            age = t - s - lag
            alive = (age >= 0) & (np.isnan(life) | (age < life))
            cap[:, t] += np.where(alive, inv[:, s] * keep ** np.maximum(age, 0), 0.0)
    cap += spec.construction_in_progress_capacity()
    cap[unlimited] = np.inf
    return cap


def capital_values(spec: PlanSpec) -> np.ndarray:
    """Value ``k_j = v . B[:, j]`` of the capital goods of a unit of capacity, per activity.

    ``v`` are the least-labour values (:func:`gosplan.plan.valuation.least_labour_values`).
    """
    eco = spec.economy
    v = np.asarray(least_labour_values(eco), float)
    return np.asarray(_capital(spec).T @ v).ravel()


def consumption_weights(spec: PlanSpec) -> np.ndarray:
    """Weights of consumption in ``max_consumption`` per product (before discounting).

    The spec's ``consumption_weights`` (0 for products not listed), else the least-labour
    values of the consumption goods (0 for every other product: other final use is worth
    nothing).
    """
    eco = spec.economy
    if spec.consumption_weights is not None:
        return eco.align_products(pd.Series(spec.consumption_weights), "consumption weights")
    v = np.asarray(least_labour_values(eco), float)
    return np.where(spec.consumption_goods(), v, 0.0)


# ---------------------------------------------------------------------- the plan's numbers
class _Plan:
    """The result's tables as arrays on the spec's labels, with the quantities derived."""

    def __init__(self, result: PlanResult, spec: PlanSpec) -> None:
        self.result, self.spec = result, spec
        eco = spec.economy
        self.eco = eco
        self.T = spec.n_periods
        self.per = list(spec.periods)
        self.prods, self.acts = eco.product_labels, eco.activity_labels
        self.X = self.grid(result.activity_levels, self.acts)
        self.C = self.grid(result.consumption, self.prods)
        self.S = self.grid(result.stocks, self.prods)
        self.M = self.grid(result.imports, self.prods)
        self.E = self.grid(result.exports, self.prods)
        self.INV = self.grid(result.investment, self.acts)

    def grid(self, frame: pd.DataFrame, index: pd.Index) -> np.ndarray:
        """A labels x periods table as an array on ``index`` (missing = 0)."""
        return frame.reindex(index=index, columns=self.per).fillna(0.0).to_numpy(float)

    @cached_property
    def out(self) -> np.ndarray:
        """Deliveries per product and period."""
        return deliveries(self.spec, self.X)

    @cached_property
    def inter(self) -> np.ndarray:
        """Intermediate use per product and period."""
        return np.asarray(self.eco.technology @ self.X)

    @cached_property
    def building(self) -> np.ndarray:
        """Capacity under construction paid for per activity and period."""
        return construction_spent(self.spec, self.result.investment)

    @cached_property
    def spent(self) -> np.ndarray:
        """Capital goods spent per product and period."""
        return np.asarray(_capital(self.spec) @ self.building)

    @cached_property
    def labour_used(self) -> np.ndarray:
        """Labour per type and period: the activities' and construction's."""
        return np.asarray(self.eco.labour @ self.X) + construction_labour(self.spec) @ self.building

    @cached_property
    def cap(self) -> np.ndarray:
        """Capacity per activity and period ``0..T``."""
        return capacity_available(self.spec, self.result.investment)

    @cached_property
    def ffd(self) -> np.ndarray:
        """Fixed final demand per product and period."""
        ffd = np.zeros((self.eco.n_products, self.T))
        table = self.spec.fixed_final_demand
        rows, pos, t = _cells(self.spec, table, self.prods, "product")
        np.add.at(ffd, (pos, t), table["quantity"].to_numpy(float)[rows])
        return ffd

    @cached_property
    def y(self) -> np.ndarray:
        """Terminal levels per activity (a Series, or a frame with column ``level``; 0 if none)."""
        levels = self.result.terminal_levels
        if isinstance(levels, pd.DataFrame):
            levels = levels["level"] if "level" in levels.columns else None
        if levels is None or not len(levels):
            return np.zeros(self.eco.n_activities)
        return pd.Series(levels, dtype=float).reindex(self.acts).fillna(0.0).to_numpy(float)

    @property
    def static_terminal(self) -> bool:
        """Whether the spec asks for the static terminal condition."""
        return self.spec.terminal == "static"


# ---------------------------------------------------------------------- one check per relation
def _balance(p: _Plan) -> float:
    loss = p.spec.storage_loss().reindex(p.prods).fillna(0.0).to_numpy(float)
    s_in = np.zeros_like(p.S)
    s_in[:, 1:] = p.S[:, :-1] * (1.0 - loss)[:, None]
    stocks = p.spec.initial_stocks
    if len(stocks):
        np.add.at(
            s_in[:, 0], p.prods.get_indexer(stocks["product"]), stocks["stock"].to_numpy(float)
        )
    uses = p.inter + p.spent + p.C + p.ffd + p.S + p.E
    sources = p.out + s_in + p.M
    return _rel(np.abs(sources - uses), sources + uses)


def _output(p: _Plan) -> float:
    table = p.grid(p.result.output, p.prods)
    return _rel(np.abs(table - p.out), p.out)


def _capital_spending(p: _Plan) -> float:
    table = p.grid(p.result.capital_spending, p.prods)
    return _rel(np.abs(p.spent - table), p.spent)


def _employment(p: _Plan) -> float:
    table = p.grid(p.result.employment, p.eco.labour_types)
    return _rel(np.abs(table - p.labour_used), p.labour_used)


def _nonnegativity(p: _Plan) -> float:
    values = [a.ravel() for a in (p.X, p.C, p.S, p.M, p.E, p.INV, p.y)]
    return _rel(-np.concatenate(values), 1.0)


def _limited(use: np.ndarray, types: pd.Index, table: pd.DataFrame, key: str, p: _Plan) -> float:
    rows, pos, t = _cells(p.spec, table, types, key)
    u = use[pos, t]
    return _rel(u - table["available"].to_numpy(float)[rows], u)


def _labour(p: _Plan) -> float:
    return _limited(p.labour_used, p.eco.labour_types, p.spec.labour_available, "labour_type", p)


def _resources(p: _Plan) -> float:
    use = np.asarray(p.eco.resources @ p.X)
    return _limited(use, p.eco.resource_types, p.spec.resources_available, "resource", p)


def _capacity(p: _Plan) -> float:
    finite = np.isfinite(p.cap[:, : p.T])
    return _rel((p.X - np.where(finite, p.cap[:, : p.T], 0.0))[finite], p.X[finite])


def _investment_allowed(p: _Plan) -> float:
    barred = p.INV[~investment_allowed(p.spec)]
    return _rel(barred, barred)


def _investment_limits(p: _Plan) -> float:
    table = p.spec.investment_limits
    if not len(table):
        return 0.0
    low = np.zeros_like(p.INV)
    high = np.full_like(p.INV, np.inf)
    pos = p.acts.get_indexer(table["activity"])
    mins, maxs = _numbers(table, "min", 0.0), _numbers(table, "max", np.inf)
    for j, ts, lo, hi in zip(pos, _period_positions(p.spec, table), mins, maxs, strict=True):
        low[j, ts] = np.maximum(low[j, ts], lo)
        high[j, ts] = np.minimum(high[j, ts], hi)
    finite = np.isfinite(high)
    return max(
        _rel(low - p.INV, low + np.abs(p.INV)),
        _rel((p.INV - high)[finite], (np.abs(p.INV) + high)[finite]),
    )


def _storage(p: _Plan) -> float:
    cannot = ~p.prods.isin(p.spec.storage_loss().index)
    return _rel(p.S[cannot], 0.0)


def _max_stock(p: _Plan) -> float:
    cap = p.spec.storage_capacity().reindex(p.prods).to_numpy(float)
    finite = np.isfinite(cap)  # NaN (cannot be stored) is the storage check's
    return _rel(p.S[finite] - cap[finite, None], cap[finite, None])


def _floors(p: _Plan) -> float:
    floors = p.spec.floors
    rows, pos, t = _cells(p.spec, floors, p.prods, "product")
    c = p.C[pos, t]
    return _rel(floors["floor"].to_numpy(float)[rows] - c, c)


def _targets(p: _Plan) -> float:
    spec, kind = p.spec, p.result.objective_kind
    if not len(spec.targets) or kind == "harmony":
        return 0.0
    by_level = kind == "max_level" and not len(spec.assortment)
    level = p.result.level if by_level and p.result.level is not None else 1.0
    need = spec.targets["target"].to_numpy(float) * level
    pos = p.prods.get_indexer(spec.targets["product"])
    t = [p.per.index(int(q)) for q in spec.targets["period"]]
    got = p.out[pos, t]
    return _rel(need - got, got)


def _assortment(p: _Plan) -> float:
    a, level = p.spec.assortment, p.result.level
    if p.result.objective_kind != "max_level" or not len(a) or level is None:
        return 0.0
    rows, pos, t = _cells(p.spec, a, p.prods, "product")
    c = p.C[pos, t]
    return _rel(level * a["weight"].to_numpy(float)[rows] - c, c)


def _trade(p: _Plan) -> float:
    trade = p.spec.trade
    if not len(trade):
        return 0.0
    pos = p.prods.get_indexer(trade["product"])
    price = trade["world_price"].to_numpy(float)
    balance = price @ (p.M[pos] - p.E[pos])
    magnitude = price @ (p.M[pos] + p.E[pos])
    return _rel(balance - p.spec.trade_deficit, magnitude)


def _trade_limit(p: _Plan, flows: np.ndarray, column: str) -> float:
    """Imports or exports above their limit: 0 for products that are not traded."""
    trade = p.spec.trade
    limit = np.zeros(p.eco.n_products)
    if len(trade):
        limit[p.prods.get_indexer(trade["product"])] = _numbers(trade, column, np.inf)
    finite = np.isfinite(limit)
    over = flows[finite] - limit[finite, None]
    return _rel(over, np.abs(flows[finite]) + limit[finite, None])


def _import_limit(p: _Plan) -> float:
    return _trade_limit(p, p.M, "import_limit")


def _export_limit(p: _Plan) -> float:
    return _trade_limit(p, p.E, "export_limit")


def _terminal(p: _Plan) -> float:
    spec, end = p.spec, p.cap[:, p.T]
    worst = 0.0
    if len(spec.terminal_capacity):
        pos = p.acts.get_indexer(spec.terminal_capacity["activity"])
        req = spec.terminal_capacity["capacity"].to_numpy(float)
        worst = _rel(req - end[pos], req)
    if spec.terminal_growth is not None:
        start = capacity_available(spec, p.result.investment * 0.0)[:, 0]
        ok = np.isfinite(start)
        req = spec.terminal_growth * start[ok]
        worst = max(worst, _rel(req - end[ok], req))
    return worst


def _terminal_balance(p: _Plan) -> float:
    if not p.static_terminal:
        return 0.0
    eco = p.eco
    made = np.asarray(eco.output_matrix @ p.y)
    used = np.asarray(eco.technology @ p.y)
    replaced = np.asarray(_capital(p.spec) @ (_depreciation(p.spec) * p.y))
    consumption = np.where(p.spec.consumption_goods(), p.C[:, p.T - 1], 0.0)
    need = consumption + p.ffd[:, p.T - 1]
    return _rel(need - (made - used - replaced), made + used + replaced + need)


def _terminal_capacity_use(p: _Plan) -> float:
    if not p.static_terminal:
        return 0.0
    end = p.cap[:, p.T]
    capped = np.isfinite(end)
    return _rel(p.y[capped] - end[capped], p.y[capped] + end[capped])


def _terminal_labour(p: _Plan) -> float:
    if not p.static_terminal:
        return 0.0
    table = p.spec.labour_available
    last = table[table["period"].astype(int) == p.per[-1]] if len(table) else table
    if not len(last):
        return 0.0
    # the activities' labour and the construction labour replacing worn-out capacity
    rate = _depreciation(p.spec)
    work = np.asarray(p.eco.labour @ p.y) + construction_labour(p.spec) @ (rate * p.y)
    use = work[p.eco.labour_types.get_indexer(last["labour_type"])]
    avail = last["available"].to_numpy(float)
    return _rel(use - avail, use + avail)


def _investment_share(p: _Plan) -> float:
    share = p.spec.investment_share
    if share is None:
        return 0.0
    k = capital_values(p.spec)
    mop = (_groups(p.spec)[p.eco.activity_product] == MEANS_OF_PRODUCTION).astype(float)
    resid = (k * (mop - share)) @ p.building
    total = np.abs(k) @ np.abs(p.building)
    return _rel(np.abs(resid), total)


# ---------------------------------------------------------------------- the objective
def _max_level_value(p: _Plan) -> tuple[float, float] | None:
    """The common level the plan reaches: the least ratio of the level's rows."""
    a, t = p.spec.assortment, p.spec.targets
    if len(a):
        rows, pos, ts = _cells(p.spec, a, p.prods, "product")
        weight = a["weight"].to_numpy(float)[rows]
        ok = weight > 0
        ratios = [p.C[pos[ok], ts[ok]] / weight[ok]]
    else:
        pos = p.prods.get_indexer(t["product"])
        ts = [p.per.index(int(q)) for q in t["period"]]
        target = t["target"].to_numpy(float)
        ok = target > 0
        ratios = [p.out[pos, ts][ok] / target[ok]]
    ratios = [r for r in ratios if np.size(r)]
    if not ratios:
        return None
    value = float(np.min(np.concatenate([np.ravel(r) for r in ratios])))
    return value, abs(value)


def _min_labour_value(p: _Plan) -> tuple[float, float]:
    total = float(p.labour_used.sum())
    return total, abs(total)


def _max_consumption_value(p: _Plan) -> tuple[float, float]:
    w = consumption_weights(p.spec)
    disc = (1.0 + p.spec.discount) ** -np.arange(p.T, dtype=float)
    terms = w[:, None] * p.C * disc[None, :]
    return float(terms.sum()), float(np.abs(terms).sum())


def _harmony_value(p: _Plan) -> tuple[float, float]:
    t = p.spec.targets
    pos = p.prods.get_indexer(t["product"])
    ts = [p.per.index(int(q)) for q in t["period"]]
    target = t["target"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            target > 0, p.out[pos, ts] / np.where(target > 0, target, 1.0), HARMONY_CAP
        )
    prio = _numbers(t, "priority", 1.0)
    terms = prio * np.asarray(harmony_of(ratio), float)
    return float(terms.sum()), float(np.abs(terms).sum())


def _linear_value(p: _Plan) -> tuple[float, float]:
    table = p.spec.objective_weights
    capacity = np.where(np.isfinite(p.cap), p.cap, 0.0)
    quantities: dict[str, tuple[pd.Index, np.ndarray]] = {
        "output": (p.prods, p.out),
        "activity": (p.acts, p.X),
        "capacity": (p.acts, capacity),
        "investment": (p.acts, p.INV),
        "employment": (p.eco.labour_types, p.labour_used),
        "consumption": (p.prods, p.C),
        "stocks": (p.prods, p.S),
    }
    columns = [*p.per, p.per[-1] + 1]
    label_blank = _blank(table["label"]) if "label" in table.columns else np.ones(len(table), bool)
    period_blank = (
        _blank(table["period"]) if "period" in table.columns else np.ones(len(table), bool)
    )
    value = scale = 0.0
    for i, (_, row) in enumerate(table.iterrows()):
        labels, values = quantities[str(row["quantity"])]
        rows = slice(None) if label_blank[i] else labels.get_loc(row["label"])
        cols = slice(0, p.T) if period_blank[i] else columns.index(int(row["period"]))
        picked = np.asarray(values[rows, cols], float)
        value += float(row["weight"]) * float(picked.sum())
        scale += abs(float(row["weight"])) * float(np.abs(picked).sum())
    return value, scale


_OBJECTIVES: dict[str, Callable[[_Plan], tuple[float, float] | None]] = {
    "max_level": _max_level_value,
    "min_labour": _min_labour_value,
    "max_consumption": _max_consumption_value,
    "harmony": _harmony_value,
    "linear": _linear_value,
}


def _objective(p: _Plan) -> float:
    """The reported objective (and level) against the objective recomputed from the tables."""
    recompute = _OBJECTIVES.get(p.result.objective_kind)
    got = recompute(p) if recompute is not None else None
    if got is None:
        return 0.0
    value, scale = got
    reported = [p.result.objective]
    if p.result.objective_kind == "max_level" and p.result.level is not None:
        reported.append(p.result.level)
    return max(_rel(np.array([abs(value - r)]), scale) for r in reported)


#: Every relation checked, by key of :attr:`VerificationReport.max_violation`.
CHECKS: dict[str, Callable[[_Plan], float]] = {
    "balance": _balance,
    "output": _output,
    "capital_spending": _capital_spending,
    "employment": _employment,
    "nonnegativity": _nonnegativity,
    "labour": _labour,
    "resources": _resources,
    "capacity": _capacity,
    "investment_allowed": _investment_allowed,
    "investment_limits": _investment_limits,
    "storage": _storage,
    "max_stock": _max_stock,
    "floors": _floors,
    "targets": _targets,
    "assortment": _assortment,
    "trade": _trade,
    "import_limit": _import_limit,
    "export_limit": _export_limit,
    "terminal": _terminal,
    "terminal_balance": _terminal_balance,
    "terminal_capacity_use": _terminal_capacity_use,
    "terminal_labour": _terminal_labour,
    "investment_share": _investment_share,
    "objective": _objective,
}


def verify(result: PlanResult, spec: PlanSpec, tol: float = 1e-6) -> VerificationReport:
    """Check a plan against a spec, independently of the LP.

    Parameters
    ----------
    result
        An optimal plan.
    spec
        The spec to check it against (normally the one it was made for).
    tol
        Largest relative violation allowed.

    Returns
    -------
    VerificationReport
        The largest relative violation of every relation in :data:`CHECKS`.
    """
    plan = _Plan(result, spec)
    viol = {key: check(plan) for key, check in CHECKS.items()}
    passed = all(v <= tol for v in viol.values())
    return VerificationReport(max_violation=viol, tolerance=tol, passed=passed)
