"""Optimal plans: build the LP from the spec, solve it with HiGHS, label and verify the answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from gosplan.core.plan_result import PlanResult
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.arguments import check_solve_options, describe, require_spec
from gosplan.plan.assemble import LP
from gosplan.plan.crash import leontief_crash
from gosplan.plan.data import PlanData
from gosplan.plan.extract import empty_result, result_from_solution
from gosplan.plan.highs import LPSolution, choose_method, solve_lp
from gosplan.plan.objectives import formulate, labour_cost_of_plan
from gosplan.plan.ranging import price_ranges
from gosplan.plan.unbounded import explain_unbounded
from gosplan.plan.verify import verify as verify_plan

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


def _version() -> str:
    from gosplan import __version__

    return __version__


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
) -> PlanResult:
    """Find the optimal plan of a spec.

    Parameters
    ----------
    spec
        The plan specification (validated here).
    solver
        ``"auto"`` (dual simplex, interior point or PDLP by size), ``"simplex"``, ``"ipm"`` or
        ``"pdlp"``.
    tol
        Solver tolerance.
    time_limit
        Seconds for the solver, or ``None``.
    progress
        Optional ``callback(fraction, message)``.
    verify
        Check the plan independently of the LP (:func:`gosplan.plan.verify.verify`).
    objective
        Override the spec's objective (used by the diagnosis).
    least_labour
        For ``max_level``: among the plans reaching the greatest common level, return the one
        using the least labour (a second LP with the level held at its optimum). The common
        level alone leaves most of the plan undetermined; this makes the answer unique in
        spirit and economical. ``None`` (default): only for LPs of at most
        :data:`LEAST_LABOUR_MAX` variables, as the second stage can take many times the first
        on large plans (the provenance's ``stages`` says what ran). The shadow prices stay
        those of the level (``d level / d limit``): the second-stage plan is optimal for the
        first stage too.
    crash_basis
        For ``max_level`` solved by simplex: start from the basis of the static Leontief plan
        (:func:`gosplan.plan.crash.leontief_crash`) when that plan is feasible. It is the
        planner's first guess and a vertex of the LP; when it is optimal the solve needs no
        pivot. The provenance's ``start`` says which basis was used.

    Returns
    -------
    PlanResult
        ``status`` says whether a plan was found; ``verification`` holds the check. When the
        LP is unbounded, ``provenance["unbounded"]`` says in words what grows without limit
        and why, and ``provenance["unbounded_columns"]`` lists those variables
        (:func:`explain_unbounded`).

    Raises
    ------
    InputError
        If ``spec`` is not a :class:`PlanSpec`, ``solver`` is not a known method, ``tol`` is
        not in ``(0, 1)`` or ``time_limit`` is not a positive number of seconds.

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
    require_spec(spec, "optimise")
    check_solve_options(solver=solver, tol=tol, time_limit=time_limit)
    if progress is not None and not callable(progress):
        raise InputError(
            f"progress must be a callable progress(fraction, message) or None, got "
            f"{describe(progress)}",
            check="bad_argument",
        )
    say = progress or (lambda f, m: None)
    spec = spec.validated()
    kind = objective or spec.objective
    say(0.0, "building the LP")
    t0 = time.perf_counter()
    data = PlanData(spec)
    lp = formulate(data, kind, warn=objective is None)
    build = time.perf_counter() - t0
    log.info(
        "built %s LP: %d variables, %d rows, %d nonzeros in %.2f s",
        kind,
        lp.n_variables,
        lp.n_constraints,
        lp.A.nnz,
        build,
    )
    crash = None
    if (
        kind == "max_level"
        and crash_basis
        and not data.lead.any()
        and not lp.layout.has("y_end")
        and choose_method(lp.n_variables, solver) == "simplex"
    ):
        crash = leontief_crash(data, lp)
    start = (
        f"Leontief crash basis (static plan at level {crash.level:.6g})"
        if crash is not None
        else "slack basis"
    )
    say(0.1, f"solving ({lp.n_variables} variables, {lp.n_constraints} constraints; {start})")
    sol = solve_lp(
        lp,
        solver=solver,
        tol=tol,
        time_limit=time_limit,
        basis=crash.basis if crash is not None else None,
        primal_basis=crash is not None,
    )
    provenance = {
        "gosplan": _version(),
        "economy": spec.economy.meta.name,
        "economy_source": spec.economy.meta.source,
        "labour_unit": spec.economy.meta.labour_unit,
        "spec": spec.name,
        "solver": "highs",
        "requested": solver,
        "method": sol.method,
        "iterations": sol.iterations,
        "tolerance": tol,
        "build_seconds": build,
        "solve_seconds": sol.seconds,
        "n_variables": lp.n_variables,
        "n_constraints": lp.n_constraints,
        "nnz": int(lp.A.nnz),
        "start": start,
    }
    if sol.status != "optimal":
        if sol.status == "unbounded":
            say(0.5, "unbounded: finding what grows without limit")
            provenance.update(explain_unbounded(data, lp, kind, solver, tol, time_limit))
        say(1.0, sol.status)
        return empty_result(data, sol.status, kind, provenance)
    if least_labour is None:
        least_labour = lp.n_variables <= LEAST_LABOUR_MAX
    if kind == "max_level" and not least_labour:
        provenance["stages"] = "max level"
    if kind == "max_level" and least_labour:
        say(0.5, "least labour at the optimal level")
        sol = _least_labour_at_level(data, lp, sol, solver, tol, time_limit, provenance)
    say(0.9, "labelling and verifying the plan")
    ranges = price_ranges(lp, sol)  # before the constant: the ranging's own objective
    if lp.offset:
        sol = replace(sol, objective=sol.objective + lp.offset)
    provenance["price_ranges"] = (
        "HiGHS ranging" if sol.ranging is not None else "not available (no basis, or LP too large)"
    )
    result = result_from_solution(data, lp, sol, kind, provenance, ranges=ranges)
    if verify:
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
    say(1.0, "done")
    return result


#: Largest LP (variables) given the least-labour second stage of ``max_level`` by default.
LEAST_LABOUR_MAX = 50_000


def _least_labour_at_level(
    data: PlanData,
    lp: LP,
    sol: LPSolution,
    solver: str,
    tol: float,
    time_limit: float | None,
    provenance: dict,
) -> LPSolution:
    """Second stage of ``max_level``: hold the level at its optimum and minimise labour.

    Returns the second stage's plan with the first stage's objective (the level) and shadow
    prices (``d level / d limit``); if the
    second stage fails (it should not: the first stage's plan is feasible for it), the first
    stage's solution is kept and the provenance says so.
    """
    where = lp.layout.slice("level")
    level = float(sol.x[where][0])
    lower = lp.col_lower.copy()
    lower[where] = level
    cost = labour_cost_of_plan(data, lp.layout)
    second = solve_lp(
        replace(lp, cost=cost, col_lower=lower, maximise=False),
        solver=solver,
        tol=tol,
        time_limit=time_limit,
        basis=sol.basis,
        ranging=False,  # the shadow prices and their ranges are the first stage's
    )
    provenance["stages"] = "max level, then least labour at that level"
    provenance["solve_seconds"] = provenance.get("solve_seconds", 0.0) + second.seconds
    if second.status != "optimal":
        log.warning("least-labour stage ended %s; keeping the first stage", second.status)
        provenance["stages"] = f"max level (least-labour stage: {second.status})"
        return sol
    # The second stage's plan is optimal for the first stage too, so it forms an optimal
    # primal-dual pair with the first stage's duals: the shadow prices stay d level / d limit.
    return replace(second, objective=level, row_dual=sol.row_dual, ranging=sol.ranging)
