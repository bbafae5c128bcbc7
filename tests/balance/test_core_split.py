"""The core/periphery split: blocks cut by masks, with diagonals in core and periphery."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from gosplan.balance import solvers
from gosplan.balance import threaded as threaded_mod
from gosplan.balance.solvers import LeontiefSolver, _core_mask, _split
from gosplan.balance.threaded import SplitProduct


def _matrix(n: int, seed: int) -> sp.csc_array:
    rng = np.random.default_rng(seed)
    A = sp.random_array((n, n), density=3.0 / n, rng=rng, format="csc") * 0.2
    diag = rng.random(n) * 0.3 * (rng.random(n) < 0.5)  # self-use on core and periphery
    cycle = sp.csc_array((np.full(3, 0.2), ([0, 1, 2], [1, 2, 0])), shape=(n, n))
    M = sp.csc_array(A + sp.diags_array(diag, format="csc") + cycle)
    M.sum_duplicates()
    return M


def test_blocks_reassemble_the_matrix() -> None:
    A = _matrix(400, 3)
    in_core = _core_mask(A)
    bl = _split(A, in_core)
    dense = A.toarray()
    core, periph = bl.core, bl.periph
    assert core.size and periph.size
    np.testing.assert_array_equal(bl.cp.toarray(), dense[np.ix_(core, periph)])
    np.testing.assert_array_equal(bl.pc.toarray(), dense[np.ix_(periph, core)])
    pp = dense[np.ix_(periph, periph)]
    np.testing.assert_array_equal(bl.pp_diag, 1.0 - np.diag(pp))
    np.testing.assert_array_equal(bl.pp.toarray(), pp - np.diag(np.diag(pp)))
    assert not np.any(bl.pp.diagonal())


def test_iterative_matches_dense_both_ways() -> None:
    A = _matrix(600, 5)
    b = np.random.default_rng(0).random(600)
    solver = LeontiefSolver(A, method="iterative")
    M = np.eye(600) - A.toarray()
    x = solver.solve(b).x
    v = solver.solve(b, transpose=True).x
    np.testing.assert_allclose(x, np.linalg.solve(M, b), rtol=1e-9)
    np.testing.assert_allclose(v, np.linalg.solve(M.T, b), rtol=1e-9)


def test_threaded_split_and_sweeps_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the thresholds at 0 the blocks are cut and multiplied on threads: same numbers."""
    A = _matrix(600, 7)
    b = np.random.default_rng(1).random(600)
    M = np.eye(600) - A.toarray()
    monkeypatch.setattr(threaded_mod, "MIN_NNZ", 0)
    monkeypatch.setattr(threaded_mod, "available_threads", lambda: 2)
    in_core = _core_mask(A)
    bl = _split(A, in_core)
    dense = A.toarray()
    np.testing.assert_array_equal(bl.cp.toarray(), dense[np.ix_(bl.core, bl.periph)])
    pp = dense[np.ix_(bl.periph, bl.periph)]
    np.testing.assert_array_equal(bl.pp.toarray(), pp - np.diag(np.diag(pp)))
    split = solvers._CorePeriphery(A, in_core, tol=1e-12, max_iter=10_000)
    assert isinstance(split._op("pp", False), SplitProduct)
    assert isinstance(split._op("pp", True), SplitProduct)
    x, _, _ = split.solve(b, transpose=False)
    v, _, _ = split.solve(b, transpose=True)
    np.testing.assert_allclose(x, np.linalg.solve(M, b), rtol=1e-9)
    np.testing.assert_allclose(v, np.linalg.solve(M.T, b), rtol=1e-9)
    # the residual's products, split over threads, are scipy's
    np.testing.assert_allclose(solvers._times(A, b, False), A @ b, rtol=1e-13)
    np.testing.assert_allclose(solvers._times(A, b, True), A.T @ b, rtol=1e-13)
    full = LeontiefSolver(A, method="iterative").solve(b)
    np.testing.assert_allclose(full.x, np.linalg.solve(M, b), rtol=1e-9)


def test_explicit_zeros_on_the_diagonal_are_left_out_of_the_periphery_block() -> None:
    A = _matrix(300, 11)
    # store an explicit 0 on the diagonal of every column that has no self-use
    d = A.diagonal()
    zero = np.flatnonzero(d == 0)
    extra = sp.csc_array((np.full(zero.size, 1.0), (zero, zero)), shape=A.shape)
    B = sp.csc_array(A + extra)
    B.sort_indices()
    rows = B.indices
    cols = np.repeat(np.arange(B.shape[1]), np.diff(B.indptr))
    B.data[(rows == cols) & np.isin(cols, zero)] = 0.0  # stored, but zero
    assert B.nnz == A.nnz + zero.size
    bl = _split(B, _core_mask(A))
    dense = A.toarray()
    pp = dense[np.ix_(bl.periph, bl.periph)]
    np.testing.assert_array_equal(bl.pp.toarray(), pp - np.diag(np.diag(pp)))
    assert not np.any(bl.pp.diagonal())
    assert bl.pp.nnz == np.count_nonzero(pp - np.diag(np.diag(pp)))
