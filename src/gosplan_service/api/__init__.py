"""The API's routers, one module per resource; :data:`ROUTERS` is what ``create_app`` includes.

A new resource is a module here with ``router = APIRouter(...)``, appended to
:data:`ROUTERS`. Shared dependencies are in :mod:`gosplan_service.api.deps`.
"""

from __future__ import annotations

from fastapi import APIRouter

from gosplan_service.api import (
    approvals,
    audit_log,
    auth,
    counter_plans,
    figures,
    health,
    jobs,
    plans,
    reports,
    results,
    simulations,
)

__all__ = ["ROUTERS"]

#: Every router of the API, in the order they are included.
ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    plans.router,
    approvals.router,
    figures.router,
    counter_plans.router,
    reports.router,
    results.router,
    simulations.router,
    jobs.router,
    audit_log.router,
]
