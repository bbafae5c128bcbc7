"""Counter-plans checked upstream against the slack of an adopted plan."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from gosplan.core.counter_plan_check import CounterPlanCheck
from gosplan.core.economy import Economy
from gosplan.core.plan_result import PlanResult
from gosplan.core.spec import PlanSpec
from gosplan.core.status import Status
from gosplan.errors import InputError, ValidationError
from gosplan.plan import optimise
from gosplan.run.counter_plans import check_counter_plan, read_counter_plans

CHAIN = ["coal", "steel", "machinery"]
#: steel uses 0.5 coal; machinery 0.4 steel and 0.1 coal.
CHAIN_A = [[0.0, 0.5, 0.1], [0.0, 0.0, 0.4], [0.0, 0.0, 0.0]]


def chain(capacity: tuple[float, float, float] = (100.0, 100.0, 100.0), labour: float = 1e4):
    """The chain coal -> steel -> machinery with a least-labour plan of 50 machines."""
    A = pd.DataFrame(CHAIN_A, index=CHAIN, columns=CHAIN)
    eco = Economy.from_coefficients(
        A,
        labour=pd.Series(1.0, index=CHAIN),
        capacity=pd.Series(dict(zip(CHAIN, capacity, strict=True))),
    )
    spec = PlanSpec(
        eco,
        periods=(1,),
        objective="min_labour",
        targets=pd.DataFrame({"product": ["machinery"], "period": [1], "target": [50.0]}),
        labour_available=pd.DataFrame(
            {"labour_type": ["labour"], "period": [1], "available": [labour]}
        ),
    )
    result = optimise(spec)
    assert result.optimal
    # by hand: machinery 50, steel 0.4 * 50 = 20, coal 0.5 * 20 + 0.1 * 50 = 15
    levels = result.activity_levels[1]
    assert np.allclose(levels[CHAIN].to_numpy(), [15.0, 20.0, 50.0])
    return result, spec


def table(*rows: tuple) -> pd.DataFrame:
    cols = ["counter_plan", "enterprise", "period", "extra_output", "input", "new_coefficient"]
    width = max(len(r) for r in rows)
    return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], columns=cols[:width])


def test_a_chain_by_hand_machinery_binds() -> None:
    result, spec = chain()
    check = check_counter_plan(result, spec, table(("double", "machinery", 1, 100.0)))
    req = check.requirements.set_index("item")["total"]
    # requirement: machinery 100, steel 40, coal 0.5 * 40 + 0.1 * 100 = 30
    assert req[["machinery", "steel", "coal"]].tolist() == pytest.approx([100.0, 40.0, 30.0])
    # slack 50, 80, 85: share = min(50/100, 80/40, 85/30)
    assert check.accepted_share("double") == pytest.approx(0.5)
    missing = check.missing.set_index("item")["quantity"]
    assert missing.to_dict() == pytest.approx({"machinery": 50.0})
    assert check.summary["binding_item"].iloc[0] == "machinery"


def test_a_chain_by_hand_steel_binds_upstream() -> None:
    result, spec = chain(capacity=(100.0, 100.0, 1000.0))
    check = check_counter_plan(result, spec, table(("triple", "machinery", 1, 300.0)))
    # requirement 300, 120, 90 against slack 950, 80, 85: steel binds at 80/120
    assert check.accepted_share("triple") == pytest.approx(2 / 3)
    assert check.summary["binding_item"].iloc[0] == "steel"
    missing = check.missing.set_index("item")["quantity"].to_dict()
    assert missing == pytest.approx({"steel": 40.0, "coal": 5.0})
    slack = check.slack.set_index("item")["available"]
    assert slack[["coal", "steel", "machinery"]].tolist() == pytest.approx([85.0, 80.0, 950.0])


def test_labour_binds_and_sessions_cost_labour() -> None:
    result, spec = chain(capacity=(1e3, 1e3, 1e3), labour=85.0 + 34.0)
    cp = table(("more", "machinery", 1, 100.0))
    # labour per machine, all the way up: 1 + 0.4 + 0.3 = 1.7; slack 34 -> 20 machines
    assert check_counter_plan(result, spec, cp).accepted_share("more") == pytest.approx(0.2)
    # sessions: 1/16 of the enterprise's 50 workers = 3.125 person-years off the slack
    with_sessions = check_counter_plan(result, spec, cp, session_labour=1 / 16)
    assert with_sessions.accepted_share("more") == pytest.approx((34.0 - 50 / 16) / 170.0)


def test_raised_norms_reduce_the_requirement() -> None:
    result, spec = chain(capacity=(1e3, 1e3, 1e3))
    plain = check_counter_plan(result, spec, table(("p", "machinery", 1, 100.0)))
    normed = check_counter_plan(result, spec, table(("n", "machinery", 1, 100.0, "steel", 0.2)))
    # (I - A) X = 100 e_m - 0.2 e_steel (100 + 50): X = (100, 10, 15)
    req = normed.requirements.set_index("item")["total"]
    assert req[["machinery", "steel", "coal"]].tolist() == pytest.approx([100.0, 10.0, 15.0])
    base = plain.requirements.set_index("item")["total"]
    assert (req[["steel", "coal"]] < base[["steel", "coal"]]).all()


def test_commit_and_joint_share_one_slack() -> None:
    result, spec = chain()
    cps = table(("first", "machinery", 1, 60.0), ("second", "machinery", 1, 60.0))
    alone = check_counter_plan(result, spec, cps)
    assert alone.summary["accepted_share"].tolist() == pytest.approx([50 / 60, 50 / 60])
    commit = check_counter_plan(result, spec, cps, mode="commit")
    assert commit.summary["accepted_share"].tolist() == pytest.approx([50 / 60, 0.0])
    joint = check_counter_plan(result, spec, cps, mode="joint")
    assert joint.summary["accepted_share"].tolist() == pytest.approx([50 / 120, 50 / 120])
    assert joint.missing["quantity"].sum() == pytest.approx(70.0)


def test_starved_targets_when_accepted_in_full() -> None:
    result, spec = chain(capacity=(100.0, 20.0, 100.0))
    check = check_counter_plan(result, spec, table(("x", "machinery", 1, 30.0)))
    # steel has no slack: 12 steel missing; steel has no free final use and no target, so
    # no target is starved
    assert check.accepted_share("x") == pytest.approx(0.0)
    assert check.missing.set_index("item")["quantity"]["steel"] == pytest.approx(12.0)
    assert check.starved.empty
    spec2 = spec.with_changes(
        targets=pd.DataFrame(
            {"product": ["machinery", "steel"], "period": [1, 1], "target": [50.0, 20.0]}
        )
    )
    check2 = check_counter_plan(result, spec2, table(("x", "machinery", 1, 30.0)))
    row = check2.starved.iloc[0]
    assert (row["product"], row["planned"], row["would_get"]) == ("steel", 20.0, 8.0)
    assert row["shortfall"] == pytest.approx(12.0)


def _square_plan(A: np.ndarray, x0: np.ndarray, cap: np.ndarray, lab: np.ndarray, avail: float):
    labels = [f"g{i}" for i in range(len(x0))]
    eco = Economy.from_coefficients(
        pd.DataFrame(A, index=labels, columns=labels),
        labour=pd.Series(lab, index=labels),
        capacity=pd.Series(cap, index=labels),
    )
    levels = pd.DataFrame({1: x0}, index=labels)
    levels.columns.name = "period"
    empty = pd.DataFrame(columns=pd.Index([1], name="period"))
    result = PlanResult(
        status=Status.OPTIMAL,
        objective=0.0,
        objective_kind="test",
        level=None,
        periods=(1,),
        output=levels,
        activity_levels=levels,
        capacity=pd.DataFrame({1: cap}, index=labels),
        investment=empty,
        capital_spending=empty,
        employment=pd.DataFrame({1: [float(lab @ x0)]}, index=["labour"]),
        consumption=empty,
        stocks=empty,
        imports=empty,
        exports=empty,
        fulfilment=pd.DataFrame(),
        shadow_prices={},
        binding=pd.DataFrame(),
        growth=empty,
        investment_shares=pd.DataFrame(),
        verification=None,
    )
    spec = PlanSpec(
        eco,
        periods=(1,),
        objective="min_labour",
        labour_available=pd.DataFrame(
            {"labour_type": ["labour"], "period": [1], "available": [avail]}
        ),
    )
    return result, spec


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_the_share_agrees_with_an_independent_lp(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < 0.6)
    A *= rng.uniform(0.2, 0.8) / np.maximum(A.sum(axis=0), 1e-9)
    y = rng.uniform(1, 5, n)
    x0 = np.linalg.solve(np.eye(n) - A, y)
    cap = x0 * rng.uniform(1.0, 2.0, n)
    lab = rng.uniform(0.1, 1.0, n)
    avail = float(lab @ x0) * rng.uniform(1.0, 1.5)
    p, q = int(rng.integers(n)), float(rng.uniform(0.1, 10.0))
    result, spec = _square_plan(A, x0, cap, lab, avail)
    check = check_counter_plan(result, spec, table(("c", f"g{p}", 1, q)))
    # independent LP: max s with (I - A) X = s q e_p, X <= cap - x0, lab X <= avail - lab x0
    c = np.zeros(n + 1)
    c[0] = -1.0
    e = np.zeros(n)
    e[p] = q
    A_eq = np.hstack([-e[:, None], np.eye(n) - A])
    A_ub = np.vstack([np.hstack([np.zeros((n, 1)), np.eye(n)]), np.r_[0.0, lab][None, :]])
    b_ub = np.r_[cap - x0, avail - lab @ x0]
    lp = linprog(
        c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=np.zeros(n),
        bounds=[(0, 1)] + [(None, None)] * n, method="highs",
    )  # fmt: skip
    assert lp.status == 0
    assert check.accepted_share("c") == pytest.approx(lp.x[0], abs=1e-7)


def _feasible(spec: PlanSpec, result: PlanResult, product: str, extra: float) -> bool:
    """Is ``extra`` more of ``product`` feasible with the plan's levels as a floor?"""
    eco = spec.economy
    A = eco.technology.toarray()
    n = A.shape[0]
    x0 = result.activity_levels[1].reindex(eco.activity_labels).to_numpy(float)
    cap = np.asarray(eco.capacity, float)
    assert eco.labour is not None
    lab = eco.labour.toarray()
    avail = spec.labour_available["available"].to_numpy(float)
    e = np.zeros(n)
    e[eco.product_labels.get_loc(product)] = extra
    # (I - A) x >= (I - A) x0 + e, x0 <= x <= cap, lab x <= available
    A_ub = np.vstack([-(np.eye(n) - A), lab])
    b_ub = np.r_[-((np.eye(n) - A) @ x0 + e), avail]
    bounds = [(x0[i], cap[i]) for i in range(n)]
    lp = linprog(np.zeros(n), A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    return lp.status == 0


@pytest.mark.parametrize(
    ("capacity", "labour", "extra"),
    [
        ((100.0, 100.0, 100.0), 1e4, 100.0),
        ((100.0, 60.0, 500.0), 1e4, 200.0),
        ((1e3,) * 3, 130.0, 50.0),
    ],
)
def test_the_accepted_share_is_feasible_and_no_more(capacity, labour, extra) -> None:
    result, spec = chain(capacity=capacity, labour=labour)
    share = check_counter_plan(result, spec, table(("c", "machinery", 1, extra))).accepted_share(
        "c"
    )
    assert 0 < share < 1
    assert _feasible(spec, result, "machinery", share * extra)
    assert not _feasible(spec, result, "machinery", (share + 0.01) * extra)


def test_stocks_carried_by_the_plan_can_be_drawn() -> None:
    result, spec = chain()
    stocks = pd.DataFrame({1: [0.0, 0.0, 30.0]}, index=CHAIN)
    stocks.columns.name = "period"
    with_stock = replace(result, stocks=stocks)
    check = check_counter_plan(with_stock, spec, table(("s", "machinery", 1, 100.0)))
    # machinery: 50 capacity slack + 30 in stock = 80 of 100
    assert check.accepted_share("s") == pytest.approx(0.8)
    assert check.summary["method"].iloc[0] == "lp"
    assert check.missing.set_index("item")["quantity"].to_dict() == pytest.approx(
        {"machinery": 20.0}
    )


def test_bad_rows_are_reported_at_once_with_rows_and_source(tmp_path) -> None:
    result, spec = chain()
    path = tmp_path / "counter.csv"
    table(
        ("a", "machinery", 1, 10.0),
        ("b", "nowhere", 1, 10.0),
        ("c", "machinery", 1999, 10.0),
        ("d", "machinery", 1, -5.0),
        ("e", "machinery", 1, 10.0, "machinery", 0.1),
        ("f", "machinery", 1, 10.0, "steel", -0.1),
        ("g", "machinery", 1, 10.0, "steel", 0.3),
        ("g", "machinery", 1, 10.0, "steel", 0.2),
    ).to_csv(path, index=False)
    with pytest.raises(ValidationError) as info:
        check_counter_plan(result, spec, read_counter_plans(path))
    found = {(p.row, p.check) for p in info.value.problems}
    assert found == {
        (3, "unknown_enterprise"),
        (4, "period_outside_plan"),
        (5, "negative_output"),
        (6, "unknown_label"),
        (7, "negative_coefficient"),
        (9, "duplicate_label"),
    }
    assert all(p.source == str(path) for p in info.value.problems)
    assert "nowhere" in str(info.value)


def test_bad_arguments() -> None:
    result, spec = chain()
    cp = table(("a", "machinery", 1, 10.0))
    with pytest.raises(InputError, match="unknown mode"):
        check_counter_plan(result, spec, cp, mode="later")
    with pytest.raises(InputError, match="session_labour"):
        check_counter_plan(result, spec, cp, session_labour=-1.0)
    with pytest.raises(InputError, match="columns"):
        check_counter_plan(result, spec, cp.drop(columns="period"))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_the_check_round_trips(tmp_path, fmt: str) -> None:
    result, spec = chain(capacity=(100.0, 100.0, 1000.0))
    check = check_counter_plan(
        result,
        spec,
        table(("t", "machinery", 1, 300.0), ("u", "steel", 1, 5.0)),
        mode="commit",
        session_labour=1 / 16,
    )
    back = CounterPlanCheck.read(check.write(tmp_path / f"check.{fmt}", format=fmt))
    assert (back.mode, back.session_labour) == ("commit", 1 / 16)
    for name in ("requirements", "slack", "summary", "missing", "starved"):
        got, want = getattr(back, name), getattr(check, name)
        assert list(got.columns) == list(want.columns), name
        assert len(got) == len(want), name
        if len(want):
            pd.testing.assert_frame_equal(
                got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False
            )
    assert back.message() == check.message()
    again = CounterPlanCheck.from_dict(check.to_dict())
    assert again.summary["accepted_share"].tolist() == check.summary["accepted_share"].tolist()
