"""Label an LP solution as a :class:`~gosplan.core.plan_result.PlanResult`.

Every row comes back under all of its coordinates (:meth:`Block.row_coords
<gosplan.plan.blocks.Block.row_coords>`): ``duals`` lists every row of every reported block
with ``block``, ``label``, ``period``, a column for each further dimension of any block (such
as the harmony's ``segment``; missing for the rows of blocks without it), ``shadow_price``,
the row's activity ``value`` and its bounds ``lower`` and ``upper``. ``binding`` carries the
same dimension columns after ``period``. ``shadow_prices[block]`` pivots a block's duals to
labels x periods only for the blocks without further dimensions, whose (label, period) is
unique; a block with further dimensions is in ``duals`` (and ``binding``, ``price_ranges``)
only, since a written labels x periods table has room for one row label.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION
from gosplan.core.plan_result import (
    BINDING_COLUMNS,
    DUAL_COLUMNS,
    FINAL_USE_COLUMNS,
    PlanResult,
)
from gosplan.core.status import Status
from gosplan.errors import ValuationError
from gosplan.plan.assemble import LP
from gosplan.plan.blocks import INTERNAL_BLOCKS, Block
from gosplan.plan.data import PlanData
from gosplan.plan.highs import LPSolution
from gosplan.plan.layout import Layout

log = logging.getLogger(__name__)

#: Columns of :attr:`PlanResult.duals` after the shadow price: the row's activity and bounds.
ROW_VALUE_COLUMNS = ("value", "lower", "upper")


def _grid(values: np.ndarray, index: pd.Index, periods: tuple[int, ...]) -> pd.DataFrame:
    """Period-major flat values as a labels x periods frame."""
    arr = np.asarray(values, float).reshape(len(periods), len(index)).T
    return pd.DataFrame(arr, index=index, columns=pd.Index(periods, name="period"))


def _dual_frame(labels: np.ndarray, periods: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """The duals of a block whose (label, period) is unique as a labels x periods frame.

    Labels and periods keep the order of their first row.
    """
    df = pd.DataFrame({"label": labels, "period": periods, "value": values})
    wide = df.pivot(index="label", columns="period", values="value")
    return wide.reindex(
        index=pd.Index(pd.unique(df["label"]), name="label"),
        columns=pd.Index(pd.unique(df["period"]), name="period"),
    )


def _with_dims(columns: tuple[str, ...], dims: list[str]) -> list[str]:
    """``columns`` with the further dimensions of the rows inserted after ``period``."""
    at = columns.index("period") + 1
    return [*columns[:at], *dims, *columns[at:]]


def empty_result(data: PlanData, status: str, kind: str, provenance: dict) -> PlanResult:
    """A result with no plan (infeasible, unbounded, stopped)."""
    cols = pd.Index(data.spec.periods, name="period")
    e = pd.DataFrame(columns=cols)
    return PlanResult(
        status=Status(status),
        objective=float("nan"),
        objective_kind=kind,
        level=None,
        periods=data.spec.periods,
        output=e,
        activity_levels=e,
        capacity=e,
        investment=e,
        capital_spending=e,
        employment=e,
        consumption=e,
        stocks=e,
        imports=e,
        exports=e,
        fulfilment=pd.DataFrame(columns=["product", "period", "target", "achieved", "ratio"]),
        shadow_prices={},
        binding=pd.DataFrame(columns=list(BINDING_COLUMNS)),
        growth=e,
        investment_shares=pd.DataFrame(columns=[MEANS_OF_PRODUCTION, CONSUMER_GOODS]),
        verification=None,
        provenance=provenance,
        duals=pd.DataFrame(columns=[*DUAL_COLUMNS, *ROW_VALUE_COLUMNS]),
    )


def result_from_solution(
    data: PlanData,
    lp: LP,
    sol: LPSolution,
    kind: str,
    provenance: dict,
    tol: float = 1e-7,
    ranges: dict[str, pd.DataFrame] | None = None,
) -> PlanResult:
    """Label an optimal LP solution as a :class:`PlanResult` (without verification).

    Parameters
    ----------
    data
        Arrays of the validated spec.
    lp
        The LP that was solved.
    sol
        Its optimal solution.
    kind
        The objective (``PlanResult.objective_kind``).
    provenance
        The result's provenance.
    tol
        Relative slack under which an inequality row counts as binding.
    ranges
        The price ranges of the rows (:func:`gosplan.plan.ranging.price_ranges`).

    Returns
    -------
    PlanResult
    """
    lay, z = lp.layout, sol.x
    quantities = _quantities(data, lay, z)
    stocks, imports, exports = _stocks_and_trade(data, lay, z, quantities["output"].columns)
    rows = _row_tables(lp, sol, tol, ranges or {})
    final_use = _final_use(data, lay, z, quantities["capital_spending"], stocks, imports, exports)
    return PlanResult(
        status=Status(sol.status),
        objective=sol.objective,
        objective_kind=kind,
        level=float(z[lay.slice("level")][0]) if lay.has("level") else None,
        periods=data.spec.periods,
        **quantities,
        stocks=stocks,
        imports=imports,
        exports=exports,
        fulfilment=_fulfilment(data, quantities["output"]),
        shadow_prices=rows.shadow_prices,
        binding=rows.binding,
        growth=_growth(quantities["output"]),
        investment_shares=_investment_shares(data, lay, z),
        verification=None,
        provenance=provenance,
        final_use=final_use,
        final_use_values=_final_use_values(data, final_use),
        terminal_levels=_terminal_levels(data, lay, z),
        price_ranges=dict(ranges or {}),
        duals=rows.duals,
    )


def _quantities(data: PlanData, lay: Layout, z: np.ndarray) -> dict[str, pd.DataFrame]:
    """Activity levels, output, employment, consumption, investment and capacity by period.

    Returns
    -------
    dict[str, pandas.DataFrame]
        The labels x periods tables ``output``, ``activity_levels``, ``capacity``,
        ``investment``, ``capital_spending``, ``employment`` and ``consumption``.
    """
    eco, periods, T = data.eco, data.spec.periods, data.T
    prods, acts = eco.product_labels, eco.activity_labels
    x = z[lay.slice("x")]
    output = _grid(data.delivered @ x, prods, periods)
    work = data.labour @ x.reshape(T, data.n_a).T
    if data.construction_coefficients.nnz and data.n_c:
        work = work + (data.construction_labour @ z[lay.slice("inv")]).reshape(T, -1).T
    z_inv = z[lay.slice("inv")]
    inv = np.zeros((data.n_a, T))
    cap = np.full((data.n_a, T), np.inf)
    spend = np.zeros(data.n_p * T)
    if data.n_c:
        inv[data.capped] = z_inv.reshape(T, data.n_c).T
        spend = data.spending @ z_inv
    spend = spend + data.in_progress_spending.T.ravel()  # construction in progress
    work = work + data.in_progress_labour
    for t in range(T):
        made = data.capacity_made(t) @ z_inv if data.n_c else 0.0
        cap[data.capped, t] = data.initial[:, t] + made
    cols = output.columns
    return {
        "output": output,
        "activity_levels": _grid(x, acts, periods),
        "capacity": pd.DataFrame(cap, index=acts, columns=cols),
        "investment": pd.DataFrame(inv, index=acts, columns=cols),
        "capital_spending": _grid(spend, prods, periods),
        "employment": pd.DataFrame(work, index=eco.labour_types, columns=cols),
        "consumption": _grid(z[lay.slice("c")], prods, periods),
    }


def _stocks_and_trade(
    data: PlanData, lay: Layout, z: np.ndarray, columns: pd.Index
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Stocks carried out of each period, imports and exports (products x periods)."""
    T, prods = data.T, data.eco.product_labels
    zeros = pd.DataFrame(0.0, index=prods, columns=columns)
    stocks = zeros.copy()
    if lay.has("s"):
        stocks.iloc[data.stored] = z[lay.slice("s")].reshape(T, data.n_s).T
    imports, exports = zeros.copy(), zeros.copy()
    if lay.has("m"):
        tp = prods[data.traded]
        imports.loc[tp] = z[lay.slice("m")].reshape(T, len(tp)).T
        exports.loc[tp] = z[lay.slice("e")].reshape(T, len(tp)).T
    return stocks, imports, exports


def _fulfilment(data: PlanData, output: pd.DataFrame) -> pd.DataFrame:
    """Every target with the output achieved and the fulfilment ratio (1 for a zero target)."""
    spec = data.spec
    fulfilment = pd.DataFrame(
        {
            "product": spec.targets["product"].to_numpy(object),
            "period": spec.targets["period"].to_numpy(int),
            "target": data.target_value,
        }
    )
    fulfilment["achieved"] = output.to_numpy()[data.target_product, data.target_period]
    with np.errstate(divide="ignore", invalid="ignore"):
        fulfilment["ratio"] = np.where(
            fulfilment["target"] > 0, fulfilment["achieved"] / fulfilment["target"], 1.0
        )
    return fulfilment


def _growth(output: pd.DataFrame) -> pd.DataFrame:
    """Growth of output over the previous period (NaN where it is not defined)."""
    prev = output.shift(1, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = output / prev - 1.0
    return growth.replace([np.inf, -np.inf], np.nan)


def _terminal_levels(data: PlanData, lay: Layout, z: np.ndarray) -> pd.Series:
    """Activity levels of the static economy after the horizon (empty without one)."""
    acts = data.eco.activity_labels
    return pd.Series(
        z[lay.slice("y_end")] if lay.has("y_end") else np.zeros(0),
        index=acts if lay.has("y_end") else pd.Index([], name=acts.name),
        name="level",
        dtype=float,
    )


def _investment_shares(data: PlanData, lay: Layout, z: np.ndarray) -> pd.DataFrame:
    """Shares of capital spending on means of production and on consumer goods by period.

    Spending (construction in progress included) is valued at the least-labour values of the
    capital goods; NaN where nothing is invested or no labour valuation exists.
    """
    T = data.T
    inv_spend = np.full((2, T), np.nan)
    try:
        kv = data.capital_value
    except ValuationError:
        kv = None  # no labour: shares of unlike capital goods are not computed
    if data.n_c and kv is not None:
        inv_spend[:] = 0.0
        mop = data.means_of_production
        zi = z[lay.slice("inv")]
        for t in range(T):
            spent = data.in_progress_building[data.capped, t].copy()
            for s in range(T):
                spent += data.spend_weight(t, s) * zi[s * data.n_c : (s + 1) * data.n_c]
            val = kv * spent
            inv_spend[:, t] = [(val * mop).sum(), (val * (1 - mop)).sum()]
    tot = inv_spend.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(tot > 0, inv_spend / np.where(tot > 0, tot, 1.0), np.nan)
    return pd.DataFrame(
        shares.T,
        index=pd.Index(data.spec.periods, name="period"),
        columns=[MEANS_OF_PRODUCTION, CONSUMER_GOODS],
    )


# ------------------------------------------------------------------ rows: duals and binding
@dataclass(frozen=True)
class RowTables:
    """The duals of the rows, labelled three ways (see :func:`_row_tables`)."""

    shadow_prices: dict[str, pd.DataFrame]
    duals: pd.DataFrame
    binding: pd.DataFrame


def _row_tables(lp: LP, sol: LPSolution, tol: float, ranges: dict[str, pd.DataFrame]) -> RowTables:
    """Shadow prices, every row's dual and the binding rows, each row with its coordinates.

    ``shadow_prices[block]`` is a labels x periods pivot for the blocks without further
    dimensions (one row per label and period); a block with further dimensions (the
    harmony's ``segment``) is in ``duals`` and ``binding`` only, with a column per
    dimension (missing for the rows of blocks without it).
    """
    shadow: dict[str, pd.DataFrame] = {}
    duals, binding = [], []
    dims: list[str] = []
    for b in lp.blocks:
        if b.name in INTERNAL_BLOCKS:
            continue
        dims += [d for d in b.dims if d not in dims]
        r = lp.ranges[b.name]
        dual, act = sol.row_dual[r], sol.row_value[r]
        if not b.dims and _unique_keys(b):
            shadow[b.name] = _dual_frame(b.labels, b.periods, dual)
        duals.append(_block_duals(b, dual, act))
        tight = _binding_rows(b, dual, act, tol, ranges.get(b.name))
        if tight is not None:
            binding.append(tight)
    dual_cols = _with_dims(DUAL_COLUMNS, dims) + list(ROW_VALUE_COLUMNS)
    binding_cols = _with_dims(BINDING_COLUMNS, dims)
    return RowTables(
        shadow_prices=shadow,
        duals=_stacked(duals, dual_cols),
        binding=_stacked(binding, binding_cols),
    )


def _unique_keys(b: Block) -> bool:
    """Whether (label, period) tells the rows of a block apart (else: a warning)."""
    keys = pd.MultiIndex.from_arrays([b.labels, b.periods])
    if keys.is_unique:
        return True
    log.warning(
        "block %r has rows with the same label and period but no further dimension: "
        "its duals are in PlanResult.duals only",
        b.name,
    )
    return False


def _stacked(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The frames one under the other with ``columns`` (missing ones NaN), or an empty one."""
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).reindex(columns=columns)


def _block_duals(b: Block, dual: np.ndarray, act: np.ndarray) -> pd.DataFrame:
    """Every row of a block: its coordinates, dual, activity and bounds."""
    return pd.DataFrame(
        {
            "block": b.name,
            **b.row_coords(),
            "shadow_price": dual,
            "value": act,
            "lower": b.lower,
            "upper": b.upper,
        }
    )


def _binding_rows(
    b: Block, dual: np.ndarray, act: np.ndarray, tol: float, held: pd.DataFrame | None
) -> pd.DataFrame | None:
    """The inequality rows of a block at a bound (or with a dual), ``None`` if there are none.

    ``held``: the block's price ranges (:func:`gosplan.plan.ranging.price_ranges`), in row
    order.
    """
    if np.all(b.lower == b.upper):
        return None
    slack = np.minimum(act - b.lower, b.upper - act)
    scale = 1.0 + np.minimum(
        np.abs(np.where(np.isfinite(b.lower), b.lower, 0)),
        np.abs(np.where(np.isfinite(b.upper), b.upper, 0)),
    )
    tight = (slack <= tol * scale * 10) | (np.abs(dual) > 1e-9)
    if not tight.any():
        return None
    rows: dict[str, Any] = {
        "block": b.name,
        **b.row_coords(tight),
        "slack": np.maximum(slack[tight], 0.0),
        "shadow_price": dual[tight],
    }
    for col in ("valid_from", "valid_to"):
        rows[col] = held[col].to_numpy(float)[tight] if held is not None else np.nan
    rows["degenerate"] = held["degenerate"].to_numpy(bool)[tight] if held is not None else False
    return pd.DataFrame(rows)


def _final_use_values(data: PlanData, final_use: pd.DataFrame) -> pd.DataFrame:
    """Each part of final use per period at least-labour values (empty without labour)."""
    try:
        values = data.labour_values
    except ValuationError:
        return pd.DataFrame()
    parts = [c for c in FINAL_USE_COLUMNS if c not in ("product", "period")]
    weight = np.tile(values, data.T)
    valued = final_use[parts].mul(weight, axis=0)
    valued["period"] = final_use["period"].to_numpy()
    out = valued.groupby("period", sort=True)[parts].sum()
    out.index = pd.Index([int(p) for p in out.index], name="period")
    return out


def _final_use(
    data: PlanData,
    lay: Any,
    z: np.ndarray,
    capital_spending: pd.DataFrame,
    stocks: pd.DataFrame,
    imports: pd.DataFrame,
    exports: pd.DataFrame,
) -> pd.DataFrame:
    """Final use by product and period, split into its kinds (see :class:`PlanResult`)."""
    spec, T, n = data.spec, data.T, data.n_p
    free = z[lay.slice("c")].reshape(T, n).T
    consumer = data.consumption_goods.astype(bool)[:, None]
    S = stocks.to_numpy(float)
    carried = np.zeros((n, T))
    loss = spec.storage_loss().reindex(data.eco.product_labels).fillna(0.0).to_numpy(float)
    carried[:, 1:] = S[:, :-1] * (1.0 - loss)[:, None]
    if len(spec.initial_stocks):
        pos = data.eco.product_labels.get_indexer(spec.initial_stocks["product"])
        np.add.at(carried[:, 0], pos, spec.initial_stocks["stock"].to_numpy(float))
    fixed = np.zeros((n, T))
    fd = spec.fixed_final_demand
    if len(fd):
        np.add.at(
            fixed,
            (data.eco.product_labels.get_indexer(fd["product"]), data.period_index(fd["period"])),
            fd["quantity"].to_numpy(float),
        )
    parts = {
        "consumption": np.where(consumer, free, 0.0),
        "other_final_use": np.where(consumer, 0.0, free),
        "investment": capital_spending.to_numpy(float),
        "stock_building": S - carried,
        "fixed": fixed,
        "net_exports": exports.to_numpy(float) - imports.to_numpy(float),
    }
    frame = pd.DataFrame(
        {
            "product": np.tile(data.eco.product_labels.to_numpy(object), T),
            "period": np.repeat(np.asarray(spec.periods), n),
            **{k: v.T.ravel() for k, v in parts.items()},
        }
    )
    return frame[list(FINAL_USE_COLUMNS)]
