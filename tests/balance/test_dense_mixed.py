"""Dense tables: the mixed-precision LU (``dense-lu32``) and ``Economy.from_flows(copy=False)``.

The float32 LU with float64 refinement must agree with a float64 solve wherever single
precision suffices, and fall back to a float64 LU (saying so in ``method``) where it does
not. An economy built with ``copy=False`` keeps the caller's own array (now holding the
coefficients) as its one dense technology; ``copy=True`` leaves the caller's table alone.
"""

from __future__ import annotations

import logging
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.balance.solvers import (
    MIXED_FALLBACK,
    MIXED_METHOD,
    LeontiefSolver,
    choose_method,
)
from gosplan.core.economy import Economy
from gosplan.errors import InputError


def hawkins_simon(n: int, seed: int, top: float = 0.9) -> np.ndarray:
    """A random dense non-negative ``A`` with column sums in ``[0.1, top]``."""
    rng = np.random.default_rng(seed)
    A = rng.random((n, n))
    A *= rng.uniform(0.1, top, n) / A.sum(axis=0)
    return A


def near_singular(n: int, seed: int, gap: float = 1e-9) -> np.ndarray:
    """Column sums ``1 - gap``: ``I - A`` has condition number about ``1 / gap``."""
    rng = np.random.default_rng(seed)
    A = rng.random((n, n))
    A *= (1.0 - gap) / A.sum(axis=0)
    return A


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.abs(b)))


# ---------------------------------------------------------------------- the solver
@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=40),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    k=st.integers(min_value=1, max_value=3),
)
def test_mixed_agrees_with_float64_solve(n: int, seed: int, k: int) -> None:
    A = hawkins_simon(n, seed)
    rng = np.random.default_rng(seed + 1)
    b = rng.uniform(0.1, 1.0, n)
    B = rng.uniform(0.1, 1.0, (n, k))
    solver = LeontiefSolver(A, method="dense-lu32")
    M = np.eye(n) - A
    for rhs in (b, B):
        sol = solver.solve(rhs)
        assert sol.method == MIXED_METHOD
        assert sol.x.shape == rhs.shape
        assert rel_diff(sol.x, np.linalg.solve(M, rhs)) <= 1e-10
        tr = solver.solve(rhs, transpose=True)
        assert tr.method == MIXED_METHOD
        assert rel_diff(tr.x, np.linalg.solve(M.T, rhs)) <= 1e-10
        assert tr.residual < 1e-13 and sol.residual < 1e-13


def test_mixed_refines_to_float64_accuracy() -> None:
    """Refinement takes a few steps, and the answer is as good as the float64 LU's."""
    A = hawkins_simon(300, 7, top=0.99)
    b = np.linspace(1.0, 2.0, 300)
    mixed = LeontiefSolver(A, method="dense-lu32").solve(b)
    exact = LeontiefSolver(A, method="dense-lu").solve(b)
    assert 1 <= mixed.iterations <= 5
    assert rel_diff(mixed.x, exact.x) <= 1e-13
    assert mixed.residual <= 10 * max(exact.residual, 1e-16)


def test_zero_right_hand_side() -> None:
    solver = LeontiefSolver(hawkins_simon(5, 1), method="dense-lu32")
    sol = solver.solve(np.zeros((5, 2)))
    assert sol.method == MIXED_METHOD and not np.any(sol.x)


@pytest.mark.parametrize("seed", [0, 3, 4])
def test_ill_conditioned_table_falls_back_to_float64(seed: int, caplog) -> None:
    """Column sums ``1 - 1e-9``: single precision cannot refine; the float64 LU answers.

    ``cond(I - A)`` is about 1e9, so two float64 solves by different algorithms (numpy's
    ``solve`` of the transpose, the LU of ``I - A`` used transposed) may differ by
    ``cond * eps``, ~1e-7: the exact check is against gosplan's own float64 LU, the same
    algorithm; numpy's answer is checked to what float64 allows at this conditioning.
    """
    n = 6
    A = near_singular(n, seed)
    b = np.random.default_rng(seed).random(n)
    with caplog.at_level(logging.INFO, logger="gosplan.balance.solvers"):
        solver = LeontiefSolver(A, method="dense-lu32")
        sol = solver.solve(b)
    assert sol.method == MIXED_FALLBACK
    assert "refinement of I - A stalled" in caplog.text
    tr = solver.solve(b, transpose=True)  # the float64 LU now serves every solve
    assert tr.method == MIXED_FALLBACK
    exact = LeontiefSolver(A, method="dense-lu")
    np.testing.assert_allclose(sol.x, exact.solve(b).x, rtol=1e-14)
    np.testing.assert_allclose(tr.x, exact.solve(b, transpose=True).x, rtol=1e-14)
    M = np.eye(n) - A
    np.testing.assert_allclose(sol.x, np.linalg.solve(M, b), rtol=1e-6)
    np.testing.assert_allclose(tr.x, np.linalg.solve(M.T, b), rtol=1e-6)


def test_singular_in_float32_falls_back_at_factorisation(caplog) -> None:
    """``0.25 (1 - 1e-9)`` rounds to 0.25 in float32: ``I - A`` is singular there only."""
    A = np.full((4, 4), 0.25 * (1.0 - 1e-9))
    b = np.arange(1.0, 5.0)
    with caplog.at_level(logging.INFO, logger="gosplan.balance.solvers"):
        solver = LeontiefSolver(A, method="dense-lu32")
    assert "float32 LU of I - A failed" in caplog.text
    sol = solver.solve(b)
    assert sol.method == MIXED_FALLBACK
    exact = LeontiefSolver(A, method="dense-lu").solve(b)
    np.testing.assert_allclose(sol.x, exact.x, rtol=1e-14)


def test_sparse_input_is_refined_against_its_dense_form() -> None:
    A = hawkins_simon(20, 2)
    solver = LeontiefSolver(sp.csc_array(A), method="dense-lu32")
    b = np.ones(20)
    assert rel_diff(solver.solve(b).x, np.linalg.solve(np.eye(20) - A, b)) <= 1e-10


def test_auto_chooses_mixed_for_large_dense_arrays_only() -> None:
    assert choose_method(np.zeros((1999, 1999))) == "dense-lu"
    assert choose_method(np.zeros((2000, 2000))) == "dense-lu32"
    assert choose_method(sp.csc_array((2000, 2000))) == "dense-lu"
    assert choose_method(np.zeros((3001, 3001))) == "iterative"


# ---------------------------------------------------------------------- the economy
def flow_table(n: int, seed: int) -> tuple[np.ndarray, pd.DataFrame, pd.Series, pd.Series]:
    """The flows of a dense Hawkins–Simon table, as an array and a frame sharing it."""
    A = hawkins_simon(n, seed, top=0.6)
    x = np.random.default_rng(seed).uniform(500.0, 1000.0, n)
    flows = A * x
    labels = pd.Index([f"p{i}" for i in range(n)])
    Z = pd.DataFrame(flows, index=labels, columns=labels, copy=False)
    labour = pd.Series(np.linspace(1.0, 2.0, n) * x, index=labels)
    return flows, Z, pd.Series(x, index=labels), labour


def test_copy_false_divides_the_callers_array_in_place() -> None:
    flows, Z, x, labour = flow_table(30, 5)
    expected = flows * (1.0 / x.to_numpy())  # what from_flows computes: Z diag(1/x)
    eco = Economy.from_flows(Z, x, labour=labour, copy=False)
    dense = eco.technology_matrix
    assert isinstance(dense, np.ndarray)
    assert np.shares_memory(dense, flows)
    np.testing.assert_array_equal(flows, expected)  # the caller's table holds A now
    assert not dense.flags.writeable and flows.flags.writeable  # frozen through the economy
    solver = eco.leontief_solver()
    assert np.shares_memory(solver.A, flows)  # the solver works on the same array


def test_copy_true_leaves_the_callers_table_and_agrees() -> None:
    flows, Z, x, labour = flow_table(30, 6)
    before = flows.copy()
    eco = Economy.from_flows(Z, x, labour=labour)
    np.testing.assert_array_equal(flows, before)
    assert not np.shares_memory(eco.technology_matrix, flows)
    y = pd.Series(np.linspace(10.0, 20.0, 30), index=Z.index)
    copied = (eco.gross_output(y), eco.labour_values(), eco.multipliers("output"))
    in_place = Economy.from_flows(Z, x, labour=labour, copy=False)
    for a, b in zip(
        copied,
        (in_place.gross_output(y), in_place.labour_values(), in_place.multipliers()),
        strict=True,
    ):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-13)


def test_dense_economy_keeps_the_sparse_api() -> None:
    _flows, Z, x, labour = flow_table(12, 7)
    eco = Economy.from_flows(Z, x, labour=labour)
    dense = eco.technology_matrix
    assert isinstance(dense, np.ndarray)
    csc = eco.technology  # built on first use, then cached
    assert isinstance(csc, sp.csc_array) and eco.technology is csc
    np.testing.assert_array_equal(csc.toarray(), dense)
    assert not csc.data.flags.writeable
    assert eco.n_coefficients == csc.nnz == 144
    np.testing.assert_array_equal(eco.coefficients().to_numpy(), dense)
    again = pickle.loads(pickle.dumps(eco))
    assert isinstance(again.technology_matrix, np.ndarray)
    assert not again.technology_matrix.flags.writeable
    renamed = eco.with_meta(name="renamed")
    assert np.shares_memory(renamed.technology_matrix, dense)


def test_sparse_tables_stay_sparse() -> None:
    A = pd.DataFrame(
        np.diag(np.full(10, 0.5)), index=list("abcdefghij"), columns=list("abcdefghij")
    )
    eco = Economy.from_coefficients(A)
    assert isinstance(eco.technology_matrix, sp.csc_array)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda Z: Z.astype(np.float32), "float64"),
        (lambda Z: Z[Z.columns[::-1]], "order of its rows"),
        (lambda Z: pd.concat([Z.iloc[:, :3], Z.iloc[:, 3:]], axis=1), "one array"),
    ],
)
def test_copy_false_refuses_what_it_cannot_divide_in_place(make, message: str) -> None:
    _flows, Z, x, _labour = flow_table(6, 8)
    with pytest.raises(InputError, match=message):
        Economy.from_flows(make(Z), x, copy=False)
