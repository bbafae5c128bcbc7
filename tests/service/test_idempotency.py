"""Idempotency-Key: replays, reuse with another body, concurrent twins, failures leave no key."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gosplan_service import idempotency
from gosplan_service.api import reports
from gosplan_service.app import create_app
from gosplan_service.db import session_scope
from gosplan_service.models import FulfilmentReport, IdempotencyKey, User
from gosplan_service.problems import Problem

from .conftest import login, settings_for
from .seed import assert_problem, count, keyed, seed_version

DONUGOL = "Donugol mines"
BODY = {"enterprise": DONUGOL, "period": 1929, "rows": [{"product": "coal", "quantity": 15.0}]}


@pytest.fixture
def app_client(make_client: Callable[..., TestClient], database_url: str) -> TestClient:
    app = create_app(settings_for(database_url, submission_rate_limit=1000))
    return make_client(app=app)


@pytest.fixture
def director(app_client: TestClient, make_user: Callable[..., User]) -> tuple[User, dict[str, str]]:
    user = make_user("director", enterprise=DONUGOL)
    return user, login(app_client, user.name)


def test_replay_returns_the_stored_response(
    app_client: TestClient, director: tuple[User, dict[str, str]]
) -> None:
    version = seed_version(app_client)
    url = f"/api/plans/{version.id}/reports"
    headers = keyed(director[1], "replay-1")
    first = app_client.post(url, json=BODY, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replay" not in first.headers
    # the same JSON, keys in another order and spaced differently: the same request
    text = json.dumps(dict(reversed(list(BODY.items()))), indent=2)
    second = app_client.post(
        url, content=text, headers={**headers, "Content-Type": "application/json"}
    )
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replay"] == "true"
    assert second.headers["location"] == first.headers["location"]
    assert count(app_client, FulfilmentReport) == 1
    assert count(app_client, IdempotencyKey) == 1


def test_same_key_another_body_is_refused(
    app_client: TestClient, director: tuple[User, dict[str, str]]
) -> None:
    version = seed_version(app_client)
    url = f"/api/plans/{version.id}/reports"
    headers = keyed(director[1], "reuse-1")
    assert app_client.post(url, json=BODY, headers=headers).status_code == 201
    other = {**BODY, "rows": [{"product": "coal", "quantity": 16.0}]}
    assert_problem(app_client.post(url, json=other, headers=headers), 422, "header.idempotency-key")
    assert count(app_client, FulfilmentReport) == 1


def test_keys_are_scoped_per_user(app_client: TestClient, make_user: Callable[..., User]) -> None:
    version = seed_version(app_client)
    url = f"/api/plans/{version.id}/reports"
    for _ in range(2):
        user = make_user("director", enterprise=DONUGOL)
        response = app_client.post(url, json=BODY, headers=keyed(login(app_client, user.name), "k"))
        assert response.status_code == 201 and "idempotent-replay" not in response.headers
    assert count(app_client, FulfilmentReport) == 2


def test_missing_or_bad_key(app_client: TestClient, director: tuple[User, dict[str, str]]) -> None:
    version = seed_version(app_client)
    url = f"/api/plans/{version.id}/reports"
    assert_problem(app_client.post(url, json=BODY, headers=director[1]), 428)
    too_long = keyed(director[1], "k" * (idempotency.KEY_LENGTH + 1))
    assert_problem(app_client.post(url, json=BODY, headers=too_long), 422, "header.idempotency-key")
    assert_problem(
        app_client.post(url, json=BODY, headers=keyed(director[1], "has space")),
        422,
        "header.idempotency-key",
    )
    assert count(app_client, FulfilmentReport) == 0 and count(app_client, IdempotencyKey) == 0


def test_a_failed_request_leaves_no_key(
    app_client: TestClient, director: tuple[User, dict[str, str]]
) -> None:
    version = seed_version(app_client)
    url = f"/api/plans/{version.id}/reports"
    headers = keyed(director[1], "retry-1")
    bad = {**BODY, "rows": [{"product": "unobtainium", "quantity": 1.0}]}
    assert_problem(app_client.post(url, json=bad, headers=headers), 422, "body.rows[0].product")
    assert count(app_client, IdempotencyKey) == 0
    # the client fixes the body and retries with the same key: a fresh request
    retried = app_client.post(url, json=BODY, headers=headers)
    assert retried.status_code == 201 and "idempotent-replay" not in retried.headers
    assert count(app_client, IdempotencyKey) == 1


def test_concurrent_twins_create_one_report(
    app_client: TestClient,
    director: tuple[User, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    version = seed_version(app_client)
    url = f"/api/plans/{version.id}/reports"
    headers = keyed(director[1], "twin-1")
    labels = reports.version_labels

    def slow_labels(*args: Any) -> Any:
        time.sleep(0.3)  # the first twin holds its key while the second arrives
        return labels(*args)

    monkeypatch.setattr(reports, "version_labels", slow_labels)
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def post() -> None:
        barrier.wait()
        answers.append(app_client.post(url, json=BODY, headers=headers))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 2
    fresh = [a for a in answers if a.status_code == 201 and "idempotent-replay" not in a.headers]
    others = [a for a in answers if a not in fresh]
    assert len(fresh) == 1, [(a.status_code, a.text) for a in answers]
    [twin] = others
    assert twin.status_code in (201, 409), twin.text
    if twin.status_code == 201:
        assert twin.headers["idempotent-replay"] == "true" and twin.json() == fresh[0].json()
    assert count(app_client, FulfilmentReport) == 1
    assert count(app_client, IdempotencyKey) == 1


def test_a_key_still_in_flight_answers_409(
    app_client: TestClient, director: tuple[User, dict[str, str]]
) -> None:
    app = app_client.app
    assert isinstance(app, FastAPI)
    user = director[0]
    found = idempotency.Fingerprint("flight-1", "POST", "/api/x", "0" * 64)
    with session_scope(app.state.sessionmaker) as session:
        session.add(
            IdempotencyKey(
                user_id=user.id, key=found.key, method="POST", path="/api/x", request_hash="0" * 64
            )
        )
    with session_scope(app.state.sessionmaker) as session:
        with pytest.raises(Problem) as caught:
            idempotency.claim(session, user, found)
    assert caught.value.status == 409
    other = idempotency.Fingerprint("flight-1", "POST", "/api/x", "1" * 64)
    with session_scope(app.state.sessionmaker) as session:
        with pytest.raises(Problem) as caught:
            idempotency.claim(session, user, other)
    assert caught.value.status == 422


def test_request_hash_is_canonical() -> None:
    a = idempotency.request_hash("post", "/p", {"a": 1, "b": [1, 2]})
    assert a == idempotency.request_hash("POST", "/p", {"b": [1, 2], "a": 1})
    assert a != idempotency.request_hash("POST", "/q", {"a": 1, "b": [1, 2]})
    assert a != idempotency.request_hash("POST", "/p", {"a": 1, "b": [2, 1]})
