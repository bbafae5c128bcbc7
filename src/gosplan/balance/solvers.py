"""Linear solvers for Leontief systems ``(I - A) x = y`` and ``x (I - A) = l``.

The inverse ``(I - A)^-1`` is never formed here. A solver is chosen from the size and density
of ``A``:

* ``"dense-lu"``: LU factorisation of the dense matrix (small tables, n <= 3000);
* ``"dense-lu32"``: the same LU in single precision (half the memory, about twice the speed)
  with iterative refinement in double precision (LAPACK's ``dsgesv`` scheme): each solve
  computes the residual with the float64 ``A`` and corrects with the float32 LU until the
  backward error is at float64's level; it reports ``"dense-lu32+refinement"``. When the
  refinement does not converge (``I - A`` too ill-conditioned for single precision) the
  matrix is factorised in float64 after all and the solve reports
  ``"dense-lu (float32 refinement failed)"``. Chosen by ``"auto"`` for dense tables of
  :data:`MIXED_MIN` to :data:`DENSE_LU_MAX` products, where it wins;
* ``"sparse-lu"``: SuperLU factorisation of the sparse matrix (sparse tables up to 1e4 rows);
* ``"iterative"``: for large tables. A dense (or nearly dense) matrix is solved with BiCGSTAB
  on multi-threaded BLAS matrix-vector products. A large sparse matrix is split by its strongly
  connected components into the **core** ``C`` (every product on a cycle of the input graph)
  and the acyclic **periphery** ``P``; block Gauss–Seidel then alternates an exact sparse LU
  solve of the small core block with one substitution pass over the periphery, taken in a
  dependency order (:mod:`gosplan.balance.core_periphery`). For a product-level economy with a
  cyclic core of basic products and a layered periphery this takes one or two outer rounds.
  When the core is too big to factorise, the whole system falls back to BiCGSTAB with a
  Neumann-series safeguard.

Every solve reports the relative residual it achieved, ``max|(I - A)x - b| / max|b|``, computed
with the full matrix after the solve; an iterative solve that misses the tolerance raises
:class:`~gosplan.errors.SolverError`. :class:`LeontiefSolver` prepares (factorises, analyses)
a matrix once for many solves in both directions, e.g. gross output and labour values.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import scipy.linalg as sla
import scipy.linalg.lapack as lapack
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from gosplan.balance.core_periphery import CorePeriphery, components
from gosplan.balance.threaded import threaded
from gosplan.errors import InputError, NotProductiveError, SolverError

log = logging.getLogger(__name__)

Method = Literal["auto", "dense-lu", "dense-lu32", "sparse-lu", "iterative"]
Matrix: TypeAlias = np.ndarray | sp.sparray | sp.spmatrix

DENSE_LU_MAX = 3000
MIXED_MIN = 2000  # from this size "auto" factorises a dense table in float32 (dense-lu32)
MAX_REFINE = 30  # refinement steps of dense-lu32 (LAPACK dsgesv's ITERMAX)
MIXED_METHOD = "dense-lu32+refinement"
MIXED_FALLBACK = "dense-lu (float32 refinement failed)"
SPARSE_LU_MAX = 10_000
DENSE_FRACTION = 0.1
CORE_LU_MAX = 100_000


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation, or ``None`` when unknown.

    ``MemAvailable`` of ``/proc/meminfo`` (Linux: free memory plus what the page cache can
    give back); else the free physical pages from :func:`os.sysconf`.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.3g} GiB"


def check_dense_memory(n: int, *, sparse: bool = True, itemsize: int = 8) -> None:
    """Refuse a dense LU of an ``n x n`` matrix that cannot fit in memory.

    Parameters
    ----------
    n
        Number of products.
    sparse
        The matrix is sparse (then ``"sparse-lu"`` is offered as well as ``"iterative"``).
    itemsize
        Bytes per entry of the factorised matrix (8, or 4 for ``"dense-lu32"``).

    Raises
    ------
    InputError
        Naming the size, the memory the dense LU needs, the memory available and the methods
        that work without a dense matrix (``check="too_large"``).
    """
    need = float(itemsize) * n * n  # I - A, factorised in place (plus n pivots)
    have = available_memory()
    if have is None or need <= have:
        return
    others = "sparse-lu (sparse tables) or iterative" if sparse else "iterative"
    raise InputError(
        f"dense-lu cannot factorise I - A of {n:,} products: the dense matrix is "
        f"{n:,} x {n:,} x {itemsize} bytes = {_gib(need)} and only {_gib(have)} of memory is "
        f"available. Use method "
        f"{others}, or auto (it chooses by size and density).",
        check="too_large",
    )


@dataclass(frozen=True)
class LinearSolution:
    """The outcome of one Leontief solve.

    Attributes
    ----------
    x
        The solution, shape ``(n,)`` or ``(n, k)`` like the right-hand side.
    method
        The method that ran (``"dense-lu"``, ``"dense-lu32+refinement"``, ``"dense-lu (float32
        refinement failed)"``, ``"sparse-lu"`` or ``"iterative"``).
    residual
        Relative residual ``max|(I - A)x - b| / max|b|`` (0 when ``b`` is zero), computed with
        the full matrix after the solve.
    iterations
        Matrix-vector products (full or block) used by the iterative method, or refinement
        steps of ``"dense-lu32"`` (0 for the other direct methods).
    detail
        How the iterative method ran (variant, core size, outer rounds); empty otherwise.
    """

    x: np.ndarray
    method: str
    residual: float
    iterations: int = 0
    detail: str = ""


def choose_method(A: Matrix) -> str:
    """Pick a solver for ``I - A`` from its size and density.

    Parameters
    ----------
    A
        Square coefficient matrix, dense or sparse.

    Returns
    -------
    str
        ``"dense-lu"`` (n <= 3000; ``"dense-lu32"`` for a dense array from 2000 products),
        ``"sparse-lu"`` (sparse, density below 10 %, n <= 1e4) or ``"iterative"`` (everything
        larger). Above 1e4 products the core/periphery split of the
        iterative method beats a SuperLU factorisation of the whole matrix by far on
        product-level economies (it factorises only the cyclic core; when the core is the
        whole matrix it is that factorisation).

    Examples
    --------
    >>> import numpy as np
    >>> choose_method(np.zeros((10, 10)))
    'dense-lu'
    """
    n = A.shape[0]
    dense = isinstance(A, np.ndarray) or not sp.issparse(A)
    if n <= DENSE_LU_MAX:
        return "dense-lu32" if dense and n >= MIXED_MIN else "dense-lu"
    if dense or isinstance(A, np.ndarray):
        return "iterative"
    density = A.nnz / float(n * n)
    if density >= DENSE_FRACTION:
        return "iterative"
    if n <= SPARSE_LU_MAX:
        return "sparse-lu"
    return "iterative"


def _times(A: Matrix, x: np.ndarray, transpose: bool) -> np.ndarray:
    """``A x`` or ``A^T x``; a large sparse ``A`` on several threads (no copy of ``A``)."""
    M = A.T if transpose else A
    if isinstance(M, (sp.csr_array, sp.csc_array)):
        return np.asarray(threaded(M) @ x)
    return np.asarray(M @ x)


def _relative_residual(A: Matrix, x: np.ndarray, b: np.ndarray, transpose: bool) -> float:
    Ax = _times(A, x, transpose)
    r = x - Ax - b
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    err = float(np.max(np.abs(r))) if r.size else 0.0
    return err / scale if scale > 0 else err


def _backward_error(A: Matrix, x: np.ndarray, b: np.ndarray, transpose: bool) -> float:
    """``max|(I - A)x - b| / max(|b| + |x| + |A||x|)``: the residual against rounding's scale.

    A product used by hundreds of thousands of others sums as many terms: its residual cannot
    fall below machine precision times that sum, however exact the solve.
    """
    Ax = _times(A, x, transpose)
    data = A if isinstance(A, np.ndarray) else A.data
    if (not data.size or float(np.min(data)) >= 0) and (not x.size or float(np.min(x)) >= 0):
        mag = np.abs(Ax)  # |A||x| = A x: no copy of A, no second product
    else:
        absA = abs(A)
        mag = (absA.T @ np.abs(x)) if transpose else (absA @ np.abs(x))
    r = x - Ax - b
    scale = float(np.max(np.abs(b) + np.abs(x) + mag)) if b.size else 0.0
    err = float(np.max(np.abs(r))) if r.size else 0.0
    return err / scale if scale > 0 else err


# ---------------------------------------------------------------------------- Krylov fallback
def _solve_krylov(M: Matrix, b: np.ndarray, tol: float, max_iter: int) -> tuple[np.ndarray, int]:
    """Solve ``x - M x = b`` for one right-hand side with BiCGSTAB, then the Neumann series.

    BiCGSTAB (restarted from its last iterate up to three times) does most of the work; if it
    stagnates the Neumann series ``x_{k+1} = b + M x_k`` finishes, which converges whenever the
    spectral radius of ``M`` is below 1.
    """
    n = b.shape[0]
    scale = float(np.max(np.abs(b)))
    if scale == 0.0:
        return np.zeros(n), 0
    counter = [0]

    def matvec(v: np.ndarray) -> np.ndarray:
        counter[0] += 1
        return v - M @ v

    op = spla.LinearOperator((n, n), matvec=matvec, dtype=float)
    # max-norm target: ||r||_2 <= tol * ||b||_2 / sqrt(n) implies max|r| <= tol * max|b|
    rtol = tol / np.sqrt(n) * 0.5
    x = b.copy()
    for _ in range(4):
        x_new, _info = spla.bicgstab(op, b, x0=x, rtol=rtol, atol=0.0, maxiter=max_iter)
        if not np.all(np.isfinite(x_new)):
            break
        x = x_new
        counter[0] += 1
        res = float(np.max(np.abs(x - M @ x - b))) / scale
        if res <= tol:
            return x, counter[0]
    log.info("BiCGSTAB did not reach %.1e; continuing with the Neumann series", tol)
    for _ in range(max_iter):
        x_new = b + M @ x
        counter[0] += 1
        step = float(np.max(np.abs(x_new - x)))
        x = x_new
        if step <= tol * scale * 0.5:
            break
    return x, counter[0]


# ---------------------------------------------------------------------------- the solver
class LeontiefSolver:
    """``I - A`` prepared once (factorised or analysed) for solves in both directions.

    Parameters
    ----------
    A
        Square technical coefficient matrix (dense ``ndarray`` or ``scipy.sparse``).
    method
        ``"auto"`` chooses by size and density (see :func:`choose_method`).
    tol
        Relative residual the iterative method must reach.
    max_iter
        Iteration limit of the iterative method.

    Raises
    ------
    SolverError
        If the matrix is not square or singular, or the method is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> solver = LeontiefSolver(np.array([[0.15, 0.25], [0.20, 0.05]]))
    >>> np.round(solver.solve(np.array([350.0, 1700.0])).x, 6)
    array([1000., 2000.])
    """

    def __init__(
        self, A: Matrix, *, method: Method = "auto", tol: float = 1e-10, max_iter: int = 10_000
    ) -> None:
        n = A.shape[0]
        if len(A.shape) != 2 or A.shape != (n, n):
            raise SolverError(f"the coefficient matrix must be square, got shape {A.shape}")
        self.n = n
        self.tol = tol
        self.max_iter = max_iter
        self.method = choose_method(A) if method == "auto" else method
        self.A: Matrix = A if sp.issparse(A) else np.asarray(A, dtype=float)
        self._dense_lu: tuple[np.ndarray, np.ndarray] | None = None
        self._lu32: tuple[np.ndarray, np.ndarray] | None = None
        self._norms = (0.0, 0.0)  # 1 + max row and column sums of |A| (dense-lu32)
        self._sparse_lu: spla.SuperLU | None = None
        self._blocks: CorePeriphery | None = None
        self._csr: sp.csr_array | None = None
        if self.method == "dense-lu":
            self._factor_dense()
        elif self.method == "dense-lu32":
            self._factor_dense32()
        elif self.method == "sparse-lu":
            self._factor_sparse()
        elif self.method == "iterative":
            self._analyse()
        else:
            raise SolverError(
                f"unknown method {method!r}; use auto, dense-lu, dense-lu32, sparse-lu or iterative"
            )

    # ------------------------------------------------------------------ preparation
    def _factor_dense(self) -> None:
        A = self.A
        check_dense_memory(self.n, sparse=sp.issparse(A))
        # I - A as one Fortran-ordered dense array, factorised in place (LAPACK's order: no
        # copy in lu_factor); the old eye(n) - dense held three n x n arrays at once
        if isinstance(A, np.ndarray):
            M = np.negative(np.asarray(A, dtype=float), order="F")
        else:
            M = A.toarray(order="F")
            np.negative(M, out=M)
        M[np.diag_indices(self.n)] += 1.0
        try:
            with np.errstate(all="raise"):
                lu = sla.lu_factor(M, check_finite=True, overwrite_a=True)
        except (FloatingPointError, ValueError, sla.LinAlgError) as exc:
            raise SolverError(f"I - A could not be factorised: {exc}") from exc
        if np.any(np.diag(lu[0]) == 0):
            raise SolverError("I - A is singular: the technology has no unique solution")
        self._dense_lu = lu

    def _factor_dense32(self) -> None:
        """LU of ``I - A`` in float32 (``sgetrf``); the float64 ``A`` stays for refinement.

        A float32 factorisation that fails (a zero pivot, or entries beyond float32's range)
        falls back to the float64 LU at once.
        """
        A = self.A
        check_dense_memory(self.n, sparse=sp.issparse(A), itemsize=4)
        if not isinstance(A, np.ndarray):
            self.A = A = A.toarray()  # refinement's residuals need A itself: keep it dense
        with np.errstate(over="ignore", invalid="ignore"):  # beyond float32: inf, see below
            M = np.negative(A, dtype=np.float32, order="F")
            # the scale of the residual's rounding, x - A x - b: 1 + ||A|| (rows, columns)
            self._norms = (1.0 + lapack.slange("I", M), 1.0 + lapack.slange("1", M))
            M[np.diag_indices(self.n)] += np.float32(1.0)
        lu, piv, info = lapack.sgetrf(M, overwrite_a=True)
        if info != 0 or not np.isfinite(sum(self._norms)):
            log.info("float32 LU of I - A failed (info %d); factorising in float64", info)
            del lu, M
            self._factor_dense()
            return
        self._lu32 = (lu, piv)

    def _solve_mixed(self, b: np.ndarray, transpose: bool) -> tuple[np.ndarray, int, str]:
        """Solve with the float32 LU and float64 refinement; fall back to float64 if it fails.

        Returns the solution, the refinement steps and the method that ran.
        """
        assert self._lu32 is not None and isinstance(self.A, np.ndarray)
        lu, piv = self._lu32
        trans = 1 if transpose else 0
        A = self.A.T if transpose else self.A
        B = b.reshape(self.n, -1)
        X = lapack.sgetrs(lu, piv, B.astype(np.float32), trans=trans)[0].astype(np.float64)
        # LAPACK dsgesv's test, ||r|| <= ||x|| (1 + ||A||) eps sqrt(n), per column
        norm = self._norms[1] if transpose else self._norms[0]
        cte = norm * np.finfo(np.float64).eps * np.sqrt(self.n)
        last = np.inf
        for step in range(MAX_REFINE + 1):
            R = B - (X - A @ X)
            err = np.max(np.abs(R), axis=0) if R.size else np.zeros(0)
            if np.all(err <= cte * np.max(np.abs(X), axis=0, initial=0.0)):
                return X.reshape(b.shape), step, MIXED_METHOD
            worst = float(np.max(err))
            if step == MAX_REFINE or not np.isfinite(worst) or worst > 0.5 * last:
                break  # no convergence, or stagnation: single precision is not enough
            last = worst
            X += lapack.sgetrs(lu, piv, R.astype(np.float32), trans=trans)[0]
        log.info("float32 refinement of I - A stalled; factorising in float64")
        self._lu32 = None
        self._factor_dense()
        assert self._dense_lu is not None
        return sla.lu_solve(self._dense_lu, b, trans=trans), 0, MIXED_FALLBACK

    def _factor_sparse(self) -> None:
        M = sp.identity(self.n, format="csc") - sp.csc_array(self.A)
        try:
            self._sparse_lu = spla.splu(sp.csc_matrix(M))
        except RuntimeError as exc:
            raise SolverError(f"I - A is singular: {exc}") from exc

    def _analyse(self) -> None:
        if isinstance(self.A, np.ndarray) or self.A.nnz >= DENSE_FRACTION * float(self.n) ** 2:
            if not isinstance(self.A, np.ndarray):
                self.A = self.A.toarray()
            return
        A = sp.csc_array(self.A)
        A.sum_duplicates()
        self.A = A
        in_core, labels = components(A)
        n_core = int(np.count_nonzero(in_core))
        if n_core <= CORE_LU_MAX:
            self._blocks = CorePeriphery(A, in_core, labels, self.tol)
        else:
            log.info("core of %d products is too big to factorise; using BiCGSTAB", n_core)

    # ------------------------------------------------------------------ solving
    def solve(
        self, b: np.ndarray, *, transpose: bool = False, check_productive: bool = False
    ) -> LinearSolution:
        """Solve ``(I - A) x = b`` (or ``(I - A)^T x = b`` with ``transpose=True``).

        Parameters
        ----------
        b
            Right-hand side, shape ``(n,)`` or ``(n, k)``.
        transpose
            Solve the transposed system, as for labour values ``v (I - A) = l``.
        check_productive
            When ``A`` and ``b`` are non-negative, a solution with a negative entry proves
            that the spectral radius of ``A`` is at least 1 (for a productive ``A`` the
            solution is the non-negative series ``b + A b + A^2 b + ...``): raise
            :class:`~gosplan.errors.NotProductiveError` then.

        Returns
        -------
        LinearSolution

        Raises
        ------
        SolverError
            If the right-hand side does not fit, the result is not finite, or the iterative
            method misses the tolerance.
        NotProductiveError
            With ``check_productive``, if the solution proves ``A`` not productive.
        """
        b = np.asarray(b, dtype=float)
        if b.ndim not in (1, 2) or b.shape[0] != self.n:
            raise SolverError(f"right-hand side has {b.shape[0]} rows, the matrix {self.n}")
        x, iterations, detail, ran = self._dispatch(b, transpose)
        if not np.all(np.isfinite(x)):
            raise SolverError(
                f"the {self.method} solve produced non-finite values: is I - A singular?"
            )
        if check_productive:
            self._check_productive(x, b)
        residual = _relative_residual(self.A, x, b, transpose)
        if (
            self.method == "iterative"
            and residual > self.tol
            and _backward_error(self.A, x, b, transpose) > self.tol
        ):
            raise SolverError(
                f"the iterative solver reached only a relative residual of {residual:.2e} "
                f"(asked for {self.tol:.0e}) after {iterations} products; the spectral radius "
                "of A may be at or above 1"
            )
        return LinearSolution(
            x=x, method=ran, residual=residual, iterations=iterations, detail=detail
        )

    def _dispatch(self, b: np.ndarray, transpose: bool) -> tuple[np.ndarray, int, str, str]:
        """The solve itself: solution, iterations, detail and the method that ran."""
        if self._lu32 is not None:
            x, steps, ran = self._solve_mixed(b, transpose)
            return x, steps, "", ran
        ran = MIXED_FALLBACK if self.method == "dense-lu32" else self.method
        if self._dense_lu is not None:
            return sla.lu_solve(self._dense_lu, b, trans=1 if transpose else 0), 0, "", ran
        if self._sparse_lu is not None:
            return self._sparse_lu.solve(b, trans="T" if transpose else "N"), 0, "", ran
        iterations, detail = 0, ""
        cols = [b] if b.ndim == 1 else [b[:, k] for k in range(b.shape[1])]
        xs = []
        for col in cols:
            xk, it, detail = self._solve_one(col, transpose)
            xs.append(xk)
            iterations += it
        return (xs[0] if b.ndim == 1 else np.column_stack(xs)), iterations, detail, ran

    def _check_productive(self, x: np.ndarray, b: np.ndarray) -> None:
        A = self.A
        data = A if isinstance(A, np.ndarray) else A.data
        if data.size == 0 or float(np.min(data)) < 0 or float(np.min(b, initial=0.0)) < 0:
            return
        floor = -1e-9 * max(1.0, float(np.max(np.abs(x), initial=0.0)))
        bad = np.flatnonzero(np.min(x, axis=1) < floor if x.ndim == 2 else x < floor)
        if bad.size:
            raise NotProductiveError(
                "the technology is not productive (Hawkins-Simon condition fails: the "
                "spectral radius of A is at least 1): a non-negative right-hand side gives a "
                f"negative solution at position {int(bad[0])}",
                check="not_productive",
            )

    def _solve_one(self, b: np.ndarray, transpose: bool) -> tuple[np.ndarray, int, str]:
        if self._blocks is not None:
            return self._blocks.solve(b, transpose)
        A = self.A
        if sp.issparse(A):
            if transpose:
                M: Matrix = sp.csc_array(A).T
            else:
                if self._csr is None:
                    self._csr = sp.csr_array(A)
                M = self._csr
        else:
            M = A.T if transpose else A
        x, it = _solve_krylov(M, b, self.tol, self.max_iter)
        return x, it, "bicgstab"


def solve_leontief(
    A: Matrix,
    b: np.ndarray,
    *,
    transpose: bool = False,
    method: Method = "auto",
    tol: float = 1e-10,
    max_iter: int = 10_000,
    check_productive: bool = False,
) -> LinearSolution:
    """Solve ``(I - A) x = b`` (or ``(I - A)^T x = b`` with ``transpose=True``).

    For several solves with the same matrix (gross output and labour values, say), prepare it
    once with :class:`LeontiefSolver`.

    Parameters
    ----------
    A
        Square technical coefficient matrix (dense ``ndarray`` or ``scipy.sparse``).
    b
        Right-hand side, shape ``(n,)`` or ``(n, k)``; a factorisation is reused for all ``k``
        columns.
    transpose
        Solve the transposed system, as for labour values ``v (I - A) = l``.
    method
        ``"auto"`` chooses by size and density (see :func:`choose_method`).
    tol
        Relative residual the iterative method must reach.
    max_iter
        Iteration limit of the iterative method.
    check_productive
        Raise :class:`~gosplan.errors.NotProductiveError` when non-negative ``A`` and ``b``
        give a negative solution (see :meth:`LeontiefSolver.solve`).

    Returns
    -------
    LinearSolution
        The solution with the method used and its achieved residual.

    Raises
    ------
    SolverError
        If the matrix is singular or the iterative method does not converge.
    NotProductiveError
        With ``check_productive``, if the solution proves ``A`` not productive.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> sol = solve_leontief(A, np.array([350.0, 1700.0]))
    >>> np.round(sol.x, 6)
    array([1000., 2000.])
    """
    b = np.asarray(b, dtype=float)
    n = A.shape[0]
    if len(A.shape) != 2 or A.shape != (n, n):
        raise SolverError(f"the coefficient matrix must be square, got shape {A.shape}")
    if b.shape[0] != n:
        raise SolverError(f"right-hand side has {b.shape[0]} rows, the matrix {n}")
    solver = LeontiefSolver(A, method=method, tol=tol, max_iter=max_iter)
    return solver.solve(b, transpose=transpose, check_productive=check_productive)


def spectral_radius(A: Matrix, *, tol: float = 1e-6) -> float:
    """Estimate the spectral radius (Perron root) of a non-negative square matrix.

    Small matrices use a dense eigenvalue computation; large ones a power iteration on the
    non-negative matrix, which converges to the Perron root from a positive start vector.

    Parameters
    ----------
    A
        Non-negative square matrix.
    tol
        Relative tolerance of the power iteration.

    Returns
    -------
    float
        The (estimated) spectral radius: an upper (Collatz–Wielandt) bound for large matrices.
    """
    n = A.shape[0]
    if n == 0:
        return 0.0
    if n <= 500:
        if isinstance(A, np.ndarray) or not sp.issparse(A):
            dense = np.asarray(A, dtype=float)
        else:
            dense = A.toarray()
        return float(np.max(np.abs(np.linalg.eigvals(dense))))
    M = sp.csr_array(A) if sp.issparse(A) else np.asarray(A)
    # Collatz–Wielandt bounds: min_i (Mx)_i / x_i <= rho <= max_i (Mx)_i / x_i for x > 0.
    x = np.ones(n)
    upper = np.inf
    for _ in range(500):
        y = M @ x + 1e-300
        ratios = y / x
        upper = float(np.max(ratios))
        lower = float(np.min(ratios))
        if upper - lower <= tol * max(upper, 1e-12):
            break
        x = y / np.max(y)
    return upper
