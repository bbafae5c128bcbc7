"""Sparse matrix-vector products split over threads.

scipy's compiled CSR/CSC kernels release the GIL, so a product ``M @ x`` cut into pieces runs
on several cores from plain Python threads, without copying ``M``: each piece is a CSR slice
of whole rows (or a CSC slice of whole columns) that shares ``M``'s data and index arrays
(only its pointer array is new). Row pieces write disjoint parts of the result; column
pieces each make a full-length partial sum, added at the end.

Only worth it on large operators (:data:`MIN_NNZ`): below that the threads' start-up costs
more than it saves. Measured on a 10^7-product economy with 10^8 nonzeros
(``benchmarks/README.md``), where the residual check of every large balance uses it. The
pool (:func:`shared_pool`) also runs the core/periphery solver's compiled passes in pieces.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

#: Fewest nonzeros for which a product is split over threads.
MIN_NNZ = 4_000_000
#: Most threads used for one product.
MAX_THREADS = 8

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def available_threads() -> int:
    """Cores this process may run on (at most :data:`MAX_THREADS`)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


def _forget_pool() -> None:
    """In a forked child: the parent's pool threads do not exist there, make a new pool."""
    global _POOL, _POOL_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def shared_pool() -> ThreadPoolExecutor:
    """The process's pool of :func:`available_threads` threads (made on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(available_threads(), thread_name_prefix="gosplan-spmv")
        return _POOL


def _cuts(indptr: np.ndarray, parts: int) -> np.ndarray:
    """Major-axis positions cutting ``indptr``'s entries into ``parts`` pieces of equal nnz."""
    goals = np.linspace(0, int(indptr[-1]), parts + 1)
    cuts = np.searchsorted(indptr, goals, side="left")
    cuts[0], cuts[-1] = 0, len(indptr) - 1
    cuts = np.unique(cuts)
    if cuts.size < 2:  # no rows (columns): one empty piece
        cuts = np.array([0, len(indptr) - 1])
    return cuts


class SplitProduct:
    """``M @ x`` for a CSR or CSC matrix, computed in pieces on a thread pool.

    Parameters
    ----------
    M
        A ``scipy.sparse`` CSR or CSC array (not copied).
    parts
        Number of pieces (default: :func:`available_threads`).

    Attributes
    ----------
    shape, nnz
        Those of ``M``.
    """

    def __init__(self, M: sp.csr_array | sp.csc_array, parts: int | None = None) -> None:
        if M.format not in ("csr", "csc"):
            raise ValueError(f"SplitProduct needs a CSR or CSC matrix, got {M.format}")
        self.shape = M.shape
        self.nnz = int(M.nnz)
        self.by_rows = M.format == "csr"
        cuts = _cuts(M.indptr, parts or available_threads())
        self.cuts = cuts
        self.pieces: list[sp.csr_array | sp.csc_array] = []
        kind = sp.csr_array if self.by_rows else sp.csc_array
        for lo, hi in itertools.pairwise(cuts):
            a, b = int(M.indptr[lo]), int(M.indptr[hi])
            ptr = M.indptr[lo : hi + 1] - a
            shape = (int(hi - lo), M.shape[1]) if self.by_rows else (M.shape[0], int(hi - lo))
            # set the arrays on an empty matrix: scipy's constructor copies a view that is less
            # than half of its base (``_prune_array``), which would copy M piece by piece
            piece = kind(shape, dtype=M.dtype)
            piece.data, piece.indices, piece.indptr = M.data[a:b], M.indices[a:b], ptr
            self.pieces.append(piece)

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        if len(self.pieces) == 1:
            return self.pieces[0] @ x
        pool = shared_pool()
        cuts = self.cuts
        if self.by_rows:
            shape = (self.shape[0], *np.shape(x)[1:])  # a vector or a block of columns
            out = np.empty(shape, dtype=np.result_type(x, self.pieces[0].dtype))

            def rows(k: int) -> None:
                out[cuts[k] : cuts[k + 1]] = self.pieces[k] @ x

            list(pool.map(rows, range(len(self.pieces))))
            return out
        partial = pool.map(
            lambda k: self.pieces[k] @ x[cuts[k] : cuts[k + 1]], range(len(self.pieces))
        )
        total = None
        for part in partial:
            total = part if total is None else total + part
        return total  # type: ignore[return-value]


def worth_threads(nnz: int, min_nnz: int | None = None) -> bool:
    """Whether work over ``nnz`` nonzeros is worth splitting: large enough and 2+ cores.

    ``min_nnz``: the size from which to split (default :data:`MIN_NNZ`).
    """
    return nnz >= (MIN_NNZ if min_nnz is None else min_nnz) and available_threads() >= 2


def threaded(
    M: sp.csr_array | sp.csc_array, min_nnz: int | None = None
) -> sp.csr_array | sp.csc_array | SplitProduct:
    """``M`` itself, or a :class:`SplitProduct` of it where :func:`worth_threads` says so."""
    if not worth_threads(M.nnz, min_nnz) or M.format not in ("csr", "csc"):
        return M
    return SplitProduct(M)
