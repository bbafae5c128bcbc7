"""Interoperability with pymrio, the library for published multi-regional IO databases.

:func:`economy_from_pymrio` turns a :class:`pymrio.IOSystem` (EXIOBASE, WIOD, OECD ICIO, ... as
parsed by pymrio) into an :class:`Economy`: one product per (region, sector), labelled
``"region/sector"`` (by sector alone when there is one region), with ``region`` and ``sector``
kept as product attributes.
:func:`economy_to_pymrio` goes the other way, with labour as a satellite account.

pymrio's own tables (final demand ``Y``, gross output ``x``, extensions) stay indexed by
(region, sector) pairs, which the economy does not know as labels: relabel them with
:func:`to_economy_labels` (or take the final demand with :func:`final_demand_from_pymrio`),
and go back with :func:`to_pymrio_labels`::

    eco = Economy.from_pymrio(io)
    x = eco.gross_output(final_demand_from_pymrio(io, eco))
    to_pymrio_labels(x, eco)  # indexed like io.x
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

import numpy as np
import pandas as pd

from gosplan.core.economy import Economy, EconomyMeta
from gosplan.errors import InputError, UnknownLabelError

SEPARATOR = "/"

Labelled: TypeAlias = pd.Series | pd.DataFrame
FrameT = TypeVar("FrameT", pd.Series, pd.DataFrame)


def _flat(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.Index([SEPARATOR.join(map(str, key)) for key in index], name="product")
    return pd.Index(index.astype(str), name="product")


def _product_labels(index: pd.Index) -> pd.Index:
    """``region/sector`` labels; a single-region system is labelled by sector alone."""
    if (
        isinstance(index, pd.MultiIndex)
        and index.nlevels == 2
        and index.get_level_values(0).nunique() == 1
        and not index.get_level_values(1).has_duplicates
    ):
        return pd.Index(index.get_level_values(1).astype(str), name="product")
    return _flat(index)


# ---------------------------------------------------------------------- labels
def _key(key: Any) -> tuple[str, ...]:
    return tuple(map(str, key)) if isinstance(key, tuple) else (str(key),)


def _pairs(economy: Economy) -> pd.MultiIndex | None:
    """The economy's (region, sector) pairs in product order, when it has them all."""
    products = economy.products
    if not {"region", "sector"} <= set(products.columns):
        return None
    region = products["region"].astype(str)
    sector = products["sector"].astype(str)
    if (region == "").any() or (sector == "").any():
        return None
    pairs = pd.MultiIndex.from_arrays(
        [region.to_numpy(), sector.to_numpy()], names=["region", "sector"]
    )
    return None if pairs.has_duplicates else pairs


def pymrio_labels(index: pd.Index, economy: Economy | None = None) -> pd.Index:
    """The economy's product labels for a pymrio (region, sector) index.

    Parameters
    ----------
    index
        A pymrio row index: a two-level (region, sector) MultiIndex (any subset, any order),
        or already flat labels (returned as strings).
    economy
        The economy the labels are for. With the ``region`` and ``sector`` attributes that
        :func:`economy_from_pymrio` leaves, each pair is looked up there (so a
        single-region economy, labelled by sector alone, is matched too). Without them the
        keys are joined with ``"/"``, or, when only the last level names products (an
        economy converted with :func:`economy_to_pymrio`), the last level is used. ``None``:
        the rule of :func:`economy_from_pymrio` for a whole system's index.

    Returns
    -------
    pandas.Index
        Flat product labels, in the order of ``index``.

    Raises
    ------
    UnknownLabelError
        If a (region, sector) pair is not a product of ``economy``.
    """
    if not isinstance(index, pd.MultiIndex):
        return pd.Index(index.astype(str), name="product")
    if economy is None:
        return _product_labels(index)
    keys = [_key(k) for k in index]
    pairs = _pairs(economy)
    if pairs is not None and index.nlevels == 2:
        lookup = dict(zip(map(_key, pairs), economy.product_labels, strict=True))
        unknown = [k for k in keys if k not in lookup]
        if unknown:
            names = ", ".join(repr(k) for k in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            raise UnknownLabelError(
                f"(region, sector) pairs that are not products of the economy: {names}{more}",
                label=SEPARATOR.join(unknown[0]),
            )
        return pd.Index([lookup[k] for k in keys], name="product")
    flat = _flat(index)
    last = pd.Index([k[-1] for k in keys], name="product")
    if flat.isin(economy.product_labels).all() or not last.isin(economy.product_labels).all():
        return flat
    return last


def to_economy_labels(values: FrameT, economy: Economy | None = None) -> FrameT:
    """A pymrio Series or DataFrame with its rows relabelled to the economy's products.

    Parameters
    ----------
    values
        Indexed by (region, sector), like pymrio's ``Y``, ``x`` or ``Y.sum(axis=1)``;
        columns (of a DataFrame) are kept as they are.
    economy
        The economy to label for (see :func:`pymrio_labels`); pass it whenever ``values``
        covers only some of the system's products.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        The same values, indexed by product label, ready for
        :meth:`Economy.gross_output` and the other labelled methods.

    Raises
    ------
    InputError
        If ``values`` is not a Series or DataFrame.
    UnknownLabelError
        If a (region, sector) pair is not a product of ``economy``.
    """
    if not isinstance(values, pd.Series | pd.DataFrame):
        raise InputError("values must be a pandas Series or DataFrame indexed by (region, sector)")
    out = values.copy()
    out.index = pymrio_labels(values.index, economy)
    return out


def to_pymrio_labels(values: FrameT, economy: Economy) -> FrameT:
    """A product-labelled Series or DataFrame with its rows indexed by (region, sector).

    The inverse of :func:`to_economy_labels`, for comparing with or handing back to pymrio.

    Parameters
    ----------
    values
        Indexed by the economy's product labels (e.g. :meth:`Economy.gross_output`).
    economy
        The economy; its ``region`` and ``sector`` attributes give the pairs, else the
        pairs are (economy name, label) as in :func:`economy_to_pymrio`.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        The same values indexed by a (region, sector) MultiIndex.

    Raises
    ------
    UnknownLabelError
        If ``values`` names a label that is not a product.
    """
    index = _pymrio_index(economy)
    lookup = dict(zip(economy.product_labels, index, strict=True))
    unknown = [label for label in values.index if label not in lookup]
    if unknown:
        raise UnknownLabelError(
            f"values name labels that are not products: {unknown[0]!r}", label=str(unknown[0])
        )
    out = values.copy()
    out.index = pd.MultiIndex.from_tuples(
        [lookup[label] for label in values.index], names=index.names
    )
    return out


def final_demand_from_pymrio(
    io_system: Any, economy: Economy | None = None, *, by_category: bool = False
) -> Labelled:
    """Final demand ``Y`` of a pymrio system, labelled with the economy's products.

    Parameters
    ----------
    io_system
        The :class:`pymrio.IOSystem` (it needs ``Y``).
    economy
        The economy built from it with :func:`economy_from_pymrio` (``None``: labelled by
        the same rule, from ``Y``'s own index).
    by_category
        ``False``: total final demand, ``Y`` summed over every (region, category) column.
        ``True``: every column of ``Y``, as a DataFrame (one final-demand vector each).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Indexed by product label; the Series is named ``"final_demand"``.

    Raises
    ------
    InputError
        If the system has no final demand.
    UnknownLabelError
        If ``Y`` names a (region, sector) pair the economy lacks.

    Examples
    --------
    >>> import pymrio
    >>> io = pymrio.load_test()
    >>> y = final_demand_from_pymrio(io)
    >>> y.index[:2].tolist()
    ['reg1/food', 'reg1/mining']
    """
    Y = getattr(io_system, "Y", None)
    if Y is None:
        raise InputError("the pymrio system has no final demand Y")
    if by_category:
        return to_economy_labels(Y.astype(float), economy)
    total = Y.astype(float).sum(axis=1).rename("final_demand")
    return to_economy_labels(total, economy)


def economy_from_pymrio(io_system: Any, *, labour_extension: str | None = None) -> Economy:
    """Build an economy from a pymrio IO system.

    Parameters
    ----------
    io_system
        A :class:`pymrio.IOSystem` with ``A`` or with ``Z`` and ``Y`` (``A`` is then computed
        with pymrio's own ``calc_system``).
    labour_extension
        Name of the extension (satellite account) whose rows are labour types, e.g.
        ``"factor_inputs"`` or ``"employment"``; its coefficients ``S`` (or its totals ``F``
        divided by gross output) become the labour coefficients. None: no labour.

    Returns
    -------
    Economy
        Products labelled ``"region/sector"`` (``"sector"`` for a single region), with
        ``region`` and ``sector`` product attributes.

    Notes
    -----
    pymrio's tables keep their (region, sector) index, which is not the economy's labels:
    ``eco.gross_output(io.Y.sum(axis=1))`` is refused ("final demand names unknown labels").
    Relabel with :func:`final_demand_from_pymrio` or :func:`to_economy_labels`.

    Examples
    --------
    >>> import pymrio
    >>> io = pymrio.load_test()
    >>> eco = economy_from_pymrio(io)
    >>> eco.product_labels[:2].tolist()
    ['reg1/food', 'reg1/mining']
    >>> x = eco.gross_output(final_demand_from_pymrio(io, eco))
    >>> io.calc_all()  # doctest: +ELLIPSIS
    <pymrio...>
    >>> bool(np.allclose(to_pymrio_labels(x, eco), io.x["indout"], rtol=1e-9))
    True
    """
    if getattr(io_system, "A", None) is None:
        if getattr(io_system, "Z", None) is None:
            raise InputError("the pymrio system has neither A nor Z: nothing to build from")
        io_system.calc_system()
    A = io_system.A
    labels = _product_labels(A.index)
    coeffs = pd.DataFrame(A.to_numpy(dtype=float), index=labels, columns=labels)
    products = pd.DataFrame(index=labels)
    if isinstance(A.index, pd.MultiIndex) and A.index.nlevels == 2:
        products["region"] = A.index.get_level_values(0).astype(str)
        products["sector"] = A.index.get_level_values(1).astype(str)
    labour = None
    if labour_extension is not None:
        labour = _extension_coefficients(io_system, labour_extension, labels)
    unit = getattr(io_system, "unit", None)
    if isinstance(unit, pd.DataFrame) and "unit" in unit.columns and len(unit) == len(labels):
        products["unit"] = unit["unit"].astype(str).to_numpy()
    name = getattr(io_system, "name", None) or "pymrio"
    meta = EconomyMeta(name=str(name), source="pymrio")
    year = getattr(io_system, "year", None)
    if year is not None and str(year).isdigit():
        meta = EconomyMeta(name=str(name), base_year=int(year), source="pymrio")
    eco = Economy.from_coefficients(coeffs, labour=labour, meta=meta)
    extra = products.drop(columns=[c for c in ("unit",) if c in products.columns])
    merged = eco.products.copy()
    for col in extra.columns:
        merged[col] = extra[col].to_numpy()
    if "unit" in products.columns:
        merged["unit"] = products["unit"].to_numpy()
    object.__setattr__(eco, "products", merged)  # same economy, richer product attributes
    return eco


def _extension_coefficients(io_system: Any, name: str, labels: pd.Index) -> pd.DataFrame:
    names = {str(getattr(ext, "name", "")): ext for ext in io_system.get_extensions(data=True)}
    attrs = {
        attr: getattr(io_system, attr)
        for attr in dir(io_system)
        if not attr.startswith("_") and type(getattr(io_system, attr, None)).__name__ == "Extension"
    }
    ext = attrs.get(name) or names.get(name)
    if ext is None:
        known = ", ".join(sorted(set(attrs) | set(names))) or "none"
        raise InputError(
            f"the pymrio system has no extension {name!r} (extensions: {known})", label=name
        )
    S = getattr(ext, "S", None)
    if S is None:
        F = getattr(ext, "F", None)
        x = getattr(io_system, "x", None)
        if F is None or x is None:
            raise InputError(
                f"extension {name!r} has neither S nor F with gross output x", label=name
            )
        out = x.to_numpy(dtype=float).ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            S = F / np.where(out > 0, out, np.inf)
    rows = _flat(S.index) if isinstance(S.index, pd.MultiIndex) else S.index.astype(str)
    return pd.DataFrame(S.to_numpy(dtype=float), index=pd.Index(rows), columns=labels)


def economy_to_pymrio(
    economy: Economy, final_demand: pd.Series | pd.DataFrame | None = None
) -> Any:
    """Convert a (square) economy to a :class:`pymrio.IOSystem`.

    Sectors are indexed by (region, sector): the product attributes ``region`` and ``sector``
    when present (as :func:`economy_from_pymrio` leaves them), else (economy name, label).
    Labour becomes the extension ``labour`` with coefficients ``S``.

    Parameters
    ----------
    economy
        The economy (one activity per product).
    final_demand
        Optional final demand (a Series, or a DataFrame of categories) by product.

    Returns
    -------
    pymrio.IOSystem
        With ``A`` (and ``Y`` when a final demand is given); call ``calc_all()`` on it.
    """
    import pymrio

    eco = economy.square()
    index = _pymrio_index(eco)
    A = pd.DataFrame(eco.technology.toarray(), index=index, columns=index)
    kwargs: dict[str, Any] = {"A": A}
    if final_demand is not None:
        y = eco.align_products(final_demand, "final demand")
        y = y.reshape(eco.n_products, -1)
        regions = index.get_level_values(0).unique()
        cats = (
            [str(c) for c in final_demand.columns]
            if isinstance(final_demand, pd.DataFrame)
            else ["final demand"]
        )
        cols = pd.MultiIndex.from_arrays(
            [[regions[0]] * len(cats), cats], names=["region", "category"]
        )
        kwargs["Y"] = pd.DataFrame(y, index=index, columns=cols)
    system = pymrio.IOSystem(name=eco.meta.name, **kwargs)
    if eco.labour_types.size:
        assert eco.labour is not None
        S = pd.DataFrame(
            eco.labour.toarray(), index=pd.Index(eco.labour_types, name="stressor"), columns=index
        )
        system.labour = pymrio.Extension(name="labour", S=S)
    return system


def _pymrio_index(economy: Economy) -> pd.MultiIndex:
    """(region, sector) of every product: its attributes, else (economy name, label)."""
    products = economy.products
    if {"region", "sector"} <= set(products.columns):
        return pd.MultiIndex.from_arrays(
            [products["region"].to_numpy(), products["sector"].to_numpy()],
            names=["region", "sector"],
        )
    return pd.MultiIndex.from_arrays(
        [[economy.meta.name] * economy.n_products, economy.product_labels.to_numpy()],
        names=["region", "sector"],
    )
