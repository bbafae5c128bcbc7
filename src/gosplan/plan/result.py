"""The result of an optimal plan: a frozen, labelled value (see the planner contract)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION
from gosplan.plan.assemble import LP
from gosplan.plan.blocks import INTERNAL_BLOCKS
from gosplan.plan.highs import LPSolution
from gosplan.plan.layout import PlanData
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
)


@dataclass(frozen=True, eq=False)
class PlanResult:
    """An optimal (or failed) plan with its tables, shadow prices and verification.

    Tables indexed by label have the periods as columns. See the planner contract for each
    field; ``shadow_prices[block]`` holds ``d objective / d bound`` of every row of the block
    (rows = labels, columns = periods), and ``binding`` lists the inequality rows at their
    bound (equality rows such as the balances are always tight and are not listed).
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
        for block, frame in self.shadow_prices.items():
            out[f"shadow_prices_{block}"] = frame
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
                k: json.loads(_flat(v).to_json(orient="records")) for k, v in frames.items()
            }
            path.write_text(json.dumps(doc, indent=1, default=str))
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
        (path / "plan.json").write_text(json.dumps(meta, indent=1, default=str))
        return path


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
        binding=pd.DataFrame(columns=["block", "label", "period", "slack", "shadow_price"]),
        growth=e,
        investment_shares=pd.DataFrame(columns=[MEANS_OF_PRODUCTION, CONSUMER_GOODS]),
        verification=None,
        provenance=provenance,
    )


def result_from_solution(
    data: PlanData, lp: LP, sol: LPSolution, kind: str, provenance: dict, tol: float = 1e-7
) -> PlanResult:
    """Label an optimal LP solution as a :class:`PlanResult` (without verification)."""
    eco, spec, T = data.eco, data.spec, data.T
    periods = spec.periods
    lay, z = lp.layout, sol.x
    x = z[lay.slice("x")]
    prods, acts = eco.product_labels, eco.activity_labels
    X = x.reshape(T, data.n_a).T  # activities x T
    activity_levels = _grid(x, acts, periods)
    output = pd.DataFrame(data.O @ X, index=prods, columns=activity_levels.columns)
    employment = pd.DataFrame(data.Lab @ X, index=eco.labour_types, columns=output.columns)
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
            binding_rows.append(
                pd.DataFrame(
                    {
                        "block": b.name,
                        "label": b.labels[tight],
                        "period": b.periods[tight],
                        "slack": np.maximum(slack[tight], 0.0),
                        "shadow_price": dual[tight],
                    }
                )
            )
    binding = (
        pd.concat(binding_rows, ignore_index=True)
        if binding_rows
        else pd.DataFrame(columns=["block", "label", "period", "slack", "shadow_price"])
    )
    prev = output.shift(1, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = output / prev - 1.0
    growth = growth.replace([np.inf, -np.inf], np.nan)
    inv_spend = np.zeros((2, T))
    if data.n_c:
        kv = data.capital_value
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
    )
