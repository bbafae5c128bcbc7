"""Checks of the arguments of the planner's public entry points.

``optimise``, ``check_plan`` and ``frontier``: a wrong argument is an
:class:`~gosplan.errors.InputError` that names it, never a TypeError from deep inside.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping
from typing import Any, TypeGuard

from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError

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
