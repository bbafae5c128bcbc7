"""The accumulation–consumption frontier: one plan per investment share, as a value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gosplan.core.plan_result import PlanResult
from gosplan.core.serial import (
    check_format,
    finite,
    frame_of,
    numbers,
    read_json,
    read_table,
    records,
    strict_json,
)
from gosplan.errors import InputError

#: Columns of :attr:`FrontierResult.table`.
FRONTIER_COLUMNS = (
    "share",
    "status",
    "cumulative_consumption",
    "consumption_per_head",
    "terminal_capacity_value",
    "terminal_means_of_production_capacity",
)
FRONTIER_KIND = "frontier"
#: Columns a frontier table written as CSV or Parquet carries besides the figures.
UNIT_COLUMNS = ("labour_unit", "population_unit")
_TEXT = ("status", *UNIT_COLUMNS)
_SUFFIX = {"csv": ".csv", "parquet": ".parquet", "json": ".json"}


def provenance_path(path: str | Path) -> Path:
    """Where the provenance of a frontier table is written: ``<name>.provenance.json``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.provenance.json")


@dataclass(frozen=True, eq=False)
class FrontierResult:
    """The frontier: one row per investment share, and the plan solved for each.

    Attributes
    ----------
    table
        Columns ``share``, ``status``, ``cumulative_consumption``, ``consumption_per_head``
        (NaN without a population), ``terminal_capacity_value`` and
        ``terminal_means_of_production_capacity`` (NaN where the plan is not optimal).
    results
        The :class:`~gosplan.core.plan_result.PlanResult` of each share, in the table's order
        (``None`` where the share's plan is infeasible; empty when read from a table file).
    labour_unit, population_unit
        Units of the labour values and of the population (``None`` when not known).
    provenance
        What produced the frontier.

    :meth:`to_dict` / :meth:`from_dict` carry everything, the plans included; :meth:`write`
    writes the table (CSV, Parquet) with its units and a ``<name>.provenance.json`` beside
    it, or everything as one JSON file.
    """

    table: pd.DataFrame
    results: tuple[PlanResult | None, ...] = ()
    labour_unit: str | None = None
    population_unit: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The frontier table (a copy)."""
        return self.table.copy()

    def _meta(self) -> dict[str, Any]:
        return finite(
            {
                "kind": FRONTIER_KIND,
                "labour_unit": self.labour_unit,
                "population_unit": self.population_unit,
                "provenance": self.provenance,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values (strict-JSON ready): the table, the units, the provenance, the plans."""
        doc = self._meta()
        doc["table"] = records(self.table)
        doc["results"] = [None if r is None else r.to_dict() for r in self.results]
        return doc

    @classmethod
    def from_dict(cls, doc: dict[str, Any], source: str = "frontier") -> FrontierResult:
        """The frontier written by :meth:`to_dict`."""
        if "table" not in doc:
            raise InputError("not a frontier written by gosplan: no 'table'", source=source)
        results = tuple(
            None if r is None else PlanResult.from_dict(r, source) for r in doc.get("results", [])
        )
        return cls._from_table(frame_of(doc["table"]), doc, results)

    def write(self, path: str | Path, format: str = "csv") -> Path:
        """Write the frontier to ``path`` (``csv``, ``parquet`` or ``json``).

        CSV and Parquet hold the table, with ``labour_unit`` and ``population_unit`` columns
        where known, and ``<name>.provenance.json`` beside it (the units and provenance);
        JSON holds :meth:`to_dict`, the plan of every share included.

        Returns
        -------
        pathlib.Path
            The file written (the format's suffix is added when ``path`` has none).
        """
        check_format(format)
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(_SUFFIX[format])
        path.parent.mkdir(parents=True, exist_ok=True)
        if format == "json":
            path.write_text(strict_json(self.to_dict()), encoding="utf-8")
            return path
        table = self.table.copy()
        for col in UNIT_COLUMNS:
            if getattr(self, col):
                table[col] = getattr(self, col)
        if format == "csv":
            table.to_csv(path, index=False)
        else:
            table.to_parquet(path, index=False)
        provenance_path(path).write_text(strict_json(self._meta()), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: str | Path) -> FrontierResult:
        """A frontier written by :meth:`write` (or any table with the frontier's columns)."""
        path = Path(path)
        if path.suffix == ".json":
            doc = read_json(path)
            if isinstance(doc, dict):
                return cls.from_dict(doc, str(path))
            return cls.from_table(frame_of(doc), path)
        return cls.from_table(read_table(path), path)

    @classmethod
    def from_table(cls, table: pd.DataFrame, path: Path | None = None) -> FrontierResult:
        """A frontier from its table, with the units and provenance written beside ``path``."""
        meta: dict[str, Any] = {}
        side = provenance_path(path) if path is not None else None
        if side is not None and side.is_file():
            meta = read_json(side)
            if "kind" not in meta:  # a bare provenance, as older versions wrote it
                meta = {"provenance": meta, **{k: meta.get(k) for k in UNIT_COLUMNS}}
        return cls._from_table(table, meta, ())

    @classmethod
    def _from_table(
        cls, table: pd.DataFrame, meta: dict[str, Any], results: tuple[PlanResult | None, ...]
    ) -> FrontierResult:
        frame = table.copy()
        units = {}
        for col in UNIT_COLUMNS:
            values = frame.pop(col).dropna().astype(str) if col in frame else pd.Series([])
            units[col] = meta.get(col) or (str(values.iloc[0]) if len(values) else None)
        for col in frame.columns:
            frame[col] = frame[col].astype(str) if col in _TEXT else numbers(frame[col])
        provenance = dict(meta.get("provenance") or {})
        return cls(
            table=frame,
            results=results,
            labour_unit=units["labour_unit"] or provenance.get("labour_unit"),
            population_unit=units["population_unit"],
            provenance=provenance,
        )
