"""Hypothetical extraction: hand-computed cases, properties, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan import Economy
from gosplan.balance.extraction import hypothetical_extraction
from gosplan.datasets import load
from gosplan.datasets.textbook import MILLER_BLAIR_2X2
from gosplan.errors import InputError, UnknownLabelError

# Miller & Blair (2009) sec. 2.3: A = [[.15, .25], [.20, .05]], y = [350, 1700], x = [1000, 2000],
# total 3000. Hand-computed extractions:
#   total a:    b alone, x_b = 1700/.95                           -> loss 3000 - 1700/.95
#   total b:    a alone, x_a = 350/.85                            -> loss 3000 - 350/.85
#   backward a: column a zero: x_b = 1700/.95, x_a = 350 + .25 x_b
#   backward b: column b zero: x_a = 350/.85,  x_b = 1700 + .2 x_a
#   forward a:  B = [[.15, .5], [.1, .05]], v = [650, 1400], row a of B zero:
#               x_b = 1400/.95, x_a = 650 + .1 x_b
#   forward b:  row b of B zero: x_a = 650/.85, x_b = 1400 + .5 x_a
A_MB = MILLER_BLAIR_2X2.as_pandas("coefficients")
Y_MB = MILLER_BLAIR_2X2.as_pandas("final_demand")


def _hand(mode: str) -> list[float]:
    if mode == "total":
        return [1700 / 0.95, 350 / 0.85]
    if mode == "backward":
        xb = 1700 / 0.95
        xa = 350 / 0.85
        return [350 + 0.25 * xb + xb, xa + 1700 + 0.2 * xa]
    xb = 1400 / 0.95
    xa = 650 / 0.85
    return [650 + 0.1 * xb + xb, xa + 1400 + 0.5 * xa]


@pytest.fixture
def mb() -> Economy:
    return load("miller-blair-2x2")


@pytest.mark.parametrize("mode", ["total", "backward", "forward"])
def test_textbook_extractions(mb: Economy, mode: str) -> None:
    out = hypothetical_extraction(mb, Y_MB, mode=mode)
    expected = np.array(_hand(mode))
    np.testing.assert_allclose(out["output"], expected, rtol=1e-12)
    np.testing.assert_allclose(out["loss"], 3000.0 - expected, rtol=1e-12)
    np.testing.assert_allclose(out["loss_percent"], (3000.0 - expected) / 30.0, rtol=1e-12)
    assert list(out.index) == ["a", "b"]
    assert out.attrs["base_output"] == pytest.approx(3000.0)


def test_selected_products(mb: Economy) -> None:
    out = hypothetical_extraction(mb, Y_MB, ["b"], mode="backward")
    assert list(out.index) == ["b"]
    assert out.loc["b", "output"] == pytest.approx(_hand("backward")[1], rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda n: st.tuples(
            arrays(float, (n, n), elements=st.floats(0, 1)),
            arrays(float, n, elements=st.floats(0, 0.89)),
            arrays(float, n, elements=st.floats(1, 1e3)),
        )
    )
)
def test_property_losses(case) -> None:
    raw, target, y = case
    n = raw.shape[0]
    sums = raw.sum(axis=0)
    A = raw * np.divide(target, sums, out=np.zeros(n), where=sums > 1e-6)
    labels = [f"p{i}" for i in range(n)]
    eco = Economy.from_coefficients(pd.DataFrame(A, index=labels, columns=labels))
    ys = pd.Series(y, index=labels)
    x = np.linalg.solve(np.eye(n) - A, y)
    scale = x.sum()
    total = hypothetical_extraction(eco, ys, mode="total")
    # Without product j, its own output is lost and nothing else can grow.
    assert np.all(total["loss"].to_numpy() >= x - 1e-9 * scale)
    for j in range(n):
        keep = [i for i in range(n) if i != j]
        sub = np.linalg.solve(np.eye(n - 1) - A[np.ix_(keep, keep)], y[keep])
        assert total["output"].iloc[j] == pytest.approx(sub.sum(), rel=1e-9)
    for mode in ("backward", "forward"):
        out = hypothetical_extraction(eco, ys, mode=mode)
        assert np.all(out["loss"].to_numpy() >= -1e-9 * scale)


def test_bad_input(mb: Economy) -> None:
    with pytest.raises(UnknownLabelError, match="cannot extract unknown products: 'steel'"):
        hypothetical_extraction(mb, Y_MB, ["steel"])
    with pytest.raises(InputError, match="unknown extraction mode 'sideways'"):
        hypothetical_extraction(mb, Y_MB, mode="sideways")
    with pytest.raises(UnknownLabelError, match="final demand names unknown labels: 'c'"):
        hypothetical_extraction(mb, pd.Series({"c": 1.0}))
    with pytest.raises(InputError, match="single final-demand vector"):
        hypothetical_extraction(mb, Y_MB.to_frame())
    lone = Economy.from_coefficients(
        pd.DataFrame([[0.1, 0.0], [0.0, 0.1]], index=["a", "b"], columns=["a", "b"])
    )
    with pytest.raises(InputError, match="needs positive gross output"):
        hypothetical_extraction(lone, pd.Series({"a": 1.0}), mode="forward")
