"""Zero lost reports under a kill: SIGKILL the app server mid-load, restart it, lose nothing.

The app runs as a real uvicorn subprocess (:class:`~.server.ServiceServer`) on SQLite and on
PostgreSQL (the app server is killed, never the database). 32 client threads, each a
director of its own ussr-1928 enterprise with its own token, send fulfilment reports of an
approved version, each with a new ``Idempotency-Key``. A few seconds in, the server is
SIGKILLed and started again on the same database; every client retries its unacknowledged
report with the same key and body until it is acknowledged (201, or the replay of one).

Then: every acknowledged report is in the table (none lost), no key made two rows (no
duplicates), and rows = acknowledged reports = ``report.submit`` audit rows.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from gosplan_service.db import make_engine, make_sessionmaker, session_scope
from gosplan_service.models import AuditEvent, FulfilmentReport, IdempotencyKey, User
from gosplan_service.security import issue_token

from .seed import solved
from .server import ServiceServer, seed_version_into

#: Client threads (one director and one token each).
CLIENTS = 32
#: Seconds the clients start new reports for (the whole load, the kill included).
LOAD_S = 10.0
#: Seconds into the load when the server is killed (once enough reports are acknowledged).
KILL_AFTER_S = 3.0
#: Acknowledged reports wanted before the kill.
ACKS_BEFORE_KILL = 20
#: Seconds a client keeps retrying one report before the test gives up on it.
RETRY_DEADLINE_S = 120.0


@dataclass
class Client:
    """One client thread's director, and what it got acknowledged."""

    token: str
    enterprise: str
    period: int
    product: str
    #: ``Idempotency-Key -> report id`` of every acknowledged report.
    acknowledged: dict[str, int] = field(default_factory=dict)
    #: Keys sent at least once (acknowledged or not).
    attempted: set[str] = field(default_factory=set)
    retries: int = 0
    replays: int = 0
    #: Answers that are neither an acknowledgement nor worth a retry.
    unexpected: list[str] = field(default_factory=list)


def _prepare(database_url: str) -> tuple[int, list[Client]]:
    """Seed an approved version and the directors; the version's id and the clients."""
    plan = solved()
    version_id = seed_version_into(database_url, plan, "approved")
    by_enterprise: dict[str, dict[str, Any]] = {}
    for row in plan.figures:
        by_enterprise.setdefault(row["enterprise"], row)
    enterprises = sorted(by_enterprise)
    clients: list[Client] = []
    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            for i in range(CLIENTS):
                enterprise = enterprises[i % len(enterprises)]
                user = User(
                    name=f"kill-director-{i}", role="director", enterprise=enterprise,
                    password_hash="x",
                )  # fmt: skip
                session.add(user)
                session.flush()
                token, _ = issue_token(session, user, 3600)
                figure = by_enterprise[enterprise]
                clients.append(Client(token, enterprise, figure["period"], figure["product"]))
    finally:
        engine.dispose()
    return version_id, clients


def _send_reports(
    server: ServiceServer, version_id: int, client: Client, stop_at: float, errors: list[str]
) -> None:
    """Send reports until ``stop_at``; retry each until acknowledged (same key, same body)."""
    path = server.url(f"/api/plans/{version_id}/reports")
    headers = {"Authorization": f"Bearer {client.token}"}
    number = 0
    try:
        with httpx.Client(timeout=30.0, headers=headers) as http:
            while time.monotonic() < stop_at:
                number += 1
                key = uuid.uuid4().hex
                body = {
                    "enterprise": client.enterprise,
                    "period": client.period,
                    "rows": [{"product": client.product, "quantity": float(number)}],
                }
                given_up = time.monotonic() + RETRY_DEADLINE_S
                while True:
                    client.attempted.add(key)
                    try:
                        response = http.post(path, json=body, headers={"Idempotency-Key": key})
                    except httpx.TransportError:
                        response = None
                    if response is not None and response.status_code in (200, 201):
                        client.acknowledged[key] = int(response.json()["id"])
                        if response.headers.get("idempotent-replay") == "true":
                            client.replays += 1
                        break
                    if response is not None and response.status_code not in (409, 502, 503):
                        client.unexpected.append(f"{response.status_code}: {response.text[:300]}")
                        if response.status_code < 500:
                            break
                    if time.monotonic() > given_up:
                        errors.append(f"report {key} of {client.enterprise} never acknowledged")
                        return
                    client.retries += 1
                    time.sleep(0.05)
    except Exception as err:  # a crash of the thread must fail the test, not vanish
        errors.append(f"{type(err).__name__}: {err}")


def _counts(database_url: str, version_id: int) -> tuple[list[int], int, int]:
    """The report ids of the version, its ``report.submit`` audit rows, its idempotency keys."""
    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine), writes=False) as session:
            ids = list(
                session.scalars(
                    select(FulfilmentReport.id).where(
                        FulfilmentReport.plan_version_id == version_id
                    )
                )
            )
            audited = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "report.submit", AuditEvent.outcome == "done")
            )
            keys = session.scalar(select(func.count()).select_from(IdempotencyKey))
    finally:
        engine.dispose()
    return ids, int(audited or 0), int(keys or 0)


def test_zero_lost_reports_under_a_kill(database_url: str) -> None:
    version_id, clients = _prepare(database_url)
    errors: list[str] = []
    with ServiceServer(database_url, submission_rate_limit=10**6) as server:
        started = time.monotonic()
        stop_at = started + LOAD_S
        threads = [
            threading.Thread(
                target=_send_reports, args=(server, version_id, c, stop_at, errors), daemon=True
            )
            for c in clients
        ]
        for thread in threads:
            thread.start()
        while time.monotonic() < started + KILL_AFTER_S or (
            sum(len(c.acknowledged) for c in clients) < ACKS_BEFORE_KILL
            and time.monotonic() < stop_at - 2
        ):
            time.sleep(0.05)
        acknowledged_before_kill = sum(len(c.acknowledged) for c in clients)
        server.kill()
        time.sleep(0.5)  # clients see refused connections for a while
        server.start()
        acknowledged_at_restart = sum(len(c.acknowledged) for c in clients)
        for thread in threads:
            thread.join(timeout=RETRY_DEADLINE_S + 60)
        assert not any(thread.is_alive() for thread in threads), "a client thread hangs"
        acknowledged_at_end = sum(len(c.acknowledged) for c in clients)
        assert server.starts == 2
    assert not errors, "\n".join(errors)
    unexpected = [text for c in clients for text in c.unexpected]
    assert not unexpected, "\n".join(unexpected[:20])
    assert acknowledged_before_kill > 0, "nothing was acknowledged before the kill"
    assert acknowledged_at_end > acknowledged_at_restart, "nothing acknowledged after the restart"

    acknowledged = {key: rid for c in clients for key, rid in c.acknowledged.items()}
    attempted = set().union(*(c.attempted for c in clients))
    assert set(acknowledged) == attempted, "some reports were never acknowledged"
    ids, audited, keys = _counts(database_url, version_id)
    print(  # shown with -s: how much the kill had to be survived
        f"{len(acknowledged)} reports acknowledged ({acknowledged_before_kill} before the kill),"
        f" {sum(c.retries for c in clients)} retries, {sum(c.replays for c in clients)} replays"
    )
    lost = set(acknowledged.values()) - set(ids)
    assert not lost, f"{len(lost)} acknowledged reports are not in the table"
    assert len(set(acknowledged.values())) == len(acknowledged), "two keys, one report"
    assert len(ids) == len(set(ids)) == len(acknowledged), (
        f"{len(ids)} rows for {len(acknowledged)} acknowledged reports (duplicates)"
    )
    assert audited == len(ids), f"{audited} report.submit audit rows for {len(ids)} reports"
    assert keys == len(acknowledged)
