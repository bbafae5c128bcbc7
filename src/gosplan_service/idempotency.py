"""``Idempotency-Key`` for the report and counter-plan POSTs: a retried request is answered once.

A client sends ``Idempotency-Key: <key>`` (1 to :data:`KEY_LENGTH` visible ASCII
characters) with a submission; without it the answer is 428. Keys are scoped per user. The
request's hash is the SHA-256 of its method, path and canonical JSON body (keys sorted, no
spaces), so a re-sent body that differs only in spacing or key order is the same request.

In the endpoint, inside the request's one transaction::

    claim = idempotency.claim(session, user, key, fingerprint)
    if claim.replay is not None:
        return claim.replay                    # the stored response, Idempotent-Replay: true
    ...                                        # the work
    return idempotency.complete(session, claim, 201, body, headers={"Location": ...})

- :func:`claim` inserts the key's row with no response yet (a savepoint around the
  ``INSERT``, unique per user and key). The row commits with the created object, or is
  rolled back with everything else when the request fails (a 4xx or 5xx leaves no key: the
  client may retry with the same key).
- :func:`complete` stores the response's status and body before the commit.
- A replay of a completed key answers the stored status and body with
  ``Idempotent-Replay: true``; the same key with another method, path or body answers 422;
  a twin arriving while the first is still in flight (its row exists with no response yet)
  answers 409. On PostgreSQL the twin's ``INSERT`` waits for the first transaction and then
  sees its committed row (a replay); on SQLite writing requests are serialised by the write
  lock, so the twin finds the completed key (a replay) too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gosplan_service.models import IdempotencyKey, User
from gosplan_service.problems import Problem

__all__ = [
    "HEADER",
    "KEY_LENGTH",
    "REPLAY_HEADER",
    "Claim",
    "Fingerprint",
    "FingerprintDep",
    "canonical_json",
    "claim",
    "complete",
    "fingerprint",
    "request_hash",
]

#: The request header, and the header marking a replayed response.
HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replay"
#: The longest key accepted (the column holds 255 characters).
KEY_LENGTH = 255


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON: keys sorted, no spaces, non-ASCII kept.

    Parameters
    ----------
    value
        A JSON value.

    Returns
    -------
    str
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_hash(method: str, path: str, body: Any) -> str:
    """SHA-256 (hex) of the method, the path and the canonical JSON body.

    Parameters
    ----------
    method, path
        The request's method and path.
    body
        Its parsed JSON body.

    Returns
    -------
    str
    """
    text = canonical_json([method.upper(), path, body])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """A request's idempotency key and what identifies the request."""

    key: str
    method: str
    path: str
    digest: str


def _check_key(key: str | None) -> str:
    if key is None:
        raise Problem(428, f"This submission needs an {HEADER} header (a unique key per request).")
    if not 1 <= len(key) <= KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        message = f"The key must be 1 to {KEY_LENGTH} visible ASCII characters."
        raise Problem.invalid([{"field": "header.idempotency-key", "message": message}])
    return key


async def fingerprint(
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias=HEADER)] = None,
) -> Fingerprint:
    """FastAPI dependency: the request's key and hash (428 without a key).

    Parameters
    ----------
    request
        The request (its body is read once and cached by Starlette).
    idempotency_key
        The ``Idempotency-Key`` header.

    Returns
    -------
    Fingerprint

    Raises
    ------
    gosplan_service.problems.Problem
        428 without the header, 422 for a key that is too long or not visible ASCII, 400
        for a body that is not JSON.
    """
    key = _check_key(idempotency_key)
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        raise Problem(400, "The request body is not valid JSON.") from None
    path = request.url.path
    return Fingerprint(key, request.method, path, request_hash(request.method, path, body))


FingerprintDep = Annotated[Fingerprint, Depends(fingerprint)]


@dataclass
class Claim:
    """A claimed key: its row, or the replay to answer instead of doing the work."""

    row: IdempotencyKey | None
    replay: JSONResponse | None


def _find(session: Session, user: User, key: str) -> IdempotencyKey | None:
    query = select(IdempotencyKey).where(
        IdempotencyKey.user_id == user.id, IdempotencyKey.key == key
    )
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def _answer(
    row: IdempotencyKey, found: Fingerprint, location: Callable[[Any], str] | None
) -> Claim:
    if row.request_hash != found.digest or row.method != found.method or row.path != found.path:
        raise Problem.invalid(
            [
                {
                    "field": "header.idempotency-key",
                    "message": "This key was used for another request (method, path or body).",
                }
            ],
            detail="The Idempotency-Key was already used with another request.",
        )
    if row.response_status is None:
        raise Problem(
            409,
            "A request with this Idempotency-Key is still in progress; retry later.",
            title="Request in progress",
        )
    headers = {REPLAY_HEADER: "true"}
    if location is not None and row.response_body is not None:
        headers["Location"] = location(row.response_body)
    replay = JSONResponse(row.response_body, status_code=row.response_status, headers=headers)
    return Claim(row=row, replay=replay)


def claim(
    session: Session,
    user: User,
    found: Fingerprint,
    *,
    location: Callable[[Any], str] | None = None,
) -> Claim:
    """Claim the key for this request, or answer the stored response.

    Parameters
    ----------
    session
        The request's session (the key's row joins its transaction).
    user
        Who asks (keys are scoped per user).
    found
        The request's key and hash (:func:`fingerprint`).
    location
        Builds the ``Location`` header of a replay from the stored body.

    Returns
    -------
    Claim
        With ``replay`` set: answer it and do nothing else. Otherwise the key is claimed:
        do the work and :func:`complete` it.

    Raises
    ------
    gosplan_service.problems.Problem
        422 for a key used with another request; 409 for one still in flight.
    """
    existing = _find(session, user, found.key)
    if existing is not None:
        return _answer(existing, found, location)
    row = IdempotencyKey(
        user_id=user.id,
        key=found.key,
        method=found.method,
        path=found.path,
        request_hash=found.digest,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # a twin holds the key: now committed (a replay) or, on some other engine, in flight
        existing = _find(session, user, found.key)
        if existing is None:
            raise Problem(
                409,
                "A request with this Idempotency-Key is still in progress; retry later.",
                title="Request in progress",
            ) from None
        return _answer(existing, found, location)
    return Claim(row=row, replay=None)


def complete(
    session: Session,
    claimed: Claim,
    status: int,
    body: Any,
    *,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Store the response with the key (before the commit) and return it.

    Parameters
    ----------
    session
        The request's session.
    claimed
        What :func:`claim` returned (with no replay).
    status
        The response's status.
    body
        Its JSON body.
    headers
        Its headers (``Location``).

    Returns
    -------
    fastapi.responses.JSONResponse
    """
    assert claimed.row is not None and claimed.replay is None
    claimed.row.response_status = status
    claimed.row.response_body = body
    session.flush()
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))
