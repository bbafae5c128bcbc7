"""Every call the simulation side of the service makes into the library ``gosplan``.

Two kinds of job run an adopted (solved) plan version forward on its calendar, month by
month (:func:`gosplan.run.simulate`, :mod:`gosplan.run.plan_simulation`):

- ``simulation``: one run, with the shocks given (:mod:`gosplan.run.shocks`);
  :func:`simulate` returns a summary (plan fulfilment by product and period, unmet final
  demand by final user and period, the worst shortfalls and their chains) and the whole
  :meth:`SimulationResult.to_dict <gosplan.core.simulation_result.SimulationResult.to_dict>`;
- ``ensemble``: Monte Carlo runs in which every shock given as a range (``share_min``,
  ``share_max``) is drawn from each run's seed (the seeds of
  :func:`gosplan.run.ensemble.run_seeds`); :func:`ensemble` returns the mean and the
  5/50/95 % quantiles over the runs of their fulfilment and their unmet final demand by
  user. The runs go one after the other in the worker process (see :func:`ensemble`).

The parameters (:func:`parameters`) carry the version's spec and result documents, as the
check job does: the worker has no database. :func:`check_options` runs the library's own
checks of the options and the shocks in the request (:func:`prepare_plan
<gosplan.run.plan_simulation.prepare_plan>`, which builds the run without stepping it), so
a bad shock is a 422 naming ``body.shocks[i].<field>`` rather than a failed job.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from gosplan_service import audit
from gosplan_service.models import Job, PlanVersion, User
from gosplan_service.plan_compute import spec_digest

if TYPE_CHECKING:
    import pandas as pd

    from gosplan.core.plan_result import PlanResult
    from gosplan.core.simulation_result import SimulationResult
    from gosplan.core.spec import PlanSpec
    from gosplan.errors import InputError

__all__ = [
    "OPTION_KEYS",
    "SHOCK_FIELDS",
    "ShocksInvalid",
    "apply_ensemble",
    "apply_simulation",
    "check_options",
    "ensemble",
    "parameters",
    "shock_table",
    "simulate",
]

Progress = Callable[[float, str], None]

#: The columns a shock row may give (the library's :data:`SHOCK_COLUMNS`, ``date`` and
#: ``enterprise``), in the order the checks name them.
SHOCK_FIELDS = (
    "product",
    "enterprise",
    "from_step",
    "date",
    "share",
    "share_min",
    "share_max",
    "recovery",
    "kind",
    "curve",
)
#: The simulation options a job's parameters may carry (besides spec and result).
OPTION_KEYS = ("step", "periods", "year_start", "seed")
#: How many worst shortfalls a simulation's summary lists.
WORST = 10
#: The quantiles of an ensemble's summary.
QUANTILES = (0.05, 0.5, 0.95)
#: Words of the library's shock messages, in the order they decide the field named.
_MESSAGE_FIELDS = (
    ("kind", "kind"),
    ("curve", "curve"),
    ("from_step", "from_step"),
    ("date", "date"),
    ("enterprise", "enterprise"),
    ("share_min", "share_min"),
    ("share_max", "share_max"),
    ("recovery", "recovery"),
    ("share", "share"),
    ("labour", "product"),
    ("product", "product"),
)
_SOURCE = "shocks"


class ShocksInvalid(ValueError):
    """Options or shocks the library refuses: ``errors`` lists ``{field, message}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


# ---------------------------------------------------------------------------- parameters
def parameters(
    version: PlanVersion, options: Mapping[str, Any], shocks: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The parameters of a simulation or ensemble job, as JSON.

    Parameters
    ----------
    version
        A plan version with a result (its spec and result are copied in).
    options
        ``step``, ``periods``, ``year_start``, ``seed`` and, for an ensemble, ``runs``
        (``None`` values are left out).
    shocks
        The shock rows (``None`` fields left out).

    Returns
    -------
    dict
        ``plan_version_id``, ``spec``, ``result``, ``shocks`` and the options.
    """
    return {
        "plan_version_id": version.id,
        "spec": version.spec,
        "result": version.result,
        "shocks": [{k: v for k, v in row.items() if v is not None} for row in shocks],
        **{k: v for k, v in options.items() if v is not None},
    }


def _documents(params: Mapping[str, Any]) -> tuple[PlanSpec, PlanResult]:
    from gosplan_service.plan_compute import spec_from_dict
    from gosplan_service.report_compute import result_from_document

    return spec_from_dict(params["spec"]), result_from_document(params["result"])


def shock_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame | None:
    """The shocks table the library reads (only the columns some row gives), or ``None``.

    Parameters
    ----------
    rows
        Shock rows (keys among :data:`SHOCK_FIELDS`).

    Returns
    -------
    pandas.DataFrame or None
        ``attrs["source"]`` is ``"shocks"``; ``None`` for no row.
    """
    import pandas as pd

    if not rows:
        return None
    columns = [c for c in SHOCK_FIELDS if any(row.get(c) is not None for row in rows)]
    table = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)
    table.attrs["source"] = _SOURCE
    return table


def _options(params: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {"step": params.get("step", "month")}
    for key in ("periods", "year_start", "seed"):
        if params.get(key) is not None:
            options[key] = params[key]
    if params.get("periods") is not None:
        options["periods"] = list(params["periods"])
    return options


# ---------------------------------------------------------------------------- checks
def _row_rules(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The rules between a row's fields (the library needs one of each pair)."""
    errors = []
    dated = any(row.get("date") is not None for row in rows)
    for i, row in enumerate(rows):
        where = f"body.shocks[{i}]"
        if (row.get("product") is None) == (row.get("enterprise") is None):
            errors.append({"field": f"{where}.product", "message": "give product or enterprise"})
        if dated and row.get("date") is None:
            message = "give date in every row when one row does (or from_step in every row)"
            errors.append({"field": f"{where}.date", "message": message})
        if not dated and row.get("from_step") is None:
            errors.append({"field": f"{where}.from_step", "message": "give from_step or date"})
        if dated and row.get("from_step") is not None:
            errors.append({"field": f"{where}.from_step", "message": "give from_step or date"})
        ranged = row.get("share_min") is not None or row.get("share_max") is not None
        if row.get("share") is None and not (
            row.get("share_min") is not None and row.get("share_max") is not None
        ):
            message = "give share, or both share_min and share_max"
            errors.append({"field": f"{where}.share", "message": message})
        elif row.get("share") is not None and ranged:
            message = "give share or a range (share_min, share_max), not both"
            errors.append({"field": f"{where}.share", "message": message})
    return errors


def _problem_field(problem: InputError, rows: int) -> str:
    """Where in the request body a problem the library found lies."""
    source = str(problem.source or "")
    if source != _SOURCE:
        return f"body.{source}" if source in OPTION_KEYS else "body"
    row = problem.row
    if not isinstance(row, int) or not 2 <= row < rows + 2:
        return "body.shocks"
    text = str(problem.message)
    field = next((f for word, f in _MESSAGE_FIELDS if word in text), None)
    where = f"body.shocks[{row - 2}]"
    return f"{where}.{field}" if field else where


def check_options(
    spec: Mapping[str, Any], result: Mapping[str, Any], params: Mapping[str, Any]
) -> None:
    """Check a request's options and shocks with the library, as a run would (no step run).

    Parameters
    ----------
    spec, result
        The version's spec and result documents.
    params
        ``shocks`` (rows) and the options (:data:`OPTION_KEYS`).

    Raises
    ------
    ShocksInvalid
        Naming each offending field (``body.shocks[2].product``, ``body.periods``, ...).
    """
    from gosplan.errors import InputError, ValidationError
    from gosplan.run.plan_simulation import prepare_plan

    rows = list(params.get("shocks") or [])
    errors = _row_rules(rows)
    if errors:
        raise ShocksInvalid(errors)
    plan, plan_result = _documents({"spec": spec, "result": result})
    try:
        prepare_plan(plan, plan_result, shocks=shock_table(rows), **_options(params))
    except ValidationError as exc:
        found = exc.problems or [exc]
        errors = [{"field": _problem_field(p, len(rows)), "message": p.message} for p in found]
        raise ShocksInvalid(errors) from None
    except InputError as exc:
        raise ShocksInvalid(
            [{"field": _problem_field(exc, len(rows)), "message": exc.message}]
        ) from None


# ---------------------------------------------------------------------------- tables
def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _long(frame: pd.DataFrame, name: str) -> list[dict[str, Any]]:
    """A labels x periods table as records ``{<name>, period, percent}`` (NaN: ``None``)."""
    rows = []
    for label, values in frame.iterrows():
        for period, value in values.items():
            rows.append({name: str(label), "period": int(period), "percent": _number(value)})
    return rows


def _worst(out: SimulationResult) -> list[dict[str, Any]]:
    from gosplan.run.outcome import shortfalls
    from gosplan_service.report_compute import frame_records

    return frame_records(shortfalls(out, WORST))


def _summary(out: SimulationResult, weights: pd.Series) -> dict[str, Any]:
    periods = sorted({int(p) for p in out.period_of_step()})
    return {
        "steps": int(out.steps),
        "periods": periods,
        "fulfilment": _long(out.plan_fulfilment(), "product"),
        "unmet_by_user": _long(out.unmet_by_user(weights), "user"),
        "worst": _worst(out),
    }


# ---------------------------------------------------------------------------- simulation
def simulate(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The ``simulation`` job: run the plan forward month by month with the shocks given.

    Parameters
    ----------
    params
        As made by :func:`parameters`.
    progress
        ``progress(fraction_done, message)``.

    Returns
    -------
    dict
        ``summary`` (what the job's row keeps): ``kind``, ``steps``, ``periods``,
        ``shocks`` (how many), ``fulfilment`` (``{product, period, percent}``: simulated
        output as % of the planned), ``unmet_by_user`` (``{user, period, percent}``: final
        demand not met, products added up at labour values), ``worst`` (the worst
        shortfalls and their chains of limiting inputs) and ``document`` (the whole
        :meth:`SimulationResult.to_dict`).
    """
    from gosplan.run import simulate as run_simulation
    from gosplan.run.plan_simulation import labour_values

    progress(0.0, "reading the plan")
    spec, result = _documents(params)
    shocks = list(params.get("shocks") or [])

    def stepped(share: float, message: str) -> None:
        """The run's progress, within this job's (10 % to 90 %)."""
        progress(0.1 + 0.8 * share, message)

    progress(0.1, "simulating")
    out = run_simulation(
        spec, result, shocks=shock_table(shocks), progress=stepped, **_options(params)
    )
    progress(0.9, "summing up")
    summary = {
        "kind": "simulation",
        "shocks": len(shocks),
        **_summary(out, labour_values(spec, result)),
    }
    summary["document"] = out.to_dict()
    progress(1.0, "simulated")
    return {"summary": summary}


# ---------------------------------------------------------------------------- ensemble
def _quantiles(values: Sequence[float]) -> dict[str, float | None]:
    """Mean and :data:`QUANTILES` over the runs, leaving out the runs without a value."""
    import numpy as np

    kept = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    names = [f"p{round(q * 100):02d}" for q in QUANTILES]
    if not len(kept):
        return {"mean": None, **dict.fromkeys(names)}
    found: dict[str, float | None] = {"mean": _number(kept.mean())}
    for name, q in zip(names, QUANTILES, strict=True):
        found[name] = _number(np.quantile(kept, q))
    return found


def _spread(runs: Sequence[list[dict[str, Any]]], name: str) -> list[dict[str, Any]]:
    """Records ``{<name>, period, percent}`` of every run: their mean and quantiles."""
    values: dict[tuple[str, int], list[float]] = {}
    for rows in runs:
        for row in rows:
            percent = row["percent"]
            values.setdefault((row[name], row["period"]), []).append(
                math.nan if percent is None else float(percent)
            )
    return [
        {name: label, "period": period, **_quantiles(found)}
        for (label, period), found in values.items()
    ]


def ensemble(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The ``ensemble`` job: ``runs`` simulations, the shock ranges drawn anew in each.

    Run ``r`` is ``simulate(spec, result, seed=seeds[r], ...)`` with the seeds of
    :func:`gosplan.run.ensemble.run_seeds` (child ``r`` of ``SeedSequence(seed)``): the
    seeds :func:`gosplan.run.ensemble` gives its runs, so that run ``r`` here is its run
    ``r``. The runs are made here, one after the other, and only their summaries kept: a job
    neither starts a Dask cluster nor holds every run's tables.

    Parameters
    ----------
    params
        As made by :func:`parameters`, with ``runs`` and ``seed``.
    progress
        ``progress(fraction_done, message)``.

    Returns
    -------
    dict
        ``summary`` (what the job's row keeps): ``kind``, ``runs``, ``seed``, ``seeds`` (of
        every run), ``periods``, ``shocks``, ``fulfilment`` (``{product, period, mean, p05,
        p50, p95}`` of the runs' output as % of the planned) and ``unmet_by_user`` (``{user,
        period, mean, p05, p50, p95}`` of the final demand not met, at labour values).
    """
    from gosplan.run import simulate as run_simulation
    from gosplan.run.ensemble import run_seeds
    from gosplan.run.plan_simulation import labour_values

    progress(0.0, "reading the plan")
    spec, result = _documents(params)
    weights = labour_values(spec, result)
    runs, rows = int(params["runs"]), list(params.get("shocks") or [])
    options = _options(params)
    seed = int(options.pop("seed", 0))
    seeds = run_seeds(seed, runs)
    table = shock_table(rows)
    fulfilment, unmet = [], []
    for r, run_seed in enumerate(seeds):
        out = run_simulation(spec, result, shocks=table, seed=run_seed, **options)
        fulfilment.append(_long(out.plan_fulfilment(), "product"))
        unmet.append(_long(out.unmet_by_user(weights), "user"))
        progress(0.05 + 0.9 * (r + 1) / runs, f"run {r + 1} of {runs}")
    summary = {"kind": "ensemble", "runs": runs, "seed": seed, "seeds": seeds}
    summary.update(periods=sorted({row["period"] for row in fulfilment[0]}), shocks=len(rows))
    summary["fulfilment"] = _spread(fulfilment, "product")
    summary["unmet_by_user"] = _spread(unmet, "user")
    progress(1.0, "simulated")
    return {"summary": summary}


# ---------------------------------------------------------------------------- apply
def _apply(session: Session, job: Job, result: dict[str, Any], action: str) -> None:
    version = session.get(PlanVersion, job.plan_version_id)
    if version is None:
        raise ValueError("the plan version is gone; the simulation was not kept")
    summary = result.get("summary") or {}
    same = spec_digest(version.spec) == spec_digest(job.parameters.get("spec"))
    audit.record(
        session,
        user=session.get(User, job.requested_by),
        action=action,
        object_type="plan_version",
        object_id=version.id,
        before=None,
        after={"job_id": job.id, "kind": job.kind, "spec_unchanged": same},
        detail=f"job {job.id}: {summary.get('steps', summary.get('runs', '?'))}"
        f" {'steps' if job.kind == 'simulation' else 'runs'}",
    )


def apply_simulation(session: Session, job: Job, result: dict[str, Any]) -> None:
    """Finish a simulation job in the service process: an audit row on its version.

    The summary (with the whole result document) is what the job's row keeps
    (:func:`gosplan_service.jobs.finish`); the version itself is not changed.

    Parameters
    ----------
    session
        The session (the transaction that marks the job done).
    job
        The job.
    result
        What :func:`simulate` returned.

    Raises
    ------
    ValueError
        The version is gone.
    """
    _apply(session, job, result, "plan.simulated")


def apply_ensemble(session: Session, job: Job, result: dict[str, Any]) -> None:
    """Finish an ensemble job in the service process: an audit row on its version.

    Parameters
    ----------
    session
        The session (the transaction that marks the job done).
    job
        The job.
    result
        What :func:`ensemble` returned.

    Raises
    ------
    ValueError
        The version is gone.
    """
    _apply(session, job, result, "plan.simulated")
