"""Write a plan specification in the on-disk plan format that :func:`read_spec` reads.

The columns of every table are written in the order of their rules
(:data:`gosplan.core.rules.RULES`), extra columns last; labels as text, whole numbers as
integers where no cell is blank.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from gosplan.core.checks import Check
from gosplan.core.rules import column_order, rule_of
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.reader import MANIFEST, PLAN_TABLES

logger = logging.getLogger(__name__)

FORMATS = {"csv": ".csv", "parquet": ".parquet", "excel": ".xlsx"}
WORKBOOK = "plan.xlsx"
ECONOMY_DIR = "economy"


def write_spec(
    spec: PlanSpec,
    path: str | Path,
    format: str = "csv",
    economy_path: str | Path | None = None,
) -> Path:
    """Write a plan specification: ``plan.toml`` plus one table per non-empty table field.

    Parameters
    ----------
    spec
        The plan to write.
    path
        Directory to write into (created if needed; existing files of the same names are
        overwritten).
    format
        ``"csv"``, ``"parquet"`` or ``"excel"`` (one workbook ``plan.xlsx``, a sheet per table).
    economy_path
        Where the economy already lies: a directory (written into the manifest relative to
        ``path`` when possible) or ``"scenario:NAME"``. When ``None`` the economy is written
        with :func:`gosplan.io.write_economy` into the subfolder ``economy/`` in the same format.

    Returns
    -------
    pathlib.Path
        The directory written; ``read_spec`` of it gives back an equal specification.
    """
    if format not in FORMATS:
        raise InputError(
            f"unknown format {format!r}; choose one of {', '.join(FORMATS)}",
            check=Check.BAD_ARGUMENT,
        )
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "name": spec.name,
        "economy": _economy_entry(spec, root, format, economy_path),
        "periods": [int(p) for p in spec.periods],
        "objective": spec.objective,
        "default_lag": int(spec.default_lag),
        "discount": float(spec.discount),
        "trade_deficit": float(spec.trade_deficit),
    }
    if spec.terminal_growth is not None:
        manifest["terminal_growth"] = float(spec.terminal_growth)
    if spec.investment_share is not None:
        manifest["investment_share"] = float(spec.investment_share)
    if spec.storable != "listed":
        manifest["storable"] = spec.storable
    if spec.terminal != "none":
        manifest["terminal"] = spec.terminal
    if spec.sense != "max":
        manifest["sense"] = spec.sense
    tables = {
        name: table
        for name in PLAN_TABLES
        if (table := _table_to_write(spec, name)) is not None and len(table)
    }
    entries: dict[str, str] = {}
    if format == "excel":
        if tables:
            with pd.ExcelWriter(root / WORKBOOK, engine="openpyxl") as book:
                for name, table in tables.items():
                    table.to_excel(book, sheet_name=name, index=False)
            entries = {"workbook": WORKBOOK, **{name: name for name in tables}}
    else:
        for name, table in tables.items():
            file = name + FORMATS[format]
            if format == "csv":
                table.to_csv(root / file, index=False)
            else:
                table.to_parquet(root / file, index=False)
            entries[name] = file
    if entries:
        manifest["tables"] = entries
    with (root / MANIFEST).open("wb") as fh:
        tomli_w.dump(manifest, fh)
    logger.info("wrote plan %r to %s (%s)", spec.name, root, format)
    return root


def _economy_entry(spec: PlanSpec, root: Path, format: str, economy_path: str | Path | None) -> str:
    if economy_path is None:
        from gosplan.io import write_economy

        write_economy(spec.economy, root / ECONOMY_DIR, format=format)
        return ECONOMY_DIR
    if isinstance(economy_path, str) and economy_path.startswith("scenario:"):
        return economy_path
    target = Path(economy_path).resolve()
    try:
        return Path(os.path.relpath(target, root.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return target.as_posix()


def _table_to_write(spec: PlanSpec, name: str) -> pd.DataFrame | None:
    if name == "consumption_weights":
        weights = spec.consumption_weights
        if weights is None:
            return None
        return pd.DataFrame(
            {
                "product": pd.Index(weights.index).astype(str),
                "weight": weights.to_numpy(dtype=float),
            }
        )
    table: pd.DataFrame = getattr(spec, name).reset_index(drop=True)
    table = table[column_order(name, list(table.columns))].copy()
    for col in table.columns:
        rule = rule_of(name, col)
        if rule is None:
            continue
        if rule.type == "label" and not rule.is_number:
            table[col] = table[col].astype(str)
        elif rule.is_integer and len(table) and table[col].notna().all():
            table[col] = table[col].to_numpy(dtype=np.int64)
    return table
