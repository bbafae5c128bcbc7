"""Read results written to disk back for a report, and build the matching report.

Recognised layouts (:func:`load_result`):

* a **plan**: a folder written by ``PlanResult.write(dir, "csv" | "parquet")`` (``plan.json``
  and one table per file) or the one file of ``PlanResult.write(file, "json")``; read as a
  :class:`LoadedPlan`, with the attribute names of :class:`~gosplan.plan.result.PlanResult`;
* a **plan check**: a folder with ``check.json`` and the tables ``reachable``, ``binding`` and
  ``additions`` (CSV or Parquet), and the least-labour plan in ``plan/`` when feasible, as
  written by :func:`write_check` (``gosplan check-plan --output DIR``), with an optional
  ``provenance.json``; or one JSON file with ``"kind": "plan-check"`` and the three tables
  (``gosplan check-plan --format json --output FILE``); read as a :class:`LoadedCheck`;
* a **frontier**: the table written by ``FrontierResult.write`` or ``gosplan frontier``
  (CSV, Parquet or JSON; optional ``labour_unit`` and ``population_unit`` columns, and a
  ``<name>.provenance.json`` beside it); read as a :class:`LoadedFrontier`;
* a **material balance**: a CSV or Parquet table with the columns of
  ``Economy.balance_sheet`` (``gross_output``, ``capacity``, ``surplus``, ...); read as a
  DataFrame indexed by product.

The report reads what the planner wrote; it does not import the planner.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gosplan.errors import InputError

logger = logging.getLogger(__name__)

#: Tables of a plan that are labels x periods (the rest are long tables).
LONG_TABLES = ("fulfilment", "binding", "final_use")
PERIOD_INDEXED = ("investment_shares", "final_use_values")
PLAN_META = "plan.json"
CHECK_META = "check.json"
CHECK_TABLES = ("reachable", "binding", "additions")
#: Provenance written beside a result by the command line (a check folder's
#: ``provenance.json``; a frontier table's ``<name>.provenance.json``).
PROVENANCE = "provenance.json"
FRONTIER_KEYS = {"share", "status", "cumulative_consumption"}
BALANCE_KEYS = {"gross_output", "capacity", "surplus"}
_SUFFIXES = (".csv", ".parquet")


# ---------------------------------------------------------------------------- loaded objects
@dataclass(frozen=True, eq=False)
class LoadedPlan:
    """A plan read back from disk: the attribute names of ``PlanResult``.

    ``verification`` is the plain dict written by the plan (``max_violation``, ``tolerance``,
    ``passed``) or ``None``; ``shadow_prices`` maps block names to labels x periods frames.
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
    verification: dict[str, Any] | None
    provenance: dict[str, Any] = field(default_factory=dict)
    final_use: pd.DataFrame = field(default_factory=pd.DataFrame)
    final_use_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    terminal_levels: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    price_ranges: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        """True when the solver found an optimal plan."""
        return self.status == "optimal"

    def summary(self) -> str:
        """Status, objective and periods in a few lines."""
        p = self.provenance
        lines = [
            f"Plan {p.get('spec', '')!r} for {p.get('economy', '')!r}, periods "
            f"{self.periods[0]}–{self.periods[-1]}: {self.status}",
            f"objective ({self.objective_kind}): {self.objective:.6g}",
        ]
        if self.level is not None:
            lines.append(f"common level: {self.level:.6g}")
        if self.verification:
            verdict = "passed" if self.verification.get("passed") else "FAILED"
            lines.append(f"verification {verdict}")
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class LoadedCheck:
    """A plan check read back from disk: the attribute names of ``PlanCheck``."""

    feasible: bool
    plan: LoadedPlan | None
    common_level: float
    reachable: pd.DataFrame
    binding: pd.DataFrame
    additions: pd.DataFrame
    total_labour_cost: float
    text: str = ""
    labour_unit: str = "person-years"
    provenance: dict[str, Any] = field(default_factory=dict)

    def message(self) -> str:
        """The engineer's answer written with the check."""
        return self.text


@dataclass(frozen=True, eq=False)
class LoadedFrontier:
    """A frontier table read back from disk (no per-share plans)."""

    table: pd.DataFrame
    results: tuple[Any, ...] = ()
    labour_unit: str | None = None
    population_unit: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------- reading tables
def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        if path.suffix == ".json":
            return pd.DataFrame.from_records(json.loads(path.read_text(encoding="utf-8")))
        return pd.read_csv(path)
    except (ValueError, OSError, json.JSONDecodeError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise InputError(f"cannot read the table: {err}", source=str(path)) from None


def _period(name: Any) -> Any:
    try:
        return int(str(name))
    except ValueError:
        return name


def _is_period(name: Any) -> bool:
    return isinstance(_period(name), int)


def _grid(flat: pd.DataFrame) -> pd.DataFrame:
    """A written labels x periods table back to its frame (label index, int period columns)."""
    if len(flat.columns) and not _is_period(flat.columns[0]):
        label = flat.columns[0]
        out = flat.set_index(label)
        out.index = pd.Index(
            [str(v) for v in out.index], name=None if label == "index" else str(label)
        )
    else:
        out = flat.copy()
    out.columns = pd.Index([_period(c) for c in out.columns], name="period")
    return out.apply(pd.to_numeric, errors="coerce") if len(out.columns) else out


def _by_period(flat: pd.DataFrame) -> pd.DataFrame:
    if "period" in flat.columns:
        flat = flat.set_index("period")
        flat.index = pd.Index([_period(v) for v in flat.index], name="period")
    return flat.apply(pd.to_numeric, errors="coerce")


def _long(flat: pd.DataFrame) -> pd.DataFrame:
    out = flat.copy()
    for col in ("product", "label", "block", "kind"):
        if col in out.columns:
            out[col] = out[col].astype(str)
    if "period" in out.columns and len(out):
        out["period"] = out["period"].map(_period)
    return out


def _levels(flat: pd.DataFrame) -> pd.Series:
    """The written terminal levels (activity, level) back to a Series by activity."""
    if len(flat.columns) < 2 or not len(flat):
        return pd.Series(dtype=float, name="level")
    out = flat.set_index(flat.columns[0])["level" if "level" in flat.columns else flat.columns[1]]
    out.index = pd.Index([str(v) for v in out.index], name=str(flat.columns[0]))
    return pd.to_numeric(out, errors="coerce").rename("level")


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


# ---------------------------------------------------------------------------- plans
def _plan_from_tables(
    meta: dict[str, Any], flat: dict[str, pd.DataFrame], source: str
) -> LoadedPlan:
    if "status" not in meta or "periods" not in meta:
        raise InputError("not a plan written by gosplan: no status or periods", source=source)
    frames: dict[str, Any] = {}
    shadow: dict[str, pd.DataFrame] = {}
    ranges: dict[str, pd.DataFrame] = {}
    for name, table in flat.items():
        if name.startswith("shadow_prices_"):
            shadow[name.removeprefix("shadow_prices_")] = _grid(table)
        elif name.startswith("price_ranges_"):
            ranges[name.removeprefix("price_ranges_")] = _long(table)
        elif name == "terminal_levels":
            frames[name] = _levels(table)
        elif name in LONG_TABLES:
            frames[name] = _long(table)
        elif name in PERIOD_INDEXED:
            frames[name] = _by_period(table)
        else:
            frames[name] = _grid(table)
    periods = tuple(int(p) for p in meta["periods"])
    empty = pd.DataFrame(columns=pd.Index(periods, name="period"))
    defaults = {
        "fulfilment": pd.DataFrame(columns=["product", "period", "target", "achieved", "ratio"]),
        "binding": pd.DataFrame(columns=["block", "label", "period", "slack", "shadow_price"]),
        "investment_shares": pd.DataFrame(columns=["means of production", "consumer goods"]),
    }
    names = [
        "output", "activity_levels", "capacity", "investment", "capital_spending", "employment",
        "consumption", "stocks", "imports", "exports", "fulfilment", "binding", "growth",
        "investment_shares",
    ]  # fmt: skip
    for name in names:
        if name not in frames:
            frames[name] = defaults.get(name, empty).copy()
    level = meta.get("level")
    return LoadedPlan(
        status=str(meta["status"]),
        objective=_float(meta.get("objective")),
        objective_kind=str(meta.get("objective_kind", "")),
        level=None if level is None else float(level),
        periods=periods,
        shadow_prices=shadow,
        price_ranges=ranges,
        verification=meta.get("verification"),
        provenance=dict(meta.get("provenance") or {}),
        **frames,
    )


def _table_files(folder: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for f in sorted(folder.iterdir()):
        if f.is_file() and f.suffix in _SUFFIXES:
            out.setdefault(f.stem, f)
    return out


def load_plan_dir(folder: Path) -> LoadedPlan:
    """A plan folder written by ``PlanResult.write(folder, "csv" | "parquet")``."""
    meta = _json(folder / PLAN_META)
    flat = {name: _read_table(f) for name, f in _table_files(folder).items()}
    return _plan_from_tables(meta, flat, str(folder))


def _plan_from_json(doc: dict[str, Any], source: str) -> LoadedPlan:
    flat = {name: pd.DataFrame.from_records(rows) for name, rows in doc.get("tables", {}).items()}
    return _plan_from_tables(doc, flat, source)


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON: {err}", source=str(path)) from None


# ---------------------------------------------------------------------------- checks
def write_check(check: Any, path: str | Path, format: str = "csv") -> Path:
    """Write a plan check as a folder :func:`load_result` reads back.

    ``check.json`` holds ``kind = "plan-check"``, ``feasible``, ``common_level``,
    ``total_labour_cost`` and ``message``; ``reachable``, ``binding`` and ``additions`` are
    tables (``csv`` or ``parquet``); a feasible check's least-labour plan goes to ``plan/``.

    Parameters
    ----------
    check
        A :class:`~gosplan.plan.diagnosis.PlanCheck`.
    path
        The folder (created).
    format
        ``"csv"`` or ``"parquet"``.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    return check.write(path, format=format)


def _json_float(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def load_check_dir(folder: Path) -> LoadedCheck:
    """A plan-check folder written by :func:`write_check`."""
    meta = _json(folder / CHECK_META)
    files = _table_files(folder)
    missing = [n for n in CHECK_TABLES if n not in files]
    if missing:
        raise InputError(f"a plan check needs the table {missing[0]!r}", source=str(folder))
    tables = {n: _long(_read_table(files[n])) for n in CHECK_TABLES}
    plan = load_plan_dir(folder / "plan") if (folder / "plan" / PLAN_META).is_file() else None
    provenance = _json(folder / PROVENANCE) if (folder / PROVENANCE).is_file() else {}
    return _check(meta, tables, plan, provenance)


def _check(
    meta: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    plan: LoadedPlan | None,
    provenance: dict[str, Any],
) -> LoadedCheck:
    unit = meta.get("labour_unit") or (plan.provenance.get("labour_unit") if plan else None)
    return LoadedCheck(
        feasible=bool(meta.get("feasible")),
        plan=plan,
        common_level=_float(meta.get("common_level")),
        total_labour_cost=_float(meta.get("total_labour_cost")),
        text=str(meta.get("message", "")),
        labour_unit=str(unit or "person-years"),
        provenance=dict(meta.get("provenance") or provenance or {}),
        **tables,
    )


def _check_from_json(doc: dict[str, Any], source: str) -> LoadedCheck:
    """A plan check written as one JSON file (``gosplan check-plan --format json -o FILE``)."""
    tables = {}
    for name in CHECK_TABLES:
        rows = doc.get(name, doc.get("tables", {}).get(name))
        if rows is None:
            raise InputError(f"a plan check needs the table {name!r}", source=source)
        tables[name] = _long(pd.DataFrame.from_records(rows))
    plan = _plan_from_json(doc["plan"], source) if isinstance(doc.get("plan"), dict) else None
    return _check(doc, tables, plan, {})


# ---------------------------------------------------------------------------- entry points
def _balance(frame: pd.DataFrame) -> pd.DataFrame:
    if "product" in frame.columns:
        out = frame.set_index("product")
    elif not pd.api.types.is_numeric_dtype(frame[frame.columns[0]]):
        out = frame.set_index(frame.columns[0])
    else:
        out = frame
    out.index = pd.Index([str(i) for i in out.index], name="product")
    return out


_FRONTIER_TEXT = ("status", "labour_unit", "population_unit")


def _frontier(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for col in out.columns:
        if col in _FRONTIER_TEXT:
            out[col] = out[col].astype(str)
        else:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out


def frontier_provenance_path(path: str | Path) -> Path:
    """Where the provenance of a frontier table is written: ``<name>.provenance.json``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.{PROVENANCE}")


def _loaded_frontier(table: pd.DataFrame, path: Path) -> LoadedFrontier:
    frame = _frontier(table)

    def unit(col: str) -> str | None:
        if col not in frame:
            return None
        values = [v for v in frame[col].astype(str) if v and v not in ("nan", "None")]
        return values[0] if values else None

    side = frontier_provenance_path(path)
    provenance = _json(side) if side.is_file() else {}
    labour = unit("labour_unit") or (provenance.get("labour_unit") if provenance else None)
    return LoadedFrontier(
        table=frame,
        labour_unit=labour,
        population_unit=unit("population_unit") or provenance.get("population_unit"),
        provenance=dict(provenance),
    )


def load_result(path: str | Path) -> LoadedPlan | LoadedCheck | LoadedFrontier | pd.DataFrame:
    """Read a result written to disk (see the module docstring for the layouts).

    Parameters
    ----------
    path
        A plan or plan-check folder, a plan JSON file, a frontier table or a balance table.

    Returns
    -------
    LoadedPlan, LoadedCheck, LoadedFrontier or pandas.DataFrame
        The DataFrame is a material balance indexed by product.

    Raises
    ------
    InputError
        When the path does not exist or is not a result gosplan wrote.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or directory", source=str(path))
    if path.is_dir():
        if (path / PLAN_META).is_file():
            return load_plan_dir(path)
        if (path / CHECK_META).is_file():
            return load_check_dir(path)
        raise InputError(
            f"not a gosplan result: a plan folder has {PLAN_META!r}, a plan check folder "
            f"{CHECK_META!r}",
            source=str(path),
        )
    if path.suffix == ".json":
        doc = _json(path)
        if isinstance(doc, dict) and doc.get("kind") == "plan-check":
            return _check_from_json(doc, str(path))
        if isinstance(doc, dict) and "tables" in doc:
            return _plan_from_json(doc, str(path))
        table = pd.DataFrame.from_records(doc) if isinstance(doc, list) else pd.DataFrame()
    elif path.suffix in _SUFFIXES:
        table = _read_table(path)
    else:
        raise InputError(
            "not a gosplan result: expected a folder, or a .json, .csv or .parquet file",
            source=str(path),
        )
    columns = set(map(str, table.columns))
    if FRONTIER_KEYS <= columns:
        return _loaded_frontier(table, path)
    if BALANCE_KEYS <= columns:
        return _balance(table)
    raise InputError(
        "not a gosplan result: a frontier table needs the columns "
        f"{sorted(FRONTIER_KEYS)}, a material balance {sorted(BALANCE_KEYS)}",
        source=str(path),
    )


def default_output(path: str | Path) -> Path:
    """Where the report of ``path`` goes by default: ``<name>-report.html`` beside it."""
    path = Path(path)
    name = path.name if path.is_dir() else path.stem
    return path.parent / f"{name}-report.html"


def report_from_path(
    path: str | Path, output: str | Path | None = None, title: str | None = None
) -> Path:
    """Build the report matching a result on disk and write it as HTML.

    Parameters
    ----------
    path
        What :func:`load_result` reads.
    output
        The HTML file (default :func:`default_output`).
    title
        The report's title (default: from the kind of result and its name).

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    from gosplan.report.build import Report
    from gosplan.report.tables import display_path

    result = load_result(path)
    name = Path(path).name
    subtitle = f"from {display_path(path)}"
    if isinstance(result, LoadedPlan):
        spec = result.provenance.get("spec") or name
        rep = Report(title or f"Plan {spec}", subtitle)
        rep.add_plan(result, heading="The plan")
    elif isinstance(result, LoadedCheck):
        rep = Report(title or f"Check of the plan {name}", subtitle)
        rep.add_check(result, heading="Can the targets be met?")
    elif isinstance(result, LoadedFrontier):
        rep = Report(title or f"Accumulation–consumption frontier {name}", subtitle)
        rep.add_frontier(result, heading="The frontier")
    else:
        rep = Report(title or f"Material balance {name}", subtitle)
        rep.add_balance(result)
    info: dict[str, Any] = {"input path": Path(path)}
    if isinstance(result, LoadedPlan):
        info.update(
            {k: result.provenance[k] for k in ("economy_source",) if k in result.provenance}
        )
        info["solver, method, tolerance"] = "see the plan's provenance above"
    rep.note_provenance(info)
    out = rep.write(default_output(path) if output is None else output)
    logger.info("report of %s written to %s", path, out)
    return out
