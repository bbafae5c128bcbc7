r"""Updating a table to new margins: RAS and GRAS (Miller & Blair 2009, sec. 7.4).

**RAS** (biproportional scaling, Stone 1961) finds row and column multipliers ``r`` and ``s``
such that ``Z = diag(r) Z0 diag(s)`` has the given row totals ``u`` and column totals ``v``.
It alternates ``r_i = u_i / sum_j Z0_ij s_j`` and ``s_j = v_j / sum_i r_i Z0_ij``; it needs a
non-negative table.

**GRAS** (generalised RAS; Junius & Oosterhaven 2003, as corrected by Lenzen, Wood & Gallego
2007 and written out by Temurshoev, Miller & Bouwmeester 2013) handles tables with negative
entries (subsidies, changes in stocks). With ``Z0 = P - N`` (``P``, ``N`` the positive and
negative parts) it looks for

.. math::

    Z_{ij} = r_i P_{ij} s_j - N_{ij} / (r_i s_j),

which keeps every entry's sign and minimises an information loss. Given ``s``, each ``r_i``
solves the quadratic ``p_i r_i^2 - u_i r_i - n_i = 0`` with ``p_i = sum_j P_ij s_j`` and
``n_i = sum_j N_ij / s_j``:

.. math::

    r_i = \frac{u_i + \sqrt{u_i^2 + 4 p_i n_i}}{2 p_i}, \qquad
    r_i = -n_i / u_i \text{ when } p_i = 0,

and symmetrically for ``s`` given ``r``. On a non-negative table GRAS is RAS.

The margins must be consistent (``sum u = sum v``), and a row (column) whose entries are all
zero can only have a zero target; both are checked up front with a clear error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.balance.labels import require_every_label
from gosplan.errors import InputError, UnknownLabelError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RasResult:
    """The outcome of a RAS or GRAS update.

    Attributes
    ----------
    table
        The updated table, labelled like the prior table.
    r
        Row multipliers, indexed like the rows.
    s
        Column multipliers, indexed like the columns.
    iterations
        Number of full (row and column) sweeps made.
    max_error
        Largest absolute difference between a margin of ``table`` and its target.
    converged
        Whether ``max_error`` fell to the tolerance within the iteration limit.
    """

    table: pd.DataFrame
    r: pd.Series
    s: pd.Series
    iterations: int
    max_error: float
    converged: bool


# ---------------------------------------------------------------------- array core
def _margin_error(X: np.ndarray, u: np.ndarray, v: np.ndarray) -> float:
    if X.size == 0:
        return 0.0
    return float(max(np.max(np.abs(X.sum(axis=1) - u)), np.max(np.abs(X.sum(axis=0) - v))))


def _scale(u: np.ndarray, v: np.ndarray) -> float:
    return max(1.0, float(np.max(np.abs(u), initial=0.0)), float(np.max(np.abs(v), initial=0.0)))


def ras_arrays(
    Z0: np.ndarray, u: np.ndarray, v: np.ndarray, *, tol: float = 1e-10, max_iter: int = 10_000
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float, bool]:
    """RAS on arrays (no input checks: see :func:`ras`).

    Parameters
    ----------
    Z0
        Non-negative prior table ``(m, n)``.
    u, v
        Row and column targets.
    tol
        Convergence when the largest margin error is at most ``tol * max(1, max|u|, max|v|)``.
    max_iter
        Limit on sweeps; sweeping also stops, unconverged, when the multipliers overflow
        (the last finite table is returned).

    Returns
    -------
    tuple
        ``(Z, r, s, iterations, max_error, converged)``.
    """
    m, n = Z0.shape

    def sweep(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        den = Z0 @ s
        r_new = np.divide(u, den, out=np.ones(m), where=den > 0)
        den = r_new @ Z0
        s_new = np.divide(v, den, out=np.ones(n), where=den > 0)
        return r_new, s_new, r_new[:, None] * Z0 * s_new[None, :]

    return _sweep_until_met(Z0, u, v, sweep, tol=tol, max_iter=max_iter)


#: One sweep of (G)RAS: the column multipliers ``s`` -> new ``(r, s, table)``.
_Sweep = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def _sweep_until_met(
    Z0: np.ndarray, u: np.ndarray, v: np.ndarray, sweep: _Sweep, *, tol: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float, bool]:
    """Sweep from ``Z0`` until the margins are met within ``tol`` or ``max_iter`` sweeps.

    Sweeping stops, unconverged, when the multipliers diverge (margins the zeros cannot
    meet): the last finite table is kept. Returns ``(Z, r, s, iterations, error, converged)``.
    """
    m, n = Z0.shape
    r, s = np.ones(m), np.ones(n)
    threshold = tol * _scale(u, v)
    X = Z0.copy()
    err = _margin_error(X, u, v)
    it = 0
    while err > threshold and it < max_iter:
        with np.errstate(all="ignore"):
            r_new, s_new, X_new = sweep(s)
            err_new = _margin_error(X_new, u, v)
        if not np.isfinite(err_new):
            break  # the multipliers diverge: keep the last finite table
        it += 1
        X, r, s, err = X_new, r_new, s_new, err_new
    return X, r, s, it, err, err <= threshold


def _gras_step(P: np.ndarray, N: np.ndarray, other: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Multipliers of the rows of ``P - N`` given the column multipliers ``other``."""
    inv_other = np.divide(1.0, other, out=np.zeros_like(other), where=other > 0)
    p = P @ other
    q = N @ inv_other
    root = np.sqrt(target * target + 4.0 * p * q)
    out = np.ones_like(target)
    has_p = p > 0
    np.divide(target + root, 2.0 * p, out=out, where=has_p)
    only_n = ~has_p & (q > 0)
    np.divide(-q, target, out=out, where=only_n & (target < 0))
    return out


def gras_arrays(
    Z0: np.ndarray, u: np.ndarray, v: np.ndarray, *, tol: float = 1e-10, max_iter: int = 10_000
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float, bool]:
    """GRAS on arrays (no input checks: see :func:`gras`).

    As :func:`ras_arrays` (the same parameters and result), for a prior table ``Z0`` whose
    entries may have either sign.
    """
    P = np.where(Z0 > 0, Z0, 0.0)
    N = np.where(Z0 < 0, -Z0, 0.0)

    def sweep(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r = _gras_step(P, N, s, u)
        s = _gras_step(P.T, N.T, r, v)
        inv_r = np.divide(1.0, r, out=np.zeros_like(r), where=r > 0)
        inv_s = np.divide(1.0, s, out=np.zeros_like(s), where=s > 0)
        return r, s, r[:, None] * P * s[None, :] - N * inv_r[:, None] * inv_s[None, :]

    return _sweep_until_met(Z0, u, v, sweep, tol=tol, max_iter=max_iter)


# ---------------------------------------------------------------------- labelled wrappers
def _aligned_targets(
    Z0: pd.DataFrame, row_totals: pd.Series, col_totals: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(Z0, pd.DataFrame):
        raise InputError("the prior table must be a labelled DataFrame")
    for what, targets, labels in (
        ("row totals", row_totals, pd.Index(Z0.index)),
        ("column totals", col_totals, pd.Index(Z0.columns)),
    ):
        given = pd.Index(targets.index)
        unknown = given.difference(labels)
        if len(unknown):
            names = ", ".join(map(repr, unknown[:5]))
            raise UnknownLabelError(
                f"{what} name labels not in the table: {names}", label=str(unknown[0])
            )
        require_every_label(labels, given, f"{what} are")
    Z = Z0.to_numpy(dtype=float)
    u = row_totals.reindex(Z0.index).to_numpy(dtype=float)
    v = col_totals.reindex(Z0.columns).to_numpy(dtype=float)
    for what, arr in (("prior table", Z), ("row totals", u), ("column totals", v)):
        if not np.all(np.isfinite(arr)):
            raise InputError(f"the {what} has missing or infinite values", check="nan")
    return Z, u, v


def _check_consistent(
    Z: np.ndarray, u: np.ndarray, v: np.ndarray, Z0: pd.DataFrame, tol: float
) -> None:
    su, sv = float(u.sum()), float(v.sum())
    if abs(su - sv) > max(tol, 1e-9) * _scale(u, v) * max(1, len(u), len(v)):
        raise InputError(
            f"inconsistent totals: the row totals sum to {su:.10g} but the column totals "
            f"sum to {sv:.10g}; no table can have both",
            check="inconsistent_totals",
        )
    for what, empty, target, labels in (
        ("row", ~np.any(Z != 0, axis=1), u, Z0.index),
        ("column", ~np.any(Z != 0, axis=0), v, Z0.columns),
    ):
        bad = np.flatnonzero(empty & (target != 0))
        if bad.size:
            raise InputError(
                f"the {what} is all zeros in the prior table but its target is "
                f"{target[bad[0]]:.10g}: scaling cannot create entries",
                label=str(labels[bad[0]]),
                check=f"zero_{what}",
            )


def _check_non_negative(Z: np.ndarray, u: np.ndarray, v: np.ndarray, Z0: pd.DataFrame) -> None:
    """RAS scales entries by positive factors: name the first negative entry or total."""
    for what, arr, where in (
        ("entry", Z, None),
        ("row total", u, Z0.index),
        ("column total", v, Z0.columns),
    ):
        negative = np.argwhere(arr < 0)
        if negative.size == 0:
            continue
        if where is None:
            i, j = negative[0]
            at = f"({Z0.index[i]!r}, {Z0.columns[j]!r})"
            label, value = str(Z0.index[i]), arr[i, j]
        else:
            at = repr(where[negative[0][0]])
            label, value = str(where[negative[0][0]]), arr[negative[0][0]]
        raise InputError(
            f"RAS needs a non-negative table and non-negative totals, but the {what} {at} is "
            f"{value:g}; use gras() (CLI: --gras) for tables with negative entries",
            label=label,
            check="negative_entries",
        )


def _check_signs(Z: np.ndarray, u: np.ndarray, v: np.ndarray, Z0: pd.DataFrame) -> None:
    """A row with only positive (negative) entries cannot reach a negative (positive) total."""
    for what, axis, target, labels in (("row", 1, u, Z0.index), ("column", 0, v, Z0.columns)):
        has_pos = np.any(Z > 0, axis=axis)
        has_neg = np.any(Z < 0, axis=axis)
        bad = np.flatnonzero(
            (has_pos & ~has_neg & (target < 0)) | (~has_pos & has_neg & (target >= 0))
        )
        if bad.size:
            sign = "positive" if has_pos[bad[0]] else "negative"
            raise InputError(
                f"the {what} has only {sign} entries, so it cannot reach its target "
                f"{target[bad[0]]:.10g}",
                label=str(labels[bad[0]]),
                check="sign_pattern",
            )


def _check_options(tol: float, max_iter: int) -> None:
    """``tol`` must be a positive number and ``max_iter`` a whole number of at least 1."""
    try:
        tol_ok = bool(np.isfinite(tol) and tol > 0)
        iter_ok = not isinstance(max_iter, bool) and int(max_iter) == max_iter >= 1
    except (TypeError, ValueError):
        tol_ok = iter_ok = False
    if not tol_ok:
        raise InputError(f"tol must be a positive number, got {tol!r}", check="bad_option")
    if not iter_ok:
        raise InputError(
            f"max_iter must be a whole number of at least 1, got {max_iter!r}", check="bad_option"
        )


def _result(
    Z0: pd.DataFrame, out: tuple[np.ndarray, np.ndarray, np.ndarray, int, float, bool], name: str
) -> RasResult:
    X, r, s, it, err, converged = out
    if not converged:
        # The result says so (``converged=False``); a warning here would repeat it on standard
        # error in every program that reports it itself (the CLI does, with exit status 1).
        log.info("%s did not converge in %d sweeps (margin error %.3e)", name, it, err)
    return RasResult(
        table=pd.DataFrame(X, index=Z0.index, columns=Z0.columns),
        r=pd.Series(r, index=Z0.index, name="r"),
        s=pd.Series(s, index=Z0.columns, name="s"),
        iterations=it,
        max_error=err,
        converged=bool(converged),
    )


def ras(
    Z0: pd.DataFrame,
    row_totals: pd.Series,
    col_totals: pd.Series,
    *,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> RasResult:
    """Scale a non-negative table to new row and column totals (biproportional RAS).

    Parameters
    ----------
    Z0
        Prior table (non-negative), labelled rows and columns.
    row_totals
        Target row sums, one per row label.
    col_totals
        Target column sums, one per column label.
    tol
        Stop when every margin is within ``tol * max(1, largest target)`` of its target.
    max_iter
        Limit on sweeps; if reached, the result says ``converged=False``.

    Returns
    -------
    RasResult
        Table, multipliers, sweeps, margin error and convergence flag.

    Raises
    ------
    InputError
        Negative entries or targets (use :func:`gras`), totals that do not add up to the same
        sum, a zero row or column with a non-zero target, missing targets, ``tol`` not
        positive or ``max_iter`` below 1.
    UnknownLabelError
        Targets for labels the table does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> Z0 = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["a", "b"], columns=["a", "b"])
    >>> res = ras(Z0, pd.Series({"a": 4.0, "b": 6.0}), pd.Series({"a": 5.0, "b": 5.0}))
    >>> res.converged, res.table.sum(axis=1).round(8).tolist()
    (True, [4.0, 6.0])
    """
    _check_options(tol, max_iter)
    Z, u, v = _aligned_targets(Z0, row_totals, col_totals)
    _check_non_negative(Z, u, v, Z0)
    _check_consistent(Z, u, v, Z0, tol)
    return _result(Z0, ras_arrays(Z, u, v, tol=tol, max_iter=max_iter), "RAS")


def gras(
    Z0: pd.DataFrame,
    row_totals: pd.Series,
    col_totals: pd.Series,
    *,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> RasResult:
    """Scale a table with entries of either sign to new totals (GRAS).

    Each entry keeps its sign: positive parts are multiplied by ``r_i s_j`` and negative parts
    divided by it (see the module docstring for the equations).

    Parameters
    ----------
    Z0
        Prior table, labelled rows and columns, entries of either sign.
    row_totals
        Target row sums (either sign).
    col_totals
        Target column sums (either sign).
    tol
        Stop when every margin is within ``tol * max(1, largest |target|)`` of its target.
    max_iter
        Limit on sweeps; if reached, the result says ``converged=False``.

    Returns
    -------
    RasResult
        Table, multipliers, sweeps, margin error and convergence flag.

    Raises
    ------
    InputError
        Inconsistent totals, a zero row or column with a non-zero target, a row or column
        whose entries all have the sign opposite to its target, missing targets, ``tol`` not
        positive or ``max_iter`` below 1.
    UnknownLabelError
        Targets for labels the table does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> Z0 = pd.DataFrame([[4.0, -1.0], [2.0, 3.0]], index=["a", "b"], columns=["a", "b"])
    >>> res = gras(Z0, pd.Series({"a": 2.0, "b": 6.0}), pd.Series({"a": 7.0, "b": 1.0}))
    >>> res.converged, bool(res.table.loc["a", "b"] < 0)
    (True, True)
    """
    _check_options(tol, max_iter)
    Z, u, v = _aligned_targets(Z0, row_totals, col_totals)
    _check_consistent(Z, u, v, Z0, tol)
    _check_signs(Z, u, v, Z0)
    return _result(Z0, gras_arrays(Z, u, v, tol=tol, max_iter=max_iter), "GRAS")
