"""The economy-wide checks: they inspect an :class:`~gosplan.core.economy.Economy`, not files.

They run on any economy, read from disk or built in code: no negative, non-finite or too large
(``value_too_large``, at least :data:`~gosplan.core.rules.LARGEST_NUMBER`) coefficient or
capacity, every product has a technique (an activity that makes it), and the Hawkins–Simon
condition (the technology can produce a net surplus: spectral radius of ``A`` below 1; when it
fails, the message names the strongly connected part of the technology that is at fault).

The enterprises checks (:func:`check_enterprises`) run on an enterprises table against its
economy's activities: ``missing_column`` (enterprise, activity, capacity), ``missing_value`` (an
empty enterprise, activity or capacity), ``duplicate_label`` (an enterprise twice),
``unknown_label`` (an activity the economy does not have), ``non_numeric`` (a capacity that is
not a finite number, a ``labour_factor`` that is not a number, a ``started`` that is not a
whole year), ``negative_value`` (a negative capacity), ``value_too_large``, ``out_of_range`` (a
``labour_factor`` not above 0) and ``enterprise_capacity``: the capacities of an activity's
enterprises add up to the activity's capacity within a relative
:data:`ENTERPRISE_CAPACITY_RTOL`, unless that capacity is unlimited (``inf``: any finite shares
are fine). Activities without an enterprise are not checked (they get one default enterprise,
:func:`gosplan.core.enterprises.enterprises_of`).

The file-level part (which check ran on which table, ``gosplan check``'s report) is in
:mod:`gosplan.io.checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
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
        "technology": economy.technology_matrix,  # a dense table as it is stored
        "labour": economy.labour,
        "resources": economy.resources,
        "capital": economy.capital,
    }
    for name, M in matrices.items():
        if M is not None and (M.size if isinstance(M, np.ndarray) else M.nnz):
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
    name: str,
    M: sp.csc_array | np.ndarray,
    economy: Economy,
    source: str | None,
    problems: Problems,
) -> None:
    data = M if isinstance(M, np.ndarray) else M.data
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
    A = square.technology_matrix  # activities ordered like products: column k makes product k
    col_sums = np.asarray(A.sum(axis=0)).ravel()
    if col_sums.max(initial=0.0) < RADIUS_LIMIT:
        return  # rho(A) <= max column sum
    row_sums = np.asarray(A.sum(axis=1)).ravel()
    if row_sums.max(initial=0.0) < RADIUS_LIMIT:
        return  # rho(A) <= max row sum
    radius = spectral_radius(A)
    if radius < RADIUS_LIMIT:
        return
    parts = non_productive_components(sp.csc_array(A))
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


# ---------------------------------------------------------------------- enterprises
#: Relative tolerance within which an activity's enterprise capacities must add up to its
#: capacity (check ``enterprise_capacity``).
ENTERPRISE_CAPACITY_RTOL = 1e-6

#: Text columns of an enterprises table (empty where not given).
_ENTERPRISE_TEXT = ("trust", "commissariat", "region", "director")


def check_enterprises(
    table: pd.DataFrame,
    activities: pd.Index,
    capacity: np.ndarray,
    problems: Problems,
    *,
    source: str | None = None,
    declared_in: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Check an enterprises table against its economy's activities; return it typed.

    Every problem is recorded in ``problems`` (nothing is raised), each with the table's
    ``source``, the row (1-based, the header being row 1) and a label: the enterprise, or
    the unknown activity, or (``enterprise_capacity``) the activity whose enterprises do not
    add up. The checks are listed in the module's docstring.

    Parameters
    ----------
    table
        The enterprises table (columns :data:`~gosplan.core.enterprises.ENTERPRISE_COLUMNS`,
        optional :data:`~gosplan.core.enterprises.OPTIONAL_COLUMNS`, other columns kept as
        they are). Cells may be text (as read from CSV) or typed.
    activities
        The economy's activity labels.
    capacity
        The economy's capacity per activity (``inf`` where unlimited).
    problems
        Where problems go.
    source
        How messages name the table (default ``"enterprises"``).
    declared_in
        The table declaring the activities and how messages name it, e.g.
        ``("activities", "eco/activities.csv")``, if known.

    Returns
    -------
    pandas.DataFrame
        A new frame, index ``0..n-1``: ``enterprise`` and ``activity`` stripped text,
        ``capacity`` float, ``started`` and ``labour_factor`` float (``NaN`` where not
        given), the text columns stripped text (``""`` where not given). Bad cells are
        ``NaN`` (or ``""``); the table is only usable when no problem was recorded.
    """
    where = source or "enterprises"
    out = table.reset_index(drop=True)
    if not _check_enterprise_columns(out, where, problems):
        return out
    out = out.copy()
    names = _text_labels(out["enterprise"])
    acts = _text_labels(out["activity"])
    out["enterprise"], out["activity"] = names, acts
    add = _row_adder(problems, where, names)
    _check_enterprise_names(names, acts, add)
    positions = _check_enterprise_activities(
        names, acts, activities, problems, where=where, declared_in=declared_in
    )
    cap, cap_bad = _check_enterprise_capacities(out["capacity"], add)
    out["capacity"] = cap
    _type_optional_columns(out, add)
    _check_enterprise_sums(positions, cap, cap_bad, activities, capacity, where, problems)
    return out


#: How a check of an enterprises table records a problem per row: (rows, message, check).
_AddRows = Callable[[np.ndarray, Callable[[int], str], Check], None]


def _check_enterprise_columns(out: pd.DataFrame, where: str, problems: Problems) -> bool:
    """Record every required column the table lacks (``missing_column``); ``True`` if none."""
    missing_cols = [c for c in ("enterprise", "activity", "capacity") if c not in out.columns]
    for col in missing_cols:
        have = ", ".join(map(repr, map(str, out.columns))) or "none"
        problems.add(
            f"the enterprises table needs a column {col!r} (columns found: {have})",
            source=where,
            row=1,
            label=col,
            check=Check.MISSING_COLUMN,
        )
    return not missing_cols


def _row_adder(problems: Problems, where: str, names: np.ndarray) -> _AddRows:
    """Record problems of rows, each labelled by its enterprise (none where it is unnamed)."""
    names_or_none = names.copy()
    names_or_none[names == ""] = None

    def add(mask: np.ndarray, message: Callable[[int], str], check: Check) -> None:
        problems.add_rows(mask, message, source=where, labels=names_or_none, check=check)

    return add


def _check_enterprise_names(names: np.ndarray, acts: np.ndarray, add: _AddRows) -> None:
    """Enterprise and activity named (``missing_value``), no enterprise twice."""
    add(names == "", lambda pos: "enterprise is missing", Check.MISSING_VALUE)
    add(acts == "", lambda pos: "activity is missing", Check.MISSING_VALUE)
    codes, uniques = pd.factorize(names)
    first_of = np.zeros(len(uniques), dtype=int)
    first_of[codes[::-1]] = np.arange(len(names))[::-1]
    first = first_of[codes]
    repeated = (first != np.arange(len(names))) & (names != "")
    add(
        repeated,
        lambda pos: f"enterprise {names[pos]!r} appears twice (first on row {first[pos] + 2})",
        Check.DUPLICATE_LABEL,
    )


def _check_enterprise_activities(
    names: np.ndarray,
    acts: np.ndarray,
    activities: pd.Index,
    problems: Problems,
    *,
    where: str,
    declared_in: tuple[str, str] | None,
) -> np.ndarray:
    """Each enterprise's activity position (-1 where unknown: ``unknown_label``)."""
    known = pd.Index(activities.astype(str), dtype=object)  # labels are compared as text
    positions = (
        np.asarray(known.get_indexer(pd.Index(acts, dtype=object)))
        if len(known)
        else np.full(len(acts), -1)
    )
    unknown = (positions < 0) & (acts != "")
    declared = (
        f": it is missing from the {declared_in[0]} table ({declared_in[1]})"
        if declared_in is not None
        else ""
    )
    problems.add_rows(
        unknown,
        lambda pos: (
            f"enterprise {names[pos]!r} runs activity {acts[pos]!r}, which is not among the "
            f"economy's activities{declared}"
        ),
        source=where,
        labels=acts,
        check=Check.UNKNOWN_LABEL,
    )
    return positions


def _check_enterprise_capacities(column: pd.Series, add: _AddRows) -> tuple[np.ndarray, np.ndarray]:
    """The capacities (``NaN`` where bad) and which are bad: empty, not numbers, negative, huge."""
    cap, cap_bad = _enterprise_numbers(column, "capacity", add, optional=False)
    with np.errstate(invalid="ignore"):
        negative = cap < 0
    add(negative, lambda pos: f"capacity is negative ({cap[pos]:g})", Check.NEGATIVE_VALUE)
    huge = np.isfinite(cap) & (np.abs(cap) >= LARGEST_NUMBER)
    add(
        huge,
        lambda pos: (
            f"capacity {cap[pos]:g} is too large: numbers must stay below {LARGEST_NUMBER:g} "
            "in magnitude"
        ),
        Check.VALUE_TOO_LARGE,
    )
    return cap, cap_bad | negative | huge


def _type_optional_columns(out: pd.DataFrame, add: _AddRows) -> None:
    """Check and type, in place, the optional ``labour_factor``, ``started`` and text columns."""
    if "labour_factor" in out.columns:
        factor, _ = _enterprise_numbers(out["labour_factor"], "labour_factor", add)
        with np.errstate(invalid="ignore"):
            not_positive = factor <= 0
        add(
            not_positive,
            lambda pos: (
                f"labour_factor must be above 0 (labour per unit relative to the activity's "
                f"coefficient), got {factor[pos]:g}"
            ),
            Check.OUT_OF_RANGE,
        )
        out["labour_factor"] = factor
    if "started" in out.columns:
        started, bad = _enterprise_numbers(out["started"], "started", add, whole=True)
        out["started"] = np.where(bad, np.nan, started)
    for col in _ENTERPRISE_TEXT:
        if col in out.columns:
            out[col] = _text_labels(out[col])


def _text_labels(column: pd.Series) -> np.ndarray:
    """A column as stripped text, ``""`` where empty or missing."""
    missing = column.isna().to_numpy()
    text = column.astype(str).str.strip().to_numpy(dtype=object, copy=True)
    text[missing] = ""
    return text


def _enterprise_numbers(
    column: pd.Series,
    col: str,
    add: _AddRows,
    *,
    optional: bool = True,
    whole: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A number column of an enterprises table, with its bad cells recorded.

    Returns the values (``NaN`` where bad or empty) and the mask of bad (or, when not
    ``optional``, empty) cells.
    """
    empty = column.isna().to_numpy(copy=True)
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        empty |= (column.astype(str).str.strip() == "").to_numpy()
    values = pd.to_numeric(column.where(~empty), errors="coerce").to_numpy(dtype=float, copy=True)
    if not optional:
        add(empty, lambda pos: f"{col} is empty", Check.MISSING_VALUE)
    shown = column.to_numpy(dtype=object)
    if whole:
        with np.errstate(invalid="ignore"):
            wrong = ~empty & ~(np.isfinite(values) & (np.round(values) == values))
        add(wrong, lambda pos: f"{col} must be a whole year, got {shown[pos]!r}", Check.NON_NUMERIC)
    else:
        wrong = ~empty & ~np.isfinite(values)
        add(
            wrong,
            lambda pos: f"{col} must be a finite number, got {shown[pos]!r}",
            Check.NON_NUMERIC,
        )
    values[wrong] = np.nan
    return values, (wrong | empty) if not optional else wrong


def _check_enterprise_sums(
    positions: np.ndarray,
    cap: np.ndarray,
    bad: np.ndarray,
    activities: pd.Index,
    capacity: np.ndarray,
    source: str,
    problems: Problems,
) -> None:
    """Per activity, the enterprises' capacities add up to its capacity (unless ``inf``)."""
    known = positions >= 0
    if not known.any():
        return
    n = len(activities)
    total = np.bincount(positions[known], weights=np.nan_to_num(cap[known]), minlength=n)
    has = np.bincount(positions[known], minlength=n) > 0
    spoilt = np.bincount(positions[known], weights=bad[known].astype(float), minlength=n) > 0
    limit = np.asarray(capacity, dtype=float)
    finite = np.isfinite(limit)
    off = np.zeros(n, dtype=bool)
    off[finite] = np.abs(total[finite] - limit[finite]) > ENTERPRISE_CAPACITY_RTOL * np.abs(
        limit[finite]
    )
    first_row = np.full(n, -1)
    rows = np.flatnonzero(known)
    first_row[positions[rows[::-1]]] = rows[::-1]
    for a in np.flatnonzero(has & ~spoilt & off):
        count = int(np.count_nonzero(positions == a))
        problems.add(
            f"the capacities of the {count} enterprise(s) of activity {str(activities[a])!r} "
            f"add up to {total[a]:.10g}, but the activity's capacity is {limit[a]:.10g}: they "
            f"must agree within a relative {ENTERPRISE_CAPACITY_RTOL:g} (change the "
            "enterprises' capacities or the activity's)",
            source=source,
            row=int(first_row[a]) + 2,
            label=str(activities[a]),
            check=Check.ENTERPRISE_CAPACITY,
        )
