"""Shock kinds, recovery curves, drawn shares, fixed allotments, transport, and no late peak."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.checks import Problems
from gosplan.errors import ValidationError
from gosplan.generate import generate_economy
from gosplan.run.rationing import Allotments, Priority, proportional
from gosplan.run.shocks import Shocks, shock_set
from gosplan.run.simulate import prepare, simulate


@pytest.fixture(scope="module")
def big() -> tuple:
    eco = generate_economy(150, seed=4)
    y = pd.Series(np.random.default_rng(1).uniform(1, 10, 150), index=eco.product_labels)
    return eco, y, eco.gross_output(y).to_numpy()


def _hub(eco) -> str:
    return str(eco.product_labels[int(np.argmax(np.diff(eco.technology.tocsr().indptr)))])


def test_recovery_curves_follow_their_formulas() -> None:
    curves = np.array([0, 1, 2])  # linear, exponential, step
    shocks = Shocks(
        np.array([0, 1, 2]), np.array([5, 5, 5]), np.full(3, 0.4), np.full(3, 10.0), curves
    )
    assert shocks.loss(4).tolist() == [0.0, 0.0, 0.0]
    lin, exp, step = shocks.loss(10)
    assert lin == pytest.approx(0.4 * 0.5)
    assert exp == pytest.approx(0.4 * np.exp(-0.5))
    assert step == pytest.approx(0.4)
    assert shocks.loss(15)[[0, 2]].tolist() == [0.0, 0.0]
    never = Shocks(np.array([0]), np.array([0]), np.array([0.3]), np.array([0.0]), np.array([1]))
    assert never.loss(1000)[0] == pytest.approx(0.3)
    every = Shocks(np.array([-1]), np.array([0]), np.array([0.5]), np.array([0.0]), np.array([0]))
    np.testing.assert_allclose(every.factor(3, 4), 0.5)


def test_ranged_shares_are_drawn_from_the_seed() -> None:
    labels = pd.Index(["a", "b"])
    table = pd.DataFrame(
        {
            "product": ["a", "b"],
            "from_step": [0, 1],
            "share_min": [0.1, 0.5],
            "share_max": [0.3, 0.5],
        }
    )

    def draw(seed: int | None) -> np.ndarray:
        return shock_set(
            table, labels, pd.Index([]), np.zeros(0, bool), 5, Problems(), seed=seed
        ).capacity.share

    a, b, c = draw(1), draw(1), draw(2)
    np.testing.assert_array_equal(a, b)
    assert a[0] != c[0]
    assert 0.1 <= a[0] <= 0.3 and a[1] == 0.5


def test_a_harvest_lasts_one_period_by_default() -> None:
    table = pd.DataFrame({"product": ["a"], "from_step": [2], "share": [0.3], "kind": ["harvest"]})
    got = shock_set(
        table, pd.Index(["a"]), pd.Index([]), np.zeros(0, bool), 30, Problems(), period_steps=12
    )
    assert got.capacity.loss(13)[0] == pytest.approx(0.3)
    assert got.capacity.loss(14)[0] == 0.0


def test_rules_share_what_is_shipped_without_overfilling() -> None:
    rows, cols = np.array([0, 0, 1]), np.array([1, 2, 2])
    ordered = np.array([3.0, 6.0, 3.0])
    final = np.array([[10.0, 2.0, 0.0]])
    demand = np.bincount(rows, weights=ordered, minlength=3) + final.sum(axis=0)
    shipped = np.array([10.0, 5.0, 0.0])
    allot = Allotments(np.array([[8.0, 2.0, 3.0]]), np.array([[[10.0, 2.0, 0.0]]]))
    prio = Priority(np.array([1, 0, 1, 0]), 2)
    for links, users in (
        proportional(shipped, demand, ordered, rows, final),
        prio.deliveries(shipped, ordered, rows, cols, final),
        allot.deliveries(0, shipped, ordered, rows, final),
    ):
        total = np.bincount(rows, weights=links, minlength=3) + users.sum(axis=0)
        np.testing.assert_allclose(total, np.minimum(shipped, demand))
        assert (links <= ordered + 1e-12).all() and (users <= final + 1e-12).all()
    links, users = allot.deliveries(0, shipped, ordered, rows, final)
    # product 0: allotments 8, 2 (links) and 10 (final) of 20 share the 10 shipped as 4, 1, 5;
    # link 0 ordered only 3, so the 1 it leaves goes half and half to the others, who lack 5 each
    assert links[0] == pytest.approx(3.0)
    assert links[1] == pytest.approx(1.5)
    assert users[0, 0] == pytest.approx(5.5)


@pytest.mark.parametrize("rationing", ["fixed", "proportional"])
def test_transport_and_fixed_allotments_keep_the_books(big: tuple, rationing: str) -> None:
    eco, y, x = big
    hub = _hub(eco)
    shocks = pd.DataFrame(
        {
            "product": [hub, "*"],
            "from_step": [5, 10],
            "share": [0.5, 0.3],
            "recovery": [30, 20],
            "kind": ["capacity", "transport"],
        }
    )
    sim = prepare(
        eco,
        y,
        steps=90,
        capacity=pd.Series(1.05 * x, index=eco.product_labels),
        stock_days=2,
        restoration=5,
        shocks=shocks,
        rationing=rationing,
    )
    backlog = np.zeros(sim.n)
    for _ in range(sim.steps):
        s = sim.step()
        assert (s.stocks >= 0).all()
        delivered = np.bincount(sim.rows, weights=s.delivered, minlength=sim.n)
        np.testing.assert_allclose(delivered + s.delivered_final, s.shipped, rtol=1e-11, atol=1e-11)
        np.testing.assert_allclose(
            s.output + backlog, s.shipped + s.backlog, rtol=1e-11, atol=1e-11
        )
        backlog = s.backlog
        assert (s.delivered <= s.ordered * (1 + 1e-12)).all()
    assert backlog.max() < 1e-6 * x.max()  # held-up goods all went out after transport recovered


def test_a_counter_plan_without_inputs_starves_its_suppliers(big: tuple) -> None:
    eco, y, x = big
    A = eco.technology.tocoo()
    # the user that takes the largest part of a supplier's output doubles its own
    k = int(np.argmax(A.data * x[A.col] / x[A.row] * (A.row != A.col)))
    user, supplier = int(A.col[k]), int(A.row[k])
    label = str(eco.product_labels[user])
    shocks = pd.DataFrame(
        {
            "product": [label],
            "from_step": [5],
            "share": [1.0],
            "recovery": [40],
            "curve": ["step"],
            "kind": ["counter_plan"],
        }
    )
    capacity = pd.Series(1.02 * x, index=eco.product_labels)
    result = simulate(
        eco, y, steps=60, capacity=capacity, stock_days=2, restoration=5, shocks=shocks
    )
    cap = result.series("capacity")[label]
    assert cap[4] == pytest.approx(1.02 * x[user])
    assert cap[6] == pytest.approx(2.04 * x[user])  # its capacity doubled, nothing upstream
    out = result.series("output")[label]
    assert out[20] < 2.0 * x[user] * (1 - 1e-3)  # the inputs of the extra output never came
    limits = result.limits
    own = limits[(limits["product"] == label) & (limits["step"] > 6)]["limiting"].astype(str)
    assert own.str.startswith("input:").all()  # short of inputs, never of its own capacity
    sup = limits[limits["product"] == str(eco.product_labels[supplier])]["limiting"].astype(str)
    assert (sup == "capacity").any()  # the supplier it leans on runs at capacity
    assert result.products["unmet_final"].sum() > 0
    assert result.series("capacity")[label][50] == pytest.approx(1.02 * x[user])  # it ended


def test_no_late_peak_in_orders_after_recovery(big: tuple) -> None:
    """Orders return to the equilibrium after the shock recovers, without a later surge."""
    eco, y, x = big
    hub = _hub(eco)
    shock = pd.DataFrame({"product": [hub], "from_step": [10], "share": [0.4], "recovery": [20]})

    def orders(restoration: float) -> np.ndarray:
        sim = prepare(
            eco,
            y,
            steps=300,
            capacity=pd.Series(1.1 * x, index=eco.product_labels),
            stock_days=3,
            restoration=restoration,
            shocks=shock,
        )
        return np.array([sim.step().ordered.sum() for _ in range(sim.steps)])

    base = orders(30)[0]
    damped = orders(30)
    after = damped[60:]  # the shock is over at step 30, the stocks are rebuilt by step 60
    assert after.max() <= max(damped[:60].max(), base) * (1 + 1e-9)
    assert np.abs(damped[-1] / base - 1) < 1e-6
    # orders fall back to the equilibrium monotonically after their peak, with no second peak
    peak = int(np.argmax(damped))
    tail = damped[peak:]
    assert (np.diff(tail[tail > base * (1 + 1e-6)]) <= 1e-9 * base).all()
    # a short restoration time overshoots more: the damping is the restoration time's doing
    assert orders(1).max() > damped.max()


def test_shock_table_problems_are_collected(big: tuple) -> None:
    eco, y, _ = big
    table = pd.DataFrame(
        {
            "product": [
                "nope",
                str(eco.product_labels[0]),
                str(eco.product_labels[1]),
                str(eco.product_labels[2]),
            ],
            "from_step": [0, 500, 1, 1],
            "share": [0.1, -0.2, 0.5, 0.5],
            "kind": ["capacity", "capacity", "flood", "capacity"],
            "curve": ["", "", "", "sine"],
        }
    )
    table.attrs["source"] = "shocks.csv"
    with pytest.raises(ValidationError) as err:
        simulate(eco, y, steps=20, shocks=table)
    found = {(p.check, p.row) for p in err.value.problems}
    assert {
        ("unknown_label", 2),
        ("out_of_range", 3),
        ("negative_value", 3),
        ("bad_option", 4),
        ("bad_option", 5),
    } <= found
    assert all(p.source == "shocks.csv" for p in err.value.problems)


def test_a_run_too_large_for_memory_is_refused_before_it_starts(big: tuple) -> None:
    from gosplan.errors import InputError
    from gosplan.run.simulate import check_memory, memory_needed

    eco, y, _ = big
    sim = prepare(eco, y, steps=365)
    need = memory_needed(sim)
    assert need > 365 * 150 * 8  # at least the output column of the result
    check_memory(sim, available=need * 2)
    with pytest.raises(InputError, match="GiB") as err:
        check_memory(sim, available=need // 2)
    assert err.value.check == "too_large"
    assert sim.t == 0  # nothing ran


def test_progress_is_reported_as_the_steps_run(big: tuple) -> None:
    eco, y, _ = big
    seen: list[float] = []
    simulate(eco, y, steps=120, progress=lambda done, message: seen.append(done))
    assert seen[-1] == 1.0 and seen == sorted(seen) and 10 <= len(seen) <= 60  # every 2nd step


def test_a_schedule_without_equilibria_gets_them_solved(big: tuple) -> None:
    from gosplan.run.shocks import ShockSet
    from gosplan.run.simulate import Schedule, Simulation

    eco, y, x = big
    yv = y.to_numpy()
    schedule = Schedule(
        np.zeros(5, np.int64), yv[None, None, :], 1.1 * x[None, :], None, pd.Index(["final"])
    )
    sim = Simulation(
        eco.technology, schedule, np.full(len(x), 2.0), np.full(len(x), 5.0), ShockSet.none()
    )
    np.testing.assert_allclose(sim.equilibria[0], x, rtol=1e-8)
    np.testing.assert_allclose(sim.step().output, x, rtol=1e-8)
