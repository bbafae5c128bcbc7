"""The application factory: :func:`create_app`.

::

    from gosplan_service.app import create_app
    from gosplan_service.settings import Settings

    app = create_app(Settings(database_url="sqlite:///./office.db"))

On start (the lifespan handler) the app makes its engine and session factory and migrates
the database up to the latest revision; on shutdown it disposes of the engine. Its
``state`` holds ``settings``, ``engine``, ``sessionmaker`` and the rate ``limiters``
(``"login"``, ``"submission"``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import make_url

from gosplan_service import __version__, pages
from gosplan_service.admission import AdmissionMiddleware, pool_size
from gosplan_service.api import ROUTERS
from gosplan_service.db import make_engine, make_sessionmaker, upgrade
from gosplan_service.jobs import JobRunner
from gosplan_service.openapi import service_openapi
from gosplan_service.problems import RequestLimitsMiddleware, install_problem_handlers
from gosplan_service.schemas import ProblemDocument
from gosplan_service.security import RateLimiter
from gosplan_service.settings import Settings

__all__ = ["create_app"]

#: Responses every route may give, documented once in the OpenAPI schema.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ProblemDocument, "description": description}
    for status, description in (
        (401, "No valid token"),
        (413, "The body is too large"),
        (422, "Invalid fields"),
        (429, "Too many requests"),
    )
}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    sqlite = _is_sqlite(settings.database_url)
    engine = make_engine(
        settings.database_url, **({} if sqlite else pool_size(settings.max_concurrent_requests))
    )
    try:
        upgrade(engine)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        runner = None
        if settings.job_workers:
            runner = JobRunner(app.state.sessionmaker, settings.database_url, settings.job_workers)
            runner.start()
        app.state.job_runner = runner
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()
    finally:
        engine.dispose()


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service as an ASGI application.

    Parameters
    ----------
    settings
        How it runs (default: :meth:`Settings.from_env`).

    Returns
    -------
    fastapi.FastAPI
        Run it with uvicorn (``gosplan serve``), or drive it with
        ``fastapi.testclient.TestClient`` (as a context manager, so the lifespan runs).
    """
    settings = settings if settings is not None else Settings.from_env()
    app = FastAPI(
        title="gosplan planning office",
        version=__version__,
        lifespan=_lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.limiters = {
        "login": RateLimiter(settings.login_rate_limit),
        "submission": RateLimiter(settings.submission_rate_limit),
    }
    install_problem_handlers(app)
    app.add_middleware(RequestLimitsMiddleware, settings=settings)
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.max_concurrent_requests,
        single_writer=_is_sqlite(settings.database_url),
    )
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(pages.router)
    pages.mount_static(app)
    app.openapi = lambda: service_openapi(app)  # type: ignore[method-assign]
    return app
