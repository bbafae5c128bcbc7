"""The planning office service's commands: ``serve``, ``service-add-user``, ``service-migrate``.

The service is the separate package ``gosplan_service`` (the extra ``[service]``). This
module imports it only when a command runs, so the library and its other commands never
need it; without the extra a command exits with status 2 and says how to install it.

Exit status: ``0`` success; ``2`` bad input (an unknown role, a name taken, a bad setting,
the extra not installed).
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Annotated

import typer

from gosplan.errors import InputError

#: Top-level modules of the extra's dependencies (and the service itself).
SERVICE_MODULES = frozenset(
    {
        "gosplan_service",
        "fastapi",
        "starlette",
        "uvicorn",
        "sqlalchemy",
        "alembic",
        "argon2",
        "psycopg",
        "jinja2",
        "multipart",
        "python_multipart",
        "httpx",
        "pydantic",
    }
)
INSTALL_HINT = "install the service extra: pip install -e '.[service]'"

Database = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="The database as a SQLAlchemy URL: sqlite:///FILE or "
        "postgresql+psycopg://USER@HOST/DB (default: GOSPLAN_SERVICE_DATABASE_URL, else "
        "the SQLite file ./gosplan-service.db).",
        show_default=False,
    ),
]


def _service_cli() -> ModuleType:
    """``gosplan_service.cli``, or a clear error when the extra is not installed."""
    try:
        return import_module("gosplan_service.cli")
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] in SERVICE_MODULES:
            raise InputError(f"{INSTALL_HINT} ({err.name} is missing)") from None
        raise


def serve(
    database: Database = None,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="The port to listen on.")] = 8000,
) -> None:
    """Run the planning office service (JSON API and pages) until interrupted.

    The database is migrated to the latest revision first. Create users with
    service-add-user.
    """
    cli = _service_cli()
    cli.serve(cli.Settings.from_env(database_url=database), host=host, port=port)


def service_add_user(
    name: Annotated[str, typer.Argument(help="The user's name.", show_default=False)],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="planner, approver, committee_member, director, workers_committee or observer.",
            show_default=False,
        ),
    ],
    enterprise: Annotated[
        str | None,
        typer.Option(
            "--enterprise",
            help="The user's enterprise (for a director or a workers_committee only).",
            show_default=False,
        ),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input (one line)."),
    ] = False,
    database: Database = None,
) -> None:
    """Create a user of the planning office service (asks for the password twice).

    The database is migrated to the latest revision first; the password is stored as an
    argon2 hash.
    """
    cli = _service_cli()
    settings = cli.Settings.from_env(database_url=database)
    cli.validate_new_user(name, role, enterprise, "x" * cli.MIN_PASSWORD_LENGTH)
    user_id = cli.add_user(settings, name, role, cli.read_password(password_stdin), enterprise)
    typer.echo(f"user {name} ({role}) created with id {user_id}")


def service_migrate(
    database: Database = None,
    revision: Annotated[
        str, typer.Option("--revision", help="The revision to migrate to.")
    ] = "head",
) -> None:
    """Migrate the planning office service's database (serve does it on start too)."""
    cli = _service_cli()
    url = cli.Settings.from_env(database_url=database).database_url
    cli.migrate(url, revision)
    typer.echo(f"migrated the database to {revision}")


#: Commands of this group (for :data:`gosplan.cli.app.COMMAND_MODULES`).
COMMANDS = {
    "serve": serve,
    "service-add-user": service_add_user,
    "service-migrate": service_migrate,
}
