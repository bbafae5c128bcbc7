"""Ghosh supply-side model: textbook values, duality with Leontief, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan import Economy
from gosplan.balance.ghosh import allocation_coefficients, ghosh_inverse, ghosh_output
from gosplan.datasets import load
from gosplan.datasets.textbook import MILLER_BLAIR_2X2
from gosplan.errors import InputError, UnknownLabelError

# Miller & Blair (2009) sec. 2.3 / 12.1: Z = [[150, 500], [200, 100]], x = [1000, 2000].
# B = x^-1 Z = [[.15, .5], [.1, .05]]; value added v = x - 1^T Z = [650, 1400];
# I - B = [[.85, -.5], [-.1, .95]], det .7575, G = 1/.7575 * [[.95, .5], [.1, .85]] (by hand);
# v^T G = [650 * .95 + 1400 * .1, 650 * .5 + 1400 * .85] / .7575 = [757.5, 1515] / .7575.
Z_MB = MILLER_BLAIR_2X2.as_pandas("flows")
X_MB = MILLER_BLAIR_2X2.as_pandas("gross_output")
G_MB = np.array([[0.95, 0.5], [0.1, 0.85]]) / 0.7575


@pytest.fixture
def mb() -> Economy:
    return load("miller-blair-2x2")


def test_allocation_coefficients_textbook() -> None:
    B = allocation_coefficients(Z_MB, X_MB)
    np.testing.assert_allclose(B.to_numpy(), [[0.15, 0.5], [0.1, 0.05]], rtol=1e-12)
    assert list(B.index) == ["a", "b"]
    arr = allocation_coefficients(Z_MB.to_numpy(), X_MB.to_numpy())
    np.testing.assert_allclose(arr, B.to_numpy())


def test_ghosh_output_textbook(mb: Economy) -> None:
    x = ghosh_output(mb, pd.Series({"a": 650.0, "b": 1400.0}), X_MB)
    np.testing.assert_allclose(x.to_numpy(), [1000.0, 2000.0], rtol=1e-12)
    # A change in one primary input: v = [750, 1400] -> x = v^T G.
    x2 = ghosh_output(mb, pd.Series({"a": 750.0, "b": 1400.0}), X_MB)
    np.testing.assert_allclose(x2.to_numpy(), np.array([750.0, 1400.0]) @ G_MB, rtol=1e-12)
    several = ghosh_output(
        mb, pd.DataFrame({"base": [650.0, 1400.0], "more": [750.0, 1400.0]}, ["a", "b"]), X_MB
    )
    assert list(several.columns) == ["base", "more"]
    np.testing.assert_allclose(several["more"], x2)


def test_ghosh_inverse_textbook(mb: Economy) -> None:
    np.testing.assert_allclose(ghosh_inverse(mb, X_MB).to_numpy(), G_MB, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 7).flatmap(
        lambda n: st.tuples(
            arrays(float, (n, n), elements=st.floats(0, 1)),
            arrays(float, n, elements=st.floats(0, 0.89)),
            arrays(float, n, elements=st.floats(1, 1e3)),
        )
    )
)
def test_property_ghosh_reproduces_base_year(case) -> None:
    raw, target, y = case
    n = raw.shape[0]
    sums = raw.sum(axis=0)
    A = raw * np.divide(target, sums, out=np.zeros(n), where=sums > 1e-6)
    labels = [f"p{i}" for i in range(n)]
    eco = Economy.from_coefficients(pd.DataFrame(A, index=labels, columns=labels))
    x = np.linalg.solve(np.eye(n) - A, y)
    v = x * (1 - A.sum(axis=0))  # value added: x_j less its purchased inputs sum_i A_ij x_j
    got = ghosh_output(eco, pd.Series(v, index=labels), pd.Series(x, index=labels))
    np.testing.assert_allclose(got.to_numpy(), x, rtol=1e-9)
    G = ghosh_inverse(eco, pd.Series(x, index=labels)).to_numpy()
    L = np.linalg.inv(np.eye(n) - A)
    np.testing.assert_allclose(G, np.diag(1 / x) @ L @ np.diag(x), rtol=1e-9, atol=1e-12)


def test_bad_input(mb: Economy) -> None:
    with pytest.raises(InputError, match="gross output must be positive for a product that sells"):
        allocation_coefficients(Z_MB, pd.Series({"a": 0.0, "b": 2000.0}))
    with pytest.raises(InputError, match="gross output is missing for a row"):
        allocation_coefficients(Z_MB, pd.Series({"a": 1000.0}))
    with pytest.raises(UnknownLabelError, match="value added names unknown labels: 'c'"):
        ghosh_output(mb, pd.Series({"c": 1.0}), X_MB)
    with pytest.raises(InputError, match="gross output is missing for 'b'"):
        ghosh_output(mb, pd.Series({"a": 1.0}), pd.Series({"a": 1.0}))
