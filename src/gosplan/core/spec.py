"""The plan specification: what a plan must achieve, over which periods, with which resources.

A :class:`PlanSpec` is a frozen, validated value. Tables are tidy pandas DataFrames with named
columns (listed on each field, ruled by :data:`gosplan.core.rules.RULES`); every table is
checked against the economy and the horizon when the spec is built, and every problem found is
reported at once in one :class:`~gosplan.errors.ValidationError`, so an unknown product in the
targets fails early with its name, its table and its row.

The LP itself (variables, named constraint blocks) is described in :mod:`gosplan.plan.blocks`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import InitVar, dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.checks import MAX_PER_CHECK, Check, Problems
from gosplan.core.economy import CONSUMER_GOODS, Economy
from gosplan.core.rules import LARGEST_NUMBER, PLAN_TABLE_NAMES, check_columns, required_columns
from gosplan.errors import InputError, validation_error

log = logging.getLogger(__name__)

__all__ = [
    "LARGEST_NUMBER",
    "OBJECTIVES",
    "OBJECTIVE_QUANTITIES",
    "TABLE_COLUMNS",
    "PlanSpec",
    "objective_needs",
]

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
#: the field docs), from the rules of :mod:`gosplan.core.rules`.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    name: required_columns(name) for name in PLAN_TABLE_NAMES if name != "consumption_weights"
}


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
        An activity whose investment is barred in every period (a row with a blank period and
        ``max`` 0) may have a lag as long as the horizon or longer (a re-planned horizon).
    construction_in_progress
        Columns ``activity``, ``completion``, ``capacity``, ``remaining``: investment started
        before the first period and not yet complete. ``capacity`` comes into service in
        period ``completion`` (from the first period to the last + 1, the end of the horizon)
        and then depreciates and retires like new capacity; ``remaining`` is what is still to
        spend, as a share of the capacity's capital goods (``capital[:, activity] *
        capacity``) and construction labour. It is spent in the periods from the first to
        ``completion - 1`` with the activity's construction profile, placed as for an
        investment started ``max(lag, 1)`` periods before completion, the shares of the
        periods before the start left out and the rest scaled to sum to 1 (evenly over those
        periods where the profile gives them nothing). It is a fixed use of the capital goods
        in the balance, counted in the capital spending (and the investment share), and its
        construction labour counts against the labour available. Only capacity-limited
        activities (:meth:`construction_in_progress_building`,
        :meth:`construction_in_progress_capacity`).
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
    source
        Keyword only used when building (not a field): how messages name the spec (default
        ``"plan spec"``; the manifest's path when read from disk).
    sources
        Keyword only used when building (not a field): how messages name each table (a file,
        or ``book.xlsx[sheet]``); a table not named is ``"{source}: {table}"``.

    Raises
    ------
    gosplan.errors.ValidationError
        When built with bad settings or tables: one error listing every problem, each naming
        the table (or setting), the row (1-based, the header being row 1) and the label.
        Whether the objective has the tables it needs is checked by :meth:`validated` (and
        :meth:`with_changes`), so that a spec can be built first and completed after.
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
    construction_in_progress: pd.DataFrame = field(
        default_factory=lambda: _empty("construction_in_progress")
    )
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
    source: InitVar[str] = "plan spec"
    sources: InitVar[Mapping[str, str] | None] = None

    def __post_init__(self, source: str, sources: Mapping[str, str] | None) -> None:
        object.__setattr__(self, "periods", tuple(int(p) for p in self.periods))
        problems = _SpecChecks(self, source, sources).run()
        if problems:
            raise validation_error(problems)

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
        return _lag_array(self.economy, self.lags, self.default_lag)

    def lead_time_of(self) -> np.ndarray:
        """Production lead time of every activity (economy order), integer periods."""
        lead = np.zeros(self.economy.n_activities, dtype=int)
        if len(self.lead_times):
            pos = self.economy.activity_labels.get_indexer(self.lead_times["activity"])
            lead[pos] = self.lead_times["lead_time"].to_numpy(dtype=int)
        return lead

    def construction_profile(self, width: int | None = None) -> np.ndarray:
        """Share of an investment spent ``d`` periods after it starts, activities x periods.

        Column ``d`` is the share spent in period ``start + d`` (``d = 0 .. T - 1``, or
        ``0 .. width - 1`` when ``width`` is given): the ``construction`` table where given,
        else evenly over the lag (all at once for a lag of 0).
        """
        T = self.n_periods if width is None else int(width)
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

    def depreciation_rates(self) -> np.ndarray:
        """Geometric loss of capacity per period of every activity (economy order; 0 if none)."""
        rate = np.zeros(self.economy.n_activities)
        if len(self.depreciation):
            pos = self.economy.activity_labels.get_indexer(self.depreciation["activity"])
            rate[pos] = self.depreciation["rate"].to_numpy(dtype=float)
        return rate

    def construction_in_progress_shares(self) -> np.ndarray:
        """Share of each row's remaining spending spent in each period, rows x periods.

        The rows of ``construction_in_progress`` in order; a row sums to 1 over the periods
        from the first to its completion - 1 (0 everywhere for a row completing in the first
        period): the activity's construction profile placed as for an investment started
        ``max(lag, 1)`` periods before completion, the shares before the first period left
        out and the rest scaled up; evenly where the profile leaves those periods nothing.
        """
        T = self.n_periods
        table = self.construction_in_progress
        out = np.zeros((len(table), T))
        if not len(table):
            return out
        pos = self.economy.activity_labels.get_indexer(table["activity"])
        done = table["completion"].to_numpy(dtype=int) - self.start  # completion position
        width = np.maximum(self.lag_of(), 1)
        profile = self.construction_profile(int(max(width.max(initial=1), T)) + T)
        for i, (j, c) in enumerate(zip(pos, done, strict=True)):
            if c <= 0:
                continue
            t = np.arange(min(c, T))  # the periods before completion
            offset = t - (c - width[j])  # as if started max(lag, 1) periods before completion
            w = np.where(offset >= 0, profile[j, np.maximum(offset, 0)], 0.0)
            out[i, t] = w / w.sum() if w.sum() > 0 else 1.0 / len(t)
        return out

    def construction_in_progress_building(self) -> np.ndarray:
        """Capacity under construction in progress paid for, activities x periods.

        Entry ``(j, t)`` is ``capacity * remaining`` of the rows of activity ``j`` times the
        share spent in period ``t`` (:meth:`construction_in_progress_shares`): capital goods
        spent are ``capital @`` this, construction labour the construction labour
        coefficients ``@`` this.
        """
        eco = self.economy
        out = np.zeros((eco.n_activities, self.n_periods))
        table = self.construction_in_progress
        if not len(table):
            return out
        pos = eco.activity_labels.get_indexer(table["activity"])
        amount = table["capacity"].to_numpy(float) * table["remaining"].to_numpy(float)
        np.add.at(out, pos, amount[:, None] * self.construction_in_progress_shares())
        return out

    def construction_in_progress_capacity(self) -> np.ndarray:
        """Capacity from construction in progress, activities x periods ``0 .. T`` (``T``: end).

        The capacity of a row comes into service in its completion period, loses the
        activity's depreciation rate per period from then and retires ``service_life``
        periods after completion.
        """
        eco, T = self.economy, self.n_periods
        out = np.zeros((eco.n_activities, T + 1))
        table = self.construction_in_progress
        if not len(table):
            return out
        pos = eco.activity_labels.get_indexer(table["activity"])
        done = table["completion"].to_numpy(dtype=int) - self.start
        cap = table["capacity"].to_numpy(float)
        life = np.asarray(eco.service_life, float)[pos]
        keep = (1.0 - self.depreciation_rates())[pos]
        age = np.arange(T + 1)[None, :] - done[:, None]
        alive = (age >= 0) & ~(age >= life[:, None])  # nan life: never retires
        made = np.where(alive, cap[:, None] * keep[:, None] ** np.maximum(age, 0), 0.0)
        np.add.at(out, pos, made)
        return out

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
        """Return a validated copy with some fields replaced (see :meth:`validated`)."""
        return replace(self, **changes).validated()  # type: ignore[arg-type]

    # ------------------------------------------------------------------ documents
    def to_dict(self, economy: str | None = None) -> dict[str, Any]:
        """The spec as a strict-JSON document (:func:`gosplan.core.spec_document.spec_to_dict`).

        Parameters
        ----------
        economy
            How the document names the economy (``"scenario:NAME"`` or a directory, as a
            plan manifest does); ``None`` leaves it out.

        Returns
        -------
        dict
            The manifest's settings and ``tables`` (every non-empty table as a list of
            rows); :meth:`from_dict` gives back an equal spec.

        Examples
        --------
        >>> from gosplan.datasets import spec_path
        >>> from gosplan.plan import read_spec
        >>> spec = read_spec(spec_path("ussr-1928", "basic"))
        >>> doc = spec.to_dict("scenario:ussr-1928")
        >>> PlanSpec.from_dict(doc, spec.economy).to_dict("scenario:ussr-1928") == doc
        True
        """
        from gosplan.core.spec_document import spec_to_dict

        return spec_to_dict(self, economy)

    @classmethod
    def from_dict(
        cls, doc: Mapping[str, Any], economy: Economy | None = None, source: str = "spec document"
    ) -> PlanSpec:
        """The spec of a document (:func:`gosplan.core.spec_document.spec_from_dict`).

        Parameters
        ----------
        doc
            A document as :meth:`to_dict` writes it.
        economy
            The economy planned (the document names it only by reference): required.
        source
            How messages name the document; a table is ``"{source}: {table}"``, its rows
            numbered as in a file (the list's index + 2).

        Returns
        -------
        PlanSpec
            The validated specification.

        Raises
        ------
        gosplan.errors.ValidationError
            Every problem of the document, as :func:`gosplan.plan.read_spec` reports them.
        InputError
            With ``check="bad_argument"`` when ``doc`` is not a mapping or ``economy`` not
            an :class:`~gosplan.core.economy.Economy`.

        Examples
        --------
        >>> from gosplan.datasets import spec_path
        >>> from gosplan.plan import read_spec
        >>> spec = read_spec(spec_path("ussr-1928", "basic"))
        >>> PlanSpec.from_dict(spec.to_dict(), spec.economy).periods
        (1929, 1930, 1931, 1932, 1933)
        """
        from gosplan.core.spec_document import spec_from_dict

        return spec_from_dict(doc, economy, source)

    # ------------------------------------------------------------------ validation
    def validated(self, source: str = "plan spec") -> PlanSpec:
        """Check that the plan is complete for its objective; return ``self``.

        The tables and settings were checked when the spec was built (against the economy,
        the horizon and one another); what is left is whether the objective has the tables
        it needs (:func:`objective_needs`: ``max_level`` an assortment or targets,
        ``min_labour`` and ``harmony`` targets, ``linear`` its weights). A spec may be built
        without them and completed with :meth:`with_changes`.

        Parameters
        ----------
        source
            Name used in error messages (the manifest's path when read from disk).

        Returns
        -------
        PlanSpec
            ``self``.

        Raises
        ------
        gosplan.errors.ValidationError
            Naming the objective and the table it needs (check ``missing_table``).
        """
        tables = {name: getattr(self, name) for name in _NEEDED}
        problems = objective_needs(self.objective, tables, source)
        if problems:
            raise validation_error(problems)
        return self


#: The tables an objective may need.
_NEEDED = ("targets", "assortment", "objective_weights")


def objective_needs(
    objective: str,
    tables: Mapping[str, pd.DataFrame | None],
    source: str,
    weights_source: str | None = None,
) -> list[InputError]:
    """The tables ``objective`` needs that are empty or absent.

    Parameters
    ----------
    objective
        The plan's objective.
    tables
        ``targets``, ``assortment`` and ``objective_weights`` (absent or ``None``: not given).
    source
        How messages name the plan (the manifest when read from disk).
    weights_source
        How messages name the objective weights (default ``"{source}: objective_weights"``).

    Returns
    -------
    list of InputError
        One problem per need not met (check ``missing_table``), none when complete.
    """

    def given(name: str) -> bool:
        table = tables.get(name)
        return table is not None and len(table) > 0

    found = []
    if objective == "max_level" and not given("assortment") and not given("targets"):
        found.append("objective max_level needs an assortment or targets")
    if objective in ("min_labour", "harmony") and not given("targets"):
        found.append(f"objective {objective} needs targets")
    problems = [
        InputError(text, source=source, label="objective", check=Check.MISSING_TABLE)
        for text in found
    ]
    if objective == "linear" and not given("objective_weights"):
        problems.append(
            InputError(
                "objective linear needs the objective_weights table",
                source=weights_source or f"{source}: objective_weights",
                check=Check.MISSING_TABLE,
            )
        )
    return problems


def _lag_array(economy: Economy, lags: pd.DataFrame, default_lag: int) -> np.ndarray:
    """Investment lag of every activity (economy order): ``lags`` where given, else default.

    Rows with an unknown activity or no lag are left out.
    """
    lag = np.full(economy.n_activities, int(default_lag), dtype=int)
    if len(lags):
        pos = economy.activity_labels.get_indexer(lags["activity"])
        values = pd.to_numeric(lags["lag"], errors="coerce").to_numpy(dtype=float)
        ok = (pos >= 0) & np.isfinite(values)
        lag[pos[ok]] = values[ok].astype(int)
    return lag


class _SpecChecks:
    """The checks of one :class:`PlanSpec`, collecting every problem.

    Parameters
    ----------
    spec
        The spec to check.
    source
        How messages name the spec (the manifest when read from disk).
    sources
        How messages name each table (a file, or ``book.xlsx[sheet]``); a table not named
        here is named ``"{source}: {table}"``.
    """

    def __init__(self, spec: PlanSpec, source: str, sources: Mapping[str, str] | None) -> None:
        self.spec = spec
        self.source = source
        self.sources = dict(sources or {})
        self.problems = Problems()
        #: Per table: whether each row passed the column checks (absent: table unusable).
        self.clean: dict[str, np.ndarray] = {}

    def where(self, name: str) -> str:
        """How messages name table ``name``."""
        return self.sources.get(name, f"{self.source}: {name}")

    def rows(self, name: str) -> tuple[pd.DataFrame, np.ndarray]:
        """Table ``name`` and the mask of its rows that passed the column checks."""
        if name not in self.clean:
            return _empty(name), np.zeros(0, dtype=bool)
        return getattr(self.spec, name), self.clean[name]

    def setting(self, message: str, label: str, check: str = Check.BAD_SETTING) -> None:
        """Record a problem of a setting (a manifest key, a field of the spec)."""
        self.problems.add(message, source=self.source, label=label, check=check)

    def run(self) -> list[InputError]:
        """Every problem of the spec (empty when it is valid)."""
        if not self._periods():
            return self.problems.problems()
        self._settings()
        self._tables()
        self._lags()
        self._vintages_and_lead_times()
        self._construction()
        self._construction_in_progress()
        self._investment_limits()
        self._objective_weights()
        self._consumption_weights()
        return self.problems.problems()

    # -------------------------------------------------------------- settings
    def _periods(self) -> bool:
        """The horizon: periods distinct, increasing, consecutive years.

        Returns False when they are not: the tables cannot be checked against the horizon.
        """
        periods = self.spec.periods
        if not periods:
            self.setting("the horizon has no periods", "periods")
            return False
        if list(periods) != sorted(set(periods)):
            self.setting("periods must be distinct and increasing", "periods")
            return False
        gaps = np.diff(np.asarray(periods, dtype=int))
        if np.any(gaps != 1):
            i = int(np.flatnonzero(gaps != 1)[0])
            self.setting(
                f"periods must be consecutive years: {periods[i]} is followed by "
                f"{periods[i + 1]} (rates, lags and service lives are counted in years)",
                "periods",
                Check.PERIODS_NOT_CONSECUTIVE,
            )
            return False
        return True

    def _settings(self) -> None:
        spec = self.spec
        if spec.objective not in OBJECTIVES:
            self.setting(
                f"unknown objective {spec.objective!r}; choose one of {', '.join(OBJECTIVES)}",
                "objective",
                Check.UNKNOWN_OBJECTIVE,
            )
        if spec.default_lag < 0:
            self.setting("default_lag must be >= 0", "default_lag")
        if spec.storable not in ("listed", "all"):
            self.setting(
                "storable must be 'listed' (the products of the storage table) or 'all', got "
                f"{spec.storable!r}",
                "storable",
            )
        if spec.terminal not in TERMINALS:
            self.setting(
                f"terminal must be one of {', '.join(TERMINALS)}, got {spec.terminal!r}",
                "terminal",
            )
        if spec.sense not in ("max", "min"):
            self.setting(f"sense must be 'max' or 'min', got {spec.sense!r}", "sense")
        if spec.investment_share is not None and not 0.0 <= spec.investment_share <= 1.0:
            self.setting("investment_share must be between 0 and 1", "investment_share")
        if not 0.0 <= spec.discount < 1.0:
            self.setting("discount must be in [0, 1)", "discount")

    # -------------------------------------------------------------- tables
    def _tables(self) -> None:
        """The column checks of every table (:func:`gosplan.core.rules.check_columns`)."""
        spec = self.spec
        eco = spec.economy
        known = {
            "product": eco.product_labels,
            "activity": eco.activity_labels,
            "labour_type": eco.labour_types,
            "resource": eco.resource_types,
        }
        for name in TABLE_COLUMNS:
            table = getattr(spec, name)
            if not isinstance(table, pd.DataFrame):
                self.problems.add(
                    f"must be a pandas DataFrame, got {type(table).__name__}",
                    source=self.where(name),
                    check=Check.BAD_ARGUMENT,
                )
                continue
            period_ok = None
            if name == "objective_weights" and {"quantity", "period"} <= set(table.columns):
                end = pd.to_numeric(table["period"], errors="coerce") == spec.periods[-1] + 1
                period_ok = (table["quantity"] == "capacity").to_numpy() & end.to_numpy()
            clean = check_columns(
                name,
                table,
                known=known,
                periods=spec.periods,
                source=self.where(name),
                problems=self.problems,
                period_ok=period_ok,
            )
            if clean is not None:
                self.clean[name] = clean

    def _lags(self) -> None:
        """Every investment lag in use must be shorter than the horizon.

        A row of ``lags`` is named with its row and activity; ``default_lag`` (used by the
        activities without a row) with its key. A one-period plan may keep the default lag
        of 1: it is then a static plan, whose investment could only serve a terminal
        requirement.
        """
        spec = self.spec
        T = spec.n_periods
        lags, clean = self.rows("lags")
        if len(lags):
            values = pd.to_numeric(lags["lag"], errors="coerce").to_numpy(dtype=float)
            barred = lags["activity"].isin(self._barred()).to_numpy()
            self.problems.add_rows(
                clean & (values >= T) & ~barred,
                lambda i: (
                    f"investment lag {int(values[i])} is not shorter than the horizon of "
                    f"{T} periods: no investment could ever bear fruit"
                ),
                source=self.where("lags"),
                labels=lags["activity"].astype(str).to_numpy(),
                check=Check.LAG_EXCEEDS_HORIZON,
            )
        listed = spec.economy.activity_labels.isin(lags["activity"]) if len(lags) else []
        uses_default = not len(lags) or not bool(np.all(listed))
        static = T == 1 and spec.default_lag == 1
        if uses_default and spec.default_lag >= T and not static:
            self.setting(
                f"default_lag {spec.default_lag} is not shorter than the horizon of {T} "
                f"period{'s' if T > 1 else ''}: no investment of an activity without a row in "
                "lags could ever bear fruit",
                "default_lag",
                Check.LAG_EXCEEDS_HORIZON,
            )

    def _barred(self) -> list[object]:
        """Activities whose investment is barred every period (blank period, ``max`` 0)."""
        table, clean = self.rows("investment_limits")
        if not len(table) or "max" not in table.columns:
            return []
        high = pd.to_numeric(table["max"], errors="coerce").to_numpy(dtype=float)
        every = (
            table["period"].isna().to_numpy()
            if "period" in table.columns
            else np.ones(len(table), dtype=bool)
        )
        return list(table["activity"][clean & every & (high == 0)])

    def _construction_in_progress(self) -> None:
        """Completion within the horizon (to its end), on a capped activity, time to spend."""
        spec = self.spec
        table, clean = self.rows("construction_in_progress")
        if not len(table) or not clean.any():
            return
        where = self.where("construction_in_progress")
        labels = table["activity"].astype(str).to_numpy()
        done = pd.to_numeric(table["completion"], errors="coerce").to_numpy(dtype=float)
        end = spec.periods[-1] + 1
        self.problems.add_rows(
            clean & ((done < spec.start) | (done > end)),
            lambda i: (
                f"completion {done[i]:g} is "
                + (
                    f"before the first period {spec.start} (capacity already in service is a "
                    "vintage)"
                    if done[i] < spec.start
                    else f"after the end of the horizon ({end} at the latest)"
                )
            ),
            source=where,
            labels=labels,
            check=Check.CONSTRUCTION_IN_PROGRESS,
        )
        remaining = pd.to_numeric(table["remaining"], errors="coerce").to_numpy(dtype=float)
        self.problems.add_rows(
            clean & (done == spec.start) & (remaining > 0),
            lambda i: (
                f"remaining spending {remaining[i]:g} but completion in the first period "
                f"{spec.start}: no period of the horizon is left to spend it in"
            ),
            source=where,
            labels=labels,
            check=Check.CONSTRUCTION_IN_PROGRESS,
        )
        eco = spec.economy
        capped = np.isfinite(np.asarray(eco.capacity, float))
        vintages, ok = self.rows("vintages")
        if len(vintages):
            at = eco.activity_labels.get_indexer(vintages["activity"])
            capped[at[ok & (at >= 0)]] = True
        pos = np.where(clean, eco.activity_labels.get_indexer(table["activity"]), 0)
        self.problems.add_rows(
            clean & ~capped[pos],
            "the activity's capacity is not limited: capacity under construction adds nothing",
            source=where,
            labels=labels,
            check=Check.CONSTRUCTION_IN_PROGRESS,
        )

    def _vintages_and_lead_times(self) -> None:
        spec = self.spec
        vintages, clean = self.rows("vintages")
        if len(vintages):
            built = pd.to_numeric(vintages["year_built"], errors="coerce").to_numpy(float)
            self.problems.add_rows(
                clean & (built >= spec.start),
                lambda i: (
                    f"a vintage of the initial capital stock is built in {int(built[i])}, "
                    f"not before the first period {spec.start}"
                ),
                source=self.where("vintages"),
                labels=vintages["activity"].astype(str).to_numpy(),
                check=Check.VINTAGE_IN_HORIZON,
            )
        lead_times, clean = self.rows("lead_times")
        if len(lead_times):
            T = spec.n_periods
            lead = pd.to_numeric(lead_times["lead_time"], errors="coerce").to_numpy(float)
            self.problems.add_rows(
                clean & (lead >= T),
                lambda i: (
                    f"lead time {lead[i]:g} must be a whole number of periods shorter than "
                    f"the horizon of {T} periods"
                ),
                source=self.where("lead_times"),
                labels=lead_times["activity"].astype(str).to_numpy(),
                check=Check.LAG_EXCEEDS_HORIZON,
            )

    def _lag_of(self) -> np.ndarray:
        """The investment lags, from the rows of ``lags`` that passed their checks."""
        lags, clean = self.rows("lags")
        return _lag_array(self.spec.economy, lags[clean], max(int(self.spec.default_lag), 0))

    def _construction(self) -> None:
        """Offsets within the construction period; an activity's shares add up to 1."""
        table, clean = self.rows("construction")
        if not len(table) or not clean.any():
            return
        where = self.where("construction")
        labels = table["activity"].astype(str).to_numpy()
        pos = self.spec.economy.activity_labels.get_indexer(table["activity"])
        width = np.maximum(self._lag_of(), 1)[np.where(clean, pos, 0)]
        off = pd.to_numeric(table["offset"], errors="coerce").to_numpy(dtype=float)
        self.problems.add_rows(
            clean & (off >= width),
            lambda i: (
                f"construction offset {off[i]:g} is outside the construction period "
                f"(whole periods 0 to {width[i] - 1}, from the activity's investment lag)"
            ),
            source=where,
            labels=labels,
            check=Check.CONSTRUCTION_PROFILE,
        )
        share = pd.to_numeric(table["share"], errors="coerce").where(clean, 0.0)
        total = share.groupby(table["activity"].to_numpy(), sort=False).transform("sum")
        total = total.to_numpy(dtype=float)
        self.problems.add_rows(
            clean & (np.abs(total - 1.0) > 1e-9),
            lambda i: (
                f"the construction shares of an activity must add up to 1 (they add up "
                f"to {total[i]:.6g})"
            ),
            source=where,
            labels=labels,
            check=Check.CONSTRUCTION_PROFILE,
        )

    def _investment_limits(self) -> None:
        """Limits only on capped activities, min <= max, and a min that can be met."""
        spec = self.spec
        table, clean = self.rows("investment_limits")
        if not len(table) or not clean.any():
            return
        eco = spec.economy
        where = self.where("investment_limits")
        labels = table["activity"].astype(str).to_numpy()
        pos = np.where(clean, eco.activity_labels.get_indexer(table["activity"]), 0)
        capped = np.isfinite(np.asarray(eco.capacity, float))
        vintages, ok = self.rows("vintages")
        if len(vintages):
            at = eco.activity_labels.get_indexer(vintages["activity"])
            capped[at[ok & (at >= 0)]] = True
        uncapped = clean & ~capped[pos]
        message = "the activity's capacity is not limited: its investment cannot be bounded"
        self.problems.add_rows(
            uncapped, message, source=where, labels=labels, check=Check.INVESTMENT_LIMITS
        )
        lo, hi, per = spec.investment_bounds()
        self.problems.add_rows(
            clean & (lo > hi),
            lambda i: f"min {lo[i]:g} is above max {hi[i]:g}",
            source=where,
            labels=labels,
            check=Check.INVESTMENT_LIMITS,
        )
        # a minimum needs an investment that can be made: capital goods to build with, and
        # capacity that comes before the end of the horizon
        builds = np.asarray(abs(sp.csc_array(eco.capital)).sum(axis=0)).ravel() > 0
        lag = self._lag_of()[pos]
        # a blank period asks for the minimum every period, the last one included
        start = np.where(np.isnan(per), spec.periods[-1], per) - spec.start
        self.problems.add_rows(
            clean & ~uncapped & (lo > 0) & (~builds[pos] | (start + lag > spec.n_periods)),
            lambda i: (
                f"min {lo[i]:g} cannot be met: "
                + (
                    "the activity has no capital coefficients, so investment cannot add to "
                    "its capacity"
                    if not builds[pos[i]]
                    else f"capacity started then would come after the horizon (lag {lag[i]})"
                )
            ),
            source=where,
            labels=labels,
            check=Check.INVESTMENT_LIMITS,
        )

    def _objective_weights(self) -> None:
        """Quantities and labels of the linear objective's weights (checked when given)."""
        spec = self.spec
        where = self.where("objective_weights")
        table, clean = self.rows("objective_weights")
        if not len(table):
            return
        quantity = table["quantity"].astype(str).to_numpy()
        unknown = clean & ~np.isin(quantity, list(OBJECTIVE_QUANTITIES))
        self.problems.add_rows(
            unknown,
            lambda i: (
                f"unknown quantity {quantity[i]!r}; choose one of {', '.join(OBJECTIVE_QUANTITIES)}"
            ),
            source=where,
            labels=quantity,
            check=Check.UNKNOWN_LABEL,
        )
        if "label" not in table.columns:
            return
        eco = spec.economy
        known = {
            "product": eco.product_labels,
            "activity": eco.activity_labels,
            "labour_type": eco.labour_types,
        }
        labels = table["label"]
        given = labels.notna().to_numpy() & (labels.astype(str).str.strip() != "").to_numpy()
        for quantity_name, kind in OBJECTIVE_QUANTITIES.items():
            rows = clean & given & (quantity == quantity_name)
            if rows.any():
                self.problems.add_rows(
                    rows & ~labels.isin(known[kind]).to_numpy(),
                    f"unknown {kind.replace('_', ' ')} for quantity {quantity_name!r}",
                    source=where,
                    labels=labels.astype(str).to_numpy(),
                    check=Check.UNKNOWN_LABEL,
                )

    def _consumption_weights(self) -> None:
        """Weights of consumption: known consumption goods, finite, not negative, once each.

        Rows are named only when the weights were read from a table (``sources`` names it).
        """
        w = self.spec.consumption_weights
        if w is None:
            return
        where = self.where("consumption_weights")
        if not isinstance(w, pd.Series):
            self.problems.add(
                "consumption_weights must be a pandas Series indexed by product",
                source=where,
                check=Check.BAD_ARGUMENT,
            )
            return
        from_file = "consumption_weights" in self.sources
        index = pd.Index(w.index)
        shown = index.astype(str).to_numpy()
        values = pd.to_numeric(w, errors="coerce").to_numpy(dtype=float)

        def add(mask: np.ndarray, message: str | Callable[[int], str], check: Check) -> None:
            if from_file:
                self.problems.add_rows(mask, message, source=where, labels=shown, check=check)
                return
            for i in np.flatnonzero(mask)[:MAX_PER_CHECK]:
                text = message(int(i)) if callable(message) else message
                self.problems.add(text, source=where, label=str(shown[i]), check=check)

        unknown = ~index.isin(self.spec.economy.product_labels)
        add(unknown, "unknown product", Check.UNKNOWN_LABEL)
        add(index.duplicated() & ~unknown, "appears twice", Check.DUPLICATE_LABEL)
        bad = ~np.isfinite(values)
        add(
            bad,
            lambda i: f"weight {w.iloc[i]!r} is missing, not a number or infinite",
            Check.NON_NUMERIC,
        )
        with np.errstate(invalid="ignore"):
            add(values < 0, lambda i: f"weight {w.iloc[i]!r} is negative", Check.NEGATIVE_VALUE)
        consumer = pd.Series(self.spec.consumption_goods(), index=self.spec.economy.product_labels)
        good = consumer.reindex(index).fillna(False).to_numpy(dtype=bool)
        add(
            ~unknown & (values > 0) & ~good,
            "is not a consumption good (its group is not 'consumer goods'): its final use "
            "is accumulation or other final use, which max_consumption does not value",
            Check.NOT_CONSUMPTION,
        )
