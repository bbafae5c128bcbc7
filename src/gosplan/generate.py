"""Synthetic product-level economies for tests, demonstrations and benchmarks.

:func:`generate_economy` builds a seeded economy with the shape of a product-level one: every
product has a handful of direct inputs, a small **core** of basic products (energy, metals,
transport, ...) is used by nearly everyone, and the rest of the economy (the **periphery**)
is layered: a peripheral product draws its inputs from the core and from products more basic
than itself, so cycles live in the core and the periphery is (mostly) acyclic.

Construction, in "rank" space (rank 0 = the most basic product; ranks are a random
permutation of the product positions, so labels carry no hint of the structure):

* product at rank ``r`` gets ``k ~ 1 + Poisson(inputs_per_product - 1)`` direct inputs;
* each input rank is drawn log-uniformly below ``r`` (a Zipf law, ``P(rank) ~ 1/(rank+1)``):
  low ranks, the core, are chosen by very many products. Core products draw inputs from the
  core only (the core is cyclic). A share ``periphery_cycles`` of peripheral inputs is drawn
  from all ranks instead, which adds cycles through the periphery;
* each column of ``A`` is scaled to a random total in ``[0.5 t, min(1.5 t, 0.98)]`` with
  ``t = target_radius``, so every column sum is below 1 and the spectral radius, which is at
  most the largest column sum, is below 1 (Hawkins–Simon holds by construction);
* labour coefficients are positive for every product and labour type; capital coefficients
  name one or two core products per product; service lives are whole years in 10–40;
* the core and every product some other product uses are "means of production"; products
  no other product uses are "consumer goods".

Everything is vectorised (no Python loop over products): ``10^7`` products with four inputs
each take well under the memory of a desktop machine.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION, Economy, EconomyMeta
from gosplan.core.progress import Progress
from gosplan.errors import InputError

log = logging.getLogger(__name__)


def product_labels(n: int, prefix: str = "p", width: int | None = None) -> pd.Index:
    """Zero-padded labels ``p0000000, p0000001, ...`` built without a Python loop.

    Parameters
    ----------
    n
        Number of labels.
    prefix
        Text before the digits (ASCII).
    width
        Number of digits; at least 7 and enough for ``n - 1`` by default.

    Returns
    -------
    pandas.Index
        String index of ``n`` unique labels.

    Examples
    --------
    >>> product_labels(3).tolist()
    ['p0000000', 'p0000001', 'p0000002']
    """
    needed = len(str(max(n - 1, 0)))
    width = max(7, needed) if width is None else max(width, needed)
    pre = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    size = len(pre) + width
    chars = np.empty((n, size), dtype=np.uint8)
    chars[:, : len(pre)] = pre
    value = np.arange(n, dtype=np.int64)
    for k in range(size - 1, len(pre) - 1, -1):
        np.remainder(value, 10, out=chars[:, k], casting="unsafe")
        chars[:, k] += 48
        value //= 10
    offsets = np.arange(0, n * size + 1, size, dtype=np.int64)
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars))
    return pd.Index(arr.cast(pa.string()) if n * size < 2**31 else arr, dtype="str")


def _log_uniform_below(upper: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw integers in ``[0, upper)`` with ``P(k) ~ 1/(k+1)`` (vectorised, ``upper >= 1``)."""
    u = rng.random(upper.shape[0])
    draw = np.floor(np.exp(u * np.log1p(upper.astype(np.float64)))).astype(np.int64) - 1
    return np.minimum(draw, upper - 1)


def generate_economy(
    n_products: int,
    *,
    inputs_per_product: float = 4,
    core_size: int | None = None,
    labour_types: int = 1,
    seed: int = 0,
    target_radius: float = 0.6,
    periphery_cycles: float = 0.0,
    fixed_inputs: bool = False,
    progress: Progress | None = None,
) -> Economy:
    """Generate a seeded synthetic product-level economy (see the module docstring).

    Parameters
    ----------
    n_products
        Number of products (one activity each).
    inputs_per_product
        Mean number of direct inputs per product (at least 1).
    core_size
        Number of core products; ``round(sqrt(n))`` (at least 2) by default.
    labour_types
        Number of labour types (``"labour"`` when 1, else ``"labour_0"``, ...).
    seed
        Seed of the random generator: the same seed gives the same economy.
    target_radius
        Typical column sum of ``A`` (0 < t < 1); column sums lie in
        ``[0.5 t, min(1.5 t, 0.98)]``, so the spectral radius is below 1.
    periphery_cycles
        Share (0–1) of peripheral inputs drawn from all products instead of more basic ones.
    fixed_inputs
        Give every product exactly ``round(inputs_per_product)`` input draws.
    progress
        Optional callback ``progress(fraction, message)``.

    Returns
    -------
    Economy
        A square economy with labels ``p0000000``, ... .

    Raises
    ------
    InputError
        If a parameter is out of range.

    Examples
    --------
    >>> eco = generate_economy(1000, seed=1)
    >>> eco.n_products, bool(eco.technology.sum(axis=0).max() < 1)
    (1000, True)
    """
    _check_args(n_products, inputs_per_product, labour_types, target_radius, periphery_cycles)
    report = progress or (lambda fraction, message: None)
    n = int(n_products)
    k_core = _core_size(n, core_size)
    rng = np.random.default_rng(seed)
    report(0.0, "drawing the input structure")
    perm = rng.permutation(n)  # perm[rank] = product position
    rows, indptr = _input_structure(
        perm, k_core, inputs_per_product, periphery_cycles, fixed_inputs, rng, report
    )
    index_dtype = np.int32 if max(n, rows.shape[0]) < 2**31 else np.int64
    report(0.4, "scaling coefficients")
    tech = _technology(rows, indptr, target_radius, rng, index_dtype)
    del rows, indptr

    report(0.6, "labour, capital and product groups")
    labour = sp.csc_array(rng.lognormal(mean=-1.0, sigma=0.5, size=(labour_types, n)))
    capital = _capital(n, k_core, perm, rng, index_dtype)
    service_life = rng.integers(10, 41, size=n).astype(np.float64)
    group = _product_groups(tech, perm[:k_core])

    report(0.8, "labels")
    meta = _meta(n, k_core, inputs_per_product, target_radius, seed)
    eco = _assemble(tech, labour, capital, service_life, group, meta)
    report(1.0, "done")
    log.info("generated %r", eco)
    return eco


def _meta(n: int, k_core: int, inputs: float, radius: float, seed: int) -> EconomyMeta:
    """The name and description of a synthetic economy (its parameters)."""
    return EconomyMeta(
        name=f"synthetic-{n}",
        description=(
            f"synthetic economy: {n} products, core {k_core}, mean inputs "
            f"{inputs}, target radius {radius}, seed {seed}"
        ),
        source="generated",
    )


def _core_size(n: int, core_size: int | None) -> int:
    """The number of core products: ``core_size``, or ``round(sqrt(n))`` (at least 2)."""
    k_core = min(n, max(2, round(n**0.5))) if core_size is None else int(core_size)
    if not 1 <= k_core <= n:
        raise InputError(f"core_size must be between 1 and n_products ({n}), got {core_size}")
    return k_core


def _input_structure(
    perm: np.ndarray,
    k_core: int,
    inputs_per_product: float,
    periphery_cycles: float,
    fixed_inputs: bool,
    rng: np.random.Generator,
    report: Progress,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw each product's direct inputs: their row positions and the CSC column pointers.

    A product at rank ``r`` draws its inputs log-uniformly below ``r`` (below ``k_core`` in
    the core); a share ``periphery_cycles`` of peripheral draws come from every rank.
    """
    n = perm.shape[0]
    rank = np.empty(n, dtype=np.int64)
    rank[perm] = np.arange(n, dtype=np.int64)
    if fixed_inputs:
        counts = np.full(n, max(1, round(inputs_per_product)), dtype=np.int64)
    else:
        mean = max(inputs_per_product - 1.0, 0.0)
        counts = 1 + np.asarray(rng.poisson(mean, size=n), dtype=np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    col_rank = np.repeat(rank, counts)  # rank of the product using each input, by column
    del counts, rank
    upper = np.where(col_rank < k_core, k_core, col_rank)
    if periphery_cycles > 0:
        wide = (col_rank >= k_core) & (rng.random(col_rank.shape[0]) < periphery_cycles)
        upper[wide] = n
    del col_rank
    report(0.2, "choosing inputs")
    in_rank = _log_uniform_below(upper, rng)
    del upper
    return perm[in_rank], indptr


def _technology(
    rows: np.ndarray,
    indptr: np.ndarray,
    target_radius: float,
    rng: np.random.Generator,
    index_dtype: type,
) -> sp.csc_array:
    """The technology matrix: random weights, each column scaled to a random total below 1."""
    n = indptr.shape[0] - 1
    weights = rng.uniform(0.1, 1.0, size=rows.shape[0])
    tech = sp.csc_array(
        (weights, rows.astype(index_dtype), indptr.astype(index_dtype)), shape=(n, n)
    )
    del weights
    tech.sum_duplicates()
    col_sum = np.asarray(tech.sum(axis=0)).ravel()
    lo, hi = 0.5 * target_radius, min(1.5 * target_radius, 0.98)
    totals = rng.uniform(lo, hi, size=n)
    tech.data *= np.repeat(totals / col_sum, np.diff(tech.indptr))
    return tech


def _product_groups(tech: sp.csc_array, core: np.ndarray) -> np.ndarray:
    """Means of production (the core and every product another uses), else consumer goods."""
    n = tech.shape[0]
    used = np.bincount(tech.indices, minlength=n) - _self_use(tech)
    is_core = np.zeros(n, dtype=bool)
    is_core[core] = True
    return np.where(is_core | (used > 0), MEANS_OF_PRODUCTION, CONSUMER_GOODS)


def _assemble(
    tech: sp.csc_array,
    labour: sp.csc_array,
    capital: sp.csc_array,
    service_life: np.ndarray,
    group: np.ndarray,
    meta: EconomyMeta,
) -> Economy:
    """The economy of the drawn matrices, labelled ``p0000000``, ... (one activity each)."""
    n = tech.shape[0]
    n_types = labour.shape[0]
    lab_names = ["labour"] if n_types == 1 else [f"labour_{i}" for i in range(n_types)]
    labels = product_labels(n)
    products = pd.DataFrame(
        {"unit": pd.array(np.full(n, "unit"), dtype="str"), "group": pd.array(group, dtype="str")},
        index=labels,
    )
    activities = pd.DataFrame({"product": labels}, index=labels.rename("activity"))
    return Economy(
        products=products,
        activities=activities,
        technology=tech,
        labour_types=pd.Index(lab_names, name="labour_type"),
        labour=labour,
        capital=capital,
        service_life=service_life,
        meta=meta,
    )


def _self_use(tech: sp.csc_array) -> np.ndarray:
    diag = tech.diagonal()
    return (diag != 0).astype(np.int64)


def _capital(
    n: int, k_core: int, perm: np.ndarray, rng: np.random.Generator, index_dtype: type
) -> sp.csc_array:
    """One or two capital goods from the core per product, capital-output ratio 0.5–3."""
    counts = rng.integers(1, 3, size=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    rows = perm[_log_uniform_below(np.full(int(indptr[-1]), k_core, dtype=np.int64), rng)]
    ratio = rng.uniform(0.5, 3.0, size=n)
    share = rng.uniform(0.2, 1.0, size=rows.shape[0])
    cap = sp.csc_array((share, rows.astype(index_dtype), indptr.astype(index_dtype)), shape=(n, n))
    cap.sum_duplicates()
    col = np.asarray(cap.sum(axis=0)).ravel()
    cap.data *= np.repeat(ratio / col, np.diff(cap.indptr))
    return cap


def _check_args(
    n: int, inputs: float, labour_types: int, radius: float, periphery_cycles: float
) -> None:
    if int(n) != n or n < 1:
        raise InputError(f"n_products must be a positive integer, got {n!r}")
    if not inputs >= 1:
        raise InputError(f"inputs_per_product must be at least 1, got {inputs!r}")
    if int(labour_types) != labour_types or labour_types < 1:
        raise InputError(f"labour_types must be a positive integer, got {labour_types!r}")
    if not 0 < radius < 1:
        raise InputError(f"target_radius must lie strictly between 0 and 1, got {radius!r}")
    if not 0 <= periphery_cycles <= 1:
        raise InputError(f"periphery_cycles must lie in [0, 1], got {periphery_cycles!r}")


def generate_final_demand(economy: Economy, seed: int = 0) -> pd.Series:
    """A positive final-demand vector for an economy (seeded).

    Consumer goods get a log-normal demand around 100; means of production a tenth of that
    (investment and exports), so every product has some final use.

    Parameters
    ----------
    economy
        The economy (its product groups decide the scale).
    seed
        Seed of the random generator.

    Returns
    -------
    pandas.Series
        Final demand by product label, named ``final_demand``.
    """
    rng = np.random.default_rng(seed)
    n = economy.n_products
    base = 100.0 * rng.lognormal(mean=0.0, sigma=1.0, size=n)
    consumer = (economy.products["group"] == CONSUMER_GOODS).to_numpy(dtype=bool)
    y = np.where(consumer, base, 0.1 * base)
    return pd.Series(y, index=economy.product_labels, name="final_demand")
