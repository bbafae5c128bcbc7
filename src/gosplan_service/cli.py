"""The service's command line: ``serve``, ``migrate`` and ``add-user``.

The library's CLI runs these through ``gosplan serve``, ``gosplan service-migrate`` and
``gosplan service-add-user`` (:mod:`gosplan.cli.serve_cmd`, which imports this module only
when one of them is called); ``python -m gosplan_service.cli`` runs them directly. Each is a
plain function first (:func:`serve`, :func:`migrate`, :func:`add_user`), so both front ends
share one implementation. Bad input raises :class:`gosplan.errors.InputError` (exit 2).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy import select

from gosplan.cli.app import guarded
from gosplan.errors import InputError
from gosplan_service.db import make_engine, make_sessionmaker, session_scope, upgrade
from gosplan_service.models import User
from gosplan_service.permissions import ENTERPRISE_ROLES, ROLES
from gosplan_service.schemas import Password, UserName
from gosplan_service.security import hash_password, password_hasher
from gosplan_service.settings import Settings

__all__ = ["add_user", "app", "migrate", "serve", "validate_new_user"]

#: The shortest password ``add-user`` accepts.
MIN_PASSWORD_LENGTH = 8


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the service with uvicorn until interrupted (it migrates the database first).

    Parameters
    ----------
    settings
        The service's settings (the database among them).
    host, port
        Where to listen.
    """
    import uvicorn

    from gosplan_service.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=False)


def migrate(database_url: str, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (up, from empty if need be).

    Parameters
    ----------
    database_url
        The database.
    revision
        The target revision (``"head"``: the latest).
    """
    upgrade(database_url, revision)


def validate_new_user(name: str, role: str, enterprise: str | None, password: str) -> None:
    """Check a new user's fields, or raise naming the first that is wrong.

    Parameters
    ----------
    name, role, enterprise, password
        The user's fields.

    Raises
    ------
    gosplan.errors.InputError
        An unknown role, a missing or superfluous enterprise, a bad name, a short password.
    """
    from pydantic import TypeAdapter, ValidationError

    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; the roles are: {', '.join(ROLES)}")
    if role in ENTERPRISE_ROLES and not enterprise:
        raise InputError(f"a user of role {role} needs --enterprise")
    if role not in ENTERPRISE_ROLES and enterprise:
        raise InputError(f"a user of role {role} belongs to no enterprise; drop --enterprise")
    for what, kind, value in (("name", UserName, name), ("password", Password, password)):
        try:
            TypeAdapter(kind).validate_python(value)
        except ValidationError as err:
            raise InputError(f"{what}: {err.errors()[0]['msg']}") from None
    if enterprise is not None and not 1 <= len(enterprise) <= 100:
        raise InputError("enterprise: at most 100 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def add_user(
    settings: Settings, name: str, role: str, password: str, enterprise: str | None = None
) -> int:
    """Create a user (migrating the database first); the password is stored hashed.

    Parameters
    ----------
    settings
        The service's settings (database, argon2 cost).
    name, role, password, enterprise
        The user's fields (see :func:`validate_new_user`).

    Returns
    -------
    int
        The new user's id.

    Raises
    ------
    gosplan.errors.InputError
        A field is wrong, or the name is taken.
    """
    validate_new_user(name, role, enterprise, password)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(make_sessionmaker(engine)) as session:
            if session.scalars(select(User.id).where(User.name == name)).first() is not None:
                raise InputError(f"a user named {name!r} exists already")
            encoded = hash_password(password_hasher(settings), password)
            user = User(name=name, role=role, enterprise=enterprise, password_hash=encoded)
            session.add(user)
            session.flush()
            return user.id
    finally:
        engine.dispose()


def read_password(from_stdin: bool) -> str:
    """The new user's password: one line of standard input, or asked twice at the terminal.

    Parameters
    ----------
    from_stdin
        Read it from standard input (for scripts).

    Returns
    -------
    str
    """
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    text: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return text


app = typer.Typer(name="gosplan-service", no_args_is_help=True, add_completion=False)
Database = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL (default: GOSPLAN_SERVICE_DATABASE_URL)."),
]


@app.command("serve")
@guarded
def _serve(
    database: Database = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the service."""
    serve(Settings.from_env(database_url=database), host=host, port=port)


@app.command("migrate")
@guarded
def _migrate(
    database: Database = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Migrate the database."""
    migrate(Settings.from_env(database_url=database).database_url, revision)


@app.command("add-user")
@guarded
def _add_user(
    name: str,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    enterprise: Annotated[str | None, typer.Option(help="The user's enterprise.")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
    database: Database = None,
) -> None:
    """Create a user."""
    settings = Settings.from_env(database_url=database)
    validate_new_user(name, role, enterprise, "x" * MIN_PASSWORD_LENGTH)
    user_id = add_user(settings, name, role, read_password(password_stdin), enterprise)
    typer.echo(f"user {name} ({role}) created with id {user_id}")


if __name__ == "__main__":  # pragma: no cover
    app()
