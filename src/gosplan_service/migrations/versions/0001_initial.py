"""The initial schema: every table of docs/service.md, and the append-only audit triggers.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Types as they are today (a migration must not follow later changes of the models).
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
TIME = sa.DateTime(timezone=True)
NAME = sa.String(length=100)
WORD = sa.String(length=32)

APPEND_ONLY = "audit_events is append-only: UPDATE and DELETE are refused"
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'restrict_violation';
    END
    $$""",
    *(
        f"""CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events
        FOR EACH {scope} EXECUTE FUNCTION audit_events_append_only()"""
        for verb, scope in (("UPDATE", "ROW"), ("DELETE", "ROW"), ("TRUNCATE", "STATEMENT"))
    ),
]


def _ids(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> SchemaItem:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns), unique=False)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _users() -> None:
    roles = ("planner", "approver", "committee_member", "director", "workers_committee", "observer")
    op.create_table(
        "users",
        *_ids("users"),
        sa.Column("name", NAME, nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", WORD, nullable=False),
        sa.Column("enterprise", NAME, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.CheckConstraint(
            "(role IN ('director', 'workers_committee')) = (enterprise IS NOT NULL)",
            name="ck_users_enterprise",
        ),
        sa.CheckConstraint(_one_of("role", roles), name="ck_users_role"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "tokens",
        *_ids("tokens"),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        _fk("tokens", "user_id", "users", ondelete="CASCADE"),
        sa.UniqueConstraint("token_hash", name="uq_tokens_token_hash"),
    )
    _index("tokens", "expires_at")
    _index("tokens", "user_id")


def _plan_versions() -> None:
    statuses = ("draft", "published", "counter_plans_open", "approved", "rejected", "superseded")
    op.create_table(
        "plan_versions",
        *_ids("plan_versions"),
        sa.Column("plan_name", NAME, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("status", WORD, nullable=False),
        sa.Column("spec", JSON, nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("approval_policy", WORD, nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            "(approval_policy = 'single' AND quorum IS NULL)"
            " OR (approval_policy = 'quorum' AND quorum >= 1)",
            name="ck_plan_versions_quorum",
        ),
        sa.CheckConstraint(
            _one_of("approval_policy", ("single", "quorum")),
            name="ck_plan_versions_approval_policy",
        ),
        sa.CheckConstraint(_one_of("status", statuses), name="ck_plan_versions_status"),
        sa.CheckConstraint("number >= 1", name="ck_plan_versions_number"),
        sa.CheckConstraint("row_version >= 1", name="ck_plan_versions_row_version"),
        _fk("plan_versions", "created_by", "users"),
        _fk("plan_versions", "parent_id", "plan_versions"),
        sa.UniqueConstraint("plan_name", "number", name="uq_plan_versions_plan_name_number"),
    )
    _index("plan_versions", "created_by")
    _index("plan_versions", "parent_id")
    _index("plan_versions", "status")


def _figures() -> None:
    op.create_table(
        "control_figures",
        *_ids("control_figures"),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("enterprise", NAME, nullable=False),
        sa.Column("activity", NAME, nullable=False),
        sa.Column("product", NAME, nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("level", sa.Float(), nullable=False),
        sa.Column("output", sa.Float(), nullable=False),
        sa.CheckConstraint("month >= 0 AND month <= 12", name="ck_control_figures_month"),
        _fk("control_figures", "plan_version_id", "plan_versions", ondelete="CASCADE"),
        sa.UniqueConstraint(
            "plan_version_id",
            "enterprise",
            "activity",
            "product",
            "period",
            "month",
            name="uq_control_figures_cell",
        ),
    )
    _index("control_figures", "plan_version_id", "enterprise")


def _counter_plans_and_reports() -> None:
    op.create_table(
        "counter_plans",
        *_ids("counter_plans"),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("enterprise", NAME, nullable=False),
        sa.Column("status", WORD, nullable=False),
        sa.Column("rows", JSON, nullable=False),
        sa.Column("check_result", JSON, nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            _one_of("status", ("submitted", "checked", "withdrawn")),
            name="ck_counter_plans_status",
        ),
        _fk("counter_plans", "plan_version_id", "plan_versions"),
        _fk("counter_plans", "submitted_by", "users"),
    )
    _index("counter_plans", "plan_version_id", "enterprise")
    _index("counter_plans", "submitted_by")
    op.create_table(
        "fulfilment_reports",
        *_ids("fulfilment_reports"),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("enterprise", NAME, nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("rows", JSON, nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("fulfilment_reports", "plan_version_id", "plan_versions"),
        _fk("fulfilment_reports", "submitted_by", "users"),
    )
    _index("fulfilment_reports", "plan_version_id", "enterprise", "period")
    _index("fulfilment_reports", "submitted_by")


def _votes_and_jobs() -> None:
    op.create_table(
        "votes",
        *_ids("votes"),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decision", WORD, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.CheckConstraint(_one_of("decision", ("approve", "reject")), name="ck_votes_decision"),
        _fk("votes", "plan_version_id", "plan_versions"),
        _fk("votes", "user_id", "users"),
        sa.UniqueConstraint("plan_version_id", "user_id", name="uq_votes_plan_version_id_user_id"),
    )
    _index("votes", "user_id")
    op.create_table(
        "jobs",
        *_ids("jobs"),
        sa.Column("kind", WORD, nullable=False),
        sa.Column("status", WORD, nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=True),
        sa.Column("parameters", JSON, nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("provenance", JSON, nullable=True),
        sa.Column("plan_version_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("started_at", TIME, nullable=True),
        sa.Column("finished_at", TIME, nullable=True),
        sa.CheckConstraint(
            _one_of("kind", ("solve", "check", "simulation", "ensemble")), name="ck_jobs_kind"
        ),
        sa.CheckConstraint(
            _one_of("status", ("queued", "running", "done", "failed")), name="ck_jobs_status"
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="ck_jobs_progress"),
        _fk("jobs", "plan_version_id", "plan_versions"),
        _fk("jobs", "requested_by", "users"),
    )
    _index("jobs", "plan_version_id")
    _index("jobs", "requested_by")
    _index("jobs", "status")


def _idempotency_keys() -> None:
    op.create_table(
        "idempotency_keys",
        *_ids("idempotency_keys"),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", JSON, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        _fk("idempotency_keys", "user_id", "users", ondelete="CASCADE"),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_id_key"),
    )


def _audit_events() -> None:
    op.create_table(
        "audit_events",
        *_ids("audit_events"),
        sa.Column("at", TIME, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", NAME, nullable=True),
        sa.Column("role", WORD, nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", WORD, nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint(_one_of("outcome", ("done", "denied")), name="ck_audit_events_outcome"),
        _fk("audit_events", "user_id", "users"),
    )
    _index("audit_events", "at")
    _index("audit_events", "object_type", "object_id")
    _index("audit_events", "user_id")
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


#: Tables in the order they are created (dropped in the reverse order).
TABLES = (
    "users",
    "tokens",
    "plan_versions",
    "control_figures",
    "counter_plans",
    "fulfilment_reports",
    "votes",
    "jobs",
    "idempotency_keys",
    "audit_events",
)


def upgrade() -> None:
    """Create every table, then the audit triggers."""
    _users()
    _plan_versions()
    _figures()
    _counter_plans_and_reports()
    _votes_and_jobs()
    _idempotency_keys()
    _audit_events()


def downgrade() -> None:
    """Drop the audit triggers, then every table (indexes go with their tables)."""
    if op.get_bind().dialect.name == "postgresql":
        for verb in ("update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_events_no_{verb} ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_events_no_{verb}")
    for table in reversed(TABLES):
        op.drop_table(table)
