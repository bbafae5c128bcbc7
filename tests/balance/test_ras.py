"""RAS and GRAS: hand cases, recovery of known biproportional tables, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan.balance.ras import RasResult, gras, ras
from gosplan.errors import InputError, UnknownLabelError


def _frame(values, rows="ab", cols="xy") -> pd.DataFrame:
    return pd.DataFrame(np.asarray(values, float), index=list(rows), columns=list(cols))


# A table of ones scaled to u = [3, 1], v = [2, 2]: a biproportional rank-one table must be
# Z = r s^T with r proportional to u and s to v, so Z = [[1.5, 1.5], [.5, .5]] (by hand).
def test_ras_hand_case() -> None:
    res = ras(
        _frame([[1, 1], [1, 1]]), pd.Series({"a": 3.0, "b": 1.0}), pd.Series({"x": 2.0, "y": 2.0})
    )
    assert isinstance(res, RasResult)
    assert res.converged
    np.testing.assert_allclose(res.table.to_numpy(), [[1.5, 1.5], [0.5, 0.5]], rtol=1e-10)
    np.testing.assert_allclose(
        (res.r.to_numpy()[:, None] * res.s.to_numpy()[None, :]), res.table.to_numpy()
    )
    assert res.max_error <= 1e-10 * 3
    assert list(res.table.index) == ["a", "b"] and list(res.s.index) == ["x", "y"]


def test_ras_aligns_totals_by_label() -> None:
    res = ras(
        _frame([[1, 1], [1, 1]]), pd.Series({"b": 1.0, "a": 3.0}), pd.Series({"y": 2.0, "x": 2.0})
    )
    np.testing.assert_allclose(res.table.loc["a"].to_numpy(), [1.5, 1.5], rtol=1e-10)


def test_ras_keeps_zeros_and_reports_non_convergence() -> None:
    # Diagonal table, different row and column targets: no biproportional solution exists.
    res = ras(
        _frame([[1, 0], [0, 1]]),
        pd.Series({"a": 1.0, "b": 2.0}),
        pd.Series({"x": 2.0, "y": 1.0}),
        max_iter=50,
    )
    assert not res.converged
    assert res.iterations == 50
    assert res.max_error > 0.1
    assert res.table.loc["a", "y"] == 0.0


# One row [2, -1] scaled to columns [4, -.5]: X = [2 r s_x, -1/(r s_y)] gives X = [4, -.5].
def test_gras_hand_case() -> None:
    res = gras(_frame([[2, -1]], rows="a"), pd.Series({"a": 3.5}), pd.Series({"x": 4.0, "y": -0.5}))
    assert res.converged
    np.testing.assert_allclose(res.table.to_numpy(), [[4.0, -0.5]], rtol=1e-10)


def test_gras_equals_ras_on_positive_tables() -> None:
    Z0 = _frame([[1, 2], [3, 4]])
    u, v = pd.Series({"a": 4.0, "b": 6.0}), pd.Series({"x": 5.0, "y": 5.0})
    np.testing.assert_allclose(
        gras(Z0, u, v).table.to_numpy(), ras(Z0, u, v).table.to_numpy(), rtol=1e-9
    )


# ---------------------------------------------------------------------- properties
def _case(m: int, n: int, signed: bool):
    return st.tuples(
        arrays(float, (m, n), elements=st.floats(0.1, 10)),
        arrays(
            float,
            (m, n),
            elements=st.sampled_from([-1.0, 0.0, 1.0, 1.0] if signed else [0.0, 1.0, 1.0]),
        ),
        arrays(float, m, elements=st.floats(0.5, 2)),
        arrays(float, n, elements=st.floats(0.5, 2)),
    )


def _labels(m: int, n: int) -> tuple[list[str], list[str]]:
    return [f"r{i}" for i in range(m)], [f"c{j}" for j in range(n)]


@settings(max_examples=50, deadline=None)
@given(st.tuples(st.integers(1, 6), st.integers(1, 6)).flatmap(lambda mn: _case(*mn, signed=False)))
def test_property_ras_recovers_biproportional_table(case) -> None:
    mag, pattern, r, s = case
    Z0 = mag * pattern
    truth = r[:, None] * Z0 * s[None, :]
    rows, cols = _labels(*Z0.shape)
    res = ras(
        pd.DataFrame(Z0, rows, cols),
        pd.Series(truth.sum(axis=1), rows),
        pd.Series(truth.sum(axis=0), cols),
        tol=1e-11,
    )
    assert res.converged
    X = res.table.to_numpy()
    scale = max(1.0, float(truth.sum(axis=1).max()), float(truth.sum(axis=0).max()))
    np.testing.assert_allclose(X.sum(axis=1), truth.sum(axis=1), atol=1e-11 * scale)
    np.testing.assert_allclose(X.sum(axis=0), truth.sum(axis=0), atol=1e-11 * scale)
    assert np.all(X[Z0 == 0] == 0)
    assert np.all(X >= 0)
    # The biproportional table with these margins is unique: RAS finds the one we scaled.
    np.testing.assert_allclose(X, truth, rtol=1e-6, atol=1e-9 * scale)
    np.testing.assert_allclose(X, res.r.to_numpy()[:, None] * Z0 * res.s.to_numpy()[None, :])


@settings(max_examples=50, deadline=None)
@given(st.tuples(st.integers(1, 6), st.integers(1, 6)).flatmap(lambda mn: _case(*mn, signed=True)))
def test_property_gras_mixed_signs_meets_margins(case) -> None:
    mag, pattern, r, s = case
    Z0 = mag * pattern
    P, N = np.maximum(Z0, 0), np.maximum(-Z0, 0)
    truth = r[:, None] * P * s[None, :] - N / (r[:, None] * s[None, :])
    rows, cols = _labels(*Z0.shape)
    res = gras(
        pd.DataFrame(Z0, rows, cols),
        pd.Series(truth.sum(axis=1), rows),
        pd.Series(truth.sum(axis=0), cols),
        tol=1e-10,
    )
    assert res.converged
    X = res.table.to_numpy()
    scale = max(1.0, float(np.abs(truth.sum(axis=1)).max()), float(np.abs(truth.sum(axis=0)).max()))
    np.testing.assert_allclose(X.sum(axis=1), truth.sum(axis=1), atol=1e-10 * scale)
    np.testing.assert_allclose(X.sum(axis=0), truth.sum(axis=0), atol=1e-10 * scale)
    # The GRAS solution is unique (strictly convex objective): it is the table we scaled.
    np.testing.assert_allclose(X, truth, rtol=1e-6, atol=1e-8 * scale)
    # Every entry keeps its sign.
    assert np.all(X[Z0 > 0] > 0) and np.all(X[Z0 < 0] < 0) and np.all(X[Z0 == 0] == 0)


# ---------------------------------------------------------------------- bad input
def test_inconsistent_totals() -> None:
    with pytest.raises(
        InputError,
        match="inconsistent totals: the row totals sum to 10 but the column totals sum to 11",
    ):
        ras(
            _frame([[1, 2], [3, 4]]),
            pd.Series({"a": 4.0, "b": 6.0}),
            pd.Series({"x": 5.0, "y": 6.0}),
        )
    with pytest.raises(InputError, match="inconsistent totals"):
        gras(
            _frame([[1, -2], [3, 4]]),
            pd.Series({"a": 4.0, "b": 6.0}),
            pd.Series({"x": 5.0, "y": 6.0}),
        )


def test_zero_row_with_positive_target() -> None:
    with pytest.raises(
        InputError, match="the row is all zeros in the prior table but its target is 2"
    ) as err:
        ras(
            _frame([[0, 0], [3, 4]]),
            pd.Series({"a": 2.0, "b": 5.0}),
            pd.Series({"x": 3.0, "y": 4.0}),
        )
    assert err.value.label == "a"
    with pytest.raises(InputError, match="the column is all zeros") as err:
        ras(
            _frame([[1, 0], [3, 0]]),
            pd.Series({"a": 2.0, "b": 5.0}),
            pd.Series({"x": 3.0, "y": 4.0}),
        )
    assert err.value.label == "y"


def test_ras_rejects_negative_entries() -> None:
    with pytest.raises(InputError, match="use gras") as err:
        ras(
            _frame([[1, -2], [3, 4]]),
            pd.Series({"a": 1.0, "b": 7.0}),
            pd.Series({"x": 4.0, "y": 4.0}),
        )
    # Names the entry, the Python function and the CLI flag.
    assert "the entry ('a', 'y') is -2" in str(err.value)
    assert "gras() (CLI: --gras)" in str(err.value)
    assert err.value.label == "a" and err.value.check == "negative_entries"
    with pytest.raises(InputError, match="the column total 'y' is -1"):
        ras(
            _frame([[1, 2], [3, 4]]),
            pd.Series({"a": 1.0, "b": -0.0}),
            pd.Series({"x": 2.0, "y": -1.0}),
        )


@pytest.mark.parametrize("method", [ras, gras])
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tol": -1.0}, "tol must be a positive number, got -1"),
        ({"tol": 0.0}, "tol must be a positive number"),
        ({"tol": float("nan")}, "tol must be a positive number"),
        ({"max_iter": 0}, "max_iter must be a whole number of at least 1, got 0"),
        ({"max_iter": 2.5}, "max_iter must be a whole number"),
    ],
)
def test_bad_tolerance_or_iteration_limit(method, options, message) -> None:
    Z0 = _frame([[1, 1], [1, 1]])
    u, v = pd.Series({"a": 3.0, "b": 1.0}), pd.Series({"x": 2.0, "y": 2.0})
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        method(Z0, u, v, **options)


def test_non_convergence_is_not_logged_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="gosplan.balance.ras")
    res = ras(
        _frame([[1, 0], [0, 1]]),
        pd.Series({"a": 1.0, "b": 2.0}),
        pd.Series({"x": 2.0, "y": 1.0}),
        max_iter=20,
    )
    assert not res.converged
    assert [r.levelname for r in caplog.records] == ["INFO"]  # the result says it; no warning


def test_diverging_multipliers_stop_with_the_last_finite_table() -> None:
    # No biproportional solution: r and s run off to infinity and zero. Sweeping stops
    # before they overflow, and the table and its error stay finite.
    res = ras(
        _frame([[1, 0], [0, 1]]), pd.Series({"a": 1.0, "b": 2.0}), pd.Series({"x": 2.0, "y": 1.0})
    )
    assert not res.converged and res.iterations < 10_000
    assert np.isfinite(res.table.to_numpy()).all() and np.isfinite(res.max_error)
    assert res.max_error == pytest.approx(1.0)


def test_gras_sign_pattern() -> None:
    with pytest.raises(InputError, match="the row has only negative entries") as err:
        gras(
            _frame([[-1, -2], [3, 4]]),
            pd.Series({"a": 1.0, "b": 7.0}),
            pd.Series({"x": 4.0, "y": 4.0}),
        )
    assert err.value.label == "a"


def test_label_errors() -> None:
    Z0 = _frame([[1, 2], [3, 4]])
    with pytest.raises(UnknownLabelError, match="row totals name labels not in the table: 'c'"):
        ras(Z0, pd.Series({"a": 4.0, "b": 6.0, "c": 0.0}), pd.Series({"x": 5.0, "y": 5.0}))
    with pytest.raises(InputError, match="column totals are missing for 'y'"):
        ras(Z0, pd.Series({"a": 4.0, "b": 6.0}), pd.Series({"x": 10.0}))
