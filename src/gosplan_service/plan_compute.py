"""Every call the plan side of the service makes into the library ``gosplan``, in one place.

A plan version stores its spec as strict JSON (:func:`spec_to_dict`): the manifest settings
of the on-disk plan format (``name``, ``periods``, ``objective``, ...), ``economy`` as
``"scenario:NAME"`` (a bundled economy: a spec never names a path on the server) and
``tables``, each a list of records. :func:`spec_from_dict` reads it back into a
:class:`~gosplan.core.spec.PlanSpec` through :func:`gosplan.plan.read_spec` (so the
library's own checks run), raising :class:`SpecInvalid` that names each offending field.

:func:`solve` is the ``solve`` job's computation (run in a worker process by
:mod:`gosplan_service.jobs`): the spec is optimised and its control figures made;
:func:`apply_solve` stores both on the plan version, in the service's transaction.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import delete, insert, select, update

from gosplan.core.spec_document import DOCUMENT_KEYS
from gosplan_service import audit
from gosplan_service.models import ControlFigure, Job, PlanVersion, User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gosplan.core.economy import Economy
    from gosplan.core.spec import PlanSpec

__all__ = [
    "SPEC_SETTINGS",
    "SpecInvalid",
    "apply_solve",
    "diff_results",
    "diff_specs",
    "enterprises",
    "scenario_spec",
    "solve",
    "spec_digest",
    "spec_from_dict",
    "spec_to_dict",
]

#: Keys of a spec document besides ``economy`` and ``tables`` (the plan manifest's settings).
SPEC_SETTINGS = DOCUMENT_KEYS - {"economy", "tables"}
_SCENARIO = "scenario:"
#: The most rows of one table of a spec.
MAX_TABLE_ROWS = 10_000


class SpecInvalid(ValueError):
    """A spec document the library refuses: ``errors`` lists ``{field, message}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def _invalid(field: str, message: str) -> SpecInvalid:
    return SpecInvalid([{"field": field, "message": message}])


@lru_cache(maxsize=8)
def _economy(scenario: str) -> Economy:
    from gosplan.datasets import scenario_path
    from gosplan.io import read_economy

    return read_economy(Path(scenario_path(scenario)))


def _scenarios() -> list[str]:
    from gosplan.datasets import list_scenarios

    return list(list_scenarios())


def scenario_spec(scenario: str) -> dict[str, Any]:
    """The spec document of a bundled scenario: ``"ussr-1928"`` or ``"ussr-1928/amended"``.

    Parameters
    ----------
    scenario
        The scenario's name, optionally followed by ``/`` and a spec variant (default
        ``basic``).

    Returns
    -------
    dict
        The spec as :func:`spec_to_dict` writes it.

    Raises
    ------
    SpecInvalid
        Naming ``scenario`` when there is no such scenario or variant.
    """
    from gosplan.datasets import list_specs, spec_path
    from gosplan.plan import read_spec

    name, _, variant = scenario.partition("/")
    variant = variant or "basic"
    if name not in _scenarios() or variant not in list_specs(name):
        raise _invalid("scenario", f"unknown scenario {scenario!r}")
    spec = read_spec(spec_path(name, variant), economy=_economy(name))
    return spec_to_dict(spec, name)


def spec_to_dict(spec: PlanSpec, scenario: str) -> dict[str, Any]:
    """A spec as strict JSON: its settings, ``economy`` (``scenario:NAME``) and tables.

    Parameters
    ----------
    spec
        The specification.
    scenario
        The bundled scenario whose economy it plans.

    Returns
    -------
    dict
        :meth:`PlanSpec.to_dict <gosplan.core.spec.PlanSpec.to_dict>` with the economy named
        ``scenario:NAME``.

    Examples
    --------
    >>> from gosplan.datasets import spec_path
    >>> from gosplan.plan import read_spec
    >>> doc = spec_to_dict(read_spec(spec_path("ussr-1928", "basic")), "ussr-1928")
    >>> doc["economy"], doc["tables"]["targets"][0]["period"]
    ('scenario:ussr-1928', 1933)
    """
    return spec.to_dict(economy=f"{_SCENARIO}{scenario}")


def _check_document(doc: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    errors = [
        {"field": f"spec.{key}", "message": "unknown key"}
        for key in doc
        if key not in DOCUMENT_KEYS
    ]
    economy = doc.get("economy")
    scenario = economy.removeprefix(_SCENARIO) if isinstance(economy, str) else ""
    if not (isinstance(economy, str) and economy.startswith(_SCENARIO)) or scenario not in (
        _scenarios()
    ):
        message = f"must be a bundled economy: {', '.join(_SCENARIO + s for s in _scenarios())}"
        errors.append({"field": "spec.economy", "message": message})
    tables = doc.get("tables", {})
    if not isinstance(tables, dict):
        errors.append({"field": "spec.tables", "message": "must be an object of tables"})
        tables = {}
    from gosplan.core.rules import PLAN_TABLE_NAMES

    for name, rows in tables.items():
        field = f"spec.tables.{name}"
        if name not in PLAN_TABLE_NAMES:
            errors.append({"field": field, "message": "unknown table"})
        elif not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            errors.append({"field": field, "message": "must be a list of rows (objects)"})
        elif len(rows) > MAX_TABLE_ROWS:
            errors.append({"field": field, "message": f"at most {MAX_TABLE_ROWS} rows"})
    if errors:
        raise SpecInvalid(errors)
    return scenario, tables


#: How the library's messages name a spec document (a table: ``"spec: targets"``).
_SOURCE = "spec"


def _problem_field(problem: Any) -> str:
    """The field of a library problem: ``spec.tables.targets[3]``, ``spec.objective``, ..."""
    from gosplan.core.rules import PLAN_TABLE_NAMES

    source = str(getattr(problem, "source", "") or "")
    label = getattr(problem, "label", None)
    name = source.removeprefix(f"{_SOURCE}: ") if source.startswith(f"{_SOURCE}: ") else ""
    if name in PLAN_TABLE_NAMES:
        row = getattr(problem, "row", None)
        where = f"spec.tables.{name}"
        return f"{where}[{int(row) - 2}]" if isinstance(row, int) and row >= 2 else where
    if name == "tables":
        return f"spec.tables.{label}" if isinstance(label, str) else "spec.tables"
    return f"spec.{label}" if isinstance(label, str) and label in SPEC_SETTINGS else "spec"


def _notes_as_text(tables: dict[str, Any]) -> dict[str, Any]:
    """The tables with numbers in columns without a rule (notes, sources) as text.

    Documents stored before the library read spec documents itself went through CSV files,
    where every cell of such a column is text; a number there (``"low": 95.0``) is kept so.
    """
    from gosplan.core.rules import rule_of

    def cell(name: str, column: str, value: Any) -> Any:
        plain = isinstance(value, int | float) and not isinstance(value, bool)
        return str(value) if plain and rule_of(name, str(column)) is None else value

    return {
        name: [{c: cell(name, c, v) for c, v in row.items()} for row in rows]
        for name, rows in tables.items()
    }


def spec_from_dict(doc: Mapping[str, Any]) -> PlanSpec:
    """The :class:`~gosplan.core.spec.PlanSpec` of a spec document (the library checks it).

    Parameters
    ----------
    doc
        A document as :func:`spec_to_dict` writes it; its economy must be a bundled one.

    Returns
    -------
    PlanSpec
        :meth:`PlanSpec.from_dict <gosplan.core.spec.PlanSpec.from_dict>` of the document,
        with the bundled economy it names.

    Raises
    ------
    SpecInvalid
        Naming each offending field (``spec.tables.targets[3]``: the row at index 3 of the
        list, ``spec.objective``, ...).

    Examples
    --------
    >>> doc = scenario_spec("ussr-1928")
    >>> spec_from_dict(doc).periods
    (1929, 1930, 1931, 1932, 1933)
    >>> doc["tables"]["targets"][3]["target"] = "plenty"
    >>> try:
    ...     spec_from_dict(doc)
    ... except SpecInvalid as err:
    ...     print(err.errors)
    [{'field': 'spec.tables.targets[3]', 'message': "target is not a number: 'plenty'"}]
    """
    from gosplan.core.spec import PlanSpec
    from gosplan.errors import InputError, ValidationError

    scenario, tables = _check_document(doc)
    document = {**doc, "tables": _notes_as_text(tables)}
    try:
        return PlanSpec.from_dict(document, economy=_economy(scenario), source=_SOURCE)
    except ValidationError as exc:
        problems = exc.problems or [exc]
        raise SpecInvalid(
            [{"field": _problem_field(p), "message": p.message} for p in problems]
        ) from None
    except InputError as exc:
        raise SpecInvalid([{"field": _problem_field(exc), "message": exc.message}]) from None


def canonical_spec(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A spec document checked by the library and written back in its canonical form.

    Parameters
    ----------
    doc
        A spec document.

    Returns
    -------
    dict

    Raises
    ------
    SpecInvalid
        As :func:`spec_from_dict`.
    """
    spec = spec_from_dict(doc)
    return spec_to_dict(spec, str(doc["economy"]).removeprefix(_SCENARIO))


def spec_digest(doc: Mapping[str, Any] | None) -> str | None:
    """The SHA-256 of a JSON document (its canonical text), or ``None`` for none.

    Parameters
    ----------
    doc
        The document.

    Returns
    -------
    str or None
    """
    if doc is None:
        return None
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _figure_rows(figures: pd.DataFrame) -> list[dict[str, Any]]:
    columns = ("enterprise", "activity", "product", "period", "month", "level", "output")
    rows = []
    for record in figures.loc[:, list(columns)].to_dict(orient="records"):
        rows.append(
            {
                "enterprise": str(record["enterprise"]),
                "activity": str(record["activity"]),
                "product": str(record["product"]),
                "period": int(record["period"]),
                "month": int(record["month"]),
                "level": float(record["level"]),
                "output": float(record["output"]),
            }
        )
    return rows


def solve(parameters: dict[str, Any], progress: Callable[[float, str], None]) -> dict[str, Any]:
    """The ``solve`` job: optimise a spec and make its control figures.

    Parameters
    ----------
    parameters
        ``spec`` (a spec document) and optionally ``objective`` (overrides the spec's).
    progress
        Called with the share done (0 to 1) and a message.

    Returns
    -------
    dict
        ``result`` (:meth:`PlanResult.to_dict`), ``figures`` (control figure rows) and
        ``summary`` (status, objective, how many figures).
    """
    from gosplan.plan import optimise
    from gosplan.run import control_figures

    progress(0.05, "reading the spec")
    spec = spec_from_dict(parameters["spec"])
    progress(0.2, "optimising")
    objective = parameters.get("objective")
    result = optimise(spec, objective=objective) if objective else optimise(spec)
    progress(0.7, "making the control figures")
    figures = _figure_rows(control_figures(result, spec).figures)
    document = result.to_dict()
    summary = {
        "status": document.get("status"),
        "objective": document.get("objective"),
        "objective_kind": document.get("objective_kind"),
        "figures": len(figures),
        "enterprises": len({row["enterprise"] for row in figures}),
    }
    progress(1.0, "solved")
    return {"result": document, "figures": figures, "summary": summary}


def apply_solve(session: Session, job: Job, result: dict[str, Any]) -> None:
    """Store a solve job's result and control figures on its plan version.

    Parameters
    ----------
    session
        The service's session (the transaction that marks the job done).
    job
        The job.
    result
        What :func:`solve` returned.

    Raises
    ------
    ValueError
        The version is gone, is no longer a draft, or its spec changed since the job was
        asked for (the result would not be its own).
    """
    version = session.scalars(
        select(PlanVersion).where(PlanVersion.id == job.plan_version_id).with_for_update()
    ).one_or_none()
    if version is None or version.status != "draft":
        raise ValueError("the plan version is no longer a draft; the result was not stored")
    if spec_digest(version.spec) != spec_digest(job.parameters.get("spec")):
        raise ValueError("the plan version's spec changed while it was solved; solve it again")
    before = version_snapshot(version)
    session.execute(
        update(PlanVersion)
        .where(PlanVersion.id == version.id)
        .values(result=result["result"], row_version=PlanVersion.row_version + 1)
    )
    session.execute(delete(ControlFigure).where(ControlFigure.plan_version_id == version.id))
    rows = [{"plan_version_id": version.id, **row} for row in result["figures"]]
    if rows:
        session.execute(insert(ControlFigure), rows)
    session.refresh(version)
    requester = session.get(User, job.requested_by)
    audit.record(
        session,
        user=requester,
        action="plan.solved",
        object_type="plan_version",
        object_id=version.id,
        before=before,
        after=version_snapshot(version),
        detail=f"job {job.id}: {len(rows)} control figures",
    )


def version_snapshot(version: PlanVersion) -> dict[str, Any] | None:
    """A plan version for the audit trail: its columns, the spec and result as digests.

    Parameters
    ----------
    version
        The version.

    Returns
    -------
    dict
    """
    found = audit.snapshot(version, exclude=frozenset({"spec", "result"}))
    if found is not None:
        found["spec_sha256"] = spec_digest(version.spec)
        found["has_result"] = version.result is not None
    return found


def enterprises(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The enterprises of a spec's economy, each with its activity and industry.

    Parameters
    ----------
    doc
        A spec document.

    Returns
    -------
    list of dict
        ``enterprise``, ``activity``, ``industry`` (the activity's product), ``trust``,
        ``commissariat``, ``region`` and ``capacity``, in the economy's order.
    """
    from gosplan.core.enterprises import enterprises_of

    economy = _economy(str(doc.get("economy", "")).removeprefix(_SCENARIO))
    table = enterprises_of(economy)
    labels = economy.product_labels.astype(str)
    products = {
        str(activity): str(labels[int(product)])
        for activity, product in zip(economy.activity_labels, economy.activity_product, strict=True)
    }
    rows = []
    for record in table.to_dict(orient="records"):
        capacity = float(record["capacity"])
        rows.append(
            {
                "enterprise": str(record["enterprise"]),
                "activity": str(record["activity"]),
                "industry": products.get(str(record["activity"]), str(record["activity"])),
                "trust": str(record.get("trust") or ""),
                "commissariat": str(record.get("commissariat") or ""),
                "region": str(record.get("region") or ""),
                "capacity": capacity if math.isfinite(capacity) else None,
            }
        )
    return rows


def _key_columns(table: str, columns: Iterable[str]) -> list[str]:
    from gosplan.core.rules import rule_of

    keys = []
    for column in columns:
        rule = rule_of(table, column)
        if rule is not None and rule.key:
            keys.append(column)
    return keys


def _diff_table(table: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    columns = sorted({c for row in old + new for c in row})
    keys = _key_columns(table, columns) or columns

    def index(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {json.dumps([row.get(k) for k in keys]): row for row in rows}

    before, after = index(old), index(new)
    changed = []
    for key in sorted(before.keys() & after.keys()):
        cells = {
            c: {"from": before[key].get(c), "to": after[key].get(c)}
            for c in columns
            if before[key].get(c) != after[key].get(c)
        }
        if cells:
            changed.append({"key": {k: before[key].get(k) for k in keys}, "cells": cells})
    return {
        "added": [after[k] for k in sorted(after.keys() - before.keys())],
        "removed": [before[k] for k in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What differs between two spec documents: settings, and each table row by row.

    Parameters
    ----------
    old, new
        Spec documents.

    Returns
    -------
    dict
        ``settings`` (``{key: {from, to}}``) and ``tables`` (``{name: {added, removed,
        changed}}``, only the tables that differ; a row is matched by its key columns).
    """
    keys = (set(old) | set(new)) - {"tables"}
    settings = {
        k: {"from": old.get(k), "to": new.get(k)} for k in sorted(keys) if old.get(k) != new.get(k)
    }
    old_tables, new_tables = old.get("tables", {}), new.get("tables", {})
    tables = {}
    for name in sorted(set(old_tables) | set(new_tables)):
        found = _diff_table(name, old_tables.get(name, []), new_tables.get(name, []))
        if any(found.values()):
            tables[name] = found
    return {"settings": settings, "tables": tables}


def _levels(result: Mapping[str, Any]) -> dict[tuple[str, str], float]:
    table = result.get("tables", {}).get("activity_levels", {})
    levels = {}
    for record in table.get("records", []):
        activity = str(record.get("activity"))
        for period, value in record.items():
            if period != "activity" and isinstance(value, int | float):
                levels[(activity, str(period))] = float(value)
    return levels


def diff_results(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The activity levels of two plan results side by side, where they differ.

    Parameters
    ----------
    old, new
        :meth:`PlanResult.to_dict` documents.

    Returns
    -------
    list of dict
        ``activity``, ``period``, ``from``, ``to``, ``change`` (a missing level is ``None``).
    """
    before, after = _levels(old), _levels(new)
    rows = []
    for activity, period in sorted(before.keys() | after.keys()):
        a, b = before.get((activity, period)), after.get((activity, period))
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
            change = None if a is None or b is None else b - a
            rows.append(
                {"activity": activity, "period": period, "from": a, "to": b, "change": change}
            )
    return rows
