"""Server-rendered pages for every role: Jinja2 templates and a little plain JavaScript.

:data:`router` holds every page (``/login``, ``/``, ``/plans/{id}``, ``/audit``, ...; none
in the OpenAPI schema); :func:`mount_static` serves ``static/`` (one CSS file, one JS file)
at ``/static``. Include both in the app::

    from gosplan_service import pages

    app.include_router(pages.router)
    pages.mount_static(app)

Read pages query the database through the models, with the API's rules and the API's
guard (:func:`gosplan_service.audit.require`): a refused page view leaves a ``denied``
audit row, as a refused API call does. Forms and buttons call the JSON API
(``static/pages.js``: ``If-Match`` from the page's ETag, an ``Idempotency-Key`` where the
API takes one); the "New plan" form also works without JavaScript (``POST /plans/new``).
Every template is autoescaped; a problem is shown as a page (a missing session redirects
to ``/login``), never as a traceback.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from gosplan_service.pages import enterprise, login, plans, results, trail

__all__ = ["STATIC_DIR", "mount_static", "router"]

#: The folder served at ``/static``.
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Every page.
router = APIRouter(include_in_schema=False)
for _module in (login, plans, enterprise, results, trail):
    router.include_router(_module.router)


def mount_static(app: FastAPI) -> None:
    """Serve the pages' CSS and JavaScript at ``/static``.

    Parameters
    ----------
    app
        The application.
    """
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
