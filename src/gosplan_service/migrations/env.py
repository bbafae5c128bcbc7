"""Alembic's environment: runs the migrations on the connection handed over in the config.

:func:`gosplan_service.migrations.alembic_config` puts the connection in
``config.attributes["connection"]``; there is no offline (SQL script) mode.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from gosplan_service.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "run the migrations through gosplan_service.db.upgrade (no alembic.ini is used)"
    )
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
