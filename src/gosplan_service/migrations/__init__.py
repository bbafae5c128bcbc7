"""Alembic migrations of the service's database, configured in code (no ``alembic.ini``).

Run them with :func:`gosplan_service.db.upgrade` / :func:`gosplan_service.db.downgrade` (or
``gosplan service-migrate``). To write the next migration, compare the models with a
migrated database (``alembic.autogenerate``) and add ``versions/NNNN_<what>.py`` by hand,
with ``down_revision`` the previous one; the drift test (tests/service/test_migrations.py)
fails until models and migrations agree.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import Connection

__all__ = ["SCRIPT_LOCATION", "alembic_config"]

#: The folder holding ``env.py`` and ``versions/``.
SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(connection: Connection) -> Config:
    """An Alembic configuration that runs on ``connection`` (in its transaction).

    Parameters
    ----------
    connection
        An open connection (``engine.begin()``): the migrations run in its transaction.

    Returns
    -------
    alembic.config.Config
    """
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    return config
