"""One function per economic relation of the plan, each returning a named block of sparse rows.

Every block is built vectorised over products and activities (``scipy.sparse.kron`` with the
identity of the periods, or period-by-period sparse pieces); rows are period-major, like the
variables (see :mod:`gosplan.plan.layout`). A :class:`Block` holds ``lower <= matrix @ z <=
upper`` and the coordinates of its rows (label, period and any further dimension, such as the
harmony's ``segment``), under which duals come back.

The relations
-------------
balance
    For every product and period (equality)::

        output of its activities + stocks carried in (less storage loss) + imports
          = intermediate use + capital spending + consumption + fixed final demand
            + stocks carried out + exports

    The capital goods still to spend on construction in progress are a fixed use, like
    fixed final demand (``PlanData.in_progress_spending``).
    ``c >= 0`` is the free final use: consumption for consumer goods, other final use
    (unallocated surplus) for every other product. Output is delivered ``lead_time`` periods
    after the run that makes it (``PlanData.delivered``). Capital spending and stocks enter
    here (see :func:`investment_spending` and :func:`stock_flows`).
labour, resources
    Use by type and period ``<=`` availability (only the types and periods listed).
capacity
    Activity level ``<=`` capacity available: initial vintages surviving (retired at
    ``year_built + service_life``, geometric depreciation from the first period) plus
    investments started at least ``lag`` periods before and not yet retired, plus
    construction in progress from its completion.
floors
    Consumption ``>=`` floor.
targets
    Gross output ``>=`` target; ``>= level * target`` (``max_level`` without assortment);
    ``+ shortfall >= target`` (elastic diagnosis).
assortment
    Consumption ``>= level * weight``.
harmony
    The harmony of each target below the segments of the concave function of its fulfilment
    ratio (see :mod:`gosplan.plan.objectives`).
trade
    ``sum(world_price * (imports - exports)) <= trade_deficit`` each period.
terminal
    Capacity at the end of the horizon (the period after the last) ``>=`` the required
    capacity, or ``terminal_growth`` times the initial capacity.
terminal_balance, terminal_capacity_use, terminal_labour
    ``terminal = "static"``: the economy after the horizon continues as a static economy
    (:func:`terminal_static`).
investment_share
    Capital spending on activities making means of production ``= share *`` all capital
    spending, each period. Spending is valued at the least-labour values of the capital goods
    (:mod:`gosplan.plan.valuation`; an error when they cannot be computed).
level_links
    Internal: the common level of ``max_level`` appears in every assortment row; a column in
    thousands of rows makes the normal equations of interior-point methods dense, so rows
    beyond the first :data:`LEVEL_CHUNK` use chained copies of the level (``copy_k =
    copy_{k-1}``, the first copy equal to the level). The copies and their rows carry no
    economic meaning and no shadow prices.

The diagnosis (:mod:`gosplan.plan.diagnosis`) adds columns ``add_*`` to the labour, resources
and balance rows (flows: an addition counts in its own period only) and ``add_capacity`` to the
capacity and terminal rows: a capacity addition lasts, counting from its first period to the end
of the horizon (:func:`lasting_additions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.plan.data import PlanData
from gosplan.plan.layout import Layout

#: Most rows sharing one copy of the common level (see ``level_links``).
LEVEL_CHUNK = 64
#: Blocks that are modelling devices, not economic relations (no shadow prices reported).
INTERNAL_BLOCKS = frozenset({"level_links"})
#: The coordinates every row has; a block's further dimensions (:attr:`Block.coords`) follow.
ROW_KEYS = ("label", "period")
#: Names a further dimension of a block cannot take: the row keys and the value columns of
#: the tables that carry the coordinates (duals, binding rows, price ranges).
RESERVED_COORDS = frozenset(
    {
        *ROW_KEYS,
        "block",
        "shadow_price",
        "value",
        "lower",
        "upper",
        "slack",
        "bound",
        "valid_from",
        "valid_to",
        "degenerate",
        "unit",
    }
)


def level_copies(n_rows: int) -> int:
    """Number of copies of the level needed for ``n_rows`` rows that use it."""
    return max(0, -(-n_rows // LEVEL_CHUNK) - 1)


def assortment_rows(data: PlanData) -> int:
    """Number of rows of the assortment block (one per product and period it applies to)."""
    a = data.spec.assortment
    if "period" in a.columns and len(a) and a["period"].notna().all():
        return len(a)
    return len(a) * data.T


def _level_pieces(lay: Layout, coefficients: np.ndarray) -> dict[str, sp.sparray | None]:
    """Pieces putting ``coefficient * level`` in each row, row chunks on chained copies."""
    k = len(coefficients)
    chunk = np.arange(k) // LEVEL_CHUNK
    n_copies = lay.groups["level_copy"][1] if lay.has("level_copy") else 0
    chunk = np.minimum(chunk, n_copies)
    first = chunk == 0
    rows = np.arange(k)
    pieces: dict[str, sp.sparray | None] = {
        "level": sp.csr_array((coefficients[first], (rows[first], np.zeros(first.sum()))), (k, 1))
    }
    if n_copies:
        pieces["level_copy"] = sp.csr_array(
            (coefficients[~first], (rows[~first], chunk[~first] - 1)), shape=(k, n_copies)
        )
    return pieces


def level_links(data: PlanData, lay: Layout) -> Block:
    """Chained equalities tying the copies of the level to the level (see the module doc)."""
    if not lay.has("level_copy"):
        return _block(
            "level_links", sp.csr_array((0, lay.n)), 0.0, 0.0, [], [], {"copy": np.zeros(0, int)}
        )
    m = lay.groups["level_copy"][1]
    chain = sp.eye_array(m, format="csr") - sp.eye_array(m, k=-1, format="csr")
    to_level = sp.csr_array((-np.ones(1), ([0], [0])), shape=(m, 1))
    M = lay.place(m, {"level_copy": chain, "level": to_level})
    periods = np.full(m, data.spec.periods[0])
    copy = np.arange(1, m + 1)  # row k ties copy k to copy k - 1 (copy 0: the level)
    return _block("level_links", M, 0.0, 0.0, ["common level"] * m, periods, {"copy": copy})


@dataclass(frozen=True, eq=False)
class Block:
    """Rows ``lower <= matrix @ z <= upper`` of one economic relation.

    Every row has coordinates, as the constraints of linopy have: its ``label`` and
    ``period`` and, where these do not tell the rows apart, further dimensions in
    ``coords`` (the harmony's ``segment``). ``(label, period, *coords)`` is a unique key of
    the rows, under which duals, binding rows and price ranges come back.

    Attributes
    ----------
    name
        Block name (``"balance"``, ``"labour"``, ...).
    matrix
        CSR matrix, columns = the global variable layout.
    lower, upper
        Row bounds.
    labels
        Row labels (product, activity, labour type, ...).
    periods
        Period label of each row.
    coords
        Further dimensions of the rows by name, one value per row (empty for most blocks).
        A name must not be one of :data:`ROW_KEYS` nor a column the results use for
        values (``block``, ``shadow_price``, ...).
    """

    name: str
    matrix: sp.csr_array
    lower: np.ndarray
    upper: np.ndarray
    labels: np.ndarray
    periods: np.ndarray
    coords: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.matrix.shape[0]
        coords = {str(k): np.asarray(v) for k, v in self.coords.items()}
        for key, values in coords.items():
            if key in RESERVED_COORDS:
                raise ValueError(f"block {self.name!r}: {key!r} cannot name a row dimension")
            if values.shape != (n,):
                raise ValueError(
                    f"block {self.name!r}: dimension {key!r} has shape {values.shape}, "
                    f"not one value for each of its {n} rows"
                )
        object.__setattr__(self, "coords", coords)

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return self.matrix.shape[0]

    @property
    def dims(self) -> tuple[str, ...]:
        """Names of the further dimensions of the rows (beyond label and period)."""
        return tuple(self.coords)

    def row_coords(self, rows: np.ndarray | slice | None = None) -> dict[str, np.ndarray]:
        """Every coordinate of the rows: ``label``, ``period``, then each further dimension.

        Parameters
        ----------
        rows
            A boolean mask, positions or a slice of the rows (default: all of them).

        Returns
        -------
        dict[str, numpy.ndarray]
            One array per coordinate, in the order of :data:`ROW_KEYS` and :attr:`dims`.
        """
        take = slice(None) if rows is None else rows
        out = {"label": self.labels[take], "period": self.periods[take]}
        out.update({k: v[take] for k, v in self.coords.items()})
        return out

    def row_keys(self) -> pd.DataFrame:
        """The coordinates of every row as a frame (columns ``label``, ``period``, dims)."""
        return pd.DataFrame(self.row_coords())


def _eye(n: int) -> sp.csr_array:
    return sp.eye_array(n, format="csr")


def _kron_t(data: PlanData, M: sp.sparray) -> sp.csr_array:
    return sp.csr_array(sp.kron(_eye(data.T), M, format="csr"))


def _row_labels(data: PlanData, labels: pd.Index | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lab = np.asarray(labels, dtype=object)
    return np.tile(lab, data.T), np.repeat(np.asarray(data.spec.periods), len(lab))


def _block(
    name: str,
    matrix: sp.sparray,
    lower: float | np.ndarray,
    upper: float | np.ndarray,
    labels: np.ndarray | list,
    periods: np.ndarray | list | tuple,
    coords: Mapping[str, np.ndarray] | None = None,
) -> Block:
    """A :class:`Block` with its bounds broadcast to the rows."""
    n = matrix.shape[0]
    lo = np.broadcast_to(np.asarray(lower, float), (n,)).copy()
    up = np.broadcast_to(np.asarray(upper, float), (n,)).copy()
    return Block(
        name,
        sp.csr_array(matrix),
        lo,
        up,
        np.asarray(labels, object),
        np.asarray(periods),
        dict(coords or {}),
    )


def _select(n: int, rows: np.ndarray) -> sp.csr_array:
    return sp.csr_array((np.ones(len(rows)), (np.arange(len(rows)), rows)), shape=(len(rows), n))


# ---------------------------------------------------------------------- pieces of the balance
def investment_spending(data: PlanData) -> sp.csr_array:
    """Capital goods used by investment, ``(products x T) x (inv)``.

    Spent over the construction profile (evenly over the lag unless the ``construction``
    table says otherwise).
    """
    return data.spending


def stock_flows(data: PlanData) -> sp.csr_array:
    """Stocks carried in (less their loss) minus carried out, ``(products x T) x (s)``.

    Only the products that can be stored have stock variables (``PlanData.stored``).
    """
    n, T, k = data.n_p, data.T, data.n_s
    place = sp.csr_array((np.ones(k), (data.stored, np.arange(k))), shape=(n, k))
    kept = place @ sp.diags_array(1.0 - data.storage_loss.to_numpy(float))
    shift = sp.eye_array(T, k=-1, format="csr")  # s[t-1] enters period t
    return sp.csr_array(sp.kron(shift, kept, format="csr") - sp.kron(_eye(T), place, format="csr"))


def balance(data: PlanData, lay: Layout) -> Block:
    """Material balance of every product in every period (equality)."""
    n, T = data.n_p, data.T
    ffd = np.zeros((T, n))
    fd = data.spec.fixed_final_demand
    if len(fd):
        ffd[data.period_index(fd["period"]), data.eco.product_labels.get_indexer(fd["product"])] = (
            fd["quantity"].to_numpy(float)
        )
    rhs = ffd.ravel() + data.in_progress_spending.T.ravel()  # both fixed uses
    st = data.spec.initial_stocks
    if len(st):
        s0 = np.zeros(n)
        s0[data.eco.product_labels.get_indexer(st["product"])] = st["stock"].to_numpy(float)
        rhs[:n] -= s0
    pieces: dict[str, sp.sparray | None] = {
        "x": data.delivered - _kron_t(data, data.inputs),
        "c": -_eye(n * T),
        "inv": -investment_spending(data) if lay.has("inv") else None,
        "s": stock_flows(data) if lay.has("s") else None,
    }
    if lay.has("m"):
        sel = _kron_t(data, _select(n, data.traded).T)
        pieces["m"], pieces["e"] = sel, -sel
    if lay.has("add_imports"):
        pieces["add_imports"] = _eye(n * T)
    labels, periods = _row_labels(data, data.eco.product_labels)
    return _block("balance", lay.place(n * T, pieces), rhs, rhs, labels, periods)


def _limited_use(
    data: PlanData,
    lay: Layout,
    name: str,
    M: sp.csr_array,
    types: pd.Index,
    table: pd.DataFrame,
    key: str,
    by_investment: sp.csr_array | None = None,
    fixed: np.ndarray | None = None,
) -> Block:
    """Use ``<=`` availability; ``fixed`` (types x T): use fixed in advance, off the limit."""
    avail = data.per_period(table, key, types, "available")
    if fixed is not None:
        avail = avail - fixed
    avail = avail.T.ravel()  # period-major
    rows = np.flatnonzero(np.isfinite(avail))
    full = _kron_t(data, M)
    sel = _select(len(avail), rows)
    pieces: dict[str, sp.sparray | None] = {"x": sel @ full}
    if by_investment is not None and by_investment.nnz and lay.has("inv"):
        pieces["inv"] = sel @ by_investment
    if lay.has(f"add_{name}"):
        pieces[f"add_{name}"] = -_eye(len(rows))
    labels, periods = _row_labels(data, types)
    return _block(
        name, lay.place(len(rows), pieces), -np.inf, avail[rows], labels[rows], periods[rows]
    )


def labour(data: PlanData, lay: Layout) -> Block:
    """Labour used by type and period ``<=`` available (listed types and periods only).

    Labour used is that of the activities run in the period plus the construction labour of
    the investments under way (``construction_labour``, spent with the construction profile);
    the construction labour of construction in progress is fixed and comes off the labour
    available.
    """
    return _limited_use(
        data,
        lay,
        "labour",
        data.labour,
        data.eco.labour_types,
        data.spec.labour_available,
        "labour_type",
        data.construction_labour if data.construction_coefficients.nnz else None,
        fixed=data.in_progress_labour,
    )


def resources(data: PlanData, lay: Layout) -> Block:
    """Other primary resources used by type and period ``<=`` available."""
    return _limited_use(
        data,
        lay,
        "resources",
        data.resources,
        data.eco.resource_types,
        data.spec.resources_available,
        "resource",
    )


def lasting_additions(data: PlanData) -> sp.csr_array:
    """Capacity in each period from the diagnosis's additions, ``(capped x T) x (add_capacity)``.

    An addition first available in period ``t`` lasts: the capacity row of period ``tau`` gets
    the sum of the additions of the periods ``t <= tau`` (no depreciation, no retirement).
    """
    since = sp.csr_array(np.tril(np.ones((data.T, data.T))))
    return sp.csr_array(sp.kron(since, _eye(data.n_c), format="csr"))


def capacity(data: PlanData, lay: Layout) -> Block:
    """Activity level ``<=`` capacity available, for every capped activity and period."""
    nc, T = data.n_c, data.T
    sel = _select(data.n_a, data.capped)
    made = [-data.capacity_made(t) for t in range(T)]
    pieces: dict[str, sp.sparray | None] = {
        "x": _kron_t(data, sel),
        "inv": sp.vstack(made, format="csr") if nc else None,
    }
    if lay.has("add_capacity"):
        pieces["add_capacity"] = -lasting_additions(data)
    labels, periods = _row_labels(data, data.eco.activity_labels[data.capped])
    return _block(
        "capacity",
        lay.place(nc * T, pieces),
        -np.inf,
        data.initial[:, :T].T.ravel(),
        labels,
        periods,
    )


def floors(data: PlanData, lay: Layout) -> Block:
    """Consumption ``>=`` floor."""
    f = data.spec.floors
    n = data.n_p
    pos = data.eco.product_labels.get_indexer(f["product"]) if len(f) else np.zeros(0, int)
    t = data.period_index(f["period"]) if len(f) else np.zeros(0, int)
    cols = t * n + pos
    M = _select(n * data.T, cols)
    lo = f["floor"].to_numpy(float) if len(f) else np.zeros(0)
    periods = f["period"].to_numpy(int) if len(f) else np.zeros(0, int)
    return _block(
        "floors",
        lay.place(len(cols), {"c": M}),
        lo,
        np.inf,
        f["product"].to_numpy(object) if len(f) else [],
        periods,
    )


def targets(data: PlanData, lay: Layout, mode: str = "hard") -> Block:
    """Targets of gross output, in one of four modes.

    ``"hard"``: output ``>=`` target; ``"level"``: output ``>= level * target``;
    ``"elastic"``: output ``+ shortfall >= target``; ``"none"``: no rows.
    """
    k = data.n_targets if mode != "none" else 0
    tgt = data.target_value[:k]
    pieces: dict[str, sp.sparray | None] = {"x": data.products_of_targets()[:k]}
    lower = tgt
    if mode == "level":
        pieces.update(_level_pieces(lay, -tgt))
        lower = np.zeros(k)
    elif mode == "elastic":
        pieces["shortfall"] = _eye(k)
    labels = data.spec.targets["product"].to_numpy(object)[:k]
    periods = data.spec.targets["period"].to_numpy(int)[:k]
    return _block("targets", lay.place(k, pieces), lower, np.inf, labels, periods)


def assortment(data: PlanData, lay: Layout) -> Block:
    """Consumption ``>= level * weight`` for the assortment (every period unless given)."""
    a = data.spec.assortment
    n, T = data.n_p, data.T
    if not len(a) or not lay.has("level"):
        return _block("assortment", sp.csr_array((0, lay.n)), 0.0, np.inf, [], [])
    pos = data.eco.product_labels.get_indexer(a["product"])
    w = a["weight"].to_numpy(float)
    if "period" in a.columns and a["period"].notna().all():
        t = data.period_index(a["period"])
    else:
        pos, w, t = np.tile(pos, T), np.tile(w, T), np.repeat(np.arange(T), len(a))
    M = _select(n * T, t * n + pos)
    pieces: dict[str, sp.sparray | None] = {"c": M, **_level_pieces(lay, -w)}
    labels = data.eco.product_labels.to_numpy(object)[pos]
    periods = np.asarray(data.spec.periods)[t]
    return _block("assortment", lay.place(len(pos), pieces), 0.0, np.inf, labels, periods)


def trade(data: PlanData, lay: Layout) -> Block:
    """Trade balance each period: ``sum(world_price * (imports - exports)) <= trade_deficit``."""
    if not lay.has("m"):
        return _block("trade", sp.csr_array((0, lay.n)), 0.0, 0.0, [], [])
    price = data.spec.trade["world_price"].to_numpy(float).reshape(1, -1)
    row = _kron_t(data, sp.csr_array(price))
    M = lay.place(data.T, {"m": row, "e": -row})
    return _block(
        "trade", M, -np.inf, data.spec.trade_deficit, ["trade balance"] * data.T, data.spec.periods
    )


def terminal(data: PlanData, lay: Layout) -> Block:
    """Capacity at the end of the horizon ``>=`` the required terminal capacity."""
    spec = data.spec
    req = np.full(data.n_c, -np.inf)
    if len(spec.terminal_capacity):
        pos = pd.Index(data.capped).get_indexer(
            data.eco.activity_labels.get_indexer(spec.terminal_capacity["activity"])
        )
        ok = pos >= 0
        req[pos[ok]] = spec.terminal_capacity["capacity"].to_numpy(float)[ok]
    if spec.terminal_growth is not None:
        req = np.maximum(req, spec.terminal_growth * data.initial_capacity)
    rows = np.flatnonzero(np.isfinite(req))
    made = data.capacity_made(data.T)[rows] if data.n_c else None
    pieces: dict[str, sp.sparray | None] = {"inv": made}
    if lay.has("add_capacity"):  # lasting additions are still there at the end
        pieces["add_capacity"] = sp.csr_array(
            sp.hstack([_select(data.n_c, rows)] * data.T, format="csr")
        )
    M = lay.place(len(rows), pieces)
    lower = req[rows] - data.initial[rows, data.T]
    labels = data.eco.activity_labels.to_numpy(object)[data.capped[rows]]
    end = spec.periods[-1] + 1
    return _block("terminal", M, lower, np.inf, labels, np.full(len(rows), end))


def _continuation_demand(data: PlanData) -> np.ndarray:
    """Fixed final demand of the last period (the static economy after the horizon)."""
    ffd = np.zeros(data.n_p)
    fd = data.spec.fixed_final_demand
    if len(fd):
        last = fd[fd["period"].astype(int) == data.spec.periods[-1]]
        np.add.at(
            ffd,
            data.eco.product_labels.get_indexer(last["product"]),
            last["quantity"].to_numpy(float),
        )
    return ffd


def terminal_static(data: PlanData, lay: Layout) -> list[Block]:
    """The static economy after the horizon (``terminal = "static"``), three blocks.

    Levels ``y`` of the activities after the horizon (column group ``y_end``) must produce
    the last period's consumption and fixed final demand plus the capital goods replacing
    the capacity that depreciates (no further growth)::

        terminal_balance        (O - A) y - B (delta * y) - c[consumption goods, T-1]
                                  >= fixed final demand[T-1]          (per product)
        terminal_capacity_use   y <= capacity at the end of the horizon  (capped activities)
        terminal_labour         (Lab + CLab delta) y <= labour available in the last period
                                (listed types; CLab: construction labour)
    """
    if not lay.has("y_end"):
        return []
    n, T = data.n_p, data.T
    last = slice((T - 1) * n, T * n)
    consume = _select(n * T, np.arange(last.start, last.stop)) @ sp.diags_array(
        np.kron(np.ones(T), data.consumption_goods)
    )
    replace = data.capital @ sp.diags_array(data.depreciation)
    balance_rows = lay.place(n, {"y_end": data.outputs - data.inputs - replace, "c": -consume})
    labels = data.eco.product_labels.to_numpy(object)
    end = np.full(n, data.spec.periods[-1] + 1)
    out = [
        _block("terminal_balance", balance_rows, _continuation_demand(data), np.inf, labels, end)
    ]
    nc = data.n_c
    pieces: dict[str, sp.sparray | None] = {
        "y_end": _select(data.n_a, data.capped),
        "inv": -data.capacity_made(T) if nc else None,
    }
    if lay.has("add_capacity"):
        pieces["add_capacity"] = -sp.csr_array(sp.hstack([_eye(nc)] * T, format="csr"))
    out.append(
        _block(
            "terminal_capacity_use",
            lay.place(nc, pieces),
            -np.inf,
            data.initial[:, T],
            data.eco.activity_labels.to_numpy(object)[data.capped],
            np.full(nc, data.spec.periods[-1] + 1),
        )
    )
    avail = data.per_period(
        data.spec.labour_available, "labour_type", data.eco.labour_types, "available"
    )[:, -1]
    rows = np.flatnonzero(np.isfinite(avail))
    # the labour of the activities and of the construction replacing worn-out capacity
    work = sp.csr_array(
        data.labour + data.construction_coefficients @ sp.diags_array(data.depreciation)
    )
    out.append(
        _block(
            "terminal_labour",
            lay.place(len(rows), {"y_end": work[rows]}),
            -np.inf,
            avail[rows],
            data.eco.labour_types.to_numpy(object)[rows],
            np.full(len(rows), data.spec.periods[-1] + 1),
        )
    )
    return out


def investment_share(data: PlanData, lay: Layout) -> Block:
    """Capital spending on means-of-production activities ``= share *`` all spending.

    The spending on construction in progress counts, as a constant on the right-hand side.
    """
    share = data.spec.investment_share
    if share is None or not lay.has("inv"):
        return _block("investment_share", sp.csr_array((0, lay.n)), 0.0, 0.0, [], [])
    k = data.capital_value * (data.means_of_production - share)
    rows = []
    for t in range(data.T):
        rows.append(
            sp.hstack(
                [sp.csr_array((k * data.spend_weight(t, s)).reshape(1, -1)) for s in range(data.T)],
                format="csr",
            )
        )
    M = lay.place(data.T, {"inv": sp.vstack(rows, format="csr")})
    # construction in progress is capital spending too, fixed in advance
    fixed = -(k @ data.in_progress_building[data.capped]) if data.n_c else np.zeros(data.T)
    return _block(
        "investment_share", M, fixed, fixed, ["investment share"] * data.T, data.spec.periods
    )


def harmony(data: PlanData, lay: Layout, segments: list[tuple[float, float]]) -> Block:
    """Harmony ``u_k <= a + b * r_k`` for each segment ``(a, b)``, ``r_k = output / target``.

    Rows are segment-major; each has the dimension ``segment``, the position of its
    segment in ``segments`` (a target and period have one row per segment).
    """
    if not lay.has("harmony"):
        return _block(
            "harmony", sp.csr_array((0, lay.n)), 0.0, 0.0, [], [], {"segment": np.zeros(0, int)}
        )
    k = data.n_targets
    out = data.products_of_targets()
    tgt = data.target_value
    positive = tgt > 0
    inv_t = sp.diags_array(np.where(positive, 1.0 / np.where(positive, tgt, 1.0), 0.0))
    cap = max(a + b for a, b in segments if b == 0) if any(b == 0 for _, b in segments) else 1.0
    parts_x, parts_u, upper = [], [], []
    for a, b in segments:
        parts_x.append(-b * (inv_t @ out))
        parts_u.append(_eye(k))
        upper.append(np.where(positive, a, cap))  # a zero target is always met in full
    M = lay.place(k * len(segments), {"x": sp.vstack(parts_x), "harmony": sp.vstack(parts_u)})
    labels = np.tile(data.spec.targets["product"].to_numpy(object), len(segments))
    periods = np.tile(data.spec.targets["period"].to_numpy(int), len(segments))
    segment = np.repeat(np.arange(len(segments)), k)
    return _block(
        "harmony", M, -np.inf, np.concatenate(upper), labels, periods, {"segment": segment}
    )
