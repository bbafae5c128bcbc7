"""The plan specification: what a plan must achieve, over which periods, with which resources.

A :class:`PlanSpec` is a frozen, validated value. Tables are tidy pandas DataFrames with named
columns (listed on each field); labels are checked against the economy when the spec is built
(:meth:`PlanSpec.validated`), so an unknown product in the targets fails early with its name.

The LP itself (variables, named constraint blocks) is described in :mod:`gosplan.plan.blocks`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.economy import CONSUMER_GOODS, Economy
from gosplan.errors import InputError, UnknownLabelError

log = logging.getLogger(__name__)

#: Largest magnitude of a number in a plan: HiGHS treats 1e20 and beyond as infinite.
LARGEST_NUMBER = 1e15

Objective = Literal["max_level", "min_labour", "harmony", "max_consumption", "linear"]
Storable = Literal["listed", "all"]
Terminal = Literal["none", "static"]
Sense = Literal["max", "min"]
OBJECTIVES: tuple[str, ...] = ("max_level", "min_labour", "harmony", "max_consumption", "linear")
TERMINALS: tuple[str, ...] = ("none", "static")
#: Quantities a linear objective can weight, and the kind of label each takes.
OBJECTIVE_QUANTITIES: dict[str, str] = {
    "output": "product",
    "activity": "activity",
    "capacity": "activity",
    "investment": "activity",
    "employment": "labour_type",
    "consumption": "product",
    "stocks": "product",
}

#: Required columns of each table field of :class:`PlanSpec` (optional columns in brackets in
#: the field docs).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "targets": ("product", "period", "target"),
    "assortment": ("product", "weight"),
    "floors": ("product", "period", "floor"),
    "labour_available": ("labour_type", "period", "available"),
    "resources_available": ("resource", "period", "available"),
    "vintages": ("activity", "year_built", "capacity"),
    "lags": ("activity", "lag"),
    "depreciation": ("activity", "rate"),
    "initial_stocks": ("product", "stock"),
    "storage": ("product",),
    "trade": ("product", "world_price"),
    "terminal_capacity": ("activity", "capacity"),
    "fixed_final_demand": ("product", "period", "quantity"),
    "lead_times": ("activity", "lead_time"),
    "construction": ("activity", "offset", "share"),
    "construction_labour": ("labour_type", "activity", "coefficient"),
    "investment_limits": ("activity",),
    "objective_weights": ("quantity", "weight"),
}


def _raise_at_first(
    bad: np.ndarray,
    message: Callable[[int], str],
    labels: pd.Series,
    source: str,
    check: str,
) -> None:
    """Raise :class:`InputError` at the first row of a table where ``bad`` holds.

    The row is counted as on disk (the header is row 1) and labelled from ``labels``.
    """
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            message(i), source=source, row=i + 2, label=str(labels.iloc[i]), check=check
        )


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLE_COLUMNS[name]})


@dataclass(frozen=True, eq=False)
class PlanSpec:
    """Goals and resources of a plan over a horizon of periods.

    Attributes
    ----------
    economy
        The economy (technology, labour and capital coefficients, service lives).
    periods
        Labels of the plan's periods, in order (e.g. ``[1929, 1930, 1931, 1932, 1933]``).
        Periods are one year long; ``year_built`` of vintages is on the same scale.
    objective
        ``"max_level"``: maximise the common fulfilment level of the assortment (Kantorovich);
        ``"min_labour"``: meet the targets with the least total labour;
        ``"harmony"``: priority-weighted concave fulfilment of the targets;
        ``"max_consumption"``: maximise (discounted) consumption subject to the terminal capacity
        requirement, if any (without one, nothing is built that bears fruit only after the
        horizon; a warning is logged).
    targets
        Columns ``product``, ``period``, ``target`` [, ``priority`` (default 1)]:
        gross output of the product (over all its activities) in that period.
    assortment
        Columns ``product``, ``weight`` [, ``period``]: the bundle of final uses whose common
        level is maximised (``max_level``); without ``period`` the bundle applies every period.
    floors
        Columns ``product``, ``period``, ``floor``: least consumption (final use) allowed.
    labour_available
        Columns ``labour_type``, ``period``, ``available``. Labour types not listed are not
        limited.
    resources_available
        Columns ``resource``, ``period``, ``available``.
    vintages
        Columns ``activity``, ``year_built``, ``capacity``: the initial capital stock by age.
        A vintage retires at ``year_built + service_life`` of its activity. Activities with no
        vintage start with the economy's capacity (built at the start: no retirement within the
        horizon unless its service life is shorter than the horizon).
    lags
        Columns ``activity``, ``lag``: periods between starting an investment and the capacity
        it creates (default ``default_lag``). Capital goods are spent evenly over the lag.
        Every lag must be shorter than the horizon.
    depreciation
        Columns ``activity``, ``rate``: geometric loss of capacity per period, besides
        retirement at the end of the service life (default 0).
    initial_stocks
        Columns ``product``, ``stock``: stocks at the start (default 0). A product with an
        initial stock can be carried between periods; the final stock is free.
    storage
        Columns ``product`` [, ``loss``, ``max_stock``]: the products that can be stored from
        one period to the next, with the share of a stock lost per period (``loss``, below 1;
        default 0) and the largest stock that can be held (``max_stock``; default unlimited).
        Services (electricity, transport, construction) and perishables are left out, so that
        a plan cannot bank them for a later year.
    storable
        ``"listed"`` (default): only the products in ``storage`` or ``initial_stocks`` can be
        carried; ``"all"``: every product can, without loss unless ``storage`` says otherwise.
    trade
        Columns ``product``, ``world_price`` [, ``import_limit``, ``export_limit``]: products
        that may be imported or exported at world prices, subject to the trade balance
        ``sum(world_price * (imports - exports)) <= trade_deficit`` each period.
    terminal_capacity
        Columns ``activity``, ``capacity``: capacity required at the end of the horizon
        (``max_consumption``). ``terminal_growth`` is an alternative.
    fixed_final_demand
        Columns ``product``, ``period``, ``quantity``: final uses fixed in advance (defence,
        exports under contract) that come before consumption.
    lead_times
        Columns ``activity``, ``lead_time``: production lead time in periods (default 0). An
        activity run in period ``t`` uses its inputs, labour, resources and capacity in ``t``
        and delivers its output in ``t + lead_time``; deliveries after the horizon are lost to
        the plan, and in the first ``lead_time`` periods nothing of its output arrives
        (initial stocks fund the first uses). Shorter than the horizon.
    construction
        Columns ``activity``, ``offset``, ``share``: the construction profile, the share of an
        investment's capital goods (and construction labour) spent ``offset`` periods after
        construction starts (``0 <= offset < max(lag, 1)``; shares of an activity sum to 1).
        Activities without rows spend evenly over their lag.
    construction_labour
        Columns ``labour_type``, ``activity``, ``coefficient``: labour per unit of new
        capacity, spent with the construction profile; it counts against the labour
        available.
    investment_limits
        Columns ``activity`` [, ``period``, ``min``, ``max``]: bounds on the new capacity
        started in a period (every period where ``period`` is blank or absent). Only
        capacity-limited activities.
    objective_weights
        Columns ``quantity``, ``weight`` [, ``label``, ``period``]: the linear objective
        (``objective="linear"``): the sum of ``weight`` times a quantity, one of
        :data:`OBJECTIVE_QUANTITIES` (``output``, ``activity``, ``capacity``,
        ``investment``, ``employment``, ``consumption``, ``stocks``) of the label (product,
        activity or labour type; blank = every one) in the period (blank = every period;
        ``capacity`` also at the end of the horizon, label ``periods[-1] + 1``).
    sense
        ``"max"`` (default) or ``"min"``: the direction of the linear objective.
    terminal
        ``"none"`` (default) or ``"static"``: after the horizon the economy continues as a
        static economy, so the capacity at the end must produce, at the labour of the last
        period, the last period's consumption and fixed final demand plus the replacement of
        depreciating capacity (no invented terminal figures needed).
    default_lag
        Investment lag for activities without a row in ``lags``; shorter than the horizon
        when some activity uses it (a one-period plan may keep the default of 1).
    discount
        Per-period discount rate of consumption in ``max_consumption``.
    consumption_weights
        Weight per product of consumption in ``max_consumption`` (default: every product's
        weight is its total labour value, so consumption is valued in labour).
    terminal_growth
        Alternative terminal requirement: every activity's capacity at the end is at least this
        multiple of its initial capacity (``None`` = no requirement).
    trade_deficit
        Largest trade deficit per period, in world prices (0 = balanced trade).
    investment_share
        Share of capital spending that must go to activities making means of production
        (``None`` = free). Used by the accumulation–consumption frontier and the Feldman model.
    name
        Name of the plan.
    """

    economy: Economy
    periods: tuple[int, ...]
    objective: Objective = "max_level"
    targets: pd.DataFrame = field(default_factory=lambda: _empty("targets"))
    assortment: pd.DataFrame = field(default_factory=lambda: _empty("assortment"))
    floors: pd.DataFrame = field(default_factory=lambda: _empty("floors"))
    labour_available: pd.DataFrame = field(default_factory=lambda: _empty("labour_available"))
    resources_available: pd.DataFrame = field(default_factory=lambda: _empty("resources_available"))
    vintages: pd.DataFrame = field(default_factory=lambda: _empty("vintages"))
    lags: pd.DataFrame = field(default_factory=lambda: _empty("lags"))
    depreciation: pd.DataFrame = field(default_factory=lambda: _empty("depreciation"))
    initial_stocks: pd.DataFrame = field(default_factory=lambda: _empty("initial_stocks"))
    storage: pd.DataFrame = field(default_factory=lambda: _empty("storage"))
    trade: pd.DataFrame = field(default_factory=lambda: _empty("trade"))
    terminal_capacity: pd.DataFrame = field(default_factory=lambda: _empty("terminal_capacity"))
    fixed_final_demand: pd.DataFrame = field(default_factory=lambda: _empty("fixed_final_demand"))
    lead_times: pd.DataFrame = field(default_factory=lambda: _empty("lead_times"))
    construction: pd.DataFrame = field(default_factory=lambda: _empty("construction"))
    construction_labour: pd.DataFrame = field(default_factory=lambda: _empty("construction_labour"))
    investment_limits: pd.DataFrame = field(default_factory=lambda: _empty("investment_limits"))
    objective_weights: pd.DataFrame = field(default_factory=lambda: _empty("objective_weights"))
    default_lag: int = 1
    discount: float = 0.0
    consumption_weights: pd.Series | None = None
    terminal_growth: float | None = None
    trade_deficit: float = 0.0
    investment_share: float | None = None
    name: str = "plan"
    storable: Storable = "listed"
    terminal: Terminal = "none"
    sense: Sense = "max"

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", tuple(int(p) for p in self.periods))

    # ------------------------------------------------------------------ derived facts
    @property
    def n_periods(self) -> int:
        """Number of periods of the horizon."""
        return len(self.periods)

    @property
    def start(self) -> int:
        """Label of the first period."""
        return self.periods[0]

    def lag_of(self) -> np.ndarray:
        """Investment lag of every activity (economy order), integer periods."""
        lag = np.full(self.economy.n_activities, int(self.default_lag), dtype=int)
        if len(self.lags):
            pos = self.economy.activity_labels.get_indexer(self.lags["activity"])
            lag[pos] = self.lags["lag"].to_numpy(dtype=int)
        return lag

    def lead_time_of(self) -> np.ndarray:
        """Production lead time of every activity (economy order), integer periods."""
        lead = np.zeros(self.economy.n_activities, dtype=int)
        if len(self.lead_times):
            pos = self.economy.activity_labels.get_indexer(self.lead_times["activity"])
            lead[pos] = self.lead_times["lead_time"].to_numpy(dtype=int)
        return lead

    def construction_profile(self) -> np.ndarray:
        """Share of an investment spent ``d`` periods after it starts, activities x periods.

        Column ``d`` is the share spent in period ``start + d`` (``d = 0 .. T - 1``): the
        ``construction`` table where given, else evenly over the lag (all at once for a lag
        of 0).
        """
        T = self.n_periods
        lag = self.lag_of()
        d = np.arange(T)[None, :]
        width = np.maximum(lag, 1)[:, None]
        w = np.where(d < width, 1.0 / width, 0.0)
        if len(self.construction):
            pos = self.economy.activity_labels.get_indexer(self.construction["activity"])
            off = self.construction["offset"].to_numpy(dtype=int)
            share = self.construction["share"].to_numpy(dtype=float)
            w[np.unique(pos)] = 0.0
            keep = off < T
            np.add.at(w, (pos[keep], off[keep]), share[keep])
        return w

    def investment_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows of ``investment_limits`` as arrays: min, max and period.

        Blank cells read as 0 (min), ``inf`` (max) and NaN (period: every period).
        """
        table = self.investment_limits
        n = len(table)

        def column(name: str, blank: float) -> np.ndarray:
            if name not in table.columns:
                return np.full(n, blank)
            return pd.to_numeric(table[name], errors="coerce").fillna(blank).to_numpy(float)

        return column("min", 0.0), column("max", np.inf), column("period", np.nan)

    def consumption_goods(self) -> np.ndarray:
        """Whether each product (economy order) is a consumption good.

        A product's final use is consumption when its group is ``consumer goods``; the free
        final use of any other product (means of production) is other final use, never
        consumption. An economy that gives no product groups at all (a plain input-output
        table) has only consumption goods: its final demand is taken as consumption.
        """
        group = self.economy.products["group"].astype(str).str.strip().to_numpy()
        if not np.any((group != "") & (group != "nan")):
            return np.ones(len(group), dtype=bool)
        return np.asarray(group == CONSUMER_GOODS)

    def has_terminal_requirement(self) -> bool:
        """Whether the plan says anything about the economy after its horizon."""
        return (
            len(self.terminal_capacity) > 0
            or self.terminal_growth is not None
            or self.terminal == "static"
        )

    def storage_loss(self) -> pd.Series:
        """Share of a stock lost per period, indexed by the products that can be stored.

        In economy order: the products of ``storage`` and ``initial_stocks`` (every product
        when ``storable == "all"``); ``loss`` from ``storage`` where given, else 0.
        """
        labels = self.economy.product_labels
        loss = pd.Series(np.nan, index=labels, dtype=float)
        if self.storable == "all":
            loss[:] = 0.0
        if len(self.initial_stocks):
            loss[pd.Index(self.initial_stocks["product"])] = 0.0
        if len(self.storage):
            given = (
                pd.to_numeric(self.storage["loss"], errors="coerce").fillna(0.0).to_numpy(float)
                if "loss" in self.storage.columns
                else np.zeros(len(self.storage))
            )
            loss[pd.Index(self.storage["product"])] = given
        return loss.dropna()

    def storage_capacity(self) -> pd.Series:
        """Largest stock of every product that can be stored (``inf`` where not limited).

        Indexed like :meth:`storage_loss`.
        """
        cap = pd.Series(np.inf, index=self.storage_loss().index, dtype=float)
        if len(self.storage) and "max_stock" in self.storage.columns:
            given = pd.to_numeric(self.storage["max_stock"], errors="coerce")
            given.index = pd.Index(self.storage["product"])
            cap.update(given.dropna())
        return cap

    def with_changes(self, **changes: object) -> PlanSpec:
        """Return a validated copy with some fields replaced."""
        return replace(self, **changes).validated()  # type: ignore[arg-type]

    # ------------------------------------------------------------------ validation
    def validated(self, source: str = "plan spec") -> PlanSpec:
        """Check every table against the economy and the horizon; return ``self``.

        Parameters
        ----------
        source
            Name used in error messages (the manifest's path when read from disk).

        Raises
        ------
        InputError
            Naming the table, the row and the label at fault.
        """
        eco = self.economy
        if self.n_periods == 0:
            raise InputError("the horizon has no periods", source=source)
        if list(self.periods) != sorted(set(self.periods)):
            raise InputError("periods must be distinct and increasing", source=source)
        self._check_periods(source)
        if self.objective not in OBJECTIVES:
            raise InputError(
                f"unknown objective {self.objective!r}; choose one of {', '.join(OBJECTIVES)}",
                source=source,
            )
        if self.default_lag < 0:
            raise InputError("default_lag must be >= 0", source=source)
        known = {
            "product": eco.product_labels,
            "activity": eco.activity_labels,
            "labour_type": eco.labour_types,
            "resource": eco.resource_types,
        }
        numeric = {
            "targets": ("target", "priority"),
            "assortment": ("weight",),
            "floors": ("floor",),
            "labour_available": ("available",),
            "resources_available": ("available",),
            "vintages": ("capacity",),
            "lags": ("lag",),
            "depreciation": ("rate",),
            "initial_stocks": ("stock",),
            "storage": ("loss", "max_stock"),
            "trade": ("world_price", "import_limit", "export_limit"),
            "terminal_capacity": ("capacity",),
            "fixed_final_demand": ("quantity",),
            "lead_times": ("lead_time",),
            "construction": ("offset", "share"),
            "construction_labour": ("coefficient",),
            "investment_limits": ("min", "max"),
            "objective_weights": ("weight",),
        }
        optional_numbers = frozenset(
            {"priority", "import_limit", "export_limit", "loss", "max_stock", "min", "max"}
        )
        signed = ("weight",)
        for name, required in TABLE_COLUMNS.items():
            table: pd.DataFrame = getattr(self, name)
            where = f"{source}: {name}"
            missing = [c for c in required if c not in table.columns]
            if missing:
                raise InputError(
                    f"missing column {missing[0]!r}", source=where, check="missing_column"
                )
            for col, labels in known.items():
                if col in table.columns and len(table):
                    bad = ~pd.Index(table[col]).isin(labels)
                    if bad.any():
                        i = int(np.flatnonzero(bad)[0])
                        raise UnknownLabelError(
                            f"unknown {col.replace('_', ' ')}",
                            source=where,
                            row=i + 2,
                            label=str(table[col].iloc[i]),
                            check="unknown_label",
                        )
            if "period" in table.columns and len(table):
                allowed = list(self.periods)
                bad = ~pd.Index(table["period"]).isin(allowed)
                if name in ("investment_limits", "objective_weights"):
                    bad &= pd.notna(table["period"]).to_numpy()  # blank: every period
                if name == "objective_weights":  # capacity at the end of the horizon
                    end = (table["quantity"] == "capacity").to_numpy() & (
                        pd.to_numeric(table["period"], errors="coerce") == self.periods[-1] + 1
                    ).to_numpy()
                    bad &= ~end
                if bad.any():
                    i = int(np.flatnonzero(bad)[0])
                    raise UnknownLabelError(
                        f"period {table['period'].iloc[i]!r} is not in the horizon "
                        f"{self.periods[0]}–{self.periods[-1]}",
                        source=where,
                        row=i + 2,
                        check="unknown_label",
                    )
            for col in numeric.get(name, ()):
                if col not in table.columns or not len(table):
                    continue
                values = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
                optional = col in optional_numbers
                nan = np.zeros(len(values), dtype=bool) if optional else np.isnan(values)
                neg = values < 0 if not (name == "objective_weights" and col in signed) else nan
                huge = np.abs(values) >= LARGEST_NUMBER
                if huge.any():
                    i = int(np.flatnonzero(huge)[0])
                    raise InputError(
                        f"{col} {values[i]:g} is too large for the solver (at most "
                        f"{LARGEST_NUMBER:g} in magnitude; use a blank cell for no limit)",
                        source=where,
                        row=i + 2,
                        label=str(table[table.columns[0]].iloc[i]),
                        check="value_too_large",
                    )
                for mask, what in ((nan, "is missing or not a number"), (neg, "is negative")):
                    if mask.any():
                        i = int(np.flatnonzero(mask)[0])
                        first = table.columns[0]
                        raise InputError(
                            f"{col} {what}",
                            source=where,
                            row=i + 2,
                            label=str(table[first].iloc[i]),
                            check="non_numeric"
                            if what.startswith("is missing")
                            else "negative_value",
                        )
            if name == "objective_weights":
                keys = [c for c in ("quantity", "label", "period") if c in table.columns]
            else:
                keys = [
                    c
                    for c in table.columns
                    if c in known or c in ("period", "year_built", "offset")
                ]
            if keys and len(table) and table.duplicated(keys).any():
                i = int(np.flatnonzero(table.duplicated(keys).to_numpy())[0])
                raise InputError(
                    "appears twice",
                    source=where,
                    row=i + 2,
                    label=" / ".join(str(table[k].iloc[i]) for k in keys),
                    check="duplicate_label",
                )
        self._check_new_tables(source)
        self._check_consumption_weights(source)
        if self.storable not in ("listed", "all"):
            raise InputError(
                f"storable must be 'listed' or 'all', got {self.storable!r}", source=source
            )
        if len(self.storage) and "loss" in self.storage.columns:
            loss = pd.to_numeric(self.storage["loss"], errors="coerce").to_numpy(float)
            _raise_at_first(
                loss >= 1,
                lambda i: (
                    f"a storage loss must be below 1 (got {loss[i]:g}): the whole stock "
                    "would be lost"
                ),
                self.storage["product"],
                f"{source}: storage",
                "negative_value",
            )
        if len(self.depreciation) and (self.depreciation["rate"].astype(float) >= 1).any():
            raise InputError(
                "a depreciation rate must be below 1", source=f"{source}: depreciation"
            )
        self._check_lags(source)
        if len(self.vintages):
            built = self.vintages["year_built"].astype(int).to_numpy()
            _raise_at_first(
                built >= self.start,
                lambda i: (
                    f"a vintage of the initial capital stock is built in {built[i]}, not "
                    f"before the first period {self.start}"
                ),
                self.vintages["activity"],
                f"{source}: vintages",
                "vintage_in_horizon",
            )
        if self.objective == "max_level" and not len(self.assortment) and not len(self.targets):
            raise InputError("objective max_level needs an assortment or targets", source=source)
        if self.objective in ("min_labour", "harmony") and not len(self.targets):
            raise InputError(f"objective {self.objective} needs targets", source=source)
        if self.investment_share is not None and not 0.0 <= self.investment_share <= 1.0:
            raise InputError("investment_share must be between 0 and 1", source=source)
        if not 0.0 <= self.discount < 1.0:
            raise InputError("discount must be in [0, 1)", source=source)
        return self

    def _check_consumption_weights(self, source: str) -> None:
        """Weights of consumption: known consumption goods, finite, not negative."""
        w = self.consumption_weights
        if w is None:
            return
        where = f"{source}: consumption_weights"
        if not isinstance(w, pd.Series):
            raise InputError(
                "consumption_weights must be a pandas Series indexed by product", source=where
            )
        labels = self.economy.product_labels
        unknown = ~pd.Index(w.index).isin(labels)
        if unknown.any():
            raise UnknownLabelError(
                "unknown product",
                source=where,
                label=str(w.index[int(np.flatnonzero(unknown)[0])]),
                check="unknown_label",
            )
        values = pd.to_numeric(w, errors="coerce").to_numpy(dtype=float)
        for bad, what, check in (
            (~np.isfinite(values), "is missing, not a number or infinite", "non_numeric"),
            (values < 0, "is negative", "negative_value"),
        ):
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"weight {w.iloc[i]!r} {what}", source=where, label=str(w.index[i]), check=check
                )
        consumer = pd.Series(self.consumption_goods(), index=labels)
        wrong = (values > 0) & ~consumer.reindex(w.index).to_numpy(dtype=bool)
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            raise InputError(
                "is not a consumption good (its group is not 'consumer goods'): its final use "
                "is accumulation or other final use, which max_consumption does not value",
                source=where,
                label=str(w.index[i]),
                check="not_consumption",
            )

    def _check_periods(self, source: str) -> None:
        """Periods are consecutive years: every rate (depreciation, discount) is per year."""
        gaps = np.diff(np.asarray(self.periods, dtype=int))
        if len(gaps) and np.any(gaps != 1):
            i = int(np.flatnonzero(gaps != 1)[0])
            raise InputError(
                f"periods must be consecutive years: {self.periods[i]} is followed by "
                f"{self.periods[i + 1]} (rates, lags and service lives are counted in years)",
                source=source,
                label="periods",
                check="periods_not_consecutive",
            )

    def _check_new_tables(self, source: str) -> None:
        """Lead times, construction profiles, investment limits, the linear objective."""
        T = self.n_periods
        if self.terminal not in TERMINALS:
            raise InputError(
                f"terminal must be one of {', '.join(TERMINALS)}, got {self.terminal!r}",
                source=source,
                label="terminal",
            )
        if self.sense not in ("max", "min"):
            raise InputError(
                f"sense must be 'max' or 'min', got {self.sense!r}", source=source, label="sense"
            )
        if len(self.lead_times):
            lead = self.lead_times["lead_time"].to_numpy(dtype=float)
            _raise_at_first(
                (lead >= T) | (lead != np.round(lead)),
                lambda i: (
                    f"lead time {lead[i]:g} must be a whole number of periods shorter than "
                    f"the horizon of {T} periods"
                ),
                self.lead_times["activity"],
                f"{source}: lead_times",
                "lag_exceeds_horizon",
            )
        if len(self.construction):
            table = self.construction
            pos = self.economy.activity_labels.get_indexer(table["activity"])
            width = np.maximum(self.lag_of(), 1)[pos]
            off = table["offset"].to_numpy(dtype=float)
            _raise_at_first(
                (off >= width) | (off != np.round(off)),
                lambda i: (
                    f"construction offset {off[i]:g} is outside the construction period "
                    f"(whole periods 0 to {width[i] - 1}, from the activity's investment lag)"
                ),
                table["activity"],
                f"{source}: construction",
                "construction_profile",
            )
            total = table.groupby("activity", sort=False)["share"].transform("sum")
            total = total.to_numpy(dtype=float)
            _raise_at_first(
                np.abs(total - 1.0) > 1e-9,
                lambda i: (
                    f"the construction shares of an activity must add up to 1 (they add up "
                    f"to {total[i]:.6g})"
                ),
                table["activity"],
                f"{source}: construction",
                "construction_profile",
            )
        if len(self.investment_limits):
            self._check_investment_limits(f"{source}: investment_limits")
        if self.objective == "linear":
            self._check_objective_weights(f"{source}: objective_weights")

    def _check_investment_limits(self, where: str) -> None:
        table = self.investment_limits
        eco = self.economy
        pos = eco.activity_labels.get_indexer(table["activity"])
        capped = np.isfinite(np.asarray(eco.capacity, float))
        if len(self.vintages):
            capped[eco.activity_labels.get_indexer(self.vintages["activity"])] = True
        _raise_at_first(
            ~capped[pos],
            lambda i: "the activity's capacity is not limited: its investment cannot be bounded",
            table["activity"],
            where,
            "investment_limits",
        )
        lo, hi, per = self.investment_bounds()
        _raise_at_first(
            lo > hi,
            lambda i: f"min {lo[i]:g} is above max {hi[i]:g}",
            table["activity"],
            where,
            "investment_limits",
        )
        # a minimum needs an investment that can be made: capital goods to build with, and
        # capacity that comes before the end of the horizon
        builds = np.asarray(abs(sp.csc_array(eco.capital)).sum(axis=0)).ravel() > 0
        lag = self.lag_of()[pos]
        # a blank period asks for the minimum every period, the last one included
        start = np.where(np.isnan(per), self.periods[-1], per) - self.start
        _raise_at_first(
            (lo > 0) & (~builds[pos] | (start + lag > self.n_periods)),
            lambda i: (
                f"min {lo[i]:g} cannot be met: "
                + (
                    "the activity has no capital coefficients, so investment cannot add to "
                    "its capacity"
                    if not builds[pos[i]]
                    else f"capacity started then would come after the horizon (lag {lag[i]})"
                )
            ),
            table["activity"],
            where,
            "investment_limits",
        )

    def _check_objective_weights(self, where: str) -> None:
        table = self.objective_weights
        if not len(table):
            raise InputError(
                "objective linear needs the objective_weights table",
                source=where,
                check="missing_table",
            )
        quantity = table["quantity"].astype(str).to_numpy()
        _raise_at_first(
            ~np.isin(quantity, list(OBJECTIVE_QUANTITIES)),
            lambda i: (
                f"unknown quantity {quantity[i]!r}; choose one of {', '.join(OBJECTIVE_QUANTITIES)}"
            ),
            table["quantity"],
            where,
            "unknown_label",
        )
        eco = self.economy
        known = {
            "product": eco.product_labels,
            "activity": eco.activity_labels,
            "labour_type": eco.labour_types,
        }
        if "label" in table.columns:
            labels = table["label"]
            given = labels.notna().to_numpy() & (labels.astype(str).str.strip() != "").to_numpy()
            for i in np.flatnonzero(given):
                kind = OBJECTIVE_QUANTITIES[quantity[i]]
                if labels.iloc[i] not in known[kind]:
                    raise UnknownLabelError(
                        f"unknown {kind.replace('_', ' ')} for quantity {quantity[i]!r}",
                        source=where,
                        row=int(i) + 2,
                        label=str(labels.iloc[i]),
                        check="unknown_label",
                    )

    def _check_lags(self, source: str) -> None:
        """Every investment lag in use must be shorter than the horizon.

        A row of ``lags`` is named with its row and activity; ``default_lag`` (used by the
        activities without a row) with its key. A one-period plan may keep the default lag of 1:
        it is then a static plan, whose investment could only serve a terminal requirement.
        """
        T = self.n_periods
        if len(self.lags):
            lags = self.lags["lag"].to_numpy(dtype=float)
            _raise_at_first(
                lags >= T,
                lambda i: (
                    f"investment lag {int(lags[i])} is not shorter than the horizon of "
                    f"{T} periods: no investment could ever bear fruit"
                ),
                self.lags["activity"],
                f"{source}: lags",
                "lag_exceeds_horizon",
            )
        listed = self.economy.activity_labels.isin(self.lags["activity"]) if len(self.lags) else []
        uses_default = not len(self.lags) or not bool(np.all(listed))
        static = T == 1 and self.default_lag == 1
        if uses_default and self.default_lag >= T and not static:
            raise InputError(
                f"default_lag {self.default_lag} is not shorter than the horizon of {T} "
                f"period{'s' if T > 1 else ''}: no investment of an activity without a row in "
                "lags could ever bear fruit",
                source=source,
                label="default_lag",
                check="lag_exceeds_horizon",
            )
