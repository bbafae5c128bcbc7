"""Feasibility check of a plan's targets and, when they cannot be met, the diagnosis.

:func:`check_plan` answers, in order:

1. Can the targets be met under the resources? (the least-labour plan; if it exists, yes).
2. If not: the **common level** ``theta*``, the largest ``theta`` with gross output ``>= theta *
   target`` for every target jointly; per target, what is **reachable jointly** (an elastic LP
   minimising the sum of priority-weighted relative shortfalls) and **reachable alone**
   (maximising that target's output with no other target; only for up to
   :data:`ALONE_MAX` targets); the **binding limits** (labour, resources, capacities) with
   their shadow prices in the elastic LP (the fall of the weighted shortfall per unit more);
   and the **smallest additions** making the targets feasible at least total labour cost:
   labour at 1 person-year per unit, capacity at the labour value of the capital goods it
   needs (capital column times total labour values; physical units summed when labour values
   cannot be computed), other resources at 1 per unit (they have no labour value), and
   imports at the labour value of the product. Imports are a last resort: in the LP they are
   priced :data:`IMPORT_PENALTY` times higher, so they appear only where no domestic addition
   can close the gap (a product no activity can make, say); the table reports their labour
   value.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.errors import InputError
from gosplan.plan.assemble import LP, assemble
from gosplan.plan.highs import LPSolution, solve_lp
from gosplan.plan.layout import Layout, PlanData, base_layout
from gosplan.plan.objectives import common_blocks
from gosplan.plan.optimise import optimise
from gosplan.plan.result import PlanResult
from gosplan.plan.spec import PlanSpec

#: Largest number of targets for which each target's reach alone is computed.
ALONE_MAX = 50
#: Factor by which emergency imports are priced above their labour value in the additions LP.
IMPORT_PENALTY = 1000.0

_LIMITS = ("labour", "resources", "capacity")


@dataclass(frozen=True, eq=False)
class PlanCheck:
    """Whether a plan's targets can be met and, if not, why and what would be needed.

    Attributes
    ----------
    feasible
        True when every target can be met.
    plan
        The least-labour plan meeting the targets (``None`` when infeasible).
    common_level
        Largest ``theta`` with output ``>= theta * target`` for all targets jointly.
    reachable
        Columns ``product, period, target, reachable_jointly, reachable_alone, shortfall``.
    binding
        Columns ``block, label, period, shadow_price``: the limits that hold the targets back
        (shadow price = fall of the weighted relative shortfall per unit more).
    additions
        Columns ``kind, label, period, amount, labour_cost``.
    total_labour_cost
        Sum of ``additions.labour_cost``.
    labour_unit
        Unit of labour (the economy's), for the message.
    """

    feasible: bool
    plan: PlanResult | None
    common_level: float
    reachable: pd.DataFrame
    binding: pd.DataFrame
    additions: pd.DataFrame
    total_labour_cost: float
    labour_unit: str = "person-years"

    def write(self, path: str | Path, format: str = "csv") -> Path:
        """Write the check as a folder that :func:`gosplan.report.load.load_result` reads.

        ``check.json`` holds ``kind = "plan-check"``, ``feasible``, ``common_level``,
        ``total_labour_cost`` and ``message``; ``reachable``, ``binding`` and ``additions``
        are tables (``csv`` or ``parquet``); a feasible check's least-labour plan goes to
        ``plan/``.

        Returns
        -------
        pathlib.Path
            The folder written.
        """
        if format not in ("csv", "parquet"):
            raise InputError(f"unknown format {format!r}; choose csv or parquet")
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("reachable", "binding", "additions"):
            frame: pd.DataFrame = getattr(self, name)
            if format == "csv":
                frame.to_csv(folder / f"{name}.csv", index=False)
            else:
                frame.to_parquet(folder / f"{name}.parquet", index=False)

        def number(value: float) -> float | None:
            return None if math.isnan(float(value)) else float(value)

        meta = {
            "kind": "plan-check",
            "feasible": bool(self.feasible),
            "common_level": number(self.common_level),
            "total_labour_cost": number(self.total_labour_cost),
            "message": self.message(),
            "labour_unit": self.labour_unit,
        }
        (folder / "check.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if self.plan is not None:
            self.plan.write(folder / "plan", format=format)
        return folder

    def message(self) -> str:
        """An engineer's answer in plain words."""
        if self.feasible:
            labour = float("nan")
            if self.plan is not None:
                labour = float(self.plan.employment.to_numpy().sum())
            return (
                "The targets can be met. The least-labour plan uses "
                f"{labour:,.6g} {self.labour_unit} over the horizon."
            )
        parts = ["The targets cannot all be met."]
        if self.common_level > 0:
            parts.append(f"Jointly, {self.common_level:.1%} of every target can be reached.")
        else:
            parts.append(
                "Not even a small fraction of every target can be reached jointly: the floors, "
                "fixed final demands or required terminal capacity already exceed the means."
            )
        short = self.reachable[self.reachable["shortfall"] > 1e-9]
        if len(short):
            worst = short.assign(
                ratio=short["reachable_jointly"] / short["target"].where(short["target"] > 0)
            ).sort_values("ratio")
            items = [
                f"{r.product} in {r.period} ({r.reachable_alone:,.4g} of {r.target:,.4g} even "
                "alone)"
                if r.reachable_alone < r.target - 1e-9
                else f"{r.product} in {r.period} (short by {r.shortfall:,.4g} of {r.target:,.4g})"
                for r in worst.head(3).itertuples()
            ]
            parts.append("Furthest out of reach: " + "; ".join(items) + ".")
        if len(self.binding):
            top = self.binding.reindex(
                self.binding["shadow_price"].abs().sort_values(ascending=False).index
            ).head(5)
            items = [
                f"{_what(r.block, r.label)} in {r.period} (shadow price {r.shadow_price:.3g})"
                for r in top.itertuples()
            ]
            more = len(self.binding) - len(top)
            tail = f", and {more} more" if more > 0 else ""
            parts.append("The binding limits are: " + "; ".join(items) + tail + ".")
        if len(self.additions):
            top = self.additions.sort_values("labour_cost", ascending=False).head(8)
            items = [
                f"{r.amount:,.6g} of {_what(_BLOCK_OF[r.kind], r.label)} in {r.period}"
                for r in top.itertuples()
            ]
            more = len(self.additions) - len(top)
            tail = f", and {more} more" if more > 0 else ""
            parts.append(
                "To meet them as set, add: "
                + "; ".join(items)
                + tail
                + f" (cost {self.total_labour_cost:,.6g} {self.labour_unit})."
            )
        elif np.isnan(self.total_labour_cost):
            parts.append(
                "No addition of labour, capacity, resources or imports makes them feasible."
            )
        return " ".join(parts)


_BLOCK_OF = {
    "labour": "labour",
    "capacity": "capacity",
    "resource": "resources",
    "imports": "imports",
}


def _what(block: str, label: object) -> str:
    return {
        "labour": f"labour {label!r}",
        "resources": f"resource {label!r}",
        "capacity": f"capacity of {label!r}",
        "imports": f"imports of {label!r}",
    }.get(block, f"{block} {label!r}")


def _lp(data: PlanData, lay: Layout, target_mode: str, cost: np.ndarray, maximise: bool) -> LP:
    blocks = [
        b for b in common_blocks(data, lay, target_mode) if b.name not in ("assortment", "harmony")
    ]
    return assemble(lay, blocks, cost, maximise)


def common_level(data: PlanData, **solve: Any) -> float:
    """Largest ``theta`` with gross output ``>= theta * target`` for all targets (0 if none)."""
    lay = base_layout(data)
    lay.add("level", 1)
    cost = np.zeros(lay.n)
    cost[lay.slice("level")] = 1.0
    sol = solve_lp(_lp(data, lay, "level", cost, True), **solve)
    if sol.status == "unbounded":
        return float("inf")
    return float(sol.objective) if sol.status == "optimal" else 0.0


def elastic(data: PlanData, **solve: Any) -> tuple[LP, LPSolution]:
    """Minimise the priority-weighted relative shortfalls of the targets."""
    lay = base_layout(data)
    lay.add("shortfall", data.n_targets, 0.0, np.maximum(data.target_value, 0.0))
    cost = np.zeros(lay.n)
    tgt = data.target_value
    cost[lay.slice("shortfall")] = np.where(
        tgt > 0, data.target_priority / np.where(tgt > 0, tgt, 1.0), 0.0
    )
    lp = _lp(data, lay, "elastic", cost, False)
    return lp, solve_lp(lp, **solve)


def reachable_alone(data: PlanData, **solve: Any) -> np.ndarray:
    """Largest output of each target's product and period with no other target (inf: no limit)."""
    lay = base_layout(data)
    lp = _lp(data, lay, "none", np.zeros(lay.n), True)
    sel = data.products_of_targets()
    out = np.full(data.n_targets, np.nan)
    for k in range(data.n_targets):
        cost = np.zeros(lay.n)
        cost[lay.slice("x")] = sel[[k]].toarray().ravel()
        sol = solve_lp(replace(lp, cost=cost), **solve)
        out[k] = (
            sol.objective
            if sol.status == "optimal"
            else (np.inf if sol.status == "unbounded" else np.nan)
        )
    return out


def _count_rows(data: PlanData, table: pd.DataFrame, key: str, types: pd.Index) -> int:
    return int(np.isfinite(data.per_period(table, key, types, "available")).sum())


def additions(data: PlanData, **solve: Any) -> tuple[pd.DataFrame, float]:
    """Smallest additions (least total labour cost) that make the targets feasible."""
    spec, eco, T = data.spec, data.eco, data.T
    lay = base_layout(data)
    n_lab = _count_rows(data, spec.labour_available, "labour_type", eco.labour_types)
    n_res = _count_rows(data, spec.resources_available, "resource", eco.resource_types)
    lay.add("add_labour", n_lab)
    lay.add("add_resources", n_res)
    lay.add("add_capacity", data.n_c * T)
    lay.add("add_imports", data.n_p * T)
    v = data.labour_values if data.labour_values is not None else np.ones(data.n_p)
    unit = {
        "add_labour": np.ones(n_lab),
        "add_resources": np.ones(n_res),
        "add_capacity": np.tile(data.capital_value, T),
        "add_imports": np.tile(v, T),
    }
    cost = np.zeros(lay.n)
    for name, c in unit.items():
        cost[lay.slice(name)] = c * (IMPORT_PENALTY if name == "add_imports" else 1.0)
        if name == "add_imports":
            cost[lay.slice(name)] += IMPORT_PENALTY  # also where the labour value is zero
    lp = _lp(data, lay, "hard", cost, False)
    sol = solve_lp(lp, **solve)
    cols = ["kind", "label", "period", "amount", "labour_cost"]
    if sol.status != "optimal":
        return pd.DataFrame(columns=cols), float("nan")
    rows = []
    kinds = {
        "add_labour": ("labour", "labour"),
        "add_resources": ("resource", "resources"),
        "add_capacity": ("capacity", "capacity"),
        "add_imports": ("imports", "balance"),
    }
    for name, (kind, block) in kinds.items():
        if not lay.has(name):
            continue
        amount = sol.x[lay.slice(name)]
        b = next(b for b in lp.blocks if b.name == block)
        use = amount > 1e-9 * np.maximum(1.0, np.abs(amount).max())
        rows.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "label": b.labels[use],
                    "period": b.periods[use],
                    "amount": amount[use],
                    "labour_cost": (amount * unit[name])[use],
                }
            )
        )
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return table[cols], float(table["labour_cost"].sum())


def check_plan(spec: PlanSpec, **solve: Any) -> PlanCheck:
    """Check whether a plan's targets can be met; if not, diagnose why and what is needed.

    Parameters
    ----------
    spec
        The plan specification (its objective is not used: the check seeks the least-labour
        plan meeting the targets).
    **solve
        ``solver``, ``tol``, ``time_limit`` as for :func:`gosplan.plan.optimise.optimise`
        (``progress`` and ``verify`` apply to the least-labour plan).

    Returns
    -------
    PlanCheck
    """
    spec = spec.validated()
    opt_kw = {
        k: v for k, v in solve.items() if k in ("solver", "tol", "time_limit", "progress", "verify")
    }
    lp_kw = {k: v for k, v in solve.items() if k in ("solver", "tol", "time_limit")}
    plan = optimise(spec, objective="min_labour", **opt_kw)
    data = PlanData(spec)
    unit = spec.economy.meta.labour_unit
    tgt = spec.targets
    base = pd.DataFrame(
        {
            "product": tgt["product"].to_numpy(object),
            "period": tgt["period"].to_numpy(int),
            "target": data.target_value,
        }
    )
    empty_binding = pd.DataFrame(columns=["block", "label", "period", "shadow_price"])
    empty_add = pd.DataFrame(columns=["kind", "label", "period", "amount", "labour_cost"])
    if plan.status == "optimal":
        base["reachable_jointly"] = base["target"]
        base["reachable_alone"] = np.nan
        base["shortfall"] = 0.0
        level = 1.0 if data.n_targets == 0 else max(1.0, common_level(data, **lp_kw))
        return PlanCheck(True, plan, level, base, empty_binding, empty_add, 0.0, unit)
    level = common_level(data, **lp_kw) if data.n_targets else 0.0
    lp, sol = elastic(data, **lp_kw)
    binding = empty_binding
    if sol.status == "optimal":
        short = sol.x[lp.layout.slice("shortfall")]
        base["reachable_jointly"] = data.target_value - short
        base["shortfall"] = short
        rows = []
        for b in lp.blocks:
            if b.name not in _LIMITS:
                continue
            d = -sol.row_dual[lp.ranges[b.name]]
            use = np.abs(d) > 1e-9
            rows.append(
                pd.DataFrame(
                    {
                        "block": b.name,
                        "label": b.labels[use],
                        "period": b.periods[use],
                        "shadow_price": d[use],
                    }
                )
            )
        if rows:
            binding = pd.concat(rows, ignore_index=True)
    else:
        base["reachable_jointly"] = np.nan
        base["shortfall"] = np.nan
    base["reachable_alone"] = (
        reachable_alone(data, **lp_kw) if data.n_targets <= ALONE_MAX else np.nan
    )
    base = base[
        ["product", "period", "target", "reachable_jointly", "reachable_alone", "shortfall"]
    ]
    add, cost = additions(data, **lp_kw)
    return PlanCheck(False, None, level, base, binding, add, cost, unit)
