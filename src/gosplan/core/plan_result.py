"""The result of a plan: a frozen, labelled value, with its round trip to disk.

This module imports no solver: a report, the command line or a service reads a plan back
with :meth:`PlanResult.read` and gets the very type the planner made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION
from gosplan.core.serial import (
    by_period,
    document_tables,
    grid,
    long,
    number,
    read_result,
    result_document,
    series,
    write_result,
)
from gosplan.core.status import Status
from gosplan.core.verification import VerificationReport
from gosplan.errors import InputError

#: The tables every plan has (empty where there is no plan).
REQUIRED_FRAMES = (
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
_FRAMES = (
    *REQUIRED_FRAMES,
    "final_use",
    "final_use_values",
    "terminal_levels",
    "duals",
)
#: Tables of a plan that are long (one row per record); the rest are labels x periods,
#: except :data:`PERIOD_TABLES` (indexed by period) and ``terminal_levels`` (by activity).
LONG_TABLES = ("fulfilment", "binding", "final_use", "duals")
PERIOD_TABLES = ("investment_shares", "final_use_values")
#: Columns of :attr:`PlanResult.fulfilment`.
FULFILMENT_COLUMNS = ("product", "period", "target", "achieved", "ratio")
#: The leading columns of :attr:`PlanResult.duals` (a block's further dimensions follow).
DUAL_COLUMNS = ("block", "label", "period", "shadow_price")
#: The file of a plan folder holding everything but the tables.
PLAN_META = "plan.json"

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
    holds, and marks the prices of a degenerate vertex (``degenerate``). ``duals`` holds
    every row in long form with all of its coordinates: ``block``, ``label``, ``period``,
    then any further dimension of the block (a harmony ``segment``; NaN for blocks without
    it), ``shadow_price``, the row's ``value`` and its bounds ``lower``, ``upper``.
    ``binding`` and ``price_ranges`` carry the same dimension columns after ``period``.
    ``shadow_prices`` pivots only the blocks whose rows are unique by (label, period): a
    block with a further dimension is in ``duals`` only.

    Every field round-trips: :meth:`to_dict` / :meth:`from_dict` (strict-JSON-ready values)
    and :meth:`write` / :meth:`read` (a folder of CSV or Parquet tables, or one JSON file).
    """

    status: Status
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
    duals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(DUAL_COLUMNS)))

    @property
    def optimal(self) -> bool:
        """True when the solver found an optimal plan."""
        return self.status == Status.OPTIMAL

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
        if self.status == Status.UNBOUNDED and p.get("unbounded"):
            lines.append(f"unbounded: {p['unbounded']}")
        if "n_variables" in p:
            lines.append(
                f"LP: {p.get('n_variables', 0)} variables, {p.get('n_constraints', 0)} "
                f"constraints, {p.get('nnz', 0)} nonzeros; {p.get('method', '?')} in "
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

    # ------------------------------------------------------------------ tables and files
    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table by name (shadow prices as ``shadow_prices_<block>``)."""
        out = {name: getattr(self, name) for name in _FRAMES}
        out["terminal_levels"] = self.terminal_levels.to_frame()
        for block, frame in self.shadow_prices.items():
            out[f"shadow_prices_{block}"] = frame
        for block, frame in self.price_ranges.items():
            out[f"price_ranges_{block}"] = frame
        return out

    def _meta(self) -> dict[str, Any]:
        return {
            "kind": "plan",
            "status": str(self.status),
            "objective": self.objective,
            "objective_kind": self.objective_kind,
            "level": self.level,
            "periods": list(self.periods),
            "provenance": self.provenance,
            "verification": None if self.verification is None else self.verification.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """The result as plain values (strict-JSON ready): the fields and every table.

        ``tables`` maps each table's name (:meth:`to_frames`) to its rows as records; NaN is
        ``None`` and infinities are ``"inf"``/``"-inf"``. :meth:`from_dict` reads it back.
        """
        return result_document(self._meta(), self.to_frames())

    @classmethod
    def from_dict(cls, doc: dict[str, Any], source: str = "plan") -> PlanResult:
        """The result written by :meth:`to_dict` (or the JSON of :meth:`write`)."""
        return cls._from_tables(doc, document_tables(doc, None, needs=None, source=source), source)

    def write(self, path: str | Path, format: str = "csv") -> Path:
        """Write the result as a folder of tables (``csv``/``parquet``) or one ``json`` file.

        A folder holds ``plan.json`` (status, objective, periods, provenance, verification)
        and one file per table of :meth:`to_frames`; the JSON file holds :meth:`to_dict`.
        :meth:`read` reads either back.

        Returns
        -------
        pathlib.Path
            The folder (or file) written.
        """
        return write_result(
            Path(path),
            format,
            document=self.to_dict,
            tables=self.to_frames,
            meta_file=PLAN_META,
            meta=self._meta,
        )

    @classmethod
    def read(cls, path: str | Path) -> PlanResult:
        """A result written by :meth:`write`: a plan folder or a plan JSON file."""
        return read_result(
            path,
            PLAN_META,
            None,
            needs=None,
            from_tables=cls._from_tables,
            from_dict=cls.from_dict,
        )

    @classmethod
    def _from_tables(
        cls, meta: dict[str, Any], tables: dict[str, pd.DataFrame], source: str
    ) -> PlanResult:
        if "status" not in meta or "periods" not in meta:
            raise InputError("not a plan written by gosplan: no status or periods", source=source)
        periods = tuple(int(p) for p in meta["periods"])
        frames: dict[str, Any] = {}
        shadow: dict[str, pd.DataFrame] = {}
        ranges: dict[str, pd.DataFrame] = {}
        for name, table in tables.items():
            if name.startswith("shadow_prices_"):
                shadow[name.removeprefix("shadow_prices_")] = grid(table)
            elif name.startswith("price_ranges_"):
                ranges[name.removeprefix("price_ranges_")] = long(table)
            elif name == "terminal_levels":
                frames[name] = series(table, "level")
            elif name in LONG_TABLES:
                frames[name] = long(table)
            elif name in PERIOD_TABLES:
                frames[name] = by_period(table)
            elif name in _FRAMES:
                frames[name] = grid(table)
        empty = pd.DataFrame(columns=pd.Index(periods, name="period"))
        defaults = {
            "fulfilment": pd.DataFrame(columns=list(FULFILMENT_COLUMNS)),
            "binding": pd.DataFrame(columns=list(BINDING_COLUMNS)),
            "investment_shares": pd.DataFrame(columns=[MEANS_OF_PRODUCTION, CONSUMER_GOODS]),
        }
        for name in _FRAMES:
            if name not in frames and name in REQUIRED_FRAMES:
                frames[name] = defaults.get(name, empty).copy()
        verification = meta.get("verification")
        level = meta.get("level")
        return cls(
            status=Status.parse(meta["status"]),
            objective=number(meta.get("objective")),
            objective_kind=str(meta.get("objective_kind", "")),
            level=None if level is None else float(level),
            periods=periods,
            shadow_prices=shadow,
            price_ranges=ranges,
            verification=None
            if verification is None
            else VerificationReport.from_dict(verification),
            provenance=dict(meta.get("provenance") or {}),
            **frames,
        )
