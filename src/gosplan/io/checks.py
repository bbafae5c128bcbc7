"""The named validation checks of an economy, and the report ``gosplan check`` prints.

Table-level checks (unreadable file, missing column, non-numeric cell, missing value,
duplicate label, unknown label, empty table, unit mismatch) run while reading
(:mod:`gosplan.io.reader`). The economy-wide checks here run on any :class:`Economy`, read
from disk or built in code: no negative, non-finite or too large (``value_too_large``, at least
:data:`~gosplan.io.tables.LARGEST_NUMBER`) coefficient or capacity, every product has a
technique (an activity that makes it), and the Hawkins–Simon condition (the technology can
produce a net surplus: spectral radius of ``A`` below 1; when it fails, the message names the
strongly connected part of the technology that is at fault).

:func:`check_report` says, for every named check, whether it passed, failed or was not run:
a check is "ok" only when it ran on every table (reading stops when the products or the
activities table cannot be read, and the economy-wide checks need tables without problems).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from gosplan.errors import InputError, ValidationError
from gosplan.io.tables import LARGEST_NUMBER, Problems

if TYPE_CHECKING:
    from gosplan.core.economy import Economy

#: Every named check, with what it guards against (the order of ``gosplan check``'s report).
CHECKS: dict[str, str] = {
    "unreadable_file": "every file exists and parses",
    "missing_column": "every table has its required columns",
    "non_numeric": "every number cell holds a number",
    "missing_value": "no required cell is empty",
    "negative_coefficient": "no coefficient, capacity or service life is negative",
    "value_too_large": f"no finite number is {LARGEST_NUMBER:g} or more (the solver's infinity)",
    "duplicate_label": "no label (or input/activity pair) appears twice",
    "unknown_label": "every label referenced is declared",
    "empty_table": "no table is empty",
    "unit_mismatch": "units agree (capacity vs product, labour units within a type)",
    "no_technique": "every product is made by at least one activity",
    "hawkins_simon": "the technology can produce a net surplus (spectral radius of A < 1)",
}

#: The checks that run on a whole economy (after its tables were read without problems).
ECONOMY_CHECKS = ("no_technique", "hawkins_simon")

#: Largest spectral radius accepted (strictly below 1, with room for rounding).
RADIUS_LIMIT = 1.0 - 1e-12


def validate_economy(
    economy: Economy,
    *,
    source: str | None = None,
    activities_source: str | None = None,
    sources: Mapping[str, str] | None = None,
) -> None:
    """Run the economy-wide checks; raise one error listing every problem.

    Parameters
    ----------
    economy
        The economy to check.
    source
        How messages name where the technology came from (a file), if known.
    activities_source
        How messages name where the activities came from (a file), if known; default
        ``source``.
    sources
        How messages name each table (``"labour"``, ``"capacities"``, ...: a file, or
        ``book.xlsx[sheet]``), if known; a table not named here is named by ``source``.

    Raises
    ------
    gosplan.errors.ValidationError
        With checks ``negative_coefficient``, ``non_numeric``, ``value_too_large``,
        ``no_technique`` or ``hawkins_simon`` (the last runs only when the others pass).
    """
    named = dict(sources or {})
    problems = Problems()
    _check_techniques(economy, activities_source or source, problems)
    matrices = {
        "technology": economy.technology,
        "labour": economy.labour,
        "resources": economy.resources,
        "capital": economy.capital,
    }
    for name, M in matrices.items():
        if M is not None and M.nnz:
            _check_entries(name, M, economy, named.get(name, source), problems)
    capacity_source = named.get("capacities", source)
    for name, values, allow_nan, where in (
        ("capacity", economy.capacity, False, capacity_source),
        ("service life", economy.service_life, True, named.get("activities", capacity_source)),
    ):
        arr = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            huge = np.flatnonzero(np.isfinite(arr) & (np.abs(arr) >= LARGEST_NUMBER))
        for pos in huge[:5]:
            problems.add(
                f"{name} {arr[pos]:g} is too large: numbers must stay below "
                f"{LARGEST_NUMBER:g} in magnitude, the solver takes larger ones for infinite",
                source=where,
                label=str(economy.activity_labels[pos]),
                check="value_too_large",
            )
        negative = np.flatnonzero(arr < 0)
        for pos in negative[:5]:
            problems.add(
                f"{name} is negative ({arr[pos]:g})",
                source=where,
                label=str(economy.activity_labels[pos]),
                check="negative_coefficient",
            )
        if not allow_nan:
            for pos in np.flatnonzero(np.isnan(arr))[:5]:
                problems.add(
                    f"{name} is not a number",
                    source=where,
                    label=str(economy.activity_labels[pos]),
                    check="non_numeric",
                )
    problems.raise_if_any()
    _check_hawkins_simon(economy, source)


def _check_techniques(economy: Economy, source: str | None, problems: Problems) -> None:
    """Every product must be made by some activity (several techniques are fine)."""
    made = np.zeros(economy.n_products, dtype=bool)
    positions = np.asarray(economy.activity_product)
    made[positions[positions >= 0]] = True
    for pos in np.flatnonzero(~made):
        problems.add(
            f"product {economy.product_labels[pos]!r} has no technique: no activity of the "
            "activities table makes it, so it can be neither produced nor planned",
            source=source,
            label=str(economy.product_labels[pos]),
            check="no_technique",
        )


#: What the rows of each coefficient matrix are, for messages.
_ROWS = {
    "technology": "input",
    "labour": "labour type",
    "resources": "resource",
    "capital": "input",
}


def _check_entries(
    name: str, M: sp.csc_array, economy: Economy, source: str | None, problems: Problems
) -> None:
    data = M.data
    if data.size == 0 or (
        np.isfinite(data.sum()) and data.min() >= 0 and data.max() < LARGEST_NUMBER
    ):
        return  # the common case, without building row and column indexes of every entry
    coo = sp.coo_array(M)
    row_labels = {
        "technology": economy.product_labels,
        "capital": economy.product_labels,
        "labour": economy.labour_types,
        "resources": economy.resource_types,
    }[name]
    finite = np.isfinite(coo.data)
    too_large = (
        f"is too large: numbers must stay below {LARGEST_NUMBER:g} in magnitude, the solver "
        "takes larger ones for infinite"
    )
    for mask, what, check in (
        (~finite, "is not a finite number", "non_numeric"),
        (coo.data < 0, "is negative", "negative_coefficient"),
        (finite & (np.abs(coo.data) >= LARGEST_NUMBER), too_large, "value_too_large"),
    ):
        for k in np.flatnonzero(mask)[:5]:
            activity = economy.activity_labels[coo.col[k]]
            row = row_labels[coo.row[k]]
            problems.add(
                f"{name} coefficient {coo.data[k]:g} of {_ROWS[name]} {row!r} of activity "
                f"{activity!r} {what}",
                source=source,
                label=str(activity),
                check=check,
            )


def _check_hawkins_simon(economy: Economy, source: str | None) -> None:
    """Spectral radius of A (first technique per product) below 1, cheaply bounded first.

    Run after :func:`_check_techniques` passed: every product has a technique. When the
    condition fails, the message names the products of the non-productive part of the
    technology (:func:`non_productive_components`), not the activity with the largest column
    sum: column sums add up inputs in different units, so they cannot say which activity is
    to blame.
    """
    from gosplan.balance.solvers import spectral_radius

    if economy.n_products == 0:
        return
    square = (economy if economy.is_square else economy.select_techniques()).square()
    A = square.technology  # activities ordered like products: column k makes product k
    col_sums = np.asarray(A.sum(axis=0)).ravel()
    if col_sums.max(initial=0.0) < RADIUS_LIMIT:
        return  # rho(A) <= max column sum
    row_sums = np.asarray(A.sum(axis=1)).ravel()
    if row_sums.max(initial=0.0) < RADIUS_LIMIT:
        return  # rho(A) <= max row sum
    radius = spectral_radius(A)
    if radius < RADIUS_LIMIT:
        return
    parts = non_productive_components(A)
    products = square.product_labels
    if parts:
        worst, worst_radius = parts[0]
        if len(worst) == 1:
            detail = (
                f"; product {str(products[worst[0]])!r} uses {worst_radius:.6g} units of itself "
                "per unit made (its own spectral radius): lower that coefficient"
            )
        else:
            shown = ", ".join(repr(str(products[k])) for k in worst[:10])
            if len(worst) > 10:
                shown += f" and {len(worst) - 10} more"
            detail = (
                f"; the products {shown} are inputs of one another and, on their own, have "
                f"spectral radius {worst_radius:.6g}: lower their coefficients"
            )
        if len(parts) > 1:
            detail += f" ({len(parts) - 1} other part(s) of the technology fail as well)"
        label: str | None = str(square.activity_labels[worst[0]])
    else:  # pragma: no cover - rounding: the whole matrix fails but no component does
        detail, label = "", None
    raise ValidationError(
        [
            InputError(
                f"the technology cannot produce a net surplus (Hawkins–Simon condition fails): "
                f"the spectral radius of A is {radius:.6g}, it must be below 1{detail}",
                source=source,
                label=label,
                check="hawkins_simon",
            )
        ]
    )


#: Components up to this size get a dense eigenvalue computation; larger ones a power method.
_DENSE_COMPONENT = 500


def non_productive_components(A: sp.sparray) -> list[tuple[np.ndarray, float]]:
    """The strongly connected parts of the technology that cannot produce a surplus.

    The spectral radius of ``A`` is the largest spectral radius of the diagonal blocks of its
    strongly connected components (products that are, directly or not, inputs of one
    another). Unlike column sums, these radii do not depend on the units of the products.

    Parameters
    ----------
    A
        Square non-negative technology matrix.

    Returns
    -------
    list of (positions, radius)
        Every component whose block has spectral radius ``>=`` :data:`RADIUS_LIMIT`, worst
        first; ``positions`` are the component's products (columns of ``A``), sorted.
    """
    from scipy.sparse.csgraph import connected_components

    from gosplan.balance.solvers import spectral_radius

    M = sp.csr_array(A)
    M.eliminate_zeros()
    n = M.shape[0]
    count, comp = connected_components(M, directed=True, connection="strong")
    coo = M.tocoo()
    inside = comp[coo.row] == comp[coo.col]
    # Bound each block's radius by its largest column sum: only blocks that may fail are
    # examined (singletons exactly: their radius is the diagonal entry).
    col_in = np.zeros(n)
    np.add.at(col_in, coo.col[inside], coo.data[inside])
    bound = np.zeros(count)
    np.maximum.at(bound, comp, col_in)
    sizes = np.bincount(comp, minlength=count)
    found: list[tuple[np.ndarray, float]] = []
    candidates = np.flatnonzero(bound >= RADIUS_LIMIT)
    if candidates.size == 0:
        return found
    order = np.argsort(comp, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for c in candidates:
        members = np.sort(order[starts[c] : starts[c + 1]])
        if sizes[c] == 1:
            radius = float(M[members[0], members[0]])
        else:
            block = M[members][:, members]
            radius = (
                float(np.max(np.abs(np.linalg.eigvals(block.toarray()))))
                if sizes[c] <= _DENSE_COMPONENT
                else spectral_radius(block)
            )
        if radius >= RADIUS_LIMIT:
            found.append((members, radius))
    found.sort(key=lambda part: -part[1])
    return found


def check_report(path: str | Path) -> list[tuple[str, str, str]]:
    """Run every named check on an economy on disk.

    Parameters
    ----------
    path
        The economy directory or its manifest.

    Returns
    -------
    list of (check, status, message)
        One row per check of :data:`CHECKS` (then one per other check that failed); status
        ``"failed"`` (with the messages of every failure), ``"not run"`` (with why: reading
        stopped before some tables, or the economy-wide checks need tables without
        problems), or ``"ok"`` only for a check that ran on every table and passed.
    """
    from gosplan.io.reader import survey_economy

    outcome = survey_economy(path)
    failures: dict[str, list[str]] = {}
    for problem in outcome.problems:
        failures.setdefault(problem.check or "unreadable_file", []).append(str(problem))
    economy_skip: str | None = None
    hawkins_skip: str | None = None
    if outcome.economy is None:
        economy_skip = (
            f"reading stopped at {outcome.stopped_at}"
            if outcome.stopped_at is not None
            else "needs tables without problems: fix the failed checks first"
        )
    else:
        try:
            sources = outcome.sources
            validate_economy(
                outcome.economy,
                source=sources.get("technology", sources.get("transactions")),
                activities_source=sources.get("activities"),
                sources=sources,
            )
        except ValidationError as exc:
            for problem in exc.problems:
                failures.setdefault(problem.check or "hawkins_simon", []).append(str(problem))
            if "hawkins_simon" not in failures:  # it runs only when the other checks pass
                hawkins_skip = (
                    "needs a technique for every product"
                    if "no_technique" in failures
                    else "needs the other economy-wide checks to pass"
                )
    table_skip: str | None = None
    if outcome.stopped_at is not None and not outcome.read:
        table_skip = f"reading stopped at {outcome.stopped_at}: no table was read"
    elif outcome.skipped:
        reasons = dict.fromkeys(outcome.skipped.values())
        table_skip = f"not run on {', '.join(outcome.skipped)}: {'; '.join(reasons)}"
    rows = []
    for check in CHECKS:
        if check in failures:
            rows.append((check, "failed", " | ".join(failures[check])))
        elif check in ECONOMY_CHECKS and economy_skip is not None:
            rows.append((check, "not run", economy_skip))
        elif check == "hawkins_simon" and hawkins_skip is not None:
            rows.append((check, "not run", hawkins_skip))
        elif check not in ECONOMY_CHECKS and table_skip is not None:
            rows.append((check, "not run", table_skip))
        else:
            rows.append((check, "ok", CHECKS[check]))
    for check, messages in failures.items():
        if check not in CHECKS:
            rows.append((check, "failed", " | ".join(messages)))
    return rows
