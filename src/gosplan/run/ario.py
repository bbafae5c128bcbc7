r"""A sparse reimplementation of BoARIO's ``ARIOPsiModel`` (adaptive regional input–output).

This module runs gosplan in "a mode that reproduces the adaptive regional input–output model as
implemented by BoARIO" (Juhel, BoARIO 0.7.2, ``boario.extended_models.ARIOPsiModel`` driven by
``boario.simulation.Simulation``), step for step, with the same parameters and defaults, but on
sparse structures only: every per-input quantity lives on the nonzeros of the (region-
aggregated) technology, so memory is :math:`O(\mathrm{nnz}(Z) + n)` and no :math:`n \times n`
array is ever formed.  BoARIO is not imported (it is a test dependency only); the cross-check is
``tests/run/test_ario_boario.py``.

Notation
--------
:math:`R` regions, :math:`S` sectors, :math:`N = RS` industries (region-major, regions and
sectors sorted lexicographically as BoARIO's ``lexico_reindex`` does), :math:`F` final demand
categories.  Tables are yearly; with :math:`\sigma = 1/365` (``temporal_units_by_step /
iotable_year_to_temporal_unit_factor``) the daily values are :math:`Z^0 = \sigma Z`,
:math:`Y^0 = \sigma Y`, :math:`x^0 = \sigma x`.  For input product :math:`s` and user
:math:`j`, inventories are aggregated over supplying regions, as in BoARIO:
:math:`A^C_{sj} = \sum_{i \in s} A_{ij}`, :math:`Z^C_{sj} = \sum_{i \in s} Z_{ij}` (yearly).
Only the *pairs* :math:`(s, j)` with some :math:`Z_{ij} \ne 0`, :math:`i \in s`, are stored
(and the *links* :math:`(i, j)` with :math:`Z_{ij} \ne 0`).

Equations (one step :math:`t`, in BoARIO's order)
-------------------------------------------------
0. Shocks: productive capital :math:`K = 4\,\mathrm{VA}` (``productive_capital_to_VA_dict`` or
   ``productive_capital_vector`` otherwise), :math:`\mathrm{VA} = \max(x - \mathbf 1^\top Z, 0)`;
   the capital lost :math:`L` is the sum over active shocks, and :math:`\Delta = L / K`.
1. Overproduction (from :math:`t \ge 2`, as BoARIO's ``current_temporal_unit > 1``), with
   scarcity :math:`\varsigma = (D - x^a)/D` (0 where :math:`D = 0`) of last step's production
   :math:`x^a` against total demand :math:`D`:
   :math:`\alpha \mathrel{+}= (\alpha^{max}-\alpha)\varsigma\tau_\alpha
   + (\alpha^b-\alpha)[\varsigma=0]\tau_\alpha`, then :math:`\alpha \leftarrow \max(\alpha, 1)`.
2. Production: capacity :math:`x^{cap} = x^0 (1-\Delta)\alpha`, optimal
   :math:`x^{opt} = \min(D, x^{cap})`; constraint
   :math:`c_{sj} = \psi\, x^{opt}_j A^C_{sj} d_s` (:math:`d_s` days of inventory, 0 for
   infinite inventories); where :math:`I_{sj} < c_{sj}` and :math:`Z^C_{sj} > 10^{-5} x^0_j`
   (BoARIO compares the *yearly* :math:`Z^C` with the *daily* :math:`x^0`, reproduced),
   :math:`x^a_j = x^{opt}_j \min(1, \min_s I_{sj}/c_{sj})`, else :math:`x^a = x^{opt}`.
3. Proportional rationing: every demand :math:`O_{ij}` (orders), :math:`Y_{ic}` (final) on
   supplier :math:`i` gets :math:`O_{ij} x^a_i / D_i`.  Inventories
   :math:`I_{sj} \leftarrow I_{sj} - x^a_j A^C_{sj} + \sum_{i \in s} O_{ij} x^a_i / D_i`, *skipped*
   when BoARIO's ``np.allclose(stock_add, stock_use)`` holds (rtol 1e-5, atol 1e-8; reproduced).
   Final demand not met: :math:`Y_{ic} - Y_{ic}x^a_i/D_i`, summed per supplying industry
   (``final_demand_undist``) and per (consuming region, product sector)
   (``final_demand_unmet``, BoARIO's reshape ``(R,S,R,F).sum(axis=(0,3)).T``).
   Then recovering shocks move on their recovery function (used at the next step).
4. Orders ("alt", the default): gap :math:`g_{sj} = \tau^{-1}_{INV}\max(x^{opt}_j A^C_{sj}d_s
   - I_{sj}, 0)` (zero when BoARIO's ``np.allclose(inputs_stock, goal)`` holds, reproduced),
   plus :math:`x^a_j A^C_{sj}`; shared among suppliers :math:`i \in s` in proportion to
   :math:`Z^0_{ij} x^{cap}_i / x^0_i`; "noalt": in proportion to :math:`Z_{ij}/Z^C_{sj}`.

Shocks: BoARIO's ``EventKapitalRecover``
----------------------------------------
A :class:`CapitalShock` destroys ``share`` of the productive capital :math:`K` of the given
region-sectors at step ``occurrence``, for ``duration`` steps, then recovers over
``recovery_tau`` steps with BoARIO's recovery function (``"linear"`` (default),
``"convexe"``, ``"convexe noscale"``, ``"concave"`` or a callable
``f(elapsed_temporal_unit, init_impact_stock, recovery_tau)``).  Timing as BoARIO: the shock
starts at step ``occurrence``; recovery starts at ``occurrence + duration`` and the damage
computed after the distribution of step :math:`t` (elapsed :math:`t - o - d`) is the one used at
step :math:`t+1`, rounded to ``int(log10(monetary_factor)) + 1`` decimals (BoARIO rounds to the
event's monetary factor; a share of capital is in table units, so the two are the same);
the shock ends when the rounded damage is all zero.  It equals BoARIO's
``EventKapitalRecover(impact=share * K, event_monetary_factor=monetary_factor, ...)``.
``EventKapitalRebuild`` (reconstruction demand), ``EventArbitraryProd`` and households' capital
are not reproduced; ``rebuild_tau`` is accepted for parity and unused.

Other BoARIO details reproduced: the first step does not update overproduction until
:math:`t = 2`; ``value_added`` is recorded *before* production (last step's production less
the orders placed at the end of last step); inventory durations :math:`\le 1` step become 2;
the run stops (``crashed``) if an inventory goes negative, leaving the later records NaN.
Not supported: ``temporal_units_by_step != 1`` (BoARIO itself warns it is inconsistent).

Examples
--------
>>> import pymrio
>>> mrio = pymrio.load_test().calc_all()
>>> shock = CapitalShock(occurrence=5, regions=["reg2"], sectors=["manufactoring"],
...                      share=0.3, recovery_tau=60)
>>> res = ario_simulate(mrio, steps=50, shocks=[shock])
>>> res.production_realised.shape
(50, 48)
>>> bool((res.production_realised.iloc[10] < res.production_realised.iloc[0]).any())
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from pymrio import IOSystem

from gosplan.errors import InputError

__all__ = ["ARIOResult", "CapitalShock", "SparseMRIO", "ario_simulate", "recovery_functions"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

TECHNOLOGY_THRESHOLD = 1e-5
"""BoARIO's threshold under which an input is not an input (``Z^C <= 1e-5 x^0``)."""
RECORDS = (
    "production_realised",
    "production_capacity",
    "final_demand",
    "intermediate_demand",
    "overproduction",
    "final_demand_unmet",
    "final_demand_undist",
    "productive_capital_to_recover",
    "value_added",
)
"""The per-industry records kept every step (BoARIO's names)."""


def _sum_by(index: IntArray, weights: FloatArray | None, size: int) -> FloatArray:
    """Sums of ``weights`` (counts if ``None``) by ``index``, ``size`` bins (``np.bincount``)."""
    out: FloatArray = np.bincount(index, weights, size).astype(float, copy=False)
    return out


def _linear(elapsed_temporal_unit: int, init_impact_stock: Any, recovery_tau: int) -> Any:
    return init_impact_stock * (1 - (elapsed_temporal_unit / recovery_tau))


def _convexe(elapsed_temporal_unit: int, init_impact_stock: Any, recovery_tau: int) -> Any:
    return init_impact_stock * (1 - (1 / recovery_tau)) ** (4 * elapsed_temporal_unit)


def _convexe_noscale(elapsed_temporal_unit: int, init_impact_stock: Any, recovery_tau: int) -> Any:
    return init_impact_stock * (1 - (1 / recovery_tau)) ** elapsed_temporal_unit


def _concave(elapsed_temporal_unit: int, init_impact_stock: Any, recovery_tau: int) -> Any:
    steep = 0.000001
    exponent = (np.log(recovery_tau) - np.log(steep)) / (np.log(recovery_tau) - np.log(2))
    return (init_impact_stock * recovery_tau) / (
        recovery_tau + steep * (elapsed_temporal_unit**exponent)
    )


recovery_functions: dict[str, Callable[..., Any]] = {
    "linear": _linear,
    "convexe": _convexe,
    "convexe noscale": _convexe_noscale,
    "concave": _concave,
}
"""BoARIO's recovery functions by name (``boario.utils.recovery_functions``)."""


@dataclass(frozen=True)
class SparseMRIO:
    """A multi-regional table held sparse: the input :func:`ario_simulate` works on.

    Industries are region-major: industry ``r * S + s`` is (``regions[r]``, ``sectors[s]``);
    final demand columns are ``r * F + c`` for (``regions[r]``, ``categories[c]``).  Labels need
    not be sorted: :func:`ario_simulate` sorts them as BoARIO does.

    Parameters
    ----------
    regions, sectors, categories
        The labels of regions, sectors and final demand categories.
    Z
        Yearly intermediate flows, ``N x N`` (any scipy sparse matrix or array, nonnegative).
    Y
        Yearly final demand, ``N x R*F`` (sparse).
    x
        Yearly gross output, length ``N``.
    A
        Technical coefficients on the nonzeros of ``Z``; default ``Z * (1/x)`` as pymrio.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    categories: tuple[str, ...]
    Z: Any
    Y: Any
    x: FloatArray
    A: Any = None

    @classmethod
    def from_iosystem(cls, mrio: IOSystem) -> SparseMRIO:
        """Read ``Z``, ``Y``, ``x`` (and ``A`` if set) of a pymrio ``IOSystem``.

        Parameters
        ----------
        mrio
            The system, with ``Z``, ``Y`` and ``x`` computed (``calc_all``).

        Returns
        -------
        SparseMRIO

        Raises
        ------
        InputError
            A table is missing or its labels are not (region, sector) / (region, category).
        """
        for name in ("Z", "Y", "x"):
            if getattr(mrio, name, None) is None:
                raise InputError(f"the IOSystem has no {name}: call calc_all() first", label=name)
        rows = sorted(mrio.Z.index)
        regions, sectors = _two_levels(pd.MultiIndex.from_tuples(rows), "Z rows")
        if sorted(mrio.Z.columns) != rows or sorted(mrio.Y.index) != rows:
            raise InputError("Z columns and Y rows must be the industries of Z rows")
        cols = sorted(mrio.Y.columns)
        y_regions, categories = _two_levels(pd.MultiIndex.from_tuples(cols), "Y columns")
        if y_regions != regions:
            raise InputError("the regions of Y columns differ from those of Z")
        z_vals = mrio.Z.reindex(index=rows, columns=rows).to_numpy(dtype=float)
        y_vals = mrio.Y.reindex(index=rows, columns=cols).to_numpy(dtype=float)
        x_vals = np.asarray(mrio.x.reindex(rows), dtype=float).reshape(-1)
        a_mat = None
        if getattr(mrio, "A", None) is not None:
            a_vals = mrio.A.reindex(index=rows, columns=rows).to_numpy(dtype=float)
            a_mat = sp.csr_array(np.where(z_vals != 0, a_vals, 0.0))
        return cls(
            regions=regions,
            sectors=sectors,
            categories=categories,
            Z=sp.csr_array(z_vals),
            Y=sp.csr_array(y_vals),
            x=x_vals,
            A=a_mat,
        )


def _two_levels(index: pd.Index, what: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Outer and inner labels of a full two-level product index (in order of appearance).

    Raises
    ------
    InputError
        ``index`` is not a two-level index or not the full product of its levels.
    """
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        raise InputError(f"{what} must be a two-level (region, ...) index")
    outer = tuple(str(v) for v in dict.fromkeys(index.get_level_values(0)))
    inner = tuple(str(v) for v in dict.fromkeys(index.get_level_values(1)))
    full = [(o, i) for o in outer for i in inner]
    if len(index) != len(full) or set(map(tuple, index)) != set(full):
        raise InputError(f"{what} must be the full product of its regions and their labels")
    return outer, inner


def _permute(
    mrio: SparseMRIO,
    perm: IntArray,
    regions: tuple[str, ...],
    sectors: tuple[str, ...],
    categories: tuple[str, ...],
    fd_perm: IntArray | None = None,
) -> SparseMRIO:
    """``mrio`` with industries taken in order ``perm`` (and final demand in ``fd_perm``)."""
    z_mat = sp.csr_array(mrio.Z)[perm][:, perm]
    y_mat = sp.csr_array(mrio.Y)[perm]
    if fd_perm is not None:
        y_mat = y_mat[:, fd_perm]
    a_mat = None if mrio.A is None else sp.csr_array(mrio.A)[perm][:, perm]
    x_vals = np.asarray(mrio.x, dtype=float)[perm]
    return SparseMRIO(regions, sectors, categories, z_mat, y_mat, x_vals, a_mat)


def _sorted_mrio(mrio: SparseMRIO) -> SparseMRIO:
    """``mrio`` with regions, sectors and categories sorted (BoARIO's ``lexico_reindex``)."""
    n_r, n_s, n_f = len(mrio.regions), len(mrio.sectors), len(mrio.categories)
    z_shape, y_shape = sp.csr_array(mrio.Z).shape, sp.csr_array(mrio.Y).shape
    if z_shape != (n_r * n_s, n_r * n_s) or y_shape != (n_r * n_s, n_r * n_f):
        raise InputError(f"Z must be {n_r * n_s} x {n_r * n_s} and Y {n_r * n_s} x {n_r * n_f}")
    if np.asarray(mrio.x).shape != (n_r * n_s,):
        raise InputError(f"x must have {n_r * n_s} values, one per industry")
    for what, labels in (("region", mrio.regions), ("sector", mrio.sectors)):
        if len(set(labels)) != len(labels):
            raise InputError(f"duplicate {what} labels")
    r_ord = np.argsort(np.array(mrio.regions, dtype=object), kind="stable")
    s_ord = np.argsort(np.array(mrio.sectors, dtype=object), kind="stable")
    c_ord = np.argsort(np.array(mrio.categories, dtype=object), kind="stable")
    perm = (r_ord[:, None] * n_s + s_ord[None, :]).reshape(-1)
    fd_perm = (r_ord[:, None] * n_f + c_ord[None, :]).reshape(-1)
    return _permute(
        mrio,
        perm,
        tuple(mrio.regions[k] for k in r_ord),
        tuple(mrio.sectors[k] for k in s_ord),
        tuple(mrio.categories[k] for k in c_ord),
        fd_perm,
    )


@dataclass(frozen=True, kw_only=True)
class CapitalShock:
    """Productive capital destroyed, then recovered: BoARIO's ``EventKapitalRecover``.

    Parameters
    ----------
    occurrence
        The step the capital is destroyed (``0 < occurrence``; ``occurrence + duration`` must
        not exceed the number of steps, as BoARIO requires).
    share
        The share of productive capital destroyed in ``[0, 1]``: one number for every
        industry in ``regions x sectors``, or a mapping ``{(region, sector): share}`` (then
        leave ``regions`` and ``sectors`` empty).
    recovery_tau
        Recovery time in steps (positive integer).
    regions, sectors
        The affected regions and sectors (a single label is accepted).
    duration
        Steps at full damage before recovery starts (at least 1).
    recovery_function
        A name in :data:`recovery_functions` or a callable
        ``f(elapsed_temporal_unit, init_impact_stock, recovery_tau)``.
    """

    occurrence: int
    share: float | Mapping[tuple[str, str], float]
    recovery_tau: int
    regions: Sequence[str] | str = ()
    sectors: Sequence[str] | str = ()
    duration: int = 1
    recovery_function: str | Callable[..., Any] = "linear"


@dataclass
class _ShockState:
    """One shock while the simulation runs (BoARIO's ``EventTracker``)."""

    start: int
    end: int
    tau: int
    fun: Callable[..., Any]
    dmg0: FloatArray
    dmg: FloatArray | None
    status: str = "pending"


@dataclass(frozen=True)
class _Params:
    """The model parameters, as BoARIO's ``ARIOPsiModel`` takes them (checked)."""

    order_type: str
    alpha_base: float
    alpha_max: float
    alpha_tau: int
    psi: float
    monetary_factor: int
    steply: float
    inv_duration: FloatArray
    restoration_tau: FloatArray
    capital: FloatArray


@dataclass
class _Model:
    """Static arrays (links, pairs) and state of the sparse ARIO model."""

    n_sectors: int
    n_regions: int
    li: IntArray
    lj: IntArray
    lk: IntArray
    z0: FloatArray
    zdist: FloatArray | None
    ks: IntArray
    kj: IntArray
    tech: FloatArray
    thresh: BoolArray
    inv: FloatArray
    inv_fin: FloatArray
    rtau: FloatArray
    inf_incomplete: bool
    yi: IntArray
    y_cell: IntArray
    y0: FloatArray
    fd_tot: FloatArray
    x0: FloatArray
    capital: FloatArray
    p: _Params
    otau: float
    stock: FloatArray = field(init=False)
    orders: FloatArray = field(init=False)
    orders_tot: FloatArray = field(init=False)
    overprod: FloatArray = field(init=False)
    production: FloatArray = field(init=False)
    delta: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        with np.errstate(invalid="ignore"):
            stock = (self.x0[self.kj] * self.tech) * self.inv[self.ks]
        self.stock = np.nan_to_num(stock, nan=np.inf, posinf=np.inf)
        self.orders = self.z0.copy()
        self.orders_tot = _sum_by(self.li, self.z0, self.x0.size)
        self.overprod = np.full(self.x0.size, self.p.alpha_base)
        self.production = self.x0.copy()
        self.delta = np.zeros(self.x0.size)

    @property
    def total_demand(self) -> FloatArray:
        """Orders plus final demand addressed to each industry."""
        return self.orders_tot + self.fd_tot

    @property
    def capacity(self) -> FloatArray:
        r"""Production capacity :math:`x^0 (1 - \Delta) \alpha`."""
        return (self.x0 * (1 - self.delta)) * self.overprod


@dataclass(frozen=True)
class ARIOResult:
    """What :func:`ario_simulate` records, per step, with BoARIO's names and layouts.

    Attributes
    ----------
    industries
        The (region, sector) industries, sorted as BoARIO sorts them.
    sectors
        The sorted sectors (the inputs of the inventory records).
    records
        Arrays ``steps x N`` by BoARIO record name (see :data:`RECORDS`); NaN after a crash.
    stocks, limiting
        Inventories at the start of each step and the inputs limiting production, one column
        per stored (input, user) pair, if ``record_stocks``; else ``None``.
    pair_sector, pair_user
        The input sector and the user industry of each stored pair.
    infinite
        Per sector: its inventories are infinite (never constraining).
    crashed
        An inventory went negative and the run stopped, as BoARIO's ``has_crashed``.
    steps_simulated
        The number of steps completed.
    productive_capital
        The capital :math:`K` of each industry (table units).
    """

    industries: pd.MultiIndex
    sectors: pd.Index
    records: dict[str, FloatArray]
    stocks: FloatArray | None
    limiting: BoolArray | None
    pair_sector: IntArray
    pair_user: IntArray
    infinite: BoolArray
    crashed: bool
    steps_simulated: int
    productive_capital: FloatArray

    def _frame(self, name: str) -> pd.DataFrame:
        return pd.DataFrame(self.records[name], columns=self.industries).rename_axis("step")

    @property
    def production_realised(self) -> pd.DataFrame:
        """Production of each industry (steps x industries)."""
        return self._frame("production_realised")

    @property
    def production_capacity(self) -> pd.DataFrame:
        """Production capacity :math:`x^{cap}` of each industry."""
        return self._frame("production_capacity")

    @property
    def final_demand(self) -> pd.DataFrame:
        """Final demand addressed to each industry."""
        return self._frame("final_demand")

    @property
    def intermediate_demand(self) -> pd.DataFrame:
        """Orders received by each industry (placed at the end of the previous step)."""
        return self._frame("intermediate_demand")

    @property
    def overproduction(self) -> pd.DataFrame:
        r"""Overproduction factor :math:`\alpha` of each industry."""
        return self._frame("overproduction")

    @property
    def final_demand_unmet(self) -> pd.DataFrame:
        """Final demand not met, per (consuming region, product sector) as BoARIO lays it out."""
        return self._frame("final_demand_unmet")

    @property
    def final_demand_undist(self) -> pd.DataFrame:
        """Final demand not distributed by each supplying industry."""
        return self._frame("final_demand_undist")

    @property
    def productive_capital_to_recover(self) -> pd.DataFrame:
        """Productive capital destroyed and not yet recovered."""
        return self._frame("productive_capital_to_recover")

    @property
    def value_added(self) -> pd.DataFrame:
        """BoARIO's value added record (last step's production less orders placed)."""
        return self._frame("value_added")

    def _dense(self, values: npt.NDArray[Any], fill: float, inf_fill: float) -> FloatArray:
        steps, n_s, n = values.shape[0], self.sectors.size, self.industries.size
        out = np.full((steps, n_s, n), fill)
        out[:, self.infinite, :] = inf_fill
        out[:, self.pair_sector, self.pair_user] = values
        return out.reshape(steps * n_s, n)

    def _stock_index(self, steps: int) -> pd.MultiIndex:
        return pd.MultiIndex.from_product([range(steps), self.sectors], names=["step", "input"])

    @property
    def inputs_stocks(self) -> pd.DataFrame:
        """Inventories (step, input) x industries, dense as BoARIO records them (small tables)."""
        if self.stocks is None:
            raise InputError("inventories were not recorded: run with record_stocks=True")
        dense = self._dense(self.stocks, 0.0, np.inf)
        steps = dense.shape[0] // self.sectors.size
        return pd.DataFrame(dense, columns=self.industries, index=self._stock_index(steps))

    @property
    def limiting_inputs(self) -> pd.DataFrame:
        """Inputs limiting production (1) per (step, input) x industries, as BoARIO."""
        if self.limiting is None:
            raise InputError("limiting inputs were not recorded: run with record_stocks=True")
        dense = self._dense(self.limiting.astype(float), 0.0, 0.0).astype(np.int8)
        steps = dense.shape[0] // self.sectors.size
        return pd.DataFrame(dense, columns=self.industries, index=self._stock_index(steps))

    def stocks_at(self, step: int) -> sp.csr_array:
        """Inventories at the start of ``step`` as a sparse ``S x N`` matrix (stored pairs).

        Parameters
        ----------
        step
            The step (0-based).

        Returns
        -------
        scipy.sparse.csr_array
        """
        if self.stocks is None:
            raise InputError("inventories were not recorded: run with record_stocks=True")
        shape = (self.sectors.size, self.industries.size)
        return sp.csr_array((self.stocks[step], (self.pair_sector, self.pair_user)), shape=shape)


def _sector_values(values: Mapping[str, Any], sectors: tuple[str, ...], what: str) -> list[Any]:
    """The values of a per-sector mapping in sector order; every sector must be a key."""
    missing = sorted(set(sectors) - set(values))
    extra = sorted(set(values) - set(sectors))
    if missing or extra:
        raise InputError(
            f"{what} must have one value per sector: missing {missing}, unknown {extra}",
            label=(missing or extra)[0],
        )
    return [values[s] for s in sectors]


def _inv_duration(
    sectors: tuple[str, ...],
    main_inv_dur: float,
    inventory_dict: Mapping[str, Any] | None,
    infinite: Sequence[str] | None,
) -> FloatArray:
    """Days of inventory per input (BoARIO's ``_init_input_stocks``; ``<= 1`` becomes 2)."""
    inf_set = set(infinite or ())
    if unknown := sorted(inf_set - set(sectors)):
        raise InputError("unknown sector in infinite_inventories_sect", label=unknown[0])
    if inventory_dict is None:
        days = [math.inf if s in inf_set else float(main_inv_dur) for s in sectors]
    else:
        vals = _sector_values(inventory_dict, sectors, "inventory_dict")
        inf_words = ("inf", "Inf", "Infinity", "infinity")
        days = [
            math.inf if (isinstance(v, str) and v in inf_words) or s in inf_set else float(v)
            for s, v in zip(sectors, vals, strict=True)
        ]
    inv = np.array(days, dtype=float)
    if np.isnan(inv).any() or (inv < 0).any():
        raise InputError("inventory durations must be nonnegative numbers of steps")
    inv[inv <= 1] = 2
    return inv


def _restoration(sectors: tuple[str, ...], tau: int | Mapping[str, int]) -> FloatArray:
    """Per input, ``1 / inventory_restoration_tau`` (BoARIO's ``restoration_tau``)."""
    if isinstance(tau, Mapping):
        vals = _sector_values(tau, sectors, "inventory_restoration_tau")
    elif isinstance(tau, int) and not isinstance(tau, bool):
        vals = [tau] * len(sectors)
    else:
        raise InputError("inventory_restoration_tau must be an int or a {sector: int} mapping")
    for v in vals:
        if isinstance(v, bool) or not float(v).is_integer() or v <= 0:
            raise InputError(f"inventory restoration times must be positive integers, got {v}")
    return 1.0 / np.array(vals, dtype=float)


def _capital(
    mrio: SparseMRIO,
    vector: Any,
    to_va: Mapping[str, float] | None,
) -> FloatArray:
    """Productive capital per industry: given, ``ratio * VA`` or ``4 * VA`` (BoARIO)."""
    n = mrio.x.size
    if vector is not None:
        if isinstance(vector, pd.DataFrame | pd.Series):
            vector = pd.Series(vector.squeeze()).sort_index().to_numpy()
        cap = np.asarray(vector, dtype=float).reshape(-1)
        if cap.size != n or not np.isfinite(cap).all() or (cap < 0).any():
            raise InputError(f"productive_capital_vector must hold {n} nonnegative numbers")
        return cap
    z_col = np.asarray(sp.csr_array(mrio.Z).sum(axis=0)).reshape(-1)
    value_added = np.maximum(mrio.x - z_col, 0.0)
    if to_va is None:
        return value_added * 4
    ratio = np.array(_sector_values(to_va, mrio.sectors, "productive_capital_to_VA_dict"))
    return value_added * np.tile(ratio.astype(float), len(mrio.regions))


def _check_scalars(
    steps: int, order_type: str, psi_param: float, alpha: tuple[float, float, int], **units: int
) -> None:
    """Reject bad scalar parameters with an :class:`InputError`."""
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise InputError(f"steps must be an integer >= 1, got {steps!r}")
    if order_type not in ("alt", "noalt"):
        raise InputError(f"order_type must be 'alt' or 'noalt', got {order_type!r}")
    if not 0.0 <= float(psi_param) <= 1.0:
        raise InputError(f"psi_param must be in [0, 1], got {psi_param}")
    alpha_base, alpha_max, alpha_tau = alpha
    if not (math.isfinite(alpha_base) and math.isfinite(alpha_max)) or alpha_tau <= 0:
        raise InputError("alpha_base and alpha_max must be finite and alpha_tau positive")
    if units["temporal_units_by_step"] != 1:
        raise InputError("only temporal_units_by_step=1 is supported (as BoARIO recommends)")
    for name in ("monetary_factor", "iotable_year_to_temporal_unit_factor", "rebuild_tau"):
        if units[name] <= 0:
            raise InputError(f"{name} must be positive, got {units[name]}")


def _links(mrio: SparseMRIO) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Rows, columns, flows and coefficients of the nonzeros of ``Z`` (CSR order)."""
    z_mat = sp.csr_array(mrio.Z, dtype=float)
    z_mat.sum_duplicates()
    z_mat.eliminate_zeros()
    z_mat.sort_indices()
    n = mrio.x.size
    li = np.repeat(np.arange(n, dtype=np.int64), np.diff(z_mat.indptr))
    lj = z_mat.indices.astype(np.int64)
    zval = z_mat.data.astype(float)
    if (zval < 0).any() or not np.isfinite(zval).all():
        raise InputError("Z must be finite and nonnegative")
    if mrio.A is None:
        with np.errstate(divide="ignore"):
            recix = 1 / mrio.x
        recix[recix == np.inf] = 0
        aval = zval * recix[lj]
    else:
        a_mat = sp.coo_array(mrio.A)
        a_keys = a_mat.row.astype(np.int64) * n + a_mat.col
        keys = li * n + lj
        aval = np.zeros(keys.size)
        pos = np.searchsorted(keys, a_keys)
        hit = (pos < keys.size) & (keys[np.minimum(pos, keys.size - 1)] == a_keys)
        aval[pos[hit]] = a_mat.data[hit]
    return li, lj, zval, aval


def _build_model(mrio: SparseMRIO, p: _Params) -> _Model:
    """The sparse model of a sorted table: links, aggregated pairs and the initial state."""
    n_r, n_s, n_f = len(mrio.regions), len(mrio.sectors), len(mrio.categories)
    n = n_r * n_s
    x = np.asarray(mrio.x, dtype=float)
    if not np.isfinite(x).all() or (x < 0).any():
        raise InputError("x (gross output) must be finite and nonnegative")
    li, lj, zval, aval = _links(mrio)
    uniq, lk = np.unique((li % n_s) * n + lj, return_inverse=True)
    lk = lk.astype(np.int64).reshape(-1)
    ks, kj = uniq // n, uniq % n
    z_c = _sum_by(lk, zval, uniq.size)
    x0 = x * p.steply
    y_mat = sp.coo_array(sp.csr_array(mrio.Y, dtype=float))
    y_mat.eliminate_zeros()
    yi, ycol = y_mat.row.astype(np.int64), y_mat.col.astype(np.int64)
    if not np.isfinite(y_mat.data).all():
        raise InputError("Y (final demand) must be finite")
    y0 = y_mat.data * p.steply
    infinite = np.isinf(p.inv_duration)
    return _Model(
        n_sectors=n_s,
        n_regions=n_r,
        li=li,
        lj=lj,
        lk=lk,
        z0=zval * p.steply,
        zdist=None if p.order_type == "alt" else zval / z_c[lk],
        ks=ks,
        kj=kj,
        tech=_sum_by(lk, aval, uniq.size),
        thresh=z_c > x0[kj] * TECHNOLOGY_THRESHOLD,
        inv=p.inv_duration,
        inv_fin=np.nan_to_num(p.inv_duration, posinf=0.0),
        rtau=p.restoration_tau,
        inf_incomplete=bool((_sum_by(ks, None, n_s)[infinite] < n).any()),
        yi=yi,
        y_cell=(ycol // n_f) * n_s + yi % n_s,
        y0=y0,
        fd_tot=_sum_by(yi, y0, n),
        x0=x0,
        capital=p.capital,
        p=p,
        otau=1 / p.alpha_tau,
    )


def _shock_shares(shock: CapitalShock, mrio: SparseMRIO) -> FloatArray:
    """The share of capital ``shock`` destroys in each industry (checked)."""
    regions, sectors = list(mrio.regions), list(mrio.sectors)
    out = np.zeros(len(regions) * len(sectors))
    if isinstance(shock.share, Mapping):
        if shock.regions or shock.sectors:
            raise InputError("give either share as a {(region, sector): share} mapping or regions")
        items = list(shock.share.items())
    else:
        aff_r = [shock.regions] if isinstance(shock.regions, str) else list(shock.regions)
        aff_s = [shock.sectors] if isinstance(shock.sectors, str) else list(shock.sectors)
        if not aff_r or not aff_s:
            raise InputError("a capital shock needs at least one region and one sector")
        items = [((r, s), shock.share) for r in aff_r for s in aff_s]
    for (reg, sec), share in items:
        if reg not in regions:
            raise InputError("unknown region in a capital shock", label=str(reg))
        if sec not in sectors:
            raise InputError("unknown sector in a capital shock", label=str(sec))
        if not (isinstance(share, int | float) and 0.0 <= share <= 1.0):
            raise InputError(f"a shock's share must be in [0, 1], got {share!r}", label=str(sec))
        out[regions.index(reg) * len(sectors) + sectors.index(sec)] = float(share)
    return out


def _shock_states(
    shocks: Sequence[CapitalShock], mrio: SparseMRIO, capital: FloatArray, steps: int
) -> list[_ShockState]:
    """The trackers of ``shocks`` (checked as BoARIO's ``event_compatibility`` does)."""
    states = []
    for shock in shocks:
        if not isinstance(shock, CapitalShock):
            raise InputError(f"shocks must be CapitalShock objects, got {type(shock).__name__}")
        for name in ("occurrence", "duration", "recovery_tau"):
            value = getattr(shock, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise InputError(f"a shock's {name} must be an integer >= 1, got {value!r}")
        if shock.occurrence + shock.duration > steps:
            raise InputError(
                f"a shock at step {shock.occurrence} lasting {shock.duration} ends after the "
                f"last step ({steps}): occurrence + duration must be <= steps"
            )
        fun = shock.recovery_function
        if isinstance(fun, str):
            if fun not in recovery_functions:
                raise InputError(f"unknown recovery function {fun!r}", label=fun)
            fun = recovery_functions[fun]
        elif not callable(fun):
            raise InputError("recovery_function must be a name or a callable")
        dmg0 = _shock_shares(shock, mrio) * capital
        start = int(shock.occurrence)
        end = start + int(shock.duration)
        states.append(_ShockState(start, end, int(shock.recovery_tau), fun, dmg0, dmg0.copy()))
    return states


def _capital_lost(states: list[_ShockState], t: int, capital: FloatArray) -> FloatArray:
    """Start and move shocks on at step ``t``; the capital they hold destroyed."""
    for st in states:
        if st.status == "pending" and t - 1 <= st.start <= t:
            st.status = "happening"
    for st in states:
        if st.status == "happening" and t >= st.end:
            st.status = "recovering"
    lost = np.zeros(capital.size)
    for st in states:
        if st.status in ("happening", "recovering") and st.dmg is not None:
            lost = lost + st.dmg
    if (lost > capital).any():
        raise InputError(f"shocks active at step {t} destroy more than the productive capital")
    return lost


def _recover(states: list[_ShockState], t: int, precision: int) -> None:
    """Recovering shocks take their next damage (rounded as BoARIO); all-zero ends them."""
    for st in states:
        if st.status != "recovering":
            continue
        raw = st.fun(t - st.end, init_impact_stock=st.dmg0, recovery_tau=st.tau)
        dmg = np.round(np.asarray(raw, dtype=float), precision)
        if dmg.any():
            st.dmg = dmg
        else:
            st.dmg, st.status = None, "finished"


def _overproduce(m: _Model) -> None:
    r"""BoARIO's ``calc_overproduction``: move :math:`\alpha` with last step's scarcity."""
    tot = m.total_demand
    scarcity = np.zeros(tot.size)
    nz = tot != 0
    scarcity[nz] = (tot[nz] - m.production[nz]) / tot[nz]
    scarcity[np.isnan(scarcity)] = 0
    op, tau = m.overprod, m.otau
    change = ((m.p.alpha_max - op) * scarcity * tau) + (
        (m.p.alpha_base - op) * (scarcity == 0) * tau
    )
    op += change
    op[op < 1.0] = 1.0


def _produce(m: _Model) -> tuple[FloatArray, FloatArray, BoolArray]:
    """BoARIO's ``calc_production``: optimal production cut by short inventories.

    Returns
    -------
    tuple
        Optimal production, capacity and the (pair) inputs limiting production.
    """
    cap = m.capacity
    opt = np.fmin(m.total_demand, cap)
    cons = ((opt[m.kj] * m.tech) * m.p.psi) * m.inv_fin[m.ks]
    limiting = (m.stock < cons) & m.thresh
    if limiting.any():
        factor = np.ones(opt.size)
        np.minimum.at(factor, m.kj[limiting], m.stock[limiting] / cons[limiting])
        m.production = opt * factor
    else:
        m.production = opt.copy()
    return opt, cap, limiting


def _shares(values: FloatArray, rows: IntArray, tot: FloatArray) -> FloatArray:
    """``values / tot[rows]``, 0 where the row's total demand is 0 (demand shares)."""
    zero = tot == 0
    share = values / np.where(zero, 1.0, tot)[rows]
    if zero.any():
        share[zero[rows]] = 0.0
    return share


def _distribute(m: _Model) -> tuple[FloatArray, FloatArray] | None:
    """BoARIO's ``distribute_production``: proportional rationing and inventory update.

    Returns
    -------
    tuple or None
        Final demand not met per (consuming region, product sector) and not distributed per
        industry; ``None`` if an inventory went negative (BoARIO's crash).
    """
    tot, prod = m.total_demand, m.production
    delivered = _shares(m.orders, m.li, tot) * prod[m.li]
    use = prod[m.kj] * m.tech
    add = _sum_by(m.lk, delivered, m.tech.size)
    if not np.allclose(add, use):
        m.stock = m.stock - use + add
        if (m.stock < 0).any() or np.isnan(m.stock).any():
            return None
    unmet = m.y0 - _shares(m.y0, m.yi, tot) * prod[m.yi]
    n = prod.size
    undist = _sum_by(m.yi, unmet, n)
    by_cell = _sum_by(m.y_cell, unmet, n)
    undist[undist == 0.0] = 0.0
    by_cell[by_cell == 0.0] = 0.0
    return by_cell, undist


def _place_orders(m: _Model, opt: FloatArray, cap: FloatArray) -> None:
    """BoARIO's ``calc_orders`` (Psi model): restore inventories and replace what was used."""
    with np.errstate(invalid="ignore"):
        goal = (opt[m.kj] * m.tech) * m.inv[m.ks]
    gap = np.zeros(goal.size)
    if m.inf_incomplete or not np.allclose(m.stock, goal):
        fin = np.isfinite(goal)
        gap[fin] = goal[fin] - m.stock[fin]
        gap[gap < 0] = 0
        gap = m.rtau[m.ks] * gap
    gap += m.production[m.kj] * m.tech
    if m.zdist is None:
        ratio = np.ones(cap.size)
        np.divide(cap, m.x0, out=ratio, where=m.x0 != 0)
        z_prod = m.z0 * ratio[m.li]
        den = _sum_by(m.lk, z_prod, goal.size)[m.lk]
        out = np.zeros(z_prod.size)
        np.divide(z_prod, den, out=out, where=den != 0)
        m.orders = gap[m.lk] * out
    else:
        m.orders = gap[m.lk] * m.zdist
    m.orders_tot = _sum_by(m.li, m.orders, cap.size)


@dataclass
class _Tape:
    """The arrays the run writes into, step by step."""

    records: dict[str, FloatArray]
    stocks: FloatArray | None
    limiting: BoolArray | None


def _step(m: _Model, states: list[_ShockState], t: int, tape: _Tape, precision: int) -> bool:
    """One step of BoARIO's ``Simulation.next_step``; ``False`` if the model crashed."""
    rec = tape.records
    lost = _capital_lost(states, t, m.capital)
    m.delta = np.zeros(lost.size)
    np.divide(lost, m.capital, out=m.delta, where=m.capital != 0)
    if tape.stocks is not None:
        tape.stocks[t] = m.stock
    if t > 1:
        _overproduce(m)
    rec["overproduction"][t] = m.overprod
    rec["final_demand"][t] = m.fd_tot
    rec["intermediate_demand"][t] = m.orders_tot
    rec["value_added"][t] = m.production - _sum_by(m.lj, m.orders, lost.size)
    opt, cap, limiting = _produce(m)
    if tape.limiting is not None:
        tape.limiting[t] = limiting
    rec["production_realised"][t] = m.production
    rec["production_capacity"][t] = cap
    rec["productive_capital_to_recover"][t] = lost
    unmet = _distribute(m)
    if unmet is None:
        return False
    rec["final_demand_unmet"][t], rec["final_demand_undist"][t] = unmet
    _recover(states, t, precision)
    _place_orders(m, opt, cap)
    return True


def _psi(psi_param: float | str) -> float:
    """The psi parameter as BoARIO reads it (``"0_8"`` is 0.8)."""
    try:
        if isinstance(psi_param, str):
            return float(psi_param.replace("_", "."))
        return float(psi_param)
    except (TypeError, ValueError):
        raise InputError(f"psi_param must be a number, got {psi_param!r}") from None


def _as_sparse(mrio: IOSystem | SparseMRIO) -> SparseMRIO:
    """The input as a sorted :class:`SparseMRIO`."""
    if isinstance(mrio, IOSystem):
        return _sorted_mrio(SparseMRIO.from_iosystem(mrio))
    if isinstance(mrio, SparseMRIO):
        return _sorted_mrio(mrio)
    raise InputError(f"expected a pymrio IOSystem or a SparseMRIO, got {type(mrio).__name__}")


def ario_simulate(
    mrio: IOSystem | SparseMRIO,
    *,
    steps: int,
    shocks: Sequence[CapitalShock] = (),
    record_stocks: bool = False,
    order_type: str = "alt",
    alpha_base: float = 1.0,
    alpha_max: float = 1.25,
    alpha_tau: int = 365,
    rebuild_tau: int = 60,
    main_inv_dur: int = 90,
    monetary_factor: int = 10**6,
    temporal_units_by_step: int = 1,
    iotable_year_to_temporal_unit_factor: int = 365,
    infinite_inventories_sect: Sequence[str] | None = None,
    inventory_dict: Mapping[str, Any] | None = None,
    productive_capital_vector: Any = None,
    productive_capital_to_VA_dict: Mapping[str, float] | None = None,
    psi_param: float | str = 0.80,
    inventory_restoration_tau: int | Mapping[str, int] = 60,
) -> ARIOResult:
    """Run BoARIO's ``ARIOPsiModel`` for ``steps`` daily steps, sparse (see module docstring).

    Parameters
    ----------
    mrio
        A pymrio ``IOSystem`` with ``Z``, ``Y`` and ``x`` (``A`` used if set), or a
        :class:`SparseMRIO`.  If the ``IOSystem`` has a ``monetary_factor`` attribute, it
        overrides ``monetary_factor`` (as in BoARIO).
    steps
        Number of steps (BoARIO's ``n_temporal_units_to_sim``), at least 1.
    shocks
        :class:`CapitalShock` events.
    record_stocks
        Also record inventories and limiting inputs (``steps x pairs``; BoARIO's
        ``register_stocks``).
    order_type, alpha_base, alpha_max, alpha_tau, rebuild_tau, main_inv_dur, monetary_factor, \
temporal_units_by_step, iotable_year_to_temporal_unit_factor, infinite_inventories_sect, \
inventory_dict, productive_capital_vector, productive_capital_to_VA_dict, psi_param, \
inventory_restoration_tau
        BoARIO's ``ARIOPsiModel`` parameters, same meaning and defaults (``rebuild_tau`` is
        unused: no rebuilding events; only ``temporal_units_by_step=1``).

    Returns
    -------
    ARIOResult

    Raises
    ------
    InputError
        Bad table, parameter or shock (unknown region or sector, share outside [0, 1], ...).
    """
    units = {"temporal_units_by_step": temporal_units_by_step, "rebuild_tau": rebuild_tau}
    units["iotable_year_to_temporal_unit_factor"] = iotable_year_to_temporal_unit_factor
    alphas = (float(alpha_base), float(alpha_max), alpha_tau)
    _check_scalars(
        steps, order_type, _psi(psi_param), alphas, monetary_factor=monetary_factor, **units
    )
    monetary_factor = int(getattr(mrio, "monetary_factor", monetary_factor))
    table = _as_sparse(mrio)
    params = _Params(
        order_type=order_type,
        alpha_base=float(alpha_base),
        alpha_max=float(alpha_max),
        alpha_tau=alpha_tau,
        psi=_psi(psi_param),
        monetary_factor=monetary_factor,
        steply=temporal_units_by_step / iotable_year_to_temporal_unit_factor,
        inv_duration=_inv_duration(
            table.sectors, main_inv_dur, inventory_dict, infinite_inventories_sect
        ),
        restoration_tau=_restoration(table.sectors, inventory_restoration_tau),
        capital=_capital(table, productive_capital_vector, productive_capital_to_VA_dict),
    )
    model = _build_model(table, params)
    states = _shock_states(shocks, table, params.capital, steps)
    return _run(model, states, table, steps, record_stocks)


def _run(
    m: _Model, states: list[_ShockState], table: SparseMRIO, steps: int, record_stocks: bool
) -> ARIOResult:
    """Step the model ``steps`` times and wrap the records."""
    n, n_pairs = m.x0.size, m.tech.size
    tape = _Tape(
        records={name: np.full((steps, n), np.nan) for name in RECORDS},
        stocks=np.full((steps, n_pairs), np.nan) if record_stocks else None,
        limiting=np.zeros((steps, n_pairs), dtype=bool) if record_stocks else None,
    )
    precision = int(math.log10(m.p.monetary_factor)) + 1
    done, crashed = 0, False
    for t in range(steps):
        if not _step(m, states, t, tape, precision):
            crashed = True
            break
        done = t + 1
    industries = pd.MultiIndex.from_product(
        [list(table.regions), list(table.sectors)], names=["region", "sector"]
    )
    return ARIOResult(
        industries=industries,
        sectors=pd.Index(list(table.sectors), name="sector"),
        records=tape.records,
        stocks=tape.stocks,
        limiting=tape.limiting,
        pair_sector=m.ks,
        pair_user=m.kj,
        infinite=np.isinf(m.inv),
        crashed=crashed,
        steps_simulated=done,
        productive_capital=m.capital,
    )
