"""The input–output simulation: equilibrium, invariants, a shock and its recovery, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.simulation_result import SimulationResult
from gosplan.datasets import load
from gosplan.errors import InputError, ValidationError
from gosplan.generate import generate_economy
from gosplan.run.simulate import prepare, simulate


@pytest.fixture(scope="module")
def mb() -> tuple:
    eco = load("miller-blair-2x2")
    assert isinstance(eco, Economy)
    y = pd.Series([100.0, 200.0], index=eco.product_labels)
    return eco, y, eco.gross_output(y).to_numpy()


@pytest.fixture(scope="module")
def big() -> tuple:
    eco = generate_economy(200, seed=1)
    y = pd.Series(np.random.default_rng(0).uniform(1, 10, 200), index=eco.product_labels)
    return eco, y, eco.gross_output(y).to_numpy()


def _output(result: SimulationResult, labels: pd.Index) -> np.ndarray:
    return result.series("output")[[str(p) for p in labels]].to_numpy()


@pytest.mark.parametrize("which", ["mb", "big"])
def test_equilibrium_holds_for_a_year(which: str, request: pytest.FixtureRequest) -> None:
    eco, y, x = request.getfixturevalue(which)
    result = simulate(eco, y, steps=365)
    out = _output(result, eco.product_labels)
    assert out.shape == (365, len(x))
    assert np.abs(out / x - 1).max() < 1e-9
    unmet = result.products["unmet_final"].to_numpy()
    assert np.abs(unmet).max() < 1e-9 * y.max()
    assert set(result.limits["limiting"].astype(str)) == {"demand"}


def _shock(product: str, share: float = 0.2, start: int = 10, recovery: int = 30) -> pd.DataFrame:
    return pd.DataFrame(
        {"product": [product], "from_step": [start], "share": [share], "recovery": [recovery]}
    )


@pytest.mark.parametrize("rationing", ["proportional", "priority"])
def test_invariants_under_a_shock(big: tuple, rationing: str) -> None:
    eco, y, x = big
    tech = eco.technology
    hub = int(np.argmax(np.diff(tech.tocsr().indptr)))  # the product with most customers
    labels = [str(p) for p in eco.product_labels]
    classes = None
    if rationing == "priority":  # final first, then three classes; a quarter not listed
        rank = np.random.default_rng(3).integers(1, 4, len(labels))
        classes = pd.DataFrame({"product": ["final", *labels[50:]], "class": [1, *rank[50:]]})
    sim = prepare(
        eco,
        y,
        steps=120,
        capacity=pd.Series(1.05 * x, index=eco.product_labels),
        stock_days=1.5,
        restoration=5,
        shocks=_shock(str(eco.product_labels[hub]), share=0.5),
        rationing=rationing,
        classes=classes,
    )
    for _ in range(sim.steps):
        s = sim.step()
        assert (s.stocks >= 0).all()
        delivered = np.bincount(sim.rows, weights=s.delivered, minlength=sim.n)
        np.testing.assert_allclose(delivered + s.delivered_final, s.output, rtol=1e-12, atol=1e-12)
        assert (s.delivered <= s.ordered * (1 + 1e-12)).all()
        assert (s.delivered_final <= y.to_numpy() * (1 + 1e-12)).all()
        assert (s.output <= s.capacity * (1 + 1e-12)).all()
        assert (s.output <= s.demand * (1 + 1e-12)).all()


def test_a_capacity_shock_spreads_and_recovers(mb: tuple) -> None:
    eco, y, x = mb
    result = simulate(
        eco,
        y,
        steps=365,
        capacity=pd.Series(1.1 * x, index=eco.product_labels),
        stock_days=1.3,
        restoration=5,
        shocks=_shock("a"),
    )
    out = result.series("output")
    assert out.loc[9, "a"] == pytest.approx(x[0], rel=1e-9)
    assert out.loc[10, "a"] == pytest.approx(0.8 * 1.1 * x[0], rel=1e-9)
    assert out["b"].min() < 0.95 * x[1]  # the customer falls short too
    limits = result.limits
    b_limits = set(limits.loc[limits["product"] == "b", "limiting"].astype(str))
    assert "input:a" in b_limits  # ... for want of a
    assert (result.products["unmet_final"] > 0).any()
    np.testing.assert_allclose(out.iloc[-1].to_numpy(), x, rtol=1e-6)
    cap = result.series("capacity")
    assert cap.loc[10, "a"] == pytest.approx(0.88 * x[0])
    assert cap.loc[40, "a"] == pytest.approx(1.1 * x[0])


def test_a_shock_on_a_hub_reaches_its_customers(big: tuple) -> None:
    eco, y, x = big
    hub = int(np.argmax(np.diff(eco.technology.tocsr().indptr)))
    label = str(eco.product_labels[hub])
    result = simulate(
        eco,
        y,
        steps=200,
        capacity=pd.Series(1.1 * x, index=eco.product_labels),
        stock_days=1.5,
        restoration=5,
        shocks=_shock(label, recovery=20),
    )
    out = _output(result, eco.product_labels)
    assert out[10, hub] < 0.9 * x[hub]
    limits = result.limits
    hit = limits.loc[limits["limiting"].astype(str) == f"input:{label}", "product"]
    assert len(set(hit.astype(str)) - {label}) > 0
    customers = eco.technology.tocsr()[[hub], :].indices
    customers = customers[customers != hub]
    assert (out[:, customers].min(axis=0) < x[customers] * (1 - 1e-6)).any()
    np.testing.assert_allclose(out[-1], x, rtol=1e-6)


def test_validation_collects_every_problem(mb: tuple) -> None:
    eco, y, _ = mb
    shocks = pd.DataFrame(
        {
            "product": ["zz", "a", "b", "a"],
            "from_step": [1, 2, 400, 3],
            "share": [0.1, -0.2, 0.5, 1.5],
            "recovery": [0, 0, 0, -1],
        }
    )
    with pytest.raises(ValidationError) as err:
        simulate(eco, y, steps=365, shocks=shocks)
    checks = [(p.check, p.row, p.label) for p in err.value.problems]
    assert ("unknown_label", 2, "zz") in checks
    assert ("negative_value", 3, "a") in checks
    assert ("out_of_range", 4, "b") in checks
    assert ("out_of_range", 5, "a") in checks
    assert ("negative_value", 5, "a") in checks
    assert "does not make" in str(err.value)

    with pytest.raises(ValidationError) as err:
        simulate(
            eco,
            pd.Series({"a": -1.0, "q": 2.0}),
            steps=0,
            stock_days=0.5,
            restoration=0,
            rationing="queue",
        )
    found = {(p.source, p.check) for p in err.value.problems}
    assert found >= {
        ("final demand", "negative_value"),
        ("final demand", "unknown_label"),
        ("steps", "out_of_range"),
        ("stock_days", "out_of_range"),
        ("restoration", "out_of_range"),
        ("rationing", "bad_option"),
    }

    with pytest.raises(InputError, match="'share'"):
        simulate(eco, y, steps=5, shocks=pd.DataFrame({"product": ["a"], "from_step": [0]}))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_round_trip(mb: tuple, tmp_path, fmt: str) -> None:
    eco, y, x = mb
    result = simulate(
        eco,
        y,
        steps=30,
        capacity=pd.Series(1.1 * x, index=eco.product_labels),
        stock_days=1.3,
        restoration=5,
        shocks=_shock("a", start=3, recovery=10),
    )
    back = SimulationResult.read(result.write(tmp_path / f"sim.{fmt}", format=fmt))
    for name in ("products", "limits"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(result, name))
    assert back.rationing == result.rationing
    assert back.provenance == result.provenance
    again = SimulationResult.from_dict(result.to_dict())
    pd.testing.assert_frame_equal(again.products, result.products)
    pd.testing.assert_frame_equal(again.limits, result.limits)
    assert again.steps == 30


def _chain() -> Economy:
    """``s`` supplies ``c1`` and ``c2`` (0.5 a unit each); nothing else is an input."""
    A = pd.DataFrame(
        [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        index=["s", "c1", "c2"],
        columns=["s", "c1", "c2"],
    )
    return Economy.from_coefficients(A, labour=pd.Series({"s": 0.2, "c1": 0.1, "c2": 0.1}))


def test_priority_serves_class_1_in_full_first() -> None:
    eco = _chain()
    y = pd.Series({"s": 2.0, "c1": 10.0, "c2": 10.0})
    # x = (12, 10, 10); orders on s: 5 from c1, 5 from c2, 2 from final use; capacity 6.
    classes = pd.DataFrame({"product": ["c1", "final"], "class": [1, 2]})  # c2: last, 2
    sim = prepare(
        eco,
        y,
        steps=3,
        shocks=_shock("s", share=0.5, start=0, recovery=0),
        rationing="priority",
        classes=classes,
    )
    s = sim.step()
    assert s.output[0] == pytest.approx(6.0)
    to = dict(zip(sim.cols.tolist(), s.delivered.tolist(), strict=True))
    assert to[1] == pytest.approx(5.0)  # class 1: its full order
    assert to[2] == pytest.approx(5.0 / 7.0)  # class 2 shares the 1 left: 5/7 and 2/7
    assert s.delivered_final[0] == pytest.approx(2.0 / 7.0)
    assert s.unmet_final[0] == pytest.approx(2.0 - 2.0 / 7.0)

    proportional = prepare(eco, y, steps=3, shocks=_shock("s", share=0.5, start=0, recovery=0))
    p = proportional.step()
    np.testing.assert_allclose(p.delivered, [2.5, 2.5])  # 6/12 of each order
    assert p.delivered_final[0] == pytest.approx(1.0)

    result = simulate(
        eco,
        y,
        steps=3,
        shocks=_shock("s", share=0.5, start=0, recovery=0),
        rationing="priority",
        classes=classes,
    )
    assert result.rationing == "priority"
    assert result.provenance["priority_classes"] == 2


def test_a_labour_shock_cuts_output_where_labour_binds() -> None:
    eco = _chain()
    y = pd.Series({"s": 2.0, "c1": 10.0, "c2": 10.0})
    x = np.array([12.0, 10.0, 10.0])
    need = 0.2 * 12 + 0.1 * 10 + 0.1 * 10  # 4.4 at the equilibrium
    shock = pd.DataFrame(
        {"product": ["labour"], "from_step": [5], "share": [0.3], "kind": ["labour"]}
    )
    result = simulate(
        eco,
        y,
        steps=8,
        capacity=pd.Series(1.5 * x, index=eco.product_labels),
        labour=need,
        shocks=shock,
    )
    out = result.series("output")[["s", "c1", "c2"]].to_numpy()
    np.testing.assert_allclose(out[:5], np.tile(x, (5, 1)), rtol=1e-9)  # labour just enough
    np.testing.assert_allclose(out[5], 0.7 * x, rtol=1e-9)  # demand is still x: 70 % of it
    limits = result.limits
    at5 = set(limits.loc[limits["step"] == 5, "limiting"].astype(str))
    assert at5 == {"labour:labour"}
    assert set(limits.loc[limits["step"] < 5, "limiting"].astype(str)) == {"demand"}
    labour_used = out @ np.array([0.2, 0.1, 0.1])
    assert (labour_used[5:] <= 0.7 * need * (1 + 1e-9)).all()
    assert result.provenance["labour_shocks"] == 1

    # without the labour argument labour never limits: the run stays at x
    calm = simulate(eco, y, steps=8, capacity=pd.Series(1.5 * x, index=eco.product_labels))
    np.testing.assert_allclose(calm.series("output")[["s", "c1", "c2"]].to_numpy()[5], x)


def test_priority_and_labour_validation() -> None:
    eco = _chain()
    y = pd.Series({"s": 2.0, "c1": 10.0, "c2": 10.0})
    classes = pd.DataFrame(
        {"product": ["c1", "zz", "c2", "c1", "final"], "class": [1, 2, 0, 2, 1.5]}
    )
    with pytest.raises(ValidationError) as err:
        simulate(eco, y, steps=5, rationing="priority", classes=classes)
    checks = {(p.source, p.check, p.row, p.label) for p in err.value.problems}
    assert ("classes", "unknown_label", 3, "zz") in checks
    assert ("classes", "out_of_range", 4, "c2") in checks
    assert ("classes", "duplicate_label", 5, "c1") in checks
    assert ("classes", "out_of_range", 6, "final") in checks

    shocks = pd.DataFrame(
        {
            "product": ["labour", "nobody", "s", "labour"],
            "from_step": [1, 1, 1, 1],
            "share": [0.3, 0.3, 0.3, 0.3],
            "kind": ["labour", "labour", "flood", "labour"],
        }
    )
    with pytest.raises(ValidationError) as err:
        simulate(
            eco,
            y,
            steps=5,
            shocks=shocks,
            labour=pd.Series({"labour": -1.0, "robots": 2.0}),
            classes=pd.DataFrame({"product": ["c1"], "class": [1]}),
        )
    found = {(p.source, p.check, p.row, p.label) for p in err.value.problems}
    assert ("labour", "negative_value", None, "labour") in found
    assert ("labour", "unknown_label", None, "robots") in found
    assert ("shocks", "unknown_label", 3, "nobody") in found
    assert ("shocks", "bad_option", 4, "s") in found
    assert ("classes", "bad_option", None, None) in found  # classes need "priority"

    with pytest.raises(ValidationError) as err:  # a labour shock with no labour given
        simulate(eco, y, steps=5, shocks=shocks.iloc[[0]])
    assert [p.check for p in err.value.problems] == ["missing_value"]
    mb = load("miller-blair-2x2")
    assert isinstance(mb, Economy)
    with pytest.raises(ValidationError, match="labour coefficients"):
        simulate(mb, pd.Series({"a": 1.0}), steps=5, labour=3.0)
    with pytest.raises(InputError, match="'class'"):
        simulate(eco, y, steps=5, rationing="priority", classes=pd.DataFrame({"product": ["c1"]}))
