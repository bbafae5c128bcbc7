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

At a degenerate vertex a shadow price holds on one side of the bound only (or on neither): the
objective, as a function of the bound, has a kink there and the dual is one subgradient. After an
optimal solve with a basis, HiGHS's ranging gives, for every row, the interval of its bound over
which the optimal basis stays optimal and the dual is the exact derivative
(:class:`RowRanging`, :attr:`LPSolution.ranging`; labelled by block in
:func:`gosplan.plan.ranging.price_ranges`). It costs about one FTRAN per nonbasic variable,
several times a warm-started solve on large plans, so it is computed by default only for LPs of
at most :data:`RANGING_MAX` variables.
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

from gosplan.core.status import FINAL, Status
from gosplan.plan.assemble import LP

log = logging.getLogger(__name__)

#: Largest LP (variables) solved by dual simplex under ``solver="auto"``. On the plans of the
#: synthetic generator, dual simplex beat HiGHS's interior point (IPX and HiPO) and PDLP at
#: every size measured (10^4 products x 5 periods: 31 s against 223 s, 335 s, and PDLP not
#: converged in 120 s; 10^5 x 1: 25 s): see benchmarks/README.md.
SIMPLEX_MAX = 5_000_000
#: Largest LP (variables) solved by interior point under ``solver="auto"``; PDLP beyond.
IPM_MAX = 20_000_000
#: Largest LP (variables) given HiGHS's ranging by default (``solve_lp(ranging=None)``). HiGHS
#: ranges every row and column, one FTRAN per nonbasic variable: on the max-level plans of
#: ``benchmarks/bench.py`` (``_plan_spec``), started from the Leontief crash basis (0 simplex
#: iterations), ranging took 0.12 s against a 0.05 s solve at 32,581 variables (2,000 products
#: x 5 periods), 0.44 s against 0.13 s at 48,874 (3,000 x 5), 1.9 s against 0.6 s at 162,937
#: (10^4 x 5) and 10-21 s against 2.6-4.7 s at 300,940 (10^5 x 1), on the shared 2-core
#: machine.
RANGING_MAX = 50_000

_STATUS: dict[str, Status] = {
    "kOptimal": Status.OPTIMAL,
    "kInfeasible": Status.INFEASIBLE,
    "kUnbounded": Status.UNBOUNDED,
    "kUnboundedOrInfeasible": Status.INFEASIBLE_OR_UNBOUNDED,
    "kTimeLimit": Status.TIME_LIMIT,
    "kIterationLimit": Status.TIME_LIMIT,
    "kModelEmpty": Status.OPTIMAL,
    "kUnknown": Status.UNKNOWN,
}


@dataclass(frozen=True, eq=False)
class RowRanging:
    """Over which interval of its bound each row's shadow price holds (HiGHS ranging).

    For row ``i`` with dual ``y[i]`` (:attr:`LPSolution.row_dual`), moving the bound
    :attr:`bound` ``[i]`` anywhere in ``[down_value[i], up_value[i]]`` keeps the optimal basis
    optimal: the optimal objective is ``objective + y[i] * (b - bound[i])`` there. Beyond either
    end the basis changes and the derivative may differ. An end equal to the bound (zero width
    on that side) marks a degenerate vertex: the price is, as far as this basis tells, not the
    derivative on that side. All arrays are in the LP's own row order.

    Attributes
    ----------
    bound
        The bound ranged: for a row at a bound (nonbasic), that bound; for a basic row, its
        finite bound (the nearer one to the activity if both are; NaN for a free row).
    down_value, up_value
        Ends of the interval of the bound (``-inf``/``+inf`` when unlimited).
    down_objective, up_objective
        Optimal objective with the bound at each end (in the LP's own sense).
    basic
        The row's slack is basic (the row is not at a bound in the basis; its dual is 0).
    objective
        The optimal objective the ranging refers to.
    seconds
        Time taken by the ranging.

    Notes
    -----
    For a nonbasic row the interval is HiGHS's ``row_bound_dn``/``row_bound_up``. For a basic
    row (dual 0) moving the bound away from the activity changes nothing, so that side is
    unlimited; towards the activity the price holds down to the activity itself, and on to
    where HiGHS's ranging of the basic row says the activity can be pushed at no change of the
    objective.
    """

    bound: np.ndarray
    down_value: np.ndarray
    up_value: np.ndarray
    down_objective: np.ndarray
    up_objective: np.ndarray
    basic: np.ndarray
    objective: float
    seconds: float = 0.0


@dataclass(frozen=True, eq=False)
class LPSolution:
    """What came back from HiGHS.

    Attributes
    ----------
    status
        A :class:`~gosplan.core.status.Status`: ``OPTIMAL``, ``INFEASIBLE``, ``UNBOUNDED``,
        ``TIME_LIMIT`` or ``ERROR`` (:func:`solve_lp` reports no other).
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
    ranging
        Where each shadow price holds (:class:`RowRanging`), after an optimal solve with a
        basis (simplex, or interior point with crossover); ``None`` when not computed or not
        available (PDLP, no optimal basis, an error from HiGHS).
    """

    status: Status
    objective: float
    x: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray
    method: str
    iterations: int
    seconds: float
    basis: Any = None
    ranging: RowRanging | None = None


def choose_method(n_variables: int, solver: str = "auto") -> str:
    """The method ``solver="auto"`` uses for an LP of this size."""
    if solver != "auto":
        if solver not in ("simplex", "ipm", "pdlp"):
            raise ValueError(f"unknown solver {solver!r}; choose auto, simplex, ipm or pdlp")
        return solver
    if n_variables <= SIMPLEX_MAX:
        return "simplex"
    return "ipm" if n_variables <= IPM_MAX else "pdlp"


def _highs_lp(lp: LP, units: np.ndarray | None = None) -> highspy.HighsLp:
    """The HiGHS model of ``lp``; with ``units``, of ``lp`` measured in them (:func:`rescaled`)."""
    A, cost, col_lower, col_upper, row_lower, row_upper = (
        (lp.A, lp.cost, lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper)
        if units is None
        else rescaled(lp, units)
    )
    model = highspy.HighsLp()
    model.num_col_ = lp.n_variables
    model.num_row_ = lp.n_constraints
    model.col_cost_ = cost
    model.col_lower_ = col_lower
    model.col_upper_ = col_upper
    model.row_lower_ = row_lower
    model.row_upper_ = row_upper
    model.sense_ = highspy.ObjSense.kMaximize if lp.maximise else highspy.ObjSense.kMinimize
    rowwise = A.format == "csr"  # the assembler's rows go to HiGHS without a transpose
    A = A if rowwise else sp.csc_array(A)
    model.a_matrix_.format_ = (
        highspy.MatrixFormat.kRowwise if rowwise else highspy.MatrixFormat.kColwise
    )
    model.a_matrix_.start_ = A.indptr.astype(np.int32)
    model.a_matrix_.index_ = A.indices.astype(np.int32)
    model.a_matrix_.value_ = A.data
    return model


def rescaled(
    lp: LP, units: np.ndarray
) -> tuple[sp.csr_array, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The LP's arrays with column ``j`` measured in ``units[j]``, rows divided by their largest.

    Column ``j``'s variable becomes ``z_j / units[j]`` (its cost multiplied, its bounds divided
    by the unit); row ``i`` is then divided by its largest absolute coefficient (rows without
    entries are kept). The optimum is the same LP's; a basis of one is a basis of the other,
    with the same statuses (every factor is positive: bounds and rows keep their sides).

    Parameters
    ----------
    lp
        The LP.
    units
        A positive typical magnitude of every column.

    Returns
    -------
    tuple
        ``A`` (CSR), ``cost``, ``col_lower``, ``col_upper``, ``row_lower``, ``row_upper``.
    """
    A = sp.csr_array(lp.A, copy=True)
    A.data = A.data * units[A.indices]
    counts = np.diff(A.indptr)
    largest = np.zeros(lp.n_constraints)
    filled = counts > 0
    if A.nnz:
        largest[filled] = np.maximum.reduceat(np.abs(A.data), A.indptr[:-1][filled])
    row = 1.0 / np.where(largest > 0, largest, 1.0)
    A.data *= np.repeat(row, counts)
    return (
        A,
        lp.cost * units,
        lp.col_lower / units,
        lp.col_upper / units,
        lp.row_lower * row,
        lp.row_upper * row,
    )


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
# Statuses that end the search (certified answers, and the time limit): FINAL, imported from
# gosplan.core.status.
_SIMPLEX_STRATEGIES = frozenset(
    {
        "simplex",
        "simplex-nopresolve",
        "primal-simplex",
        "primal-from-basis",
        "scaled-primal-from-basis",
    }
)
_FROM_BASIS = ("primal-from-basis", "scaled-primal-from-basis")
#: Options of ``primal-from-basis`` and ``scaled-primal-from-basis``, the primal simplex run
#: from a primal feasible starting basis (the Leontief crash, a first stage's optimum): no
#: scaling by HiGHS and Dantzig pricing. On the growth plans of the benchmark (10^4 products
#: x 5 periods, two generator families) they took the solve from 42 s to 24 s and from 33 s
#: to 30 s against HiGHS's defaults; measuring the LP in capacity units (``units``) then took
#: it from 41 s to 29 s and from 52 s to 43 s, the same day (``benchmarks/README.md``).
#: If this run ends without a certified answer, the fallbacks use the defaults.
PRIMAL_FROM_BASIS_OPTIONS: dict[str, int] = {
    "simplex_scale_strategy": 0,
    "simplex_primal_edge_weight_strategy": 0,
}


def _run(
    lp: LP,
    method: str,
    tol: float,
    time_limit: float | None,
    basis: Any = None,
    units: np.ndarray | None = None,
) -> tuple[highspy.Highs, Status]:
    """Solve once with one strategy; return the HiGHS instance and the status in our words.

    ``method`` is a :func:`choose_method` method, a :data:`FALLBACKS` entry or one of the
    starts from a primal feasible basis; ``units``: HiGHS sees the LP measured in them.
    """
    h = quiet_highs()
    if method in _SIMPLEX_STRATEGIES:
        h.setOptionValue("solver", "simplex")
        primal = method == "primal-simplex" or method in _FROM_BASIS
        h.setOptionValue("simplex_strategy", 4 if primal else 1)
        if method != "simplex":
            h.setOptionValue("presolve", "off")
        if method in _FROM_BASIS:
            for name, value in PRIMAL_FROM_BASIS_OPTIONS.items():
                h.setOptionValue(name, value)
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
    h.passModel(_highs_lp(lp, units))
    if basis is not None:
        h.setBasis(basis)
    h.run()
    return h, _STATUS.get(h.getModelStatus().name, Status.ERROR)


def _iterations(h: highspy.Highs) -> int:
    info = h.getInfo()
    counts = (info.simplex_iteration_count, info.ipm_iteration_count, info.pdlp_iteration_count)
    return int(sum(max(int(c), 0) for c in counts))


def _settle_infeasible_or_unbounded(
    lp: LP, method: str, tol: float, time_limit: float | None
) -> Status:
    """Decide "infeasible or unbounded" by the feasibility problem (zero objective).

    The feasibility problem cannot be unbounded: infeasible there means the LP is infeasible;
    optimal there means it is feasible, hence unbounded.
    """
    _, status = _run(replace(lp, cost=np.zeros_like(lp.cost)), method, tol, time_limit)
    if status == Status.INFEASIBLE:
        return Status.INFEASIBLE
    if status == Status.OPTIMAL:
        return Status.UNBOUNDED
    return Status.ERROR


_BASIC = int(highspy.HighsBasisStatus.kBasic.value)
_AT_LOWER = int(highspy.HighsBasisStatus.kLower.value)
_AT_UPPER = int(highspy.HighsBasisStatus.kUpper.value)


def _highs_ranging(
    h: highspy.Highs, basis: Any, row_dual: np.ndarray, time_limit: float | None
) -> Any:
    """HiGHS's ranging of the solved LP, or ``None``.

    HiGHS ranges from its simplex instance, which an interior-point solve with crossover (or a
    presolve that removed the whole LP) does not leave behind: the optimal basis is then
    factorised once on the original LP (simplex with no iterations allowed) and the ranging
    kept only if that basis is optimal with the duals already reported.
    """
    status, r = h.getRanging()
    if status == highspy.HighsStatus.kOk and r.valid:
        return r
    if time_limit is not None and time_limit <= 0:
        return None
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 1)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("simplex_iteration_limit", 0)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.setBasis(basis)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    again = np.asarray(h.getSolution().row_dual, float)
    if again.shape != row_dual.shape or not np.allclose(again, row_dual, rtol=1e-6, atol=1e-8):
        return None
    status, r = h.getRanging()
    return r if status == highspy.HighsStatus.kOk and r.valid else None


def _row_ranging(
    h: highspy.Highs,
    lp: LP,
    row_value: np.ndarray,
    row_dual: np.ndarray,
    objective: float,
    time_limit: float | None,
) -> RowRanging | None:
    """The :class:`RowRanging` of an optimal solve, or ``None`` where HiGHS has none."""
    t0 = time.perf_counter()
    m = lp.n_constraints
    basis = h.getBasis()
    if not basis.valid:
        return None
    if m == 0:
        e = np.zeros(0)
        return RowRanging(e, e, e, e, e, np.zeros(0, bool), objective, 0.0)
    r = _highs_ranging(h, basis, row_dual, time_limit)
    if r is None:
        return None
    status = np.fromiter((int(b.value) for b in basis.row_status), np.int8, m)
    dn_v = np.asarray(r.row_bound_dn.value_, float)
    dn_f = np.asarray(r.row_bound_dn.objective_, float)
    dn_in = np.asarray(r.row_bound_dn.in_var_, np.int64)
    up_v = np.asarray(r.row_bound_up.value_, float)
    up_f = np.asarray(r.row_bound_up.objective_, float)
    up_in = np.asarray(r.row_bound_up.in_var_, np.int64)
    if not all(len(a) == m for a in (status, dn_v, dn_f, dn_in, up_v, up_f, up_in)):
        return None
    lo, hi, act = lp.row_lower, lp.row_upper, row_value
    basic = status == _BASIC
    fin_lo, fin_hi = np.isfinite(lo), np.isfinite(hi)
    equality = lo == hi
    with np.errstate(invalid="ignore"):
        nearer_upper = fin_hi & (~fin_lo | (hi - act <= act - lo))
    ranged_upper = np.where(basic, nearer_upper, status == _AT_UPPER)
    ranged_lower = np.where(basic, ~nearer_upper & fin_lo, status == _AT_LOWER)
    bound = np.where(ranged_upper, hi, np.where(ranged_lower, lo, np.nan))
    down_value, up_value = dn_v.copy(), up_v.copy()
    down_objective, up_objective = dn_f.copy(), up_f.copy()
    # A basic row (dual 0): moving its bound away from the activity changes nothing; towards
    # it (either way for an equality), the price holds to the activity, and beyond as far as
    # HiGHS can push the activity (an entering variable, a finite end) without changing the
    # objective.
    tight_down = basic & (ranged_upper | equality)
    tight_up = basic & (ranged_lower | equality)
    start = np.minimum(act, bound)
    flat = np.abs(dn_f - objective) <= 1e-9 * (1.0 + abs(objective))
    push = tight_down & (dn_in >= 0) & np.isfinite(dn_v) & (dn_v < start) & flat
    floor = np.where(equality | ~fin_lo, -np.inf, lo)
    down_value = np.where(basic, np.where(tight_down, start, -np.inf), down_value)
    down_value = np.where(push, np.maximum(dn_v, floor), down_value)
    start = np.maximum(act, bound)
    flat = np.abs(up_f - objective) <= 1e-9 * (1.0 + abs(objective))
    push = tight_up & (up_in >= 0) & np.isfinite(up_v) & (up_v > start) & flat
    ceiling = np.where(equality | ~fin_hi, np.inf, hi)
    up_value = np.where(basic, np.where(tight_up, start, np.inf), up_value)
    up_value = np.where(push, np.minimum(up_v, ceiling), up_value)
    down_objective = np.where(basic, objective, down_objective)
    up_objective = np.where(basic, objective, up_objective)
    free = np.isnan(bound)
    for a in (down_value, up_value, down_objective, up_objective):
        a[free] = np.nan
    return RowRanging(
        bound=bound,
        down_value=down_value,
        up_value=up_value,
        down_objective=down_objective,
        up_objective=up_objective,
        basic=basic,
        objective=objective,
        seconds=time.perf_counter() - t0,
    )


def solve_lp(
    lp: LP,
    *,
    solver: str = "auto",
    tol: float = 1e-8,
    time_limit: float | None = None,
    basis: Any = None,
    primal_basis: bool = False,
    units: np.ndarray | None = None,
    ranging: bool | None = None,
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
    units
        With ``primal_basis``: a positive typical magnitude of every column (e.g.
        :attr:`gosplan.plan.crash.Crash.units`). The primal simplex runs on the LP measured
        in them (:func:`rescaled`; strategy ``scaled-primal-from-basis``), and its optimal
        basis is then solved once more on the LP itself, so that every value, dual and
        tolerance is the LP's own (no pivot where the two agree).
    ranging
        Compute where each shadow price holds (:attr:`LPSolution.ranging`) after an optimal
        solve with a basis; ``None`` (default): only for LPs of at most :data:`RANGING_MAX`
        variables (see there for its cost). Not counted in :attr:`LPSolution.seconds`.

    Returns
    -------
    LPSolution
        ``status`` is :attr:`Status.OPTIMAL`, ``INFEASIBLE``, ``UNBOUNDED``, ``TIME_LIMIT``
        or, when no strategy could certify an answer, ``ERROR``.
    """
    method = choose_method(lp.n_variables, solver)
    t0 = time.perf_counter()
    start = basis if method == "simplex" else None
    first = method
    if start is not None and primal_basis:
        first = "primal-from-basis" if units is None else "scaled-primal-from-basis"
    search = _first_attempt(lp, method, first, tol, time_limit, start, t0, units)
    large = method == "pdlp" and lp.n_variables > IPM_MAX
    _fall_back(lp, () if large else FALLBACKS[method], search, tol, time_limit, t0)
    if search.status == Status.INFEASIBLE_OR_UNBOUNDED:
        settle = "pdlp" if large else "simplex-nopresolve"
        _settle(lp, search, settle, tol, _remaining(t0, time_limit))
    seconds = time.perf_counter() - t0
    h, status, chain = search.h, Status(search.status), "→".join(search.ran)
    ok = status == Status.OPTIMAL
    x, row_value, dual, objective = _read_answer(h, lp, ok)
    if status in (Status.UNKNOWN, Status.ERROR):
        log.warning("HiGHS stopped without a certified answer after %s (status %s)", chain, status)
        status = Status.ERROR
    log.info("HiGHS %s: %s in %.3f s, %d iterations", chain, status, seconds, search.iterations)
    final_basis = _final_basis(h) if ok and search.answered in _SIMPLEX_STRATEGIES else None
    row_ranging = None
    want = lp.n_variables <= RANGING_MAX if ranging is None else ranging
    if ok and want and np.isfinite(dual).all():
        row_ranging = _ranging_of(h, lp, row_value, dual, objective, _remaining(t0, time_limit))
        if row_ranging is None:
            log.info("HiGHS ranging not available after %s", chain)
    return LPSolution(
        status,
        objective,
        x,
        row_value,
        dual,
        chain,
        search.iterations,
        seconds,
        final_basis,
        row_ranging,
    )


def _remaining(t0: float, time_limit: float | None) -> float | None:
    """Seconds left of ``time_limit`` since ``t0`` (``None``: no limit)."""
    return None if time_limit is None else time_limit - (time.perf_counter() - t0)


@dataclass(eq=False)
class _Search:
    """The state of one :func:`solve_lp`: the instance that answered and every strategy run."""

    h: highspy.Highs
    status: Status
    answered: str
    ran: list[str]
    iterations: int


def _first_attempt(
    lp: LP,
    method: str,
    first: str,
    tol: float,
    time_limit: float | None,
    basis: Any,
    t0: float,
    units: np.ndarray | None = None,
) -> _Search:
    """Solve with the chosen method (PDLP once more, a hundredfold tighter, on "unknown").

    ``scaled-primal-from-basis`` runs on the LP measured in ``units``; an optimal basis found
    so is solved once more on the LP itself (primal simplex from it).
    """
    scaled = first == "scaled-primal-from-basis"
    h, status = _run(lp, first, tol, time_limit, basis, units if scaled else None)
    iterations = _iterations(h)
    if scaled and status == Status.OPTIMAL:
        found = h.getBasis()
        del h  # one HiGHS model in memory at a time
        h, status = _run(lp, "primal-from-basis", tol, _remaining(t0, time_limit), found)
        iterations += _iterations(h)
    if status == Status.UNKNOWN and method == "pdlp":
        log.info("PDLP status unknown at tol %.1e: retrying at %.1e", tol, tol / 100)
        h, status = _run(lp, method, tol / 100, _remaining(t0, time_limit))
        iterations += _iterations(h)
    return _Search(h, status, first, [first], iterations)


def _fall_back(
    lp: LP,
    strategies: tuple[str, ...],
    search: _Search,
    tol: float,
    time_limit: float | None,
    t0: float,
) -> None:
    """Try ``strategies`` in turn until one ends with a :data:`FINAL` status (or time is up).

    A strategy ending "unknown" or "error" after an "infeasible or unbounded" does not replace
    that partial answer: it is kept for the settling by the feasibility problem.
    """
    for strategy in strategies:
        if search.status in FINAL:
            break
        remaining = _remaining(t0, time_limit)
        if remaining is not None and remaining <= 0:
            search.status = Status.TIME_LIMIT
            break
        log.info("HiGHS %s ended %s: retrying with %s", search.ran[-1], search.status, strategy)
        ambiguous = search.status == Status.INFEASIBLE_OR_UNBOUNDED
        h_next, status_next = _run(lp, strategy, tol, remaining)
        search.iterations += _iterations(h_next)
        search.ran.append(strategy)
        if ambiguous and status_next in (Status.UNKNOWN, Status.ERROR):
            continue
        search.h, search.status, search.answered = h_next, status_next, strategy


def _settle(lp: LP, search: _Search, method: str, tol: float, time_limit: float | None) -> None:
    """Settle "infeasible or unbounded" by the feasibility problem, solved with ``method``."""
    search.status = _settle_infeasible_or_unbounded(lp, method, tol, time_limit)
    search.ran.append("feasibility")
    log.info(
        "HiGHS: infeasible or unbounded, settled by the feasibility problem: %s", search.status
    )


def _final_basis(h: highspy.Highs) -> Any:
    """The optimal simplex basis of ``h``, or ``None`` when HiGHS has no valid one."""
    b = h.getBasis()
    return b if b.valid else None


def _read_answer(
    h: highspy.Highs, lp: LP, ok: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Primal values, row activities, row duals and objective (NaN unless ``ok``: optimal)."""
    info = h.getInfo()
    sol = h.getSolution()
    n, m = lp.n_variables, lp.n_constraints
    x = np.asarray(sol.col_value, float) if ok and n else np.full(n, np.nan)
    row_value = np.asarray(sol.row_value, float) if ok and m else np.full(m, np.nan)
    dual = np.asarray(sol.row_dual, float) if ok and m and sol.dual_valid else np.full(m, np.nan)
    objective = float(info.objective_function_value) if ok else float("nan")
    if ok and n == 0:
        objective = 0.0
    return x, row_value, dual, objective


def _ranging_of(
    h: highspy.Highs,
    lp: LP,
    row_value: np.ndarray,
    dual: np.ndarray,
    objective: float,
    time_limit: float | None,
) -> RowRanging | None:
    """:func:`_row_ranging` of an optimal solve; ``None`` when HiGHS has none or it fails."""
    try:
        row_ranging = _row_ranging(h, lp, row_value, dual, objective, time_limit)
    except Exception as exc:  # ranging is a report, never a reason to fail the solve
        log.info("HiGHS ranging failed: %s", exc)
        return None
    if row_ranging is not None:
        log.info("HiGHS ranging in %.3f s", row_ranging.seconds)
    return row_ranging


def crossover_basis(
    lp: LP,
    x: np.ndarray,
    row_dual: np.ndarray | None = None,
    time_limit: float | None = None,
) -> tuple[Any, float]:
    """A simplex basis near a given point, by HiGHS's crossover (a warm start).

    Parameters
    ----------
    lp
        The LP.
    x
        A primal point (one value per column), such as an earlier plan's solution mapped
        onto this LP; it need not be feasible nor a vertex.
    row_dual
        Row duals in HiGHS's convention (``LPSolution.row_dual``), or ``None``; the column
        duals are taken as ``cost - A' row_dual``.
    time_limit
        Seconds for the crossover, or ``None``.

    Returns
    -------
    (highspy.HighsBasis or None, float)
        The basis (``None`` when HiGHS found none) and the seconds it took.
    """
    t0 = time.perf_counter()
    h = quiet_highs()
    h.setOptionValue("presolve", "off")
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.0))
    h.passModel(_highs_lp(lp))
    solution = highspy.HighsSolution()
    solution.col_value = np.clip(np.asarray(x, float), lp.col_lower, lp.col_upper)
    solution.value_valid = True
    if row_dual is not None:
        y = np.asarray(row_dual, float)
        solution.row_dual = y
        solution.col_dual = np.asarray(lp.cost - lp.A.T @ y, float)
        solution.dual_valid = True
    try:
        status = h.crossover(solution)
    except Exception as exc:  # a warm start is an offer: never a reason to fail the plan
        log.info("HiGHS crossover failed: %s", exc)
        return None, time.perf_counter() - t0
    basis = h.getBasis()
    ok = status != highspy.HighsStatus.kError and basis.valid
    return (basis if ok else None), time.perf_counter() - t0
