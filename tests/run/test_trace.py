"""Knock-on queries on a simulation: the chain behind a shortfall and the products it hurt."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.simulation_result import SimulationResult
from gosplan.errors import InputError
from gosplan.run.simulate import simulate
from gosplan.run.trace import HURT_COLUMNS, TRACE_COLUMNS, KnockOn, hurt_by, trace_shortfall

CHAIN = ["coal", "steel", "machinery", "tractors", "grain", "bread"]
SHOCK_AT = 2


@pytest.fixture(scope="module")
def chain() -> SimulationResult:
    """coal -> steel -> machinery -> tractors -> grain -> bread; coal loses half from step 2."""
    A = pd.DataFrame(0.0, index=CHAIN, columns=CHAIN)
    for supplier, user, coef in zip(CHAIN, CHAIN[1:], [0.5, 0.4, 0.3, 0.2, 0.5], strict=False):
        A.loc[supplier, user] = coef
    eco = Economy.from_coefficients(A, labour=pd.Series(0.1, index=CHAIN))
    shocks = pd.DataFrame({"product": ["coal"], "from_step": [SHOCK_AT], "share": [0.5]})
    return simulate(eco, {"bread": 100.0}, steps=12, stock_days=1, restoration=2, shocks=shocks)


def test_the_trace_goes_back_to_coals_capacity(chain: SimulationResult) -> None:
    last = 11
    tr = trace_shortfall(chain, "bread", last)
    assert tuple(tr.columns) == TRACE_COLUMNS
    assert list(tr["product"]) == CHAIN[::-1]
    assert len(tr) - 1 >= 5  # links
    assert list(tr["link"]) == list(range(6))
    assert list(tr["step"]) == list(range(last, last - 6, -1))  # a step back per link
    assert list(tr["limiting"])[:-1] == [f"input:{p}" for p in CHAIN[::-1][1:]]
    assert tr["limiting"].iloc[-1] == "capacity"
    assert tr.attrs["end"] == "capacity" and tr.attrs["root"] == "coal"
    out = chain.series("output")
    x0 = chain.series("demand").loc[0]
    for row in tr.itertuples():
        assert row.output == pytest.approx(out.loc[row.step, row.product])
        assert row.shortfall == pytest.approx(max(0.0, x0[row.product] - row.output))
    # coal at half capacity: every link is short by half of its equilibrium output
    np.testing.assert_allclose(tr["shortfall"], 0.5 * x0[tr["product"]].to_numpy())


def test_depth_cuts_the_chain(chain: SimulationResult) -> None:
    tr = trace_shortfall(chain, "bread", 11, depth=2)
    assert list(tr["product"]) == ["bread", "grain", "tractors"]
    assert tr.attrs["end"] == "depth"
    only = trace_shortfall(chain, "bread", 11, depth=0)
    assert len(only) == 1 and only.attrs["end"] == "depth"


def test_a_product_limited_by_demand_traces_to_itself(chain: SimulationResult) -> None:
    for product, step in [("bread", 0), ("bread", 5), ("grain", 1)]:
        tr = trace_shortfall(chain, product, step)
        assert len(tr) == 1
        assert tr["product"].iloc[0] == product and tr["limiting"].iloc[0] == "demand"
        assert tr.attrs["end"] == "demand" and tr.attrs["root"] == product
        assert tr["shortfall"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_hurt_by_coal_lists_every_downstream_product(chain: SimulationResult) -> None:
    hurt = hurt_by(chain, "coal")
    assert tuple(hurt.columns) == HURT_COLUMNS
    assert set(hurt["product"]) == set(CHAIN)
    links = dict(zip(hurt["product"], hurt["links"], strict=True))
    assert links == {p: i for i, p in enumerate(CHAIN)}
    # the knock-on reaches product i at step SHOCK_AT + i and stays
    steps = dict(zip(hurt["product"], hurt["steps"], strict=True))
    assert steps["coal"] == 12  # the bottleneck itself: every step
    assert all(steps[p] == 12 - SHOCK_AT - i for i, p in enumerate(CHAIN) if i)
    lost = chain.series("demand").loc[0] - chain.series("output")
    row = hurt.set_index("product")
    assert row.loc["bread", "output_lost"] == pytest.approx(lost["bread"].clip(lower=0).sum())
    unmet = chain.series("unmet_final")["bread"].sum()
    assert row.loc["bread", "unmet_final"] == pytest.approx(unmet) and unmet > 0
    assert hurt["output_lost"].is_monotonic_decreasing


def test_hurt_by_over_chosen_steps_and_downstream_only(chain: SimulationResult) -> None:
    knock = KnockOn(chain)
    early = knock.hurt_by("coal", steps=range(SHOCK_AT + 2))
    assert set(early["product"]) == {"coal", "steel"}  # steel is hurt from step 3 on
    hurt = knock.hurt_by("grain", steps=[10, 11])
    assert set(hurt["product"]) == {"grain", "bread"}
    assert set(knock.hurt_by("bread")["product"]) == {"bread"}


def test_a_result_read_back_gives_the_same_answers(chain: SimulationResult, tmp_path) -> None:
    back = SimulationResult.read(chain.write(tmp_path / "sim"))
    pd.testing.assert_frame_equal(
        trace_shortfall(back, "bread", 9), trace_shortfall(chain, "bread", 9)
    )
    pd.testing.assert_frame_equal(hurt_by(back, "coal"), hurt_by(chain, "coal"))


def _hand_made() -> SimulationResult:
    """a and b feed each other; b at step 0 is short of a (only by hand)."""
    limits = {
        0: ("demand", "input:a"),
        1: ("input:b", "demand"),
        2: ("demand", "input:a"),
        3: ("input:b", "capacity"),
    }
    rows = [(p, t, lim[k]) for t, lim in limits.items() for k, p in enumerate("ab")]
    frame = pd.DataFrame(rows, columns=["product", "step", "limiting"])
    products = frame[["product", "step"]].assign(
        output=1.0, capacity=2.0, demand=2.0, delivered_final=0.0, unmet_final=0.0
    )
    return SimulationResult(products=products, limits=frame)


def test_a_cycle_stops_the_trace_and_says_so() -> None:
    knock = KnockOn(_hand_made())
    tr = knock.trace("a", 3)
    assert list(tr["product"]) == ["a", "b"] and list(tr["step"]) == [3, 2]
    assert tr.attrs["end"] == "cycle" and tr.attrs["cycle_to"] == "a"
    start = knock.trace("b", 0)
    assert len(start) == 1 and start.attrs["end"] == "start"
    # the reverse query follows the loop through: a at 3 -> b at 2 -> a at 1 -> b at 0
    hurt = knock.hurt_by("b", steps=[3])
    assert set(hurt["product"]) == {"a", "b"}
    assert int(hurt.set_index("product").loc["a", "links"]) == 1


@pytest.mark.parametrize(
    ("call", "check"),
    [
        (lambda k: k.trace("oil", 3), "unknown_label"),
        (lambda k: k.hurt_by("oil"), "unknown_label"),
        (lambda k: k.trace("coal", 12), "out_of_range"),
        (lambda k: k.trace("coal", -1), "out_of_range"),
        (lambda k: k.trace("coal", 1.5), "out_of_range"),
        (lambda k: k.trace("coal", True), "out_of_range"),
        (lambda k: k.trace("coal", 3, depth=-1), "out_of_range"),
        (lambda k: k.hurt_by("coal", steps=[0, 12]), "out_of_range"),
    ],
)
def test_bad_arguments(chain: SimulationResult, call, check: str) -> None:
    with pytest.raises(InputError) as err:
        call(KnockOn(chain))
    assert err.value.check == check
