"""Read any result gosplan wrote back as its own type."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

import pandas as pd

from gosplan.core.control_figures import CONTROL_KIND, CONTROL_META, ControlFigures
from gosplan.core.counter_plan_check import (
    COUNTER_CHECK_KIND,
    COUNTER_CHECK_META,
    CounterPlanCheck,
)
from gosplan.core.ensemble_result import ENSEMBLE_KIND, ENSEMBLE_META, EnsembleResult
from gosplan.core.frontier_result import FRONTIER_KIND, FrontierResult
from gosplan.core.fulfilment_report import REPORT_KIND, REPORT_META, FulfilmentReport
from gosplan.core.plan_check import CHECK_KIND, CHECK_META, PlanCheck
from gosplan.core.plan_result import PLAN_META, PlanResult
from gosplan.core.serial import read_json, read_table
from gosplan.core.simulation_result import SIMULATION_KIND, SIMULATION_META, SimulationResult
from gosplan.core.workforce_result import WORKFORCE_KIND, WORKFORCE_META, WorkforceResult
from gosplan.errors import InputError

#: Columns that make a table a frontier, or a material balance.
FRONTIER_KEYS = frozenset({"share", "status", "cumulative_consumption"})
BALANCE_KEYS = frozenset({"gross_output", "capacity", "surplus"})

#: What :func:`read_result` returns.
Result: TypeAlias = (
    PlanResult
    | PlanCheck
    | FrontierResult
    | ControlFigures
    | CounterPlanCheck
    | FulfilmentReport
    | SimulationResult
    | EnsembleResult
    | WorkforceResult
    | pd.DataFrame
)
Reader: TypeAlias = Callable[[Path], Result]
#: The results written as a folder with a document of this name, and how to read them.
_FOLDERS: dict[str, Reader] = {
    PLAN_META: PlanResult.read,
    CHECK_META: PlanCheck.read,
    CONTROL_META: ControlFigures.read,
    COUNTER_CHECK_META: CounterPlanCheck.read,
    REPORT_META: FulfilmentReport.read,
    SIMULATION_META: SimulationResult.read,
    ENSEMBLE_META: EnsembleResult.read,
    WORKFORCE_META: WorkforceResult.read,
}
#: The results written as one JSON file, by their ``kind``.
_KINDS: dict[str, Reader] = {
    CHECK_KIND: PlanCheck.read,
    FRONTIER_KIND: FrontierResult.read,
    CONTROL_KIND: ControlFigures.read,
    COUNTER_CHECK_KIND: CounterPlanCheck.read,
    REPORT_KIND: FulfilmentReport.read,
    SIMULATION_KIND: SimulationResult.read,
    ENSEMBLE_KIND: EnsembleResult.read,
    WORKFORCE_KIND: WorkforceResult.read,
}


def read_result(path: str | Path) -> Result:
    """Read a result written to disk, whatever its kind.

    Parameters
    ----------
    path
        A plan folder or JSON file (:meth:`PlanResult.write`), a plan-check folder or JSON
        file (:meth:`PlanCheck.write`), a frontier table or JSON file
        (:meth:`FrontierResult.write`), or a material balance table (the columns of
        ``Economy.balance_sheet``).

    Returns
    -------
    PlanResult, PlanCheck, FrontierResult, ControlFigures, CounterPlanCheck,
    FulfilmentReport, SimulationResult, EnsembleResult, WorkforceResult or pandas.DataFrame
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
        for meta, reader in _FOLDERS.items():
            if (path / meta).is_file():
                return reader(path)
        raise InputError(
            f"not a gosplan result: a plan folder has {PLAN_META!r}, a plan check folder "
            f"{CHECK_META!r}",
            source=str(path),
        )
    if path.suffix == ".json":
        doc = read_json(path)
        kind = doc.get("kind") if isinstance(doc, dict) else None
        if isinstance(kind, str) and kind in _KINDS:
            return _KINDS[kind](path)
        if isinstance(doc, dict) and "tables" in doc:
            return PlanResult.from_dict(doc, str(path))
        table = pd.DataFrame.from_records(doc) if isinstance(doc, list) else pd.DataFrame()
    elif path.suffix in (".csv", ".parquet"):
        table = read_table(path)
    else:
        raise InputError(
            "not a gosplan result: expected a folder, or a .json, .csv or .parquet file",
            source=str(path),
        )
    columns = set(map(str, table.columns))
    if FRONTIER_KEYS <= columns:
        return FrontierResult.from_table(table, path)
    if BALANCE_KEYS <= columns:
        return _balance(table)
    raise InputError(
        "not a gosplan result: a frontier table needs the columns "
        f"{sorted(FRONTIER_KEYS)}, a material balance {sorted(BALANCE_KEYS)}",
        source=str(path),
    )


def _balance(frame: pd.DataFrame) -> pd.DataFrame:
    if "product" in frame.columns:
        out = frame.set_index("product")
    elif not pd.api.types.is_numeric_dtype(frame[frame.columns[0]]):
        out = frame.set_index(frame.columns[0])
    else:
        out = frame
    out.index = pd.Index([str(i) for i in out.index], name="product")
    return out
