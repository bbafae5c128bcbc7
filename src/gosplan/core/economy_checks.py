"""The economy-wide checks: they inspect an :class:`~gosplan.core.economy.Economy`, not files.

They run on any economy, read from disk or built in code: no negative, non-finite or too large
(``value_too_large``, at least :data:`~gosplan.core.rules.LARGEST_NUMBER`) coefficient or
capacity, every product has a technique (an activity that makes it), and the Hawkins–Simon
condition (the technology can produce a net surplus: spectral radius of ``A`` below 1; when it
fails, the message names the strongly connected part of the technology that is at fault).

The file-level part (which check ran on which table, ``gosplan check``'s report) is in
:mod:`gosplan.io.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from gosplan.core.checks import Check, Problems
from gosplan.core.rules import LARGEST_NUMBER
from gosplan.errors import InputError, ValidationError

if TYPE_CHECKING:
    from gosplan.core.economy import Economy

#: The checks that run on a whole economy (after its tables were read without problems).
ECONOMY_CHECKS = (Check.NO_TECHNIQUE, Check.HAWKINS_SIMON)

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
                check=Check.VALUE_TOO_LARGE,
            )
        negative = np.flatnonzero(arr < 0)
        for pos in negative[:5]:
            problems.add(
                f"{name} is negative ({arr[pos]:g})",
                source=where,
                label=str(economy.activity_labels[pos]),
                check=Check.NEGATIVE_COEFFICIENT,
            )
        if not allow_nan:
            for pos in np.flatnonzero(np.isnan(arr))[:5]:
                problems.add(
                    f"{name} is not a number",
                    source=where,
                    label=str(economy.activity_labels[pos]),
                    check=Check.NON_NUMERIC,
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
            check=Check.NO_TECHNIQUE,
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
        (~finite, "is not a finite number", Check.NON_NUMERIC),
        (coo.data < 0, "is negative", Check.NEGATIVE_COEFFICIENT),
        (finite & (np.abs(coo.data) >= LARGEST_NUMBER), too_large, Check.VALUE_TOO_LARGE),
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
                check=Check.HAWKINS_SIMON,
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
