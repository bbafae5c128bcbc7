"""The ussr-1928 scenario's enterprises, counter-plans and synthetic fulfilment reports."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

import gosplan
import gosplan.datasets
from gosplan.core.enterprises import enterprises_of
from gosplan.datasets import scenario_path

NAME = "ussr-1928"
SCENARIO = Path(scenario_path(NAME)).parent
ECONOMY = SCENARIO / "economy"
RUN = SCENARIO / "run"
PLAN_PERIODS = range(1929, 1934)
REPORTS = RUN / "fulfilment_1929_30.csv"


@cache
def economy() -> gosplan.Economy:
    return gosplan.datasets.load(NAME)


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def test_economy_reads_with_enterprises():
    eco = economy()
    assert eco.enterprises is not None
    table = _csv(ECONOMY / "enterprises.csv")
    assert len(eco.enterprises) == len(table)
    assert set(eco.enterprises["enterprise"]) == set(table["enterprise"])
    # the source columns are carried as extra columns, not refused
    assert {"source", "basis", "name_source"} <= set(eco.enterprises.columns)


def test_every_enterprise_runs_an_existing_activity():
    eco = economy()
    acts = set(map(str, eco.activity_labels))
    table = eco.enterprises
    assert set(table["activity"].astype(str)) <= acts
    assert table["enterprise"].is_unique
    heavy = {
        "coal",
        "pig iron",
        "steel",
        "rolled steel",
        "machinery",
        "electricity (coal)",
        "electricity (hydro)",
        "iron ore",
        "oil",
    }
    assert heavy <= set(table["activity"].astype(str))
    # every activity has at least one enterprise once the defaults are added
    assert set(enterprises_of(eco)["activity"].astype(str)) == acts


def test_enterprise_capacities_add_up():
    eco = economy()
    table = eco.enterprises
    sums = table.groupby(table["activity"].astype(str))["capacity"].sum()
    cap = pd.Series(np.asarray(eco.capacity, dtype=float), index=eco.activity_labels.astype(str))
    caps_file = _csv(ECONOMY / "capacities.csv").set_index("activity")["capacity"]
    for act, total in sums.items():
        assert np.isclose(total, cap[act], rtol=1e-6, atol=0.0), act
        assert np.isclose(total, caps_file[act], rtol=1e-6, atol=0.0), act


def test_enterprises_are_labelled():
    table = _csv(ECONOMY / "enterprises.csv")
    # every capacity share is the scenario's assumption, with its basis
    assert (table["source"] == "scenario").all()
    assert table["basis"].notna().all()
    assert set(table["name_source"]) <= {"general historical record", "scenario"}
    assert table["director"].isna().all()  # no individual people
    started = table.set_index("enterprise")["started"]
    assert started["Magnitogorsk works (pig iron)"] == 1932
    assert started["Kuznetsk works (pig iron)"] == 1932
    assert started["Stalingrad tractor works"] == 1930
    assert started["Dneprostroi"] == 1932
    cap = table.set_index("enterprise")["capacity"]
    for works in ("Magnitogorsk works (pig iron)", "Stalingrad tractor works", "Dneprostroi"):
        assert cap[works] == 0.0


def test_counter_plans_reference_enterprises_and_plan_periods():
    from gosplan.run.counter_plans import read_counter_plans

    table = read_counter_plans(RUN / "counter_plans.csv")
    names = set(enterprises_of(economy())["enterprise"].astype(str))
    assert set(table["enterprise"]) <= names
    assert set(table["period"].astype(int)) <= set(PLAN_PERIODS)
    assert (pd.to_numeric(table["extra_output"]) > 0).all()
    assert (table["source"] == "scenario").all()
    assert table["note"].notna().all() and table["basis"].notna().all()
    # a raised norm names an input (or labour type) the enterprise's activity uses
    eco = economy()
    act_of = enterprises_of(eco).set_index("enterprise")["activity"].astype(str)
    technology = sp.csc_array(eco.technology)
    labour = sp.csc_array(eco.labour)
    for _, row in table[table["input"].notna()].iterrows():
        a = eco.activity_labels.get_loc(act_of[row["enterprise"]])
        if row["input"] in eco.labour_types:
            old = labour[eco.labour_types.get_loc(row["input"]), a]
        else:
            old = technology[eco.product_labels.get_loc(row["input"]), a]
        assert old > 0, row["counter_plan"]


def _same_values(made: pd.DataFrame, shipped: pd.DataFrame) -> None:
    """Same columns, same labels, numbers equal to 1e-9 relative (NaN where NaN)."""
    assert list(made.columns) == list(shipped.columns)
    assert len(made) == len(shipped)
    for col in shipped.columns:
        if pd.api.types.is_numeric_dtype(shipped[col]):
            np.testing.assert_allclose(
                made[col].to_numpy(dtype=float),
                shipped[col].to_numpy(dtype=float),
                rtol=1e-9,
                atol=0.0,
                err_msg=col,
            )
        else:
            assert (made[col].fillna("") == shipped[col].fillna("")).all(), col


def test_reports_are_reproducible(tmp_path):
    script = RUN / "make_reports.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True)
    made = tmp_path / REPORTS.name
    _same_values(_csv(made), _csv(REPORTS))
    # six significant digits at most: the file does not depend on the LP's last bits
    digits = _csv(REPORTS).select_dtypes("number").drop(columns=["period", "month"])
    for col in digits.columns:
        text = [f"{v:.6g}" for v in digits[col].dropna()]
        np.testing.assert_array_equal(np.array(text, dtype=float), digits[col].dropna())


@cache
def _adopted():
    """The basic variant's least-labour plan, as control figures by month for 1929-30."""
    from gosplan.plan import optimise
    from gosplan.run import control_figures, monthly

    spec = gosplan.datasets.load(f"{NAME}/basic")
    cf = monthly(control_figures(optimise(spec), spec))
    tables = {
        k: v[v["period"].isin([1929, 1930])].reset_index(drop=True) for k, v in cf.tables().items()
    }
    return dataclasses.replace(cf, **tables)


@cache
def _fulfilment():
    from gosplan.run import fulfilment, read_actuals

    cf = _adopted()
    return fulfilment(cf, read_actuals(REPORTS, cf))


def test_reports_follow_the_planners_figures():
    report = _fulfilment()
    table = report.table
    assert len(table) == len(_csv(REPORTS))
    # measured against the basic variant's control figures the shares are near 1
    quiet = table.merge(_csv(REPORTS)[["enterprise", "period", "month", "event"]])
    quiet = quiet[quiet["event"].isna()]
    assert 0.95 < quiet["share"].median() < 1.0
    assert quiet["share"].between(0.75, 1.3).all()
    assert (table["shortfall"] > 0).sum() > len(table) / 3


def test_report_events_show_their_causes():
    table = _fulfilment().table.merge(_csv(REPORTS)[["enterprise", "period", "month", "event"]])
    turnover = table[table["event"] == "labour turnover"]
    assert (turnover["shortfall"] > 0).all()
    assert (turnover["cause"] == "labour:workers").all()
    short = table[table["event"] == "coal short"]
    assert (short["shortfall"] > 0).all() and (short["cause"] == "input:coal").all()
    fall = table[table["event"] == "furnace down"]
    assert (fall["cause"] == "capacity").all() and (fall["share"] < 0.8).all()
    shock = table[table["event"] == "shock-brigade campaign"]
    assert shock["share"].mean() > 1.05


def test_reports_are_synthetic_and_well_formed():
    from gosplan.run.fulfilment import read_actuals

    assert REPORTS.stat().st_size < 200_000
    table = _csv(REPORTS)
    assert (table["note"] == "synthetic").all()
    assert list(table.columns[:6]) == [
        "enterprise",
        "period",
        "month",
        "product",
        "output",
        "labour:workers",
    ]
    received = [c for c in table.columns if c.startswith("received:")]
    assert "received:coal" in received and list(table.columns[-2:]) == ["event", "note"]
    assert set(table.columns) == {*table.columns[:6], *received, "event", "note"}
    # each report gives its enterprise's main input, and only that
    assert (table[received].notna().sum(axis=1) == 1).all()
    pig = table[table["product"] == "pig iron"]
    assert pig["received:coal"].notna().all()
    assert set(table["period"]) == {1929, 1930}
    assert set(table["month"]) == set(range(1, 13))
    ents = enterprises_of(economy()).set_index("enterprise")
    assert set(table["enterprise"]) <= set(ents.index)
    # one report per enterprise, period and month
    assert not table.duplicated(["enterprise", "period", "month"]).any()
    assert (table["output"] >= 0).all() and (table["labour:workers"] > 0).all()
    # the product is the one its enterprise's activity makes
    eco = economy()
    made = pd.Series(
        eco.product_labels[eco.activity_product].astype(str),
        index=eco.activity_labels.astype(str),
    )
    expected = made[ents.loc[table["enterprise"], "activity"].astype(str)].to_numpy()
    assert (table["product"].to_numpy() == expected).all()
    events = set(table["event"].dropna())
    assert events == {"labour turnover", "coal short", "shock-brigade campaign", "furnace down"}
    read_actuals(REPORTS)  # the fulfilment reader accepts it


def test_report_events_are_where_the_readme_says():
    table = _csv(REPORTS)
    coal = table[table["product"] == "coal"]
    turnover = coal[coal["event"] == "labour turnover"]
    assert set(zip(turnover["period"], turnover["month"], strict=True)) == {
        (1930, m) for m in range(6, 13)
    }
    fall = table[table["event"] == "furnace down"]
    assert set(fall["enterprise"]) == {"Petrovsky works (pig iron)"}
    assert fall[["period", "month"]].min().tolist() == [1930, 7]
    short = table[table["event"] == "coal short"]
    assert set(short["enterprise"]) == {"Makeevka works (pig iron)"}
    assert set(zip(short["period"], short["month"], strict=True)) == {
        (1930, m) for m in range(7, 13)
    }
    shock = table[table["event"] == "shock-brigade campaign"]
    assert set(shock["enterprise"]) == {"Krasny Putilovets works (machinery)"}
    assert shock[["period", "month"]].iloc[0].tolist() == [1929, 7]
    # the step fall shows: output after month 7 of 1930 well below before
    works = table[table["enterprise"] == "Petrovsky works (pig iron)"].set_index(
        ["period", "month"]
    )
    before = works.loc[1930].loc[1:6, "output"].mean()
    after = works.loc[1930].loc[7:12, "output"].mean()
    assert after < 0.8 * before
