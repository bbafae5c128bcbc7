"""Interoperability with pymrio, the library for published multi-regional IO databases.

:func:`economy_from_pymrio` turns a :class:`pymrio.IOSystem` (EXIOBASE, WIOD, OECD ICIO, ... as
parsed by pymrio) into an :class:`Economy`: one product per (region, sector), labelled
``"region/sector"`` (by sector alone when there is one region), with ``region`` and ``sector``
kept as product attributes.
:func:`economy_to_pymrio` goes the other way, with labour as a satellite account.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gosplan.economy import Economy, EconomyMeta
from gosplan.errors import InputError

SEPARATOR = "/"


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
    products = eco.products
    if {"region", "sector"} <= set(products.columns):
        index = pd.MultiIndex.from_arrays(
            [products["region"].to_numpy(), products["sector"].to_numpy()],
            names=["region", "sector"],
        )
    else:
        index = pd.MultiIndex.from_arrays(
            [[eco.meta.name] * eco.n_products, eco.product_labels.to_numpy()],
            names=["region", "sector"],
        )
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
