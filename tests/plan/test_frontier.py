"""frontier: the accumulation–consumption trade-off on a two-sector (Feldman) economy."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gosplan.core.serial import frame_of
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.frontier import DEFAULT_SHARES, frontier

from ._plan_fixtures import two_sector

PERIODS = (1, 2, 3, 4)


def feldman_spec(**changes) -> PlanSpec:
    """Steel (means of production) and cloth; capital goods are steel; lag 1. Consumption is
    cloth; steel left over is other final use, worth nothing. Nothing is started in the last
    period (investment_limits), so that the optimum is unique: investing then would bear
    fruit only after the horizon and be worth as little as steel left over."""
    fields = dict(
        economy=two_sector(capacity=(100.0, 100.0), capital=2.0),
        periods=PERIODS,
        objective="max_level",  # the frontier replaces it with max_consumption
        assortment=pd.DataFrame({"product": ["cloth"], "weight": [1.0]}),
        default_lag=1,
        consumption_weights=pd.Series({"cloth": 1.0}),
        investment_limits=pd.DataFrame(
            {"activity": ["steel", "cloth"], "period": [PERIODS[-1]] * 2, "max": [0.0, 0.0]}
        ),
        name="feldman",
    )
    fields.update(changes)
    return PlanSpec(**fields).validated()


@pytest.fixture(scope="module")
def traced():
    return frontier(feldman_spec(), population=pd.Series({1: 10.0, 2: 10.0, 3: 20.0, 4: 40.0}))


def test_default_shares_are_sevenths(traced):
    assert DEFAULT_SHARES == pytest.approx([1 / 7, 2 / 7, 3 / 7, 4 / 7, 5 / 7, 6 / 7])
    assert traced.table["share"].tolist() == list(DEFAULT_SHARES)
    assert list(traced.table.columns) == [
        "share",
        "status",
        "cumulative_consumption",
        "consumption_per_head",
        "terminal_capacity_value",
        "terminal_means_of_production_capacity",
    ]
    assert (traced.table["status"] == "optimal").all()
    assert len(traced.results) == 6


def test_more_accumulation_less_consumption(traced):
    t = traced.table
    # Over a short horizon, consumption falls and capacity for later rises with the share.
    assert np.all(np.diff(t["cumulative_consumption"]) < -1e-6)
    assert np.all(np.diff(t["terminal_capacity_value"]) > 1e-6)
    assert np.all(np.diff(t["terminal_means_of_production_capacity"]) > 1e-6)


def test_each_plan_honours_its_share(traced):
    for share, result in zip(traced.table["share"], traced.results, strict=True):
        spending = result.capital_spending.sum().sum()
        assert spending > 1.0  # the plans do invest
        invested = result.investment_shares.dropna()
        # Periods with investment put exactly the share into means of production.
        active = result.capital_spending.sum() > 1e-9
        shares = invested.loc[active[active].index, "means of production"]
        np.testing.assert_allclose(shares, share, atol=1e-7)


def test_figures_recomputed_from_the_plans(traced):
    eco = feldman_spec().economy
    # Labour values by hand: v_s = 0.2 v_s + 0.5, v_c = 0.3 v_s + 0.1 v_c + 0.4.
    v_steel = 0.5 / 0.8
    v_cloth = (0.3 * v_steel + 0.4) / 0.9
    np.testing.assert_allclose(
        eco.labour_values()["workers"].to_numpy(), [v_steel, v_cloth], rtol=1e-12
    )
    pop = np.array([10.0, 10.0, 20.0, 40.0])
    for (_, row), result in zip(traced.table.iterrows(), traced.results, strict=True):
        use = result.consumption.loc[["cloth", "steel"], list(PERIODS)].to_numpy()
        valued = use[0]  # steel left over is not consumption
        assert row["cumulative_consumption"] == pytest.approx(valued.sum(), rel=1e-12)
        assert row["consumption_per_head"] == pytest.approx((valued / pop).sum(), rel=1e-12)
        # Lag 1, no depreciation, lives longer than the horizon: every investment is in
        # service at the end, on top of the initial 100 units of each.
        end = 100.0 + result.investment.loc[["steel", "cloth"], list(PERIODS)].sum(axis=1)
        assert row["terminal_capacity_value"] == pytest.approx(
            v_steel * end["steel"] + v_cloth * end["cloth"], rel=1e-9
        )
        assert row["terminal_means_of_production_capacity"] == pytest.approx(
            v_steel * end["steel"], rel=1e-9
        )


def feldman_recursion(share: float) -> tuple[float, float, float]:
    """The plan by hand: cloth at capacity, every spare ton of steel invested until the last
    period (2 t of steel per unit of capacity, ``share`` of it in steel capacity).

    Returns cumulative consumption, terminal capacity value and its steel part.
    """
    v_steel = 0.5 / 0.8
    v_cloth = (0.3 * v_steel + 0.4) / 0.9
    steel, cloth, consumed = 100.0, 100.0, 0.0
    for t in range(len(PERIODS)):
        spare = 0.8 * steel - 0.3 * cloth  # steel output less steel used by both activities
        consumed += 0.9 * cloth  # cloth output less cloth used by cloth
        if t < len(PERIODS) - 1:  # the last period's steel is left over
            built = spare / 2.0
            steel, cloth = steel + share * built, cloth + (1 - share) * built
    return consumed, v_steel * steel + v_cloth * cloth, v_steel * steel


def test_frontier_matches_the_plan_by_hand(traced):
    for _, row in traced.table.iterrows():
        consumed, value, mop = feldman_recursion(row["share"])
        assert row["cumulative_consumption"] == pytest.approx(consumed, rel=1e-8)
        assert row["terminal_capacity_value"] == pytest.approx(value, rel=1e-8)
        assert row["terminal_means_of_production_capacity"] == pytest.approx(mop, rel=1e-8)


def test_infeasible_shares_are_reported_not_raised():
    # Every capacity must grow by a fifth: with all spending on steel (share 1) or none
    # (share 0) one of the two cannot grow.
    calls = []
    out = frontier(
        feldman_spec(terminal_growth=1.2),
        shares=[0.0, 0.5, 1.0],
        progress=lambda f, m: calls.append((f, m)),
    )
    assert out.table["status"].tolist() == ["infeasible", "optimal", "infeasible"]
    bad = out.table.loc[out.table["status"] == "infeasible"]
    figures = bad.drop(columns=["share", "status"])
    assert figures.isna().all().all()
    assert np.isnan(out.table.loc[1, "consumption_per_head"])  # no population given
    assert [f for f, _ in calls] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert "infeasible" in calls[0][1]


def test_bad_arguments():
    spec = feldman_spec()
    with pytest.raises(InputError, match="between 0 and 1"):
        frontier(spec, shares=[0.5, 1.5])
    with pytest.raises(InputError, match="population is missing a period"):
        frontier(spec, shares=[0.5], population=pd.Series({1: 1.0, 2: 1.0}))
    with pytest.raises(InputError, match="positive"):
        frontier(spec, shares=[0.5], population=pd.Series({1: 1.0, 2: 1.0, 3: 0.0, 4: 1.0}))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_write(traced, tmp_path, fmt):
    path = traced.write(tmp_path / "frontier", format=fmt)
    assert path.suffix == {"csv": ".csv", "parquet": ".parquet", "json": ".json"}[fmt]
    if fmt == "json":
        doc = json.loads(path.read_text())
        back = frame_of(doc["table"])  # {"columns": [...], "records": [...]}
        assert len(doc["results"]) == 6 and doc["results"][0]["status"] == "optimal"
    elif fmt == "csv":
        back = pd.read_csv(path)
    else:
        back = pd.read_parquet(path)
    np.testing.assert_allclose(
        back["terminal_capacity_value"], traced.to_frame()["terminal_capacity_value"]
    )
    assert back["status"].tolist() == ["optimal"] * 6
