"""Tests of the Economy core: solves, labour values, balance sheet, labels."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan import Economy
from gosplan.datasets import load
from gosplan.datasets.textbook import MILLER_BLAIR_2X2
from gosplan.errors import InputError, UnknownLabelError

# Miller & Blair (2009), section 2.3: Z = [[150, 500], [200, 100]], x = [1000, 2000], so
# A = Z / x = [[.15, .25], [.20, .05]] and final demand y = x - Z 1 = [350, 1700].
# I - A = [[.85, -.25], [-.20, .95]], det = .85 * .95 - .25 * .20 = .7575, hence
# L = (I - A)^-1 = 1/.7575 * [[.95, .25], [.20, .85]].
A_MB = MILLER_BLAIR_2X2.as_pandas("coefficients")
L_MB = np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575


@pytest.fixture
def mb() -> Economy:
    return load("miller-blair-2x2", labour=True)


def test_gross_output_textbook(mb: Economy) -> None:
    x = mb.gross_output(pd.Series({"a": 350.0, "b": 1700.0}))
    np.testing.assert_allclose(x.to_numpy(), [1000.0, 2000.0], rtol=1e-12)
    assert list(x.index) == ["a", "b"]
    # M&B's new final demand [600, 1500]: x = L y = [945, 1395] / .7575.
    x_new = mb.gross_output(pd.Series({"a": 600.0, "b": 1500.0}))
    np.testing.assert_allclose(x_new.to_numpy(), [945 / 0.7575, 1395 / 0.7575], rtol=1e-12)


def test_gross_output_several_demands(mb: Economy) -> None:
    Y = pd.DataFrame({"base": [350.0, 1700.0], "new": [600.0, 1500.0]}, index=["a", "b"])
    X = mb.gross_output(Y)
    assert list(X.columns) == ["base", "new"]
    np.testing.assert_allclose(X.to_numpy(), L_MB @ Y.to_numpy(), rtol=1e-12)


def test_final_demand_aligned_by_label(mb: Economy) -> None:
    x = mb.gross_output(pd.Series({"b": 1700.0, "a": 350.0}))
    np.testing.assert_allclose(x.loc[["a", "b"]].to_numpy(), [1000.0, 2000.0], rtol=1e-12)
    only_b = mb.gross_output(pd.Series({"b": 1.0}))
    np.testing.assert_allclose(only_b.to_numpy(), L_MB[:, 1], rtol=1e-12)


def test_leontief_inverse_textbook(mb: Economy) -> None:
    L = mb.leontief_inverse()
    np.testing.assert_allclose(L.to_numpy(), L_MB, rtol=1e-12)
    assert list(L.index) == ["a", "b"] and list(L.columns) == ["a", "b"]


def test_labour_required_and_values(mb: Economy) -> None:
    y = pd.Series({"a": 350.0, "b": 1700.0})
    req = mb.labour_required(y)
    assert req.loc["labour"] == pytest.approx(0.3 * 1000 + 0.2 * 2000, rel=1e-12)
    v = mb.labour_values()
    # v = l L: v_a = (.3 * .95 + .2 * .20) / .7575, v_b = (.3 * .25 + .2 * .85) / .7575
    np.testing.assert_allclose(v["labour"].to_numpy(), [0.325 / 0.7575, 0.245 / 0.7575], rtol=1e-12)
    # Total labour is the same counted by products or by final demand.
    assert float(v["labour"] @ y) == pytest.approx(req.loc["labour"], rel=1e-12)


def test_labour_values_several_types() -> None:
    labour = pd.DataFrame(
        [[0.1, 0.2], [0.3, 0.0]], index=["skilled", "unskilled"], columns=["a", "b"]
    )
    eco = load("miller-blair-2x2", labour=labour)
    v = eco.labour_values()
    assert list(v.columns) == ["skilled", "unskilled", "total"]
    np.testing.assert_allclose(v[["skilled", "unskilled"]].to_numpy(), (labour.to_numpy() @ L_MB).T)
    np.testing.assert_allclose(v["total"], v["skilled"] + v["unskilled"])


def test_labour_values_without_labour() -> None:
    with pytest.raises(InputError, match="no labour coefficients"):
        load("miller-blair-2x2").labour_values()


def test_balance_sheet_textbook() -> None:
    eco = load("miller-blair-2x2", capacity=pd.Series({"a": 900.0}))
    sheet = eco.balance_sheet(pd.Series({"a": 350.0, "b": 1700.0}))
    np.testing.assert_allclose(sheet["gross_output"], [1000.0, 2000.0], rtol=1e-12)
    np.testing.assert_allclose(sheet["intermediate_use"], [650.0, 300.0], rtol=1e-12)
    np.testing.assert_allclose(sheet["closure"], 0.0, atol=1e-9)
    assert sheet.loc["a", "surplus"] == pytest.approx(-100.0)
    assert sheet["status"].tolist() == ["deficit", "ok"]
    assert np.isinf(sheet.loc["b", "capacity"])


def test_from_flows_textbook() -> None:
    Z = MILLER_BLAIR_2X2.as_pandas("flows")
    eco = Economy.from_flows(Z, MILLER_BLAIR_2X2.as_pandas("gross_output"))
    # the book's A (typed here, not read from the dataset that gave Z and x)
    np.testing.assert_allclose(
        eco.coefficients().to_numpy(), [[0.15, 0.25], [0.20, 0.05]], rtol=1e-12
    )


def test_from_coefficients_aligns_columns_by_label() -> None:
    shuffled = A_MB.loc[:, ["b", "a"]]
    eco = Economy.from_coefficients(shuffled)
    np.testing.assert_allclose(eco.coefficients().to_numpy(), A_MB.to_numpy())


# ---------------------------------------------------------------------- techniques
def _two_technique_economy() -> Economy:
    products = pd.DataFrame(index=["a", "b"])
    activities = pd.DataFrame({"product": ["b", "a", "a"]}, index=["b1", "a_old", "a_new"])
    tech = np.array([[0.25, 0.15, 0.10], [0.05, 0.20, 0.30]])
    labour = np.array([[0.2, 0.3, 0.1]])
    return Economy(
        products=products,
        activities=activities,
        technology=tech,
        labour_types=pd.Index(["labour"]),
        labour=labour,
    )


def test_square_requires_one_technique() -> None:
    eco = _two_technique_economy()
    assert not eco.is_square
    with pytest.raises(InputError, match="several techniques for 'a'"):
        eco.square()
    with pytest.raises(InputError, match="one technique per product"):
        eco.gross_output(pd.Series({"a": 1.0}))


def test_select_techniques_orders_like_products() -> None:
    eco = _two_technique_economy()
    old = eco.select_techniques()
    assert old.is_square and list(old.activity_labels) == ["a_old", "b1"]
    np.testing.assert_allclose(old.technology.toarray(), A_MB.to_numpy())
    x = old.gross_output(pd.Series({"a": 350.0, "b": 1700.0}))
    np.testing.assert_allclose(x.to_numpy(), [1000.0, 2000.0], rtol=1e-12)
    new = eco.select_techniques({"a": "a_new"})
    assert list(new.activity_labels) == ["a_new", "b1"]
    np.testing.assert_allclose(new.labour.toarray(), [[0.1, 0.2]])


def test_select_techniques_bad_labels() -> None:
    eco = _two_technique_economy()
    with pytest.raises(UnknownLabelError, match="unknown product in technique choice"):
        eco.select_techniques({"c": "a_new"})
    with pytest.raises(UnknownLabelError, match="activity 'b1' does not make product 'a'"):
        eco.select_techniques({"a": "b1"})


# ---------------------------------------------------------------------- bad labels
def test_unknown_final_demand_label(mb: Economy) -> None:
    with pytest.raises(UnknownLabelError, match="final demand names unknown labels: 'steel'"):
        mb.gross_output(pd.Series({"a": 1.0, "steel": 2.0}))


def test_missing_final_demand_value(mb: Economy) -> None:
    with pytest.raises(InputError, match="missing or infinite value"):
        mb.gross_output(pd.Series({"a": np.nan}))


def test_a_vector_on_the_economy_s_own_labels_is_checked_and_copied(mb: Economy) -> None:
    """The fast path (index equal to the product labels) still refuses NaN and copies."""
    labels = mb.product_labels
    y = pd.Series([350.0, 1700.0], index=labels)
    aligned = mb.align_products(y, "final demand")
    aligned[0] = -1.0
    assert y.iloc[0] == 350.0  # the caller's vector is not touched
    np.testing.assert_allclose(mb.gross_output(y).to_numpy(), [1000.0, 2000.0], rtol=1e-12)
    with pytest.raises(InputError, match="missing or infinite value") as err:
        mb.gross_output(pd.Series([1.0, np.inf], index=labels))
    assert err.value.label == str(labels[1])
    frame = pd.DataFrame({"one": [350.0, 0.0], "two": [0.0, 1700.0]}, index=labels)
    assert mb.align_products(frame, "final demand").shape == (2, 2)


def test_coefficient_columns_must_match_rows() -> None:
    bad = A_MB.rename(columns={"b": "c"})
    with pytest.raises(UnknownLabelError, match=r"missing 'b'; unknown 'c'"):
        Economy.from_coefficients(bad)


def test_labour_with_unknown_product() -> None:
    with pytest.raises(UnknownLabelError, match="labour names an unknown product"):
        Economy.from_coefficients(A_MB, labour=pd.Series({"a": 0.1, "z": 0.2}))


def test_activity_for_unknown_product() -> None:
    with pytest.raises(UnknownLabelError, match="'z', which is not among the products"):
        Economy(
            products=pd.DataFrame(index=["a"]),
            activities=pd.DataFrame({"product": ["z"]}, index=["z1"]),
            technology=np.zeros((1, 1)),
        )


# ---------------------------------------------------------------------- properties
@st.composite
def productive_economies(draw: st.DrawFn) -> tuple[Economy, pd.Series]:
    n = draw(st.integers(2, 8))
    raw = draw(arrays(float, (n, n), elements=st.floats(0, 1)))
    mask = draw(arrays(bool, (n, n)))
    raw = raw * mask
    target = draw(arrays(float, n, elements=st.floats(0, 0.89)))
    sums = raw.sum(axis=0)
    A = raw * np.divide(target, sums, out=np.zeros(n), where=sums > 1e-6)
    labels = [f"p{i}" for i in range(n)]
    lab = draw(arrays(float, n, elements=st.floats(0, 5)))
    y = draw(arrays(float, n, elements=st.floats(0, 1e3)))
    eco = Economy.from_coefficients(
        pd.DataFrame(A, index=labels, columns=labels), labour=pd.Series(lab, index=labels)
    )
    return eco, pd.Series(y, index=labels)


@settings(max_examples=60, deadline=None)
@given(productive_economies())
def test_property_balance_identities(case: tuple[Economy, pd.Series]) -> None:
    eco, y = case
    A = eco.technology.toarray()
    x = eco.gross_output(y).to_numpy()
    scale = max(1.0, float(np.max(np.abs(x))))
    np.testing.assert_allclose(x, A @ x + y.to_numpy(), rtol=0, atol=1e-9 * scale)
    assert np.all(x >= -1e-9 * scale)
    v = eco.labour_values()["labour"].to_numpy()
    l_ = eco.labour.toarray().ravel()
    np.testing.assert_allclose(v, v @ A + l_, rtol=0, atol=1e-9 * max(1.0, float(np.max(v))))
    sheet = eco.balance_sheet(y)
    np.testing.assert_allclose(sheet["closure"], 0.0, atol=1e-9 * scale)
    # Labour embodied in final demand equals labour spent on gross output.
    assert float(v @ y.to_numpy()) == pytest.approx(float(l_ @ x), rel=1e-9, abs=1e-9)


def test_blend_techniques_weights_by_levels() -> None:
    eco = _two_technique_economy()
    # a is made 300 by a_old and 100 by a_new: its blended column is 3/4 old + 1/4 new.
    levels = pd.Series({"a_old": 300.0, "a_new": 100.0, "b1": 500.0})
    blend = eco.blend_techniques(levels)
    assert blend.is_square and list(blend.activity_labels) == ["a", "b"]
    expected_a = 0.75 * np.array([0.15, 0.20]) + 0.25 * np.array([0.10, 0.30])
    np.testing.assert_allclose(blend.technology.toarray()[:, 0], expected_a)
    np.testing.assert_allclose(blend.technology.toarray()[:, 1], [0.25, 0.05])
    np.testing.assert_allclose(blend.labour.toarray(), [[0.75 * 0.3 + 0.25 * 0.1, 0.2]])
    # The blended economy reproduces the observed outputs for the observed final demand.
    x = np.array([400.0, 500.0])
    activity_levels = levels.reindex(eco.activity_labels).to_numpy()
    y = x - eco.technology @ activity_levels
    out = blend.gross_output(pd.Series(y, index=["a", "b"]))
    np.testing.assert_allclose(out.to_numpy(), x, rtol=1e-12)


def test_blend_techniques_idle_product_takes_its_first_technique() -> None:
    eco = _two_technique_economy()
    blend = eco.blend_techniques(pd.Series({"b1": 1.0}))
    np.testing.assert_allclose(blend.technology.toarray()[:, 0], [0.15, 0.20])
    with pytest.raises(InputError, match="must not be negative"):
        eco.blend_techniques(pd.Series({"b1": -1.0}))


# ---------------------------------------------------------------------- bad input in code
@pytest.mark.parametrize(
    ("change", "message", "label"),
    [
        (lambda A: A.assign(a=[np.nan, 0.2]), "row 'a', column 'a', is NaN", "a"),
        (lambda A: A.astype(object).assign(b=["x", 0.05]), "is not a number ('x')", "b"),
    ],
)
def test_from_coefficients_names_a_bad_cell(change, message, label):
    A = MILLER_BLAIR_2X2.as_pandas("coefficients")
    with pytest.raises(InputError, match=re.escape(message)) as err:
        Economy.from_coefficients(change(A))
    assert err.value.label == label


@pytest.mark.parametrize("what", ["labour", "capacity", "capital"])
def test_a_nan_given_for_a_coefficient_is_an_error_not_a_default(what):
    A = MILLER_BLAIR_2X2.as_pandas("coefficients")
    values = {
        "labour": pd.Series({"a": np.nan, "b": 0.2}),
        "capacity": pd.Series({"a": np.nan}),
        "capital": pd.DataFrame([[np.nan, 0.0], [0.0, 0.0]], index=A.index, columns=A.columns),
    }
    with pytest.raises(InputError, match="is NaN") as err:
        Economy.from_coefficients(A, **{what: values[what]})
    assert err.value.label == "a"
    # a label simply left out keeps its default (no labour, unlimited capacity)
    eco = Economy.from_coefficients(A, capacity=pd.Series({"b": 5.0}))
    assert np.isinf(eco.capacity[0]) and eco.capacity[1] == 5.0


def test_from_flows_wants_labelled_tables_and_some_products():
    with pytest.raises(InputError, match="pandas DataFrame"):
        Economy.from_flows(np.eye(2), pd.Series([1.0, 2.0]))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no products"):
        Economy.from_coefficients(pd.DataFrame())
    Z = MILLER_BLAIR_2X2.as_pandas("flows")
    with pytest.raises(InputError, match=r"gross output, 'b', is NaN"):
        Economy.from_flows(Z, pd.Series({"a": 1000.0, "b": np.nan}))


def test_coefficients_cannot_be_changed_in_place():
    A = MILLER_BLAIR_2X2.as_pandas("coefficients")
    eco = Economy.from_coefficients(A, labour=pd.Series({"a": 0.3, "b": 0.2}))
    for part in (eco.technology.data, eco.technology.indices, eco.labour.data, eco.capacity):
        with pytest.raises(ValueError, match="read-only"):
            part[0] = 0.9
    # what was computed before stays true: the cached solver cannot go stale
    x = eco.gross_output(pd.Series({"a": 350.0, "b": 1700.0}))
    np.testing.assert_allclose(x.to_numpy(), [1000.0, 2000.0])


def test_an_economy_can_be_built_from_another_economys_read_only_arrays():
    from gosplan.datasets import scenario_path
    from gosplan.io import read_economy

    eco = read_economy(scenario_path("ussr-1928"))
    again = Economy(products=eco.products, activities=eco.activities, technology=eco.technology)
    assert (again.technology != eco.technology).nnz == 0
    assert not eco.technology.data.flags.writeable  # the original is left as it was


def test_an_economy_that_has_solved_pickles_and_stays_read_only():
    import copy
    import pickle

    from gosplan.generate import generate_economy

    eco = generate_economy(5000, seed=3)  # large enough for a factorised (cached) solver
    eco.gross_output(pd.Series(1.0, index=eco.product_labels))
    assert eco.__dict__.get("_solvers")  # the solver is cached on the value
    for again in (pickle.loads(pickle.dumps(eco)), copy.deepcopy(eco)):
        assert "_solvers" not in again.__dict__  # caches stay behind
        assert not again.technology.data.flags.writeable
        assert not again.capacity.flags.writeable
        assert (again.technology != eco.technology).nnz == 0
        y = pd.Series(1.0, index=eco.product_labels)
        np.testing.assert_allclose(again.gross_output(y), eco.gross_output(y), rtol=1e-12)
