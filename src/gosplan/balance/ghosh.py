r"""The Ghosh supply-side model (Ghosh 1958; Miller & Blair 2009, sec. 12.1).

Where the Leontief model fixes the *input* structure of each product (``A = Z x^-1``: the
share of each input in a unit of output), the Ghosh model fixes the *allocation* of each
product's output among its buyers, ``B = x^-1 Z``: ``B[i, j]`` is the share of *i*'s output
that goes to *j*. Rows, not columns, are stable. Gross output then follows from primary
inputs (value added) ``v``:

.. math::

    x^T = x^T B + v^T \quad\Longrightarrow\quad x^T = v^T (I - B)^{-1} = v^T G,

which is solved here as ``(I - B)^T x = v`` without forming ``G``. For square tables
``B = x^-1 A x``, so ``G = x^-1 L x``.

Interpretation
--------------
Read literally, the model says that more primary input into *i* pushes output out along
*i*'s fixed sales shares, whether or not the buyers want it: a buyer's output would grow with
none of its other inputs growing, which is implausible as a quantity model (Oosterhaven 1988).
Its accepted reading is as a **price model** (Dietzenbacher 1997): a change in the price of
primary inputs of *i* passes forward along the allocation coefficients, and ``G`` measures the
resulting cost push in value terms. Use it for forward linkages and for cost-push questions;
use the Leontief model for what must be produced to meet a demand.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.balance.linkages import positive_gross_output
from gosplan.balance.solvers import solve_leontief
from gosplan.core.economy import Economy
from gosplan.errors import InputError

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------- array core
def allocation_matrix(A: np.ndarray | sp.sparray, x: np.ndarray) -> sp.csc_array:
    """Allocation coefficients ``B = x^-1 A x`` from input coefficients and gross output.

    Parameters
    ----------
    A
        Square technical coefficients.
    x
        Positive gross output, shape ``(n,)``.

    Returns
    -------
    scipy.sparse.csc_array
        ``B[i, j] = A[i, j] x[j] / x[i]``.
    """
    x = np.asarray(x, dtype=float)
    return sp.csc_array(sp.diags_array(1.0 / x) @ sp.csc_array(A) @ sp.diags_array(x))


def supply_side_output(
    B: np.ndarray | sp.sparray, value_added: np.ndarray, *, method: str = "auto"
) -> np.ndarray:
    """Gross output ``x`` with ``x^T = x^T B + v^T``, by solving ``(I - B)^T x = v``.

    Parameters
    ----------
    B
        Square allocation coefficients.
    value_added
        Primary inputs ``v``, shape ``(n,)`` or ``(n, k)``.
    method
        Solver passed to :func:`~gosplan.balance.solvers.solve_leontief`.

    Returns
    -------
    numpy.ndarray
        Gross output, shaped like ``value_added``.
    """
    return solve_leontief(B, np.asarray(value_added, float), transpose=True, method=method).x  # type: ignore[arg-type]


# ---------------------------------------------------------------------- labelled wrappers
def allocation_coefficients(
    Z: pd.DataFrame | np.ndarray, x: pd.Series | np.ndarray
) -> pd.DataFrame | np.ndarray:
    """Allocation (output) coefficients ``B = x^-1 Z``: the share of *i*'s output sold to *j*.

    Parameters
    ----------
    Z
        Square flow table, sellers as rows and buyers as columns (DataFrame or array).
    x
        Gross output of the sellers (Series aligned by label with ``Z``'s rows, or array).

    Returns
    -------
    pandas.DataFrame or numpy.ndarray
        Like ``Z``. Rows of products with zero output and no sales are zero.

    Raises
    ------
    InputError
        If a product sells something but its gross output is not positive, or ``x`` does not
        cover ``Z``'s rows.

    Examples
    --------
    >>> import pandas as pd
    >>> Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=["a", "b"], columns=["a", "b"])
    >>> allocation_coefficients(Z, pd.Series({"a": 1000.0, "b": 2000.0})).to_numpy().tolist()
    [[0.15, 0.5], [0.1, 0.05]]
    """
    if isinstance(Z, pd.DataFrame):
        if not isinstance(x, pd.Series):
            raise InputError("with a labelled flow table, give gross output as a Series")
        missing = pd.Index(Z.index).difference(pd.Index(x.index))
        if len(missing):
            raise InputError(
                "gross output is missing for a row of the flow table", label=str(missing[0])
            )
        xs = x.reindex(Z.index).to_numpy(dtype=float)
        return pd.DataFrame(_divide_rows(Z.to_numpy(float), xs, Z.index), Z.index, Z.columns)
    return _divide_rows(np.asarray(Z, float), np.asarray(x, float), None)


def _divide_rows(Z: np.ndarray, x: np.ndarray, labels: pd.Index | None) -> np.ndarray:
    sells = np.any(Z != 0, axis=1)
    bad = np.flatnonzero(sells & ~(x > 0))
    if bad.size:
        where = str(labels[bad[0]]) if labels is not None else f"row {bad[0]}"
        raise InputError(
            "gross output must be positive for a product that sells to others",
            label=where,
            check="non_positive_output",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(x > 0, 1.0 / x, 0.0)
    return Z * inv[:, None]


def ghosh_output(
    economy: Economy,
    value_added: pd.Series | pd.DataFrame,
    gross_output: pd.Series,
    *,
    method: str = "auto",
) -> pd.Series | pd.DataFrame:
    """Gross output from primary inputs in the Ghosh model, ``x^T = v^T (I - B)^-1``.

    The allocation coefficients ``B`` are those of the base year whose gross output is
    ``gross_output`` (``B = x^-1 A x``). See the module docstring for how to read the result.

    Parameters
    ----------
    economy
        The economy (one technique per product); its ``A`` and ``gross_output`` describe the
        base year.
    value_added
        Primary inputs by product (Series), or several alternatives (DataFrame columns);
        products not named get zero.
    gross_output
        Base-year gross output of every product (positive).
    method
        Solver passed to :func:`~gosplan.balance.solvers.solve_leontief`.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Gross output by product.

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
    >>> eco = Economy.from_coefficients(A)
    >>> x = pd.Series({"a": 1000.0, "b": 2000.0})
    >>> ghosh_output(eco, pd.Series({"a": 650.0, "b": 1400.0}), x).round(6).tolist()
    [1000.0, 2000.0]
    """
    eco = economy.square()
    x0 = positive_gross_output(eco, gross_output)
    v = eco.align_products(value_added, "value added")
    B = allocation_matrix(eco.technology, x0)
    x = supply_side_output(B, v, method=method)
    if x.ndim == 1:
        return pd.Series(x, index=eco.product_labels, name="gross_output")
    assert isinstance(value_added, pd.DataFrame)
    return pd.DataFrame(x, index=eco.product_labels, columns=value_added.columns)


def ghosh_inverse(economy: Economy, gross_output: pd.Series) -> pd.DataFrame:
    """The Ghosh inverse ``G = (I - B)^-1`` as a dense labelled matrix.

    Only for when the matrix itself is wanted; :func:`ghosh_output` solves without it.

    Parameters
    ----------
    economy
        The economy (one technique per product).
    gross_output
        Base-year gross output of every product (positive).

    Returns
    -------
    pandas.DataFrame
        Products as rows and columns.
    """
    eco = economy.square()
    x0 = positive_gross_output(eco, gross_output)
    B = allocation_matrix(eco.technology, x0)
    G = solve_leontief(B, np.eye(eco.n_products), method="dense-lu").x  # type: ignore[arg-type]
    return pd.DataFrame(G, index=eco.product_labels, columns=eco.product_labels)
