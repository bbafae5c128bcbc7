"""Tests of the Leontief solvers: textbook answer, agreement between methods, residuals, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.balance.solvers import (
    LeontiefSolver,
    choose_method,
    solve_leontief,
    spectral_radius,
)
from gosplan.datasets.textbook import MILLER_BLAIR_2X2
from gosplan.errors import NotProductiveError, SolverError
from gosplan.generate import generate_economy, generate_final_demand

# Miller & Blair, Input-Output Analysis (2009), ch. 2: x = (1000, 2000) for y = (350, 1700).
MB_A = np.array(MILLER_BLAIR_2X2.coefficients)
MB_Y = np.array(MILLER_BLAIR_2X2.final_demand)
MB_X = np.array([1000.0, 2000.0])
METHODS = ("dense-lu", "sparse-lu", "iterative")


def random_productive(n: int, seed: int, density: float, radius: float) -> np.ndarray:
    """A non-negative matrix with every column sum ``<= radius < 1`` (Hawkins-Simon holds)."""
    rng = np.random.default_rng(seed)
    A = rng.random((n, n)) * (rng.random((n, n)) < density)
    sums = A.sum(axis=0)
    scale = np.where(sums > 0, radius * rng.uniform(0.3, 1.0, n) / np.where(sums > 0, sums, 1), 0)
    return A * scale


def true_residual(A: np.ndarray, x: np.ndarray, b: np.ndarray, transpose: bool) -> float:
    M = np.eye(A.shape[0]) - (A.T if transpose else A)
    return float(np.max(np.abs(M @ x - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("sparse_input", [False, True])
def test_miller_blair_gross_output(method: str, sparse_input: bool) -> None:
    A = sp.csc_array(MB_A) if sparse_input else MB_A
    sol = solve_leontief(A, MB_Y, method=method)
    np.testing.assert_allclose(sol.x, MB_X, rtol=1e-9)
    assert sol.method == method
    assert sol.residual < 1e-10


def test_miller_blair_labour_values_by_hand() -> None:
    # v = v A + l with l = (0.3, 0.2): v1 = 0.3 + 0.15 v1 + 0.2 v2, v2 = 0.2 + 0.25 v1 + 0.05 v2
    # => v1 = (0.3 * 0.95 + 0.2 * 0.2) / (0.85 * 0.95 - 0.25 * 0.2) = 0.325 / 0.7575
    lab = np.array([0.3, 0.2])
    v = solve_leontief(MB_A, lab, transpose=True).x
    det = 0.85 * 0.95 - 0.25 * 0.2
    np.testing.assert_allclose(v, [0.325 / det, (0.85 * 0.2 + 0.25 * 0.3) / det], rtol=1e-12)


def test_many_right_hand_sides_reuse_one_factorisation() -> None:
    solver = LeontiefSolver(MB_A)
    Y = np.column_stack([MB_Y, 2 * MB_Y, np.zeros(2)])
    X = solver.solve(Y).x
    np.testing.assert_allclose(X, np.column_stack([MB_X, 2 * MB_X, np.zeros(2)]), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 40),
    seed=st.integers(0, 2**31),
    density=st.floats(0.05, 1.0),
    radius=st.floats(0.05, 0.95),
    transpose=st.booleans(),
)
def test_methods_agree_with_numpy(
    n: int, seed: int, density: float, radius: float, transpose: bool
) -> None:
    A = random_productive(n, seed, density, radius)
    b = np.random.default_rng(seed + 1).uniform(-1.0, 10.0, n)
    expected = np.linalg.solve(np.eye(n) - (A.T if transpose else A), b)
    scale = np.max(np.abs(expected))
    for method in METHODS:
        for matrix in (A, sp.csc_array(A)):
            sol = solve_leontief(matrix, b, transpose=transpose, method=method)
            assert np.max(np.abs(sol.x - expected)) <= 1e-8 * scale, method
            # the residual reported is the true residual of the returned x
            assert sol.residual == pytest.approx(
                true_residual(A, sol.x, b, transpose), rel=1e-6, abs=1e-15
            )


@settings(max_examples=15, deadline=None)
@given(n=st.integers(80, 400), seed=st.integers(0, 2**31), transpose=st.booleans())
def test_core_periphery_path_is_exact_on_generated_economies(
    n: int, seed: int, transpose: bool
) -> None:
    eco = generate_economy(n, seed=seed, core_size=max(2, n // 10), periphery_cycles=0.05)
    A = eco.technology
    b = generate_final_demand(eco, seed=seed).to_numpy()
    iterative = solve_leontief(A, b, transpose=transpose, method="iterative")
    assert iterative.detail.startswith("core-periphery")
    direct = np.linalg.solve(np.eye(n) - (A.T if transpose else A).toarray(), b)
    np.testing.assert_allclose(iterative.x, direct, rtol=1e-8)
    assert iterative.residual <= 1e-10


def test_core_periphery_at_scale_agrees_with_sparse_lu() -> None:
    eco = generate_economy(20_000, seed=3, periphery_cycles=0.02)
    b = generate_final_demand(eco, seed=3).to_numpy()
    lab = eco.labour.toarray().ravel()
    solver = LeontiefSolver(eco.technology, method="iterative")
    x = solver.solve(b)
    v = solver.solve(lab, transpose=True)
    lu = LeontiefSolver(eco.technology, method="sparse-lu")
    np.testing.assert_allclose(x.x, lu.solve(b).x, rtol=1e-8)
    np.testing.assert_allclose(v.x, lu.solve(lab, transpose=True).x, rtol=1e-8)
    assert "core-periphery" in x.detail and x.residual <= 1e-10 and v.residual <= 1e-10


def test_choose_method_by_size_and_density() -> None:
    assert choose_method(np.zeros((100, 100))) == "dense-lu"
    assert choose_method(np.zeros((4000, 4000))) == "iterative"
    assert choose_method(sp.random_array((5000, 5000), density=0.001, rng=0)) == "sparse-lu"
    assert choose_method(sp.random_array((20_000, 20_000), density=1e-4, rng=0)) == "iterative"
    assert choose_method(sp.random_array((3100, 3100), density=0.11, rng=0)) == "iterative"
    big = sp.diags_array(np.full(299_999, 0.5), offsets=-1, format="csc")
    assert choose_method(big) == "iterative"


def test_spectral_radius_small_and_large() -> None:
    assert spectral_radius(MB_A) == pytest.approx(max(abs(np.linalg.eigvals(MB_A))), rel=1e-12)
    A = random_productive(800, 5, 0.02, 0.7)
    exact = max(abs(np.linalg.eigvals(A)))
    assert spectral_radius(sp.csr_array(A), tol=1e-9) == pytest.approx(exact, rel=1e-6)


# ---------------------------------------------------------------------- errors
@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
@pytest.mark.parametrize("method", ["dense-lu", "sparse-lu"])
def test_singular_technology_raises(method: str) -> None:
    A = np.array([[0.5, 0.5], [0.5, 0.5]])  # spectral radius exactly 1: I - A is singular
    with pytest.raises(SolverError, match="singular"):
        solve_leontief(A, np.ones(2), method=method)


@pytest.mark.parametrize("method", METHODS)
def test_non_productive_technology_is_named(method: str) -> None:
    A = np.array([[0.5, 0.7], [0.7, 0.5]])  # spectral radius 1.2, I - A invertible
    with pytest.raises(NotProductiveError, match=r"not productive .*Hawkins-Simon"):
        solve_leontief(A, np.array([1.0, 2.0]), method=method, check_productive=True)


def test_non_productive_periphery_diagonal_raises() -> None:
    # an acyclic (chain) economy in which product 7 uses 1.5 units of itself per unit
    n = 200
    A = sp.lil_array(sp.diags_array(np.full(n - 1, 0.3), offsets=-1))
    A[7, 7] = 1.5
    with pytest.raises(SolverError, match="position 7 uses at least one unit of itself"):
        LeontiefSolver(sp.csc_array(A), method="iterative")


def test_shape_errors() -> None:
    with pytest.raises(SolverError, match="must be square"):
        solve_leontief(np.zeros((2, 3)), np.ones(2))
    with pytest.raises(SolverError, match="right-hand side has 3 rows, the matrix 2"):
        solve_leontief(MB_A, np.ones(3))
    with pytest.raises(SolverError, match="unknown method 'magic'"):
        LeontiefSolver(MB_A, method="magic")  # type: ignore[arg-type]
