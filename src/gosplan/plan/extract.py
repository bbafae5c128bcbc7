"""Label an LP solution as a :class:`~gosplan.core.plan_result.PlanResult`."""

from __future__ import annotations

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
from gosplan.plan.blocks import INTERNAL_BLOCKS
from gosplan.plan.data import PlanData
from gosplan.plan.highs import LPSolution


def _grid(values: np.ndarray, index: pd.Index, periods: tuple[int, ...]) -> pd.DataFrame:
    """Period-major flat values as a labels x periods frame."""
    arr = np.asarray(values, float).reshape(len(periods), len(index)).T
    return pd.DataFrame(arr, index=index, columns=pd.Index(periods, name="period"))


def _dual_frame(labels: np.ndarray, periods: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    df = pd.DataFrame({"label": labels, "period": periods, "value": values})
    return df.pivot_table(
        index="label", columns="period", values="value", aggfunc="first", sort=False
    )


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

    ``ranges``: the price ranges of the rows (:func:`gosplan.plan.ranging.price_ranges`).
    """
    eco, spec, T = data.eco, data.spec, data.T
    periods = spec.periods
    lay, z = lp.layout, sol.x
    x = z[lay.slice("x")]
    prods, acts = eco.product_labels, eco.activity_labels
    X = x.reshape(T, data.n_a).T  # activities x T
    activity_levels = _grid(x, acts, periods)
    output = _grid(data.delivered @ x, prods, periods)
    work = data.labour @ X
    if data.construction_coefficients.nnz and data.n_c:
        work = work + (data.construction_labour @ z[lay.slice("inv")]).reshape(T, -1).T
    employment = pd.DataFrame(work, index=eco.labour_types, columns=output.columns)
    consumption = _grid(z[lay.slice("c")], prods, periods)
    inv_c = z[lay.slice("inv")].reshape(T, data.n_c).T if data.n_c else np.zeros((0, T))
    inv = np.zeros((data.n_a, T))
    inv[data.capped] = inv_c
    investment = pd.DataFrame(inv, index=acts, columns=output.columns)
    spend = data.spending @ z[lay.slice("inv")] if data.n_c else np.zeros(data.n_p * T)
    capital_spending = _grid(spend, prods, periods)
    cap = np.full((data.n_a, T), np.inf)
    for t in range(T):
        cap[data.capped, t] = data.initial[:, t] + (
            data.capacity_made(t) @ z[lay.slice("inv")] if data.n_c else 0.0
        )
    capacity = pd.DataFrame(cap, index=acts, columns=output.columns)
    zeros = pd.DataFrame(0.0, index=prods, columns=output.columns)
    stocks = zeros.copy()
    if lay.has("s"):
        stocks.iloc[data.stored] = z[lay.slice("s")].reshape(T, data.n_s).T
    imports, exports = zeros.copy(), zeros.copy()
    if lay.has("m"):
        tp = prods[data.traded]
        imports.loc[tp] = z[lay.slice("m")].reshape(T, len(tp)).T
        exports.loc[tp] = z[lay.slice("e")].reshape(T, len(tp)).T
    level = float(z[lay.slice("level")][0]) if lay.has("level") else None
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
    shadow: dict[str, pd.DataFrame] = {}
    dual_rows = []
    binding_rows = []
    for b in lp.blocks:
        if b.name in INTERNAL_BLOCKS:
            continue
        r = lp.ranges[b.name]
        dual, act = sol.row_dual[r], sol.row_value[r]
        shadow[b.name] = _dual_frame(b.labels, b.periods, dual)
        dual_rows.append(
            pd.DataFrame(
                {"block": b.name, "label": b.labels, "period": b.periods, "shadow_price": dual}
            )
        )
        if np.all(b.lower == b.upper):
            continue
        slack = np.minimum(act - b.lower, b.upper - act)
        scale = 1.0 + np.minimum(
            np.abs(np.where(np.isfinite(b.lower), b.lower, 0)),
            np.abs(np.where(np.isfinite(b.upper), b.upper, 0)),
        )
        tight = (slack <= tol * scale * 10) | (np.abs(dual) > 1e-9)
        if tight.any():
            held = (ranges or {}).get(b.name)
            rows = {
                "block": b.name,
                "label": b.labels[tight],
                "period": b.periods[tight],
                "slack": np.maximum(slack[tight], 0.0),
                "shadow_price": dual[tight],
            }
            for col in ("valid_from", "valid_to"):
                rows[col] = held[col].to_numpy(float)[tight] if held is not None else np.nan
            rows["degenerate"] = (
                held["degenerate"].to_numpy(bool)[tight] if held is not None else False
            )
            binding_rows.append(pd.DataFrame(rows))
    binding = (
        pd.concat(binding_rows, ignore_index=True)
        if binding_rows
        else pd.DataFrame(columns=list(BINDING_COLUMNS))
    )
    prev = output.shift(1, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = output / prev - 1.0
    growth = growth.replace([np.inf, -np.inf], np.nan)
    final_use = _final_use(data, lay, z, capital_spending, stocks, imports, exports)
    terminal_levels = pd.Series(
        z[lay.slice("y_end")] if lay.has("y_end") else np.zeros(0),
        index=acts if lay.has("y_end") else pd.Index([], name=acts.name),
        name="level",
        dtype=float,
    )
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
            spent = np.zeros(data.n_c)
            for s in range(T):
                spent += data.spend_weight(t, s) * zi[s * data.n_c : (s + 1) * data.n_c]
            val = kv * spent
            inv_spend[:, t] = [(val * mop).sum(), (val * (1 - mop)).sum()]
    tot = inv_spend.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(tot > 0, inv_spend / np.where(tot > 0, tot, 1.0), np.nan)
    investment_shares = pd.DataFrame(
        shares.T,
        index=pd.Index(periods, name="period"),
        columns=[MEANS_OF_PRODUCTION, CONSUMER_GOODS],
    )
    return PlanResult(
        status=Status(sol.status),
        objective=sol.objective,
        objective_kind=kind,
        level=level,
        periods=periods,
        output=output,
        activity_levels=activity_levels,
        capacity=capacity,
        investment=investment,
        capital_spending=capital_spending,
        employment=employment,
        consumption=consumption,
        stocks=stocks,
        imports=imports,
        exports=exports,
        fulfilment=fulfilment,
        shadow_prices=shadow,
        binding=binding,
        growth=growth,
        investment_shares=investment_shares,
        verification=None,
        provenance=provenance,
        final_use=final_use,
        final_use_values=_final_use_values(data, final_use),
        terminal_levels=terminal_levels,
        price_ranges=dict(ranges or {}),
        duals=(
            pd.concat(dual_rows, ignore_index=True)
            if dual_rows
            else pd.DataFrame(columns=list(DUAL_COLUMNS))
        ),
    )


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
