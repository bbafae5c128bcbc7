"""Independent check of a plan: recompute every relation from the labelled tables.

Nothing here reads the LP matrix: balances, labour, resources, capacities (from the vintages,
service lives, depreciation, lags and the investment table), floors, targets, trade and the
terminal capacity are recomputed from the result's tables and the economy's own matrices. Each
block's violation is measured relative to the magnitude of the terms of the relation
(``violation / max(1, sum of |terms|)``); the plan passes when every block is within ``tol``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gosplan.plan.spec import PlanSpec

if TYPE_CHECKING:
    from gosplan.plan.result import PlanResult


@dataclass(frozen=True)
class VerificationReport:
    """Largest relative violation of each block, the tolerance and the verdict."""

    max_violation: dict[str, float]
    tolerance: float
    passed: bool

    @property
    def worst(self) -> float:
        """Largest violation over all blocks."""
        return max(self.max_violation.values(), default=0.0)

    def summary(self) -> str:
        """One line: passed or failed, with the worst block."""
        if not self.max_violation:
            return "verification: nothing to check"
        block = max(self.max_violation, key=self.max_violation.__getitem__)
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"verification {verdict}: largest relative violation {self.worst:.1e} ({block}), "
            f"tolerance {self.tolerance:.0e}"
        )

    def as_dict(self) -> dict:
        """Plain dict (for JSON)."""
        return {
            "max_violation": dict(self.max_violation),
            "tolerance": self.tolerance,
            "passed": self.passed,
        }


def _rel(excess: np.ndarray, scale: np.ndarray) -> float:
    excess = np.asarray(excess, float)
    if excess.size == 0:
        return 0.0
    return float(np.max(np.maximum(excess, 0.0) / np.maximum(1.0, np.abs(scale))))


def _lags(spec: PlanSpec) -> np.ndarray:
    eco = spec.economy
    lag = pd.Series(int(spec.default_lag), index=eco.activity_labels)
    if len(spec.lags):
        lag.loc[spec.lags["activity"].to_numpy()] = spec.lags["lag"].to_numpy(int)
    return lag.to_numpy(int)


def capital_goods_spent(spec: PlanSpec, investment: pd.DataFrame) -> np.ndarray:
    """Capital goods spent per product and period, from the investment table."""
    eco = spec.economy
    inv = investment.reindex(index=eco.activity_labels).fillna(0.0).to_numpy(float)
    lag = _lags(spec)
    T = spec.n_periods
    spent = np.zeros((eco.n_activities, T))
    for s in range(T):
        for j in range(max(int(lag.max()), 1)):
            active = (lag > j) if j else np.ones_like(lag, dtype=bool)
            share = 1.0 / np.maximum(lag, 1)
            if s + j < T:
                spent[:, s + j] += np.where(active, inv[:, s] * share, 0.0)
    return np.asarray(eco.capital @ spent)


def capacity_available(spec: PlanSpec, investment: pd.DataFrame) -> np.ndarray:
    """Capacity per activity and period ``0..T`` (``T`` = end), ``inf`` where unlimited."""
    eco = spec.economy
    T = spec.n_periods
    labels = [*list(spec.periods), spec.periods[-1] + 1]
    life = np.asarray(eco.service_life, float)
    rate = pd.Series(0.0, index=eco.activity_labels)
    if len(spec.depreciation):
        rate.loc[spec.depreciation["activity"].to_numpy()] = spec.depreciation["rate"].to_numpy(
            float
        )
    keep = 1.0 - rate.to_numpy()
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
    inv = investment.reindex(index=eco.activity_labels).fillna(0.0).to_numpy(float)
    lag = _lags(spec)
    for s in range(T):
        for t in range(T + 1):
            age = t - s - lag
            alive = (age >= 0) & (np.isnan(life) | (age < life))
            cap[:, t] += np.where(alive, inv[:, s] * keep ** np.maximum(age, 0), 0.0)
    cap[unlimited] = np.inf
    return cap


def verify(result: PlanResult, spec: PlanSpec, tol: float = 1e-6) -> VerificationReport:
    """Check a plan against its spec, independently of the LP.

    Parameters
    ----------
    result
        An optimal plan.
    spec
        The spec it was made for.
    tol
        Largest relative violation allowed.

    Returns
    -------
    VerificationReport
    """
    eco = spec.economy
    T = spec.n_periods
    prods, acts, per = eco.product_labels, eco.activity_labels, list(spec.periods)

    def grid(frame: pd.DataFrame, index: pd.Index) -> np.ndarray:
        return frame.reindex(index=index, columns=per).fillna(0.0).to_numpy(float)

    X = grid(result.activity_levels, acts)
    C = grid(result.consumption, prods)
    S = grid(result.stocks, prods)
    M, E = grid(result.imports, prods), grid(result.exports, prods)
    INV = grid(result.investment, acts)
    viol: dict[str, float] = {}

    out = np.asarray(eco.output_matrix @ X)
    inter = np.asarray(eco.technology @ X)
    spent = capital_goods_spent(spec, result.investment)
    ffd = np.zeros((eco.n_products, T))
    fd = spec.fixed_final_demand
    for _, row in fd.iterrows():
        ffd[prods.get_loc(row["product"]), per.index(int(row["period"]))] += row["quantity"]
    loss = spec.storage_loss().reindex(prods)  # NaN: the product cannot be stored
    s_in = np.zeros((eco.n_products, T))
    s_in[:, 1:] = S[:, :-1] * (1.0 - loss.fillna(0.0).to_numpy(float))[:, None]
    store_cap = spec.storage_capacity().reindex(prods).fillna(0.0).to_numpy(float)
    viol["storage"] = _rel(S - store_cap[:, None], store_cap[:, None])
    for _, row in spec.initial_stocks.iterrows():
        s_in[prods.get_loc(row["product"]), 0] += row["stock"]
    resid = out + s_in + M - inter - spent - C - ffd - S - E
    terms = out + s_in + M + inter + spent + C + ffd + S + E
    viol["balance"] = _rel(np.abs(resid), terms)
    viol["capital_spending"] = _rel(np.abs(spent - grid(result.capital_spending, prods)), spent)
    viol["nonnegativity"] = _rel(
        -np.concatenate([a.ravel() for a in (X, C, S, M, E, INV)] or [np.zeros(0)]), 1.0
    )
    for name, coef, types, table, key in (
        ("labour", eco.labour, eco.labour_types, spec.labour_available, "labour_type"),
        ("resources", eco.resources, eco.resource_types, spec.resources_available, "resource"),
    ):
        use = np.asarray(coef @ X)
        worst = 0.0
        for _, row in table.iterrows():
            u = use[types.get_loc(row[key]), per.index(int(row["period"]))]
            worst = max(worst, _rel(np.array([u - row["available"]]), np.array([u])))
        viol[name] = worst
    cap = capacity_available(spec, result.investment)
    finite = np.isfinite(cap[:, :T])
    viol["capacity"] = _rel((X - np.where(finite, cap[:, :T], 0))[finite], X[finite])
    for _, row in spec.floors.iterrows():
        c = C[prods.get_loc(row["product"]), per.index(int(row["period"]))]
        viol["floors"] = max(
            viol.get("floors", 0.0), _rel(np.array([row["floor"] - c]), np.array([c]))
        )
    kind = result.objective_kind
    if len(spec.targets) and kind != "harmony":
        by_level = kind == "max_level" and not len(spec.assortment)
        need = spec.targets["target"].to_numpy(float) * (result.level if by_level else 1.0)
        pos = prods.get_indexer(spec.targets["product"])
        t = [per.index(int(p)) for p in spec.targets["period"]]
        got = out[pos, t]
        viol["targets"] = _rel(need - got, got)
    if kind == "max_level" and len(spec.assortment) and result.level is not None:
        a = spec.assortment
        for _, row in a.iterrows():
            ts = (
                [per.index(int(row["period"]))]
                if "period" in a.columns and pd.notna(row.get("period"))
                else range(T)
            )
            for t in ts:
                c = C[prods.get_loc(row["product"]), t]
                need = result.level * row["weight"]
                viol["assortment"] = max(
                    viol.get("assortment", 0.0), _rel(np.array([need - c]), np.array([c]))
                )
    if len(spec.trade):
        pos = prods.get_indexer(spec.trade["product"])
        price = spec.trade["world_price"].to_numpy(float)
        bal = price @ (M[pos] - E[pos])
        mag = price @ (M[pos] + E[pos])
        viol["trade"] = _rel(bal - spec.trade_deficit, mag)
    end = cap[:, T]
    if len(spec.terminal_capacity):
        pos = acts.get_indexer(spec.terminal_capacity["activity"])
        req = spec.terminal_capacity["capacity"].to_numpy(float)
        viol["terminal"] = _rel(req - end[pos], req)
    if spec.terminal_growth is not None:
        start = capacity_available(spec, result.investment * 0.0)[:, 0]
        ok = np.isfinite(start)
        req = spec.terminal_growth * start[ok]
        viol["terminal"] = max(viol.get("terminal", 0.0), _rel(req - end[ok], req))
    passed = all(v <= tol for v in viol.values())
    return VerificationReport(max_violation=viol, tolerance=tol, passed=passed)
