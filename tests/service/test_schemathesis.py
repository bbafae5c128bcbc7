"""The API against its own OpenAPI schema: schemathesis 4, every check, three fixed seeds.

The run is the Python equivalent of ``schemathesis run --checks all --seed S
--max-examples N``: :func:`schemathesis.engine.from_schema` executes every phase
(examples, coverage, fuzzing, stateful) on the app in process
(:func:`schemathesis.openapi.from_asgi`), authenticated with a planner's token (and once
with a director's). It must end with no failing check, no error and no response >= 500.

The schema's ``security`` is the routes' own: an operation whose dependencies include
:func:`gosplan_service.api.deps.current_token` is declared as needing the bearer token
(added here where the app does not declare it), so the authorization checks
(``ignored_auth``: the operation must refuse a request without the token or with a wrong
one) have something to check. Only :data:`PUBLIC_OPERATIONS` may go without a token.

Negative control: an app with two broken routes added (one answers 500, one declares the
token but ignores it) is run the same way, and both are caught.

``POST /api/auth/logout`` is left out of the runs: it would revoke the run's own token
(``test_auth.py`` covers it). Runs on SQLite only (PostgreSQL would double the time; the
role-matrix and kill tests run on both).
"""

from __future__ import annotations

import itertools
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.engine import Status, events, from_schema
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from gosplan_service.api.deps import CurrentUser, current_token
from gosplan_service.db import make_engine, make_sessionmaker, session_scope, upgrade
from gosplan_service.models import User
from gosplan_service.security import hash_password, issue_token, password_hasher
from gosplan_service.settings import Settings

from .seed import solved
from .server import create_full_app, seed_version_into

#: The fixed seeds of the planner's runs.
SEEDS = (1928, 1929, 1932)
#: Examples per operation and phase (bounds the run's time).
MAX_EXAMPLES = 12
#: Operations that need no token.
PUBLIC_OPERATIONS = frozenset({"GET /api/health", "POST /api/auth/login"})
#: Operations left out of the runs (logging out would end the run's session).
LEFT_OUT = frozenset({"POST /api/auth/logout"})
#: The security scheme declared for the bearer token.
BEARER = "bearer"
_USERS = itertools.count(1)


def _depends_on_token(dependant: Any) -> bool:
    return any(
        sub.call is current_token or _depends_on_token(sub) for sub in dependant.dependencies
    )


def _routes(routes: list[Any], inherited: bool = False) -> Iterator[tuple[APIRoute, bool]]:
    """Every API route, with whether a router above it depends on the token."""
    for route in routes:
        router = getattr(route, "original_router", None)  # an included router (FastAPI 0.16x)
        if router is None and hasattr(route, "routes") and not isinstance(route, APIRoute):
            router = route
        if isinstance(route, APIRoute):
            yield route, inherited
        elif router is not None:
            guarded = inherited or any(
                getattr(dep, "dependency", None) is current_token
                for dep in getattr(router, "dependencies", [])
            )
            yield from _routes(list(router.routes), guarded)


def secured_operations(app: FastAPI) -> set[str]:
    """``"METHOD /path"`` of every operation of ``app`` whose dependencies need the token."""
    found: set[str] = set()
    for route, inherited in _routes(list(app.routes)):
        if route.include_in_schema and (inherited or _depends_on_token(route.dependant)):
            found.update(f"{method} {route.path_format}" for method in route.methods or ())
    return found


def declare_security(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema, with the bearer token declared where the routes need it.

    FastAPI serves the cached schema (``app.openapi_schema``), so the change is what
    ``/api/openapi.json`` answers. Operations that declare a ``security`` of their own keep it.
    """
    document = app.openapi()
    components = document.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    schemes.setdefault(BEARER, {"type": "http", "scheme": "bearer"})
    secured = secured_operations(app)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if f"{method.upper()} {path}" in secured and "security" not in operation:
                operation["security"] = [{BEARER: []}]
    return document


@dataclass
class Outcome:
    """What one schemathesis run found."""

    #: ``(operation, check, title: message)`` of every failing check.
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    #: Errors of the run itself (a schema that does not load, a crash of a check).
    errors: list[str] = field(default_factory=list)
    #: ``"METHOD /path -> status"`` of every response >= 500.
    server_errors: list[str] = field(default_factory=list)
    #: Operations tested (with a scenario that was not skipped).
    tested: set[str] = field(default_factory=set)
    requests: int = 0
    #: Schema-valid requests refused for labels the database does not have (``refused_for_data``).
    refused_for_data: int = 0

    def failing(self, check: str) -> set[str]:
        """The operations where ``check`` failed."""
        return {operation for operation, name, _ in self.failures if name == check}

    def summary(self) -> str:
        """The findings, one a line (for an assertion's message)."""
        lines = [f"{op}: {check}: {text}" for op, check, text in sorted(set(self.failures))]
        lines += [f"error: {text}" for text in self.errors]
        lines += [f"server error: {text}" for text in sorted(set(self.server_errors))]
        return "\n".join(lines) or "(nothing)"


def run_schemathesis(app: FastAPI, token: str, seed: int) -> Outcome:
    """Run schemathesis with every check on ``app`` as the holder of ``token``.

    Parameters
    ----------
    app
        The app (its lifespan is started by schemathesis, once per app and process).
    token
        The bearer token of the user the run acts as.
    seed
        The run's seed.

    Returns
    -------
    Outcome
    """
    declare_security(app)
    schema: schemathesis.BaseSchema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    for label in LEFT_OUT:
        method, path = label.split(" ", 1)
        schema = schema.exclude(method=method, path=path)
    config = schema.config
    config.seed = seed
    config.checks.update(included_check_names=["all"])
    tune_checks(config.checks)
    config.generation.update(max_examples=MAX_EXAMPLES, deterministic=False)
    config.headers = {"Authorization": f"Bearer {token}"}
    outcome = Outcome()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            if event.status != Status.SKIP and event.label:
                outcome.tested.add(event.label)
            for case_id, checks in event.recorder.checks.items():
                interaction = event.recorder.interactions.get(case_id)
                for check in checks:
                    if check.name == "positive_data_acceptance" and refused_for_data(interaction):
                        outcome.refused_for_data += 1
                        continue
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        message = " ".join((failure.message or "").split())[:300]
                        outcome.failures.append(
                            (event.label or "?", check.name, f"{failure.title}: {message}")
                        )
            for interaction in event.recorder.interactions.values():
                outcome.requests += 1
                response = interaction.response
                if response is not None and response.status_code >= 500:
                    request = interaction.request
                    outcome.server_errors.append(
                        f"{request.method} {request.uri} -> {response.status_code}"
                    )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            outcome.errors.append(str(getattr(event, "info", event)))
        elif isinstance(event, events.EngineFinished):
            acceptance_failed = any(c == "positive_data_acceptance" for _, c, _ in outcome.failures)
            outcome.failures.extend(
                ("(run)", ",".join(f.checks) if hasattr(f, "checks") else "?", f.title)
                for f in event.failures
                # the run's summary of the refusals already judged one by one above
                if acceptance_failed
                or set(getattr(f, "checks", ())) != {"positive_data_acceptance"}
            )
    return outcome


#: Operations whose bodies name labels (products, periods, enterprises, a plan's tables, the
#: shocks' products) that only the stored plan can check, with rules between a row's fields
#: (a product or an enterprise; a share or a range) that the library checks: a schema-valid
#: body naming a label the plan does not have is rightly refused with a 422 naming the field.
DATA_CHECKED = (
    ("POST", r"/api/plans"),
    ("PATCH", r"/api/plans/[^/]+"),
    ("POST", r"/api/plans/[^/]+/counter-plans"),
    ("POST", r"/api/plans/[^/]+/reports"),
    ("POST", r"/api/plans/[^/]+/simulations"),
    ("POST", r"/api/plans/[^/]+/ensembles"),
)


def refused_for_data(interaction: Any) -> bool:
    """Whether a schema-valid request was refused for what only the database can check.

    True only for a :data:`DATA_CHECKED` operation answered 422 with a problem document
    whose every error names a field of the body; any other refusal stays a failure.
    """
    if interaction is None or interaction.response is None:
        return False
    response, request = interaction.response, interaction.request
    path = urlsplit(request.uri).path
    if response.status_code != 422 or not any(
        request.method == method and re.fullmatch(pattern, path) for method, pattern in DATA_CHECKED
    ):
        return False
    try:
        errors = json.loads(response.content).get("errors") or []
    except ValueError:
        return False
    return bool(errors) and all(str(e.get("field", "")).startswith("body") for e in errors)


def tune_checks(checks: Any) -> None:
    """The two statuses of the HTTP contract that schemathesis does not expect by default.

    - ``428`` (RFC 6585) for a missing ``If-Match`` or ``Idempotency-Key``: the contract's
      answer, and the one schemathesis's own explanation of the check suggests allowing;
    - ``412`` for a schema-valid ``If-Match`` that names another version: no schema can give
      the row version a request must match, so a generated one is rightly refused.

    Every other expected status stays schemathesis's default.
    """
    from schemathesis.config._checks import (
        MISSING_REQUIRED_HEADER_EXPECTED_STATUSES,
        POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
        MissingRequiredHeaderConfig,
        PositiveDataAcceptanceConfig,
    )

    checks.missing_required_header = MissingRequiredHeaderConfig(
        expected_statuses=[*MISSING_REQUIRED_HEADER_EXPECTED_STATUSES, "428"]
    )
    checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=[*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "412"]
    )


@dataclass
class Office:
    """A migrated SQLite database with a planner and a director, and their tokens."""

    database_url: str
    settings: Settings
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """The database the runs share (module-scoped: the runs only add to it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'service.db'}"
    settings = Settings(
        database_url=url, login_rate_limit=10**6, submission_rate_limit=10**6, job_workers=0
    ).cheap_hashing()
    upgrade(url)
    for status in ("approved", "counter_plans_open"):
        seed_version_into(url, solved(), status)
    engine = make_engine(url)
    tokens: dict[str, str] = {}
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            hasher = password_hasher(settings)
            for role, enterprise in (("planner", None), ("director", "coal-1")):
                user = User(
                    name=f"st-{role}-{next(_USERS)}",
                    role=role,
                    enterprise=enterprise,
                    password_hash=hash_password(hasher, "correct horse battery staple"),
                )
                session.add(user)
                session.flush()
                tokens[role], _ = issue_token(session, user, 24 * 3600)
    finally:
        engine.dispose()
    yield Office(url, settings, tokens)


def test_only_the_public_operations_go_without_a_token(office: Office) -> None:
    app = create_full_app(office.settings)
    document = declare_security(app)
    everything = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete", "head", "options"}
    }
    assert everything - secured_operations(app) == PUBLIC_OPERATIONS


@pytest.mark.parametrize("seed", SEEDS)
def test_planner_run_is_clean(office: Office, seed: int) -> None:
    outcome = run_schemathesis(create_full_app(office.settings), office.tokens["planner"], seed)
    assert outcome.tested, "schemathesis tested no operation"
    assert not outcome.failures and not outcome.errors and not outcome.server_errors, (
        outcome.summary()
    )


def test_director_run_is_clean(office: Office) -> None:
    outcome = run_schemathesis(
        create_full_app(office.settings), office.tokens["director"], SEEDS[0]
    )
    assert outcome.tested, "schemathesis tested no operation"
    assert not outcome.failures and not outcome.errors and not outcome.server_errors, (
        outcome.summary()
    )


def broken_app(settings: Settings) -> FastAPI:
    """The app with three broken routes: one raises, one answers 500, one ignores the token."""
    app = create_full_app(settings)

    @app.get("/api/broken/{item_id}", tags=["broken"])
    def broken(item_id: int) -> dict[str, int]:
        raise RuntimeError(f"deliberately broken ({item_id})")

    @app.get("/api/failing", tags=["broken"])
    def failing(user: CurrentUser) -> JSONResponse:
        return JSONResponse({"detail": "deliberately failing"}, status_code=500)

    @app.get("/api/leak", tags=["broken"], openapi_extra={"security": [{BEARER: []}]})
    def leak() -> dict[str, str]:
        return {"secret": "the plan's figures, to anyone"}

    return app


def test_negative_control_is_caught(office: Office) -> None:
    outcome = run_schemathesis(broken_app(office.settings), office.tokens["planner"], SEEDS[0])
    findings = outcome.summary()
    assert "GET /api/failing" in outcome.failing("not_a_server_error"), findings
    assert any("/api/failing" in text for text in outcome.server_errors), findings
    # An exception escaping the app reaches the in-process client as an error of the run.
    assert any("deliberately broken" in text for text in outcome.errors) or (
        "GET /api/broken/{item_id}" in outcome.failing("not_a_server_error")
    ), findings
    assert "GET /api/leak" in outcome.failing("ignored_auth"), findings
