"""``GET /api/health``: the service is up and its database answers."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from gosplan_service import __version__
from gosplan_service.api.deps import SessionDep
from gosplan_service.schemas import Health

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/api/health")
def health(session: SessionDep) -> Health:
    """Whether the service runs and reaches its database (no login needed)."""
    session.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__, database=session.get_bind().dialect.name)
