"""The service's tables (SQLAlchemy 2, typed ``Mapped`` columns); no other module declares one.

Statuses and roles are strings checked by named ``CHECK`` constraints; the allowed values
are the tuples below (and :data:`gosplan_service.permissions.ROLES`). JSON
columns are ``JSON`` (``JSONB`` on PostgreSQL). Times are stored in UTC and read back as
aware datetimes on both databases (:class:`UTCDateTime`). Every constraint has a
deterministic name (:data:`NAMING_CONVENTION`), so migrations can refer to it.

``migrations/versions/0001_initial.py`` creates exactly these tables; a test compares the
migrated database with :data:`Base.metadata`, so a change here needs a new migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gosplan_service.permissions import ENTERPRISE_ROLES, ROLES
from gosplan_service.settings import NAME_LENGTH

__all__ = [
    "APPROVAL_POLICIES",
    "AUDIT_OUTCOMES",
    "COUNTER_PLAN_STATUSES",
    "JOB_KINDS",
    "JOB_STATUSES",
    "PLAN_STATUSES",
    "VOTE_DECISIONS",
    "AuditEvent",
    "Base",
    "ControlFigure",
    "CounterPlan",
    "FulfilmentReport",
    "IdempotencyKey",
    "Job",
    "JsonType",
    "PlanVersion",
    "Token",
    "UTCDateTime",
    "User",
    "Vote",
    "utcnow",
]

#: Statuses of a plan version (:mod:`gosplan_service.workflow` says how they move).
PLAN_STATUSES = ("draft", "published", "counter_plans_open", "approved", "rejected", "superseded")
#: How a plan version is approved: by one approver, or by a quorum of committee members.
APPROVAL_POLICIES = ("single", "quorum")
#: Statuses of a counter-plan.
COUNTER_PLAN_STATUSES = ("submitted", "checked", "withdrawn")
#: A committee member's vote.
VOTE_DECISIONS = ("approve", "reject")
#: Kinds of long computation.
JOB_KINDS = ("solve", "check", "simulation", "ensemble")
#: Statuses of a job.
JOB_STATUSES = ("queued", "running", "done", "failed")
#: Outcomes of an audited attempt.
AUDIT_OUTCOMES = ("done", "denied")
#: Longest status, role, kind or action name.
WORD_LENGTH = 32
#: Length of a SHA-256 hex digest.
DIGEST_LENGTH = 64
#: Longest message (job progress, audit detail).
MESSAGE_LENGTH = 1000

#: Names of constraints and indexes, the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, aware, in UTC.

    Returns
    -------
    datetime.datetime
    """
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC; read back aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware time to UTC (a naive one is refused: its zone is unknown)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone-aware one (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read a time back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: A JSON document: ``JSON`` in general, ``JSONB`` on PostgreSQL.
#: Python ``None`` is stored as SQL ``NULL`` (not as the JSON text ``null``).
JsonType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL ``column IN ('a', 'b', ...)`` for a ``CHECK`` constraint.

    Parameters
    ----------
    column
        The column's name.
    values
        The allowed values (plain words: no quotes inside).

    Returns
    -------
    str
    """
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    """The declarative base of every table of the service."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JsonType,
    }


def _created() -> Mapped[datetime]:
    return mapped_column(default=utcnow)


class User(Base):
    """A person using the service in one role (and, for some roles, one enterprise)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        CheckConstraint(
            f"({one_of('role', ENTERPRISE_ROLES)}) = (enterprise IS NOT NULL)", name="enterprise"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(WORD_LENGTH))
    enterprise: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = _created()

    tokens: Mapped[list[Token]] = relationship(back_populates="user", passive_deletes=True)


class Token(Base):
    """A login token: only its SHA-256 digest is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime] = mapped_column(index=True)

    user: Mapped[User] = relationship(back_populates="tokens")


class PlanVersion(Base):
    """One version of a plan: its spec, its result once solved, and where it stands."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_name", "number"),
        CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),
        CheckConstraint(one_of("approval_policy", APPROVAL_POLICIES), name="approval_policy"),
        CheckConstraint(
            "(approval_policy = 'single' AND quorum IS NULL)"
            " OR (approval_policy = 'quorum' AND quorum >= 1)",
            name="quorum",
        ),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("row_version >= 1", name="row_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    number: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(WORD_LENGTH), default="draft", index=True)
    # the two documents are large: loaded when first read, not with every row
    spec: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(deferred=True)
    approval_policy: Mapped[str] = mapped_column(String(WORD_LENGTH), default="single")
    quorum: Mapped[int | None] = mapped_column(Integer)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[PlanVersion | None] = relationship(remote_side=[id])


class ControlFigure(Base):
    """An enterprise's figure for one activity, product and period of a solved version."""

    __tablename__ = "control_figures"
    __table_args__ = (
        UniqueConstraint(
            "plan_version_id",
            "enterprise",
            "activity",
            "product",
            "period",
            "month",
            name="uq_control_figures_cell",
        ),
        Index(None, "plan_version_id", "enterprise"),
        CheckConstraint("month >= 0 AND month <= 12", name="month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"))
    enterprise: Mapped[str] = mapped_column(String(NAME_LENGTH))
    activity: Mapped[str] = mapped_column(String(NAME_LENGTH))
    product: Mapped[str] = mapped_column(String(NAME_LENGTH))
    period: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[float] = mapped_column(Float)
    output: Mapped[float] = mapped_column(Float)


class CounterPlan(Base):
    """An enterprise's offer on a version open for counter-plans, and its check."""

    __tablename__ = "counter_plans"
    __table_args__ = (
        Index(None, "plan_version_id", "enterprise"),
        CheckConstraint(one_of("status", COUNTER_PLAN_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    enterprise: Mapped[str] = mapped_column(String(NAME_LENGTH))
    status: Mapped[str] = mapped_column(String(WORD_LENGTH), default="submitted")
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    check_result: Mapped[dict[str, Any] | None]
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FulfilmentReport(Base):
    """An enterprise's actual output for one period of an approved version."""

    __tablename__ = "fulfilment_reports"
    __table_args__ = (Index(None, "plan_version_id", "enterprise", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    enterprise: Mapped[str] = mapped_column(String(NAME_LENGTH))
    period: Mapped[int] = mapped_column(Integer)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = _created()


class Vote(Base):
    """A committee member's vote on a quorum version (one per member and version)."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "user_id"),
        CheckConstraint(one_of("decision", VOTE_DECISIONS), name="decision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    decision: Mapped[str] = mapped_column(String(WORD_LENGTH))
    created_at: Mapped[datetime] = _created()


class Job(Base):
    """A long computation: its parameters, progress, result and provenance."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(one_of("kind", JOB_KINDS), name="kind"),
        CheckConstraint(one_of("status", JOB_STATUSES), name="status"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(WORD_LENGTH))
    status: Mapped[str] = mapped_column(String(WORD_LENGTH), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(String(MESSAGE_LENGTH))
    parameters: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any] | None]
    provenance: Mapped[dict[str, Any] | None]
    plan_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = _created()
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class IdempotencyKey(Base):
    """A user's ``Idempotency-Key``: the request's hash and the response it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(1000))
    request_hash: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = _created()


class AuditEvent(Base):
    """Who, in which role, did (or was denied) what to which object, before and after, when.

    Append-only: the database rejects ``UPDATE`` and ``DELETE`` (triggers created by the
    migrations). ``user_id`` is empty for an attempt by nobody known (a login with an
    unknown name); ``user_name`` keeps the name given.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index(None, "object_type", "object_id"),
        CheckConstraint(one_of("outcome", AUDIT_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    user_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    role: Mapped[str | None] = mapped_column(String(WORD_LENGTH))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(WORD_LENGTH))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    detail: Mapped[str | None] = mapped_column(Text)
