"""The workforce stock-flow model: conservation, the base hazards, the equal-split fact, files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan.core.workforce_result import WORKER_COLUMNS, WorkforceResult
from gosplan.errors import InputError, ValidationError
from gosplan.run.workforce import (
    DEFAULT_GRADES,
    Workforce,
    WorkforceParameters,
    run_workforce,
)

#: Outside wages per grade: skilled 1.5 times unskilled (the stylised fact's condition).
OUTSIDE = np.array([1.5, 1.2, 1.0])
FLOWS_IN = ("hires", "upgraded_in")
FLOWS_OUT = ("quits", "promoted", "mobilised", "upgraded_out")


def enterprises() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise": ["NA", "01", "Stalingrad tractor"],
            "industry": ["coal", "coal", "machinery"],
            "workers": [1200.0, 800.0, 3000.0],
            "skilled": [0.2, 0.3, 0.4],
            "semi_skilled": [0.3, 0.4, 0.4],
            "unskilled": [0.5, 0.3, 0.2],
        }
    )


def mobilisation() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [3, 3, 7],
            "enterprise": ["NA", "NA", "Stalingrad tractor"],
            "grade": ["skilled", "semi-skilled", "skilled"],
            "workers": [20.0, 10.0, 5000.0],  # more than there are: all of them go
        }
    )


def shocked_run(seed: int | None = None) -> WorkforceResult:
    steps = 24
    rng = np.random.default_rng(3)
    pay = rng.uniform(0.8, 1.6, (steps, 3, 3))
    return run_workforce(
        enterprises(),
        steps=steps,
        pay=pay,
        outside=OUTSIDE,
        real_wage=np.linspace(1.0, 0.8, steps),
        norm_increase=np.where(np.arange(steps)[:, None] >= 12, 0.1, 0.0) * np.ones((1, 3)),
        shortage=np.full((steps, 1), 0.2),
        mobilisation=mobilisation(),
        target=[1500.0, 800.0, 2500.0],
        params=WorkforceParameters(inflow=3000.0),
        start_year=1928,
        seed=seed,
    )


# ---------------------------------------------------------------------------- conservation
@pytest.mark.parametrize("seed", [None, 7])
def test_stocks_and_flows_add_up_exactly_and_nothing_is_negative(seed: int | None) -> None:
    result = shocked_run(seed)
    w = result.workers
    assert list(w.columns) == list(WORKER_COLUMNS)
    numbers = w.drop(columns=["enterprise", "grade"]).to_numpy(dtype=float)
    assert np.isfinite(numbers).all() and (numbers >= 0).all()
    cube = {c: w[c].to_numpy().reshape(result.steps, 3, 3) for c in ("workers", *FLOWS_IN)}
    cube.update({c: w[c].to_numpy().reshape(result.steps, 3, 3) for c in FLOWS_OUT})
    end = cube["workers"] + sum(cube[c] for c in FLOWS_IN) - sum(cube[c] for c in FLOWS_OUT)
    np.testing.assert_allclose(end[:-1], cube["workers"][1:], rtol=0, atol=1e-9)
    # per enterprise: upgrades move workers between grades, never in or out
    np.testing.assert_allclose(
        cube["upgraded_in"].sum(axis=2), cube["upgraded_out"].sum(axis=2), atol=1e-9
    )
    # hires enter the lowest grade only
    assert (cube["hires"][:, :, :-1] == 0).all()
    # never more hires than the inflow available (3000 a year, 250 a month)
    assert cube["hires"].sum(axis=(1, 2)).max() <= 250.0 + 1e-9


def test_a_campaign_takes_its_workers_and_no_more_than_there_are() -> None:
    w = shocked_run().workers
    at = w.set_index(["step", "enterprise", "grade"])
    assert at.loc[(3, "NA", "skilled"), "mobilised"] == pytest.approx(20.0)
    assert at.loc[(3, "NA", "semi-skilled"), "mobilised"] == pytest.approx(10.0)
    row = at.loc[(7, "Stalingrad tractor", "skilled")]
    assert row["mobilised"] == pytest.approx(row["workers"])  # all the skilled there went
    assert w.loc[w["step"] != 3, "mobilised"].iloc[:9].sum() == 0


def test_the_same_seed_gives_the_same_run_and_no_seed_the_expected_flows() -> None:
    a, b, expected = shocked_run(1), shocked_run(1), shocked_run(None)
    np.testing.assert_array_equal(a.workers["quits"], b.workers["quits"])
    assert not np.allclose(a.workers["quits"], expected.workers["quits"])
    np.testing.assert_array_equal(expected.workers["quits"], shocked_run(None).workers["quits"])


# ---------------------------------------------------------------------------- base hazards
def test_at_the_outside_option_and_without_shocks_quits_are_the_base_hazards() -> None:
    base = (0.4, 0.7, 1.1)
    params = WorkforceParameters(
        base_quit=base,
        upgrade_years=math.inf,
        promotion_out=0.0,
        fill_rate=0.0,  # no hires: each grade is a cohort
    )
    result = run_workforce(enterprises(), steps=12, params=params, pay=OUTSIDE, outside=OUTSIDE)
    w = result.workers
    first = w[w["step"] == 0]
    hazard = np.tile(base, 3)
    np.testing.assert_allclose(
        first["quits"], first["workers"] * (1 - np.exp(-hazard / 12)), rtol=1e-12
    )
    by_grade = result.turnover("grade").set_index("grade")
    start = first.groupby("grade", observed=True)["workers"].sum()
    quits = w.groupby("grade", observed=True)["quits"].sum()
    for g, b in zip(DEFAULT_GRADES, base, strict=True):
        # of a hundred at the start of the year, 100 (1 - exp(-base)) have left at its end
        assert 100 * quits[g] / start[g] == pytest.approx(100 * (1 - math.exp(-b)), rel=1e-12)
        # per 100 of the year's average employment: the annual hazard, 100 * base
        assert by_grade.loc[g, "separations_per_100"] == pytest.approx(100 * b, rel=0.01)
        assert by_grade.loc[g, "accessions_per_100"] == 0
    model = Workforce(np.ones((2, 3)), params=params)
    np.testing.assert_allclose(model.hazards(OUTSIDE, OUTSIDE), np.tile(base, (2, 1)))


def test_each_shock_raises_the_hazard_by_its_formula() -> None:
    p = WorkforceParameters()
    model = Workforce(np.ones((2, 3)), params=p)
    model.step(OUTSIDE, OUTSIDE, real_wage=1.0)
    pay = OUTSIDE * np.array([[1.0, 1.0, 1.0], [0.8, 1.1, 1.0]])
    h = model.hazards(pay, OUTSIDE, 0.99, norm_increase=[0.1, 0.0], shortage=0.2)
    fall = -math.log(0.99) * 12
    x = (
        p.b_pay * np.maximum(0, np.log(OUTSIDE / pay))
        + p.b_real * fall
        + p.b_norm * np.array([0.1, 0.0])[:, None]
        + p.b_short * 0.2
    )
    np.testing.assert_allclose(h, np.array(p.base_quit) * np.exp(x), rtol=1e-12)
    assert h[1, 1] == pytest.approx(h[0, 1] / math.exp(p.b_norm * 0.1))  # pay above: no gain


# ---------------------------------------------------------------------------- the stylised fact
def brigades() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise": [f"brigade {i}" for i in range(4)],
            "industry": ["metal"] * 4,
            "workers": [25.0, 30.0, 40.0, 20.0],
            "skilled": [0.3, 0.25, 0.4, 0.2],
            "semi_skilled": [0.4, 0.4, 0.3, 0.4],
            "unskilled": [0.3, 0.35, 0.3, 0.4],
        }
    )


def test_an_equal_split_drives_out_the_skilled_and_lowers_brigade_output() -> None:
    steps = 24
    frame = brigades()
    shares = frame[["skilled", "semi_skilled", "unskilled"]].to_numpy()
    tariff = OUTSIDE  # by grade: pay proportional to tariff coefficients matching outside
    by_grade = np.broadcast_to(tariff, shares.shape)
    mean = (shares @ tariff)[:, None]  # equal split: every grade the brigade's mean pay
    equal = np.broadcast_to(mean, shares.shape)
    np.testing.assert_allclose((equal * shares).sum(1), (by_grade * shares).sum(1))  # same fund
    runs = {
        name: run_workforce(frame, steps=steps, pay=pay, outside=OUTSIDE)
        for name, pay in (("by grade", by_grade), ("equal", equal))
    }
    skilled = {
        name: r.turnover("grade").set_index(["grade", "year"]).loc["skilled", "separations_per_100"]
        for name, r in runs.items()
    }
    assert (skilled["equal"] >= 2 * skilled["by grade"]).all(), skilled
    output = {name: r.labour().iloc[-1].to_numpy() for name, r in runs.items()}
    assert (output["equal"] < output["by grade"]).all()
    assert output["equal"].sum() < 0.97 * output["by grade"].sum()


# ---------------------------------------------------------------------------- files
@pytest.mark.parametrize("format", ["csv", "parquet", "json"])
def test_a_workforce_run_round_trips(tmp_path: Path, format: str) -> None:
    result = shocked_run()
    path = result.write(tmp_path / f"run.{format}" if format == "json" else tmp_path, format)
    back = WorkforceResult.read(path)
    for name, frame in result.tables().items():
        pd.testing.assert_frame_equal(back.tables()[name], frame, check_categorical=False)
        got = back.tables()[name]
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.CategoricalDtype):
                assert list(got[col].astype(str)) == list(frame[col].astype(str)), (name, col)
    assert back.steps_per_year == 12 and back.start_year == 1928
    assert back.parameters == result.parameters and back.provenance == result.provenance
    again = WorkforceResult.from_dict(result.to_dict())
    pd.testing.assert_frame_equal(again.statistics, result.statistics, check_categorical=False)


def test_the_statistics_are_the_industry_turnover_by_year() -> None:
    result = shocked_run()
    stats = result.statistics
    assert list(stats["industry"].astype(str)) == ["coal", "machinery"] * 2
    assert list(stats["year"]) == [1928, 1928, 1929, 1929]
    w = result.workers
    coal = w[w["enterprise"].isin(["NA", "01"]) & (w["step"] < 12)]
    wage_fund = stats.set_index(["industry", "year"]).loc[("coal", 1928), "wage_fund"]
    assert wage_fund == pytest.approx(coal["wage_fund"].sum())
    assert (stats["separations_per_100"] > stats["quits_per_100"]).all()


# ---------------------------------------------------------------------------- bad input
def _raises(match: str, **kwargs: object) -> InputError:
    args: dict[str, object] = {"steps": 12, "pay": 1.0, "outside": 1.0}
    args.update(kwargs)
    frame = args.pop("frame", enterprises())
    with pytest.raises(InputError, match=match) as info:
        run_workforce(frame, **args)  # type: ignore[arg-type]
    return info.value


def test_negative_workers_and_bad_shares_name_source_row_and_enterprise() -> None:
    frame = enterprises()
    frame.loc[1, "workers"] = -5.0
    frame.loc[2, ["skilled", "unskilled"]] = [1.3, -0.5]
    err = _raises("must", frame=frame)
    assert isinstance(err, ValidationError)
    found = {(p.check, p.source, p.row, p.label) for p in err.problems}
    assert ("negative_value", "enterprises", 3, "01") in found
    assert ("out_of_range", "enterprises", 4, "Stalingrad tractor") in found
    frame = enterprises()
    frame.loc[0, "skilled"] = 0.5
    err = _raises("add up to 1.3", frame=frame)
    assert (err.check, err.source, err.row, err.label) == (
        "inconsistent_totals",
        "enterprises",
        2,
        "NA",
    )
    err = _raises("'industry'", frame=enterprises().drop(columns="industry"))
    assert err.check == "missing_column"


def test_a_grade_that_does_not_exist_is_named() -> None:
    err = _raises("no grade 'master'", productivity={"master": 2.0})
    assert (err.check, err.source, err.label) == ("unknown_label", "productivity", "master")
    campaign = mobilisation()
    campaign.loc[1, "grade"] = "master"
    err = _raises("no such grade", mobilisation=campaign)
    assert (err.check, err.source, err.row, err.label) == (
        "unknown_label",
        "mobilisation",
        3,
        "master",
    )


def test_an_unknown_enterprise_or_step_in_a_campaign_is_named() -> None:
    campaign = mobilisation()
    campaign.loc[2, "enterprise"] = "Magnitka"
    campaign.loc[0, "step"] = 40
    err = _raises("problems", mobilisation=campaign)
    found = {(p.check, p.row, p.label) for p in err.problems}  # type: ignore[attr-defined]
    assert ("unknown_enterprise", 4, "Magnitka") in found
    assert ("out_of_range", 2, "NA") in found


def test_negative_wages_and_shapes_that_do_not_fit_are_refused() -> None:
    pay = np.ones((3, 3))
    pay[2, 0] = -1.0
    err = _raises("pay must not be negative", pay=pay)
    assert (err.check, err.source, err.label) == ("negative_value", "pay", "Stalingrad tractor")
    err = _raises("outside must not be negative", outside=[1.5, -1.0, 1.0])
    assert err.check == "negative_value"
    err = _raises("by step needs 12 rows", pay=np.ones((5, 3, 3)))
    assert err.check == "bad_argument"
    err = _raises("broadcast", norm_increase=[0.1, 0.2])
    assert err.check == "bad_argument"


def test_norm_increases_drive_out_the_skilled_most_when_they_feel_them_most() -> None:
    from gosplan.run.workforce import Workforce, WorkforceParameters

    workers = np.array([[30.0, 40.0, 30.0]])
    even = Workforce(workers, params=WorkforceParameters())
    skilled_first = Workforce(workers, params=WorkforceParameters(norm_by_grade=(2.0, 1.0, 1.0)))
    pay = np.ones((1, 3))
    calm = even.hazards(pay, pay[0])
    a = even.hazards(pay, pay[0], norm_increase=0.2)
    b = skilled_first.hazards(pay, pay[0], norm_increase=0.2)
    np.testing.assert_allclose(a / calm, np.exp(0.2))  # b_norm = 1, every grade alike
    np.testing.assert_allclose(b[0] / calm[0], [np.exp(0.4), np.exp(0.2), np.exp(0.2)])
