"""Request and response models of the plan side of the API (plans, votes, jobs, audit, figures).

Split by role like :mod:`gosplan_service.schemas`: ``...Create`` / ``...Update`` (request
bodies: strict, bounded, unknown fields refused) and ``...Public`` (what the API shows).
A spec in a request is a strict-JSON document (see :mod:`gosplan_service.plan_compute`);
its validation by the library happens in the endpoint, which names the offending field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, StringConstraints, model_validator

from gosplan_service.schemas import Name, Page, ProblemDocument, PublicModel, RequestModel
from gosplan_service.settings import MAX_ID

__all__ = [
    "Approval",
    "AuditPublic",
    "ControlFigurePublic",
    "DiffPublic",
    "EnterprisePublic",
    "JobPublic",
    "Page",
    "PlanCreate",
    "PlanDetail",
    "PlanPublic",
    "PlanUpdate",
    "VoteCreate",
    "VotePublic",
    "problem_responses",
]

#: A bundled scenario: ``ussr-1928`` or ``ussr-1928/<spec variant>``.
Scenario = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=100, pattern=r"^[\w.-]+(/[\w.-]+)?$"),
]
#: The largest quorum.
MAX_QUORUM = 10_000


class Approval(RequestModel):
    """How a version is approved: by one approver, or by a quorum of committee members."""

    policy: Literal["single", "quorum"] = "single"
    quorum: Annotated[StrictInt, Field(ge=1, le=MAX_QUORUM)] | None = None

    @model_validator(mode="after")
    def _quorum_with_policy(self) -> Approval:
        if self.policy == "quorum" and self.quorum is None:
            raise ValueError("a quorum policy needs quorum (a whole number, 1 or more)")
        if self.policy == "single" and self.quorum is not None:
            raise ValueError("a single policy takes no quorum")
        return self


class _SpecSource(RequestModel):
    scenario: Scenario | None = None
    spec: dict[str, Any] | None = None

    def _one_source(self, required: bool) -> None:
        if self.scenario is not None and self.spec is not None:
            raise ValueError("give either scenario or spec, not both")
        if required and self.scenario is None and self.spec is None:
            raise ValueError("give scenario (a bundled one) or spec (a plan spec document)")


class PlanCreate(_SpecSource):
    """``POST /api/plans``: a new plan (version 1, a draft)."""

    name: Name
    approval: Approval = Approval()

    @model_validator(mode="after")
    def _source(self) -> PlanCreate:
        self._one_source(required=True)
        return self


class PlanUpdate(_SpecSource):
    """``PATCH /api/plans/{id}``: a draft's new spec (or scenario) and/or approval policy."""

    approval: Approval | None = None

    @model_validator(mode="after")
    def _source(self) -> PlanUpdate:
        self._one_source(required=False)
        if self.scenario is None and self.spec is None and self.approval is None:
            raise ValueError("nothing to change: give scenario, spec or approval")
        return self


class ApprovalPublic(PublicModel):
    """A version's approval policy."""

    policy: str
    quorum: int | None


class PlanPublic(PublicModel):
    """A plan version as a list shows it."""

    id: int
    name: str
    number: int
    parent: int | None
    status: str
    approval: ApprovalPublic
    row_version: int
    has_result: bool
    created_by: int
    created_at: datetime
    updated_at: datetime
    links: dict[str, str]


class PlanDetail(PlanPublic):
    """A plan version with its spec (``GET /api/plans/{id}``)."""

    spec: dict[str, Any]


class VoteCreate(RequestModel):
    """``POST /api/plans/{id}/votes``: a committee member's vote."""

    decision: Literal["approve", "reject"]


class VotePublic(PublicModel):
    """A vote."""

    id: int
    plan_version_id: int
    user_id: int
    decision: str
    created_at: datetime


class JobPublic(PublicModel):
    """A job: where it stands, its result summary and provenance."""

    id: int
    kind: str
    status: str
    progress: float
    message: str | None
    result: dict[str, Any] | None
    provenance: dict[str, Any] | None
    plan_version_id: int | None
    requested_by: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class AuditPublic(PublicModel):
    """An audit event."""

    id: int
    at: datetime
    user_id: int | None
    user_name: str | None
    role: str | None
    action: str
    object_type: str
    object_id: str | None
    outcome: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: str | None


class ControlFigurePublic(PublicModel):
    """One control figure: an enterprise's activity level and output in a period."""

    plan_version_id: int
    enterprise: str
    activity: str
    product: str
    period: int
    month: int
    level: float
    output: float


class EnterprisePublic(PublicModel):
    """An enterprise of a plan's economy."""

    enterprise: str
    activity: str
    industry: str
    trust: str
    commissariat: str
    region: str
    capacity: float | None


class DiffPublic(PublicModel):
    """What differs between two plan versions (``from`` this one ``to`` the other)."""

    version: int
    other: int
    status: dict[str, str] | None
    approval: dict[str, Any] | None
    spec: dict[str, Any]
    activity_levels: list[dict[str, Any]] | None


#: A path id (used by the routers).
PathId = Annotated[int, Field(ge=1, le=MAX_ID)]


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem documents a router's routes may answer.

    :func:`gosplan_service.openapi.service_openapi` puts them under
    ``application/problem+json`` (and adds the statuses every operation of a kind may give).

    Parameters
    ----------
    *statuses
        The status codes.

    Returns
    -------
    dict
    """
    from gosplan_service.openapi import DESCRIPTIONS

    return {
        status: {"model": ProblemDocument, "description": DESCRIPTIONS[status]}
        for status in statuses
    }
