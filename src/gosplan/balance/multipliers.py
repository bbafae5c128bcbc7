r"""Output, income and employment multipliers (Miller & Blair 2009, ch. 6).

A *simple* (type I) multiplier of product *j* is the total effect, summed over the economy, of
one more unit of final demand for *j*, counting the production of inputs and of their inputs:

* output: ``m_j = sum_i L_ij`` (column sums of the Leontief inverse ``L = (I - A)^-1``);
* income: ``m_j = sum_i w_i L_ij`` with income (wage) coefficients ``w``, income per unit of
  output (by default the labour coefficients: income counted in units of labour);
* employment: ``m_j = sum_i e_i L_ij`` with labour coefficients ``e``.

All three are ``m = (I - A)^-T c`` for a weight vector ``c``, so they come from one transposed
solve, ``(I - A)^T m = c``; the inverse is never formed.

A *total* (type II) multiplier closes the model with respect to households: households are an
extra "product" whose output is income (row ``w``) and whose inputs are consumption
(column ``h``, the amount of each product bought per unit of income). With the augmented matrix

.. math::

    \bar A = \begin{pmatrix} A & h \\ w & 0 \end{pmatrix}

the type II multipliers are the same sums over ``\bar L = (I - \bar A)^{-1}``, for the ``n``
product columns. The output multiplier counts the household row too (Miller & Blair's *total*
output multiplier); pass ``household_row=False`` for the *truncated* one, which sums the ``n``
product rows only. The income multiplier is the household row of ``\bar L``; the employment
multiplier weights the product rows with labour coefficients.

**Units.** An output multiplier adds the gross output of different products. When the products
are measured in different physical units (tonnes, kWh, roubles: ``Economy.products["unit"]``)
that sum has no unit and changes when one product's unit is rescaled. :func:`multipliers` then
logs a warning naming the units and says so in ``.attrs["note"]``. The *value-weighted* form
(``weights="labour"`` or ``weights=prices``) counts each product's output at its value,

.. math::

    m^p_j = \frac{\sum_i p_i L_{ij}}{p_j},

the value of gross output drawn by one unit of *value* of final demand for *j*, which is the
same whatever unit each product is measured in. With ``weights="labour"`` the weights are the
labour values (all labour types summed); a Series of prices must price every product, each
price positive and finite. Unweighted (``weights=None``, the default) :func:`multipliers`
sums gross output in the products' own units, ``m_j = sum_i L_ij``. The type II household row
(income) is never weighted: give wages in the unit of the weights (the default wages, labour
coefficients, match ``"labour"``). Income and employment multipliers weight the rows by
coefficients per unit of output, so their sums are homogeneous and never warn.

>>> A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
>>> eco = Economy.from_coefficients(A, labour=pd.Series({"a": 0.3, "b": 0.2}))
>>> multipliers(eco, "output", weights="labour").round(4).tolist()
[1.4532, 1.5599]

**Results.** :func:`multipliers` returns a Series named like ``"output multiplier (type I)"``
(``"output multiplier (type I, weighted by prices)"`` when weighted). Its ``.attrs`` hold
``kind``, ``type`` and ``labour_type`` as asked; ``weights``: ``None``, ``"labour values"`` or
``"prices"``; ``note``: a caveat such as mixed units (the warning's text), or ``None``;
``method`` and ``residual``: the solver used and the relative residual of its solve.
"""

from __future__ import annotations

import logging
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.balance.labels import require_every_label
from gosplan.balance.solvers import LinearSolution, solve_leontief
from gosplan.core.economy import Economy
from gosplan.errors import InputError, NotProductiveError, UnknownLabelError

log = logging.getLogger(__name__)

Kind = Literal["output", "income", "employment"]
MultiplierType = Literal["I", "II"]

KINDS: tuple[str, ...] = ("output", "income", "employment")
TYPES: tuple[str, ...] = ("I", "II")

#: Value weights of products: ``"labour"`` (labour values) or a Series of prices by product.
Weights: TypeAlias = Literal["labour"] | pd.Series | None

LABOUR_VALUES = "labour values"
PRICES = "prices"


# ---------------------------------------------------------------------- array core
def simple_multipliers(
    A: np.ndarray | sp.sparray, weights: np.ndarray | None = None, *, method: str = "auto"
) -> np.ndarray:
    """Type I multipliers ``m`` with ``(I - A)^T m = c`` (``c`` = ``weights``, default ones).

    Parameters
    ----------
    A
        Square technical coefficients, dense or sparse.
    weights
        Per-product weights ``c`` (income or labour coefficients), shape ``(n,)`` or ``(n, k)``;
        ``None`` gives output multipliers (``c = 1``).
    method
        Solver passed to :func:`~gosplan.balance.solvers.solve_leontief`.

    Returns
    -------
    numpy.ndarray
        ``m_j = sum_i c_i L_ij``.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> np.round(simple_multipliers(A), 6)
    array([1.518152, 1.452145])
    """
    n = A.shape[0]
    c = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    return solve_leontief(A, c, transpose=True, method=method).x  # type: ignore[arg-type]


def household_closed_matrix(
    A: np.ndarray | sp.sparray, income: np.ndarray, consumption: np.ndarray
) -> sp.csc_array:
    """The ``(n+1) x (n+1)`` matrix closed with respect to households.

    Parameters
    ----------
    A
        Square technical coefficients ``(n, n)``.
    income
        Household income per unit of each product's output (the new row), shape ``(n,)``.
    consumption
        Household purchases of each product per unit of income (the new column), shape ``(n,)``.

    Returns
    -------
    scipy.sparse.csc_array
        ``[[A, h], [w, 0]]``.
    """
    n = A.shape[0]
    h = sp.csc_array(np.asarray(consumption, dtype=float).reshape(n, 1))
    w = sp.csc_array(np.asarray(income, dtype=float).reshape(1, n))
    return sp.csc_array(sp.block_array([[sp.csc_array(A), h], [w, None]], format="csc"))


def total_multipliers(
    A: np.ndarray | sp.sparray,
    income: np.ndarray,
    consumption: np.ndarray,
    weights: np.ndarray | None = None,
    household_weight: float = 1.0,
    *,
    method: str = "auto",
) -> np.ndarray:
    """Type II multipliers: ``(I - Abar)^T mbar = [c; c_h]``, first ``n`` entries.

    Parameters
    ----------
    A
        Square technical coefficients ``(n, n)``.
    income
        Income coefficients ``w`` (household row).
    consumption
        Household consumption coefficients ``h`` (household column).
    weights
        Weights ``c`` of the product rows (``None``: ones, for output multipliers).
    household_weight
        Weight ``c_h`` of the household row (1 for the total output multiplier, 0 for the
        truncated one and for employment; income multipliers use ``weights=0`` and 1 here).
    method
        Solver passed to :func:`~gosplan.balance.solvers.solve_leontief`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``.

    Raises
    ------
    NotProductiveError
        If the household-closed system has no non-negative solution (households spend more
        than the economy can supply out of the income it pays).
    """
    return _total_solution(A, income, consumption, weights, household_weight, method).x[
        : A.shape[0]
    ]


def _total_solution(
    A: np.ndarray | sp.sparray,
    income: np.ndarray,
    consumption: np.ndarray,
    weights: np.ndarray | None,
    household_weight: float,
    method: str,
) -> LinearSolution:
    """The household-closed solve of :func:`total_multipliers`, all ``n + 1`` entries."""
    n = A.shape[0]
    closed = household_closed_matrix(A, income, consumption)
    c = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    rhs = np.append(c, household_weight)
    sol = solve_leontief(closed, rhs, transpose=True, method=method)  # type: ignore[arg-type]
    m = sol.x
    if np.any(m < -1e-12 * max(1.0, float(np.max(np.abs(m))))):
        raise NotProductiveError(
            "the economy closed with respect to households is not productive: household "
            "consumption per unit of income is too large for the income the economy pays",
            check="household_closure",
        )
    return sol


# ---------------------------------------------------------------------- labelled wrappers
def labour_weights(economy: Economy, labour_type: str | None = None) -> np.ndarray:
    """Labour coefficients of one labour type, or of all types summed, aligned with products.

    Parameters
    ----------
    economy
        A square economy (activities ordered like products).
    labour_type
        One labour type; ``None`` sums every type.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_products,)``.

    Raises
    ------
    InputError
        If the economy has no labour coefficients.
    UnknownLabelError
        If ``labour_type`` is not one of the economy's labour types.
    """
    eco = economy.square()
    assert eco.labour is not None
    if eco.labour.shape[0] == 0:
        raise InputError("the economy has no labour coefficients", check="no_labour")
    if labour_type is None:
        return np.asarray(eco.labour.sum(axis=0)).ravel()
    if labour_type not in eco.labour_types:
        raise _unknown_labour_type(eco.labour_types, labour_type)
    row = eco.labour_types.get_loc(labour_type)
    return eco.labour[[row], :].toarray().ravel()


def wage_income(
    economy: Economy, wages: float | pd.Series, labour_type: str | None = None
) -> pd.Series:
    """Household income per unit of output from wages per unit of labour.

    ``w_j = sum_t wage_t * l_tj``: the wage of each labour type times the labour of that type
    each product takes (its labour coefficients). The result is what :func:`multipliers`
    takes as ``wages``.

    Parameters
    ----------
    economy
        A square economy (one technique per product) with labour coefficients.
    wages
        One wage for every labour type, or a Series of wages indexed by labour type (every
        type of the economy, or at least ``labour_type``).
    labour_type
        Count only this labour type; ``None`` counts every type.

    Returns
    -------
    pandas.Series
        Income per unit of output, indexed by product, named ``"income"``.

    Raises
    ------
    InputError
        No labour coefficients, a wage that is negative or not a finite number, or no wage
        for a labour type that is counted.
    UnknownLabelError
        If ``wages`` names a labour type the economy lacks, or ``labour_type`` is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame([[0.1, 0.2], [0.2, 0.1]], index=["a", "b"], columns=["a", "b"])
    >>> L = pd.DataFrame([[1.0, 2.0], [0.5, 0.0]], index=["skilled", "unskilled"],
    ...                  columns=["a", "b"])
    >>> eco = Economy.from_coefficients(A, labour=L)
    >>> wage_income(eco, pd.Series({"skilled": 3.0, "unskilled": 1.0})).tolist()
    [3.5, 6.0]
    """
    eco = economy.square()
    assert eco.labour is not None
    if eco.labour.shape[0] == 0:
        raise InputError(
            "the economy has no labour coefficients: wages per unit of labour cannot give "
            "income per unit of output",
            check="no_labour",
        )
    types = eco.labour_types
    if labour_type is not None and labour_type not in types:
        raise _unknown_labour_type(types, labour_type)
    counted = types if labour_type is None else pd.Index([labour_type], name=types.name)
    rates = _wage_rates(wages, types, counted)
    rows = types.get_indexer(counted)
    income = rates @ eco.labour[rows, :].toarray()
    return pd.Series(income, index=eco.product_labels, name="income")


def _unknown_labour_type(
    types: pd.Index, label: str, what: str = "unknown labour type"
) -> UnknownLabelError:
    """The error for a labour type the economy lacks, naming a few that it has."""
    known = ", ".join(map(repr, types[:5]))
    return UnknownLabelError(f"{what} {label!r} (the economy has {known})", label=label)


def _wage_rates(wages: float | pd.Series, types: pd.Index, counted: pd.Index) -> np.ndarray:
    """The wage of each counted labour type, checked to be finite and non-negative.

    Raises
    ------
    InputError
        No wage for a counted labour type, or a wage that is negative or not a number.
    UnknownLabelError
        A wage for a labour type not in ``types``.
    """
    if isinstance(wages, pd.Series):
        given = pd.Index(wages.index.astype(str))
        unknown = given.difference(types)
        if len(unknown):
            raise _unknown_labour_type(types, str(unknown[0]), "wage for unknown labour type")
        missing = counted.difference(given)
        if len(missing):
            raise InputError(
                f"no wage for labour type {missing[0]!r}",
                label=str(missing[0]),
                check="missing_label",
            )
        rates = pd.Series(wages.to_numpy(dtype=float), index=given).reindex(counted).to_numpy()
    else:
        rates = np.full(len(counted), float(wages))
    bad = np.flatnonzero(~(np.isfinite(rates) & (rates >= 0)))
    if bad.size:
        raise InputError(
            f"wage must be a non-negative number, got {rates[bad[0]]:g}",
            label=str(counted[bad[0]]),
            check="negative_coefficient" if rates[bad[0]] < 0 else "non_numeric",
        )
    return rates


# ---------------------------------------------------------------------- units and value weights
def product_units(economy: Economy) -> list[str]:
    """The distinct units given for the economy's products, in product order.

    Blank units (not given) are left out.

    Parameters
    ----------
    economy
        Any economy.

    Returns
    -------
    list of str
        Each unit once, e.g. ``["Mt", "bn kWh", "m roubles"]``.
    """
    units = economy.products["unit"].astype(str).str.strip()
    return list(dict.fromkeys(u for u in units if u))


def mixed_units_note(economy: Economy, what: str, *, warn: bool = True) -> str | None:
    """The note (and logged warning) that ``what`` adds quantities in different units.

    Parameters
    ----------
    economy
        The economy whose ``products["unit"]`` are checked.
    what
        What is summed, e.g. ``"output multipliers"``; starts the note.
    warn
        Log the note as a warning (on this module's logger).

    Returns
    -------
    str or None
        The note, or ``None`` when the products have at most one unit (blank units do not
        count).

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame([[0.1, 0.2], [0.3, 0.1]], index=["coal", "power"],
    ...                  columns=["coal", "power"])
    >>> units = pd.DataFrame({"unit": ["t", "kWh"]}, index=["coal", "power"])
    >>> eco = Economy.from_coefficients(A, products=units)
    >>> print(mixed_units_note(eco, "output multipliers", warn=False))  # doctest: +ELLIPSIS
    output multipliers add quantities of products in different units (t, kWh): ...
    """
    units = product_units(economy)
    if len(units) < 2:
        return None
    shown = ", ".join(units[:6]) + (f" and {len(units) - 6} more" if len(units) > 6 else "")
    note = (
        f"{what} add quantities of products in different units ({shown}): the sum has no "
        "unit and changes when a product's unit is rescaled; use weights='labour' or "
        "weights=<prices by product> for the value-weighted form"
    )
    if warn:
        log.warning("%s", note)
    return note


def value_weights(
    economy: Economy, weights: str | pd.Series, *, method: str = "auto"
) -> tuple[np.ndarray, str]:
    """Positive value per unit of each product, for value-weighted multipliers and linkages.

    Parameters
    ----------
    economy
        A square economy.
    weights
        ``"labour"``: the full labour value of each product, ``v = v A + l`` summed over the
        labour types (:meth:`Economy.labour_values`; with one technique per product these
        are also the least-labour values of :func:`gosplan.plan.valuation.least_labour_values`).
        A Series: prices by product, one for every product.
    method
        Solver of the labour values.

    Returns
    -------
    tuple of numpy.ndarray and str
        The weights in product order, and what they are (``"labour values"`` or
        ``"prices"``).

    Raises
    ------
    InputError
        Unknown weights, no labour coefficients (for ``"labour"``), a product without a
        price, or a weight that is not positive and finite (a product of zero value has no
        value-weighted multiplier).
    UnknownLabelError
        If the prices name a product the economy lacks.
    """
    eco = economy.square()
    if isinstance(weights, str):
        if weights != "labour":
            raise InputError(
                f"unknown weights {weights!r}; use 'labour' or a Series of prices by product"
            )
        values = eco.labour_values(method=method)
        p = values[list(eco.labour_types)].sum(axis=1).to_numpy(dtype=float)
        what = LABOUR_VALUES
    elif isinstance(weights, pd.Series):
        require_every_label(eco.product_labels, pd.Index(weights.index), "prices (weights) are")
        p = eco.align_products(weights, "prices (weights)")
        what = PRICES
    else:
        raise InputError("weights must be 'labour' or a pandas Series of prices by product")
    bad = np.flatnonzero(~(np.isfinite(p) & (p > 0)))
    if bad.size:
        label = str(eco.product_labels[bad[0]])
        raise InputError(
            f"value weights must be positive: {label!r} has {what[:-1]} {p[bad[0]]:g}, so "
            "its output has no value to weight by",
            label=label,
            check="non_positive_weight",
        )
    return p, what


def _income_weights(
    economy: Economy, wages: pd.Series | None, labour_type: str | None
) -> np.ndarray:
    if wages is not None:
        return economy.align_products(wages, "wages (income coefficients)")
    return labour_weights(economy, labour_type)


def multipliers(
    economy: Economy,
    kind: Kind | str = "output",
    type: MultiplierType | str = "I",
    *,
    wages: pd.Series | None = None,
    household_consumption: pd.Series | None = None,
    labour_type: str | None = None,
    household_row: bool = True,
    weights: Weights = None,
    method: str = "auto",
) -> pd.Series:
    """Output, income or employment multipliers, simple (type I) or total (type II).

    Parameters
    ----------
    economy
        The economy; it must have one technique per product (see :meth:`Economy.square`).
    kind
        ``"output"``, ``"income"`` or ``"employment"``.
    type
        ``"I"`` (simple) or ``"II"`` (total, which needs ``household_consumption``).
    wages
        Income (wage) coefficients by product; default: the labour coefficients of ``labour_type``.
    household_consumption
        Household purchases of each product per unit of household income (for type II).
    labour_type
        Labour type of employment and of the default income; ``None`` sums all types.
    household_row
        Type II output only: count the household row (total, the default) or not (truncated).
    weights
        Output multipliers only: ``None`` (default, the products' own units), ``"labour"``
        (labour values) or a Series of prices by product; see *Units* in the module docstring.
    method
        Solver passed to :func:`~gosplan.balance.solvers.solve_leontief`.

    Returns
    -------
    pandas.Series
        One multiplier per product, named like ``"output multiplier (type I)"``, with ``.attrs``
        ``kind``, ``type``, ``labour_type``, ``weights``, ``note``, ``method`` and ``residual``.

    Raises
    ------
    InputError
        Unknown ``kind`` or ``type``, type II without ``household_consumption``, no labour
        coefficients where needed, ``weights`` not for ``"output"`` or not all positive.
    UnknownLabelError
        If ``wages``, ``household_consumption`` or price ``weights`` name unknown products.

    Examples
    --------
    >>> A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
    >>> eco = Economy.from_coefficients(A, labour=pd.Series({"a": 0.3, "b": 0.2}))
    >>> multipliers(eco, "output").round(4).tolist()
    [1.5182, 1.4521]
    """
    return _multipliers(
        economy,
        kind,
        type,
        wages=wages,
        household_consumption=household_consumption,
        labour_type=labour_type,
        household_row=household_row,
        weights=weights,
        method=method,
        warn=True,
    )


def _multipliers(
    economy: Economy,
    kind: str,
    type: str,
    *,
    wages: pd.Series | None,
    household_consumption: pd.Series | None,
    labour_type: str | None,
    household_row: bool,
    weights: Weights,
    method: str,
    warn: bool,
) -> pd.Series:
    """:func:`multipliers`, logging the mixed-units warning only when ``warn``."""
    if kind not in KINDS:
        raise InputError(f"unknown multiplier kind {kind!r}; use one of {', '.join(KINDS)}")
    if type not in TYPES:
        raise InputError(f"unknown multiplier type {type!r}; use 'I' (simple) or 'II' (total)")
    if weights is not None and kind != "output":
        raise InputError(
            f"weights apply to output multipliers only: {kind} multipliers already count "
            "each product in its own coefficient (per unit of output), so they need none"
        )
    eco = economy.square()
    A = eco.technology_matrix  # a dense table as it is stored (no sparse copy of it)
    n = eco.n_products
    coef: np.ndarray | None
    prices: np.ndarray | None = None
    weighting: str | None = None
    note: str | None = None
    if kind == "output":
        if weights is None:
            note = mixed_units_note(eco, "output multipliers", warn=warn)
            coef = None
        else:
            prices, weighting = value_weights(eco, weights, method=method)
            coef = prices
    elif kind == "income":
        coef = _income_weights(eco, wages, labour_type)
    else:
        coef = labour_weights(eco, labour_type)

    if type == "I":
        c = np.ones(n) if coef is None else coef
        sol = economy.leontief_solver(method=method).solve(c, transpose=True)
    else:
        if household_consumption is None:
            raise InputError(
                "type II multipliers close the model with respect to households: give "
                "household_consumption (purchases of each product per unit of income)",
                check="household_closure",
            )
        h = eco.align_products(household_consumption, "household consumption")
        w = _income_weights(eco, wages, labour_type)
        if kind == "output":
            sol = _total_solution(A, w, h, coef, 1.0 if household_row else 0.0, method)
        elif kind == "income":
            sol = _total_solution(A, w, h, np.zeros(n), 1.0, method)
        else:
            sol = _total_solution(A, w, h, coef, 0.0, method)
    values = sol.x[:n]
    name = f"{kind} multiplier (type {type})"
    if prices is not None:
        values = values / prices
        name = f"{kind} multiplier (type {type}, weighted by {weighting})"
    out = pd.Series(values, index=eco.product_labels, name=name)
    out.attrs.update(
        kind=kind,
        type=type,
        labour_type=labour_type,
        weights=weighting,
        note=note,
        method=sol.method,
        residual=sol.residual,
    )
    return out


def multiplier_table(
    economy: Economy,
    *,
    wages: pd.Series | None = None,
    household_consumption: pd.Series | None = None,
    labour_type: str | None = None,
    weights: Weights = None,
    method: str = "auto",
) -> pd.DataFrame:
    """Every multiplier the economy's data allow, side by side.

    Output multipliers always; income multipliers when ``wages`` are given or the economy has
    labour coefficients; employment multipliers when it has labour coefficients; and the type II
    versions of each when ``household_consumption`` is given (and income coefficients exist).

    Parameters
    ----------
    economy
        The economy (one technique per product).
    wages, household_consumption, labour_type, method
        As for :func:`multipliers`.
    weights
        Value weights of the output multipliers, as for :func:`multipliers` (``"labour"`` or
        prices by product); the income and employment columns are unaffected.

    Returns
    -------
    pandas.DataFrame
        Products as rows; columns such as ``output_I``, ``income_I``, ``employment_I``,
        ``output_II``, ``income_II``, ``employment_II``. ``.attrs`` holds the solver
        ``method`` (of the type I solves), the largest relative ``residual`` of all, the
        output ``weights`` and a ``note`` (mixed units of unweighted output multipliers, or
        ``None``; the warning is logged once for the table).
    """
    eco = economy.square()
    assert eco.labour is not None
    has_labour = eco.labour.shape[0] > 0
    kinds = ["output"]
    if wages is not None or has_labour:
        kinds.append("income")
    if has_labour:
        kinds.append("employment")
    types = ["I"]
    if household_consumption is not None and "income" in kinds:
        types.append("II")
    columns = {}
    for t in types:
        for k in kinds:
            columns[f"{k}_{t}"] = _multipliers(
                eco,
                k,
                t,
                wages=wages,
                household_consumption=household_consumption,
                labour_type=labour_type,
                household_row=True,
                weights=weights if k == "output" else None,
                method=method,
                warn=(k, t) == ("output", "I"),
            )
    out = pd.DataFrame(columns, index=eco.product_labels)
    out.attrs.update(
        method=columns["output_I"].attrs["method"],
        residual=max(col.attrs["residual"] for col in columns.values()),
        weights=columns["output_I"].attrs["weights"],
        note=columns["output_I"].attrs["note"],
    )
    return out
