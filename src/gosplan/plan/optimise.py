"""Optimal plans: build the LP from the spec, solve it with HiGHS, label and verify the answer."""

from __future__ import annotations

import logging
import numbers
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeGuard

import numpy as np

from gosplan.errors import InputError
from gosplan.plan.assemble import LP
from gosplan.plan.crash import leontief_crash
from gosplan.plan.highs import LPSolution, choose_method, solve_lp
from gosplan.plan.layout import PlanData
from gosplan.plan.objectives import formulate, labour_cost_of_plan
from gosplan.plan.ranging import price_ranges
from gosplan.plan.result import PlanResult, empty_result, result_from_solution
from gosplan.plan.spec import PlanSpec
from gosplan.plan.verify import verify as verify_plan

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("gosplan")
    except Exception:
        return "unknown"


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
    >>> from gosplan.economy import Economy
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
        provenance["verify_seconds"] = time.perf_counter() - t1
        object.__setattr__(result, "verification", report)
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


# ---------------------------------------------------------------------- argument checks

#: The ``solver`` choices of :func:`optimise` and :func:`gosplan.plan.check_plan`.
SOLVERS = ("auto", "simplex", "ipm", "pdlp")

#: Keywords of :func:`optimise` that describe how the LP is solved (shared by the callers).
SOLVE_OPTIONS = ("solver", "tol", "time_limit")


def describe(value: object) -> str:
    """A value for an error message: its type and a short repr (``str 'path'``, ``None``)."""
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def require_spec(spec: object, who: str) -> None:
    """Raise :class:`InputError` unless ``spec`` is a :class:`PlanSpec`.

    Parameters
    ----------
    spec
        The argument given.
    who
        The public function taking it, for the message.

    Raises
    ------
    InputError
        Saying what was given and how to get a spec (``check="bad_argument"``).
    """
    if isinstance(spec, PlanSpec):
        return
    hint = "read one with gosplan.read_plan(path)"
    if isinstance(spec, str | os.PathLike):
        hint = f"read one with gosplan.read_plan({str(spec)!r})"
    raise InputError(f"{who} takes a PlanSpec ({hint}), got {describe(spec)}", check="bad_argument")


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_solve_options(
    *, solver: object = "auto", tol: object = 1e-8, time_limit: object = None
) -> None:
    """Check the options of the LP solves before anything is built.

    Parameters
    ----------
    solver
        One of :data:`SOLVERS`.
    tol
        A number strictly between 0 and 1.
    time_limit
        ``None`` or a positive number of seconds (``inf``: no limit).

    Raises
    ------
    InputError
        Naming the option, the value given and what it may be (``check="bad_argument"``).
    """
    if not isinstance(solver, str) or solver not in SOLVERS:
        raise InputError(
            f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}", check="bad_argument"
        )
    if not _is_number(tol) or not 0.0 < float(tol) < 1.0:  # NaN fails the comparison
        raise InputError(
            f"tol must be a number strictly between 0 and 1 (e.g. 1e-8), got {describe(tol)}",
            check="bad_argument",
        )
    if time_limit is not None and (not _is_number(time_limit) or not float(time_limit) > 0.0):
        raise InputError(
            "time_limit must be a positive number of seconds, or None for no limit, got "
            f"{describe(time_limit)}",
            check="bad_argument",
        )


def check_keywords(who: str, given: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse keyword arguments that ``who`` would otherwise drop or pass on blindly.

    Raises
    ------
    InputError
        Naming the unknown keywords and the ones ``who`` takes (``check="bad_argument"``).
    """
    unknown = [k for k in given if k not in allowed]
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise InputError(
            f"{who} got unknown keyword argument{plural} {names}; it takes {', '.join(allowed)}",
            check="bad_argument",
        )


# ---------------------------------------------------------------------- unbounded plans

#: Box put on every column to find what grows without limit, times the size of the data.
UNBOUNDED_BOX = 1e9

#: Columns listed in the message of an unbounded plan (all are in ``unbounded_columns``).
UNBOUNDED_SHOWN = 5


def _data_scale(lp: LP) -> float:
    """Largest finite bound, right-hand side or cost of the LP (at least 1)."""
    parts = [lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper, lp.cost]
    finite = [np.abs(a[np.isfinite(a)]) for a in parts if len(a)]
    return max([1.0, *(float(a.max()) for a in finite if a.size)])


def _limited(table: Any, key: str, label: str, period: int) -> bool:
    """True when a tidy ``(key, period, available)`` table limits ``label`` in ``period``."""
    if table is None or not len(table):
        return False
    rows = table[(table[key].astype(str) == str(label)) & (table["period"] == period)]
    if not len(rows):
        return False
    return bool(np.isfinite(rows["available"].to_numpy(float)).any())


def _activity_reason(data: PlanData, j: int, t: int) -> str:
    """Why activity ``j`` can run without limit in period ``t``, in words."""
    eco = data.eco
    spec = data.spec
    act = str(eco.activity_labels[j])
    period = int(spec.periods[t])
    reasons = []
    used = data.Lab[:, [j]].toarray().ravel() if data.Lab.shape[0] else np.zeros(0)
    types = [str(eco.labour_types[k]) for k in np.flatnonzero(used > 0)]
    free = [k for k in types if not _limited(spec.labour_available, "labour_type", k, period)]
    if not types:
        reasons.append(f"activity {act!r} uses no labour")
    for k in free:
        reasons.append(f"labour type {k!r} is not limited in period {period}")
    res = data.Res[:, [j]].toarray().ravel() if data.Res.shape[0] else np.zeros(0)
    for k in (str(eco.resource_types[i]) for i in np.flatnonzero(res > 0)):
        if not _limited(spec.resources_available, "resource", k, period):
            reasons.append(f"resource {k!r} is not limited in period {period}")
    if j not in set(data.capped.tolist()):
        reasons.append(f"activity {act!r} has no capacity limit (capacity inf)")
    else:
        reasons.append(f"the capacity of activity {act!r} can be expanded by investment")
    return " and ".join(reasons)


def _column_words(data: PlanData, group: str, k: int, t: int | None) -> tuple[dict, str]:
    """One column at the box: a record (for the provenance) and its description."""
    eco = data.eco
    period = None if t is None else int(data.spec.periods[t])
    when = "" if period is None else f" in {period}"
    rec: dict[str, Any] = {"variable": group, "period": period}
    if group in ("x", "y_end"):
        j = k
        product = str(eco.product_labels[eco.activity_product[j]])
        rec.update(activity=str(eco.activity_labels[j]), product=product)
        text = f"activity {rec['activity']!r} (making {product!r}){when}"
        if group == "x" and t is not None:
            text += f": {_activity_reason(data, j, t)}"
        elif group == "y_end":
            text += " after the horizon (terminal level)"
        return rec, text
    if group == "inv":
        j = int(data.capped[k])
        rec.update(activity=str(eco.activity_labels[j]))
        return rec, f"new capacity of activity {rec['activity']!r} started{when}"
    names = {"c": "consumption", "s": "stock", "m": "imports", "e": "exports"}
    if group in names:
        pos = {"c": None, "s": data.stored, "m": data.traded, "e": data.traded}[group]
        p = k if pos is None else int(pos[k])
        rec.update(product=str(eco.product_labels[p]))
        return rec, f"{names[group]} of {rec['product']!r}{when}"
    if group == "level":
        return rec, "the common level of the plan"
    rec.update(index=int(k))
    return rec, f"variable {group}[{k}]{when}"


def _group_of(lp: LP, col: int) -> tuple[str, int]:
    """The layout group of a column and its position in the group."""
    for name, (off, size) in lp.layout.groups.items():
        if off <= col < off + size:
            return name, col - off
    return "column", col


def explain_unbounded(
    data: PlanData, lp: LP, kind: str, solver: str, tol: float, time_limit: float | None
) -> dict[str, Any]:
    """Find what grows without limit in an unbounded plan, and say why.

    The LP is solved once more with every column boxed at :data:`UNBOUNDED_BOX` times the
    largest number of the LP; the columns that come within a thousandth of the box (where
    no bounded variable of the plan can be) are the ones the objective drives without
    limit. For an activity the reason is given from the data: the labour types and
    resources it uses that are not limited in that period, and its capacity (no limit, or
    one that investment can expand).

    Parameters
    ----------
    data, lp
        The plan's data and its LP (found unbounded).
    kind
        The objective, for the message.
    solver, tol, time_limit
        As for :func:`optimise`.

    Returns
    -------
    dict
        ``unbounded`` (the message), ``unbounded_columns`` (a record per column at the box:
        ``variable`` (layout group), ``activity``/``product``, ``period``, ``value``) and
        ``unbounded_box``.
    """
    box = UNBOUNDED_BOX * _data_scale(lp)
    head = (
        f"The objective of the plan ({kind}) is unbounded: it can grow without limit, so "
        "there is no optimal plan. This is not a feasibility question (the targets are not "
        "what is wrong); some quantity of the plan is not limited by labour, resources or "
        "capacity."
    )
    out: dict[str, Any] = {"unbounded_box": box, "unbounded_columns": []}
    try:
        boxed = replace(lp, col_upper=np.minimum(lp.col_upper, box))
        sol = solve_lp(boxed, solver=solver, tol=tol, time_limit=time_limit, ranging=False)
    except Exception as exc:  # the explanation must never hide the status
        log.warning("could not re-solve the unbounded plan in a box: %s", exc)
        sol = None
    if sol is None or sol.status != "optimal" or sol.x is None:
        status = "failed" if sol is None else sol.status
        out["unbounded"] = (
            f"{head} Re-solved with every variable boxed at {box:.3g}, the LP ended "
            f"{status}: could not locate what is unbounded. Check that every labour type "
            "is limited in every period (labour_available) and that the activities have "
            "capacity limits."
        )
        return out
    x = np.asarray(sol.x, dtype=float)
    big = np.flatnonzero(x >= 1e-3 * box)
    records: list[dict[str, Any]] = []
    words: list[str] = []
    order = big[np.argsort(-x[big], kind="stable")]
    for col in order:
        name, pos = _group_of(lp, int(col))
        size = lp.layout.groups[name][1]
        if name in ("x", "c", "inv", "s", "m", "e") and size % data.T == 0:
            per = size // data.T
            k, t = pos % per, pos // per
        else:
            k, t = pos, None
        rec, text = _column_words(data, name, k, t)
        rec["value"] = float(x[col])
        records.append(rec)
        words.append(text)
    out["unbounded_columns"] = records
    acts = [w for w, r in zip(words, records, strict=True) if r["variable"] == "x"]
    shown = (acts or words)[:UNBOUNDED_SHOWN]
    more = len(acts or words) - len(shown)
    tail = f" (and {more} more)" if more > 0 else ""
    if not shown:
        out["unbounded"] = (
            f"{head} Re-solved with every variable boxed at {box:.3g}, no variable reached "
            "the box: the LP may be unbounded only numerically. Try another solver."
        )
        return out
    out["unbounded"] = (
        f"{head} Re-solved with every variable boxed at {box:.3g}, these reach the box: "
        + "; ".join(shown)
        + tail
        + ". Limit the labour (labour_available) or resources (resources_available) these "
        "activities use in every period, or give them a capacity."
    )
    return out
