"""Fulfilment, competition and alerts reflect the stored reports (checked against the library)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from gosplan_service.app import create_app
from gosplan_service.models import User

from .conftest import login, settings_for
from .seed import Seeded, assert_problem, keyed, seed_version

DONUGOL = "Donugol mines"
KUZBASS = "Kuzbass mines"
#: Share of the figure each enterprise reports, by period (Donugol falls off in 1932).
SHARES = {
    DONUGOL: {1929: 1.0, 1930: 1.01, 1931: 0.99, 1932: 0.6, 1933: 0.58},
    KUZBASS: {1929: 1.1, 1930: 0.9, 1931: 1.2},
}


@pytest.fixture
def app_client(make_client: Callable[..., TestClient], database_url: str) -> TestClient:
    app = create_app(settings_for(database_url, submission_rate_limit=1000))
    return make_client(app=app)


def post_reports(client: TestClient, version: Seeded, headers: dict[str, dict[str, str]]) -> None:
    first = {"enterprise": DONUGOL, "period": 1929, "rows": [{"product": "coal", "quantity": 1.0}]}
    url = f"/api/plans/{version.id}/reports"
    # an early report that the later one of the same period replaces
    assert client.post(url, json=first, headers=keyed(headers[DONUGOL], "early")).status_code == 201
    for enterprise, shares in SHARES.items():
        for period, share in shares.items():
            quantity = share * version.figure(enterprise, period)["output"]
            body = {
                "enterprise": enterprise,
                "period": period,
                "rows": [{"product": "coal", "quantity": quantity}],
            }
            key = keyed(headers[enterprise], f"{enterprise[:3]}-{period}")
            assert client.post(url, json=body, headers=key).status_code == 201


def library_report(version: Seeded) -> Any:
    """The library's own fulfilment of the same reports, figures from the seed."""
    from gosplan.run import fulfilment

    figures = pd.DataFrame(version.figures)[["enterprise", "product", "period", "month", "output"]]
    actuals = pd.DataFrame(
        [
            {
                "enterprise": e,
                "period": t,
                "product": "coal",
                "output": s * version.figure(e, t)["output"],
            }
            for e, shares in SHARES.items()
            for t, s in shares.items()
        ]
    )
    return fulfilment(figures, actuals)


def same(got: list[dict[str, Any]], want: pd.DataFrame, columns: list[str]) -> None:
    assert len(got) == len(want)
    for row, expected in zip(got, want.astype(object).to_dict(orient="records"), strict=True):
        for column in columns:
            value = expected[column]
            if isinstance(value, float):
                if math.isnan(value):
                    assert row[column] is None
                else:
                    assert row[column] == pytest.approx(value), column
            elif value is None or value is pd.NA:
                assert row[column] is None, column
            elif isinstance(value, int | np.integer):
                assert row[column] == int(value), column
            else:
                assert row[column] == str(value), column


@pytest.fixture
def reported(
    app_client: TestClient, make_user: Callable[..., User]
) -> tuple[Seeded, dict[str, User]]:
    version = seed_version(app_client)
    users = {e: make_user("director", enterprise=e) for e in SHARES}
    headers = {e: login(app_client, u.name) for e, u in users.items()}
    post_reports(app_client, version, headers)
    return version, users


def test_fulfilment_matches_the_library(
    app_client: TestClient,
    make_user: Callable[..., User],
    reported: tuple[Seeded, dict[str, User]],
) -> None:
    version, users = reported
    want = library_report(version).table
    planner = login(app_client, make_user("planner").name)
    got = app_client.get(f"/api/plans/{version.id}/fulfilment", headers=planner)
    assert got.status_code == 200, got.text
    rows = got.json()["rows"]
    columns = ["enterprise", "product", "period", "month", "plan", "actual", "share"]
    same(rows, want, [*columns, "cumulative_share", "shortfall", "cause"])
    assert {r["enterprise"] for r in rows} == {DONUGOL, KUZBASS}
    # a director sees their own enterprise's rows only (the same values)
    own = app_client.get(
        f"/api/plans/{version.id}/fulfilment", headers=login(app_client, users[KUZBASS].name)
    ).json()["rows"]
    assert own == [r for r in rows if r["enterprise"] == KUZBASS]


def test_competition_matches_the_library(
    app_client: TestClient,
    make_user: Callable[..., User],
    reported: tuple[Seeded, dict[str, User]],
) -> None:
    from gosplan.run import competition

    version, _ = reported
    report = library_report(version)
    committee = login(app_client, make_user("workers_committee", enterprise=KUZBASS).name)
    for measure in ("fulfilment", "growth"):
        got = app_client.get(
            f"/api/plans/{version.id}/competition", params={"measure": measure}, headers=committee
        )
        assert got.status_code == 200, got.text
        want = competition(report, by="enterprise", measure=measure)
        same(got.json()["rows"], want, ["enterprise", "period", "month", "value", "rank"])
    ranked = app_client.get(f"/api/plans/{version.id}/competition", headers=committee).json()
    first_1931 = [r for r in ranked["rows"] if r["period"] == 1931 and r["rank"] == 1]
    assert [r["enterprise"] for r in first_1931] == [KUZBASS]
    bad = app_client.get(
        f"/api/plans/{version.id}/competition", params={"measure": "luck"}, headers=committee
    )
    assert_problem(bad, 422, "query.measure")


def test_alerts_match_the_library(
    app_client: TestClient,
    make_user: Callable[..., User],
    reported: tuple[Seeded, dict[str, User]],
) -> None:
    from gosplan.run import alerts

    version, users = reported
    want = alerts(library_report(version).table)
    assert len(want)  # Donugol's fall raises one
    observer = login(app_client, make_user("observer").name)
    got = app_client.get(f"/api/plans/{version.id}/alerts", headers=observer)
    assert got.status_code == 200, got.text
    same(got.json()["rows"], want, list(want.columns))
    assert {r["enterprise"] for r in got.json()["rows"]} == {DONUGOL}
    kuzbass = login(app_client, users[KUZBASS].name)
    own = app_client.get(f"/api/plans/{version.id}/alerts", headers=kuzbass).json()
    assert own["rows"] == []


def test_no_reports_yet(app_client: TestClient, make_user: Callable[..., User]) -> None:
    version = seed_version(app_client)
    headers = login(app_client, make_user("approver").name)
    for what in ("fulfilment", "competition", "alerts"):
        got = app_client.get(f"/api/plans/{version.id}/{what}", headers=headers)
        assert got.status_code == 200, got.text
        assert got.json()["rows"] == []
