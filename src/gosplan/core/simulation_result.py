"""The result of an input–output simulation: output, demand and limits per product and step.

Made by :func:`gosplan.run.simulate.simulate`; this module imports no solver, so a report or
the command line reads a simulation back (:meth:`SimulationResult.read`) as the same type.

Every table is long (one row per product — or user, activity, enterprise — and step); the
label columns are pandas categoricals, so 10^5 products over 365 steps share one copy of
each label. ``products`` and ``limits`` are always there; ``final`` (by final user),
``activities``, ``enterprises`` and ``calendar`` come with a run of a plan
(:func:`gosplan.run.plan_simulation.simulate_plan`) and are empty otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from gosplan.core.control_figures import label_column
from gosplan.core.serial import (
    TabledResult,
    finite,
)
from gosplan.errors import InputError

#: ``kind`` of a simulation on disk, and the files of its folder.
SIMULATION_KIND = "simulation"
SIMULATION_META = "simulation.json"
SIMULATION_TABLES = ("products", "limits", "final", "activities", "enterprises", "calendar")
#: The tables every simulation has.
REQUIRED_TABLES = ("products", "limits")
_NEEDS = "a simulation needs"
#: Columns of :attr:`SimulationResult.products`.
PRODUCT_COLUMNS = (
    "product",
    "step",
    "output",
    "planned",
    "capacity",
    "demand",
    "delivered_final",
    "unmet_final",
    "stocks",
    "backlog",
)
#: Columns of :attr:`SimulationResult.limits`.
LIMIT_COLUMNS = ("product", "step", "limiting")
#: Columns of :attr:`SimulationResult.final`.
FINAL_COLUMNS = ("user", "product", "step", "demand", "delivered", "unmet")
#: Columns of :attr:`SimulationResult.activities`.
ACTIVITY_COLUMNS = ("activity", "product", "step", "level", "capacity")
#: Columns of :attr:`SimulationResult.enterprises`.
ENTERPRISE_COLUMNS = ("enterprise", "activity", "step", "output", "capacity", "limiting")
#: Columns of :attr:`SimulationResult.calendar`.
CALENDAR_COLUMNS = ("step", "period", "date")
#: Columns of each table, by name.
COLUMNS = {
    "products": PRODUCT_COLUMNS,
    "limits": LIMIT_COLUMNS,
    "final": FINAL_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
    "enterprises": ENTERPRISE_COLUMNS,
    "calendar": CALENDAR_COLUMNS,
}
_LABELS = ("product", "limiting", "user", "activity", "enterprise", "date")
_INTEGERS = ("step", "period")


def tidy(frame: pd.DataFrame, name: str, source: str = "simulation") -> pd.DataFrame:
    """A table of a simulation in its canonical form.

    Its columns in order (:data:`COLUMNS`), labels as categoricals of text (categories in
    order of first appearance), ``step`` as integers, quantities as floats. Extra columns are
    dropped.

    Raises
    ------
    InputError
        If a column is missing (check ``missing_column``) or a number cell holds text
        (check ``non_numeric``).
    """
    columns = COLUMNS[name]
    if not len(frame.columns) and not len(frame):
        frame = pd.DataFrame({c: [] for c in columns})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"the {name} table needs the column {missing[0]!r}",
            source=source,
            check="missing_column",
        )
    out: dict[str, Any] = {}
    for col in columns:
        values = frame[col]
        if col in _LABELS:
            out[col] = label_column(values)
            continue
        numbers = pd.to_numeric(
            values.replace({"inf": np.inf, "-inf": -np.inf}) if values.dtype == object else values,
            errors="coerce",
        )
        bad = numbers.isna() & values.notna()
        if bool(bad.any()) or (col in _INTEGERS and bool(numbers.isna().any())):
            raise InputError(
                f"the {name} table's {col!r} column must hold numbers",
                source=source,
                check="non_numeric",
            )
        out[col] = np.asarray(numbers, dtype=np.int64 if col in _INTEGERS else float)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def empty(name: str) -> pd.DataFrame:
    """An empty table of a simulation, with its columns."""
    return tidy(pd.DataFrame({c: [] for c in COLUMNS[name]}), name)


@dataclass(frozen=True, eq=False)
class SimulationResult(TabledResult):
    """A simulated run of the economy, step by step.

    Attributes
    ----------
    products
        Columns :data:`PRODUCT_COLUMNS`: per product and step, what was made, what the plan
        asked (``planned``: the equilibrium output of the step's period), the capacity it
        had, the orders it received (from its customers' restocking and from final demand),
        what final demand got and what it did not get, the stocks of inputs its makers hold
        at the end of the step (the sum over its input links), and what was made but is held
        up by transport (``backlog``).
    limits
        Columns ``product, step, limiting``: what bounded each product's output at each step:
        ``"capacity"``, ``"demand"``, ``"input:<product>"`` (the scarcest input) or
        ``"labour:<type>"``.
    final
        Columns :data:`FINAL_COLUMNS`: final demand, deliveries and unmet demand by final user
        (households, investment, the state, stock building) — the unmet demand by class.
    activities
        Columns :data:`ACTIVITY_COLUMNS`: every activity's level and capacity per step.
    enterprises
        Columns :data:`ENTERPRISE_COLUMNS`: every enterprise's output, capacity and the input
        (or capacity, labour, demand) that limited it, per step.
    calendar
        Columns ``step, period, date``: the plan period and the first day of every step.
    rationing
        The rule that shared short output among the orderers (``"proportional"``,
        ``"priority"`` or ``"fixed"``).
    provenance
        What produced the result (economy, parameters, version).

    Every field round-trips: :meth:`to_dict` / :meth:`from_dict` and :meth:`write` /
    :meth:`read` (a folder of tables with ``simulation.json``, or one JSON file).
    """

    META_FILE: ClassVar[str] = SIMULATION_META
    TABLE_NAMES: ClassVar[tuple[str, ...] | None] = None
    NEEDS: ClassVar[str | None] = None
    SOURCE: ClassVar[str] = "simulation"
    LABELS: ClassVar[tuple[str, ...]] = _LABELS

    products: pd.DataFrame
    limits: pd.DataFrame
    final: pd.DataFrame = field(default_factory=lambda: empty("final"))
    activities: pd.DataFrame = field(default_factory=lambda: empty("activities"))
    enterprises: pd.DataFrame = field(default_factory=lambda: empty("enterprises"))
    calendar: pd.DataFrame = field(default_factory=lambda: empty("calendar"))
    rationing: str = "proportional"
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """The number of steps simulated."""
        step = self.products["step"].to_numpy()
        return int(step.max()) + 1 if len(step) else 0

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name."""
        return {name: getattr(self, name) for name in SIMULATION_TABLES}

    def series(self, column: str = "output", table: str = "products") -> pd.DataFrame:
        """One column of a table as a steps x labels frame.

        ``table``: ``products``, ``activities`` or ``enterprises``; for ``final``, the users'
        total by product.
        """
        frame = getattr(self, table)
        label = COLUMNS[table][0] if table != "final" else "product"
        if table == "final":
            frame = frame.groupby(["step", "product"], observed=True, as_index=False)[column].sum()
        return frame.pivot(index="step", columns=label, values=column)

    # ------------------------------------------------------------------ by period
    def period_of_step(self) -> pd.Series:
        """The plan period of every step (0 for every step of a run without a calendar)."""
        if not len(self.calendar):
            return pd.Series(0, index=pd.RangeIndex(self.steps), name="period")
        return pd.Series(self.calendar["period"].to_numpy(), index=self.calendar["step"].to_numpy())

    def by_period(self, column: str = "output", table: str = "products") -> pd.DataFrame:
        """``column`` summed over the steps of each period: labels x periods.

        ``table`` is ``products`` (by product) or ``final`` (by final user, over products).
        """
        frame = getattr(self, table)
        label = "product" if table == "products" else "user"
        data = pd.DataFrame(
            {
                label: frame[label].astype(str).to_numpy(),
                "period": self.period_of_step().reindex(frame["step"].to_numpy()).to_numpy(),
                column: frame[column].to_numpy(dtype=float),
            }
        )
        out = data.pivot_table(
            index=label, columns="period", values=column, aggfunc="sum", sort=False
        )
        out.columns.name = "period"
        return out

    def plan_fulfilment(self) -> pd.DataFrame:
        """Simulated output as a percentage of the planned, by product (rows) and period."""
        done, planned = self.by_period("output"), self.by_period("planned")
        return 100.0 * done / planned.where(planned > 0)

    def unmet_share(self) -> pd.DataFrame:
        """Final demand not met, percent of the demand, by product (rows) and period."""
        lack = self.by_period("unmet_final")
        demand = lack + self.by_period("delivered_final")
        return 100.0 * lack / demand.where(demand > 0)

    def unmet_by_user(self, weights: pd.Series) -> pd.DataFrame:
        """Final demand not met, percent of the demand, by final user (rows) and period.

        Products in unlike units are added up at ``weights`` (a value per unit by product,
        e.g. labour values). A run without final users has one, ``final``.
        """
        if len(self.final):
            frame = self.final.rename(columns={"unmet": "lack"})
            users = frame["user"].astype(str).to_numpy()
        else:
            frame = self.products.rename(columns={"unmet_final": "lack"})
            frame = frame.assign(demand=frame["lack"] + frame["delivered_final"])
            users = np.full(len(frame), "final", dtype=object)
        w = weights.reindex(frame["product"].astype(str)).to_numpy(dtype=float)
        data = pd.DataFrame(
            {
                "user": users,
                "period": self.period_of_step().reindex(frame["step"].to_numpy()).to_numpy(),
                "lack": w * frame["lack"].to_numpy(float),
                "demand": w * frame["demand"].to_numpy(float),
            }
        )
        sums = data.groupby(["user", "period"], sort=False)[["lack", "demand"]].sum()
        share = 100.0 * sums["lack"] / sums["demand"].where(sums["demand"] > 0)
        out = share.unstack("period")
        out.columns.name = "period"
        return out

    # ------------------------------------------------------------------ files
    def _meta(self) -> dict[str, Any]:
        return finite(
            {
                "kind": SIMULATION_KIND,
                "rationing": self.rationing,
                "steps": self.steps,
                "provenance": self.provenance,
            }
        )

    @classmethod
    def _from_tables(
        cls, meta: dict[str, Any], frames: dict[str, pd.DataFrame], source: str
    ) -> SimulationResult:
        _check_kind(meta, source)
        for name in REQUIRED_TABLES:
            if name not in frames:
                raise InputError(
                    f"{_NEEDS} the table {name!r}", source=source, check="missing_table"
                )
        tables = {
            name: tidy(frame, name, source)
            for name, frame in frames.items()
            if name in SIMULATION_TABLES
        }
        return cls(
            rationing=str(meta["rationing"]),
            provenance=dict(meta.get("provenance") or {}),
            **tables,
        )


def _check_kind(meta: dict[str, Any], source: str) -> None:
    kind = meta.get("kind")
    if kind is not None and kind != SIMULATION_KIND:
        raise InputError(
            f"not a simulation: the file holds a {kind!r}", source=source, check="bad_argument"
        )
    if "rationing" not in meta:
        raise InputError("not a simulation written by gosplan: no 'rationing'", source=source)
