"""Backward and forward linkages and key sectors (Rasmussen 1956; Miller & Blair 2009, ch. 12).

* **Backward direct** linkage of *j*: what *j* buys from the economy per unit of its output,
  the column sum of ``A``.
* **Forward direct** linkage of *i*: what the economy buys from *i* per unit of *i*'s output.
  With gross output ``x`` this is the row sum of the allocation (output) coefficients
  ``B = x^-1 Z = x^-1 A x`` (Ghosh); without it, the row sum of ``A``.
* **Backward total** (Rasmussen's *power of dispersion*): column sums of ``L = (I - A)^-1``
  divided by their mean. Above 1: a unit of final demand for *j* draws more than the average
  product on the whole economy.
* **Forward total** (Rasmussen's *sensitivity of dispersion*): row sums of ``L`` (or, with
  gross output, of the Ghosh inverse ``G = (I - B)^-1``) divided by their mean.

A **key sector** has both normalised total indices above 1; otherwise it is *backward
oriented*, *forward oriented* or *weak*.

Column sums of ``L`` solve ``(I - A)^T m = 1``; row sums solve ``(I - A) r = 1``; row sums of
``G`` are ``(L x)_i / x_i`` and solve ``(I - A) z = x``. No inverse is formed.

**Units.** Column sums of ``A`` and ``L`` (backward linkages) and, without gross output, their
row sums (forward linkages) add quantities of different products. When the products have
different units (``Economy.products["unit"]``) those sums change with the choice of units, so
:func:`linkages` logs a warning naming them and records it in ``.attrs["note"]``. The
value-weighted form (``weights="labour"`` or ``weights=prices``) computes every index from the
value coefficients ``P A P^-1`` (``P = diag(p)``): value of input *i* per unit of value of
*j*'s output. These are the same whatever unit each product is counted in. The Ghosh forward
linkages are ratios of one product's own output and are unit-free either way.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.balance.labels import require_every_label
from gosplan.balance.multipliers import Weights, mixed_units_note, value_weights
from gosplan.balance.solvers import LeontiefSolver
from gosplan.core.economy import Economy
from gosplan.errors import InputError

log = logging.getLogger(__name__)

KEY = "key sector"
BACKWARD = "backward oriented"
FORWARD = "forward oriented"
WEAK = "weak"

COLUMNS = (
    "backward_direct",
    "forward_direct",
    "backward_total",
    "forward_total",
    "key_sector",
    "classification",
)


# ---------------------------------------------------------------------- array core
def normalise(values: np.ndarray) -> np.ndarray:
    """Divide by the mean (Rasmussen normalisation); all ones when the mean is zero."""
    mean = float(np.mean(values)) if values.size else 0.0
    return values / mean if mean != 0 else np.ones_like(values)


def classify(backward: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Classify products by their normalised total backward and forward indices.

    Parameters
    ----------
    backward, forward
        Normalised indices (mean 1).

    Returns
    -------
    numpy.ndarray
        ``"key sector"``, ``"backward oriented"``, ``"forward oriented"`` or ``"weak"``.
    """
    b, f = backward > 1, forward > 1
    return np.select([b & f, b, f], [KEY, BACKWARD, FORWARD], default=WEAK).astype(object)


def linkage_arrays(
    A: np.ndarray | sp.sparray, gross_output: np.ndarray | None = None, *, method: str = "auto"
) -> dict[str, Any]:
    """Linkage indices of a square coefficient matrix (see the module docstring).

    Parameters
    ----------
    A
        Square technical coefficients.
    gross_output
        Gross output ``x > 0`` for the Ghosh (supply-side) forward linkages; ``None`` uses
        row sums of ``A`` and of ``L``.
    method
        Solver of :class:`~gosplan.balance.solvers.LeontiefSolver` (prepared once for both
        solves).

    Returns
    -------
    dict
        Arrays ``backward_direct``, ``forward_direct``, ``backward_total``, ``forward_total``
        (totals normalised to mean 1) and ``key_sector``, ``classification``; also
        ``solver`` (the method that ran) and ``residual`` (the larger relative residual of the
        two solves).
    """
    S = sp.csc_array(A)
    n = S.shape[0]
    ones = np.ones(n)
    solver = LeontiefSolver(S, method=method)  # type: ignore[arg-type]
    col_a = np.asarray(S.sum(axis=0)).ravel()
    backward = solver.solve(ones, transpose=True)
    if gross_output is None:
        row_a = np.asarray(S.sum(axis=1)).ravel()
        forward = solver.solve(ones)
        row_total = forward.x
    else:
        x = np.asarray(gross_output, dtype=float)
        row_a = (S @ x) / x  # row sums of B = x^-1 A x
        forward = solver.solve(x)
        row_total = forward.x / x
    col_l = backward.x
    backward_total = normalise(col_l)
    forward_total = normalise(row_total)
    return {
        "backward_direct": col_a,
        "forward_direct": row_a,
        "backward_total": backward_total,
        "forward_total": forward_total,
        "key_sector": (backward_total > 1) & (forward_total > 1),
        "classification": classify(backward_total, forward_total),
        "solver": solver.method,
        "residual": max(backward.residual, forward.residual),
    }


# ---------------------------------------------------------------------- labelled wrapper
def linkages(
    economy: Economy,
    *,
    method: str = "rasmussen",
    gross_output: pd.Series | None = None,
    weights: Weights = None,
    solver: str = "auto",
) -> pd.DataFrame:
    """Backward and forward linkages and the key sectors of an economy.

    Parameters
    ----------
    economy
        The economy (one technique per product).
    method
        Linkage measure; ``"rasmussen"`` (normalised column and row sums) is the one offered.
    gross_output
        Gross output by product (every product, positive). When given, forward linkages are
        supply-side (Ghosh): row sums of the allocation coefficients and of the Ghosh inverse.
    weights
        ``None`` (default): sums in the products' own units; when the products have different
        units (``economy.products["unit"]``) the backward (and Leontief forward) indices mix
        them, so a warning naming the units is logged and ``.attrs["note"]`` says so.
        ``"labour"``: weight each product by its labour value (:meth:`Economy.labour_values`,
        all labour types summed). A Series: weight by these prices (every product,
        positive). The indices are then those of the value coefficients ``p_i A_ij / p_j``
        (backward total: ``sum_i p_i L_ij / p_j``, the value-weighted output multiplier;
        forward total: ``sum_j p_i L_ij / p_j``), which do not change when a product's unit
        is rescaled. Ghosh forward linkages are the same with or without weights.
    solver
        Solver passed to :func:`~gosplan.balance.solvers.solve_leontief`.

    Returns
    -------
    pandas.DataFrame
        Products as rows; columns ``backward_direct``, ``forward_direct``, ``backward_total``,
        ``forward_total``, ``key_sector`` and ``classification``. ``.attrs["forward"]`` says
        whether forward linkages are ``"leontief"`` or ``"ghosh"``; ``.attrs["weights"]`` is
        ``None``, ``"labour values"`` or ``"prices"``; ``.attrs["note"]`` is a caveat to show
        with the table (mixed units) or ``None``.

    Raises
    ------
    InputError
        Unknown method, gross output that misses a product or is not positive, or weights
        that are unknown or not positive for every product.
    UnknownLabelError
        If gross output or price weights name unknown products.

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
    >>> linkages(Economy.from_coefficients(A))["classification"].tolist()
    ['key sector', 'weak']
    """
    if method != "rasmussen":
        raise InputError(f"unknown linkage method {method!r}; use 'rasmussen'")
    eco = economy.square()
    x = None
    if gross_output is not None:
        x = positive_gross_output(eco, gross_output)
    A, x, weighting, note = _weighted(eco, x, weights, solver)
    arrays = linkage_arrays(A, x, method=solver)
    out = pd.DataFrame({c: arrays[c] for c in COLUMNS}, index=eco.product_labels)
    out["key_sector"] = out["key_sector"].astype(bool)
    out.attrs.update(
        method=method,
        forward="leontief" if x is None else "ghosh",
        weights=weighting,
        note=note,
        solver=arrays["solver"],
        residual=arrays["residual"],
    )
    return out


def _weighted(
    eco: Economy, x: np.ndarray | None, weights: Weights, solver: str
) -> tuple[sp.sparray, np.ndarray | None, str | None, str | None]:
    """The coefficients (and output) at value weights: ``(A, x, weighting, note)``.

    Without weights, ``A`` and ``x`` as they are, with the mixed-units note (if any).
    """
    if weights is None:
        summed = "backward linkages" if x is not None else "backward and forward linkages"
        return eco.technology, x, None, mixed_units_note(eco, summed)
    p, weighting = value_weights(eco, weights, method=solver)
    A = sp.csc_array(sp.diags_array(p) @ eco.technology @ sp.diags_array(1.0 / p))
    if x is not None:
        x = p * x  # output in value; the Ghosh ratios are unchanged
    return A, x, weighting, None


def positive_gross_output(economy: Economy, gross_output: pd.Series) -> np.ndarray:
    """Gross output aligned with the products, required complete and positive.

    Raises
    ------
    InputError
        If a product is missing or its gross output is not positive.
    UnknownLabelError
        If a label is not a product.
    """
    require_every_label(economy.product_labels, pd.Index(gross_output.index), "gross output is")
    x = economy.align_products(gross_output, "gross output")
    bad = np.flatnonzero(~(x > 0))
    if bad.size:
        raise InputError(
            "gross output must be positive for supply-side (Ghosh) coefficients",
            label=str(economy.product_labels[bad[0]]),
            check="non_positive_output",
        )
    return x
