"""Simulations of a solved plan version: one run with shocks, or a Monte Carlo ensemble.

``POST /api/plans/{id}/simulations`` and ``POST /api/plans/{id}/ensembles`` (planners,
action ``plan.simulate``) queue a job on a version that has a result (a draft not solved
yet is a 409) and answer 202 with the job and ``Location: /api/jobs/{id}``. The body's
fields are strict and bounded; the shocks are checked in the request by the library
(:func:`gosplan_service.sim_compute.check_options`), so a bad row is a 422 naming
``body.shocks[i].<field>``. Each request leaves an audit row on the version with the job's
id. The version is not changed (no ``If-Match``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import (
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from gosplan_service import audit, jobs, sim_compute
from gosplan_service.api.deps import CurrentUser, ObjectId, SessionDep
from gosplan_service.api.plans import read_version
from gosplan_service.models import PlanVersion, User
from gosplan_service.plan_schemas import JobPublic, problem_responses
from gosplan_service.problems import Problem
from gosplan_service.schemas import Name, RequestModel

__all__ = ["EnsembleCreate", "ShockRow", "SimulationCreate", "router"]

router = APIRouter(tags=["simulations"], responses=problem_responses(403, 404, 409, 422))

OBJECT = "plan_version"
#: The most shock rows of one request.
MAX_SHOCKS = 200
#: The most Monte Carlo runs of one ensemble.
MAX_RUNS = 200
#: The most steps a shock may start at or recover over (a century of months).
MAX_STEPS = 1200
#: The largest seed (the library's seeds are 63-bit).
MAX_SEED = 2**63 - 1
#: The most a counter-plan shock's share may be (the others: at most 1).
MAX_SHARE = 10.0

Share = Annotated[StrictFloat, Field(allow_inf_nan=False, ge=0.0, le=MAX_SHARE)]
Step = Annotated[StrictInt, Field(ge=0, le=MAX_STEPS)]
Recovery = Annotated[StrictFloat, Field(allow_inf_nan=False, ge=0.0, le=MAX_STEPS)]
Date = Annotated[StrictStr, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
Period = Annotated[StrictInt, Field(ge=1, le=9999)]
Seed = Annotated[StrictInt, Field(ge=0, le=MAX_SEED)]


class ShockRow(RequestModel):
    """One shock (:mod:`gosplan.run.shocks`): what is lost, where, from when, how it recovers.

    ``product`` or ``enterprise``; ``from_step`` or ``date`` (``"1931"``, ``"1931-07"``,
    ``"1931-07-15"``; the same in every row); ``share``, or ``share_min`` and ``share_max``
    (drawn from the run's seed). A share is at most 1 but for a ``counter_plan``.
    """

    kind: Literal["capacity", "harvest", "labour", "transport", "counter_plan"] = "capacity"
    product: Name | None = None
    enterprise: Name | None = None
    from_step: Step | None = None
    date: Date | None = None
    share: Share | None = None
    share_min: Share | None = None
    share_max: Share | None = None
    recovery: Recovery | None = None
    curve: Literal["linear", "exponential", "step"] | None = None

    @field_validator("share", "share_min", "share_max")
    @classmethod
    def _a_part(cls, value: float | None, info: ValidationInfo) -> float | None:
        """A share is a part (at most 1), but a counter-plan's (it may double output)."""
        if value is not None and value > 1 and info.data.get("kind") != "counter_plan":
            raise ValueError("a share is a part of capacity, labour or shipments: at most 1")
        return value


class SimulationCreate(RequestModel):
    """``POST /api/plans/{id}/simulations``: one run of the plan, month by month."""

    step: Literal["month"] = "month"
    periods: Annotated[list[Period], Field(min_length=1, max_length=100)] | None = None
    year_start: Annotated[StrictInt, Field(ge=1, le=12)] = 1
    seed: Seed | None = None
    shocks: Annotated[list[ShockRow], Field(default_factory=list, max_length=MAX_SHOCKS)]


class EnsembleCreate(SimulationCreate):
    """``POST /api/plans/{id}/ensembles``: ``runs`` runs, shock ranges drawn in each."""

    runs: Annotated[StrictInt, Field(ge=1, le=MAX_RUNS)] = 20
    seed: Seed = 0


def _solved(session: SessionDep, user: User, version_id: int) -> PlanVersion:
    version = read_version(session, user, version_id, "plan.simulate")
    if version.result is None:
        raise Problem(409, "The version has no result yet: solve it before simulating.")
    return version


def _queue(
    session: SessionDep,
    user: User,
    version: PlanVersion,
    kind: str,
    options: dict[str, Any],
    shocks: list[dict[str, Any]],
    response: Response,
) -> JobPublic:
    params = sim_compute.parameters(version, options, shocks)
    try:
        sim_compute.check_options(version.spec, version.result or {}, params)
    except sim_compute.ShocksInvalid as exc:
        raise Problem.invalid(exc.errors) from None
    job = jobs.submit(session, kind=kind, parameters=params, user=user, plan_version_id=version.id)
    audit.record(
        session,
        user=user,
        action="plan.simulate",
        object_type=OBJECT,
        object_id=version.id,
        before=None,
        after={"job_id": job.id, "kind": kind, **options, "shocks": len(shocks)},
    )
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return JobPublic.model_validate(job)


def _shock_rows(body: SimulationCreate) -> list[dict[str, Any]]:
    return [row.model_dump(exclude_none=True) for row in body.shocks]


@router.post("/api/plans/{version_id}/simulations", status_code=202)
def simulate_plan(
    version_id: ObjectId,
    body: SimulationCreate,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> JobPublic:
    """Queue one simulation of a solved version (``Location``: the job)."""
    version = _solved(session, user, version_id)
    options = body.model_dump(exclude={"shocks"}, exclude_none=True)
    return _queue(session, user, version, "simulation", options, _shock_rows(body), response)


@router.post("/api/plans/{version_id}/ensembles", status_code=202)
def simulate_ensemble(
    version_id: ObjectId,
    body: EnsembleCreate,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> JobPublic:
    """Queue a Monte Carlo ensemble of simulations of a solved version (``Location``: the job)."""
    version = _solved(session, user, version_id)
    options = body.model_dump(exclude={"shocks"}, exclude_none=True)
    return _queue(session, user, version, "ensemble", options, _shock_rows(body), response)
