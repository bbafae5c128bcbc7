"""The answer of a counter-plan check: whether the adopted plan's slack can supply it.

Made by :func:`gosplan.run.counter_plans.check_counter_plan`; this module imports no solver,
so a report or the command line reads a check back (:meth:`CounterPlanCheck.read`) as the
same type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gosplan.core.serial import (
    document_tables,
    finite,
    long,
    number,
    read_result,
    result_document,
    write_result,
)
from gosplan.errors import InputError

#: ``kind`` of a counter-plan check on disk, and the file of a check folder with its fields.
COUNTER_CHECK_KIND = "counter-plan-check"
COUNTER_CHECK_META = "counter_check.json"
#: The modes of a check.
MODES = ("inquiry", "commit", "joint")
#: Columns of the check's tables.
REQUIREMENT_COLUMNS = ("counter_plan", "period", "item", "kind", "direct", "total")
SLACK_COLUMNS = ("item", "kind", "period", "available")
SUMMARY_COLUMNS = (
    "counter_plan",
    "order",
    "accepted_share",
    "binding_item",
    "binding_kind",
    "binding_period",
    "method",
)
MISSING_COLUMNS = ("counter_plan", "item", "kind", "period", "quantity")
STARVED_COLUMNS = (
    "counter_plan",
    "product",
    "period",
    "target",
    "planned",
    "would_get",
    "shortfall",
)
TABLES: dict[str, tuple[str, ...]] = {
    "requirements": REQUIREMENT_COLUMNS,
    "slack": SLACK_COLUMNS,
    "summary": SUMMARY_COLUMNS,
    "missing": MISSING_COLUMNS,
    "starved": STARVED_COLUMNS,
}
#: Text columns of the tables (labels stay text when read back).
TEXT = (
    "counter_plan",
    "item",
    "kind",
    "product",
    "binding_item",
    "binding_kind",
    "method",
)


@dataclass(frozen=True, eq=False)
class CounterPlanCheck:
    """Whether the slack of an adopted plan can supply one or more counter-plans.

    Attributes
    ----------
    mode
        ``"inquiry"`` (each counter-plan alone against the plan's slack), ``"commit"`` (in
        order of submission, each accepted share reserving its slack for the next) or
        ``"joint"`` (one common share for the whole batch).
    session_labour
        Person-years per worker per period spent in planning sessions (0 = not counted).
    requirements
        Columns ``counter_plan, period, item, kind, direct, total``: ``kind`` is
        ``capacity`` (``item`` an activity: the extra level it must run, which in a square
        economy is the product's extra gross output), ``labour`` or ``resource``.
        ``direct`` is what the counter-plan needs directly (its own extra level, its inputs,
        net of what its raised norms save on the enterprise's planned level); ``total`` the
        full upstream requirement when accepted in full. Only non-zero entries are listed.
    slack
        Columns ``item, kind, period, available``: what the plan leaves free of the items
        the counter-plans need: capacity less planned level (``capacity``), the stock the
        plan carries out of the period (``stock``, ``item`` a product), labour or resource
        available less the plan's use. ``inf`` where not limited.
    summary
        Columns ``counter_plan, order, accepted_share, binding_item, binding_kind,
        binding_period, method``: the largest share in ``[0, 1]`` of each counter-plan's
        extra output the slack can supply (``order``: its place in the submission), the
        limit that binds first (empty when accepted in full) and ``closed-form`` or ``lp``.
    missing
        Columns ``counter_plan, item, kind, period, quantity``: what is needed beyond the
        slack (after any stock it may draw) to accept the counter-plan in full.
    starved
        Columns ``counter_plan, product, period, target, planned, would_get, shortfall``:
        the targets that would fall short if the counter-plan were accepted in full anyway
        (the uncovered requirement of a product cuts its free final use first, then its
        output; see :func:`gosplan.run.counter_plans.check_counter_plan`).
    provenance
        What produced the check.

    Every field round-trips: :meth:`to_dict` / :meth:`from_dict` and :meth:`write` /
    :meth:`read` (a folder of CSV or Parquet tables with ``counter_check.json``, or one
    JSON file).
    """

    mode: str
    session_labour: float
    requirements: pd.DataFrame
    slack: pd.DataFrame
    summary: pd.DataFrame
    missing: pd.DataFrame
    starved: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)

    def accepted_share(self, counter_plan: str) -> float:
        """The accepted share of one counter-plan.

        Raises
        ------
        InputError
            If the check has no such counter-plan (``check="unknown_label"``).
        """
        rows = self.summary[self.summary["counter_plan"].astype(str) == str(counter_plan)]
        if not len(rows):
            raise InputError(
                "no such counter-plan in the check", label=str(counter_plan), check="unknown_label"
            )
        return float(rows["accepted_share"].iloc[0])

    def message(self) -> str:
        """One line per counter-plan: the share that can be accepted and what binds."""
        lines = []
        for row in self.summary.itertuples():
            share = float(row.accepted_share)
            if share >= 1.0:
                lines.append(f"{row.counter_plan}: can be accepted in full.")
            else:
                lines.append(
                    f"{row.counter_plan}: {share:.1%} can be accepted; {row.binding_kind} "
                    f"{row.binding_item!s} in {row.binding_period!s} binds first."
                )
        return "\n".join(lines)

    # ------------------------------------------------------------------ files
    def _tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def _meta(self) -> dict[str, Any]:
        return finite(
            {
                "kind": COUNTER_CHECK_KIND,
                "mode": self.mode,
                "session_labour": self.session_labour,
                "message": self.message(),
                "provenance": self.provenance,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The check as plain values (strict-JSON ready); :meth:`from_dict` reads it back."""
        return result_document(self._meta(), self._tables())

    @classmethod
    def from_dict(cls, doc: dict[str, Any], source: str = "counter-plan check") -> CounterPlanCheck:
        """The check written by :meth:`to_dict`."""
        frames = document_tables(doc, TABLES, needs=None, source=source)
        return cls._from_tables(doc, frames, source)

    def write(self, path: str | Path, format: str = "csv") -> Path:
        """Write the check as a folder of tables (``csv``/``parquet``) or one ``json`` file.

        Returns
        -------
        pathlib.Path
            The folder (or file) written.
        """
        return write_result(
            Path(path),
            format,
            document=self.to_dict,
            tables=self._tables,
            meta_file=COUNTER_CHECK_META,
            meta=self._meta,
        )

    @classmethod
    def read(cls, path: str | Path) -> CounterPlanCheck:
        """A check written by :meth:`write` (a folder or a JSON file)."""
        return read_result(
            path,
            COUNTER_CHECK_META,
            TABLES,
            needs=None,
            from_tables=cls._from_tables,
            from_dict=cls.from_dict,
        )

    @classmethod
    def _from_tables(
        cls, meta: dict[str, Any], frames: dict[str, pd.DataFrame], source: str
    ) -> CounterPlanCheck:
        if meta.get("kind") != COUNTER_CHECK_KIND or "mode" not in meta:
            raise InputError("not a counter-plan check written by gosplan", source=source)
        tables = {}
        for name, columns in TABLES.items():
            frame = frames.get(name, pd.DataFrame())
            if not len(frame.columns):
                tables[name] = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
                continue
            table = long(frame, text=TEXT)
            for col in ("binding_item", "binding_kind"):
                if col in table.columns:  # empty where accepted in full
                    table[col] = [v if v is not None else "" for v in table[col]]
            tables[name] = table
        return cls(
            mode=str(meta["mode"]),
            session_labour=number(meta.get("session_labour", 0.0)),
            provenance=dict(meta.get("provenance") or {}),
            **tables,
        )
