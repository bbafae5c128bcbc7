"""The core/periphery solver: core blocks, dependency order, substitution passes both ways."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.balance import core_periphery as cpm
from gosplan.balance import solvers
from gosplan.balance import threaded as threaded_mod
from gosplan.balance.core_periphery import CorePeriphery, components, dependency_order
from gosplan.balance.solvers import LeontiefSolver
from gosplan.errors import SolverError


def _matrix(n: int, seed: int, *, density: float = 3.0, cycle: int = 3) -> sp.csc_array:
    """Random sparse ``A`` with self-use on core and periphery and a cycle among the first."""
    rng = np.random.default_rng(seed)
    A = sp.random_array((n, n), density=min(1.0, density / n), rng=rng, format="csc") * 0.2
    diag = rng.random(n) * 0.3 * (rng.random(n) < 0.5)
    ring = np.arange(cycle)
    loop = sp.csc_array((np.full(cycle, 0.2), (ring, np.roll(ring, -1))), shape=(n, n))
    M = sp.csc_array(A + sp.diags_array(diag, format="csc") + loop)
    M.sum_duplicates()
    return M


def _solver(A: sp.csc_array, tol: float = 1e-12) -> CorePeriphery:
    in_core, labels = components(A)
    return CorePeriphery(A, in_core, labels, tol)


def _check_both_ways(A: sp.csc_array, split: CorePeriphery, seed: int = 0) -> None:
    n = A.shape[0]
    b = np.random.default_rng(seed).random(n)
    M = np.eye(n) - A.toarray()
    x, _, detail = split.solve(b, transpose=False)
    v, _, _ = split.solve(b, transpose=True)
    assert detail.startswith("core-periphery")
    np.testing.assert_allclose(x, np.linalg.solve(M, b), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(v, np.linalg.solve(M.T, b), rtol=1e-9, atol=1e-12)


def test_core_blocks_are_the_core_columns_of_the_matrix() -> None:
    A = _matrix(400, 3)
    split = _solver(A)
    dense = A.toarray()
    in_core, _ = components(A)
    core, periph = np.flatnonzero(in_core), np.flatnonzero(~in_core)
    assert core.size and periph.size
    pc = split.pc.toarray()  # the periphery's rows by slot
    assert pc.shape == (periph.size, core.size)
    np.testing.assert_array_equal(pc[split.slot[periph]], dense[np.ix_(periph, core)])
    assert split.core_matrix is not None
    np.testing.assert_allclose(
        split.core_matrix.toarray(), np.eye(core.size) - dense[np.ix_(core, core)]
    )
    cp = dense[np.ix_(core, periph)]
    assert split.cp_nnz == np.count_nonzero(cp)
    assert split.cp_bound == pytest.approx(np.abs(cp).sum(axis=0).max())


def test_the_order_puts_every_product_after_its_users() -> None:
    A = _matrix(500, 4)
    split = _solver(A)
    rows = A.indices
    cols = np.repeat(np.arange(500), np.diff(A.indptr))
    slot = split.slot
    both = (slot[rows] >= 0) & (slot[cols] >= 0) & (rows != cols)
    assert both.any()
    # entry (i, j): product i is an input of its user j, so j comes first
    assert np.all(slot[cols[both]] < slot[rows[both]])


def test_iterative_matches_dense_both_ways() -> None:
    A = _matrix(600, 5)
    _check_both_ways(A, _solver(A))
    b = np.random.default_rng(0).random(600)
    solver = LeontiefSolver(A, method="iterative")
    M = np.eye(600) - A.toarray()
    np.testing.assert_allclose(solver.solve(b).x, np.linalg.solve(M, b), rtol=1e-9)
    np.testing.assert_allclose(
        solver.solve(b, transpose=True).x, np.linalg.solve(M.T, b), rtol=1e-9
    )


def test_an_order_that_is_not_a_dependency_order_is_remade(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Component labels in another numbering: the passes notice, Kahn's order takes over."""
    A = _matrix(500, 6)
    monkeypatch.setattr(cpm, "dependency_order", lambda labels, p: p[::-1].copy())
    with caplog.at_level(logging.INFO, logger="gosplan.balance.core_periphery"):
        split = _solver(A)
    assert "Kahn" in caplog.text
    _check_both_ways(A, split)


def test_core_and_periphery_that_feed_each_other_take_several_rounds() -> None:
    """The core uses periphery inputs and other periphery products use the core's: rounds."""
    rng = np.random.default_rng(8)
    n, c = 300, 40
    A = np.zeros((n, n))
    ring = np.arange(c)
    A[ring, np.roll(ring, -1)] = 0.3  # the cyclic core
    upstream, downstream = np.arange(c, 170), np.arange(170, n)
    A[np.ix_(upstream, ring)] = rng.random((upstream.size, c)) * (0.4 / upstream.size)
    A[np.ix_(ring, downstream)] = rng.random((c, downstream.size)) * (0.4 / c)
    A[np.ix_(upstream, downstream)] = rng.random((upstream.size, downstream.size)) * 0.002
    A[np.diag_indices(n)] += rng.random(n) * 0.2
    S = sp.csc_array(A)
    split = _solver(S, tol=1e-13)
    assert split.core.size == c
    b = rng.random(n)
    x, _, detail = split.solve(b, transpose=False)
    v, _, detail_t = split.solve(b, transpose=True)
    assert "1 rounds" not in detail and "1 rounds" not in detail_t
    M = np.eye(n) - A
    np.testing.assert_allclose(x, np.linalg.solve(M, b), rtol=1e-10)
    np.testing.assert_allclose(v, np.linalg.solve(M.T, b), rtol=1e-10)


def test_explicit_zeros_on_the_diagonal_are_no_self_use() -> None:
    A = _matrix(300, 11)
    zero = np.flatnonzero(A.diagonal() == 0)
    extra = sp.csc_array((np.full(zero.size, 1.0), (zero, zero)), shape=A.shape)
    B = sp.csc_array(A + extra)
    B.sort_indices()
    rows = B.indices
    cols = np.repeat(np.arange(B.shape[1]), np.diff(B.indptr))
    B.data[(rows == cols) & np.isin(cols, zero)] = 0.0  # stored, but zero
    assert B.nnz == A.nnz + zero.size
    _check_both_ways(B, _solver(B))


def test_a_periphery_product_using_a_unit_of_itself_is_refused() -> None:
    A = _matrix(200, 12).tolil()
    in_core, _ = components(sp.csc_array(A))
    j = int(np.flatnonzero(~in_core)[0])
    A[j, j] = 1.0
    with pytest.raises(SolverError, match=f"position {j} uses at least one unit of itself"):
        _solver(sp.csc_array(A))


@pytest.mark.parametrize("dense_max", [4000, 0])
def test_a_singular_core_block_is_refused(monkeypatch: pytest.MonkeyPatch, dense_max: int) -> None:
    """Two products each making one unit of the other per unit: ``I - A_CC`` is singular."""
    monkeypatch.setattr(cpm, "CORE_DENSE_MAX", dense_max)  # LAPACK and SuperLU
    A = sp.triu(sp.random_array((100, 100), density=0.05, rng=13), k=1).tolil() * 0.5
    A[1, 0] = 1.0
    A[0, 1] = 1.0
    with pytest.raises(SolverError, match="core block of I - A is singular"):
        _solver(sp.csc_array(A))


def test_no_core_and_all_core() -> None:
    upper = sp.csc_array(sp.triu(sp.random_array((50, 50), density=0.1, rng=1), k=1) * 0.5)
    split = _solver(upper)
    assert split.core.size == 0
    _check_both_ways(upper, split)
    ring = np.arange(50)
    cyc = sp.csc_array((np.full(50, 0.5), (ring, np.roll(ring, 1))), shape=(50, 50))
    split = _solver(cyc)
    assert split.core.size == 50 and split.order.size == 0
    _check_both_ways(cyc, split)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=60),
    density=st.floats(min_value=0.5, max_value=4.0),
    cycle=st.integers(min_value=0, max_value=10),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_solves_match_superlu(n: int, density: float, cycle: int, seed: int) -> None:
    A = _matrix(n, seed, density=density, cycle=min(cycle, n))
    split = _solver(A, tol=1e-13)
    b = np.random.default_rng(seed).random(n)
    M = sp.csc_array(sp.identity(n, format="csc") - A)
    x, _, _ = split.solve(b, transpose=False)
    v, _, _ = split.solve(b, transpose=True)
    np.testing.assert_allclose(x, spla.spsolve(M, b), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(v, spla.spsolve(sp.csc_array(M.T), b), rtol=1e-8, atol=1e-12)


def test_the_residual_products_on_threads_are_scipys(monkeypatch: pytest.MonkeyPatch) -> None:
    A = _matrix(600, 7)
    b = np.random.default_rng(1).random(600)
    monkeypatch.setattr(threaded_mod, "MIN_NNZ", 0)
    monkeypatch.setattr(threaded_mod, "available_threads", lambda: 2)
    np.testing.assert_allclose(solvers._times(A, b, False), A @ b, rtol=1e-13)
    np.testing.assert_allclose(solvers._times(A, b, True), A.T @ b, rtol=1e-13)


def test_dependency_order_is_by_decreasing_label() -> None:
    labels = np.array([4, 0, 3, 0, 1, 2])
    periphery = np.array([0, 2, 4, 5])
    np.testing.assert_array_equal(dependency_order(labels, periphery), [0, 2, 5, 4])


def test_the_gather_on_threads_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The periphery's columns gathered in pieces on threads: the same arrays as in one."""
    A = _matrix(700, 14)
    one = _solver(A)
    monkeypatch.setattr(threaded_mod, "MIN_NNZ", 0)
    monkeypatch.setattr(threaded_mod, "available_threads", lambda: 3)
    monkeypatch.setattr(cpm, "available_threads", lambda: 3)
    pieces = _solver(A)
    for name in ("_ptr", "_rows", "_vals", "order", "d"):
        np.testing.assert_array_equal(getattr(pieces, name), getattr(one, name))
    assert (pieces.cp_nnz, pieces.cp_bound) == (one.cp_nnz, one.cp_bound)
    _check_both_ways(A, pieces)
