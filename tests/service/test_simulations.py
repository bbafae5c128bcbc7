"""Simulations and ensembles of a solved plan version, as jobs, on SQLite and PostgreSQL.

The stored summaries are checked against the library called directly on the same inputs
(:func:`gosplan.run.simulate`, :func:`gosplan.run.ensemble`), the ensemble's by an
independent sum over its runs table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI

from gosplan.core.plan_result import PlanResult
from gosplan.run import simulate
from gosplan_service import jobs, sim_compute
from gosplan_service.models import Job, PlanVersion

from .conftest import TestClient, login, session_on
from .seed import assert_problem, audit_rows, count, seed_version, solved

COAL_SHOCK = {"product": "coal", "from_step": 0, "share": 0.5, "recovery": 0}
DENIED_ROLES = ("approver", "committee_member", "director", "workers_committee", "observer")


def run_jobs(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    jobs.run_pending(app.state.sessionmaker)


def planner(client: TestClient, make_user: Callable[..., Any]) -> dict[str, str]:
    return login(client, make_user("planner").name)


def finished(client: TestClient, response: Any, headers: dict[str, str]) -> dict[str, Any]:
    """Run the queued job of a 202 and read it back through its ``Location``."""
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert location == f"/api/jobs/{response.json()['id']}"
    assert response.json()["status"] == "queued"
    run_jobs(client)
    job = client.get(location, headers=headers)
    assert job.status_code == 200, job.text
    body: dict[str, Any] = job.json()
    assert body["status"] == "done", body["message"]
    assert body["progress"] == 1.0
    return body


def library_run(shocks: list[dict[str, Any]], **options: Any) -> Any:
    """The library's own simulation of the seeded plan (independent of the service)."""
    from gosplan.core.plan_result import PlanResult
    from gosplan.run import simulate
    from gosplan_service.plan_compute import spec_from_dict

    plan = solved()
    table = pd.DataFrame(shocks) if shocks else None
    return simulate(
        spec_from_dict(plan.spec), PlanResult.from_dict(plan.result), step="month", shocks=table,
        **options,
    )  # fmt: skip


def table_of(rows: list[dict[str, Any]], label: str) -> dict[tuple[str, int], float | None]:
    return {(r[label], r["period"]): r["percent"] for r in rows}


def same(a: float | None, b: float) -> bool:
    if a is None:
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_a_simulation_is_the_library_s(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    version = seed_version(app_client)
    headers = planner(app_client, make_user)
    body = {"periods": [1929, 1930], "seed": 3, "shocks": [COAL_SHOCK]}
    response = app_client.post(f"/api/plans/{version.id}/simulations", json=body, headers=headers)
    job = finished(app_client, response, headers)
    summary = job["result"]
    assert job["kind"] == "simulation"
    assert summary["kind"] == "simulation"
    assert summary["periods"] == [1929, 1930] and summary["steps"] == 24
    direct = library_run([COAL_SHOCK], periods=[1929, 1930], seed=3)
    fulfilment = table_of(summary["fulfilment"], "product")
    expected = direct.plan_fulfilment()
    assert len(fulfilment) == expected.size
    for product, row in expected.iterrows():
        for period, value in row.items():
            assert same(fulfilment[str(product), int(period)], float(value)), (product, period)
    from gosplan.run.plan_simulation import labour_values
    from gosplan_service.plan_compute import spec_from_dict
    from gosplan_service.report_compute import result_from_document

    weights = labour_values(spec_from_dict(solved().spec), result_from_document(solved().result))
    unmet = table_of(summary["unmet_by_user"], "user")
    for user, row in direct.unmet_by_user(weights).iterrows():
        for period, value in row.items():
            assert same(unmet[str(user), int(period)], float(value)), (user, period)
    assert summary["worst"] and summary["worst"][0]["product"]
    assert summary["document"]["kind"] == direct.to_dict()["kind"]
    assert summary["document"]["steps"] == 24
    assert job["provenance"]["function"] == "gosplan_service.sim_compute:simulate"
    assert [r.object_id for r in audit_rows(app_client, "plan.simulate")] == [str(version.id)]
    assert len(audit_rows(app_client, "plan.simulated")) == 1


def test_a_capacity_shock_lowers_the_shocked_product(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    version = seed_version(app_client)
    headers = planner(app_client, make_user)
    path = f"/api/plans/{version.id}/simulations"
    calm = finished(app_client, app_client.post(path, json={}, headers=headers), headers)
    body = {"shocks": [COAL_SHOCK]}
    hit = finished(app_client, app_client.post(path, json=body, headers=headers), headers)
    before = table_of(calm["result"]["fulfilment"], "product")
    after = table_of(hit["result"]["fulfilment"], "product")
    coal = [p for (product, p) in before if product == "coal"]
    assert len(coal) == 5
    for period in coal:
        assert after["coal", period] < before["coal", period] - 1.0, period


def test_an_ensemble_is_the_library_s(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    from gosplan.run.ensemble import run_seeds

    version = seed_version(app_client)
    headers = planner(app_client, make_user)
    shock = {"product": "coal", "from_step": 2, "share_min": 0.1, "share_max": 0.7}
    body = {"runs": 6, "seed": 11, "periods": [1929, 1930], "shocks": [shock]}
    response = app_client.post(f"/api/plans/{version.id}/ensembles", json=body, headers=headers)
    job = finished(app_client, response, headers)
    summary = job["result"]
    assert (summary["kind"], summary["runs"], summary["seed"]) == ("ensemble", 6, 11)
    assert summary["seeds"] == run_seeds(11, 6)
    frames = []
    for seed in run_seeds(11, 6):
        direct = library_run([shock], periods=[1929, 1930], seed=seed).plan_fulfilment()
        frames.append(direct.stack().rename("percent").reset_index())
    share = pd.concat(frames).dropna()
    stored = {(r["product"], r["period"]): r for r in summary["fulfilment"]}
    assert len(stored) == share.groupby(["product", "period"]).ngroups
    for (product, period), values in share.groupby(["product", "period"])["percent"]:
        row = stored[str(product), int(period)]
        assert math.isclose(row["mean"], values.mean(), rel_tol=1e-9), (product, period)
        assert math.isclose(row["p95"], values.quantile(0.95), rel_tol=1e-9)
        assert math.isclose(row["p05"], values.quantile(0.05), rel_tol=1e-9)
    coal = stored["coal", 1930]
    assert coal["p05"] < coal["p95"]  # the drawn shares differ from run to run
    assert {(r["user"], r["period"]) for r in summary["unmet_by_user"]} >= {("households", 1929)}
    again = app_client.post(f"/api/plans/{version.id}/ensembles", json=body, headers=headers)
    assert finished(app_client, again, headers)["result"] == summary  # repeatable


def test_the_library_s_ensemble_seeds_a_plan_s_runs_as_the_job_does() -> None:
    """The job's run ``r`` is the library ensemble's run ``r`` (same seed, same output)."""
    from gosplan.run.ensemble import ensemble as library_ensemble
    from gosplan.run.ensemble import run_seeds, takes_seed
    from gosplan_service.plan_compute import spec_from_dict

    plan = solved()
    spec, result = spec_from_dict(plan.spec), PlanResult.from_dict(plan.result)
    assert takes_seed(spec)
    shocks = sim_compute.shock_table(
        [{"kind": "capacity", "product": "coal", "from_step": 2, "share_min": 0.5,
          "share_max": 0.95}]
    )  # fmt: skip
    theirs = library_ensemble(
        spec, {"v": {"shocks": shocks}}, result=result, runs=2, serial=True, seed=5,
        periods=[1929],
    )  # fmt: skip
    mine = simulate(spec, result, shocks=shocks, seed=run_seeds(5, 2)[1], periods=[1929])
    got = theirs.runs[theirs.runs["run"] == 1].sort_values(["step", "product"])
    expected = mine.products.sort_values(["step", "product"])
    np.testing.assert_array_equal(got["output"].to_numpy(), expected["output"].to_numpy())


def test_progress_reaches_one() -> None:
    plan = solved()
    for compute, extra in ((sim_compute.simulate, {}), (sim_compute.ensemble, {"runs": 2})):
        seen: list[float] = []
        params = {"spec": plan.spec, "result": plan.result, "periods": [1929], **extra}
        compute(params, lambda share, message, seen=seen: seen.append(share))
        assert seen[-1] == 1.0 and seen == sorted(seen), seen
        assert len(seen) > 3


BAD_SHOCKS = [
    ([COAL_SHOCK, {**COAL_SHOCK, "product": "unobtainium"}], "body.shocks[1].product"),
    ([{**COAL_SHOCK, "from_step": 12}], "body.shocks[0].from_step"),
    ([{**COAL_SHOCK, "share": 1.5}], "body.shocks[0].share"),
    ([{**COAL_SHOCK, "share": "0.5"}], "body.shocks[0].share"),
    ([{**COAL_SHOCK, "bogus": 1}], "body.shocks[0].bogus"),
    ([{"product": "coal", "from_step": 0}], "body.shocks[0].share"),
    ([{"enterprise": "Atlantis works", "from_step": 0, "share": 0.2}], "body.shocks[0].enterprise"),
    ([{"product": "coal", "date": "1950-01", "share": 0.2}], "body.shocks[0].date"),
    ([{**COAL_SHOCK, "kind": "flood"}], "body.shocks[0].kind"),
    ([{**COAL_SHOCK, "kind": "labour", "product": "nobody"}], "body.shocks[0].product"),
]


def test_bad_shocks_are_named_and_nothing_is_queued(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    version = seed_version(app_client)
    headers = planner(app_client, make_user)
    for kind in ("simulations", "ensembles"):
        for shocks, field in BAD_SHOCKS:
            body = {"periods": [1929], "shocks": shocks}
            response = app_client.post(
                f"/api/plans/{version.id}/{kind}", json=body, headers=headers
            )
            assert_problem(response, 422, field)
    response = app_client.post(
        f"/api/plans/{version.id}/ensembles", json={"runs": 201}, headers=headers
    )
    assert_problem(response, 422, "body.runs")
    assert count(app_client, Job) == 0


def test_a_draft_without_a_result_is_409(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    author = make_user("planner")
    headers = login(app_client, author.name)
    with session_on(app_client) as session:
        draft = PlanVersion(
            plan_name="unsolved", number=1, status="draft", spec=solved().spec, created_by=author.id
        )
        session.add(draft)
        session.flush()
        draft_id = draft.id
    for kind in ("simulations", "ensembles"):
        response = app_client.post(f"/api/plans/{draft_id}/{kind}", json={}, headers=headers)
        assert response.status_code == 409, response.text
    assert count(app_client, Job) == 0


@pytest.mark.parametrize("kind", ["simulations", "ensembles"])
def test_only_planners_may_simulate(
    app_client: TestClient, make_user: Callable[..., Any], kind: str
) -> None:
    version = seed_version(app_client)
    path = f"/api/plans/{version.id}/{kind}"
    body = {"periods": [1929], "runs": 2} if kind == "ensembles" else {"periods": [1929]}
    for role in DENIED_ROLES:
        response = app_client.post(path, json=body, headers=login(app_client, make_user(role).name))
        assert response.status_code == 403, (role, response.text)
    assert len(audit_rows(app_client, "plan.simulate", "denied")) == len(DENIED_ROLES)
    assert count(app_client, Job) == 0
    response = app_client.post(path, json=body, headers=planner(app_client, make_user))
    assert response.status_code == 202, response.text
    assert count(app_client, Job) == 1
