"""Large sparse Leontief systems: a factorised cyclic core and a periphery solved by substitution.

A product-level economy has a small **core** ``C`` of basic products that use each other (every
product on a cycle of the input graph: a strong component of more than one product, found by
scipy) and a large acyclic **periphery** ``P``. Block Gauss–Seidel alternates an exact sparse LU
solve of the core block with an exact solve of the periphery block; one or two rounds settle a
typical economy.

The periphery block needs no factorisation: taken in a **dependency order** (every product
after the products that use it) ``I - A_PP`` is triangular, so one substitution pass solves
it, in place of as many Jacobi sweeps as the periphery is deep. The periphery's columns of
``A`` are gathered once into that order (rows renumbered as slots, the core's rows as slots
``p + k`` of the same vector); the passes, compiled with numba, then read them front to back:
for ``(I - A) x = b`` each column ``k``, once ``x_k`` is final, adds ``a x_k`` to the rows it
feeds (and to the core's right-hand side); for ``(I - A)^T v = l`` each column sums ``l_k``
and ``a v_i`` over the products it uses, all final by then. The core's columns are cut out
as two small blocks (core rows, periphery rows).

scipy numbers strong components in an order of their dependencies (Pearce's algorithm
completes a component after every component it reaches), so the periphery by decreasing label
of the input graph ``A^T`` is a dependency order. That is scipy's implementation, not its
promise: the gather counts the entries that break the order, and when there are any the order
is made again by Kahn's algorithm (users first) and the columns gathered again.
"""

from __future__ import annotations

import itertools
import logging
import warnings
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numba import njit
from scipy.sparse.csgraph import connected_components

from gosplan.balance.threaded import available_threads, shared_pool, worth_threads
from gosplan.errors import SolverError

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Most rounds of block Gauss–Seidel between core and periphery.
MAX_OUTER = 200
#: Largest core factorised as a dense matrix (LAPACK); larger cores use SuperLU.
CORE_DENSE_MAX = 4000


# ---------------------------------------------------------------------------- compiled passes
@njit(cache=True, nogil=True)
def _count_periphery(indptr, indices, slot, ptr, lo, hi):  # type: ignore[no-untyped-def]
    """``ptr[k + 1]``: the entries of column ``j`` in ``[lo, hi)`` (slot ``k``) off the diagonal."""
    for j in range(lo, hi):
        k = slot[j]
        if k >= 0:
            stored = indptr[j + 1] - indptr[j]
            for e in range(indptr[j], indptr[j + 1]):
                stored -= indices[e] == j
            ptr[k + 1] = stored


@njit(cache=True, nogil=True)
def _gather_periphery(indptr, indices, data, code, slot, ptr, rows, vals, lo, hi):  # type: ignore[no-untyped-def]
    """The periphery's columns of ``A`` by slot, without the diagonal, rows renumbered.

    ``code[i]`` is the slot of periphery product ``i`` and ``p +`` the core index of a core
    product (``p`` the periphery's size): one vector of ``p + c`` entries then holds the
    periphery's values and the core's, and no pass branches on core or periphery (half the
    entries of a product-level economy are core rows, in no order a branch predictor could
    follow). ``A``'s columns ``[lo, hi)`` are read front to back and each written to its
    place. Returns the number of periphery entries not after their column: none when the
    slots are a dependency order.
    """
    disorder = 0
    for j in range(lo, hi):
        k = slot[j]
        if k < 0:
            continue
        out = ptr[k]
        for e in range(indptr[j], indptr[j + 1]):
            i = indices[e]
            if i == j:
                continue
            c = code[i]
            rows[out] = c
            vals[out] = data[e]
            out += 1
            disorder += c <= k
    return disorder


@njit(cache=True, nogil=True)
def _core_rows(ptr, rows, vals, lo, hi):  # type: ignore[no-untyped-def]
    """Entries of ``A_CP`` in gathered columns ``[lo, hi)``, their largest column sum of ``|a|``.

    The sum bounds ``|A_CP^T u|`` by ``max|u|``. A pass of its own: folded into the gather it
    slowed the gather by more than this pass takes.
    """
    p = ptr.size - 1
    count = 0
    bound = 0.0
    for k in range(lo, hi):
        column = 0.0
        for e in range(ptr[k], ptr[k + 1]):
            if rows[e] >= p:
                count += 1
                column += abs(vals[e])
        bound = max(bound, column)
    return count, bound


@njit(cache=True, nogil=True)
def _forward_pass(ptr, rows, vals, d, z):  # type: ignore[no-untyped-def]
    """``(D - N) x = r`` over the gathered columns: ``z = [r, 0]`` becomes ``[x, A_CP x]``.

    Each final ``x_k`` (``r_k / d_k``, stored over ``r_k``) adds its column to the rows it
    feeds, core rows included.
    """
    for k in range(d.size):
        xk = z[k] / d[k]
        z[k] = xk
        for e in range(ptr[k], ptr[k + 1]):
            z[rows[e]] += vals[e] * xk


@njit(cache=True, nogil=True)
def _backward_pass(ptr, rows, vals, d, rhs, w):  # type: ignore[no-untyped-def]
    """``(D - N)^T v = rhs + A_CP^T v_C`` over the gathered columns, last slot first.

    ``w = [v, v_C]``: the periphery's part is written, the core's read.
    """
    for k in range(d.size - 1, -1, -1):
        acc = rhs[k]
        for e in range(ptr[k], ptr[k + 1]):
            acc += vals[e] * w[rows[e]]
        w[k] = acc / d[k]


@njit(cache=True, nogil=True)
def _users_first(indptr, indices, slot):  # type: ignore[no-untyped-def]
    """Kahn's algorithm on the periphery: each product after every product that uses it.

    Returns the order found; shorter than the periphery when the periphery has a cycle.
    """
    n = slot.size
    users = np.zeros(n, dtype=np.int64)
    size = 0
    for j in range(n):
        if slot[j] < 0:
            continue
        size += 1
        for e in range(indptr[j], indptr[j + 1]):
            i = indices[e]
            if i != j and slot[i] >= 0:
                users[i] += 1
    order = np.empty(size, dtype=np.int64)
    tail = 0
    for j in range(n):
        if slot[j] >= 0 and users[j] == 0:
            order[tail] = j
            tail += 1
    head = 0
    while head < tail:
        j = order[head]
        head += 1
        for e in range(indptr[j], indptr[j + 1]):
            i = indices[e]
            if i != j and slot[i] >= 0:
                users[i] -= 1
                if users[i] == 0:
                    order[tail] = i
                    tail += 1
    return order[:tail]


# ---------------------------------------------------------------------------- the split
def components(A: sp.csc_array) -> tuple[np.ndarray, np.ndarray]:
    """Products on a cycle of the input graph (a strong component of size > 1), and the labels.

    The labels are scipy's strong components of the input graph ``A^T``.
    """
    _, labels = connected_components(A.T, directed=True, connection="strong")
    sizes = np.bincount(labels)
    return sizes[labels] > 1, labels


def dependency_order(labels: np.ndarray, periphery: np.ndarray) -> np.ndarray:
    """The periphery by decreasing component label: each product after its users (see above).

    A counting sort: the labels of products on no cycle are distinct.
    """
    by_label = np.full(int(labels.max(initial=-1)) + 1, -1, dtype=np.int64)
    by_label[labels[periphery]] = periphery
    return np.ascontiguousarray(by_label[by_label >= 0][::-1])


def _in_pieces(kernel: Callable[..., T], indptr: np.ndarray, *args: object) -> list[T]:
    """``kernel(indptr, *args, lo, hi)`` over column ranges, on threads when ``A`` is large.

    The ranges hold about equal numbers of entries (cut by ``indptr``); the kernels release
    the GIL and write disjoint parts of their outputs.
    """
    n = indptr.size - 1
    if not worth_threads(int(indptr[-1])):
        return [kernel(indptr, *args, 0, n)]
    parts = available_threads()
    targets = (np.arange(1, parts) * (int(indptr[-1]) // parts)).astype(indptr.dtype)
    bounds = [0, *(int(c) for c in np.searchsorted(indptr, targets)), n]
    futures = [
        shared_pool().submit(kernel, indptr, *args, lo, hi) for lo, hi in itertools.pairwise(bounds)
    ]
    return [f.result() for f in futures]


class CorePeriphery:
    """``I - A`` (canonical CSC) prepared for exact solves by core LU and periphery passes.

    Parameters
    ----------
    A
        Square coefficient matrix, canonical CSC.
    in_core, labels
        From :func:`components`.
    tol
        Relative accuracy at which the rounds between core and periphery stop.

    Raises
    ------
    SolverError
        If a periphery product uses at least one unit of itself per unit, or the core block of
        ``I - A`` is singular.

    Notes
    -----
    The periphery's columns are gathered once in the dependency order (one compiled pass,
    rows renumbered as slots): the passes then read them front to back, where taking ``A``'s
    columns in that order jumps about memory (about five times slower on 10^8 nonzeros).
    """

    def __init__(
        self, A: sp.csc_array, in_core: np.ndarray, labels: np.ndarray, tol: float
    ) -> None:
        self.tol = tol
        n = A.shape[0]
        self.core = np.flatnonzero(in_core)
        c = self.core.size
        diag = 1.0 - A.diagonal()
        periphery = np.flatnonzero(~in_core)
        bad = periphery[diag[periphery] <= 0]
        if bad.size:
            raise SolverError(
                f"product at position {int(bad[0])} uses at least one unit of itself per unit: "
                "I - A is not productive"
            )
        self.slot = np.full(n, -1, dtype=np.int64)
        core_index = np.full(n, -1, dtype=np.int64)
        core_index[self.core] = np.arange(c)
        self._gather(A, dependency_order(labels, periphery), core_index)
        if self._disorder:
            log.info("periphery out of dependency order; ordering it by Kahn's algorithm")
            order = _users_first(A.indptr, A.indices, self.slot)
            if order.size != self.order.size:
                raise SolverError("the periphery of the input graph has a cycle")
            self._gather(A, order, core_index)
        self.d = diag[self.order]
        # the core's columns: core rows (local numbering) and periphery rows (slots)
        cols = sp.csc_array(A[:, self.core])
        rows, data = cols.indices, cols.data
        owner = np.repeat(np.arange(c), np.diff(cols.indptr))
        local = self.slot[rows] < 0
        cc = sp.csc_array((data[local], (core_index[rows[local]], owner[local])), shape=(c, c))
        self.pc = sp.csr_array(
            (data[~local], (self.slot[rows[~local]], owner[~local])),
            shape=(self.order.size, c),
        )
        self.core_matrix = sp.csr_array(sp.identity(c, format="csr") - cc)
        self.lu = _CoreLU(self.core_matrix) if c else None

    def _gather(self, A: sp.csc_array, order: np.ndarray, core_index: np.ndarray) -> None:
        """Gather the periphery's columns in ``order``.

        The arrays are numpy's (the kernels only fill them): numpy asks the kernel for huge
        pages on large arrays, numba's own allocations get none, and the pass writes its
        columns all over them (on 10^8 nonzeros 9.4-11 s into numba's arrays, 6.3-6.5 s
        into numpy's, one thread).
        """
        p = order.size
        self.order = order
        self.slot[order] = np.arange(p)
        small = np.int32 if self.slot.size < np.iinfo(np.int32).max else np.int64
        code = np.where(self.slot >= 0, self.slot, p + core_index).astype(small)
        ptr = np.zeros(p + 1, dtype=np.int64)
        _in_pieces(_count_periphery, A.indptr, A.indices, self.slot, ptr)
        np.cumsum(ptr, out=ptr)
        self._ptr = ptr
        self._rows = np.empty(int(ptr[-1]), dtype=small)
        self._vals = np.empty(int(ptr[-1]))
        found = _in_pieces(
            _gather_periphery, A.indptr, A.indices, A.data, code, self.slot,
            ptr, self._rows, self._vals,
        )  # fmt: skip
        self._disorder = sum(found)
        counts = _in_pieces(_core_rows, ptr, self._rows, self._vals)
        self.cp_nnz = sum(c for c, _ in counts)
        self.cp_bound = max(b for _, b in counts)

    def solve(self, b: np.ndarray, transpose: bool) -> tuple[np.ndarray, int, str]:
        """``(I - A) x = b`` (or the transposed system): solution, passes, detail."""
        scale = float(np.max(np.abs(b))) if b.size else 0.0
        if scale == 0.0:
            return np.zeros(b.shape[0]), 0, "core-periphery"
        target = self.tol * scale * 0.25
        run = self._solve_transposed if transpose else self._solve_forward
        x_p, x_c, passes, rounds = run(b[self.order], b[self.core], target)
        x = np.empty(b.shape[0])
        x[self.order] = x_p
        x[self.core] = x_c
        return x, passes, f"core-periphery: core {self.core.size}, {rounds} rounds"

    def _core_solve(self, rhs: np.ndarray, transpose: bool) -> np.ndarray:
        """The core block, with one step of iterative refinement (SuperLU leaves ~1e-10)."""
        if self.lu is None:
            return np.zeros(0)
        x = self.lu.solve(rhs, transpose)
        M = self.core_matrix.T if transpose else self.core_matrix
        return x + self.lu.solve(rhs - M @ x, transpose)

    def _solve_forward(
        self, b_p: np.ndarray, b_c: np.ndarray, target: float
    ) -> tuple[np.ndarray, np.ndarray, int, int]:
        pc, p, c = self.pc, b_p.size, self.core.size
        z = np.zeros(p + c)  # [x_P, A_CP x_P]
        x_c = np.zeros(c)
        # start with the core when the periphery depends on it more than the other way round
        if c and pc.nnz > self.cp_nnz:
            x_c = self._core_solve(b_c, False)
        for rounds in range(1, MAX_OUTER + 1):
            z[:p] = b_p + pc @ x_c if pc.nnz else b_p
            z[p:] = 0.0
            _forward_pass(self._ptr, self._rows, self._vals, self.d, z)
            x_p = z[:p]
            if not c:
                return x_p, x_c, rounds, rounds
            x_c_new = self._core_solve(b_c + z[p:], False)
            delta, x_c = x_c_new - x_c, x_c_new
            # the core rows now balance exactly; the periphery rows are off by A_PC delta
            if not pc.nnz or float(np.max(np.abs(pc @ delta))) <= target:
                return x_p, x_c, rounds, rounds
        raise _not_settled()

    def _solve_transposed(
        self, b_p: np.ndarray, b_c: np.ndarray, target: float
    ) -> tuple[np.ndarray, np.ndarray, int, int]:
        pc, p, c = self.pc, b_p.size, self.core.size
        w = np.zeros(p + c)  # [v_P, v_C]
        v_c = np.zeros(c)
        if c and self.cp_nnz > pc.nnz:
            v_c = self._core_solve(b_c, True)
        for rounds in range(1, MAX_OUTER + 1):
            w[p:] = v_c
            _backward_pass(self._ptr, self._rows, self._vals, self.d, b_p, w)
            v_p = w[:p]
            if not c:
                return v_p, v_c, rounds, rounds
            v_c_new = self._core_solve(b_c + pc.T @ v_p, True)
            delta, v_c = v_c_new - v_c, v_c_new
            # the periphery is off by A_CP^T delta, at most cp_bound * max|delta|
            if self.cp_bound * float(np.max(np.abs(delta), initial=0.0)) <= target:
                return v_p, v_c, rounds, rounds
        raise _not_settled()


class _CoreLU:
    """LU factors of the core block ``I - A_CC``: dense up to :data:`CORE_DENSE_MAX` products.

    A core of basic products that all use each other fills in: SuperLU took four times as
    long as LAPACK on the 2,772-product core of a 10^7-product economy (a third dense).
    """

    def __init__(self, m: sp.csr_array) -> None:
        self.dense: tuple[np.ndarray, np.ndarray] | None = None
        self.sparse: spla.SuperLU | None = None
        if m.shape[0] <= CORE_DENSE_MAX:
            with warnings.catch_warnings():  # a zero pivot: checked just below
                warnings.simplefilter("ignore", sla.LinAlgWarning)
                lu, piv = sla.lu_factor(m.toarray(), check_finite=False)
            if not np.all(np.isfinite(lu)) or np.any(np.diag(lu) == 0):
                raise SolverError("the core block of I - A is singular")
            self.dense = (lu, piv)
            return
        try:
            self.sparse = spla.splu(sp.csc_matrix(m))
        except RuntimeError as exc:
            raise SolverError(f"the core block of I - A is singular: {exc}") from exc

    def solve(self, rhs: np.ndarray, transpose: bool) -> np.ndarray:
        if self.dense is not None:
            return np.asarray(
                sla.lu_solve(self.dense, rhs, trans=1 if transpose else 0, check_finite=False)
            )
        assert self.sparse is not None
        return np.asarray(self.sparse.solve(rhs, trans="T" if transpose else "N"))


def _not_settled() -> SolverError:
    return SolverError(
        f"block Gauss-Seidel did not settle in {MAX_OUTER} rounds: the spectral radius of A "
        "may be at or above 1"
    )
