"""The plan specification: what a plan must achieve, over which periods, with which resources.

A :class:`PlanSpec` is a frozen, validated value. Tables are tidy pandas DataFrames with named
columns (listed on each field); labels are checked against the economy when the spec is built
(:meth:`PlanSpec.validated`), so an unknown product in the targets fails early with its name.

The LP itself (variables, named constraint blocks) is described in :mod:`gosplan.plan.blocks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from gosplan.economy import Economy
from gosplan.errors import InputError, UnknownLabelError

Objective = Literal["max_level", "min_labour", "harmony", "max_consumption"]
Storable = Literal["listed", "all"]
OBJECTIVES: tuple[str, ...] = ("max_level", "min_labour", "harmony", "max_consumption")

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
    default_lag: int = 1
    discount: float = 0.0
    consumption_weights: pd.Series | None = None
    terminal_growth: float | None = None
    trade_deficit: float = 0.0
    investment_share: float | None = None
    name: str = "plan"
    storable: Storable = "listed"

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
        }
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
                bad = ~pd.Index(table["period"]).isin(self.periods)
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
                optional = col in ("priority", "import_limit", "export_limit", "loss", "max_stock")
                nan = np.zeros(len(values), dtype=bool) if optional else np.isnan(values)
                neg = values < 0
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
            keys = [c for c in required if c in known or c in ("period", "year_built")]
            if keys and len(table) and table.duplicated(keys).any():
                i = int(np.flatnonzero(table.duplicated(keys).to_numpy())[0])
                raise InputError(
                    "appears twice",
                    source=where,
                    row=i + 2,
                    label=" / ".join(str(table[k].iloc[i]) for k in keys),
                    check="duplicate_label",
                )
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
