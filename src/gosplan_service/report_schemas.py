"""Request and response models of counter-plans, fulfilment reports and their results.

Split by role (``...Create``: a POST body; ``...Public``: what the API shows). Request
models refuse unknown fields and take strict numbers: a string or a boolean where a
quantity is wanted is a 422 naming it (``body.rows[0].quantity``). Lists and strings are
bounded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictFloat, StrictInt, model_validator

from gosplan_service.schemas import LARGEST_QUANTITY, Name, PublicModel, RequestModel

__all__ = [
    "MAX_ROWS",
    "AlertsPublic",
    "Amount",
    "CompetitionPublic",
    "CounterPlanCreate",
    "CounterPlanCreated",
    "CounterPlanPublic",
    "CounterPlanRow",
    "FulfilmentPublic",
    "Period",
    "ReportCreate",
    "ReportPublic",
    "ReportRow",
]

#: The most rows of one report or counter-plan.
MAX_ROWS = 1000
#: A plan period (a year).
Period = Annotated[StrictInt, Field(ge=-1_000_000, le=1_000_000)]
#: A finite quantity, zero or more (an int is accepted as a float; a bool or a string is not).
Amount = Annotated[StrictFloat, Field(allow_inf_nan=False, ge=0, le=LARGEST_QUANTITY)]


class ReportRow(RequestModel):
    """One product's actual output in a report."""

    product: Name
    quantity: Amount


class ReportCreate(RequestModel):
    """``POST /api/plans/{id}/reports``: an enterprise's output in one period."""

    enterprise: Name
    period: Period
    rows: Annotated[list[ReportRow], Field(min_length=1, max_length=MAX_ROWS)]


class ReportPublic(PublicModel):
    """A fulfilment report as the API shows it."""

    id: int
    plan_version_id: int
    enterprise: str
    period: int
    rows: list[dict[str, Any]]
    submitted_by: int
    created_at: datetime


class CounterPlanRow(RequestModel):
    """Extra output in one period and, optionally, a raised norm (less of ``input``)."""

    period: Period
    extra_output: Amount
    input: Name | None = None
    new_coefficient: Amount | None = None

    @model_validator(mode="after")
    def _norm_complete(self) -> CounterPlanRow:
        if (self.input is None) != (self.new_coefficient is None):
            raise ValueError("give both input and new_coefficient, or neither")
        return self


class CounterPlanCreate(RequestModel):
    """``POST /api/plans/{id}/counter-plans``: an enterprise's offer."""

    enterprise: Name
    rows: Annotated[list[CounterPlanRow], Field(min_length=1, max_length=MAX_ROWS)]


class CounterPlanPublic(PublicModel):
    """A counter-plan as the API shows it, with its stored check (``None`` until checked)."""

    id: int
    plan_version_id: int
    enterprise: str
    status: str
    rows: list[dict[str, Any]]
    check: dict[str, Any] | None = Field(validation_alias="check_result")
    submitted_by: int
    created_at: datetime
    updated_at: datetime


class CounterPlanCreated(CounterPlanPublic):
    """The answer to a submission: the counter-plan and the check job queued for it."""

    job_id: int | None = None


class FulfilmentPublic(BaseModel):
    """``GET /api/plans/{id}/fulfilment``: one row per report, product, period and month."""

    plan_version_id: int
    rows: list[dict[str, Any]]


class CompetitionPublic(BaseModel):
    """``GET /api/plans/{id}/competition``: the enterprises ranked per period and month."""

    plan_version_id: int
    measure: str
    rows: list[dict[str, Any]]


class AlertsPublic(BaseModel):
    """``GET /api/plans/{id}/alerts``: the alerts open on each report."""

    plan_version_id: int
    rows: list[dict[str, Any]]
