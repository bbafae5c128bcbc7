"""Multipliers: textbook values, a hand-computed type II case, properties, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan import Economy
from gosplan.balance.multipliers import multiplier_table, multipliers, wage_income
from gosplan.datasets import load
from gosplan.datasets.textbook import MILLER_BLAIR_2X2
from gosplan.errors import InputError, NotProductiveError, UnknownLabelError

# Miller & Blair (2009) sec. 2.3: A = [[.15, .25], [.20, .05]], det(I - A) = .7575 and
# L = 1/.7575 * [[.95, .25], [.20, .85]] (derived by hand), so the output multipliers (column
# sums of L) are [1.15, 1.10] / .7575.
A_MB = MILLER_BLAIR_2X2.as_pandas("coefficients")
L_MB = np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575
LABOUR = pd.DataFrame([[0.1, 0.2], [0.2, 0.05]], index=["skilled", "unskilled"], columns=["a", "b"])


@pytest.fixture
def mb() -> Economy:
    return load("miller-blair-2x2", labour=LABOUR)


def test_output_multipliers_textbook(mb: Economy) -> None:
    m = mb.multipliers("output")
    np.testing.assert_allclose(m.to_numpy(), [1.15 / 0.7575, 1.10 / 0.7575], rtol=1e-12)
    assert m.name == "output multiplier (type I)"
    assert list(m.index) == ["a", "b"]


def test_employment_and_income_type_one(mb: Economy) -> None:
    e = multipliers(mb, "employment", labour_type="skilled")
    np.testing.assert_allclose(e.to_numpy(), np.array([0.1, 0.2]) @ L_MB, rtol=1e-12)
    total = multipliers(mb, "employment")
    np.testing.assert_allclose(total.to_numpy(), np.array([0.3, 0.25]) @ L_MB, rtol=1e-12)
    wages = pd.Series({"a": 0.4, "b": 0.1})
    inc = multipliers(mb, "income", wages=wages)
    np.testing.assert_allclose(inc.to_numpy(), np.array([0.4, 0.1]) @ L_MB, rtol=1e-12)
    # Default income coefficients are the labour coefficients.
    np.testing.assert_allclose(multipliers(mb, "income").to_numpy(), total.to_numpy())


# One product, A = [.5], income w = .2 per unit of output, households spend h = .5 of income
# on it. Closed matrix [[.5, .5], [.2, 0]]: I - Abar = [[.5, -.5], [-.2, 1]], det = .4, so
# Lbar = [[2.5, 1.25], [.5, 1.25]] (by hand). Type I: L = 2, income .2 * 2 = .4.
# Type II: total output 2.5 + .5 = 3, truncated 2.5, income .5, employment (e = .2) .5.
def test_type_two_hand_computed() -> None:
    eco = Economy.from_coefficients(
        pd.DataFrame([[0.5]], index=["x"], columns=["x"]), labour=pd.Series({"x": 0.2})
    )
    h = pd.Series({"x": 0.5})
    assert multipliers(eco, "output").iloc[0] == pytest.approx(2.0, rel=1e-12)
    assert multipliers(eco, "income").iloc[0] == pytest.approx(0.4, rel=1e-12)
    kw = {"household_consumption": h}
    assert multipliers(eco, "output", "II", **kw).iloc[0] == pytest.approx(3.0, rel=1e-12)
    truncated = multipliers(eco, "output", "II", household_row=False, **kw).iloc[0]
    assert truncated == pytest.approx(2.5, rel=1e-12)
    assert multipliers(eco, "income", "II", **kw).iloc[0] == pytest.approx(0.5, rel=1e-12)
    assert multipliers(eco, "employment", "II", **kw).iloc[0] == pytest.approx(0.5, rel=1e-12)


def test_type_two_against_explicit_closed_inverse(mb: Economy) -> None:
    w = np.array([0.3, 0.25])
    h = np.array([0.05, 0.4])
    closed = np.zeros((3, 3))
    closed[:2, :2] = A_MB.to_numpy()
    closed[2, :2] = w
    closed[:2, 2] = h
    Lbar = np.linalg.inv(np.eye(3) - closed)  # independent: the explicit inverse
    kw = {
        "wages": pd.Series(w, index=["a", "b"]),
        "household_consumption": pd.Series(h, index=["a", "b"]),
    }
    out = multipliers(mb, "output", "II", **kw)
    np.testing.assert_allclose(out.to_numpy(), Lbar[:, :2].sum(axis=0), rtol=1e-12)
    inc = multipliers(mb, "income", "II", **kw)
    np.testing.assert_allclose(inc.to_numpy(), Lbar[2, :2], rtol=1e-12)
    emp = multipliers(mb, "employment", "II", labour_type="unskilled", **kw)
    np.testing.assert_allclose(emp.to_numpy(), np.array([0.2, 0.05]) @ Lbar[:2, :2], rtol=1e-12)


def test_multiplier_table(mb: Economy) -> None:
    table = multiplier_table(mb)
    assert list(table.columns) == ["output_I", "income_I", "employment_I"]
    h = pd.Series({"a": 0.1, "b": 0.3})
    full = multiplier_table(mb, household_consumption=h)
    assert list(full.columns) == [
        "output_I",
        "income_I",
        "employment_I",
        "output_II",
        "income_II",
        "employment_II",
    ]
    np.testing.assert_allclose(full["output_I"], mb.multipliers("output"))
    np.testing.assert_allclose(
        full["income_II"], multipliers(mb, "income", "II", household_consumption=h)
    )
    only_output = multiplier_table(load("miller-blair-2x2"))
    assert list(only_output.columns) == ["output_I"]


# ---------------------------------------------------------------------- properties
@st.composite
def closed_cases(draw: st.DrawFn) -> tuple[Economy, pd.Series, pd.Series]:
    n = draw(st.integers(1, 7))
    raw = draw(arrays(float, (n, n), elements=st.floats(0, 1)))
    target = draw(arrays(float, n, elements=st.floats(0, 0.6)))
    sums = raw.sum(axis=0)
    A = raw * np.divide(target, sums, out=np.zeros(n), where=sums > 1e-6)
    # Income w_j <= .3 and column sums of A <= .6 keep the closed columns below .9; households
    # spend at most 90 % of income.
    w = draw(arrays(float, n, elements=st.floats(0, 0.3)))
    shares = draw(arrays(float, n, elements=st.floats(0, 1)))
    spend = draw(st.floats(0, 0.9))
    h = shares / shares.sum() * spend if shares.sum() > 0 else shares
    labels = [f"p{i}" for i in range(n)]
    eco = Economy.from_coefficients(
        pd.DataFrame(A, index=labels, columns=labels), labour=pd.Series(w, index=labels)
    )
    return eco, pd.Series(w, index=labels), pd.Series(h, index=labels)


@settings(max_examples=60, deadline=None)
@given(closed_cases())
def test_property_type_two_at_least_type_one(case: tuple[Economy, pd.Series, pd.Series]) -> None:
    eco, w, h = case
    for kind in ("output", "income", "employment"):
        one = multipliers(eco, kind, "I", wages=w)
        two = multipliers(eco, kind, "II", wages=w, household_consumption=h)
        assert np.all(two.to_numpy() >= one.to_numpy() - 1e-12)
    one = multipliers(eco, "output")
    truncated = multipliers(eco, "output", "II", household_consumption=h, household_row=False)
    assert np.all(truncated.to_numpy() >= one.to_numpy() - 1e-12)
    assert np.all(one.to_numpy() >= 1 - 1e-12)


# ---------------------------------------------------------------------- bad input
def test_unknown_kind_and_type(mb: Economy) -> None:
    with pytest.raises(InputError, match="unknown multiplier kind 'value'"):
        multipliers(mb, "value")
    with pytest.raises(InputError, match="unknown multiplier type 'III'"):
        multipliers(mb, "output", "III")


def test_type_two_needs_households(mb: Economy) -> None:
    with pytest.raises(InputError, match="give household_consumption"):
        multipliers(mb, "output", "II")


def test_unknown_labels(mb: Economy) -> None:
    with pytest.raises(UnknownLabelError, match="unknown labour type 'clerical'"):
        multipliers(mb, "employment", labour_type="clerical")
    with pytest.raises(UnknownLabelError, match=r"wages .* names unknown labels: 'steel'"):
        multipliers(mb, "income", wages=pd.Series({"a": 1.0, "steel": 1.0}))
    with pytest.raises(UnknownLabelError, match="household consumption names unknown labels"):
        multipliers(mb, "output", "II", household_consumption=pd.Series({"zz": 0.1}))


def test_no_labour_for_employment() -> None:
    eco = load("miller-blair-2x2")
    with pytest.raises(InputError, match="no labour coefficients"):
        multipliers(eco, "employment")


def test_household_closure_not_productive() -> None:
    eco = Economy.from_coefficients(
        pd.DataFrame([[0.5]], index=["x"], columns=["x"]), labour=pd.Series({"x": 1.0})
    )
    with pytest.raises(NotProductiveError, match="closed with respect to households is not"):
        multipliers(eco, "output", "II", household_consumption=pd.Series({"x": 1.0}))


# ---------------------------------------------------------------------- wages, residuals
def test_wage_income_by_labour_type(mb: Economy) -> None:
    # w = 5 * [.1, .2] + 1 * [.2, .05] = [.7, 1.05] (by hand).
    w = wage_income(mb, pd.Series({"skilled": 5.0, "unskilled": 1.0}))
    np.testing.assert_allclose(w.to_numpy(), [0.7, 1.05], rtol=1e-12)
    assert list(w.index) == ["a", "b"]
    np.testing.assert_allclose(wage_income(mb, 2.0).to_numpy(), [0.6, 0.5], rtol=1e-12)
    only = wage_income(mb, pd.Series({"unskilled": 4.0}), labour_type="unskilled")
    np.testing.assert_allclose(only.to_numpy(), [0.8, 0.2], rtol=1e-12)
    inc = multipliers(mb, "income", wages=w)
    np.testing.assert_allclose(inc.to_numpy(), np.array([0.875, 1.0675]) / 0.7575, rtol=1e-12)
    assert not np.allclose(inc.to_numpy(), multipliers(mb, "employment").to_numpy())


def test_wage_income_bad_input(mb: Economy) -> None:
    with pytest.raises(InputError, match="no wage for labour type 'unskilled'"):
        wage_income(mb, pd.Series({"skilled": 5.0}))
    with pytest.raises(UnknownLabelError, match="'miners'"):
        wage_income(mb, pd.Series({"skilled": 5.0, "unskilled": 1.0, "miners": 2.0}))
    with pytest.raises(InputError, match="non-negative"):
        wage_income(mb, -1.0)
    with pytest.raises(InputError, match="no labour coefficients"):
        wage_income(load("miller-blair-2x2"), 1.0)


# One product, A = [.5], labour .2, wage 3: income w = .6 per unit of output. Closed matrix
# [[.5, .5], [.6, 0]]: det(I - Abar) = .5 - .3 = .2, Lbar = [[5, 2.5], [3, 2.5]] (by hand).
def test_type_two_with_wages_hand_computed() -> None:
    eco = Economy.from_coefficients(
        pd.DataFrame([[0.5]], index=["x"], columns=["x"]), labour=pd.Series({"x": 0.2})
    )
    w = wage_income(eco, 3.0)
    kw = {"household_consumption": pd.Series({"x": 0.5}), "wages": w}
    assert multipliers(eco, "income", wages=w).iloc[0] == pytest.approx(1.2, rel=1e-12)
    assert multipliers(eco, "income", "II", **kw).iloc[0] == pytest.approx(3.0, rel=1e-12)
    assert multipliers(eco, "employment", "II", **kw).iloc[0] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("type_", ["I", "II"])
def test_multipliers_report_their_residual(mb: Economy, type_: str) -> None:
    h = pd.Series({"a": 0.2, "b": 0.3})
    m = multipliers(mb, "output", type_, household_consumption=h)
    assert m.attrs["method"] == "dense-lu"
    assert 0 <= m.attrs["residual"] < 1e-12
    table = multiplier_table(mb, household_consumption=h)
    assert 0 <= table.attrs["residual"] < 1e-12 and table.attrs["method"] == "dense-lu"
