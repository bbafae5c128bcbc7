"""Optimal plans: build the LP from the spec, solve it with HiGHS, label and verify the answer.

:func:`optimise` is the entry point. An infeasible (or unbounded, or timed-out) plan is a
result with that :class:`~gosplan.core.status.Status`, never an exception: exceptions are kept
for wrong arguments (:class:`~gosplan.errors.InputError`, or Python's ``TypeError`` for an
unknown keyword).

The least-labour second stage
-----------------------------
For ``max_level``, the common level alone leaves most of the plan undetermined. Among the
plans reaching the greatest common level, the one using the least labour is returned (a
second LP with the level held at its optimum): the answer is unique in spirit and
economical. By default only for LPs of at most :data:`LEAST_LABOUR_MAX` variables, as the
second stage can take many times the first on large plans (the provenance's ``stages`` says
what ran). The shadow prices stay those of the level (``d level / d limit``): the
second-stage plan is optimal for the first stage too.

The crash basis
---------------
For ``max_level`` solved by simplex, the solve starts from the basis of the static Leontief
plan (:func:`gosplan.plan.crash.leontief_crash`) when that plan is feasible. It is the
planner's first guess and a vertex of the LP; when it is optimal the solve needs no pivot.
The provenance's ``start`` says which basis was used.

Warm starts
-----------
Given an earlier plan (``warm_start``, e.g. the plan a re-plan revises), a simplex solve starts
from the basis HiGHS's crossover finds from that plan's solution and duals, mapped by labels
onto this LP (:mod:`gosplan.plan.warm`), in place of the crash basis; where it cannot be done
(another method, variables the earlier plan does not label) the solve starts as usual and the
provenance's ``start`` says why.

Examples
--------
>>> import pandas as pd
>>> from gosplan.core.economy import Economy
>>> eco = Economy.from_coefficients(pd.DataFrame([[0.0]], index=["a"], columns=["a"]),
...                                 labour=pd.Series({"a": 0.5}))
>>> spec = PlanSpec(eco, periods=[2000], assortment=pd.DataFrame(
...     {"product": ["a"], "weight": [1.0]}), labour_available=pd.DataFrame(
...     {"labour_type": ["labour"], "period": [2000], "available": [10.0]})).validated()
>>> round(optimise(spec).level, 9)
20.0
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from gosplan.core.plan_result import PlanResult
from gosplan.core.progress import Progress
from gosplan.core.provenance import provenance
from gosplan.core.spec import PlanSpec
from gosplan.core.status import Status
from gosplan.plan.arguments import SolveOptions, check_progress, require_spec
from gosplan.plan.assemble import LP
from gosplan.plan.crash import Crash, leontief_crash
from gosplan.plan.data import PlanData
from gosplan.plan.extract import empty_result, result_from_solution
from gosplan.plan.highs import LPSolution, choose_method, solve_lp
from gosplan.plan.objectives import formulate, labour_cost_of_plan
from gosplan.plan.ranging import price_ranges
from gosplan.plan.unbounded import explain_unbounded
from gosplan.plan.verify import verify as verify_plan
from gosplan.plan.warm import warm_basis

log = logging.getLogger(__name__)


def optimise(
    spec: PlanSpec,
    *,
    solver: str = "auto",
    tol: float = 1e-8,
    time_limit: float | None = None,
    progress: Progress | None = None,
    verify: bool = True,
    objective: str | None = None,
    least_labour: bool | None = None,
    crash_basis: bool = True,
    warm_start: PlanResult | None = None,
) -> PlanResult:
    """Find the optimal plan of a spec (see the module docstring for an example).

    Parameters
    ----------
    spec
        The plan specification (validated here).
    solver
        ``"auto"`` (dual simplex, interior point or PDLP by size), ``"simplex"``, ``"ipm"`` or
        ``"pdlp"``.
    tol
        Solver tolerance.
    time_limit, progress
        Seconds for the solver (``None``: no limit); an optional ``callback(fraction, message)``.
    verify
        Check the plan independently of the LP (:func:`gosplan.plan.verify.verify`).
    objective
        Override the spec's objective (the diagnosis does).
    least_labour
        For ``max_level``: return, among the plans of the greatest common level, the one using
        the least labour (module docstring). ``None`` (default): only for LPs of at most
        :data:`LEAST_LABOUR_MAX` variables.
    crash_basis
        For ``max_level`` solved by simplex: start from the static Leontief plan's basis when
        that plan is feasible (module docstring).
    warm_start
        An earlier plan over the same economy (the plan a re-plan revises) whose solution,
        mapped by labels and crossed over to a basis, starts the simplex (:mod:`.warm`);
        provenance ``warm_start`` says whether it ran (else the solve starts as usual).

    Returns
    -------
    PlanResult
        ``status`` says whether a plan was found (an infeasible plan is a result, not an
        exception); ``verification`` holds the check. When the LP is unbounded,
        ``provenance["unbounded"]`` says in words what grows without limit and why, and
        ``provenance["unbounded_columns"]`` lists those variables (:func:`explain_unbounded`).

    Raises
    ------
    InputError
        If ``spec`` is not a :class:`PlanSpec`, ``solver`` is unknown, ``tol`` is not in
        ``(0, 1)``, ``time_limit`` not a positive number of seconds or ``progress`` not callable.
    """
    require_spec(spec, "optimise")
    opts = SolveOptions.checked(solver=solver, tol=tol, time_limit=time_limit)
    check_progress(progress)
    say = progress or _silent
    spec = spec.validated()
    kind = objective or spec.objective
    say(0.0, "building the LP")
    data = PlanData(spec)
    lp, build = _build(data, kind, warn=objective is None)
    sol, prov = _first_stage(
        data, lp, kind, opts, crash_basis=crash_basis, build=build, say=say, warm=warm_start
    )
    if sol.status != Status.OPTIMAL:
        return _no_plan(data, lp, sol, kind, prov, opts, say)
    if kind == "max_level":
        sol = _second_stage(data, lp, sol, opts, least_labour, prov, say)
    say(0.9, "labelling and verifying the plan")
    result = _labelled(data, lp, sol, kind, prov)
    if verify:
        result = _verified(result, spec, opts.tol)
    say(1.0, "done")
    return result


def _silent(fraction: float, message: str) -> None:
    """The progress callback when none is given."""


def _build(data: PlanData, kind: str, *, warn: bool) -> tuple[LP, float]:
    """The LP of objective ``kind`` and the seconds it took to build."""
    t0 = time.perf_counter()
    lp = formulate(data, kind, warn=warn)
    build = time.perf_counter() - t0
    log.info(
        "built %s LP: %d variables, %d rows, %d nonzeros in %.2f s",
        kind,
        lp.n_variables,
        lp.n_constraints,
        lp.A.nnz,
        build,
    )
    return lp, build


def _crash(data: PlanData, lp: LP, kind: str, solver: str) -> Crash | None:
    """The Leontief crash basis of a ``max_level`` LP solved by simplex, when it applies."""
    if (
        kind == "max_level"
        and not data.lead.any()
        and not lp.layout.has("y_end")
        and choose_method(lp.n_variables, solver) == "simplex"
    ):
        return leontief_crash(data, lp)
    return None


def _first_stage(
    data: PlanData,
    lp: LP,
    kind: str,
    opts: SolveOptions,
    *,
    crash_basis: bool,
    build: float,
    say: Progress,
    warm: PlanResult | None = None,
) -> tuple[LPSolution, dict[str, Any]]:
    """Solve the plan's LP (from a warm start or the crash basis) and its provenance."""
    basis, start, warm_seconds = _warm(data, lp, opts, warm)
    crash = None
    if basis is None and crash_basis:
        crash = _crash(data, lp, kind, opts.solver)
    if crash is not None:
        basis = crash.basis
        start += f"Leontief crash basis (static plan at level {crash.level:.6g})"
    elif basis is None:
        start += "slack basis"
    say(0.1, f"solving ({lp.n_variables} variables, {lp.n_constraints} constraints; {start})")
    sol = solve_lp(
        lp,
        solver=opts.solver,
        tol=opts.tol,
        time_limit=opts.time_limit,
        basis=basis,
        primal_basis=crash is not None,
        units=None if crash is None else crash.units,
    )
    prov = _provenance(data.spec, lp, sol, opts, build=build, start=start)
    if warm is not None:
        prov["warm_start"] = basis is not None and crash is None
        prov["warm_start_seconds"] = warm_seconds
    return sol, prov


def _warm(
    data: PlanData, lp: LP, opts: SolveOptions, warm: PlanResult | None
) -> tuple[Any, str, float]:
    """The warm-start basis from an earlier plan, what ``start`` says, and its seconds.

    No basis (and ``start`` says why, ending ``"; "``) when there is no earlier plan, the
    method is not simplex or the earlier plan cannot be mapped.
    """
    if warm is None:
        return None, "", 0.0
    method = choose_method(lp.n_variables, opts.solver)
    if method != "simplex":
        return None, f"no warm start ({method} takes no basis); ", 0.0
    basis, note, seconds = warm_basis(warm, data, lp, opts.time_limit)
    if basis is None:
        return None, f"no warm start ({note}); ", seconds
    return basis, f"warm start: {note}", seconds


def _provenance(
    spec: PlanSpec, lp: LP, sol: LPSolution, opts: SolveOptions, *, build: float, start: str
) -> dict[str, Any]:
    """The provenance of a plan: the spec's names (:func:`provenance`) and the solve's."""
    return provenance(
        spec,
        solver="highs",
        requested=opts.solver,
        method=sol.method,
        iterations=sol.iterations,
        tolerance=opts.tol,
        build_seconds=build,
        solve_seconds=sol.seconds,
        n_variables=lp.n_variables,
        n_constraints=lp.n_constraints,
        nnz=int(lp.A.nnz),
        start=start,
    )


def _no_plan(
    data: PlanData,
    lp: LP,
    sol: LPSolution,
    kind: str,
    prov: dict[str, Any],
    opts: SolveOptions,
    say: Progress,
) -> PlanResult:
    """The result of an LP with no optimum: its status (an unbounded one explained)."""
    if sol.status == Status.UNBOUNDED:
        say(0.5, "unbounded: finding what grows without limit")
        prov.update(explain_unbounded(data, lp, kind, opts.solver, opts.tol, opts.time_limit))
    say(1.0, sol.status)
    return empty_result(data, sol.status, kind, prov)


def _second_stage(
    data: PlanData,
    lp: LP,
    sol: LPSolution,
    opts: SolveOptions,
    least_labour: bool | None,
    prov: dict[str, Any],
    say: Progress,
) -> LPSolution:
    """For ``max_level``: the least-labour plan at the optimal level, where it is asked for."""
    if least_labour is None:
        least_labour = lp.n_variables <= LEAST_LABOUR_MAX
    if not least_labour:
        prov["stages"] = "max level"
        return sol
    say(0.5, "least labour at the optimal level")
    return _least_labour_at_level(data, lp, sol, opts, prov)


def _labelled(
    data: PlanData, lp: LP, sol: LPSolution, kind: str, prov: dict[str, Any]
) -> PlanResult:
    """The optimal solution as a labelled :class:`PlanResult`, with its price ranges."""
    ranges = price_ranges(lp, sol)  # before the constant: the ranging's own objective
    if lp.offset:
        sol = replace(sol, objective=sol.objective + lp.offset)
    prov["price_ranges"] = (
        "HiGHS ranging" if sol.ranging is not None else "not available (no basis, or LP too large)"
    )
    return result_from_solution(data, lp, sol, kind, prov, ranges=ranges)


def _verified(result: PlanResult, spec: PlanSpec, tol: float) -> PlanResult:
    """``result`` with its independent check (:func:`gosplan.plan.verify.verify`)."""
    t1 = time.perf_counter()
    report = verify_plan(result, spec, tol=max(1e-6, 10 * tol))
    seconds = time.perf_counter() - t1
    # a new frozen value with the check, not the old one changed
    result = replace(
        result,
        verification=report,
        provenance={**result.provenance, "verify_seconds": seconds},
    )
    if not report.passed:
        log.warning("plan failed its independent check: %s", report.summary())
    return result


#: Largest LP (variables) given the least-labour second stage of ``max_level`` by default.
LEAST_LABOUR_MAX = 50_000


def _least_labour_at_level(
    data: PlanData,
    lp: LP,
    sol: LPSolution,
    opts: SolveOptions,
    prov: dict[str, Any],
) -> LPSolution:
    """Second stage of ``max_level``: hold the level at its optimum and minimise labour.

    The first stage's optimal basis stays primal feasible (only the level's lower bound and
    the objective change), so the primal simplex method goes on from it: on the 2,000 x 5
    growth plan of the benchmark 12 pivots and 0.07 s, where dual simplex from the same basis
    took 61,563 pivots and 38 s (``benchmarks/README.md``).

    The level is held at its optimum. That optimum is known only to the tolerance, and on a
    plan solved at ``tol=1e-10`` HiGHS has called the level held exactly infeasible, from the
    basis and cold alike: then the level is held at its optimum less ``tol`` (relative), from
    the basis again. (Not always so: the binding limits would be left a hair short of
    binding, and the plan's tables would no longer say which bind.) The provenance's
    ``least_labour_start`` says which ran.

    Returns the second stage's plan with the first stage's objective (the level) and shadow
    prices (``d level / d limit``); if the
    second stage fails (it should not: the first stage's plan is feasible for it), the first
    stage's solution is kept and the provenance says so.
    """
    where = lp.layout.slice("level")
    level = float(sol.x[where][0])
    cost = labour_cost_of_plan(data, lp.layout)
    seconds = 0.0
    for held, start in (
        (level, "the first stage's basis"),
        (level - opts.tol * max(1.0, abs(level)), "the first stage's basis, level less tol"),
    ):
        lower = lp.col_lower.copy()
        lower[where] = held
        second = solve_lp(
            replace(lp, cost=cost, col_lower=lower, maximise=False),
            solver=opts.solver,
            tol=opts.tol,
            time_limit=opts.time_limit,
            basis=sol.basis,
            primal_basis=True,  # the first stage's optimum is a vertex of the second stage's LP
            ranging=False,  # the shadow prices and their ranges are the first stage's
        )
        seconds += second.seconds
        prov["least_labour_start"] = start if sol.basis is not None else "none"
        if second.status == Status.OPTIMAL:
            break
        log.info("least-labour stage from %s ended %s", prov["least_labour_start"], second.status)
    prov["stages"] = "max level, then least labour at that level"
    prov["solve_seconds"] = prov.get("solve_seconds", 0.0) + seconds
    if second.status != Status.OPTIMAL:
        log.warning("least-labour stage ended %s; keeping the first stage", second.status)
        prov["stages"] = f"max level (least-labour stage: {second.status})"
        return sol
    # The second stage's plan is optimal for the first stage too, so it forms an optimal
    # primal-dual pair with the first stage's duals: the shadow prices stay d level / d limit.
    return replace(second, objective=level, row_dual=sol.row_dual, ranging=sol.ranging)
