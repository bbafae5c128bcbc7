"""Bundled data: scenarios and small textbook examples shipped with gosplan, every number sourced.

Textbook and illustrative examples (Miller & Blair's two-sector economy, Feldman's growth
model, small plans) load by name with :func:`load`; :func:`examples` lists them (see
:mod:`gosplan.datasets.examples` and, for the numbers and their sources,
:mod:`gosplan.datasets.textbook`).

A scenario is a directory of this package holding ``economy/`` (an economy in the on-disk
format, ``docs/format.md``), ``plans/<variant>/plan.toml`` (plan specifications read by
:func:`gosplan.read_spec`), ``history/*.csv`` (observed data with a ``source`` column) and a
``README.md`` stating every assumption.

>>> from gosplan.datasets import list_scenarios, scenario_path
>>> "ussr-1928" in list_scenarios()
True
>>> from gosplan.datasets import load
>>> load("miller-blair-2x2").n_products
2
"""

from __future__ import annotations

import logging
import math
from importlib.resources import as_file, files
from pathlib import Path

import pandas as pd

from gosplan.datasets.examples import examples, load
from gosplan.errors import InputError

logger = logging.getLogger(__name__)

#: Sub-directory of a scenario holding its economy.
ECONOMY_DIR = "economy"
#: Sub-directory of a scenario holding its plan variants.
PLANS_DIR = "plans"
#: Sub-directory of a scenario holding observed data.
HISTORY_DIR = "history"
#: Columns every history table must have.
HISTORY_REQUIRED = ("source",)

__all__ = [
    "economy_path",
    "examples",
    "list_scenarios",
    "list_specs",
    "load",
    "load_history",
    "load_population",
    "scenario_path",
    "spec_path",
]


def _root() -> Path:
    """Directory of this package on disk (the package is installed unzipped)."""
    with as_file(files(__name__)) as path:
        return Path(path)


def list_scenarios() -> list[str]:
    """Names of the bundled scenarios, sorted.

    Returns
    -------
    list of str
        Every sub-directory of the package that holds an ``economy`` directory.
    """
    root = _root()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / ECONOMY_DIR).is_dir())


def scenario_path(name: str) -> Path:
    """Directory of a bundled scenario's economy (what :func:`gosplan.read_economy` reads).

    Parameters
    ----------
    name
        The scenario's name, e.g. ``"ussr-1928"``.

    Returns
    -------
    pathlib.Path
        The scenario's ``economy`` directory (holding ``economy.toml``).

    Raises
    ------
    InputError
        If no scenario has that name; the message lists the available ones.
    """
    return _scenario_dir(name) / ECONOMY_DIR


def economy_path(name: str) -> Path:
    """Alias of :func:`scenario_path`: the directory of the scenario's economy."""
    return scenario_path(name)


def _scenario_dir(name: str) -> Path:
    available = list_scenarios()
    if not isinstance(name, str) or name not in available:
        raise InputError(
            f"unknown scenario {name!r}; available scenarios: {', '.join(available) or 'none'}",
            label=str(name),
            check="unknown_scenario",
        )
    return _root() / name


def list_specs(name: str) -> list[str]:
    """Plan variants of a scenario (directories of ``plans/`` holding ``plan.toml``), sorted."""
    plans = _scenario_dir(name) / PLANS_DIR
    if not plans.is_dir():
        return []
    return sorted(p.name for p in plans.iterdir() if (p / "plan.toml").is_file())


def spec_path(name: str, variant: str) -> Path:
    """Directory of one plan variant of a scenario (what :func:`gosplan.read_spec` reads).

    Parameters
    ----------
    name
        The scenario's name.
    variant
        The plan variant, e.g. ``"basic"``, ``"optimal"``, ``"amended"``, ``"optimum"``,
        ``"frontier"`` for ``ussr-1928``.

    Raises
    ------
    InputError
        If the scenario or the variant is unknown; the message lists the available ones.
    """
    variants = list_specs(name)
    if variant not in variants:
        raise InputError(
            f"scenario {name!r} has no plan variant {variant!r}; "
            f"available variants: {', '.join(variants) or 'none'}",
            label=str(variant),
            check="unknown_plan",
        )
    return _scenario_dir(name) / PLANS_DIR / variant


def load_history(name: str) -> dict[str, pd.DataFrame]:
    """Read every observed-data table of a scenario's ``history/`` folder.

    Number columns are those whose non-empty cells all parse as numbers; text columns keep
    their text. Every table must have a ``source`` column filled on every row, and a cell of
    a number column that is present must be a finite number.

    Parameters
    ----------
    name
        The scenario's name.

    Returns
    -------
    dict of str to pandas.DataFrame
        Keyed by file stem (``"targets_of_production"``, ``"labour_turnover"``, ...).

    Raises
    ------
    InputError
        Naming the file, the row (1-based, header = row 1) and the column at fault.
    """
    folder = _scenario_dir(name) / HISTORY_DIR
    if not folder.is_dir():
        return {}
    out: dict[str, pd.DataFrame] = {}
    for path in sorted(folder.glob("*.csv")):
        out[path.stem] = read_history_table(path)
    logger.info("read %d history tables of scenario %r", len(out), name)
    return out


#: Columns of history tables that must hold numbers where they are filled.
NUMBER_COLUMNS = frozenset(
    {
        "year",
        "value",
        "rate",
        "base_1927_28",
        "basic_1932_33",
        "optimal_1932_33",
        "amended_low",
        "amended_high",
        "outcome_1932",
        "percent_of_increase",
        "output",
        "planned",
        "outcome",
        "period",
        "population",
    }
)


def read_history_table(path: Path) -> pd.DataFrame:
    """Read and check one history table (see :func:`load_history`).

    Columns named in :data:`NUMBER_COLUMNS` must hold finite numbers or be empty; every row
    must name its ``source``.

    Raises
    ------
    InputError
        ``unreadable_file``, ``missing_column``, ``empty_table``, ``non_numeric`` or
        ``missing_value``, naming the file, row and column.
    """
    source = str(path)
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
        )
    except Exception as exc:  # parsers raise many kinds of errors
        raise InputError(
            f"cannot read the table: {exc}", source=source, check="unreadable_file"
        ) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    for col in HISTORY_REQUIRED:
        if col not in raw.columns:
            raise InputError(f"missing column {col!r}", source=source, check="missing_column")
    if raw.empty:
        raise InputError("the table has no rows", source=source, check="empty_table")
    first = raw.columns[0]
    for i, value in enumerate(raw["source"]):
        if _missing(value):
            raise InputError(
                "source is missing: every number keeps its source",
                source=source,
                row=i + 2,
                label=_label(raw, first, i),
                check="missing_value",
            )
    out = raw.copy()
    for col in raw.columns:
        if col in NUMBER_COLUMNS:
            out[col] = _numbers(raw, col, source, first)
    return out


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _label(table: pd.DataFrame, first: str, i: int) -> str | None:
    value = table[first].iloc[i]
    return None if _missing(value) else str(value)


def _numbers(table: pd.DataFrame, col: str, source: str, first: str) -> pd.Series:
    values: list[float] = []
    for i, cell in enumerate(table[col]):
        if _missing(cell):
            values.append(math.nan)
            continue
        try:
            x = float(str(cell).strip())
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise InputError(
                f"{col} is not a number: {cell!r}",
                source=source,
                row=i + 2,
                label=_label(table, first, i),
                check="non_numeric",
            )
        values.append(x)
    return pd.Series(values, index=table.index, name=col, dtype=float)


def load_population(name: str, variant: str = "frontier") -> pd.Series:
    """Population by plan period of a scenario's plan variant (for consumption per head).

    Reads ``plans/<variant>/population.csv`` (columns ``period``, ``population``, ``source``).

    Returns
    -------
    pandas.Series
        Population indexed by period (the plan's period labels), as
        :func:`gosplan.plan.frontier.frontier` takes it.

    Raises
    ------
    InputError
        If the file is missing or a cell is not a positive number.
    """
    path = spec_path(name, variant) / "population.csv"
    if not path.is_file():
        raise InputError("file not found", source=str(path), check="unreadable_file")
    table = read_history_table(path)
    for col in ("period", "population"):
        if col not in table.columns:
            raise InputError(f"missing column {col!r}", source=str(path), check="missing_column")
        bad = ~(table[col] > 0)
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise InputError(
                f"{col} must be a positive number",
                source=str(path),
                row=i + 2,
                label=_label(table, table.columns[0], i),
                check="non_numeric",
            )
    return pd.Series(
        table["population"].to_numpy(dtype=float),
        index=pd.Index(table["period"].astype(int), name="period"),
        name="population",
    )
