"""The result of an optimal plan: a frozen, labelled value (see the planner contract)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION
from gosplan.errors import ValuationError
from gosplan.plan.assemble import LP
from gosplan.plan.blocks import INTERNAL_BLOCKS
from gosplan.plan.data import PlanData
from gosplan.plan.highs import LPSolution
from gosplan.plan.verify import VerificationReport

_FRAMES = (
    "output",
    "activity_levels",
    "capacity",
    "investment",
    "capital_spending",
    "employment",
    "consumption",
    "stocks",
    "imports",
    "exports",
    "fulfilment",
    "binding",
    "growth",
    "investment_shares",
    "final_use",
    "final_use_values",
    "terminal_levels",
)

#: Columns of :attr:`PlanResult.binding`.
BINDING_COLUMNS = (
    "block",
    "label",
    "period",
    "slack",
    "shadow_price",
    "valid_from",
    "valid_to",
    "degenerate",
)

#: Columns of :attr:`PlanResult.final_use`.
FINAL_USE_COLUMNS = (
    "product",
    "period",
    "consumption",
    "other_final_use",
    "investment",
    "stock_building",
    "fixed",
    "net_exports",
)


@dataclass(frozen=True, eq=False)
class PlanResult:
    """An optimal (or failed) plan with its tables, shadow prices and verification.

    Tables indexed by label have the periods as columns. See the planner contract for each
    field; ``shadow_prices[block]`` holds ``d objective / d bound`` of every row of the block
    (rows = labels, columns = periods), and ``binding`` lists the inequality rows at their
    bound (equality rows such as the balances are always tight and are not listed), with the
    range of the bound over which each price holds (``valid_from``, ``valid_to``) and
    ``degenerate`` where it holds on one side only (a degenerate vertex: one more unit of the
    limit is worth a different amount from one unit less).

    ``output`` is the output delivered in each period (a run with a production lead time
    delivers later); ``activity_levels`` the levels run in each period. ``final_use`` splits
    final use by product and period into ``consumption`` (consumer goods),
    ``other_final_use`` (free final use of means of production: an unallocated surplus),
    ``investment`` (capital goods spent), ``stock_building`` (end stock less the stock carried
    in), ``fixed`` (fixed final demand) and ``net_exports``; ``final_use_values`` sums each
    part per period at the least-labour values of the products (in the economy's labour
    unit; empty when no labour valuation exists), so that accumulation and consumption can
    be set against each other without adding tonnes to roubles. ``terminal_levels`` holds the
    activity levels of the static economy after the horizon (``terminal = "static"``).
    ``price_ranges[block]`` says over which range of each row's bound its shadow price
    holds, and marks the prices of a degenerate vertex (``degenerate``).
    """

    status: str
    objective: float
    objective_kind: str
    level: float | None
    periods: tuple[int, ...]
    output: pd.DataFrame
    activity_levels: pd.DataFrame
    capacity: pd.DataFrame
    investment: pd.DataFrame
    capital_spending: pd.DataFrame
    employment: pd.DataFrame
    consumption: pd.DataFrame
    stocks: pd.DataFrame
    imports: pd.DataFrame
    exports: pd.DataFrame
    fulfilment: pd.DataFrame
    shadow_prices: dict[str, pd.DataFrame]
    binding: pd.DataFrame
    growth: pd.DataFrame
    investment_shares: pd.DataFrame
    verification: VerificationReport | None
    provenance: dict[str, Any] = field(default_factory=dict)
    final_use: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FINAL_USE_COLUMNS))
    final_use_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    terminal_levels: pd.Series = field(default_factory=lambda: pd.Series(dtype=float, name="level"))
    price_ranges: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        """True when the solver found an optimal plan."""
        return self.status == "optimal"

    def summary(self) -> str:
        """A few lines: status, objective, size, solver and the verification."""
        p = self.provenance
        lines = [
            f"Plan {p.get('spec', '')!r} for {p.get('economy', '')!r}, periods "
            f"{self.periods[0]}–{self.periods[-1]}: {self.status}",
            f"objective ({self.objective_kind}): {self.objective:.6g}",
        ]
        if self.level is not None:
            lines.append(f"common level: {self.level:.6g}")
        if self.status == "unbounded" and p.get("unbounded"):
            lines.append(f"unbounded: {p['unbounded']}")
        lines.append(
            f"LP: {p.get('n_variables', 0)} variables, {p.get('n_constraints', 0)} constraints, "
            f"{p.get('nnz', 0)} nonzeros; {p.get('method', '?')} in "
            f"{p.get('solve_seconds', 0.0):.2f} s (build {p.get('build_seconds', 0.0):.2f} s)"
        )
        if self.optimal and len(self.fulfilment):
            worst = self.fulfilment.sort_values("ratio").iloc[0]
            lines.append(
                f"targets: lowest fulfilment {worst['ratio']:.1%} ({worst['product']}, "
                f"{worst['period']})"
            )
        if self.verification is not None:
            lines.append(self.verification.summary())
        return "\n".join(lines)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table by name (shadow prices as ``shadow_prices_<block>``)."""
        out = {name: getattr(self, name) for name in _FRAMES}
        out["terminal_levels"] = self.terminal_levels.to_frame()
        for block, frame in self.shadow_prices.items():
            out[f"shadow_prices_{block}"] = frame
        for block, frame in self.price_ranges.items():
            out[f"price_ranges_{block}"] = frame
        return out

    def write(self, path: str | Path, format: str = "csv") -> Path:
        """Write every table into a folder (``csv``/``parquet``) or one ``json`` file.

        Returns
        -------
        pathlib.Path
            The folder (or file) written.
        """
        path = Path(path)
        meta = {
            "status": self.status,
            "objective": self.objective,
            "objective_kind": self.objective_kind,
            "level": self.level,
            "periods": list(self.periods),
            "provenance": self.provenance,
            "verification": None if self.verification is None else self.verification.as_dict(),
        }
        frames = self.to_frames()
        if format == "json":
            doc = dict(meta)
            doc["tables"] = {
                k: json.loads(_infinities_as_text(_flat(v)).to_json(orient="records"))
                for k, v in frames.items()
            }
            path.write_text(_strict_json(doc))
            return path
        if format not in ("csv", "parquet"):
            raise ValueError(f"unknown format {format!r}; choose csv, parquet or json")
        path.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            flat = _flat(frame)
            if format == "csv":
                flat.to_csv(path / f"{name}.csv", index=False)
            else:
                flat.to_parquet(path / f"{name}.parquet", index=False)
        (path / "plan.json").write_text(_strict_json(meta))
        return path


def _finite(value: Any) -> Any:
    """A value for strict JSON: NaN becomes null, infinities ``"inf"``/``"-inf"``."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        if np.isinf(value):
            return "inf" if value > 0 else "-inf"
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _strict_json(doc: dict[str, Any]) -> str:
    """JSON that every parser reads: no bare NaN or Infinity tokens."""
    return json.dumps(_finite(doc), indent=1, default=str, allow_nan=False)


def _infinities_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Unlimited values as ``"inf"``/``"-inf"``: JSON has no infinity (NaN stays null)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_float_dtype(values) and np.isinf(values.to_numpy()).any():
            out[col] = [
                ("inf" if v > 0 else "-inf") if np.isinf(v) else v for v in values.to_numpy()
            ]
    return out


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    if out.index.name is not None or not isinstance(out.index, pd.RangeIndex):
        out = out.reset_index()
    return out


# ---------------------------------------------------------------------- building a result
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
        status=status,
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
    binding_rows = []
    for b in lp.blocks:
        if b.name in INTERNAL_BLOCKS:
            continue
        r = lp.ranges[b.name]
        dual, act = sol.row_dual[r], sol.row_value[r]
        shadow[b.name] = _dual_frame(b.labels, b.periods, dual)
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
        status=sol.status,
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
