"""Unit-free valuation of products: labour values at the least-labour techniques.

Every sum over products in the planner (consumption valued by ``max_consumption``, capital
valued by ``investment_share``, the frontier's figures) is a sum of values, never of
physical units (Mt + bn kWh + m roubles): a plan's optimum must not change when a product is
measured in kilograms instead of tonnes. The value of a product is its least labour content:
the largest ``v >= 0`` with ``v (O - A) <= l`` activity by activity (``O`` outputs, ``A``
inputs, ``l`` the total labour of every type per unit of the activity). By the
non-substitution theorem this is each product's labour content at the techniques that make it
with least labour; for an economy with one activity per product it is the classical labour
value ``v = v A + l``, computed here by the Leontief solver instead of an LP.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from gosplan.core.economy import Economy
from gosplan.errors import GosplanError, ValuationError

log = logging.getLogger(__name__)


def least_labour_values(economy: Economy) -> np.ndarray:
    """Labour value of every product at its least-labour techniques (economy order).

    Parameters
    ----------
    economy
        The economy (several techniques per product allowed).

    Returns
    -------
    numpy.ndarray
        One value per product, in the economy's labour unit per unit of the product; 0 for a
        product that no activity makes.

    Raises
    ------
    ValuationError
        When the economy has no labour coefficients, or when the least-labour LP has no
        optimum (a technology that cannot produce a surplus).

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame([[0.0, 0.5], [0.0, 0.0]], index=["a", "b"], columns=["a", "b"])
    >>> eco = Economy.from_coefficients(A, labour=pd.Series({"a": 1.0, "b": 1.0}))
    >>> least_labour_values(eco).round(12).tolist()
    [1.0, 1.5]
    """
    lab = sp.csr_array(economy.labour) if economy.labour is not None else None
    if lab is None or lab.shape[0] == 0 or lab.nnz == 0:
        raise ValuationError(
            f"economy {economy.meta.name!r} has no labour coefficients: no unit-free "
            "valuation of its products can be computed (give consumption_weights, or labour "
            "coefficients, so that different products are not summed in physical units)"
        )
    if economy.is_square:
        try:
            lv = economy.labour_values()
        except GosplanError as err:
            raise ValuationError(f"labour values cannot be computed: {err}") from err
        col = "total" if "total" in lv.columns else lv.columns[0]
        values = lv[col].to_numpy(dtype=float)
        if np.all(np.isfinite(values)) and np.all(values >= -1e-12):
            return np.maximum(values, 0.0)
    return _least_labour_lp(economy, lab)


def _least_labour_lp(economy: Economy, lab: sp.csr_array) -> np.ndarray:
    """Solve ``max sum v`` s.t. ``v (O - A) <= l``, ``v >= 0`` (0 for products not made)."""
    net = sp.csc_array(economy.output_matrix - economy.technology)
    per_unit = np.asarray(lab.sum(axis=0)).ravel()
    made = np.asarray(abs(sp.csr_array(economy.output_matrix)).sum(axis=1)).ravel() > 0
    bounds = [(0.0, None if m else 0.0) for m in made]
    res = linprog(
        -np.ones(economy.n_products),
        A_ub=sp.csr_array(net.T),
        b_ub=per_unit,
        bounds=bounds,
        method="highs",
    )
    if res.status != 0:
        raise ValuationError(
            "labour values at the least-labour techniques cannot be computed "
            f"({res.message.strip()}): the technology may not be able to produce a surplus"
        )
    return np.maximum(np.asarray(res.x, dtype=float), 0.0)
