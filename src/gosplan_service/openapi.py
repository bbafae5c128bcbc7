"""The service's OpenAPI schema, made to say what the routes really answer.

FastAPI documents every response as ``application/json`` and every header parameter it
cannot require as optional. The service answers every error as an
``application/problem+json`` document (:mod:`gosplan_service.problems`), and it needs
``If-Match`` on every change of a plan version and ``Idempotency-Key`` on every submission
(missing: 428, a problem of its own rather than FastAPI's 422). :func:`service_openapi`
generates the schema once and then:

- documents every error status under ``application/problem+json`` with the
  ``ProblemDocument`` schema, and only there;
- adds the statuses every operation of its kind may answer: 400, 413, 422 and 429 for
  every operation; 401, 403 and 404 for those that need a token; 409, 412 and 428 for the
  changes (``POST``, ``PATCH``, ``PUT``, ``DELETE``) that need one;
- marks ``If-Match`` and ``Idempotency-Key`` required where an operation takes them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["PROBLEM_MEDIA_TYPE", "REQUIRED_HEADERS", "service_openapi"]

#: The media type of every error the service answers.
PROBLEM_MEDIA_TYPE = "application/problem+json"
#: Headers an operation that declares them cannot go without (428 when missing), and the
#: form of their value (an ``If-Match`` of another form names no version: 412).
REQUIRED_HEADERS: dict[str, dict[str, Any]] = {
    "if-match": {"type": "string", "maxLength": 100},
    "idempotency-key": {"type": "string", "pattern": "^[!-~]{1,255}$"},  # visible ASCII
}
#: What each error status means, in the schema's words.
DESCRIPTIONS = {
    400: "Malformed JSON",
    401: "No valid token",
    403: "The role may not do this",
    404: "No such object (or not the user's to know about)",
    409: "Not allowed in the object's current status",
    412: "The If-Match version is stale",
    413: "The body is too large",
    422: "Invalid fields (each named)",
    428: "A required If-Match or Idempotency-Key header is missing",
    429: "Too many requests (see Retry-After)",
}
_ALWAYS = (400, 413, 422, 429)
_WITH_TOKEN = (401, 403, 404)
_CHANGES = (409, 412, 428)
_CHANGE_METHODS = frozenset({"post", "patch", "put", "delete"})
_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDocument"}


def service_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema, generated once (``app.openapi = lambda: ...``).

    Parameters
    ----------
    app
        The service (its routes document ``ProblemDocument`` somewhere, so that the schema
        has it among its components).

    Returns
    -------
    dict
        The schema.
    """
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            _complete(method, operation)
    app.openapi_schema = schema
    return schema


def _complete(method: str, operation: dict[str, Any]) -> None:
    """One operation's errors documented as problems, its required headers required."""
    secured = bool(operation.get("security"))
    headers = [p for p in operation.get("parameters", []) if p.get("in") == "header"]
    for parameter in headers:
        form = REQUIRED_HEADERS.get(parameter["name"].lower())
        if form is not None:
            parameter["required"] = True
            parameter["schema"] = {**form, "title": parameter["name"]}
    statuses = list(_ALWAYS)
    if secured:
        statuses += _WITH_TOKEN
    if method in _CHANGE_METHODS and secured:
        statuses += _CHANGES
    responses = operation.setdefault("responses", {})
    for status in statuses:
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
