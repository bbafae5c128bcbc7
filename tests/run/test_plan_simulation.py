"""A plan run on its calendar: the bundled 1928–32 plan month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.simulation_result import SimulationResult
from gosplan.datasets import spec_path
from gosplan.errors import InputError, ValidationError
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec
from gosplan.run.counter_plans import read_counter_plans
from gosplan.run.plan_simulation import USERS, plan_frame
from gosplan.run.simulate import simulate

PERIODS = [1929, 1930, 1931, 1932]


@pytest.fixture(scope="module")
def plan() -> tuple:
    spec = read_spec(spec_path("ussr-1928", "basic"))
    return spec, optimise(spec)


@pytest.fixture(scope="module")
def quiet(plan: tuple) -> SimulationResult:
    spec, result = plan
    return simulate(spec, result, periods=PERIODS)


@pytest.fixture(scope="module")
def counter_plans():
    from gosplan.datasets import load  # noqa: F401  (the dataset's folder)

    path = spec_path("ussr-1928", "basic").parent.parent / "run" / "counter_plans.csv"
    return read_counter_plans(path)


def test_the_first_year_runs_at_the_plan(plan: tuple, quiet: SimulationResult) -> None:
    spec, result = plan
    frame = plan_frame(spec, result, periods=PERIODS)
    labels = [str(p) for p in spec.economy.product_labels]
    monthly = quiet.series("output")[labels].to_numpy()
    assert monthly.shape == (48, len(labels))
    np.testing.assert_allclose(
        monthly[:12], np.broadcast_to(monthly[0], (12, len(labels))), rtol=1e-9
    )
    planned = result.output.reindex(labels)[1929].to_numpy()
    net = planned - frame.technology @ planned
    made = net > 0  # where the plan's net output is a final use, the plan's own output
    np.testing.assert_allclose(12 * monthly[0][made], planned[made], rtol=1e-6)
    assert set(quiet.calendar["date"].astype(str)[:2]) == {"1929-01", "1929-02"}
    assert quiet.calendar["period"].iloc[-1] == 1932


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {c: str for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}
    )


def test_activities_and_enterprises_add_up(quiet: SimulationResult, plan: tuple) -> None:
    spec, _ = plan
    out = _text(quiet.products).set_index(["step", "product"])["output"]
    acts = _text(quiet.activities).groupby(["step", "product"])["level"].sum()
    np.testing.assert_allclose(
        acts.sort_index().to_numpy(), out.sort_index().to_numpy(), rtol=1e-12
    )
    ent = _text(quiet.enterprises).groupby(["step", "activity"])["output"].sum()
    lev = _text(quiet.activities).set_index(["step", "activity"])["level"]
    np.testing.assert_allclose(ent.sort_index().to_numpy(), lev.sort_index().to_numpy(), rtol=1e-12)
    assert len(quiet.enterprises["enterprise"].unique()) >= len(spec.economy.enterprises)
    assert set(quiet.enterprises["limiting"].astype(str)) <= set(
        quiet.limits["limiting"].astype(str)
    )


def test_final_users_account_for_final_demand(quiet: SimulationResult) -> None:
    final = quiet.final
    assert set(final["user"].astype(str)) == set(USERS)
    np.testing.assert_allclose(final["delivered"] + final["unmet"], final["demand"], atol=1e-12)
    assert (final["delivered"] <= final["demand"] * (1 + 1e-12)).all()
    by_product = _text(final).groupby(["step", "product"])["unmet"].sum().sort_index()
    products = _text(quiet.products).set_index(["step", "product"])["unmet_final"].sort_index()
    np.testing.assert_allclose(by_product.to_numpy(), products.to_numpy(), atol=1e-9)


def test_an_enterprise_shock_by_date(plan: tuple, quiet: SimulationResult) -> None:
    spec, result = plan
    shocks = pd.DataFrame(
        {"enterprise": ["Donugol mines"], "date": ["1930-03"], "share": [0.5], "recovery": [6]}
    )
    run = simulate(spec, result, periods=PERIODS, shocks=shocks)
    step = 12 + 2
    cap, base = run.series("capacity")["coal"], quiet.series("capacity")["coal"]
    donugol = 27.93 / sum(spec.economy.enterprises.query("activity == 'coal'")["capacity"])
    assert cap[step - 1] == pytest.approx(base[step - 1])
    assert cap[step] == pytest.approx(base[step] * (1 - 0.5 * donugol), rel=1e-9)
    own = run.enterprises[run.enterprises["enterprise"] == "Donugol mines"].set_index("step")[
        "capacity"
    ]
    calm = quiet.enterprises[quiet.enterprises["enterprise"] == "Donugol mines"].set_index("step")[
        "capacity"
    ]
    assert own[step] == pytest.approx(0.5 * calm[step], rel=1e-9)
    assert own[step + 6] == pytest.approx(calm[step + 6], rel=1e-9)
    assert run.products["unmet_final"].sum() > quiet.products["unmet_final"].sum()


def test_counter_plans_without_inputs_cost_more_than_checked_ones(
    plan: tuple, quiet, counter_plans
) -> None:
    spec, result = plan
    unchecked = simulate(spec, result, periods=PERIODS, counter_plans=counter_plans, accept="all")
    checked = simulate(spec, result, periods=PERIODS, counter_plans=counter_plans, accept="checked")
    hh = {
        name: r.final.query("user == 'households'")["unmet"].sum()
        for name, r in (("all", unchecked), ("checked", checked), ("none", quiet))
    }
    assert hh["all"] > hh["checked"] >= hh["none"] * (1 - 1e-9)
    assert unchecked.provenance["counter_plans"] > checked.provenance["counter_plans"]
    coal = unchecked.series("capacity")["coal"][12] / quiet.series("capacity")["coal"][12]
    assert coal > 1.5  # Donugol's doubling lands in 1930


def test_day_steps_and_fixed_rationing(plan: tuple) -> None:
    spec, result = plan
    shocks = pd.DataFrame(
        {"product": ["grain"], "date": ["1929-08-01"], "share": [0.2], "kind": ["harvest"]}
    )
    run = simulate(spec, result, step="day", periods=[1929, 1930], shocks=shocks, rationing="fixed")
    assert run.steps == 730
    cap = run.series("capacity")["grain"]
    start = 212  # 1 August, day 213 of 1929
    assert cap[start] == pytest.approx(0.8 * cap[start - 1], rel=1e-9)
    assert cap[start + 365] == pytest.approx(cap[start + 364] / 0.8, rel=1e-9)  # a year on
    assert run.rationing == "fixed"


def test_round_trip_keeps_every_table(quiet: SimulationResult, tmp_path) -> None:
    for fmt in ("parquet", "json"):
        path = quiet.write(tmp_path / f"sim.{fmt}" if fmt == "json" else tmp_path / "sim", fmt)
        back = SimulationResult.read(path)
        for name, table in quiet.tables().items():
            pd.testing.assert_frame_equal(getattr(back, name), table, check_categorical=False)


def test_bad_options_are_all_reported(plan: tuple, tmp_path) -> None:
    spec, result = plan
    shocks = pd.DataFrame(
        {
            "enterprise": ["Donugol mines", "Nowhere works", ""],
            "product": ["", "", "steel"],
            "date": ["1940-01", "1930-01", "1930-02"],
            "share": [0.2, 0.1, -0.3],
        }
    )
    shocks.attrs["source"] = "shocks.csv"
    classes = pd.DataFrame({"product": ["households", "army"], "class": [1, 2]})
    with pytest.raises(ValidationError) as err:
        simulate(spec, result, shocks=shocks, restoration=0, rationing="priority", classes=classes)
    found = {(p.source, p.check, p.row) for p in err.value.problems}
    assert ("shocks.csv", "period_outside_plan", 2) in found
    assert ("shocks.csv", "unknown_enterprise", 3) in found
    assert ("shocks.csv", "negative_value", 4) in found
    assert ("restoration", "out_of_range", None) in found
    assert any(p.check == "unknown_label" and p.label == "army" for p in err.value.problems)
    with pytest.raises(InputError, match="unknown step"):
        simulate(spec, result, step="week")
    with pytest.raises(InputError, match="not periods of the plan"):
        simulate(spec, result, periods=[1927])


def test_an_infeasible_plan_cannot_be_run() -> None:
    spec = read_spec(spec_path("ussr-1928", "amended"))
    with pytest.raises(InputError, match="adopted plan"):
        simulate(spec, optimise(spec))


def test_the_economic_year_from_october(plan: tuple) -> None:
    spec, result = plan
    shocks = pd.DataFrame(
        {"product": ["coal", "oil"], "date": ["1929-10", "1929"], "share": [0.3, 0.2]}
    )
    run = simulate(spec, result, periods=[1929, 1930], year_start=10, shocks=shocks)
    dates = run.calendar["date"].astype(str).tolist()
    assert dates[0] == "1928-10" and dates[12] == "1929-10" and dates[-1] == "1930-09"
    cap = run.series("capacity")
    calm = simulate(spec, result, periods=[1929, 1930], year_start=10).series("capacity")
    assert cap["coal"][11] == pytest.approx(calm["coal"][11])
    assert cap["coal"][12] == pytest.approx(0.7 * calm["coal"][12])  # October 1929: period 1930
    assert cap["oil"][0] == pytest.approx(0.8 * calm["oil"][0])  # "1929": the period's start
    with pytest.raises(ValidationError, match="horizon"):
        simulate(spec, result, periods=[1929], year_start=10, shocks=shocks)
    with pytest.raises(InputError, match="1 to 12"):
        simulate(spec, result, year_start=13)
