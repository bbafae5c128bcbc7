"""Pass an :class:`~gosplan.plan.assemble.LP` to HiGHS (highspy) and read the answer back.

The method is chosen by size: dual simplex up to :data:`SIMPLEX_MAX` variables (measured
fastest on plan LPs), interior point beyond, and the first-order method PDLP for the largest
(more than :data:`IPM_MAX` variables). PDLP's
status can read "unknown" when its relative criteria are met but not the absolute ones: the
tolerance is then tightened a hundredfold and the LP solved once more.

Only a certified answer is reported: ``"optimal"``, ``"infeasible"`` or ``"unbounded"`` (or
``"time_limit"``). When a method ends without one (HiGHS status unknown, an error, or
"infeasible or unbounded"), the other strategies of :data:`FALLBACKS` are tried in turn, and
:attr:`LPSolution.method` names every strategy that ran, e.g. ``"simplex→simplex-nopresolve"``.
The usual culprit is presolve: on a plan that misses its targets by a small margin (the
bundled ``optimal`` plan compressed to four years: the least total violation is 1.6 against
right-hand sides up to 3e4), dual simplex on the presolved LP finds candidate dual rays that
fail HiGHS's ray check ("possibly dual unbounded"), its basis grows ill-conditioned (primal
infeasibilities of 1e8 after reinversion) and it stops at "unknown" whatever the
tolerances (1e-8 or HiGHS's default 1e-7 alike); dual simplex on the original LP proves the
infeasibility at once. An "infeasible or unbounded" that no strategy resolves is settled by
solving the feasibility problem (the same LP with a zero objective): infeasible there means
infeasible, feasible means unbounded.

Row duals are returned as shadow prices ``d objective / d bound`` in the LP's own sense (for a
maximisation, the gain per unit more of the bound).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

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
        The method that answered (``"simplex"``, ``"ipm"``, ``"pdlp"``); after retries, every
        strategy that ran joined by ``"→"`` (``"simplex→simplex-nopresolve"``: see
        :data:`FALLBACKS`).
    iterations
        Iterations of all the strategies that ran.
    seconds
        Solve time.
    basis
        The optimal simplex basis (``highspy.HighsBasis``), for warm starts; ``None`` when the
        method that answered was not a simplex method.
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
    rowwise = lp.A.format == "csr"  # the assembler's rows go to HiGHS without a transpose
    A = lp.A if rowwise else sp.csc_array(lp.A)
    model.a_matrix_.format_ = (
        highspy.MatrixFormat.kRowwise if rowwise else highspy.MatrixFormat.kColwise
    )
    model.a_matrix_.start_ = A.indptr.astype(np.int32)
    model.a_matrix_.index_ = A.indices.astype(np.int32)
    model.a_matrix_.value_ = A.data
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


#: Strategies tried in turn after the chosen method ends without a certified answer (status
#: unknown, an error, or "infeasible or unbounded"). ``simplex-nopresolve`` is dual simplex on
#: the original LP (presolve off); ``primal-simplex`` is primal simplex with presolve off;
#: ``ipm`` crosses over to a basic solution. PDLP falls back only on LPs small enough for
#: interior point (at most :data:`IPM_MAX` variables): beyond, it is the only method that fits.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "simplex": ("simplex-nopresolve", "ipm", "primal-simplex"),
    "ipm": ("simplex-nopresolve", "primal-simplex"),
    "pdlp": ("ipm", "simplex-nopresolve"),
}
#: Statuses that end the search: certified answers, and the time limit.
FINAL = frozenset({"optimal", "infeasible", "unbounded", "time_limit"})
_SIMPLEX_STRATEGIES = frozenset({"simplex", "simplex-nopresolve", "primal-simplex"})


def _run(
    lp: LP, method: str, tol: float, time_limit: float | None, basis: Any = None
) -> tuple[highspy.Highs, str]:
    """Solve once with one strategy; return the HiGHS instance and the status in our words.

    ``method`` is a :func:`choose_method` method or a :data:`FALLBACKS` entry.
    """
    h = quiet_highs()
    if method in _SIMPLEX_STRATEGIES:
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4 if method == "primal-simplex" else 1)
        if method != "simplex":
            h.setOptionValue("presolve", "off")
    elif method == "ipm":
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("ipm_optimality_tolerance", tol)
        h.setOptionValue("run_crossover", "on")
    elif method == "pdlp":
        h.setOptionValue("solver", "pdlp")
        h.setOptionValue("pdlp_optimality_tolerance", tol)
    else:
        raise ValueError(f"unknown strategy {method!r}")
    h.setOptionValue("primal_feasibility_tolerance", max(tol, 1e-10))
    h.setOptionValue("dual_feasibility_tolerance", max(tol, 1e-10))
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.0))
    h.passModel(_highs_lp(lp))
    if basis is not None:
        h.setBasis(basis)
    h.run()
    return h, _STATUS.get(h.getModelStatus().name, "error")


def _iterations(h: highspy.Highs) -> int:
    info = h.getInfo()
    counts = (info.simplex_iteration_count, info.ipm_iteration_count, info.pdlp_iteration_count)
    return int(sum(max(int(c), 0) for c in counts))


def _settle_infeasible_or_unbounded(
    lp: LP, method: str, tol: float, time_limit: float | None
) -> str:
    """Decide "infeasible or unbounded" by the feasibility problem (zero objective).

    The feasibility problem cannot be unbounded: infeasible there means the LP is infeasible;
    optimal there means it is feasible, hence unbounded.
    """
    _, status = _run(replace(lp, cost=np.zeros_like(lp.cost)), method, tol, time_limit)
    if status == "infeasible":
        return "infeasible"
    if status == "optimal":
        return "unbounded"
    return "error"


def solve_lp(
    lp: LP,
    *,
    solver: str = "auto",
    tol: float = 1e-8,
    time_limit: float | None = None,
    basis: Any = None,
    primal_basis: bool = False,
) -> LPSolution:
    """Solve an LP with HiGHS.

    Parameters
    ----------
    lp
        The assembled LP.
    solver
        ``"auto"`` (by size), ``"simplex"`` (dual), ``"ipm"`` or ``"pdlp"``: the method tried
        first; if it ends without a certified answer, the strategies of :data:`FALLBACKS`
        follow (logged at INFO).
    tol
        Feasibility and optimality tolerance.
    time_limit
        Seconds, or ``None``: for all the strategies together.
    basis
        A simplex basis to start from (of an LP with the same rows and columns), e.g. the
        :attr:`LPSolution.basis` of an earlier solve.
    primal_basis
        The basis is primal feasible (e.g. :func:`gosplan.plan.crash.leontief_crash`): the
        simplex method starts as primal simplex from it.

    Returns
    -------
    LPSolution
        ``status`` is ``"optimal"``, ``"infeasible"``, ``"unbounded"``, ``"time_limit"`` or,
        when no strategy could certify an answer, ``"error"``.
    """
    method = choose_method(lp.n_variables, solver)
    t0 = time.perf_counter()

    def left() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - t0)

    start = basis if method == "simplex" else None
    first = "primal-simplex" if start is not None and primal_basis else method
    h, status = _run(lp, first, tol, time_limit, start)
    iterations = _iterations(h)
    if status == "unknown" and method == "pdlp":
        log.info("PDLP status unknown at tol %.1e: retrying at %.1e", tol, tol / 100)
        h, status = _run(lp, method, tol / 100, left())
        iterations += _iterations(h)
    ran = [first]
    answered = first
    large = method == "pdlp" and lp.n_variables > IPM_MAX
    for strategy in () if large else FALLBACKS[method]:
        if status in FINAL:
            break
        remaining = left()
        if remaining is not None and remaining <= 0:
            status = "time_limit"
            break
        log.info("HiGHS %s ended %s: retrying with %s", ran[-1], status, strategy)
        ambiguous = status == "infeasible_or_unbounded"
        h_next, status_next = _run(lp, strategy, tol, remaining)
        iterations += _iterations(h_next)
        ran.append(strategy)
        if ambiguous and status_next in ("unknown", "error"):
            continue  # keep the partial answer "infeasible or unbounded" for the settling
        h, status, answered = h_next, status_next, strategy
    if status == "infeasible_or_unbounded":
        settle = "pdlp" if large else "simplex-nopresolve"
        status = _settle_infeasible_or_unbounded(lp, settle, tol, left())
        ran.append("feasibility")
        log.info("HiGHS: infeasible or unbounded, settled by the feasibility problem: %s", status)
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    sol = h.getSolution()
    n, m = lp.n_variables, lp.n_constraints
    ok = status == "optimal"
    x = np.asarray(sol.col_value, float) if ok and n else np.full(n, np.nan)
    row_value = np.asarray(sol.row_value, float) if ok and m else np.full(m, np.nan)
    dual = np.asarray(sol.row_dual, float) if ok and m and sol.dual_valid else np.full(m, np.nan)
    objective = float(info.objective_function_value) if ok else float("nan")
    if ok and n == 0:
        objective = 0.0
    if status in ("unknown", "error"):
        log.warning(
            "HiGHS stopped without a certified answer after %s (status %s)", "→".join(ran), status
        )
        status = "error"
    chain = "→".join(ran)
    log.info("HiGHS %s: %s in %.3f s, %d iterations", chain, status, seconds, iterations)
    final_basis = None
    if ok and answered in _SIMPLEX_STRATEGIES:
        b = h.getBasis()
        final_basis = b if b.valid else None
    return LPSolution(
        status, objective, x, row_value, dual, chain, iterations, seconds, final_basis
    )
