"""The answer of a plan check: can the targets be met, and if not, why and what is needed.

Made by :func:`gosplan.plan.diagnosis.check_plan`; this module imports no solver, so the
report and the command line read a check back (:meth:`PlanCheck.read`) as the same type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.plan_result import PLAN_META, PlanResult
from gosplan.core.serial import (
    document_tables,
    finite,
    long,
    number,
    read_json,
    read_result_folder,
    result_document,
    write_result,
)
from gosplan.core.words import labour_amount, sig, sig_up
from gosplan.errors import InputError

#: Shadow prices below this fraction of the largest are left out of ``binding``.
BINDING_RTOL = 1e-6
#: Most binding limits and additions named in the message.
MESSAGE_LIMITS = 5
MESSAGE_ADDITIONS = 8
#: ``kind`` of a check on disk, and the files of a check folder.
CHECK_KIND = "plan-check"
CHECK_META = "check.json"
CHECK_TABLES = ("reachable", "binding", "additions")
_NEEDS = "a plan check needs"
#: Provenance the command line may write beside a check (``provenance.json``).
PROVENANCE = "provenance.json"
#: Columns of the check's tables.
REACHABLE_COLUMNS = (
    "product",
    "period",
    "target",
    "reachable_jointly",
    "reachable_alone",
    "shortfall",
    "unit",
)
BINDING_COLUMNS = (
    "block",
    "label",
    "period",
    "shadow_price",
    "unit",
    "valid_from",
    "valid_to",
    "more_is_worth_less",
)
ADDITION_COLUMNS = (
    "kind",
    "label",
    "period",
    "amount",
    "labour_cost",
    "unit",
    "available",
    "outside",
    "relative_size",
)


def _what(block: str, label: object) -> str:
    return {
        "labour": f"labour {label!r}",
        "resources": f"resource {label!r}",
        "capacity": f"capacity of {label!r}",
        "imports": f"imports of {label!r}",
    }.get(block, f"{block} {label!r}")


_BLOCK_OF = {
    "labour": "labour",
    "capacity": "capacity",
    "resource": "resources",
    "imports": "imports",
}


def _unit_of(frame: pd.DataFrame, row: Any) -> str:
    unit = getattr(row, "unit", None) if "unit" in frame.columns else None
    return str(unit) if isinstance(unit, str) and unit else "units"


def _per(unit: str) -> str:
    """``unit`` after "per": "units a year" becomes "unit a year", "person-years" singular."""
    if unit == "units" or unit.startswith("units "):
        return "unit" + unit[5:]
    return "person-year" if unit == "person-years" else unit


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
        Columns ``product, period, target, reachable_jointly, reachable_alone, shortfall,
        unit`` (the product's unit).
    binding
        Columns ``block, label, period, shadow_price, unit``: the limits that hold the targets
        back (shadow price = fall of the priority-weighted sum of the targets' relative
        shortfalls per unit more of the limit, in ``unit``; capacity is in its product's unit a
        year). Shadow prices below :data:`BINDING_RTOL` of the largest are left out.
        ``valid_from``, ``valid_to``: the range of the limit over which its price holds (HiGHS
        ranging; NaN when not computed); ``more_is_worth_less``: the vertex is degenerate and
        the price holds only for less of the limit (one unit more cuts the shortfall by less:
        the limit is not binding upwards by that much).
    additions
        Columns ``kind, label, period, amount, labour_cost, unit, available, outside,
        relative_size``: ``kind`` is ``labour``, ``capacity``, ``resource`` or ``imports``. A
        capacity addition is available from ``period`` on, to the end of the horizon, and
        costs its ``labour_cost`` once; the others count in ``period`` only. ``available`` is
        the limit as given in that period (capacity surviving from the initial stock, labour or
        resource available; NaN for imports). ``outside`` is True for capacity that no
        investment in the plan can add (the activity has no capital goods, or ``period`` comes
        before its investment lag lets new capacity serve): it can only come from outside the
        plan and is not priced. ``labour_cost`` is NaN for these, for resources (no labour
        value) and for every addition when ``cost_in_labour`` is False. ``relative_size`` is
        the amount over the limit it lifts (``amount / max(available, tiny)``, unit-free; for
        imports, over the product's largest target or fixed final demand): the price of the
        additions when they cannot be valued in labour.
    total_labour_cost
        Sum of ``additions.labour_cost``: the priced additions only (NaN when no addition makes
        the targets feasible, or when ``cost_in_labour`` is False).
    labour_unit
        Unit of labour (the economy's), for the message.
    additions_verified
        True when the least-labour LP with the additions added to the limits is feasible (the
        check of the additions); False when it is not; ``None`` when not checked.
    cost_in_labour
        False when labour values could not be computed (no labour coefficients, or no
        optimum): the additions are then priced by their relative size, never by physical
        units summed.
    unbounded
        When the targets can be met but the plan's own objective (``max_level``,
        ``max_consumption``, ...) is unbounded: what grows without limit and why (the
        ``provenance["unbounded"]`` of :func:`~gosplan.plan.optimise.optimise`); ``None``
        otherwise, or when not checked.
    provenance
        What produced the check (inputs, solver, version).

    Every field round-trips: :meth:`to_dict` / :meth:`from_dict` and :meth:`write` /
    :meth:`read` (a folder of tables with ``check.json``, or one JSON file);
    :meth:`message` is recomputed from the fields, so a check read back says what it said.
    """

    feasible: bool
    plan: PlanResult | None
    common_level: float
    reachable: pd.DataFrame
    binding: pd.DataFrame
    additions: pd.DataFrame
    total_labour_cost: float
    labour_unit: str = "person-years"
    additions_verified: bool | None = None
    cost_in_labour: bool = True
    unbounded: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ files
    def _tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in CHECK_TABLES}

    def _meta(self) -> dict[str, Any]:
        return finite(
            {
                "kind": CHECK_KIND,
                "feasible": bool(self.feasible),
                "common_level": self.common_level,
                "total_labour_cost": self.total_labour_cost,
                "message": self.message(),
                "labour_unit": self.labour_unit,
                "additions_verified": self.additions_verified,
                "cost_in_labour": self.cost_in_labour,
                "unbounded": self.unbounded,
                "provenance": self.provenance,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The check as plain values (strict-JSON ready), its plan included.

        ``message`` is written for people who read the file; :meth:`from_dict` ignores it.
        """
        doc = result_document(self._meta(), self._tables())
        doc["plan"] = None if self.plan is None else self.plan.to_dict()
        return doc

    @classmethod
    def from_dict(cls, doc: dict[str, Any], source: str = "plan check") -> PlanCheck:
        """The check written by :meth:`to_dict`."""
        frames = document_tables(doc, CHECK_TABLES, needs=_NEEDS, source=source)
        plan = doc.get("plan")
        return cls._from_tables(
            doc, frames, None if plan is None else PlanResult.from_dict(plan, source), source
        )

    def write(self, path: str | Path, format: str = "csv") -> Path:
        """Write the check as a folder (``csv``/``parquet``) or one ``json`` file.

        A folder holds ``check.json`` (the fields and the message), the tables
        ``reachable``, ``binding`` and ``additions``, and a feasible check's least-labour
        plan in ``plan/``. :meth:`read` reads either form back.

        Returns
        -------
        pathlib.Path
            The folder (or file) written.
        """
        path = write_result(
            Path(path),
            format,
            document=self.to_dict,
            tables=self._tables,
            meta_file=CHECK_META,
            meta=self._meta,
        )
        if self.plan is not None and format != "json":
            self.plan.write(path / "plan", format=format)
        return path

    @classmethod
    def read(cls, path: str | Path) -> PlanCheck:
        """A check written by :meth:`write` (a folder with ``check.json``, or a JSON file)."""
        path = Path(path)
        if not path.is_dir():
            return cls.from_dict(read_json(path), str(path))
        meta, frames = read_result_folder(path, CHECK_META, CHECK_TABLES, needs=_NEEDS)
        plan_dir = path / "plan"
        plan = PlanResult.read(plan_dir) if (plan_dir / PLAN_META).is_file() else None
        side = path / PROVENANCE
        if not meta.get("provenance") and side.is_file():
            meta = {**meta, "provenance": read_json(side)}
        return cls._from_tables(meta, frames, plan, str(path))

    @classmethod
    def _from_tables(
        cls,
        meta: dict[str, Any],
        frames: dict[str, pd.DataFrame],
        plan: PlanResult | None,
        source: str,
    ) -> PlanCheck:
        if "feasible" not in meta:
            raise InputError("not a plan check written by gosplan: no 'feasible'", source=source)
        unit = meta.get("labour_unit") or (plan.provenance.get("labour_unit") if plan else None)
        verified = meta.get("additions_verified")
        unbounded = meta.get("unbounded")
        columns = {"reachable": REACHABLE_COLUMNS, "binding": BINDING_COLUMNS}
        tables = {}
        for name, frame in frames.items():
            table = long(frame)
            if not len(table.columns) and name in columns:
                table = pd.DataFrame(columns=list(columns[name]))
            elif not len(table.columns):
                table = pd.DataFrame(columns=list(ADDITION_COLUMNS))
            tables[name] = table
        return cls(
            feasible=bool(meta["feasible"]),
            plan=plan,
            common_level=number(meta.get("common_level")),
            total_labour_cost=number(meta.get("total_labour_cost")),
            labour_unit=str(unit or "person-years"),
            additions_verified=None if verified is None else bool(verified),
            cost_in_labour=bool(meta.get("cost_in_labour", True)),
            unbounded=None if unbounded is None else str(unbounded),
            provenance=dict(meta.get("provenance") or {}),
            **tables,
        )

    def message(self) -> str:
        """An engineer's answer in plain words.

        Numbers to 3 significant figures; the amounts of the additions rounded up, so that
        the additions as shown are enough.
        """
        if self.feasible:
            labour = float("nan")
            if self.plan is not None:
                labour = float(self.plan.employment.to_numpy().sum())
            amount = labour_amount(labour, self.labour_unit)
            met = f"The targets can be met. The least-labour plan uses {amount} over the horizon."
            if self.unbounded:
                return (
                    "The targets can be met, but the plan itself has no optimum. "
                    f"{self.unbounded} The least-labour plan meeting the targets uses "
                    f"{amount} over the horizon."
                )
            return met
        parts = ["The targets cannot all be met."]
        if self.common_level > 0:
            parts.append(
                f"At most {self.common_level:.1%} of every target can be reached at once "
                "(the common level: one share for all)."
            )
        else:
            parts.append(
                "Not even a small fraction of every target can be reached at once: the floors, "
                "fixed final demands or required terminal capacity already exceed the means, "
                "or an input cannot be had at all."
            )
        parts += self._reach_words() + self._binding_words() + self._addition_words()
        return " ".join(parts)

    def _reach_words(self) -> list[str]:
        r = self.reachable
        short = r[r["shortfall"] > 1e-9 * np.maximum(1.0, r["target"].abs())]
        if not len(short):
            return []
        worst = short.assign(
            ratio=short["reachable_jointly"] / short["target"].where(short["target"] > 0)
        ).sort_values("ratio")
        items = []
        for row in worst.head(3).itertuples():
            unit = _unit_of(worst, row)
            text = (
                f"{row.product} in {row.period} ({sig(row.reachable_jointly)} of "
                f"{sig(row.target)} {unit}, {sig(row.shortfall)} {unit} short"
            )
            if row.reachable_alone < row.target * (1 - 1e-9):
                text += f"; at most {sig(row.reachable_alone)} {unit} even alone"
            items.append(text + ")")
        more = len(short) - len(items)
        tail = f"; and {more} more short (see the table)" if more > 0 else ""
        return [
            "In the plan with the least shortfall (the others held as close to their targets "
            "as the means allow), furthest out of reach: " + "; ".join(items) + tail + "."
        ]

    def _binding_words(self) -> list[str]:
        b = self.binding
        if not len(b):
            return []
        price = pd.to_numeric(b["shadow_price"], errors="coerce").astype(float)
        b = b[price.abs() >= BINDING_RTOL * price.abs().max()]
        top = b.reindex(price[b.index].abs().sort_values(ascending=False, kind="stable").index)
        top = top.head(MESSAGE_LIMITS)
        items = [
            f"{_what(r.block, r.label)} in {r.period}, {sig(r.shadow_price)} per "
            f"{_per(_unit_of(top, r))}"
            + (
                " (for less of it: one unit more is worth less, the vertex is degenerate)"
                if str(getattr(r, "more_is_worth_less", False)).lower() == "true"
                else ""
            )
            for r in top.itertuples()
        ]
        more = len(b) - len(top)
        tail = f"; and {more} more (see the table)" if more > 0 else ""
        return [
            "The binding limits, largest shadow price first (how much one unit more of a "
            "limit would cut the shortfall of the targets, counted as the sum of the share of "
            "each target that is missed, weighted by priority): " + "; ".join(items) + tail + "."
        ]

    def _addition_words(self) -> list[str]:
        add = self.additions
        if not len(add):
            if np.isnan(self.total_labour_cost):
                return [
                    "No addition of labour, capacity, resources or imports makes them feasible."
                ]
            return []
        outside = (
            add["outside"].eq(True)
            if "outside" in add.columns
            else pd.Series(False, index=add.index)
        )
        priced, beyond = add[~outside], add[outside]
        text = []
        if len(priced):
            text.append("The cheapest way to meet them as set is to add: " + _listed(priced) + ".")
            text += self._cost_words(priced)
        if len(beyond):
            head = "They also need" if len(priced) else "They can only be met as set with"
            text.append(
                f"{head} additions from outside the plan: {_listed(beyond)}. These limits can "
                "only be lifted from outside the plan (imported equipment, or a decision outside "
                "the plan): no investment can add that capacity in time, because the activity "
                "has no capital goods, or because new capacity started at the beginning of the "
                "plan comes into service only after its investment lag. They are not priced and "
                "not counted in the cost."
            )
        if self.additions_verified is False:
            text.append(
                "Warning: the least-labour plan with these additions was not found feasible "
                "when solved again; treat them as indicative."
            )
        return [" ".join(text)]

    def _cost_words(self, priced: pd.DataFrame) -> list[str]:
        """What the priced (buildable) additions cost, and how they are valued."""
        kinds = set(priced["kind"])
        if not self.cost_in_labour:
            return [
                "They cannot be valued in labour (the economy's labour values could not be "
                "computed), and unlike physical units are not summed: each addition is priced "
                "by its size relative to the limit it lifts (the amount over the limit as "
                "given, unit-free; relative_size in the table)."
            ]
        how = []
        if "labour" in kinds:
            how.append(f"labour in {self.labour_unit}")
        if "capacity" in kinds:
            how.append("capacity once, at the labour embodied in its capital goods")
        if "imports" in kinds:
            how.append("imports at the labour value of the product")
        words = []
        if how:  # resources alone have no labour value: no cost to state
            cost = labour_amount(self.total_labour_cost, self.labour_unit)
            words.append(f"They cost {cost} of labour in all (" + ", ".join(how) + ").")
        if "resource" in kinds:
            words.append("Added resources have no labour value and are not counted in the cost.")
        return words


_NOUN = {"labour": "labour", "capacity": "capacity", "resource": "resources", "imports": "imports"}


def _listed(add: pd.DataFrame) -> str:
    """The additions of ``add`` in words, largest first, every amount rounded up.

    Up to :data:`MESSAGE_ADDITIONS` are named, by labour cost (the costliest first), then those
    without one by relative size; the others are counted and totalled per kind and unit (never
    summed across units), their totals rounded up too.
    """
    cost = pd.to_numeric(add["labour_cost"], errors="coerce").astype(float)
    amount = pd.to_numeric(add["amount"], errors="coerce").astype(float)
    if "relative_size" in add.columns:
        relative = pd.to_numeric(add["relative_size"], errors="coerce").astype(float)
    elif "available" in add.columns:
        avail = pd.to_numeric(add["available"], errors="coerce").astype(float)
        relative = amount / avail.where(avail > 0)
    else:
        relative = amount * np.nan
    rank = pd.DataFrame({"cost": cost.fillna(-np.inf), "relative": relative.fillna(-np.inf)})
    order = rank.sort_values(["cost", "relative"], ascending=False, kind="stable").index
    ranked = add.loc[order]
    top, rest = ranked.head(MESSAGE_ADDITIONS), ranked.iloc[MESSAGE_ADDITIONS:]
    items = []
    for r in top.itertuples():
        what = f"{sig_up(r.amount)} {_unit_of(top, r)} of {_what(_BLOCK_OF[r.kind], r.label)}"
        when = f"from {r.period} on" if r.kind == "capacity" else f"in {r.period}"
        items.append(f"{what} {when}")
    if len(rest):
        units = [_unit_of(rest, r) for r in rest.itertuples()]
        totals = (
            pd.DataFrame(
                {"kind": rest["kind"].to_numpy(), "unit": units, "amount": amount[rest.index]}
            )
            .groupby(["kind", "unit"], sort=False)["amount"]
            .sum()
        )
        parts = [
            f"{sig_up(total)} {unit} of {_NOUN.get(kind, kind)}"
            for (kind, unit), total in totals.items()
        ]
        n = len(rest)
        items.append(f"and {n} smaller one{'s' if n > 1 else ''} ({', '.join(parts)} in all)")
    return "; ".join(items)
