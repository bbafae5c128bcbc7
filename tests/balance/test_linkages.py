"""Linkages: textbook values, Ghosh forward linkages, cross-check, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan import Economy
from gosplan.balance.linkages import classify, linkages
from gosplan.datasets import load
from gosplan.datasets.textbook import MILLER_BLAIR_2X2
from gosplan.errors import InputError, UnknownLabelError

# Miller & Blair (2009) sec. 2.3: L = 1/.7575 * [[.95, .25], [.20, .85]] (by hand).
# Column sums [1.15, 1.10]/.7575, mean 1.125/.7575: power of dispersion [1.15, 1.10]/1.125.
# Row sums [1.20, 1.05]/.7575, mean 1.125/.7575: sensitivity of dispersion [1.20, 1.05]/1.125.
A_MB = MILLER_BLAIR_2X2.as_pandas("coefficients")
X_MB = MILLER_BLAIR_2X2.as_pandas("gross_output")


@pytest.fixture
def mb() -> Economy:
    return load("miller-blair-2x2")


def test_rasmussen_textbook(mb: Economy) -> None:
    out = linkages(mb)
    assert list(out.columns) == [
        "backward_direct",
        "forward_direct",
        "backward_total",
        "forward_total",
        "key_sector",
        "classification",
    ]
    np.testing.assert_allclose(out["backward_direct"], [0.35, 0.30], rtol=1e-12)
    np.testing.assert_allclose(out["forward_direct"], [0.40, 0.25], rtol=1e-12)
    np.testing.assert_allclose(out["backward_total"], [1.15 / 1.125, 1.10 / 1.125], rtol=1e-12)
    np.testing.assert_allclose(out["forward_total"], [1.20 / 1.125, 1.05 / 1.125], rtol=1e-12)
    assert out["key_sector"].tolist() == [True, False]
    assert out["classification"].tolist() == ["key sector", "weak"]
    assert out.attrs["forward"] == "leontief"
    # The Economy method is the same function.
    pd.testing.assert_frame_equal(mb.linkages(), out)


# With x = [1000, 2000]: Z = A x = [[150, 500], [200, 100]], B = x^-1 Z = [[.15, .5], [.1, .05]]
# with row sums [.65, .15]; I - B has det .7575 and G = 1/.7575 * [[.95, .5], [.1, .85]], row
# sums [1.45, .95]/.7575, mean 1.2/.7575, normalised [1.45, .95]/1.2.
def test_ghosh_forward_textbook(mb: Economy) -> None:
    out = linkages(mb, gross_output=X_MB)
    np.testing.assert_allclose(out["forward_direct"], [0.65, 0.15], rtol=1e-12)
    np.testing.assert_allclose(out["forward_total"], [1.45 / 1.2, 0.95 / 1.2], rtol=1e-12)
    np.testing.assert_allclose(out["backward_total"], [1.15 / 1.125, 1.10 / 1.125], rtol=1e-12)
    assert out.attrs["forward"] == "ghosh"


def test_classify_all_four() -> None:
    got = classify(np.array([1.2, 1.1, 0.9, 0.8]), np.array([1.3, 0.7, 1.1, 0.9]))
    assert got.tolist() == ["key sector", "backward oriented", "forward oriented", "weak"]


@st.composite
def economies(draw: st.DrawFn) -> tuple[Economy, np.ndarray]:
    n = draw(st.integers(2, 8))
    raw = draw(arrays(float, (n, n), elements=st.floats(0, 1)))
    target = draw(arrays(float, n, elements=st.floats(0, 0.89)))
    sums = raw.sum(axis=0)
    A = raw * np.divide(target, sums, out=np.zeros(n), where=sums > 1e-6)
    labels = [f"p{i}" for i in range(n)]
    return Economy.from_coefficients(pd.DataFrame(A, index=labels, columns=labels)), A


@settings(max_examples=40, deadline=None)
@given(economies(), st.data())
def test_property_against_explicit_inverse(case: tuple[Economy, np.ndarray], data) -> None:
    eco, A = case
    n = A.shape[0]
    L = np.linalg.inv(np.eye(n) - A)
    out = linkages(eco)
    col, row = L.sum(axis=0), L.sum(axis=1)
    np.testing.assert_allclose(out["backward_total"], col / col.mean(), rtol=1e-9)
    np.testing.assert_allclose(out["forward_total"], row / row.mean(), rtol=1e-9)
    assert out["backward_total"].mean() == pytest.approx(1.0)
    key = (out["backward_total"] > 1) & (out["forward_total"] > 1)
    assert out["key_sector"].tolist() == key.tolist()
    assert set(out.loc[key, "classification"]) <= {"key sector"}
    x = data.draw(arrays(float, n, elements=st.floats(1, 1e3)))
    ghosh = linkages(eco, gross_output=pd.Series(x, index=eco.product_labels))
    G = np.diag(1 / x) @ L @ np.diag(x)
    g = G.sum(axis=1)
    np.testing.assert_allclose(ghosh["forward_total"], g / g.mean(), rtol=1e-9)


def test_bad_input(mb: Economy) -> None:
    with pytest.raises(InputError, match="unknown linkage method 'chenery'"):
        linkages(mb, method="chenery")
    with pytest.raises(InputError, match="gross output is missing for 'b'"):
        linkages(mb, gross_output=pd.Series({"a": 1.0}))
    with pytest.raises(InputError, match="gross output must be positive"):
        linkages(mb, gross_output=pd.Series({"a": 1.0, "b": 0.0}))
    with pytest.raises(UnknownLabelError, match="gross output names unknown labels: 'c'"):
        linkages(mb, gross_output=pd.Series({"a": 1.0, "b": 1.0, "c": 1.0}))
