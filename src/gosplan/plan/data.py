"""The plan's arithmetic: positional arrays derived once from a validated spec.

:class:`PlanData` turns a validated :class:`~gosplan.core.spec.PlanSpec` into positional arrays
(capacity surviving from the initial vintages, capacity created by an investment, the spending
profile of an investment, target positions, ...). It is computed once and shared by the blocks.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.economy import MEANS_OF_PRODUCTION
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.valuation import least_labour_values


def _diag(values: np.ndarray) -> sp.csr_array:
    return sp.diags_array(np.asarray(values, float), format="csr")


class PlanData:
    """Positional arrays derived from a validated spec, shared by every block.

    Parameters
    ----------
    spec
        A validated plan specification.

    Attributes
    ----------
    outputs, inputs
        Products x activities: output and input per unit of each activity's level (CSR).
    capital
        Products x activities: capital goods per unit of new capacity.
    labour, resources
        Labour types (resources) x activities: use per unit of level.
    construction_coefficients
        Labour types x activities: construction labour per unit of new capacity.
    depreciation
        Share of each activity's capacity lost per period (0 where none is given).
    T, n_p, n_a
        Numbers of periods, products and activities.
    """

    def __init__(self, spec: PlanSpec) -> None:
        self.spec = spec
        eco = spec.economy
        self.eco = eco
        self.T = spec.n_periods
        self.n_p, self.n_a = eco.n_products, eco.n_activities
        self.outputs = sp.csr_array(eco.output_matrix)
        self.inputs = sp.csr_array(eco.technology)
        self.capital = sp.csr_array(eco.capital)
        self.labour = sp.csr_array(eco.labour)
        self.resources = sp.csr_array(eco.resources)
        self.lag = spec.lag_of()
        #: production lead time of every activity (inputs in t, output in t + lead)
        self.lead = spec.lead_time_of()
        #: share of an investment spent d periods after its start, activities x T
        self.profile = spec.construction_profile()
        #: labour of construction per unit of new capacity, labour types x activities
        self.construction_coefficients = self._construction_labour()
        self.life = np.asarray(eco.service_life, float)
        self.depreciation = np.zeros(self.n_a)
        if len(spec.depreciation):
            pos = eco.activity_labels.get_indexer(spec.depreciation["activity"])
            self.depreciation[pos] = spec.depreciation["rate"].to_numpy(dtype=float)
        self._capacity_setup()
        self._targets_setup()

    # ------------------------------------------------------------------ capacity
    def _construction_labour(self) -> sp.csr_array:
        eco, table = self.eco, self.spec.construction_labour
        shape = (len(eco.labour_types), self.n_a)
        if not len(table):
            return sp.csr_array(shape)
        rows = eco.labour_types.get_indexer(table["labour_type"])
        cols = eco.activity_labels.get_indexer(table["activity"])
        vals = table["coefficient"].to_numpy(dtype=float)
        return sp.csr_array((vals, (rows, cols)), shape=shape)

    def _capacity_setup(self) -> None:
        spec, eco, T = self.spec, self.eco, self.T
        labels = np.asarray(spec.periods, dtype=float)
        ends = np.append(labels, labels[-1] + 1.0)  # period T = end of the horizon
        has_vintage = np.zeros(self.n_a, dtype=bool)
        init = np.zeros((self.n_a, T + 1))
        decay = (1.0 - self.depreciation)[:, None] ** np.arange(T + 1)[None, :]
        if len(spec.vintages):
            pos = eco.activity_labels.get_indexer(spec.vintages["activity"])
            built = spec.vintages["year_built"].to_numpy(dtype=float)
            cap = spec.vintages["capacity"].to_numpy(dtype=float)
            retire = built + self.life[pos]
            alive = ~(ends[None, :] >= retire[:, None])  # nan life: never retires
            np.add.at(init, pos, alive * cap[:, None])
            has_vintage[pos] = True
        base = np.asarray(eco.capacity, float)
        plain = ~has_vintage & np.isfinite(base)
        alive = ~(ends[None, :] >= (labels[0] + self.life)[:, None])
        init[plain] = (alive * np.where(np.isfinite(base), base, 0.0)[:, None])[plain]
        #: activities whose capacity is limited (a capacity row for each period)
        self.capped = np.flatnonzero(has_vintage | np.isfinite(base))
        self.n_c = len(self.capped)
        #: capacity from construction in progress, activities x (T + 1)
        in_progress = spec.construction_in_progress_capacity()
        #: capacity surviving from the initial stock and construction in progress (from its
        #: completion), capped activities x (T + 1)
        self.initial = (init * decay + in_progress)[self.capped]
        #: initial capacity of capped activities (for terminal_growth)
        self.initial_capacity = self.initial[:, 0].copy()
        can_invest = np.asarray(abs(self.capital).sum(axis=0)).ravel()[self.capped] > 0
        s = np.arange(T)
        ok = (s[None, :] + self.lag[self.capped][:, None]) <= T
        #: activities whose capacity investment can add (capped activities with capital
        #: coefficients)
        self.can_invest = can_invest
        #: lower and upper bounds of inv (upper 0 where no capital coefficients or spending
        #: beyond the horizon), capped activities x T flattened period-major
        upper = np.where(can_invest[:, None] & ok, np.inf, 0.0)
        lower = np.zeros_like(upper)
        limits = spec.investment_limits
        if len(limits):
            k = pd.Index(self.capped).get_indexer(
                eco.activity_labels.get_indexer(limits["activity"])
            )
            lo, hi, per = spec.investment_bounds()
            for i in range(len(limits)):
                cols = (
                    slice(None)
                    if np.isnan(per[i])
                    else [int(self.period_index(np.array([per[i]]))[0])]
                )
                upper[k[i], cols] = np.minimum(upper[k[i], cols], hi[i])
                lower[k[i], cols] = np.maximum(lower[k[i], cols], lo[i])
            impossible = lower > upper
            if impossible.any():
                j, t = (int(a[0]) for a in np.nonzero(impossible))
                raise InputError(
                    f"investment_limits ask for at least {lower[j, t]:g} of new capacity of "
                    f"{eco.activity_labels[self.capped[j]]!r} started in {spec.periods[t]}, but "
                    "none can be started then (no capital coefficients, or capacity that would "
                    "come after the horizon)",
                    source="plan spec: investment_limits",
                    label=str(eco.activity_labels[self.capped[j]]),
                    check="investment_limits",
                )
        self.inv_lower = lower.T.ravel()
        self.inv_upper = upper.T.ravel()

    def made_capacity(self, t: int, s: int) -> np.ndarray:
        """Capacity in period ``t`` (``T`` = end) per unit of investment started in ``s``.

        Capacity comes into service ``lag`` periods after the start, loses ``rate`` per
        period geometrically, and retires ``service_life`` periods after coming into service.
        """
        lag = self.lag[self.capped]
        age = t - s - lag
        life = self.life[self.capped]
        alive = (age >= 0) & ~(age >= life)
        return np.where(alive, (1.0 - self.depreciation[self.capped]) ** np.maximum(age, 0), 0.0)

    def spend_weight(self, t: int, s: int) -> np.ndarray:
        """Share of an investment's capital goods spent in period ``t`` when started in ``s``.

        From the construction profile (``PlanSpec.construction_profile``): by default spent
        evenly over the ``lag`` periods ``s, ..., s + lag - 1`` (all in ``s`` when the
        lag is zero).
        """
        d = t - s
        if d < 0 or d >= self.T:
            return np.zeros(self.n_c)
        return self.profile[self.capped, d]

    def _spent(self, coefficients: sp.csr_array) -> sp.csr_array:
        """``coefficients`` (rows x activities) spent by investment, ``(rows x T) x (inv)``."""
        n_rows = coefficients.shape[0]
        if self.n_c == 0:
            return sp.csr_array((n_rows * self.T, 0))
        Mc = sp.csr_array(coefficients[:, self.capped])
        blocks: list[list[sp.sparray | None]] = [[None] * self.T for _ in range(self.T)]
        for t in range(self.T):
            for s in range(t + 1):
                w = self.spend_weight(t, s)
                if w.any():
                    blocks[t][s] = Mc @ _diag(w)
        for t in range(self.T):
            if blocks[t][0] is None:
                blocks[t][0] = sp.csr_array((n_rows, self.n_c))
        return sp.csr_array(sp.block_array(blocks, format="csr"))

    @cached_property
    def in_progress_building(self) -> np.ndarray:
        """Capacity under construction in progress paid for, activities x T.

        See ``PlanSpec.construction_in_progress``: fixed in advance, not a variable.
        """
        return self.spec.construction_in_progress_building()

    @cached_property
    def in_progress_spending(self) -> np.ndarray:
        """Capital goods spent on construction in progress, products x T (fixed uses)."""
        return np.asarray(self.capital @ self.in_progress_building)

    @cached_property
    def in_progress_labour(self) -> np.ndarray:
        """Construction labour of construction in progress, labour types x T."""
        return np.asarray(self.construction_coefficients @ self.in_progress_building)

    @cached_property
    def spending(self) -> sp.csr_array:
        """Capital goods spent, ``(products x T) x (capped activities x T)``."""
        return self._spent(self.capital)

    @cached_property
    def construction_labour(self) -> sp.csr_array:
        """Labour used by construction, ``(labour types x T) x (capped activities x T)``."""
        return self._spent(self.construction_coefficients)

    @cached_property
    def delivered(self) -> sp.csr_array:
        """Output delivered, ``(products x T) x (activities x T)``.

        A run in ``t`` delivers in ``t + lead`` (runs delivering after the horizon deliver
        nothing within it).
        """
        parts = []
        for lead in np.unique(self.lead):
            keep = sp.diags_array((self.lead == lead).astype(float))
            shift = sp.eye_array(self.T, k=-int(lead), format="csr")
            parts.append(sp.kron(shift, self.outputs @ keep, format="csr"))
        if not parts:
            return sp.csr_array((self.n_p * self.T, self.n_a * self.T))
        return sp.csr_array(sum(parts[1:], parts[0]))

    def capacity_made(self, t: int) -> sp.csr_array:
        """Capacity in period ``t`` made by investments, ``capped x (capped x T)``."""
        parts = [_diag(self.made_capacity(t, s)) for s in range(self.T)]
        return sp.csr_array(sp.hstack(parts, format="csr"))

    # ------------------------------------------------------------------ valuation
    @cached_property
    def labour_values(self) -> np.ndarray:
        """Labour value per product at the least-labour techniques.

        See :mod:`gosplan.plan.valuation`.

        Raises
        ------
        ValuationError
            When no unit-free valuation can be computed (no labour coefficients).
        """
        return least_labour_values(self.eco)

    @cached_property
    def capital_value(self) -> np.ndarray:
        """Labour value of the capital goods for one unit of capacity of each capped activity.

        Raises
        ------
        ValuationError
            When no unit-free valuation can be computed (no labour coefficients).
        """
        Bc = sp.csc_array(self.capital[:, self.capped])
        return np.asarray(Bc.T @ self.labour_values).ravel()

    @cached_property
    def consumption_goods(self) -> np.ndarray:
        """1.0 for the products whose free final use is consumption, else 0.0."""
        return self.spec.consumption_goods().astype(float)

    @cached_property
    def means_of_production(self) -> np.ndarray:
        """1.0 for capped activities making means of production, else 0.0."""
        group = self.eco.products["group"].to_numpy()[self.eco.activity_product]
        return (group[self.capped] == MEANS_OF_PRODUCTION).astype(float)

    # ------------------------------------------------------------------ targets and tables
    def _targets_setup(self) -> None:
        spec, eco = self.spec, self.eco
        t = spec.targets
        self.n_targets = len(t)
        none = np.zeros(0, dtype=np.intp)
        self.target_product: np.ndarray = (
            eco.product_labels.get_indexer(t["product"]) if len(t) else none
        )
        self.target_period: np.ndarray = self.period_index(t["period"]) if len(t) else none
        self.target_value = t["target"].to_numpy(dtype=float) if len(t) else np.zeros(0)
        prio = t["priority"] if "priority" in t.columns else pd.Series(1.0, index=t.index)
        self.target_priority = pd.to_numeric(prio).fillna(1.0).to_numpy(dtype=float)
        self.target_product = np.asarray(self.target_product, dtype=int)
        self.target_period = np.asarray(self.target_period, dtype=int)

    def period_index(self, periods: pd.Series | np.ndarray) -> np.ndarray:
        """Positions of period labels in the horizon."""
        return pd.Index(self.spec.periods).get_indexer(np.asarray(periods, dtype=int))

    def per_period(self, table: pd.DataFrame, key: str, labels: pd.Index, value: str) -> np.ndarray:
        """A tidy ``(key, period, value)`` table as a dense ``(len(labels), T)`` array (nan)."""
        out = np.full((len(labels), self.T), np.nan)
        if len(table):
            out[labels.get_indexer(table[key]), self.period_index(table["period"])] = table[
                value
            ].to_numpy(dtype=float)
        return out

    @cached_property
    def traded(self) -> np.ndarray:
        """Positions of the products that may be traded."""
        tr = self.spec.trade
        return self.eco.product_labels.get_indexer(tr["product"]) if len(tr) else np.zeros(0, int)

    @cached_property
    def storage_loss(self) -> pd.Series:
        """Loss per period of every product that can be stored (see ``PlanSpec.storage``)."""
        return self.spec.storage_loss()

    @cached_property
    def stored(self) -> np.ndarray:
        """Positions of the products that can be carried between periods."""
        return self.eco.product_labels.get_indexer(self.storage_loss.index)

    @property
    def n_s(self) -> int:
        """Number of products that can be stored."""
        return len(self.stored)

    @property
    def keeps_stocks(self) -> bool:
        """Whether the plan has stock variables.

        Yes when some product can be stored and there are several periods or initial stocks.
        """
        return self.n_s > 0 and (self.T > 1 or len(self.spec.initial_stocks) > 0)

    def products_of_targets(self) -> sp.csr_array:
        """Selection ``targets x (activities x T)`` giving each target's gross output."""
        n = self.n_targets
        if n == 0:
            return sp.csr_array((0, self.n_a * self.T))
        rows = sp.csr_array(self.outputs)[self.target_product]  # targets x activities
        coo = sp.coo_array(rows)
        run = self.target_period[coo.row] - self.lead[coo.col]  # the run delivering then
        ok = run >= 0
        cols = coo.col[ok] + run[ok] * self.n_a
        return sp.csr_array((coo.data[ok], (coo.row[ok], cols)), shape=(n, self.n_a * self.T))
