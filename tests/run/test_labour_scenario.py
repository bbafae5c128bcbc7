"""The scenario's calibrated workforce: the fit to the turnover table, bases, a stylised fact."""

from __future__ import annotations

import re
import tomllib

import pandas as pd
import pytest

from gosplan.datasets import load_history, scenario_path
from gosplan.errors import InputError, ValidationError
from gosplan.run.labour_scenario import PARAMETERS_FILE, LabourRun, labour_run

# The source keys of the reference (../shared/reference/first-five-year-plan.md, "Sources").
REFERENCE_TAGS = {"IsE", "C-T1", "C-T2", "C-SC", "Rog", "Med", "Tr32", "FO", "NKh", "WHP"}
CALIBRATION_YEARS = (1929, 1930)


@pytest.fixture(scope="module")
def by_grade() -> LabourRun:
    return labour_run()


@pytest.fixture(scope="module")
def equal() -> LabourRun:
    return labour_run(rule="equal")


def table_rate(year: int, industry: str, movement: str) -> float:
    table = load_history("ussr-1928")["labour_turnover"]
    row = table[
        (table["year"] == year) & (table["industry"] == industry) & (table["movement"] == movement)
    ]
    assert len(row) == 1
    return float(row["rate"].iloc[0])


def model_rate(run: LabourRun, year: int, industry: str, movement: str) -> float:
    t = run.turnover
    row = t[(t["year"] == year) & (t["industry"] == industry) & (t["movement"] == movement)]
    assert len(row) == 1
    return float(row["model"].iloc[0])


def test_coal_separations_of_1930_within_10_percent(by_grade: LabourRun) -> None:
    model = model_rate(by_grade, 1930, "coal industry", "left")
    assert model == pytest.approx(table_rate(1930, "coal industry", "left"), rel=0.10)


@pytest.mark.parametrize("year", CALIBRATION_YEARS)
@pytest.mark.parametrize("movement", ["entered", "left"])
def test_all_industry_turnover_within_15_percent(
    by_grade: LabourRun, year: int, movement: str
) -> None:
    industry = "all large-scale industry"
    model = model_rate(by_grade, year, industry, movement)
    assert model == pytest.approx(table_rate(year, industry, movement), rel=0.15)


def test_the_comparison_holds_the_table_and_every_year_run(by_grade: LabourRun) -> None:
    t = by_grade.turnover
    assert sorted(t["year"].unique()) == [1929, 1930, 1931, 1932]
    assert len(t) == 16  # 4 years x 2 industries x 2 movements
    for _, row in t.iterrows():
        assert row["table"] == table_rate(row["year"], row["industry"], row["movement"])
        assert row["relative_difference"] == pytest.approx(row["model"] / row["table"] - 1)


def test_every_parameter_has_a_basis_citing_only_the_reference() -> None:
    path = scenario_path("ussr-1928").parent / PARAMETERS_FILE
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert doc
    for name, entry in doc.items():
        assert "value" in entry, name
        basis = str(entry.get("basis", ""))
        assert basis.strip(), name
        tags = re.findall(r"\[([^\]]+)\]", basis)
        for tag in tags:
            assert tag.split(",")[0].strip() in REFERENCE_TAGS, (name, tag)
        marked = re.search(r"\bassumption\b|\bcalibrated\b", basis)
        assert tags or marked, (name, basis)


def test_the_run_reports_its_parameters_with_their_bases(by_grade: LabourRun) -> None:
    p = by_grade.parameters
    assert {"base_quit", "b_short", "coal_hazard_factor", "fill_rate"} <= set(p["name"])
    assert p["basis"].str.len().gt(0).all()
    over = labour_run(years=(1929,), parameters={"b_short": 0.0}).parameters.set_index("name")
    assert over.loc["b_short", "basis"] == "given by the caller"


def test_equal_split_drives_out_the_skilled_and_lowers_skill_weighted_labour(
    by_grade: LabourRun, equal: LabourRun
) -> None:
    skilled = equal.skilled_separations() / by_grade.skilled_separations()
    assert (skilled >= 2.0).all(), skilled
    labour = equal.skill_weighted_labour() - by_grade.skill_weighted_labour()
    assert (labour.iloc[1:] < 0).all()
    # the same heads are hired towards the same target: the loss is of skill, not of workers
    assert equal.skill_weighted_labour().iloc[-1] < 0.95 * by_grade.skill_weighted_labour().iloc[-1]


def test_a_rules_table_by_industry_and_year() -> None:
    rules = pd.DataFrame({"industry": ["coal", "coal"], "year": [1929, 1930], "rule": "equal"})
    run = labour_run(rule=rules, years=(1929, 1930))
    r = run.rules.set_index(["enterprise", "year"])["rule"]
    assert r[("Donugol mines", 1929)] == "equal"
    assert r[("Azneft", 1929)] == "by_grade"
    base = labour_run(years=(1929, 1930)).result.turnover("enterprise").set_index("enterprise")
    mixed = run.result.turnover("enterprise").set_index("enterprise")
    assert (
        mixed.loc["Donugol mines", "quits_per_100"]
        .gt(base.loc["Donugol mines", "quits_per_100"])
        .all()
    )


def test_a_shortage_path_from_the_caller_raises_separations(by_grade: LabourRun) -> None:
    short = labour_run(shortage={1929: 0.3, 1930: 0.3, 1931: 0.3, 1932: 0.3})
    assert (short.turnover["model"] > by_grade.turnover["model"]).all()


def test_unknown_rule_is_named() -> None:
    with pytest.raises(InputError, match="levelling") as err:
        labour_run(rule="levelling")
    assert err.value.check == "bad_option"


def test_a_rules_table_naming_an_unknown_industry_or_enterprise() -> None:
    rules = pd.DataFrame({"industry": ["coal", "tractors"], "year": [1929, 1930], "rule": "equal"})
    with pytest.raises(ValidationError) as err:
        labour_run(rule=rules)
    assert err.value.label == "tractors" and err.value.row == 3
    rules = pd.DataFrame({"enterprise": ["Donugol"], "year": [1929], "rule": "equal"})
    with pytest.raises(ValidationError) as err:
        labour_run(rule=rules)
    assert err.value.label == "Donugol" and err.value.check == "unknown_enterprise"


def test_a_rules_table_with_a_year_outside_the_run() -> None:
    rules = pd.DataFrame({"industry": ["coal"], "year": [1933], "rule": "equal"})
    with pytest.raises(ValidationError, match="outside the run") as err:
        labour_run(rule=rules)
    assert err.value.check == "out_of_range"


@pytest.mark.parametrize("years", [(1928, 1929), (1932, 1933), ()])
def test_years_outside_the_table(years: tuple[int, ...]) -> None:
    with pytest.raises(InputError) as err:
        labour_run(years=years)
    bad = [y for y in years if y not in (1929, 1930, 1931, 1932)]
    if bad:
        assert err.value.label == str(bad[0]) and err.value.check == "out_of_range"


def test_bad_parameters_and_shortage_are_named() -> None:
    with pytest.raises(InputError) as err:
        labour_run(parameters={"b_shortage": 1.0})
    assert err.value.label == "b_shortage"
    with pytest.raises(InputError) as err:
        labour_run(shortage={1929: 0.1})
    assert err.value.label == "1930"
    with pytest.raises(InputError) as err:
        labour_run(shortage=1.5)
    assert err.value.check == "out_of_range"


def test_shortages_from_a_simulated_run_feed_the_workforce() -> None:
    from gosplan.datasets import spec_path
    from gosplan.plan.optimise import optimise
    from gosplan.plan.reader import read_spec
    from gosplan.run.labour_scenario import shortage_from
    from gosplan.run.plan_simulation import labour_values
    from gosplan.run.simulate import simulate

    spec = read_spec(spec_path("ussr-1928", "basic"))
    plan = optimise(spec, objective="min_labour")
    shocks = pd.DataFrame({"product": ["food products"], "date": ["1930"], "share": [0.5]})
    run = simulate(spec, plan, periods=[1929, 1930, 1931, 1932], shocks=shocks)
    weights = labour_values(spec, plan)
    short = shortage_from(run, weights)
    expect = run.unmet_by_user(weights).loc["households"] / 100
    pd.testing.assert_series_equal(short, expect.rename("shortage"), check_names=False)
    assert short[1929] == pytest.approx(0.0, abs=1e-9) and short[1930] > 0.05
    calm = labour_run(shortage=0.0).turnover
    hit = labour_run(shortage=short).turnover
    left = (calm["movement"] == "left") & (calm["year"] == 1930)
    assert (hit[left]["model"].to_numpy() > calm[left]["model"].to_numpy()).all()
