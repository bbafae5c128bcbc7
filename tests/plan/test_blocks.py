"""The constraint blocks: shapes, labels and coefficients checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from gosplan.core.spec import PlanSpec
from gosplan.plan import blocks as bk
from gosplan.plan.data import PlanData
from gosplan.plan.layout import base_layout

from .conftest import frame, one_product, three_sector


def test_balance_rows_are_products_by_period_and_close_the_identity():
    eco = three_sector()
    spec = PlanSpec(
        eco,
        periods=(2000, 2001),
        assortment=frame(product=["grain"], weight=[1.0]),
        initial_stocks=frame(product=["steel"], stock=[7.0]),
        storable="all",
    ).validated()
    data = PlanData(spec)
    lay = base_layout(data)
    b = bk.balance(data, lay)
    assert b.n_rows == 3 * 2
    assert list(b.labels) == ["steel", "machines", "grain"] * 2
    assert list(b.periods) == [2000] * 3 + [2001] * 3
    # initial stock of steel moves to the right-hand side of the first period only
    assert b.lower[0] == b.upper[0] == -7.0
    assert np.all(b.lower[1:] == 0.0)
    # x columns carry (I - A) for every period
    x = b.matrix[:, lay.slice("x")].toarray()
    I_A = np.eye(3) - eco.technology.toarray()
    np.testing.assert_allclose(x[:3, :3], I_A)
    np.testing.assert_allclose(x[3:, 3:], I_A)
    assert not x[:3, 3:].any()
    # stocks: carried out in t (−1), carried in at t+1 (+1)
    s = b.matrix[:, lay.slice("s")].toarray()
    np.testing.assert_allclose(s[:3, :3], -np.eye(3))
    np.testing.assert_allclose(s[3:, :3], np.eye(3))


def test_investment_spending_is_spread_evenly_over_a_lag_of_two():
    eco = three_sector()
    spec = PlanSpec(
        eco,
        periods=(1, 2, 3, 4),
        assortment=frame(product=["grain"], weight=[1.0]),
        lags=frame(activity=["steel"], lag=[2]),
    ).validated()
    data = PlanData(spec)
    steel = 0  # capped position of steel (every activity of three_sector is capped)
    weights = [data.spend_weight(t, 0)[steel] for t in range(4)]
    assert weights == [0.5, 0.5, 0.0, 0.0]
    assert [data.spend_weight(t, 0)[1] for t in range(4)] == [1.0, 0.0, 0.0, 0.0]
    # capacity comes into service two periods after the start
    assert [data.made_capacity(t, 0)[steel] for t in range(5)] == [0, 0, 1, 1, 1]
    # an investment whose spending would run past the horizon is not allowed
    ub = data.inv_upper.reshape(4, 3)
    assert np.isinf(ub[2, steel]) and ub[3, steel] == 0.0 and np.isinf(ub[3, 1])


def test_retirement_drops_capacity_exactly_in_year_built_plus_life():
    eco = three_sector()  # machines live 3 years
    spec = PlanSpec(
        eco,
        periods=(1929, 1930, 1931),
        assortment=frame(product=["grain"], weight=[1.0]),
        vintages=frame(activity=["machines"], year_built=[1927], capacity=[60.0]),
    ).validated()
    data = PlanData(spec)
    b = bk.capacity(data, base_layout(data))
    machines = b.labels == "machines"
    np.testing.assert_array_equal(b.upper[machines], [60.0, 0.0, 0.0])
    # steel has no vintage: the economy's capacity, built at the start, lives 20 years
    np.testing.assert_array_equal(b.upper[b.labels == "steel"], [100.0] * 3)


def test_depreciation_is_geometric_from_the_first_period():
    eco = three_sector()
    spec = PlanSpec(
        eco,
        periods=(1, 2, 3),
        assortment=frame(product=["grain"], weight=[1.0]),
        depreciation=frame(activity=["grain"], rate=[0.1]),
    ).validated()
    data = PlanData(spec)
    b = bk.capacity(data, base_layout(data))
    np.testing.assert_allclose(b.upper[b.labels == "grain"], [200.0, 180.0, 162.0])


def test_labour_rows_only_for_listed_types_and_periods():
    eco = three_sector()
    spec = PlanSpec(
        eco,
        periods=(1, 2),
        assortment=frame(product=["grain"], weight=[1.0]),
        labour_available=frame(labour_type=["engineers"], period=[2], available=[4.0]),
    ).validated()
    data = PlanData(spec)
    lay = base_layout(data)
    b = bk.labour(data, lay)
    assert b.n_rows == 1 and b.labels[0] == "engineers" and b.periods[0] == 2
    assert b.upper[0] == 4.0
    np.testing.assert_allclose(b.matrix[:, lay.slice("x")].toarray()[0], [0, 0, 0, 0.1, 0.05, 0])


def test_trade_block_values_imports_minus_exports_at_world_prices():
    eco = three_sector()
    spec = PlanSpec(
        eco,
        periods=(1,),
        assortment=frame(product=["grain"], weight=[1.0]),
        trade=frame(product=["machines"], world_price=[3.0]),
        trade_deficit=1.5,
    ).validated()
    data = PlanData(spec)
    lay = base_layout(data)
    b = bk.trade(data, lay)
    row = b.matrix.toarray()[0]
    assert row[lay.slice("m")].tolist() == [3.0] and row[lay.slice("e")].tolist() == [-3.0]
    assert b.upper[0] == 1.5


def test_blocks_have_global_column_count():
    eco = one_product()
    spec = PlanSpec(eco, periods=(1, 2), assortment=frame(product=["a"], weight=[1.0])).validated()
    data = PlanData(spec)
    lay = base_layout(data)
    for fn in (
        bk.balance,
        bk.labour,
        bk.resources,
        bk.capacity,
        bk.floors,
        bk.trade,
        bk.terminal,
        bk.investment_share,
    ):
        assert fn(data, lay).matrix.shape[1] == lay.n


@pytest.mark.parametrize("n", [1, 3])
def test_floors_select_consumption(n):
    eco = three_sector()
    per = list(range(1, n + 1))
    spec = PlanSpec(
        eco,
        periods=per,
        assortment=frame(product=["grain"], weight=[1.0]),
        floors=frame(product=["grain"] * n, period=per, floor=[5.0] * n),
    ).validated()
    data = PlanData(spec)
    lay = base_layout(data)
    b = bk.floors(data, lay)
    c = b.matrix[:, lay.slice("c")].toarray()
    assert c.sum() == n and all(c[k, 3 * k + 2] == 1 for k in range(n))
    assert pd.Series(b.lower).eq(5.0).all()


def test_block_rows_carry_their_further_dimensions():
    M = sp.csr_array(np.eye(2))
    two = np.zeros(2)
    b = bk.Block("x", M, two, two, np.array(["a", "a"], object), np.array([1, 1]))
    assert b.dims == () and list(b.row_keys().columns) == list(bk.ROW_KEYS)
    b = bk.Block(
        "x", M, two, two, np.array(["a", "a"], object), np.array([1, 1]), {"segment": [0, 1]}
    )
    assert b.dims == ("segment",)
    assert isinstance(b.coords["segment"], np.ndarray)
    keys = b.row_keys()
    assert list(keys.columns) == ["label", "period", "segment"]
    assert not keys.duplicated().any()
    assert list(b.row_coords(np.array([False, True]))["segment"]) == [1]
    with pytest.raises(ValueError, match="one value for each"):
        bk.Block("x", M, two, two, np.array(["a", "a"], object), np.array([1, 1]), {"s": [0]})
    with pytest.raises(ValueError, match="cannot name a row dimension"):
        bk.Block("x", M, two, two, np.array(["a", "a"], object), np.array([1, 1]), {"period": two})


def test_harmony_rows_are_segment_major_with_their_segment():
    eco = one_product()
    spec = PlanSpec(
        eco,
        periods=(1, 2),
        objective="harmony",
        targets=frame(product=["a", "a"], period=[1, 2], target=[5.0, 6.0]),
    ).validated()
    data = PlanData(spec)
    lay = base_layout(data)
    lay.add("harmony", data.n_targets, -np.inf, np.inf)
    segments = [(0.0, 1.0), (0.5, 0.5), (1.0, 0.0)]
    b = bk.harmony(data, lay, segments)
    assert b.n_rows == 2 * 3 and b.dims == ("segment",)
    assert list(b.coords["segment"]) == [0, 0, 1, 1, 2, 2]
    assert list(b.labels) == ["a"] * 6 and list(b.periods) == [1, 2] * 3
    assert not b.row_keys().duplicated().any()
    assert b.upper.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0, 1.0]
    # without the harmony columns there are no rows, and the dimension is still declared
    empty = bk.harmony(data, base_layout(data), segments)
    assert empty.n_rows == 0 and empty.dims == ("segment",)
