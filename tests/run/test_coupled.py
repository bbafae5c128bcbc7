"""The workforce inside the simulation, step by step: neutrality, feedback, the labour limit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.errors import InputError
from gosplan.run import CoupledRun, simulate_with_workforce
from gosplan.run.coupled import coupled_scenario
from gosplan.run.simulate import prepare, simulate
from gosplan.run.workforce import StepInputs, Workforce, WorkforceParameters, simulate_steps

GRADES = ("skilled", "semi-skilled", "unskilled")
PRODUCTIVITY = np.array([1.5, 1.0, 0.6])  # the workforce's default skill weights


def _inputs(shortage: float = 0.0) -> StepInputs:
    return StepInputs(
        pay=lambda t: 1.0,
        outside=lambda t: 1.0,
        real_wage=lambda t: 1.0,
        norm_increase=lambda t: 0.0,
        shortage=lambda t: shortage,
    )


def _workers() -> np.ndarray:
    return np.array([[30.0, 40.0, 30.0], [12.0, 20.0, 8.0]])


def _still() -> WorkforceParameters:
    """Nothing moves: no quits, promotions, upgrading or hires (target = start)."""
    return WorkforceParameters(
        base_quit=0.0, promotion_out=0.0, upgrade_years=math.inf, fill_rate=0.0, b_short=3.0
    )


def _chain() -> Economy:
    """``s`` supplies ``c1`` and ``c2``; two labour types, both limited."""
    A = pd.DataFrame(
        [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        index=["s", "c1", "c2"],
        columns=["s", "c1", "c2"],
    )
    labour = pd.DataFrame(
        [[0.2, 0.1, 0.0], [0.0, 0.05, 0.3]], index=["workers", "peasants"], columns=A.columns
    )
    return Economy.from_coefficients(A, labour=labour)


CHAIN_Y = pd.Series({"s": 2.0, "c1": 10.0, "c2": 10.0})
CHAIN_X = np.array([12.0, 10.0, 10.0])


def _chain_options() -> dict:
    """A run that moves: a capacity shock on ``s`` and labour just enough for the plan."""
    shock = pd.DataFrame({"product": ["s"], "from_step": [3], "share": [0.5], "recovery": [8]})
    return {
        "steps": 30,
        "capacity": pd.Series(1.5 * CHAIN_X, index=["s", "c1", "c2"]),
        "labour": pd.Series({"workers": 3.4, "peasants": 3.5}),  # the equilibrium's need
        "shocks": shock,
        "stock_days": 2.0,
        "restoration": 3.0,
    }


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.select_dtypes("number")


def test_a_workforce_that_does_not_move_leaves_the_run_as_it_was() -> None:
    eco = _chain()
    plain = simulate(eco, CHAIN_Y, **_chain_options())
    assert (plain.limits["limiting"].astype(str) == "labour:workers").any()  # labour binds
    assert plain.products["unmet_final"].max() > 0.1  # and the shock leaves demand unmet
    sim = prepare(eco, CHAIN_Y, **_chain_options())
    model = Workforce(_workers(), params=_still())
    run = simulate_with_workforce(sim, model, _inputs(), user="final")
    got = run.simulation
    assert list(got.products.columns) == list(plain.products.columns)
    np.testing.assert_allclose(
        _numbers(got.products).to_numpy(), _numbers(plain.products).to_numpy(), rtol=1e-12,
        atol=1e-12,
    )  # fmt: skip
    assert (got.limits["limiting"].astype(str) == plain.limits["limiting"].astype(str)).all()
    assert (run.shortage > 0).any()  # the workforce felt shortages, and did not move
    np.testing.assert_allclose(run.workforce.series("workers").sum(axis=1), _workers().sum())
    assert run.scale["workers"] == pytest.approx(3.4 / (_workers() @ PRODUCTIVITY).sum())
    np.testing.assert_allclose(run.labour["available"], run.labour["planned"], rtol=1e-12)
    assert got.provenance["coupled"].startswith("with a workforce")
    assert "coupled" not in plain.provenance
    assert sim.labour_now is None  # the run hands the simulation back to its schedule


def _tight() -> tuple[Economy, pd.Series, dict]:
    """Two products, final demand above capacity; labour exactly what capacity needs."""
    A = pd.DataFrame([[0.1, 0.2], [0.2, 0.1]], index=["a", "b"], columns=["a", "b"])
    eco = Economy.from_coefficients(A, labour=pd.Series({"a": 0.3, "b": 0.2}))
    y = pd.Series({"a": 10.0, "b": 10.0})
    x = eco.gross_output(y).to_numpy()
    cap = 0.8 * x
    options = {
        "steps": 36,
        "capacity": pd.Series(cap, index=["a", "b"]),
        "labour": float(np.array([0.3, 0.2]) @ cap),
        "stock_days": 2.0,
        "restoration": 3.0,
    }
    return eco, y, options


def _quitting(b_short: float) -> Workforce:
    return Workforce(_workers(), params=WorkforceParameters(b_short=b_short))


def _open_loop(b_short: float) -> tuple[np.ndarray, np.ndarray]:
    """The same workforce run on its own with shortage 0, its labour fed to the simulation."""
    eco, y, options = _tight()
    model = _quitting(b_short)
    cube = simulate_steps(model, _inputs(0.0), options["steps"])
    labour = cube["workers"] @ PRODUCTIVITY
    supplied = labour.sum(axis=1) * options["labour"] / labour[0].sum()
    sim = prepare(eco, y, **options)
    output = []
    for t in range(sim.steps):
        sim.labour_now = np.array([supplied[t]])
        output.append(sim.step().output)
    return np.array(output), cube["workers"].sum(axis=(1, 2))


def test_shortages_drive_workers_out_and_output_down() -> None:
    eco, y, options = _tight()
    closed = simulate_with_workforce(
        prepare(eco, y, **options), _quitting(2.0), _inputs(shortage=1.0), labour_type="labour",
        user="final",
    )  # fmt: skip  # the inputs' shortage (1.0) is ignored: the simulation's is used
    assert closed.shortage.min() > 0.1 and closed.shortage.max() < 1.0
    open_output, open_workers = _open_loop(2.0)
    workers = closed.workforce.series("workers").sum(axis=1).to_numpy()
    assert workers[-1] < 0.97 * open_workers[-1]
    output = closed.simulation.series("output")[["a", "b"]].to_numpy()
    assert output.sum() < 0.99 * open_output.sum()
    assert (output <= open_output * (1 + 1e-12)).all()
    limits = closed.simulation.limits
    assert (limits.loc[limits["step"] > 2, "limiting"].astype(str) == "labour:labour").all()

    # with no weight on any product the workforce feels no shortage: the open loop itself
    deaf = simulate_with_workforce(
        prepare(eco, y, **options), _quitting(2.0), _inputs(shortage=1.0), labour_type="labour",
        user="final", weights=0.0,
    )  # fmt: skip
    assert (deaf.shortage == 0).all()
    np.testing.assert_allclose(
        deaf.simulation.series("output")[["a", "b"]].to_numpy(), open_output, rtol=1e-12
    )


def test_more_quits_the_more_shortages_weigh() -> None:
    eco, y, options = _tight()
    quits, employment = [], []
    for b_short in (0.5, 2.0, 5.0):
        run = simulate_with_workforce(
            prepare(eco, y, **options), _quitting(b_short), _inputs(), labour_type="labour",
            user="final",
        )  # fmt: skip
        quits.append(run.workforce.workers["quits"].sum())
        employment.append(run.workforce.series("workers").sum(axis=1).iloc[-1])
    assert quits[0] < quits[1] < quits[2]
    assert employment[0] > employment[1] > employment[2]


def test_a_shrinking_workforce_cuts_output_in_proportion() -> None:
    """No inputs, ample capacity: labour is the only limit, and the run is done by hand."""
    A = pd.DataFrame(np.zeros((2, 2)), index=["a", "b"], columns=["a", "b"])
    coef = np.array([0.4, 0.1])
    eco = Economy.from_coefficients(A, labour=pd.DataFrame([coef], index=["workers"],
                                                           columns=["a", "b"]))  # fmt: skip
    y = np.array([5.0, 20.0])
    need = float(coef @ y)  # 4.0 a step
    steps, q, b_short = 12, 6.0, 1.5
    params = WorkforceParameters(
        base_quit=q, promotion_out=0.0, upgrade_years=math.inf, fill_rate=0.0, b_short=b_short
    )
    sim = prepare(eco, pd.Series(y, index=["a", "b"]), steps=steps,
                  capacity=pd.Series(10 * y, index=["a", "b"]), labour=need)  # fmt: skip
    run = simulate_with_workforce(
        sim, Workforce(_workers(), params=params), _inputs(), user="final",
        weights=pd.Series({"a": 3.0, "b": 1.0}),
    )  # fmt: skip
    # by hand: labour L(t) = need * W(t) / W(0); output y * min(1, L / need); every product
    # cut alike, so the unmet share s(t) = 1 - rho(t) at any weights; W(t + 1) = W(t)
    # exp(-q exp(b_short s(t)) / 12) (no hires, promotions or upgrading)
    share, rho, expected = 1.0, [], []
    for _ in range(steps):
        r = min(1.0, share)
        rho.append(r)
        expected.append(y * r)
        share *= math.exp(-q * math.exp(b_short * (1.0 - r)) / 12.0)
    output = run.simulation.series("output")[["a", "b"]].to_numpy()
    np.testing.assert_allclose(output, np.array(expected), rtol=1e-12)
    np.testing.assert_allclose(run.shortage, 1.0 - np.array(rho), rtol=1e-9, atol=1e-12)
    limits = run.simulation.limits
    assert set(limits.loc[limits["step"] == 0, "limiting"].astype(str)) == {"demand"}
    assert set(limits.loc[limits["step"] > 0, "limiting"].astype(str)) == {"labour:workers"}
    np.testing.assert_allclose(run.labour["used"], run.labour["available"], rtol=1e-12)
    assert run.scale["workers"] == pytest.approx(need / (_workers() @ PRODUCTIVITY).sum())


def _graded(types: tuple[str, ...] = GRADES) -> Economy:
    A = pd.DataFrame([[0.1, 0.2], [0.2, 0.1]], index=["a", "b"], columns=["a", "b"])
    coef = [[0.05, 0.02], [0.1, 0.1], [0.1, 0.2]][: len(types)]
    return Economy.from_coefficients(
        A, labour=pd.DataFrame(coef, index=list(types), columns=["a", "b"])
    )


def test_one_labour_type_per_grade() -> None:
    eco = _graded()
    y = pd.Series({"a": 10.0, "b": 10.0})
    x = eco.gross_output(y).to_numpy()
    need = np.array([[0.05, 0.02], [0.1, 0.1], [0.1, 0.2]]) @ x
    options = {"steps": 24, "capacity": pd.Series(1.5 * x, index=["a", "b"]),
               "labour": pd.Series(need, index=list(GRADES))}  # fmt: skip
    params = WorkforceParameters(  # only the skilled quit; nobody is hired or upgraded
        base_quit=(3.0, 0.0, 0.0), promotion_out=0.0, upgrade_years=math.inf, fill_rate=0.0
    )
    run = simulate_with_workforce(
        prepare(eco, y, **options), Workforce(_workers(), params=params), _inputs(),
        labour_type=None, user="final",
    )  # fmt: skip
    assert list(run.scale.index) == list(GRADES)
    np.testing.assert_allclose(run.scale.to_numpy(), need / _workers().sum(axis=0))
    by_grade = run.workforce.workers.groupby(["step", "grade"], observed=True)["workers"].sum()
    table = run.labour.set_index(["step", "labour_type"])["available"]
    for grade in GRADES:
        expected = run.scale[grade] * by_grade.xs(grade, level="grade").to_numpy()
        np.testing.assert_allclose(table.xs(grade, level="labour_type").to_numpy(), expected)
    semi = table.xs("semi-skilled", level="labour_type")
    np.testing.assert_allclose(semi, need[1], rtol=1e-12)  # grades that stay keep the plan
    limits = run.simulation.limits
    assert set(limits.loc[limits["step"] > 0, "limiting"].astype(str)) == {"labour:skilled"}
    output = run.simulation.series("output")[["a", "b"]].to_numpy()
    assert (output[1:].sum(axis=1) < 0.99 * x.sum()).all()

    with pytest.raises(InputError, match="no labour type 'semi-skilled'") as err:
        simulate_with_workforce(
            prepare(_graded(("skilled", "unskilled")), y, steps=3,
                    labour=pd.Series({"skilled": 1e3, "unskilled": 1e3})),
            Workforce(_workers(), params=params), _inputs(), labour_type=None, user="final",
        )  # fmt: skip
    assert err.value.check == "unknown_label" and err.value.label == "semi-skilled"


def test_bad_coupling() -> None:
    eco = _chain()
    model = Workforce(_workers(), params=_still())
    unlimited = prepare(eco, CHAIN_Y, steps=3)
    with pytest.raises(InputError, match="no labour available") as err:
        simulate_with_workforce(unlimited, model, _inputs(), user="final")
    assert err.value.check == "no_labour"
    options = {"steps": 3, "labour": pd.Series({"workers": 3.4, "peasants": 3.5})}
    with pytest.raises(InputError, match="no final user 'households'") as err:
        simulate_with_workforce(prepare(eco, CHAIN_Y, **options), model, _inputs())
    assert err.value.check == "unknown_label" and err.value.label == "households"
    with pytest.raises(InputError, match="no labour type 'robots'") as err:
        simulate_with_workforce(
            prepare(eco, CHAIN_Y, **options), model, _inputs(), labour_type="robots", user="final"
        )
    assert err.value.check == "unknown_label"
    for bad, check in ((-0.5, "negative_value"), (math.inf, "out_of_range"),
                       (math.nan, "out_of_range")):  # fmt: skip
        with pytest.raises(InputError, match="scale") as err:
            simulate_with_workforce(
                prepare(eco, CHAIN_Y, **options), model, _inputs(), scale=bad, user="final"
            )
        assert err.value.check == check
    sim = prepare(eco, CHAIN_Y, **options)
    sim.info["step"] = "day"  # as a plan's daily run reads: its steps are not the workforce's
    with pytest.raises(InputError, match="steps_per_year=365") as err:
        simulate_with_workforce(sim, model, _inputs(), user="final")
    assert err.value.check == "bad_argument"


@pytest.fixture(scope="module")
def scenario() -> dict[str, CoupledRun]:
    return {rule: coupled_scenario(rule=rule) for rule in ("by_grade", "equal")}


def test_the_scenario_with_its_workforce_inside(scenario: dict[str, CoupledRun]) -> None:
    run = scenario["by_grade"]
    years = [1929, 1930, 1931, 1932]
    assert run.simulation.steps == 48 and len(run.shortage) == 48
    assert ((run.shortage >= 0) & (run.shortage <= 1)).all() and run.shortage.max() > 0.05
    assert sorted(run.workforce.statistics["year"].unique()) == years
    assert sorted(run.simulation.calendar["period"].unique()) == years
    assert run.simulation.provenance["shortage_user"] == "households"
    assert run.weights.name == "labour values"
    assert run.workforce.provenance["rule"] == "by_grade"
    equal = scenario["equal"].skilled_separations()
    by_grade = run.skilled_separations()
    assert list(by_grade.index) == years
    assert (equal > by_grade).all()
    # levelling drives the skilled out: less labour, so less output where labour binds
    out = {rule: r.simulation.products["output"].sum() for rule, r in scenario.items()}
    assert out["equal"] < out["by_grade"]
