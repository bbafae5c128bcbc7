"""Checks of the arguments of the planner's public entry points.

``optimise``, ``check_plan`` and ``frontier`` take explicit keyword-only parameters: an
unknown keyword is Python's own :class:`TypeError`. A wrong value of a known one is an
:class:`~gosplan.errors.InputError` that names it, never a TypeError from deep inside.

:class:`SolveOptions` carries how each LP is solved (``solver``, ``tol``, ``time_limit``)
from an entry point to the helpers that solve LPs of their own (the diagnosis).
"""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass
from typing import TypeGuard, cast

from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError

#: The ``solver`` choices of :func:`optimise` and :func:`gosplan.plan.check_plan`.
SOLVERS = ("auto", "simplex", "ipm", "pdlp")


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
    hint = "read one with gosplan.read_spec(path)"
    if isinstance(spec, str | os.PathLike):
        hint = f"read one with gosplan.read_spec({str(spec)!r})"
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


def check_progress(progress: object) -> None:
    """Raise :class:`InputError` unless ``progress`` is ``None`` or a callable.

    Raises
    ------
    InputError
        Saying what was given (``check="bad_argument"``).
    """
    if progress is not None and not callable(progress):
        raise InputError(
            f"progress must be a callable progress(fraction, message) or None, got "
            f"{describe(progress)}",
            check="bad_argument",
        )


@dataclass(frozen=True)
class SolveOptions:
    """How each LP is solved: ``solver``, ``tol`` and ``time_limit`` of :func:`optimise`.

    Build it with :meth:`checked` from an entry point's arguments; the helpers that solve
    LPs of their own take one value of it instead of loose keywords.

    Attributes
    ----------
    solver
        One of :data:`SOLVERS`.
    tol
        Solver tolerance, strictly between 0 and 1.
    time_limit
        Seconds for each LP, or ``None`` for no limit.
    """

    solver: str = "auto"
    tol: float = 1e-8
    time_limit: float | None = None

    @classmethod
    def checked(
        cls, *, solver: object = "auto", tol: object = 1e-8, time_limit: object = None
    ) -> SolveOptions:
        """The options, checked by :func:`check_solve_options` (an :class:`InputError`)."""
        check_solve_options(solver=solver, tol=tol, time_limit=time_limit)
        limit = None if time_limit is None else float(cast(float, time_limit))
        return cls(str(solver), float(cast(float, tol)), limit)


#: The options of every LP when none are given: ``SolveOptions()``.
DEFAULT_SOLVE = SolveOptions()
