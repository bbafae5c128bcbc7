"""``gosplan serve``, ``gosplan service-add-user`` and ``gosplan service-migrate``."""

from __future__ import annotations

import sys

import click
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gosplan.cli import app
from gosplan_service.models import User
from gosplan_service.permissions import ROLES
from gosplan_service.security import password_hasher, verify_password
from gosplan_service.settings import Settings

from .conftest import database

#: Cheap argon2 for the command line (read by Settings.from_env).
CHEAP = {
    "GOSPLAN_SERVICE_ARGON2_TIME_COST": "1",
    "GOSPLAN_SERVICE_ARGON2_MEMORY_KIB": "8",
    "GOSPLAN_SERVICE_ARGON2_PARALLELISM": "1",
}


def invoke(*args: str, input: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(app, list(args), input=input, env=CHEAP)


def test_add_user_then_serve_help(empty_database_url: str) -> None:
    url = empty_database_url
    result = invoke(
        "service-add-user", "ivanov", "--role", "director", "--enterprise", "coal-1",
        "--password-stdin", "--database", url, input="a long password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "ivanov" in result.output
    with database(url) as factory, factory() as session:
        user = session.scalars(select(User)).one()
    assert (user.name, user.role, user.enterprise) == ("ivanov", "director", "coal-1")
    assert user.password_hash.startswith("$argon2id$")
    hasher = password_hasher(Settings().cheap_hashing())
    assert verify_password(hasher, user.password_hash, "a long password")
    assert not verify_password(hasher, user.password_hash, "a long passwor")

    again = invoke(
        "service-add-user", "ivanov", "--role", "planner", "--password-stdin",
        "--database", url, input="another password\n",
    )  # fmt: skip
    assert again.exit_code == 2
    assert "exists already" in again.output

    serve = invoke("serve", "--help")
    assert serve.exit_code == 0
    for option in ("--database", "--host", "--port"):
        assert option in serve.output


def test_add_user_asks_for_the_password_twice(empty_database_url: str) -> None:
    result = invoke(
        "service-add-user", "olga", "--role", "observer", "--database", empty_database_url,
        input="a long password\na long password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["boss", "--role", "boss"], "'boss'"),
        (["dir", "--role", "director"], "--enterprise"),
        (["plan", "--role", "planner", "--enterprise", "coal-1"], "no enterprise"),
        (["bad name!", "--role", "planner"], "name"),
    ],
)
def test_bad_user_exits_2_naming_the_problem(
    args: list[str], message: str, tmp_path: object
) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    result = invoke("service-add-user", *args, "--password-stdin", "--database", url,
                    input="a long password\n")  # fmt: skip
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_short_password_exits_2(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    result = invoke("service-add-user", "olga", "--role", "observer", "--password-stdin",
                    "--database", url, input="short\n")  # fmt: skip
    assert result.exit_code == 2
    assert "at least 8" in result.output


def test_migrate(empty_database_url: str) -> None:
    result = invoke("service-migrate", "--database", empty_database_url)
    assert result.exit_code == 0, result.output
    with database(empty_database_url) as factory, factory() as session:
        assert session.scalars(select(User)).all() == []


def test_bad_setting_exits_2(tmp_path: object) -> None:
    result = CliRunner().invoke(
        app,
        ["service-migrate", "--database", f"sqlite:///{tmp_path}/x.db"],
        env={"GOSPLAN_SERVICE_MAX_PAGE_SIZE": "many"},
    )
    assert result.exit_code == 2
    assert "GOSPLAN_SERVICE_MAX_PAGE_SIZE" in result.output


def test_missing_extra_exits_2_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gosplan_service.cli", None)
    result = invoke("service-migrate")
    assert result.exit_code == 2
    assert "install the service extra: pip install -e '.[service]'" in result.output


def test_role_help_names_every_role() -> None:
    text = " ".join(invoke("service-add-user", "--help").output.split())
    for role in ROLES:
        assert role in text
    for name in ("serve", "service-add-user", "service-migrate"):
        lines = CliRunner().invoke(app, [name, "--help"], terminal_width=80).output.splitlines()
        assert all(len(line) <= 80 for line in lines), name


def test_serve_answers_health(tmp_path: object) -> None:
    import socket
    import subprocess
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"sqlite:///{tmp_path}/served.db"
    code = "from gosplan.cli import main; main()"
    args = [sys.executable, "-c", code, "serve", "--database", url, "--port", str(port)]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "the server did not answer in 30 s"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=10)
