"""Errors as ``application/problem+json`` documents (RFC 9457): no tracebacks, no internals.

Raise :class:`Problem` anywhere in a request (an endpoint, a dependency, a validator run by a
dependency); :func:`install_problem_handlers` turns it, FastAPI's validation errors (422, or
400 for a body that is not JSON), Starlette's :class:`~starlette.exceptions.HTTPException`
(404 for an unknown path, 405, ...) and any unexpected exception (500, logged, shown without
details) into a problem document::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "1 field is invalid", "errors": [{"field": "body.rows[2].quantity",
     "message": "Input should be a valid number"}]}

:class:`RequestLimitsMiddleware` refuses a body over the size limit with 413, whether it
announces its length or streams it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gosplan_service.settings import Settings, set_active_settings

log = logging.getLogger(__name__)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "FieldError",
    "Problem",
    "RequestLimitsMiddleware",
    "field_name",
    "install_problem_handlers",
    "problem_response",
]

#: The media type of every error response.
PROBLEM_MEDIA_TYPE = "application/problem+json"
#: One offending field: ``{"field": "body.rows[2].quantity", "message": "..."}``.
FieldError = dict[str, str]


class Problem(StarletteHTTPException):
    """An error answered as a problem document.

    A subclass of Starlette's ``HTTPException``, so that FastAPI passes it through body
    parsing and dependencies unchanged.

    Parameters
    ----------
    status
        The HTTP status code.
    detail
        What went wrong, for a person (no internals).
    title
        A short summary of the kind of problem (default: the status's phrase).
    errors
        The offending fields, each ``{"field": ..., "message": ...}``.
    headers
        Extra response headers (``Retry-After``, ``WWW-Authenticate``, ...).
    type
        A URI naming the kind of problem (``about:blank``: the status says it all).
    """

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        type: str = "about:blank",
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=dict(headers or {}))
        self.status = status
        self.title = title or _phrase(status)
        self.errors = [dict(e) for e in errors or ()]
        self.type = type

    def to_dict(self) -> dict[str, Any]:
        """The problem document.

        Returns
        -------
        dict
            ``type``, ``title``, ``status``, ``detail`` (when given) and ``errors``.
        """
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail is not None:
            body["detail"] = self.detail
        body["errors"] = self.errors
        return body

    @classmethod
    def not_found(cls) -> Problem:
        """404 with one fixed text: an object hidden from the user reads like a missing one.

        Returns
        -------
        Problem
        """
        return cls(404, "The requested object does not exist.")

    @classmethod
    def unauthorized(cls, detail: str = "A valid token is needed.") -> Problem:
        """401 with ``WWW-Authenticate: Bearer``.

        Parameters
        ----------
        detail
            Why the credentials were refused.

        Returns
        -------
        Problem
        """
        return cls(401, detail, headers={"WWW-Authenticate": "Bearer"})

    @classmethod
    def too_many_requests(cls, retry_after_s: int, what: str) -> Problem:
        """429 with ``Retry-After`` (whole seconds, at least 1).

        Parameters
        ----------
        retry_after_s
            Seconds until the next attempt can succeed.
        what
            What was limited, e.g. ``"login attempts"``.

        Returns
        -------
        Problem
        """
        seconds = max(1, int(retry_after_s))
        return cls(
            429,
            f"Too many {what}; try again in {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )

    @classmethod
    def invalid(cls, errors: Sequence[FieldError], detail: str | None = None) -> Problem:
        """422 naming each offending field.

        Parameters
        ----------
        errors
            ``{"field": ..., "message": ...}`` for each field.
        detail
            A summary (default: how many fields are invalid).

        Returns
        -------
        Problem
        """
        count = len(errors)
        summary = detail or f"{count} field{'s' if count != 1 else ''} {_are(count)} invalid."
        return cls(422, summary, errors=errors)


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(problem: Problem) -> JSONResponse:
    """The response carrying ``problem``.

    Parameters
    ----------
    problem
        The problem.

    Returns
    -------
    fastapi.responses.JSONResponse
        With media type :data:`PROBLEM_MEDIA_TYPE` and the problem's headers.
    """
    return JSONResponse(
        problem.to_dict(),
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def field_name(loc: Iterable[int | str]) -> str:
    """A validation error's location as one path: ``("body", "rows", 2)`` -> ``body.rows[2]``.

    Parameters
    ----------
    loc
        The location parts (strings are keys, integers list positions).

    Returns
    -------
    str
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _validation_problem(exc: RequestValidationError) -> Problem:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return Problem(400, "The request body is not valid JSON.")
    fields = [
        {"field": field_name(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
        for e in errors
    ]
    return Problem.invalid(fields)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(_validation_problem(exc))


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    # Starlette's own details are its status phrase or a parser's message: fine to show.
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _phrase(status) else None
    headers = exc.headers
    documented = allowed_methods(request) if status == 405 else []
    if documented:
        headers = {**(headers or {}), "Allow": ", ".join(documented)}
    return problem_response(Problem(status, detail, headers=headers))


def allowed_methods(request: Request) -> list[str]:
    """The methods the app's OpenAPI schema documents for the request's path (for ``Allow``).

    Starlette's 405 names the methods of one route; a path served by one route per method
    (``GET`` and ``POST /api/plans``) has more, and the schema has them all.

    Parameters
    ----------
    request
        The request that got 405.

    Returns
    -------
    list of str
        Sorted; empty for a path the schema does not document (a page).
    """
    path = request.url.path
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)), path):
            methods.update(m.upper() for m in operations if m.isalpha())
    return sorted(methods)


async def _on_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(Problem(500, "An unexpected error occurred; it has been logged."))


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with a problem document.

    Parameters
    ----------
    app
        The application.
    """
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_error)


class RequestLimitsMiddleware:
    """Refuse request bodies over ``settings.max_body_bytes`` (413), and publish the settings.

    A ``Content-Length`` over the limit is refused before the body is read; a body streamed
    without one (or longer than announced) is counted as it arrives, and reading stops with
    413 as soon as it passes the limit. Each request also sees the application's settings
    through :func:`gosplan_service.settings.active_settings`.

    Parameters
    ----------
    app
        The wrapped ASGI application.
    settings
        The application's settings.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run one request (or pass a non-HTTP scope through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        set_active_settings(self.settings)
        limit = self.settings.max_body_bytes
        refusal = _length_refusal(scope, limit)
        if refusal is not None:
            await problem_response(refusal)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counting_receive, send)


def _too_large(limit: int) -> Problem:
    return Problem(413, f"The request body is larger than {limit} bytes.")


def _length_refusal(scope: Scope, limit: int) -> Problem | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return Problem(400, "The Content-Length header is not a number.")
            return _too_large(limit) if length > limit else None
    return None
