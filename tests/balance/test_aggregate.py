"""Aggregation: a hand-computed case, exactness for the weighting demand, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan import Economy
from gosplan.balance.aggregate import aggregate
from gosplan.errors import InputError, UnknownLabelError

# A = [[.1, .2, 0], [.1, 0, .3], [.2, .1, .1]], x = [100, 200, 100]:
# Z = A diag(x) = [[10, 40, 0], [10, 0, 30], [20, 20, 10]]. Merging a and b into "ab":
# Z_agg = [[10 + 40 + 10 + 0, 0 + 30], [20 + 20, 10]] = [[60, 30], [40, 10]], x_agg = [300, 100],
# A_agg = [[60/300, 30/100], [40/300, 10/100]]. Labour l = [.5, .2, 1]: totals [50, 40, 100]
# -> [90, 100] -> coefficients [.3, 1]. Service life of ab: (10*100 + 20*200)/300 = 50/3.
LABELS = ["a", "b", "c"]
A3 = pd.DataFrame([[0.1, 0.2, 0.0], [0.1, 0.0, 0.3], [0.2, 0.1, 0.1]], LABELS, LABELS)
X3 = pd.Series([100.0, 200.0, 100.0], LABELS)
MAPPING = {"a": "ab", "b": "ab", "c": "c"}


@pytest.fixture
def eco3() -> Economy:
    return Economy.from_coefficients(
        A3,
        labour=pd.Series([0.5, 0.2, 1.0], LABELS),
        products=pd.DataFrame({"unit": ["t", "t", "m3"]}, index=LABELS),
        capacity=pd.Series({"a": 150.0, "c": 300.0}),
        service_life=pd.Series({"a": 10.0, "b": 20.0}),
    )


def test_aggregate_hand_case(eco3: Economy) -> None:
    agg = aggregate(eco3, MAPPING, X3)
    assert list(agg.product_labels) == ["ab", "c"]
    assert agg.is_square
    np.testing.assert_allclose(
        agg.coefficients().to_numpy(), [[0.2, 0.3], [40 / 300, 0.1]], rtol=1e-12
    )
    np.testing.assert_allclose(agg.labour_coefficients().to_numpy(), [[0.3, 1.0]], rtol=1e-12)
    assert agg.products["unit"].tolist() == ["t", "m3"]
    assert agg.products.loc["ab", "description"] == "aggregate of a, b"
    np.testing.assert_array_equal(agg.capacity, [np.inf, 300.0])
    assert agg.service_life[0] == pytest.approx(50 / 3)
    assert np.isnan(agg.service_life[1])


def test_mixed_units_are_blank(eco3: Economy) -> None:
    agg = aggregate(eco3, pd.Series({"a": "all", "b": "all", "c": "all"}), X3)
    assert agg.products["unit"].tolist() == [""]
    # One product: A_agg = total intermediate flows / total output = 140 / 400.
    assert agg.coefficients().iloc[0, 0] == pytest.approx(140 / 400)


@st.composite
def cases(draw: st.DrawFn):
    n = draw(st.integers(2, 8))
    raw = draw(arrays(float, (n, n), elements=st.floats(0, 1, allow_subnormal=False)))
    target = draw(arrays(float, n, elements=st.floats(0, 0.89, allow_subnormal=False)))
    sums = raw.sum(axis=0)
    A = raw * np.divide(target, sums, out=np.zeros(n), where=sums > 1e-6)
    y = draw(arrays(float, n, elements=st.floats(1, 1e3)))
    lab = draw(arrays(float, (2, n), elements=st.floats(0, 5, allow_subnormal=False)))
    k = draw(st.integers(1, n))
    groups = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    return A, y, lab, groups


@settings(max_examples=60, deadline=None)
@given(cases())
def test_property_aggregation_preserves_totals(case) -> None:
    A, y, lab, groups = case
    n = A.shape[0]
    labels = [f"p{i}" for i in range(n)]
    eco = Economy.from_coefficients(
        pd.DataFrame(A, labels, labels), labour=pd.DataFrame(lab, ["l1", "l2"], labels)
    )
    x = eco.gross_output(pd.Series(y, labels))
    mapping = pd.Series([f"g{g}" for g in groups], index=labels)
    agg = aggregate(eco, mapping, x)
    x_agg = x.groupby(mapping).sum()
    y_agg = pd.Series(y, labels).groupby(mapping).sum()
    # Total gross output and total labour are preserved ...
    lab_agg = agg.labour_coefficients()
    assert float(x_agg.sum()) == pytest.approx(float(x.sum()), rel=1e-12)
    np.testing.assert_allclose(
        (lab_agg * x_agg.reindex(agg.product_labels)).sum(axis=1).to_numpy(),
        lab @ x.to_numpy(),
        rtol=1e-9,
        atol=1e-12,
    )
    # ... and, for the demand that made the weights, the aggregated economy reproduces x_agg.
    got = agg.gross_output(y_agg)
    np.testing.assert_allclose(
        got.to_numpy(), x_agg.reindex(agg.product_labels).to_numpy(), rtol=1e-9
    )
    np.testing.assert_allclose(
        agg.labour_required(y_agg).to_numpy(), lab @ x.to_numpy(), rtol=1e-9, atol=1e-12
    )


def test_mapping_missing_a_product(eco3: Economy) -> None:
    with pytest.raises(
        InputError, match="the aggregation mapping does not assign products 'c'"
    ) as err:
        aggregate(eco3, {"a": "ab", "b": "ab"}, X3)
    assert err.value.check == "incomplete_mapping"


def test_mapping_unknown_product(eco3: Economy) -> None:
    with pytest.raises(UnknownLabelError, match="mapping names unknown products: 'steel'"):
        aggregate(eco3, {**MAPPING, "steel": "ab"}, X3)


def test_gross_output_problems(eco3: Economy) -> None:
    with pytest.raises(InputError, match="gross output is missing for 'c'"):
        aggregate(eco3, MAPPING, X3.drop("c"))
    with pytest.raises(InputError, match="gross output must not be negative"):
        aggregate(eco3, MAPPING, X3.replace(100.0, -1.0))
    with pytest.raises(InputError, match="a group has no gross output") as err:
        aggregate(eco3, MAPPING, pd.Series([100.0, 200.0, 0.0], LABELS))
    assert err.value.label == "c"
