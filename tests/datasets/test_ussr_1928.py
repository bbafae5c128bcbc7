"""The bundled scenario ussr-1928: it reads, balances, and tells the plan's story."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gosplan
from gosplan.datasets import (
    list_scenarios,
    list_specs,
    load_history,
    load_population,
    read_history_table,
    scenario_path,
    spec_path,
)
from gosplan.errors import InputError
from gosplan.plan.reader import read_spec

NAME = "ussr-1928"
TARGET_VARIANTS = ("basic", "optimal", "amended")
SCENARIO = Path(scenario_path(NAME)).parent


@cache
def economy():
    return gosplan.read_economy(scenario_path(NAME))


@cache
def history():
    return load_history(NAME)


@cache
def spec(variant: str):
    return read_spec(spec_path(NAME, variant))


@cache
def check(variant: str):
    from gosplan.plan.diagnosis import check_plan

    start = time.perf_counter()
    result = check_plan(spec(variant))
    return result, time.perf_counter() - start


def base_levels() -> np.ndarray:
    """Base-year activity levels (history/base_year.csv), in the economy's activity order."""
    base = history()["base_year"].set_index("activity")["output"]
    eco = economy()
    assert set(base.index) == set(eco.activity_labels)
    return base.reindex(eco.activity_labels).to_numpy(dtype=float)


# ---------------------------------------------------------------------- the package
def test_listed_and_paths():
    assert NAME in list_scenarios()
    assert (scenario_path(NAME) / "economy.toml").is_file()
    assert set(list_specs(NAME)) >= {*TARGET_VARIANTS, "optimum", "frontier"}
    assert (spec_path(NAME, "basic") / "plan.toml").is_file()
    assert (SCENARIO / "README.md").is_file()


def test_unknown_scenario_lists_the_available_ones():
    with pytest.raises(InputError, match=r"unknown scenario 'atlantis'.*ussr-1928"):
        scenario_path("atlantis")


def test_unknown_variant_lists_the_available_ones():
    with pytest.raises(InputError, match=r"no plan variant 'maximal'.*amended, basic"):
        spec_path(NAME, "maximal")


def test_bad_history_cell_names_file_row_and_column(tmp_path):
    path = tmp_path / "turnover.csv"
    path.write_text("year,rate,source\n1929,1.5,[X]\n1930,lots,[X]\n")
    with pytest.raises(InputError, match=r"turnover\.csv.*row 3.*rate is not a number: 'lots'"):
        read_history_table(path)


def test_history_row_without_source_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("year,value,source\n1929,1.5,[X]\n1930,2.0,\n")
    with pytest.raises(InputError, match=r"row 3.*source is missing"):
        read_history_table(path)


def test_history_table_without_source_column_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("year,value\n1929,1.5\n")
    with pytest.raises(InputError, match="missing column 'source'"):
        read_history_table(path)


# ---------------------------------------------------------------------- the economy
def test_economy_reads_and_validates():
    eco = economy().validate()
    assert eco.n_products >= 20
    assert eco.meta.base_year == 1928
    groups = set(eco.products["group"])
    assert groups == {"means of production", "consumer goods"}
    for product in ("coal", "pig iron", "electricity", "cotton fabric", "grain", "machinery"):
        assert product in eco.product_labels


def test_every_coefficient_states_its_basis_and_source():
    for table in ("technology", "labour", "capital", "capacities", "activities"):
        frame = pd.read_csv(scenario_path(NAME) / f"{table}.csv", dtype=str)
        assert "basis" in frame.columns, table
        assert frame["basis"].notna().all(), table
    for table in ("technology", "labour", "capital", "capacities"):
        frame = pd.read_csv(scenario_path(NAME) / f"{table}.csv", dtype=str)
        assert frame["source"].notna().all(), table
    for path in (SCENARIO / "plans").rglob("*.csv"):
        frame = pd.read_csv(path, dtype=str)
        assert frame["source"].notna().all(), path
        notes = [c for c in ("basis", "note") if c in frame.columns]
        assert notes and frame[notes].notna().any(axis=1).all(), path


@pytest.mark.parametrize("hydro", [False, True])
def test_hawkins_simon(hydro):
    eco = economy()
    choice = {"electricity": "electricity (hydro)"} if hydro else None
    A = eco.select_techniques(choice).technology.toarray()
    assert np.max(np.abs(np.linalg.eigvals(A))) < 1
    # and (I - A)^-1 is non-negative: the technology is productive
    assert (np.linalg.inv(np.eye(len(A)) - A) >= -1e-12).all()


def test_base_year_final_demand_is_non_negative():
    eco = economy()
    x = base_levels()
    y = eco.output_matrix @ x - eco.technology @ x
    negative = eco.product_labels[y < 0].tolist()
    assert negative == []


def test_base_year_balance_reproduces_the_outputs():
    """Gross output for the base-year final demand gives back the base-year outputs."""
    eco = economy()
    x = base_levels()
    gross = eco.output_matrix @ x
    y = pd.Series(gross - eco.technology @ x, index=eco.product_labels)
    # one technique per product: electricity's column is the base-year mix of coal and hydro
    mix = x / (eco.output_matrix.T @ gross)
    A_mix = (eco.technology.toarray() * mix) @ eco.output_matrix.T.toarray()
    square = gosplan.Economy.from_coefficients(
        pd.DataFrame(A_mix, index=eco.product_labels, columns=eco.product_labels)
    )
    out = square.gross_output(y)
    np.testing.assert_allclose(out.to_numpy(), gross, rtol=1e-9)
    sourced = history()["targets_of_production"].set_index("product")["base_1927_28"]
    for product, value in sourced.dropna().items():
        if product in eco.product_labels:
            assert out[product] == pytest.approx(value, rel=1e-9), product


def test_capacity_covers_base_year_and_vintages_sum_to_capacity():
    eco = economy()
    cap = eco.capacities()
    x = pd.Series(base_levels(), index=eco.activity_labels)
    assert (cap >= x).all()
    assert (cap <= 1.15 * x).all()  # utilisation margins of 5 to 10 %: no idle industry
    vint = pd.read_csv(SCENARIO / "plans" / "common" / "vintages.csv")
    totals = vint.groupby("activity")["capacity"].sum()
    for activity, total in totals.items():
        assert total == pytest.approx(cap[activity], rel=1e-3), activity


def test_half_the_boilers_past_their_service_life():
    """[seed 003]: in 1927 half the steam boilers had passed their service life.

    The old half stays in service and retires evenly during the plan: its ``year_built`` is
    set so that ``year_built + service_life`` falls in 1929..1933.
    """
    eco = economy()
    vint = pd.read_csv(SCENARIO / "plans" / "common" / "vintages.csv")
    boilers = vint[vint["activity"] == "electricity (coal)"]
    life = eco.service_life[eco.activity_labels.get_loc("electricity (coal)")]
    retire = boilers["year_built"] + life
    old = boilers[retire <= 1933]
    assert old["capacity"].sum() / boilers["capacity"].sum() == pytest.approx(0.5, abs=1e-3)
    assert retire.min() >= 1929  # none retired before the plan
    young = boilers[boilers["year_built"] >= 1918]  # under ten years old in 1927: 4 %
    assert young["capacity"].sum() / boilers["capacity"].sum() == pytest.approx(0.04, abs=1e-3)


def test_base_year_labour_fits_first_year_availability():
    eco = economy()
    x = base_levels()
    used = pd.Series(eco.labour @ x, index=eco.labour_types)
    avail = pd.read_csv(SCENARIO / "plans" / "common" / "labour_available.csv")
    first = avail[avail["period"] == avail["period"].min()].set_index("labour_type")["available"]
    for labour_type, amount in used.items():
        assert amount <= first[labour_type], labour_type


# ---------------------------------------------------------------------- the plans
@pytest.mark.parametrize("variant", [*TARGET_VARIANTS, "optimum", "frontier"])
def test_plans_read(variant):
    s = spec(variant)
    assert s.periods == (1929, 1930, 1931, 1932, 1933)
    assert s.economy.n_products == economy().n_products


def test_final_year_targets_come_from_targets_of_production():
    table = history()["targets_of_production"].set_index("product")
    for variant, column in (("basic", "basic_1932_33"), ("optimal", "optimal_1932_33")):
        t = spec(variant).targets
        final = t[t["period"] == 1933].set_index("product")["target"]
        assert len(final) >= 7
        for product, value in final.items():
            assert value == pytest.approx(table.loc[product, column]), (variant, product)
    amended = spec("amended").targets.set_index(["product", "period"])["target"]
    for product in ("coal", "oil", "iron ore", "pig iron"):
        low, high = table.loc[product, ["amended_low", "amended_high"]]
        assert low <= amended[(product, 1932)] <= high


@pytest.mark.parametrize("variant", TARGET_VARIANTS)
def test_check_runs_quickly(variant):
    result, seconds = check(variant)
    assert seconds < 10
    assert result.common_level > 0
    assert result.feasible == (result.common_level >= 1 - 1e-6)


def test_basic_variant_is_feasible():
    result, _ = check("basic")
    assert result.feasible
    assert result.plan is not None


def test_amended_targets_are_infeasible():
    result, _ = check("amended")
    assert not result.feasible
    assert result.common_level < 1
    assert len(result.binding) > 0
    assert result.total_labour_cost > 0


def test_targets_raised_means_lower_common_level():
    levels = [check(v)[0].common_level for v in TARGET_VARIANTS]
    assert levels[0] > levels[2]
    assert levels[1] > levels[2]


def test_optimum_solves():
    from gosplan.plan.optimise import optimise

    start = time.perf_counter()
    result = optimise(spec("optimum"))
    assert time.perf_counter() - start < 10
    assert result.status == "optimal"
    assert result.level >= 1 - 1e-9  # at least 1927/28 consumption: the floors hold


def test_the_optimum_without_a_terminal_condition_runs_the_economy_down():
    from gosplan.plan.optimise import optimise

    static = optimise(spec("optimum"))
    myopic = optimise(spec("optimum").with_changes(terminal="none"))
    assert round(static.level, 3) == 1.055 and round(myopic.level, 3) == 1.207
    # the myopic plan builds nothing in its last year; the static one keeps building
    last = static.periods[-1]
    assert myopic.output.loc["construction", last] == pytest.approx(0.0, abs=1e-6)
    assert static.output.loc["construction", last] > 50.0
    assert len(static.terminal_levels) and (static.terminal_levels >= -1e-9).all()


def test_frontier_over_six_shares():
    from gosplan.plan.frontier import DEFAULT_SHARES, frontier

    population = load_population(NAME)
    assert list(population.index) == list(spec("frontier").periods)
    result = frontier(spec("frontier"), shares=DEFAULT_SHARES, population=population)
    table = result.table
    assert len(table) == 6
    assert (table["status"] == "optimal").all()
    assert np.isfinite(table["consumption_per_head"]).all()
    # consumption (of consumer goods only) over the five years rises up to 2/7 and falls
    # beyond: capacity for means of production built later bears fruit too late to pay back
    consumed = table["cumulative_consumption"].to_numpy()
    assert np.all(np.diff(consumed[:2]) > 0) and np.all(np.diff(consumed[1:]) < 0)
    # the most heavy industry leaves the most capacity for means of production at the end
    mop = table["terminal_means_of_production_capacity"].to_numpy()
    assert mop[-1] == mop.max() and mop[-1] > 4 * mop[0]


# ---------------------------------------------------------------------- history
def test_history_tables_present_with_sources():
    h = history()
    for name in ("targets_of_production", "labour_turnover", "labour_force", "base_year"):
        assert name in h
    for name, table in h.items():
        assert table["source"].notna().all(), name
        assert (table["source"].str.strip() != "").all(), name


def test_targets_of_production_consistent():
    t = history()["targets_of_production"]
    eco = economy()
    for row in t.itertuples():
        assert row.product in eco.product_labels or row.aggregate == "yes", row.product
        if row.product in eco.product_labels:
            assert row.unit == eco.products.at[row.product, "unit"], row.product
    both = t.dropna(subset=["basic_1932_33", "optimal_1932_33"])
    assert (both["basic_1932_33"] <= both["optimal_1932_33"]).all()
    amended = t.dropna(subset=["amended_low"])
    assert (amended["amended_low"] <= amended["amended_high"]).all()
    assert (amended["amended_low"] > amended["optimal_1932_33"]).all()  # targets raised
    planned = t.dropna(subset=["base_1927_28", "optimal_1932_33"])
    assert (planned["optimal_1932_33"] > planned["base_1927_28"]).all()


def test_percent_of_planned_increase_has_the_sign_of_the_change():
    """[C-SC]'s % of the planned increase achieved is negative exactly where output fell."""
    t = history()["targets_of_production"].dropna(
        subset=["base_1927_28", "outcome_1932", "percent_of_increase"]
    )
    assert len(t) >= 8
    fell = t["outcome_1932"] < t["base_1927_28"]
    assert ((t["percent_of_increase"] < 0) == fell).all()


def test_labour_turnover_series():
    t = history()["labour_turnover"]
    assert set(t["unit"]) == {"per 100 employees"}
    assert t["rate"].between(0, 400).all()
    for _, series in t.groupby(["industry", "movement"]):
        years = series["year"].to_numpy()
        assert (np.diff(years) > 0).all()
        assert list(years) == [1929, 1930, 1931, 1932]
    wide = t.pivot_table(index=["industry", "year"], columns="movement", values="rate")
    coal = wide.loc["coal industry"]
    allind = wide.loc["all large-scale industry"]
    assert (coal["entered"] > allind["entered"]).all()  # the mines turned over fastest


def test_labour_force_grows():
    f = history()["labour_force"]
    for _, series in f.groupby("category"):
        years = series["year"].to_numpy()
        assert (np.diff(years) > 0).all()
        assert (np.diff(series["value"].to_numpy()) > 0).all()
    manual = f[f["category"].str.startswith("manual")].set_index("year")["value"]
    everyone = f[f["category"].str.startswith("workers and employees")].set_index("year")["value"]
    assert (manual <= everyone).all()
