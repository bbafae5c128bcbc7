"""Sparse products split over threads agree with scipy's own product and copy nothing."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.balance.threaded import SplitProduct, available_threads, threaded


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 40),
    density=st.floats(0.0, 0.6),
    parts=st.integers(1, 6),
    fmt=st.sampled_from(["csr", "csc"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_split_product_equals_scipy(
    rows: int, cols: int, density: float, parts: int, fmt: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    M = sp.random_array((rows, cols), density=density, format=fmt, rng=rng)
    x = rng.standard_normal(cols)
    got = SplitProduct(M, parts) @ x
    np.testing.assert_allclose(got, M @ x, rtol=1e-12, atol=1e-12)
    assert got.shape == (rows,)
    X = rng.standard_normal((cols, 3))  # a block of right-hand sides
    np.testing.assert_allclose(SplitProduct(M, parts) @ X, M @ X, rtol=1e-12, atol=1e-12)
    one = SplitProduct(M, parts) @ X[:, :1]
    assert one.shape == (rows, 1)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_pieces_share_the_matrix_arrays(fmt: str) -> None:
    M = sp.random_array((200, 300), density=0.1, format=fmt, rng=np.random.default_rng(1))
    split = SplitProduct(M, 3)
    assert len(split.pieces) == 3
    assert sum(p.nnz for p in split.pieces) == M.nnz
    for piece in split.pieces:
        assert np.shares_memory(piece.data, M.data)
        assert np.shares_memory(piece.indices, M.indices)


def test_pieces_balance_the_nonzeros() -> None:
    M = sp.random_array((1000, 1000), density=0.05, format="csr", rng=np.random.default_rng(2))
    counts = [p.nnz for p in SplitProduct(M, 4).pieces]
    assert max(counts) - min(counts) <= 2 * max(np.diff(M.indptr))


def test_threaded_keeps_small_matrices_as_they_are() -> None:
    M = sp.random_array((50, 50), density=0.1, format="csr", rng=np.random.default_rng(3))
    assert threaded(M) is M
    big = threaded(M, min_nnz=0)
    if available_threads() >= 2:
        assert isinstance(big, SplitProduct)
        x = np.arange(50.0)
        np.testing.assert_allclose(big @ x, M @ x)
    else:
        assert big is M


def test_split_product_refuses_other_formats() -> None:
    with pytest.raises(ValueError, match="CSR or CSC"):
        SplitProduct(sp.coo_array(np.eye(3)))


def _product_in_child(queue: object) -> None:
    M = sp.random_array((300, 300), density=0.05, format="csr", rng=np.random.default_rng(4))
    x = np.ones(300)
    queue.put(bool(np.allclose(SplitProduct(M, 2) @ x, M @ x)))  # type: ignore[attr-defined]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_gets_its_own_pool() -> None:
    """The parent's pool threads do not exist in a forked child: it must not wait for them."""
    M = sp.random_array((300, 300), density=0.05, format="csr", rng=np.random.default_rng(4))
    SplitProduct(M, 2) @ np.ones(300)  # the parent's pool now exists
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_product_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive, "the forked child hung on the parent's thread pool"
    assert child.exitcode == 0
    assert queue.get(timeout=5) is True


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (4, 6)])
def test_empty_and_all_zero_matrices(fmt: str, shape: tuple[int, int]) -> None:
    M = sp.csr_array(shape) if fmt == "csr" else sp.csc_array(shape)
    x = np.ones(shape[1])
    got = SplitProduct(M, 3) @ x
    assert got.shape == (shape[0],)
    np.testing.assert_array_equal(got, np.zeros(shape[0]))
