"""Aggregation of an economy to a coarser classification (Miller & Blair 2009, sec. 4.3).

Coefficients cannot be averaged: they are aggregated through the flows they stand for. With
the concordance matrix ``S`` (``S[k, i] = 1`` when product *i* belongs to group *k*) and the
gross output ``x`` that weighs the products,

* flows ``Z = A diag(x)`` aggregate to ``Z_agg = S Z S^T`` and outputs to ``x_agg = S x``;
* the aggregated coefficients are ``A_agg = Z_agg diag(x_agg)^-1``;
* labour and other primary resources aggregate as totals, ``E_agg = E diag(x) S^T``, then
  divide by ``x_agg``; capital coefficients aggregate like flows;
* capacities add up (``inf`` stays ``inf``) and service lives are output-weighted means.

For the final demand ``y = (I - A) x`` that produced the weights, the aggregated economy
reproduces ``x_agg`` exactly (``x_agg = A_agg x_agg + S y``); for other demands the
difference is the aggregation bias.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.balance.labels import require_every_label
from gosplan.core.economy import Economy
from gosplan.errors import InputError, UnknownLabelError

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------- array core
def concordance(groups: np.ndarray, n_groups: int) -> sp.csr_array:
    """The ``(n_groups, n)`` 0/1 concordance matrix of a group position per product."""
    n = groups.shape[0]
    return sp.csr_array((np.ones(n), (groups, np.arange(n))), shape=(n_groups, n))


def aggregate_coefficients(
    M: sp.sparray, x: np.ndarray, S: sp.sparray, *, rows_too: bool
) -> sp.csc_array:
    """Aggregate coefficients through their totals, weighted by gross output.

    Parameters
    ----------
    M
        Coefficients (``rows x n``) per unit of output of the ``n`` products.
    x
        Gross output weights, shape ``(n,)``.
    S
        Concordance matrix ``(k, n)``.
    rows_too
        Aggregate the rows with ``S`` as well (for product x product matrices such as ``A``).

    Returns
    -------
    scipy.sparse.csc_array
        ``S M diag(x) S^T diag(S x)^-1`` (or without the left ``S``).
    """
    totals = sp.csr_array(M) @ sp.diags_array(x) @ S.T
    if rows_too:
        totals = S @ totals
    x_agg = S @ x
    return sp.csc_array(totals @ sp.diags_array(1.0 / x_agg))


# ---------------------------------------------------------------------- labelled wrapper
def _group_positions(economy: Economy, mapping: Mapping[str, str] | pd.Series) -> pd.Series:
    series = pd.Series(mapping) if not isinstance(mapping, pd.Series) else mapping
    labels = economy.product_labels
    unknown = pd.Index(series.index).difference(labels)
    if len(unknown):
        names = ", ".join(map(repr, unknown[:5]))
        raise UnknownLabelError(
            f"the aggregation mapping names unknown products: {names}", label=str(unknown[0])
        )
    if pd.Index(series.index).has_duplicates:
        dup = pd.Index(series.index)[pd.Index(series.index).duplicated()][0]
        raise InputError("the aggregation mapping lists a product twice", label=str(dup))
    missing = labels.difference(pd.Index(series.index))
    if len(missing):
        names = ", ".join(map(repr, missing[:5]))
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InputError(
            f"the aggregation mapping does not assign products {names}{more}",
            label=str(missing[0]),
            check="incomplete_mapping",
        )
    groups = series.reindex(labels)
    if groups.isna().any():
        bad = groups.index[groups.isna()][0]
        raise InputError("the aggregation mapping has no group for a product", label=str(bad))
    return groups.astype(str)


def _gross_output(economy: Economy, gross_output: pd.Series) -> np.ndarray:
    require_every_label(economy.product_labels, pd.Index(gross_output.index), "gross output is")
    x = economy.align_products(gross_output, "gross output")
    if np.any(x < 0):
        bad = economy.product_labels[np.flatnonzero(x < 0)[0]]
        raise InputError("gross output must not be negative", label=str(bad))
    return x


def _common(values: pd.Series) -> str:
    unique = pd.unique(values.astype(str))
    return str(unique[0]) if len(unique) == 1 else ""


def _group_products(economy: Economy, groups: pd.Series, names: pd.Index) -> pd.DataFrame:
    """The products table of the groups: common unit and group, members as description."""
    by_group = economy.products.groupby(groups.to_numpy(), sort=False)
    return pd.DataFrame(
        {
            "unit": [_common(by_group.get_group(g)["unit"]) for g in names],
            "description": [
                "aggregate of " + ", ".join(map(str, groups.index[groups == g])) for g in names
            ],
            "group": [_common(by_group.get_group(g)["group"]) for g in names],
        },
        index=names,
    )


def _group_service_life(life: np.ndarray, x: np.ndarray, S: sp.sparray) -> np.ndarray:
    """Service lives of the groups: output-weighted means of the members' known lives."""
    known = np.isfinite(life)
    life_w = S @ np.where(known, life * x, 0.0)
    weight = S @ np.where(known, x, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(weight > 0, life_w / weight, np.nan)


def aggregate(
    economy: Economy, mapping: Mapping[str, str] | pd.Series, gross_output: pd.Series
) -> Economy:
    """Aggregate an economy to coarser products, weighting by gross output.

    Parameters
    ----------
    economy
        The economy (one technique per product).
    mapping
        Group of every product (``{product: group}`` or a Series indexed by product).
    gross_output
        Gross output of every product: the weights of the aggregation (non-negative; every
        group needs some output).

    Returns
    -------
    Economy
        One product (and activity) per group, in order of first appearance along the
        products. A group's unit and product group are kept where its members agree and left
        blank otherwise; its description lists the members.

    Raises
    ------
    InputError
        A product missing from the mapping or from ``gross_output``, negative output, or a
        group with zero total output.
    UnknownLabelError
        The mapping or ``gross_output`` names products the economy does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
    >>> eco = Economy.from_coefficients(A)
    >>> agg = aggregate(eco, {"a": "ab", "b": "ab"}, pd.Series({"a": 1000.0, "b": 2000.0}))
    >>> round(float(agg.coefficients().iloc[0, 0]), 6)
    0.316667
    """
    eco = economy.square()
    groups = _group_positions(eco, mapping)
    x = _gross_output(eco, gross_output)
    names = pd.Index(pd.unique(groups.to_numpy()), name="product")
    pos = names.get_indexer(groups.to_numpy())
    S = concordance(pos, len(names))
    x_agg = S @ x
    if np.any(x_agg <= 0):
        bad = names[np.flatnonzero(x_agg <= 0)[0]]
        raise InputError(
            "a group has no gross output, so its coefficients have no weights",
            label=str(bad),
            check="non_positive_output",
        )
    assert eco.labour is not None and eco.resources is not None and eco.capital is not None
    assert eco.capacity is not None and eco.service_life is not None
    products = _group_products(eco, groups, names)
    service_life = _group_service_life(eco.service_life, x, S)
    log.debug("aggregating %d products into %d groups", eco.n_products, len(names))
    if eco.enterprises is not None:
        log.info("aggregation drops the enterprises table (enterprises belong to activities)")
    return Economy(
        products=products,
        activities=pd.DataFrame({"product": names}, index=pd.Index(names, name="activity")),
        technology=aggregate_coefficients(eco.technology, x, S, rows_too=True),
        labour_types=eco.labour_types,
        labour=aggregate_coefficients(eco.labour, x, S, rows_too=False),
        resource_types=eco.resource_types,
        resources=aggregate_coefficients(eco.resources, x, S, rows_too=False),
        capacity=S @ eco.capacity,
        capital=aggregate_coefficients(eco.capital, x, S, rows_too=True),
        service_life=service_life,
        meta=replace(
            eco.meta,
            description=(eco.meta.description + " " if eco.meta.description else "")
            + f"(aggregated from {eco.n_products} products)",
        ),
    )
