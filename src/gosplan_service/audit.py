"""Append-only audit rows: who, in which role, did what to which object, before and after, when.

:func:`record` adds one :class:`~gosplan_service.models.AuditEvent`:

- an action done (``outcome="done"``) is written in the request's transaction, so it is
  committed with the change it describes, or rolled back with it;
- a denied attempt (``outcome="denied"``) is held on the session and written in a
  transaction of its own once the request's transaction has ended
  (:func:`gosplan_service.db.session_scope` calls :func:`write_pending`), so the request's
  rollback does not lose it.

:func:`require` is the guard an endpoint calls: it authorizes
(:func:`gosplan_service.permissions.authorize`) and records a refusal before re-raising it::

    audit.require(session, user, "counter_plan.submit", object_type="plan_version",
                  object_id=version.id, enterprise=body.enterprise)

:func:`snapshot` turns a model instance into the JSON kept as ``before``/``after``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Protocol

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from gosplan_service.models import AuditEvent, Base, utcnow
from gosplan_service.permissions import authorize
from gosplan_service.problems import Problem

__all__ = ["SCOPED", "Actor", "record", "require", "snapshot", "write_pending"]

#: ``session.info`` key: set on sessions that write pending denials when they end.
SCOPED = "gosplan_service.scoped"
_PENDING = "gosplan_service.pending_denials"
#: Columns never copied into an audit snapshot.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})


class Actor(Protocol):
    """Who acted: a :class:`~gosplan_service.models.User` (or anything shaped like one)."""

    @property
    def id(self) -> int:
        """The user's id."""
        ...

    @property
    def name(self) -> str:
        """The user's name."""
        ...

    @property
    def role(self) -> str:
        """The user's role."""
        ...

    @property
    def enterprise(self) -> str | None:
        """The user's enterprise, if any."""
        ...


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(obj: Base | None, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """The columns of a model instance as JSON (for ``before`` and ``after``).

    Secrets (:data:`SECRET_COLUMNS`) are left out; times become ISO 8601 text.

    Parameters
    ----------
    obj
        The instance (``None`` gives ``None``).
    exclude
        More columns to leave out (a bulky spec, say).

    Returns
    -------
    dict or None
    """
    if obj is None:
        return None
    columns = inspect(obj).mapper.column_attrs
    skip = SECRET_COLUMNS | exclude
    return {c.key: _json_safe(getattr(obj, c.key)) for c in columns if c.key not in skip}


def record(
    session: Session,
    *,
    user: Actor | None,
    action: str,
    object_type: str,
    object_id: int | str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    outcome: Literal["done", "denied"] = "done",
    detail: str | None = None,
    user_name: str | None = None,
) -> None:
    """Record that ``user`` did (or was denied) ``action`` on an object.

    Parameters
    ----------
    session
        The request's session.
    user
        Who acted (``None``: nobody known, e.g. a login with an unknown name).
    action
        What was done: a matrix action (``"plan.publish"``) or ``"login"``, ``"logout"``, ...
    object_type, object_id
        The object acted on (``"plan_version"``, 12).
    before, after
        The object before and after (JSON; see :func:`snapshot`), ``None`` where it did not
        exist or did not change.
    outcome
        ``"done"`` (written with the request's transaction) or ``"denied"`` (written in its
        own transaction when the request's ends; see the module's docs).
    detail
        Why it was denied, or anything else worth keeping (no secrets).
    user_name
        The name given, where ``user`` is ``None`` (defaults to ``user.name``).
    """
    values: dict[str, Any] = {
        "at": utcnow(),
        "user_id": user.id if user is not None else None,
        "user_name": user.name if user is not None else user_name,
        "role": user.role if user is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "outcome": outcome,
        "before": before,
        "after": after,
        "detail": detail,
    }
    if outcome == "done":
        session.add(AuditEvent(**values))
    elif session.info.get(SCOPED):
        session.info.setdefault(_PENDING, []).append(values)
    else:
        _write(session, [values])


def write_pending(session: Session) -> None:
    """Write the denied attempts ``session`` holds, in a transaction of their own.

    Call it once the session's transaction has ended (committed or rolled back);
    :func:`gosplan_service.db.session_scope` does.

    Parameters
    ----------
    session
        The session that recorded them.
    """
    pending = session.info.pop(_PENDING, [])
    if pending:
        _write(session, pending)


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    with Session(bind=session.get_bind()) as own, own.begin():
        own.add_all(AuditEvent(**values) for values in rows)


def require(
    session: Session,
    user: Actor,
    action: str,
    *,
    object_type: str,
    object_id: int | str | None,
    enterprise: str | None = None,
    draft: bool = False,
) -> None:
    """Authorize ``user`` for ``action``; record a refusal (``denied``) and re-raise it.

    Parameters
    ----------
    session
        The request's session.
    user
        Who asks.
    action
        One of :data:`gosplan_service.permissions.ACTIONS`.
    object_type, object_id
        The object (for the audit row).
    enterprise
        The object's enterprise (see :func:`~gosplan_service.permissions.authorize`).
    draft
        The object is (or belongs to) a draft plan version.

    Raises
    ------
    gosplan_service.problems.Problem
        403 or 404, as :func:`~gosplan_service.permissions.authorize` decides.
    """
    try:
        authorize(user, action, enterprise, draft=draft)
    except Problem as refusal:
        record(
            session,
            user=user,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=None,
            after=None,
            outcome="denied",
            detail=f"{refusal.status}: {refusal.detail}",
        )
        raise
