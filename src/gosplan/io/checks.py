"""The named validation checks of an economy, and the report ``gosplan check`` prints.

Table-level checks (unreadable file, missing column, non-numeric cell, missing value,
duplicate label, unknown label, empty table, unit mismatch) run while reading
(:mod:`gosplan.io.reader`). The economy-wide checks here run on any :class:`Economy`, read
from disk or built in code: no negative or non-finite coefficient, and the Hawkins–Simon
condition (the technology can produce a net surplus: spectral radius of ``A`` below 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from gosplan.errors import InputError, ValidationError
from gosplan.io.tables import Problems

if TYPE_CHECKING:
    from gosplan.economy import Economy

#: Every named check, with what it guards against (the order of ``gosplan check``'s report).
CHECKS: dict[str, str] = {
    "unreadable_file": "every file exists and parses",
    "missing_column": "every table has its required columns",
    "non_numeric": "every number cell holds a number",
    "missing_value": "no required cell is empty",
    "negative_coefficient": "no coefficient, capacity or service life is negative",
    "duplicate_label": "no label (or input/activity pair) appears twice",
    "unknown_label": "every label referenced is declared",
    "empty_table": "no table is empty",
    "unit_mismatch": "units agree (capacity vs product, labour units within a type)",
    "hawkins_simon": "the technology can produce a net surplus (spectral radius of A < 1)",
}

#: Largest spectral radius accepted (strictly below 1, with room for rounding).
RADIUS_LIMIT = 1.0 - 1e-12


def validate_economy(economy: Economy, *, source: str | None = None) -> None:
    """Run the economy-wide checks; raise one error listing every problem.

    Parameters
    ----------
    economy
        The economy to check.
    source
        How messages name where the technology came from (a file), if known.

    Raises
    ------
    gosplan.errors.ValidationError
        With checks ``negative_coefficient``, ``non_numeric`` or ``hawkins_simon``.
    """
    problems = Problems()
    matrices = {
        "technology": economy.technology,
        "labour": economy.labour,
        "resources": economy.resources,
        "capital": economy.capital,
    }
    for name, M in matrices.items():
        if M is not None and M.nnz:
            _check_entries(name, M, economy, source, problems)
    for name, values, allow_nan in (
        ("capacity", economy.capacity, False),
        ("service life", economy.service_life, True),
    ):
        arr = np.asarray(values, dtype=float)
        negative = np.flatnonzero(arr < 0)
        for pos in negative[:5]:
            problems.add(
                f"{name} is negative ({arr[pos]:g})",
                source=source,
                label=str(economy.activity_labels[pos]),
                check="negative_coefficient",
            )
        if not allow_nan:
            for pos in np.flatnonzero(np.isnan(arr))[:5]:
                problems.add(
                    f"{name} is not a number",
                    source=source,
                    label=str(economy.activity_labels[pos]),
                    check="non_numeric",
                )
    problems.raise_if_any()
    _check_hawkins_simon(economy, source)


def _check_entries(
    name: str, M: sp.csc_array, economy: Economy, source: str | None, problems: Problems
) -> None:
    coo = sp.coo_array(M)
    for mask, what, check in (
        (~np.isfinite(coo.data), "is not a finite number", "non_numeric"),
        (coo.data < 0, "is negative", "negative_coefficient"),
    ):
        for k in np.flatnonzero(mask)[:5]:
            activity = economy.activity_labels[coo.col[k]]
            problems.add(
                f"{name} coefficient {coo.data[k]:g} (row {coo.row[k] + 1} of the {name} "
                f"matrix) of activity {activity!r} {what}",
                source=source,
                label=str(activity),
                check=check,
            )


def _check_hawkins_simon(economy: Economy, source: str | None) -> None:
    """Spectral radius of A (first technique per product) below 1, cheaply bounded first."""
    from gosplan.balance.solvers import spectral_radius

    if economy.n_products == 0:
        return
    try:
        square = economy if economy.is_square else economy.select_techniques()
    except InputError:
        return  # a product without a technique: the planner reports it when it matters
    A = square.square().technology
    col_sums = np.asarray(A.sum(axis=0)).ravel()
    if col_sums.max(initial=0.0) < RADIUS_LIMIT:
        return  # rho(A) <= max column sum
    row_sums = np.asarray(A.sum(axis=1)).ravel()
    if row_sums.max(initial=0.0) < RADIUS_LIMIT:
        return  # rho(A) <= max row sum
    radius = spectral_radius(A)
    if radius < RADIUS_LIMIT:
        return
    worst = np.argsort(-col_sums)[:3]
    names = ", ".join(
        f"{square.activity_labels[k]!r} ({col_sums[k]:.3g})" for k in worst if col_sums[k] >= 1
    )
    detail = f"; activities using at least one unit of inputs per unit: {names}" if names else ""
    raise ValidationError(
        [
            InputError(
                f"the technology cannot produce a net surplus (Hawkins–Simon condition fails): "
                f"the spectral radius of A is {radius:.6g}, it must be below 1{detail}",
                source=source,
                label=str(square.activity_labels[worst[0]]) if names else None,
                check="hawkins_simon",
            )
        ]
    )


def check_report(path: str | Path) -> list[tuple[str, str, str]]:
    """Run every named check on an economy on disk.

    Parameters
    ----------
    path
        The economy directory or its manifest.

    Returns
    -------
    list of (check, status, message)
        One row per check of :data:`CHECKS`; status ``"ok"`` or ``"failed"`` (with the
        messages of every failure), or ``"not run"`` when reading stopped before it.
    """
    from gosplan.io.reader import read_economy

    failures: dict[str, list[str]] = {}
    stopped = False
    try:
        read_economy(path, validate=True)
    except ValidationError as exc:
        for problem in exc.problems:
            failures.setdefault(problem.check or "unreadable_file", []).append(str(problem))
        stopped = "hawkins_simon" not in failures
    except InputError as exc:
        failures.setdefault(exc.check or "unreadable_file", []).append(str(exc))
        stopped = True
    rows = []
    for check in CHECKS:
        if check in failures:
            rows.append((check, "failed", " | ".join(failures[check])))
        elif stopped and check == "hawkins_simon":
            rows.append((check, "not run", "needs readable tables first"))
        else:
            rows.append((check, "ok", CHECKS[check]))
    for check, messages in failures.items():
        if check not in CHECKS:
            rows.append((check, "failed", " | ".join(messages)))
    return rows
