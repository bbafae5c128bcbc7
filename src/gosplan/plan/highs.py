"""Pass an :class:`~gosplan.plan.assemble.LP` to HiGHS (highspy) and read the answer back.

The method is chosen by size: dual simplex up to :data:`SIMPLEX_MAX` variables (measured
fastest on plan LPs), interior point beyond, and the first-order method PDLP for the largest
(more than :data:`IPM_MAX` variables). PDLP's
status can read "unknown" when its relative criteria are met but not the absolute ones: the
tolerance is then tightened a hundredfold and the LP solved once more.

Row duals are returned as shadow prices ``d objective / d bound`` in the LP's own sense (for a
maximisation, the gain per unit more of the bound).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from gosplan.plan.assemble import LP

log = logging.getLogger(__name__)

#: Largest LP (variables) solved by dual simplex under ``solver="auto"``. On the plans of the
#: synthetic generator, dual simplex beat HiGHS's interior point (IPX and HiPO) and PDLP at
#: every size measured (10^4 products x 5 periods: 31 s against 223 s, 335 s, and PDLP not
#: converged in 120 s; 10^5 x 1: 25 s): see benchmarks/README.md.
SIMPLEX_MAX = 5_000_000
#: Largest LP (variables) solved by interior point under ``solver="auto"``; PDLP beyond.
IPM_MAX = 20_000_000

_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnbounded": "unbounded",
    "kUnboundedOrInfeasible": "infeasible_or_unbounded",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "time_limit",
    "kModelEmpty": "optimal",
    "kUnknown": "unknown",
}


@dataclass(frozen=True, eq=False)
class LPSolution:
    """What came back from HiGHS.

    Attributes
    ----------
    status
        ``"optimal"``, ``"infeasible"``, ``"unbounded"``, ``"time_limit"``, ``"unknown"`` or
        ``"error"``.
    objective
        Objective value (NaN when not optimal).
    x
        Primal values of the columns.
    row_value
        Activity of every row (``A @ x``).
    row_dual
        Shadow price of every row, ``d objective / d bound``.
    method
        The method that ran (``"simplex"``, ``"ipm"``, ``"pdlp"``).
    iterations
        Iterations of that method.
    seconds
        Solve time.
    basis
        The optimal simplex basis (``highspy.HighsBasis``), for warm starts; ``None`` for the
        other methods.
    """

    status: str
    objective: float
    x: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray
    method: str
    iterations: int
    seconds: float
    basis: Any = None


def choose_method(n_variables: int, solver: str = "auto") -> str:
    """The method ``solver="auto"`` uses for an LP of this size."""
    if solver != "auto":
        if solver not in ("simplex", "ipm", "pdlp"):
            raise ValueError(f"unknown solver {solver!r}; choose auto, simplex, ipm or pdlp")
        return solver
    if n_variables <= SIMPLEX_MAX:
        return "simplex"
    return "ipm" if n_variables <= IPM_MAX else "pdlp"


def _highs_lp(lp: LP) -> highspy.HighsLp:
    model = highspy.HighsLp()
    model.num_col_ = lp.n_variables
    model.num_row_ = lp.n_constraints
    model.col_cost_ = lp.cost
    model.col_lower_ = lp.col_lower
    model.col_upper_ = lp.col_upper
    model.row_lower_ = lp.row_lower
    model.row_upper_ = lp.row_upper
    model.sense_ = highspy.ObjSense.kMaximize if lp.maximise else highspy.ObjSense.kMinimize
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = lp.A.indptr.astype(np.int32)
    model.a_matrix_.index_ = lp.A.indices.astype(np.int32)
    model.a_matrix_.value_ = lp.A.data
    return model


_BANNER_LOCK = threading.Lock()
_banner_shown = False


def quiet_highs() -> highspy.Highs:
    """A HiGHS instance that prints nothing.

    HiGHS writes its banner to the process's standard output (file descriptor 1) when the
    first instance is made, before any option can be set; that first construction runs with
    descriptor 1 pointed at the null device, so that ``--format csv`` output stays clean.
    """
    global _banner_shown
    with _BANNER_LOCK:
        if _banner_shown:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
                h.setOptionValue("output_flag", False)
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


def _run(
    lp: LP, method: str, tol: float, time_limit: float | None, basis: Any = None
) -> tuple[highspy.Highs, str]:
    h = quiet_highs()
    if method == "simplex":
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 1)
    elif method == "ipm":
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("ipm_optimality_tolerance", tol)
    else:
        h.setOptionValue("solver", "pdlp")
        h.setOptionValue("pdlp_optimality_tolerance", tol)
    h.setOptionValue("primal_feasibility_tolerance", max(tol, 1e-10))
    h.setOptionValue("dual_feasibility_tolerance", max(tol, 1e-10))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(_highs_lp(lp))
    if basis is not None:
        h.setBasis(basis)
    h.run()
    return h, _STATUS.get(h.getModelStatus().name, "error")


def solve_lp(
    lp: LP,
    *,
    solver: str = "auto",
    tol: float = 1e-8,
    time_limit: float | None = None,
    basis: Any = None,
) -> LPSolution:
    """Solve an LP with HiGHS.

    Parameters
    ----------
    lp
        The assembled LP.
    solver
        ``"auto"`` (by size), ``"simplex"`` (dual), ``"ipm"`` or ``"pdlp"``.
    tol
        Feasibility and optimality tolerance.
    time_limit
        Seconds, or ``None``.
    basis
        A simplex basis to start from (of an LP with the same rows and columns), e.g. the
        :attr:`LPSolution.basis` of an earlier solve.

    Returns
    -------
    LPSolution
    """
    method = choose_method(lp.n_variables, solver)
    t0 = time.perf_counter()
    h, status = _run(lp, method, tol, time_limit, basis if method == "simplex" else None)
    if status == "unknown" and method == "pdlp":
        log.info("PDLP status unknown at tol %.1e: retrying at %.1e", tol, tol / 100)
        h, status = _run(lp, method, tol / 100, time_limit)
    if status == "infeasible_or_unbounded":
        h.setOptionValue("presolve", "off")
        h.run()
        status = _STATUS.get(h.getModelStatus().name, "error")
        if status == "infeasible_or_unbounded":
            status = "infeasible"
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    iterations = {
        "simplex": info.simplex_iteration_count,
        "ipm": info.ipm_iteration_count,
        "pdlp": info.pdlp_iteration_count,
    }[method]
    sol = h.getSolution()
    n, m = lp.n_variables, lp.n_constraints
    ok = status == "optimal"
    x = np.asarray(sol.col_value, float) if ok and n else np.full(n, np.nan)
    row_value = np.asarray(sol.row_value, float) if ok and m else np.full(m, np.nan)
    dual = np.asarray(sol.row_dual, float) if ok and m and sol.dual_valid else np.full(m, np.nan)
    objective = float(info.objective_function_value) if ok else float("nan")
    if ok and n == 0:
        objective = 0.0
    if status == "unknown":
        log.warning("HiGHS (%s) stopped without a certified answer (status unknown)", method)
        status = "error"
    log.info("HiGHS %s: %s in %.3f s, %d iterations", method, status, seconds, iterations)
    final_basis = h.getBasis() if ok and method == "simplex" else None
    return LPSolution(
        status, objective, x, row_value, dual, method, int(iterations), seconds, final_basis
    )
