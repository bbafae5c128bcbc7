"""The library calls behind counter-plans, reports and results: nowhere else in the service.

- :func:`spec_from_document`, :func:`result_from_document`: a plan version's stored spec
  and result back as library objects; :func:`control_figure_rows`: a solved plan's figures;
- :func:`plan_labels`: the periods, products, labour types and enterprises a version knows
  (from its stored result and control figures), to validate submissions against;
- :func:`check_parameters`, :func:`check` and :func:`apply_check`: the counter-plan check
  (:func:`gosplan.run.check_counter_plan`) as a job: ``check`` runs in a worker process
  (:mod:`gosplan_service.jobs` calls it), ``apply_check`` stores its answer with the
  counter-plan in the service process;
- :func:`fulfilment_report`, :func:`fulfilment_rows`, :func:`competition_rows`,
  :func:`alert_rows`: the reports against the control figures (:func:`gosplan.run.fulfilment`,
  :func:`gosplan.run.competition`, :func:`gosplan.run.alerts`), computed from the stored
  rows in the request (they are small).

The stored spec is read by :func:`gosplan_service.plan_compute.spec_from_dict` (the plan
side's format).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from gosplan_service import audit
from gosplan_service.models import ControlFigure, CounterPlan, Job, PlanVersion, User
from gosplan_service.workflow import COUNTER_PLAN, check_transition

if TYPE_CHECKING:
    import pandas as pd

    from gosplan.core.fulfilment_report import FulfilmentReport
    from gosplan.core.plan_result import PlanResult
    from gosplan.core.progress import Progress
    from gosplan.core.spec import PlanSpec

__all__ = [
    "PlanLabels",
    "alert_rows",
    "apply_check",
    "check",
    "check_parameters",
    "competition_rows",
    "control_figure_rows",
    "counter_plan_label",
    "fulfilment_report",
    "fulfilment_rows",
    "plan_labels",
    "result_from_document",
    "spec_from_document",
]


# ---------------------------------------------------------------------------- documents
def spec_from_document(document: dict[str, Any]) -> PlanSpec:
    """The spec a version stores (:func:`gosplan_service.plan_compute.spec_from_dict`).

    Parameters
    ----------
    document
        The version's ``spec`` column.

    Returns
    -------
    PlanSpec
    """
    from gosplan_service.plan_compute import spec_from_dict

    return spec_from_dict(document)


def result_from_document(document: dict[str, Any]) -> PlanResult:
    """The plan result a version stores (:meth:`PlanResult.to_dict`).

    Parameters
    ----------
    document
        The version's ``result`` column.

    Returns
    -------
    PlanResult
    """
    from gosplan.core.plan_result import PlanResult

    return PlanResult.from_dict(document, source="plan version")


def control_figure_rows(result: PlanResult, spec: PlanSpec) -> list[dict[str, Any]]:
    """The control figures of a solved plan as rows of :class:`ControlFigure`.

    Parameters
    ----------
    result, spec
        The plan and its spec.

    Returns
    -------
    list of dict
        ``enterprise, activity, product, period, month, level, output``.
    """
    from gosplan.run import control_figures

    table = control_figures(result, spec).figures
    return [
        {
            "enterprise": str(row.enterprise),
            "activity": str(row.activity),
            "product": str(row.product),
            "period": int(row.period),
            "month": int(row.month),
            "level": float(row.level),
            "output": float(row.output),
        }
        for row in table.itertuples(index=False)
    ]


# ---------------------------------------------------------------------------- labels
@dataclass(frozen=True)
class PlanLabels:
    """What a plan version knows: its periods, products, labour types, enterprises.

    Attributes
    ----------
    periods
        The plan's periods.
    products, labour_types
        Labels of the economy (from the stored result).
    enterprises
        The enterprises with control figures.
    made
        ``made[enterprise]``: the products the enterprise has figures for.
    """

    periods: frozenset[int]
    products: frozenset[str]
    labour_types: frozenset[str]
    enterprises: frozenset[str]
    made: dict[str, frozenset[str]]


def _first_column(result: dict[str, Any], table: str) -> set[str]:
    found = (result.get("tables") or {}).get(table) or {}
    columns = found.get("columns") or []
    if not columns:
        return set()
    return {str(record[columns[0]]) for record in found.get("records") or []}


def plan_labels(version: PlanVersion, figures: Iterable[ControlFigure]) -> PlanLabels:
    """The labels of ``version`` (its stored result) and of its control figures.

    Parameters
    ----------
    version
        A solved plan version.
    figures
        Its control figures.

    Returns
    -------
    PlanLabels
    """
    result = version.result or {}
    made: dict[str, set[str]] = {}
    for figure in figures:
        made.setdefault(figure.enterprise, set()).add(figure.product)
    return PlanLabels(
        periods=frozenset(int(p) for p in result.get("periods") or ()),
        products=frozenset(_first_column(result, "output")),
        labour_types=frozenset(_first_column(result, "employment")),
        enterprises=frozenset(made),
        made={enterprise: frozenset(products) for enterprise, products in made.items()},
    )


# ---------------------------------------------------------------------------- the check
def counter_plan_label(counter_plan_id: int) -> str:
    """How the check names a counter-plan (``"counter-plan-7"``).

    Parameters
    ----------
    counter_plan_id
        The counter-plan's id.

    Returns
    -------
    str
    """
    return f"counter-plan-{counter_plan_id}"


def check_parameters(version: PlanVersion, counter_plan: CounterPlan) -> dict[str, Any]:
    """The parameters of a check job: everything :func:`check` needs, as JSON.

    Parameters
    ----------
    version
        The plan version (its spec and result are copied in: the worker has no database).
    counter_plan
        The counter-plan (flushed: it has an id).

    Returns
    -------
    dict
        ``counter_plan_id``, ``plan_version_id``, ``enterprise``, ``rows``, ``spec``,
        ``result``.
    """
    return {
        "counter_plan_id": counter_plan.id,
        "plan_version_id": version.id,
        "enterprise": counter_plan.enterprise,
        "rows": counter_plan.rows,
        "spec": version.spec,
        "result": version.result,
    }


def counter_plan_table(
    counter_plan_id: int, enterprise: str, rows: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    """The counter-plan table :func:`gosplan.run.check_counter_plan` reads.

    Parameters
    ----------
    counter_plan_id
        The counter-plan's id (its label: :func:`counter_plan_label`).
    enterprise
        Its enterprise.
    rows
        Its stored rows (``period, extra_output[, input, new_coefficient]``).

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    label = counter_plan_label(counter_plan_id)
    records = [
        {
            "counter_plan": label,
            "enterprise": enterprise,
            "period": int(row["period"]),
            "extra_output": float(row["extra_output"]),
            "input": row.get("input"),
            "new_coefficient": row.get("new_coefficient"),
        }
        for row in rows
    ]
    table = pd.DataFrame.from_records(records)
    if table["input"].isna().all():
        table = table.drop(columns=["input", "new_coefficient"])
    else:
        table["new_coefficient"] = pd.to_numeric(table["new_coefficient"], errors="coerce")
    table.attrs["source"] = label
    return table


def check(parameters: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Run the counter-plan check of a job (in a worker process).

    Parameters
    ----------
    parameters
        As made by :func:`check_parameters`.
    progress
        ``progress(fraction_done, message)``.

    Returns
    -------
    dict
        Strict JSON: ``ok`` (the table was valid), ``accepted_share``, ``message``,
        ``missing`` (what is missing upstream to accept it in full), ``starved`` (the
        targets that would fall short), ``document`` (the whole
        :meth:`CounterPlanCheck.to_dict`); or ``ok`` false with the ``problems`` found.
        ``summary`` is what the job's row keeps.
    """
    from gosplan.errors import ValidationError
    from gosplan.run import check_counter_plan

    progress(0.0, "reading the plan")
    spec = spec_from_document(parameters["spec"])
    result = result_from_document(parameters["result"])
    table = counter_plan_table(
        parameters["counter_plan_id"], parameters["enterprise"], parameters["rows"]
    )
    progress(0.5, "checking the counter-plan upstream")
    try:
        answer = check_counter_plan(result, spec, table)
    except ValidationError as err:
        progress(1.0, "the counter-plan is not valid")
        problems = [str(p) for p in err.problems] or [str(err)]
        return {"ok": False, "problems": problems, "summary": {"ok": False}}
    label = counter_plan_label(parameters["counter_plan_id"])
    progress(1.0, "checked")
    share = answer.accepted_share(label)
    return {
        "ok": True,
        "accepted_share": share,
        "message": answer.message(),
        "missing": frame_records(answer.missing),
        "starved": frame_records(answer.starved),
        "document": answer.to_dict(),
        "summary": {"ok": True, "accepted_share": share, "missing": len(answer.missing)},
    }


def apply_check(session: Session, job: Job, result: dict[str, Any]) -> None:
    """Store a finished check with its counter-plan (in the service process).

    A submitted counter-plan becomes ``checked``; a withdrawn one keeps its status (the
    check is stored all the same). An audit row records the change.

    Parameters
    ----------
    session
        The session (its transaction commits the change).
    job
        The check job (its ``parameters`` name the counter-plan).
    result
        What :func:`check` returned.
    """
    counter_plan = session.get(CounterPlan, int(job.parameters["counter_plan_id"]))
    if counter_plan is None:
        return
    before = audit.snapshot(counter_plan, exclude=frozenset({"check_result"}))
    if counter_plan.status == "submitted":
        counter_plan.status = check_transition(counter_plan.status, "check", COUNTER_PLAN)
    counter_plan.check_result = result
    session.flush()
    audit.record(
        session,
        user=session.get(User, job.requested_by),
        action="counter_plan.check",
        object_type="counter_plan",
        object_id=counter_plan.id,
        before=before,
        after=audit.snapshot(counter_plan, exclude=frozenset({"check_result"})),
        detail=f"job {job.id}",
    )


# ---------------------------------------------------------------------------- results
def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and not isinstance(value, str | int | float | bool):
        import pandas as pd

        return None if pd.isna(value) else str(value)
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as strict-JSON records (NaN and missing values ``None``, labels text).

    Parameters
    ----------
    frame
        The table.

    Returns
    -------
    list of dict
    """
    columns = [str(c) for c in frame.columns]
    return [
        {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.astype(object).itertuples(index=False, name=None)
    ]


def _actuals(reports: Iterable[tuple[str, int, Sequence[dict[str, Any]]]]) -> pd.DataFrame:
    """The actuals table: the latest report of each enterprise, period and product counts."""
    import pandas as pd

    latest: dict[tuple[str, int, str], float] = {}
    for enterprise, period, rows in reports:
        for row in rows:
            latest[enterprise, int(period), str(row["product"])] = float(row["quantity"])
    return pd.DataFrame(
        [
            {"enterprise": e, "period": t, "product": p, "month": 0, "output": q}
            for (e, t, p), q in latest.items()
        ],
        columns=["enterprise", "period", "product", "month", "output"],
    )


def fulfilment_report(
    figures: Iterable[ControlFigure],
    reports: Iterable[tuple[str, int, Sequence[dict[str, Any]]]],
) -> FulfilmentReport | None:
    """The reports against the control figures (:func:`gosplan.run.fulfilment`).

    Parameters
    ----------
    figures
        The version's control figures.
    reports
        ``(enterprise, period, rows)`` of each report, oldest first: a later report of the
        same enterprise, period and product replaces an earlier one.

    Returns
    -------
    FulfilmentReport or None
        ``None`` when there is no report yet.
    """
    import pandas as pd

    from gosplan.run import fulfilment

    actuals = _actuals(reports)
    if not len(actuals):
        return None
    table = pd.DataFrame(
        [
            {
                "enterprise": f.enterprise,
                "product": f.product,
                "period": f.period,
                "month": f.month,
                "output": f.output,
            }
            for f in figures
        ],
        columns=["enterprise", "product", "period", "month", "output"],
    )
    return fulfilment(table, actuals, source="fulfilment reports")


def fulfilment_rows(
    report: FulfilmentReport | None, enterprise: str | None
) -> list[dict[str, Any]]:
    """The report's rows (of one enterprise, or all with ``None``) as JSON records.

    Parameters
    ----------
    report
        From :func:`fulfilment_report`.
    enterprise
        The enterprise the rows are limited to, or ``None``.

    Returns
    -------
    list of dict
    """
    if report is None:
        return []
    table = report.table.drop(columns=["trust", "commissariat"])
    if enterprise is not None:
        table = table[table["enterprise"].astype(str) == enterprise]
    return frame_records(table)


def competition_rows(report: FulfilmentReport | None, measure: str) -> list[dict[str, Any]]:
    """The ranking of the enterprises (:func:`gosplan.run.competition`) as JSON records.

    Parameters
    ----------
    report
        From :func:`fulfilment_report`.
    measure
        ``"fulfilment"``, ``"growth"`` or ``"productivity"``.

    Returns
    -------
    list of dict
        ``enterprise, period, month, value, rank``.
    """
    from gosplan.run import competition

    if report is None:
        return []
    return frame_records(competition(report, by="enterprise", measure=measure))


def alert_rows(report: FulfilmentReport | None, enterprise: str | None) -> list[dict[str, Any]]:
    """The alerts on the fulfilment (:func:`gosplan.run.alerts`) as JSON records.

    Parameters
    ----------
    report
        From :func:`fulfilment_report`.
    enterprise
        The enterprise the alerts are limited to, or ``None``.

    Returns
    -------
    list of dict
        ``enterprise, product, period, month, value, probability, direction, level, reports``.
    """
    from gosplan.run import alerts

    if report is None:
        return []
    found = alerts(report.table)
    if enterprise is not None:
        found = found[found["enterprise"].astype(str) == enterprise]
    return frame_records(found)
