"""Control figures: the plan split among enterprises, by rule, and spread over the months."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from gosplan import Economy
from gosplan.core.control_figures import (
    FIGURE_COLUMNS,
    LABOUR_COLUMNS,
    SUPPLY_COLUMNS,
    ControlFigures,
)
from gosplan.core.enterprises import enterprises_of
from gosplan.core.plan_result import PlanResult
from gosplan.core.spec import PlanSpec
from gosplan.core.status import Status
from gosplan.datasets import load
from gosplan.errors import InputError
from gosplan.plan import optimise
from gosplan.run.control import control_figures, monthly

RTOL = 1e-12


# ---------------------------------------------------------------------------- helpers
def _economy(capacity: dict[str, float] | None = None) -> Economy:
    """Two products: steel (uses coal) and coal; one labour type."""
    A = pd.DataFrame([[0.1, 0.2], [0.3, 0.1]], index=["steel", "coal"], columns=["steel", "coal"])
    cap = pd.Series(capacity or {"steel": 100.0, "coal": np.inf})
    return Economy.from_coefficients(A, labour=pd.Series({"steel": 2.0, "coal": 1.0}), capacity=cap)


def _plan(
    economy: Economy,
    levels: dict[str, list[float]],
    periods: tuple[int, ...] = (1929,),
    capacity: dict[str, list[float]] | None = None,
) -> tuple[PlanResult, PlanSpec]:
    """A PlanResult with the given activity levels (and capacity), and its spec."""
    acts = economy.activity_labels
    cols = pd.Index(periods, name="period")
    frame = pd.DataFrame(
        [levels.get(a, [0.0] * len(periods)) for a in acts], index=acts, columns=cols
    )
    cap = pd.DataFrame(
        [(capacity or {}).get(a, [np.nan] * len(periods)) for a in acts], index=acts, columns=cols
    )
    empty = pd.DataFrame()
    result = PlanResult(
        status=Status.OPTIMAL,
        objective=0.0,
        objective_kind="given",
        level=None,
        periods=periods,
        output=pd.DataFrame(
            economy.output_matrix @ frame.to_numpy(), index=economy.product_labels, columns=cols
        ),
        activity_levels=frame,
        capacity=cap,
        investment=empty,
        capital_spending=empty,
        employment=empty,
        consumption=empty,
        stocks=empty,
        imports=empty,
        exports=empty,
        fulfilment=empty,
        shadow_prices={},
        binding=empty,
        growth=empty,
        investment_shares=empty,
        verification=None,
    )
    return result, PlanSpec(economy=economy, periods=periods)


def _two_works(**extra: list[object]) -> pd.DataFrame:
    """Two steel works: capacities 60 and 40, labour factors 1.0 and 0.5; one coal mine."""
    table = pd.DataFrame(
        {
            "enterprise": ["Magnitka", "Kuznetsk", "Donbass"],
            "activity": ["steel", "steel", "coal"],
            "capacity": [60.0, 40.0, np.inf],
            "labour_factor": [1.0, 0.5, 1.0],
            "trust": ["Stal", "Stal", "Ugol"],
        }
    )
    for col, values in extra.items():
        table[col] = values
    return table


def _levels(figures: ControlFigures) -> dict[str, float]:
    f = figures.figures
    return dict(zip(f["enterprise"].astype(str), f["level"], strict=True))


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with its labels as plain text, for comparisons."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str).astype(object)
    return out


def _same(a: ControlFigures, b: ControlFigures) -> None:
    assert a.rule == b.rule
    assert a.provenance == b.provenance
    for name in ("figures", "labour", "supply"):
        pd.testing.assert_frame_equal(_text(getattr(a, name)), _text(getattr(b, name)))


# ---------------------------------------------------------------------------- hand-solved
def test_capacity_rule_splits_in_proportion_to_capacity() -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [50.0], "coal": [30.0]})
    cf = control_figures(result, spec, _two_works())
    assert cf.rule == "capacity"
    assert _levels(cf) == pytest.approx({"Magnitka": 30.0, "Kuznetsk": 20.0, "Donbass": 30.0})
    assert list(cf.figures.columns) == list(FIGURE_COLUMNS)
    assert list(cf.labour.columns) == list(LABOUR_COLUMNS)
    assert list(cf.supply.columns) == list(SUPPLY_COLUMNS)
    assert (cf.figures["month"] == 0).all()
    # output = level; labour = 2 x factor x level; supply = technology column x level
    labour = dict(zip(cf.labour["enterprise"].astype(str), cf.labour["quantity"], strict=True))
    assert labour == pytest.approx({"Magnitka": 60.0, "Kuznetsk": 20.0, "Donbass": 30.0})
    supply = cf.supply.assign(enterprise=cf.supply["enterprise"].astype(str))
    got = supply.set_index(["enterprise", "product"])["quantity"].to_dict()
    assert got == pytest.approx(
        {
            ("Magnitka", "steel"): 3.0,
            ("Magnitka", "coal"): 9.0,
            ("Kuznetsk", "steel"): 2.0,
            ("Kuznetsk", "coal"): 6.0,
            ("Donbass", "steel"): 6.0,
            ("Donbass", "coal"): 3.0,
        }
    )
    trusts = dict(zip(cf.figures["enterprise"].astype(str), cf.figures["trust"], strict=True))
    assert trusts == {"Magnitka": "Stal", "Kuznetsk": "Stal", "Donbass": "Ugol"}


def test_least_labour_fills_the_most_productive_works_first() -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [50.0, 30.0], "coal": [1.0, 1.0]}, periods=(1929, 1930))
    cf = control_figures(result, spec, _two_works(), rule="least_labour")
    f = cf.figures.assign(enterprise=cf.figures["enterprise"].astype(str))
    got = f.set_index(["enterprise", "period"])["level"].to_dict()
    assert got == pytest.approx(
        {
            ("Magnitka", 1929): 10.0,
            ("Kuznetsk", 1929): 40.0,  # the 0.5 works is full
            ("Magnitka", 1930): 0.0,
            ("Kuznetsk", 1930): 30.0,
            ("Donbass", 1929): 1.0,
            ("Donbass", 1930): 1.0,
        }
    )
    steel = cf.labour[cf.labour["period"] == 1929].assign(
        enterprise=lambda t: t["enterprise"].astype(str)
    )
    labour = dict(zip(steel["enterprise"], steel["quantity"], strict=True))
    assert labour == pytest.approx({"Magnitka": 20.0, "Kuznetsk": 40.0, "Donbass": 1.0})
    capacity = control_figures(result, spec, _two_works())
    assert cf.labour["quantity"].sum() < capacity.labour["quantity"].sum()


def test_least_labour_splits_ties_in_proportion_to_capacity() -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [40.0]})
    table = pd.DataFrame(
        {
            "enterprise": ["a", "b", "c", "mine"],
            "activity": ["steel", "steel", "steel", "coal"],
            "capacity": [10.0, 30.0, 20.0, 5.0],
            "labour_factor": [1.0, 1.0, 0.5, 1.0],
        }
    )
    cf = control_figures(result, spec, table, rule="least_labour")
    assert _levels(cf) == pytest.approx({"a": 5.0, "b": 15.0, "c": 20.0, "mine": 0.0})


def test_capacity_added_by_the_plan_is_shared_like_the_old() -> None:
    """The plan's capacity (grown by investment) is spread over the works by their capacity."""
    eco = _economy()
    result, spec = _plan(eco, {"steel": [150.0]}, capacity={"steel": [200.0]})
    cf = control_figures(result, spec, _two_works(), rule="least_labour")
    assert _levels(cf)["Kuznetsk"] == pytest.approx(80.0)
    assert _levels(cf)["Magnitka"] == pytest.approx(70.0)
    # a plan without a capacity table: the works' own, raised to the level where it runs above
    result, spec = _plan(eco, {"steel": [150.0]})
    cf = control_figures(result, spec, _two_works(), rule="least_labour")
    assert _levels(cf) == pytest.approx({"Magnitka": 90.0, "Kuznetsk": 60.0, "Donbass": 0.0})


@pytest.mark.parametrize("rule", ["capacity", "least_labour"])
def test_unlimited_or_zero_capacity_gives_equal_shares(rule: str) -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [30.0], "coal": [12.0]})
    table = pd.DataFrame(
        {
            "enterprise": ["s1", "s2", "s3", "c1", "c2"],
            "activity": ["steel"] * 3 + ["coal"] * 2,
            "capacity": [0.0, 0.0, 0.0, np.inf, np.inf],
        }
    )
    cf = control_figures(result, spec, table, rule=rule)
    assert _levels(cf) == pytest.approx({"s1": 10.0, "s2": 10.0, "s3": 10.0, "c1": 6.0, "c2": 6.0})


def test_the_default_enterprises_are_one_per_activity() -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [50.0], "coal": [30.0]})
    cf = control_figures(result, spec)
    assert _levels(cf) == {"steel": 50.0, "coal": 30.0}
    assert cf.provenance["enterprises"] == 2
    assert cf.provenance["rule"] == "capacity"


# ---------------------------------------------------------------------------- the scenario
@pytest.fixture(scope="module")
def adopted() -> tuple[PlanResult, PlanSpec]:
    """The scenario's optimum, on its economy without the bundled enterprises table."""
    spec = load("ussr-1928/optimum")
    assert isinstance(spec, PlanSpec)
    spec = spec.with_changes(economy=replace(spec.economy, enterprises=None))
    result = optimise(spec)
    assert result.optimal
    return result, spec


@pytest.mark.parametrize("rule", ["capacity", "least_labour"])
def test_totals_equal_the_plan_with_the_bundled_enterprises(rule: str) -> None:
    spec = load("ussr-1928/optimum")
    assert isinstance(spec, PlanSpec) and spec.economy.enterprises is not None
    result = optimise(spec)
    cf = control_figures(result, spec, rule=rule)
    assert cf.figures["enterprise"].nunique() == len(enterprises_of(spec.economy))
    _assert_totals(cf, result, spec, labour=True)


def _several(spec: PlanSpec, seed: int = 1) -> pd.DataFrame:
    """Three enterprises per activity, capacities adding up to the activity's."""
    eco = spec.economy
    rng = np.random.default_rng(seed)
    rows = []
    for act, cap in zip(eco.activity_labels, eco.capacity, strict=True):
        parts = rng.dirichlet(np.ones(3))
        for k in range(3):
            rows.append(
                {
                    "enterprise": f"{act} works {k}",
                    "activity": act,
                    "capacity": cap * parts[k],
                    "labour_factor": float(rng.choice([0.6, 0.8, 1.0, 1.3])),
                    "trust": f"{act} trust",
                    "commissariat": "VSNKh",
                }
            )
    return pd.DataFrame(rows)


def _assert_totals(cf: ControlFigures, result: PlanResult, spec: PlanSpec, labour: bool) -> None:
    eco = spec.economy
    levels = result.activity_levels.reindex(eco.activity_labels)
    scale = max(1.0, float(np.abs(levels.to_numpy()).max()))
    by_act = cf.figures.pivot_table(
        index="activity", columns="period", values="level", aggfunc="sum", observed=True
    ).reindex(index=levels.index, columns=levels.columns, fill_value=0.0)
    np.testing.assert_allclose(by_act.to_numpy(), levels.to_numpy(), rtol=RTOL, atol=RTOL * scale)
    out = result.output.reindex(eco.product_labels)
    by_prod = cf.figures.pivot_table(
        index="product", columns="period", values="output", aggfunc="sum", observed=True
    ).reindex(index=out.index, columns=out.columns, fill_value=0.0)
    np.testing.assert_allclose(by_prod.to_numpy(), out.to_numpy(), rtol=RTOL, atol=RTOL * scale)
    use = eco.technology @ levels.to_numpy()
    supply = cf.supply.pivot_table(
        index="product", columns="period", values="quantity", aggfunc="sum", observed=True
    ).reindex(index=eco.product_labels.astype(str), columns=levels.columns, fill_value=0.0)
    np.testing.assert_allclose(supply.to_numpy(), use, rtol=1e-10, atol=1e-10 * scale)
    if labour:
        emp = result.employment.reindex(eco.labour_types)
        got = cf.labour.pivot_table(
            index="labour_type", columns="period", values="quantity", aggfunc="sum", observed=True
        ).reindex(index=emp.index.astype(str), columns=emp.columns, fill_value=0.0)
        np.testing.assert_allclose(got.to_numpy(), emp.to_numpy(), rtol=1e-10)


@pytest.mark.parametrize("rule", ["capacity", "least_labour"])
def test_totals_equal_the_plan(adopted: tuple[PlanResult, PlanSpec], rule: str) -> None:
    result, spec = adopted
    cf = control_figures(result, spec, rule=rule)
    assert len(cf.figures) == spec.economy.n_activities * len(result.periods)
    _assert_totals(cf, result, spec, labour=True)


@pytest.mark.parametrize("rule", ["capacity", "least_labour"])
def test_totals_equal_the_plan_with_several_enterprises(
    adopted: tuple[PlanResult, PlanSpec], rule: str
) -> None:
    result, spec = adopted
    table = _several(spec)
    cf = control_figures(result, spec, table, rule=rule)
    _assert_totals(cf, result, spec, labour=False)
    assert set(cf.figures["commissariat"]) == {"VSNKh"}
    if rule == "least_labour":
        # within the plan's capacity, each works within its share of it
        cap = result.capacity.reindex(spec.economy.activity_labels)
        share = table["capacity"] / table.groupby("activity")["capacity"].transform("sum")
        f = cf.figures.assign(enterprise=cf.figures["enterprise"].astype(str))
        f = f.merge(table.assign(share=share)[["enterprise", "share"]], on="enterprise", how="left")
        limit = [
            s * max(cap.loc[a, p], lv)
            for s, a, p, lv in zip(
                f["share"],
                f["activity"].astype(str),
                f["period"],
                result.activity_levels.stack().reindex(
                    pd.MultiIndex.from_arrays([f["activity"].astype(str), f["period"]])
                ),
                strict=True,
            )
        ]
        assert (f["level"].to_numpy() <= np.asarray(limit) * (1 + 1e-9) + 1e-9).all()
        # and it uses less labour than the split by capacity
        by_cap = control_figures(result, spec, table)
        assert cf.labour["quantity"].sum() <= by_cap.labour["quantity"].sum() + 1e-9


# ---------------------------------------------------------------------------- LP cross-check
def _lp_labour(
    table: pd.DataFrame, levels: dict[str, list[float]], periods: int
) -> tuple[float, np.ndarray]:
    """The least labour of the split, by HiGHS: one LP over every enterprise and period."""
    labour_coef = {"steel": 2.0, "coal": 1.0}
    n = len(table)
    cost = np.array(
        [labour_coef[a] * f for a, f in zip(table["activity"], table["labour_factor"], strict=True)]
    )
    c = np.tile(cost, periods)  # x[t * n + e]
    rows, rhs = [], []
    for t in range(periods):
        for act in ("steel", "coal"):
            members = np.flatnonzero(table["activity"].to_numpy() == act)
            if not len(members):
                continue
            row = np.zeros(n * periods)
            row[t * n + members] = 1.0
            rows.append(row)
            rhs.append(levels[act][t])
    caps = table["capacity"].to_numpy(dtype=float)
    bounds = [
        (0.0, None if np.isinf(caps[e]) else caps[e]) for _ in range(periods) for e in range(n)
    ]
    res = linprog(c, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return float(res.fun), res.x.reshape(periods, n).T


_enterprise = st.tuples(
    st.sampled_from(["steel", "coal"]),
    st.one_of(st.floats(0.0, 100.0), st.just(np.inf)),
    st.sampled_from([0.25, 0.5, 0.8, 1.0, 1.5]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ents=st.lists(_enterprise, min_size=2, max_size=7),
    fractions=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4),
)
def test_least_labour_is_the_lp_optimum(
    ents: list[tuple[str, float, float]], fractions: list[float]
) -> None:
    table = pd.DataFrame(ents, columns=["activity", "capacity", "labour_factor"])
    table.insert(0, "enterprise", [f"e{i}" for i in range(len(table))])
    eco = _economy()
    levels = {}
    for k, act in enumerate(("steel", "coal")):
        cap = table.loc[table["activity"] == act, "capacity"].sum()
        cap = 150.0 if np.isinf(cap) else cap
        levels[act] = [fractions[2 * k] * cap, fractions[2 * k + 1] * cap]
        if not (table["activity"] == act).any():
            levels[act] = [0.0, 0.0]
    caps = {a: [table.loc[table["activity"] == a, "capacity"].sum()] * 2 for a in levels}
    result, spec = _plan(eco, levels, periods=(1, 2), capacity=caps)
    cf = control_figures(result, spec, table, rule="least_labour")
    got = cf.figures["level"].to_numpy().reshape(len(table), 2)
    # feasible: within capacity, adding up to the level
    assert (got >= 0).all()
    assert (got <= table["capacity"].to_numpy()[:, None] * (1 + 1e-12) + 1e-9).all()
    for act in ("steel", "coal"):
        members = (table["activity"] == act).to_numpy()
        if members.any():
            np.testing.assert_allclose(got[members].sum(axis=0), levels[act], rtol=RTOL, atol=1e-9)
    # optimal: the labour of the greedy split is the LP's least labour
    best, x = _lp_labour(table, levels, 2)
    # abs: HiGHS treats levels within its feasibility tolerance (1e-7) as zero
    assert cf.labour["quantity"].sum() == pytest.approx(best, rel=1e-9, abs=1e-6)
    # where the factors of an activity differ and capacities are finite, the optimum is unique
    for act in ("steel", "coal"):
        members = (table["activity"] == act).to_numpy()
        part = table[members]
        if (
            members.any()
            and part["labour_factor"].is_unique
            and np.isfinite(part["capacity"]).all()
        ):
            np.testing.assert_allclose(got[members], x[members], rtol=1e-9, atol=1e-7)


# ---------------------------------------------------------------------------- months
def test_monthly_even_adds_up_to_the_year(adopted: tuple[PlanResult, PlanSpec]) -> None:
    result, spec = adopted
    annual = control_figures(result, spec, _several(spec), rule="least_labour")
    months = monthly(annual)
    assert sorted(set(months.figures["month"])) == list(range(1, 13))
    assert months.monthly and not annual.monthly
    assert months.provenance["monthly"] == "even"
    for name, value in (("figures", "level"), ("figures", "output"), ("labour", "quantity")):
        _assert_months(getattr(annual, name), getattr(months, name), value)
    _assert_months(annual.supply, months.supply, "quantity")
    jan = months.figures[months.figures["month"] == 1]["level"].to_numpy()
    np.testing.assert_allclose(jan, annual.figures["level"].to_numpy() / 12, rtol=RTOL)


def _assert_months(annual: pd.DataFrame, months: pd.DataFrame, value: str) -> None:
    keys = [c for c in annual.columns if c not in ("month", "level", "output", "quantity")]
    summed = months.groupby(keys, observed=True, sort=False)[value].sum()
    want = annual.set_index(keys)[value]
    np.testing.assert_allclose(
        summed.reindex(want.index).to_numpy(), want.to_numpy(), rtol=RTOL, atol=1e-12
    )


def test_monthly_follows_a_seasonal_profile(adopted: tuple[PlanResult, PlanSpec]) -> None:
    result, spec = adopted
    annual = control_figures(result, spec)
    # grain is harvested in the autumn; sugar weighted 1..12; the rest even
    profile = pd.DataFrame(
        {
            "product": ["grain"] * 3 + ["sugar"] * 12,
            "month": [8, 9, 10, *range(1, 13)],
            "weight": [1.0, 2.0, 1.0, *map(float, range(1, 13))],
        }
    )
    months = monthly(annual, profile)
    assert months.provenance["monthly"] == "profile"
    f = months.figures
    for name, value in (("figures", "level"), ("labour", "quantity"), ("supply", "quantity")):
        _assert_months(getattr(annual, name), getattr(months, name), value)
    grain = f[(f["product"] == "grain") & (f["period"] == 1929)].set_index("month")["level"]
    year = annual.figures[
        (annual.figures["product"] == "grain") & (annual.figures["period"] == 1929)
    ]["level"].sum()
    np.testing.assert_allclose(grain.loc[[8, 9, 10]].to_numpy(), [year / 4, year / 2, year / 4])
    assert (grain.drop([8, 9, 10]) == 0).all()
    sugar = f[(f["product"] == "sugar") & (f["period"] == 1930)].set_index("month")["level"]
    np.testing.assert_allclose(sugar.to_numpy(), sugar.sum() * np.arange(1, 13) / 78, rtol=RTOL)
    coal = f[(f["product"] == "coal") & (f["period"] == 1930)]["level"].to_numpy()
    np.testing.assert_allclose(coal, coal[0])
    # labour and supply orders of the grain farms follow the harvest
    ent = str(f.loc[f["product"] == "grain", "enterprise"].iloc[0])
    lab = months.labour[(months.labour["enterprise"] == ent) & (months.labour["period"] == 1929)]
    assert (lab.loc[~lab["month"].isin([8, 9, 10]), "quantity"] == 0).all()
    sup = months.supply[months.supply["enterprise"] == ent]
    assert (sup.loc[~sup["month"].isin([8, 9, 10]), "quantity"] == 0).all()


@pytest.mark.parametrize(
    ("profile", "check", "words"),
    [
        ({"product": ["steel"], "month": [0], "weight": [1.0]}, "out_of_range", "1 to 12"),
        ({"product": ["steel"], "month": [13], "weight": [1.0]}, "out_of_range", "1 to 12"),
        ({"product": ["steel"], "month": [1.5], "weight": [1.0]}, "out_of_range", "whole"),
        ({"product": ["iron"], "month": [1], "weight": [1.0]}, "unknown_label", "'iron'"),
        ({"product": ["steel"], "month": [1], "weight": [-1.0]}, "negative_value", "negative"),
        ({"product": ["steel"] * 2, "month": [1, 2], "weight": [0.0, 0.0]}, "out_of_range", "zero"),
        ({"product": ["steel"], "month": [1], "weight": ["x"]}, "non_numeric", "number"),
        ({"product": ["steel"] * 2, "month": [1, 1], "weight": [1, 2]}, "duplicate_label", "twice"),
        ({"product": ["steel"], "weight": [1.0]}, "missing_column", "'month'"),
    ],
)
def test_a_bad_profile_is_named(profile: dict[str, list[object]], check: str, words: str) -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [50.0], "coal": [30.0]})
    annual = control_figures(result, spec, _two_works())
    with pytest.raises(InputError) as err:
        monthly(annual, pd.DataFrame(profile))
    assert err.value.check == check
    assert words in str(err.value)
    assert "seasonal profile" in str(err.value)


def test_monthly_figures_cannot_be_spread_again() -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [50.0], "coal": [30.0]})
    months = monthly(control_figures(result, spec))
    with pytest.raises(InputError, match="monthly already") as err:
        monthly(months)
    assert err.value.check == "bad_argument"


# ---------------------------------------------------------------------------- round trip
@pytest.fixture(scope="module")
def odd_labels() -> ControlFigures:
    """Figures whose labels look like numbers or missing values ("01", "NA")."""
    eco = _economy()
    result, spec = _plan(eco, {"steel": [50.0, 45.5], "coal": [30.0, 1 / 3]}, periods=(1929, 1930))
    table = _two_works(trust=["01", "NA", ""], commissariat=["1e3", "", "Narkomtyazhprom"])
    table.loc[1, "enterprise"] = "NA"
    return control_figures(result, spec, table, rule="least_labour")


def test_round_trip_through_to_dict(odd_labels: ControlFigures) -> None:
    import json

    from gosplan.core.serial import strict_json

    doc = json.loads(strict_json(odd_labels.to_dict()))
    assert doc["kind"] == "control-figures"
    _same(ControlFigures.from_dict(doc), odd_labels)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
@pytest.mark.parametrize("months", [False, True])
def test_round_trip_through_files(tmp_path, odd_labels: ControlFigures, fmt: str, months: bool):
    figures = monthly(odd_labels) if months else odd_labels
    path = figures.write(tmp_path / ("cf.json" if fmt == "json" else "cf"), format=fmt)
    back = ControlFigures.read(path)
    _same(back, figures)
    assert back.monthly == months
    assert isinstance(back.figures["enterprise"].dtype, pd.CategoricalDtype)
    assert set(back.figures["trust"].astype(str)) == {"01", "NA", ""}


def test_reading_something_else_is_refused(tmp_path, odd_labels: ControlFigures) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"kind": "plan", "tables": {}}', encoding="utf-8")
    with pytest.raises(InputError, match="not control figures"):
        ControlFigures.read(path)
    folder = odd_labels.write(tmp_path / "cf", format="csv")
    (folder / "supply.csv").unlink()
    with pytest.raises(InputError, match="'supply'") as err:
        ControlFigures.read(folder)
    assert err.value.check == "missing_table"


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("change", "check", "row", "words"),
    [
        ({"activity": ["steel", "iron", "coal"]}, "unknown_label", 3, "'iron'"),
        ({"enterprise": ["Magnitka", "Magnitka", "Donbass"]}, "duplicate_label", 3, "twice"),
        ({"capacity": [60.0, -40.0, 1.0]}, "negative_value", 3, "negative"),
        ({"capacity": [60.0, np.nan, 1.0]}, "non_numeric", 3, "number"),
        ({"labour_factor": [1.0, -0.5, 1.0]}, "negative_value", 3, "labour_factor"),
        ({"labour_factor": [np.inf, 0.5, 1.0]}, "non_numeric", 2, "finite"),
    ],
)
def test_a_bad_enterprises_table_names_the_row(
    change: dict[str, list[object]], check: str, row: int, words: str
) -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [50.0], "coal": [30.0]})
    table = _two_works()
    for col, values in change.items():
        table[col] = values
    with pytest.raises(InputError) as err:
        control_figures(result, spec, table)
    assert err.value.check == check
    assert err.value.row == row
    assert words in str(err.value)
    assert "enterprises" in str(err.value)


def test_more_bad_input_is_named() -> None:
    eco = _economy()
    result, spec = _plan(eco, {"steel": [50.0], "coal": [30.0]})
    with pytest.raises(InputError, match="'capacity'") as err:
        control_figures(result, spec, _two_works().drop(columns="capacity"))
    assert err.value.check == "missing_column"
    with pytest.raises(InputError, match="no enterprise") as err:
        control_figures(result, spec, _two_works().iloc[:2])
    assert err.value.check == "missing_label"
    assert err.value.label == "coal"
    with pytest.raises(InputError, match="unknown rule") as err:
        control_figures(result, spec, rule="fastest")
    assert err.value.check == "bad_argument"
    # an activity the plan does not run needs no enterprise
    result, spec = _plan(eco, {"steel": [50.0]})
    cf = control_figures(result, spec, _two_works().iloc[:2])
    assert _levels(cf) == pytest.approx({"Magnitka": 30.0, "Kuznetsk": 20.0})
