"""Linear solvers for Leontief systems ``(I - A) x = y`` and ``x (I - A) = l``.

The inverse ``(I - A)^-1`` is never formed here. A solver is chosen from the size and density
of ``A``:

* ``"dense-lu"``: LU factorisation of the dense matrix (small tables, n <= 3000);
* ``"sparse-lu"``: SuperLU factorisation of the sparse matrix (sparse tables up to 2e5 rows);
* ``"iterative"``: preconditioned power (Neumann) iteration accelerated with BiCGSTAB, for
  large sparse product-level economies and large dense tables.

Every solve reports the relative residual it achieved, ``max|(I - A)x - y| / max|y|``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from gosplan.errors import SolverError

log = logging.getLogger(__name__)

Method = Literal["auto", "dense-lu", "sparse-lu", "iterative"]

DENSE_LU_MAX = 3000
SPARSE_LU_MAX = 200_000
DENSE_FRACTION = 0.1


@dataclass(frozen=True)
class LinearSolution:
    """The outcome of one Leontief solve.

    Attributes
    ----------
    x
        The solution, shape ``(n,)`` or ``(n, k)`` like the right-hand side.
    method
        The method that ran (``"dense-lu"``, ``"sparse-lu"`` or ``"iterative"``).
    residual
        Relative residual ``max|(I - A)x - b| / max|b|`` (0 when ``b`` is zero).
    iterations
        Matrix-vector products used by the iterative method (0 for direct methods).
    """

    x: np.ndarray
    method: str
    residual: float
    iterations: int = 0


def choose_method(A: np.ndarray | sp.sparray | sp.spmatrix) -> str:
    """Pick a solver for ``I - A`` from its size and density.

    Parameters
    ----------
    A
        Square coefficient matrix, dense or sparse.

    Returns
    -------
    str
        ``"dense-lu"``, ``"sparse-lu"`` or ``"iterative"``.
    """
    n = A.shape[0]
    if n <= DENSE_LU_MAX:
        return "dense-lu"
    if not sp.issparse(A):
        return "iterative"
    density = A.nnz / float(n * n)
    if density >= DENSE_FRACTION:
        return "iterative"
    if n <= SPARSE_LU_MAX:
        return "sparse-lu"
    return "iterative"


def _relative_residual(
    A: np.ndarray | sp.sparray | sp.spmatrix, x: np.ndarray, b: np.ndarray, transpose: bool
) -> float:
    Ax = (A.T @ x) if transpose else (A @ x)
    r = x - Ax - b
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    err = float(np.max(np.abs(r))) if r.size else 0.0
    return err / scale if scale > 0 else err


def _as_csr(A: np.ndarray | sp.sparray | sp.spmatrix, transpose: bool) -> sp.csr_array:
    M = sp.csr_array(A.T) if transpose else sp.csr_array(A)
    M.sum_duplicates()
    return M


def _solve_iterative(
    M: np.ndarray | sp.csr_array, b: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, int]:
    """Solve ``x - M x = b`` for one right-hand side.

    Uses BiCGSTAB on ``I - M``; if it stagnates, falls back to the Neumann series
    ``x_{k+1} = b + M x_k``, which converges whenever the spectral radius of ``M`` is below 1.
    """
    n = b.shape[0]
    scale = float(np.max(np.abs(b)))
    if scale == 0.0:
        return np.zeros(n), 0
    counter = {"matvec": 0}

    def matvec(v: np.ndarray) -> np.ndarray:
        counter["matvec"] += 1
        return v - M @ v

    op = spla.LinearOperator((n, n), matvec=matvec, dtype=float)
    x, info = spla.bicgstab(op, b, x0=b.copy(), rtol=tol * 1e-2, atol=0.0, maxiter=max_iter)
    res = np.max(np.abs(x - M @ x - b)) / scale
    if info == 0 and res <= tol:
        return x, counter["matvec"]
    log.info("BiCGSTAB stopped at residual %.2e; continuing with the Neumann series", res)
    x = np.asarray(x if np.all(np.isfinite(x)) else b.copy())
    for _ in range(max_iter):
        x_new = b + M @ x
        counter["matvec"] += 1
        step = float(np.max(np.abs(x_new - x)))
        x = x_new
        if step <= tol * scale:
            break
    return x, counter["matvec"]


def solve_leontief(
    A: np.ndarray | sp.sparray | sp.spmatrix,
    b: np.ndarray,
    *,
    transpose: bool = False,
    method: Method = "auto",
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> LinearSolution:
    """Solve ``(I - A) x = b`` (or ``(I - A)^T x = b`` with ``transpose=True``).

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

    Returns
    -------
    LinearSolution
        The solution with the method used and its achieved residual.

    Raises
    ------
    SolverError
        If the matrix is singular or the iterative method does not converge.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> sol = solve_leontief(A, np.array([600.0, 1500.0]))
    >>> np.round(sol.x, 6)
    array([1000., 2000.])
    """
    b = np.asarray(b, dtype=float)
    n = A.shape[0]
    if A.shape != (n, n):
        raise SolverError(f"the coefficient matrix must be square, got shape {A.shape}")
    if b.shape[0] != n:
        raise SolverError(f"right-hand side has {b.shape[0]} rows, the matrix {n}")
    chosen = choose_method(A) if method == "auto" else method
    iterations = 0
    if chosen == "dense-lu":
        dense = A.toarray() if sp.issparse(A) else np.asarray(A, dtype=float)
        M = np.eye(n) - dense
        try:
            with np.errstate(all="raise"):
                lu = sla.lu_factor(M, check_finite=True)
        except (FloatingPointError, ValueError, sla.LinAlgError) as exc:
            raise SolverError(f"I - A could not be factorised: {exc}") from exc
        if np.any(np.diag(lu[0]) == 0):
            raise SolverError("I - A is singular: the technology has no unique solution")
        x = sla.lu_solve(lu, b, trans=1 if transpose else 0)
    elif chosen == "sparse-lu":
        M = sp.identity(n, format="csc") - sp.csc_array(A)
        try:
            lu = spla.splu(sp.csc_matrix(M))
        except RuntimeError as exc:
            raise SolverError(f"I - A is singular: {exc}") from exc
        x = lu.solve(b, trans="T" if transpose else "N")
    elif chosen == "iterative":
        Mop = _as_csr(A, transpose) if sp.issparse(A) else (np.asarray(A).T if transpose else A)
        if b.ndim == 1:
            x, iterations = _solve_iterative(Mop, b, tol, max_iter)
        else:
            cols = []
            for k in range(b.shape[1]):
                xk, it = _solve_iterative(Mop, b[:, k], tol, max_iter)
                cols.append(xk)
                iterations += it
            x = np.column_stack(cols)
    else:
        raise SolverError(f"unknown method {method!r}; use auto, dense-lu, sparse-lu or iterative")
    if not np.all(np.isfinite(x)):
        raise SolverError(f"the {chosen} solve produced non-finite values: is I - A singular?")
    residual = _relative_residual(A, x, b, transpose)
    if chosen == "iterative" and residual > max(tol, 1e-8) * 10:
        raise SolverError(
            f"the iterative solver reached only a relative residual of {residual:.2e} "
            f"(asked for {tol:.0e}) after {iterations} products; the spectral radius of A "
            "may be at or above 1"
        )
    return LinearSolution(x=x, method=chosen, residual=residual, iterations=iterations)


def spectral_radius(A: np.ndarray | sp.sparray | sp.spmatrix, *, tol: float = 1e-6) -> float:
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
        The (estimated) spectral radius.
    """
    n = A.shape[0]
    if n == 0:
        return 0.0
    if n <= 500:
        dense = A.toarray() if sp.issparse(A) else np.asarray(A, dtype=float)
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
