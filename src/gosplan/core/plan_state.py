"""The state of the economy at the start of a period: what a re-plan starts from.

A :class:`PlanState` holds, at the start of period :attr:`PlanState.period`,

* ``capacity``: the capital stock in service by activity and vintage (columns ``activity``,
  ``year_built``, ``capacity``; the capacity as it stands then, depreciation so far taken
  off; a vintage retires at ``year_built + service_life`` of its activity). An activity with
  no capacity left has a row of capacity 0;
* ``construction_in_progress``: investment started before the period and not yet complete,
  as the plan table of that name (``activity``, ``completion``, ``capacity``, ``remaining``;
  :class:`~gosplan.core.spec.PlanSpec`);
* ``stocks``: the stock of every product carried into the period (after the storage loss);
* ``achieved``: the cumulative gross output (deliveries) of every product over the plan's
  periods before this one, to set against the plan's targets (its five-year totals).

It is a value (no solver; strict JSON with :meth:`PlanState.to_dict` /
:meth:`PlanState.from_dict`, one JSON file with :meth:`PlanState.write` /
:meth:`PlanState.read`). :meth:`PlanState.from_plan` reads the state a plan itself foresees,
so that re-planning from it (:func:`gosplan.run.replan.replan`) finds the plan's remaining
periods again; :meth:`PlanState.check` checks a state against the spec it continues.

Production lead times are not part of the state: output in transit at the start of the period
(runs before it delivering in it or later) is not held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.checks import Check, Problems
from gosplan.core.plan_result import PlanResult
from gosplan.core.rules import check_columns
from gosplan.core.serial import (
    document_tables,
    finite,
    read_json,
    result_document,
    strict_json,
)
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError

__all__ = ["STATE_KIND", "PlanState"]

#: The ``kind`` of a state's JSON document.
STATE_KIND = "plan_state"
#: Columns of :attr:`PlanState.capacity`.
CAPACITY_COLUMNS = ("activity", "year_built", "capacity")
#: Columns of :attr:`PlanState.construction_in_progress`.
IN_PROGRESS_COLUMNS = ("activity", "completion", "capacity", "remaining")
_SERIES = {"stocks": "stock", "achieved": "achieved"}


def _frame(table: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame:
    if table is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame(table).reset_index(drop=True)


def _series(values: pd.Series | dict | None, name: str) -> pd.Series:
    out = pd.Series(dtype=float) if values is None else pd.Series(values, dtype=object)
    out = pd.to_numeric(out, errors="coerce") if len(out) else out.astype(float)
    out.index = pd.Index([str(v) for v in out.index], name="product")
    return out.rename(name)


@dataclass(frozen=True, eq=False)
class PlanState:
    """The economy at the start of a period (see the module docstring).

    Attributes
    ----------
    period
        The period whose start the state describes (the first period of a re-plan).
    capacity
        Columns ``activity``, ``year_built``, ``capacity``: the capital stock in service.
    construction_in_progress
        Columns ``activity``, ``completion``, ``capacity``, ``remaining`` (the plan table).
    stocks
        Stock carried into the period, by product (products not listed: none).
    achieved
        Cumulative gross output over the plan's periods before :attr:`period`, by product.
    provenance
        Where the state comes from (``"plan"`` for :meth:`from_plan`, or the user's words).
    """

    period: int
    capacity: pd.DataFrame = field(default_factory=lambda: _frame(None, CAPACITY_COLUMNS))
    construction_in_progress: pd.DataFrame = field(
        default_factory=lambda: _frame(None, IN_PROGRESS_COLUMNS)
    )
    stocks: pd.Series = field(default_factory=lambda: _series(None, "stock"))
    achieved: pd.Series = field(default_factory=lambda: _series(None, "achieved"))
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.period, bool) or not float(self.period).is_integer():
            raise InputError(
                f"the period of a state must be a whole number, got {self.period!r}",
                source="plan state",
                label="period",
                check=Check.BAD_ARGUMENT,
            )
        object.__setattr__(self, "period", int(self.period))
        object.__setattr__(self, "capacity", _frame(self.capacity, CAPACITY_COLUMNS))
        cip = _frame(self.construction_in_progress, IN_PROGRESS_COLUMNS)
        object.__setattr__(self, "construction_in_progress", cip)
        object.__setattr__(self, "stocks", _series(self.stocks, "stock"))
        object.__setattr__(self, "achieved", _series(self.achieved, "achieved"))
        object.__setattr__(self, "provenance", dict(self.provenance))

    # ------------------------------------------------------------------ derived facts
    def capacity_by_activity(self) -> pd.Series:
        """Capacity in service at the start of the period, summed over vintages by activity."""
        table = self.capacity
        if not len(table):
            return pd.Series(dtype=float, name="capacity")
        values = pd.to_numeric(table["capacity"], errors="coerce")
        return values.groupby(table["activity"].to_numpy(), sort=False).sum().rename("capacity")

    def stocks_table(self) -> pd.DataFrame:
        """The stocks as an ``initial_stocks`` plan table (columns ``product``, ``stock``)."""
        return pd.DataFrame(
            {"product": self.stocks.index.to_numpy(object), "stock": self.stocks.to_numpy(float)}
        )

    # ------------------------------------------------------------------ checks
    def check(self, spec: PlanSpec, source: str = "plan state") -> PlanState:
        """Check the state against the spec it continues; return ``self``.

        Labels must be the economy's (activities, products), numbers finite and not negative,
        no vintage built in or after :attr:`period`, no construction completing before it
        or after the end of the spec's horizon, and every capacity-limited activity of the
        spec must have its capacity in the state (a row of 0 when none is left).

        Raises
        ------
        gosplan.errors.ValidationError
            Every problem at once, each naming the table (``"plan state: capacity"``, ...),
            the row (1-based, the header being row 1) and the label.
        """
        problems = Problems()
        eco = spec.economy
        known = {"activity": eco.activity_labels, "product": eco.product_labels}
        horizon = tuple(p for p in spec.periods if p >= self.period)
        tables = (("capacity", "vintages"), ("construction_in_progress", None))
        for name, rules in tables:
            table = getattr(self, name)
            where = f"{source}: {name}"
            clean = check_columns(
                rules or name,
                table,
                known=known,
                periods=horizon or (self.period,),
                source=where,
                problems=problems,
            )
            if clean is not None and len(table):
                self._check_periods(name, table, clean, spec, where, problems)
        for name, column in _SERIES.items():
            self._check_series(name, column, known["product"], f"{source}: {name}", problems)
        self._check_complete(spec, f"{source}: capacity", problems)
        problems.raise_if_any()
        return self

    def _check_periods(
        self,
        name: str,
        table: pd.DataFrame,
        clean: np.ndarray,
        spec: PlanSpec,
        where: str,
        problems: Problems,
    ) -> None:
        """Vintages built before the period; construction completing from it to the end."""
        labels = table["activity"].astype(str).to_numpy()
        if name == "capacity":
            built = pd.to_numeric(table["year_built"], errors="coerce").to_numpy(float)
            problems.add_rows(
                clean & (built >= self.period),
                lambda i: f"a vintage built in {built[i]:g} is not in service before {self.period}",
                source=where,
                labels=labels,
                check=Check.VINTAGE_IN_HORIZON,
            )
            return
        done = pd.to_numeric(table["completion"], errors="coerce").to_numpy(float)
        end = spec.periods[-1] + 1
        problems.add_rows(
            clean & ((done < self.period) | (done > end)),
            lambda i: (
                f"completion {done[i]:g} is outside {self.period}–{end} (from the state's "
                "period to the end of the horizon)"
            ),
            source=where,
            labels=labels,
            check=Check.CONSTRUCTION_IN_PROGRESS,
        )

    def _check_series(
        self, name: str, column: str, products: pd.Index, where: str, problems: Problems
    ) -> None:
        """Known products, finite and non-negative values, each product once."""
        values: pd.Series = getattr(self, name)
        labels = values.index.to_numpy(object)
        problems.add_rows(
            ~values.index.isin(products),
            "unknown product",
            source=where,
            labels=labels,
            check=Check.UNKNOWN_LABEL,
        )
        problems.add_rows(
            values.index.duplicated(),
            "appears twice",
            source=where,
            labels=labels,
            check=Check.DUPLICATE_LABEL,
        )
        x = values.to_numpy(float)
        problems.add_rows(
            ~np.isfinite(x),
            f"{column} is missing, not a number or infinite",
            source=where,
            labels=labels,
            check=Check.NON_NUMERIC,
        )
        with np.errstate(invalid="ignore"):
            problems.add_rows(
                x < 0,
                lambda i: f"{column} is negative ({x[i]:g})",
                source=where,
                labels=labels,
                check=Check.NEGATIVE_VALUE,
            )

    def _check_complete(self, spec: PlanSpec, where: str, problems: Problems) -> None:
        """Every capacity-limited activity of the spec has its capacity in the state."""
        eco = spec.economy
        capped = np.isfinite(np.asarray(eco.capacity, float))
        if len(spec.vintages):
            capped[eco.activity_labels.get_indexer(spec.vintages["activity"])] = True
        listed = np.asarray(eco.activity_labels.isin(list(self.capacity["activity"])), bool)
        missing = eco.activity_labels[capped & ~listed]
        for label in missing[:5]:
            problems.add(
                "the capacity of this capacity-limited activity is missing (a row of capacity "
                "0 says that none is left)",
                source=where,
                label=str(label),
                check=Check.MISSING_LABEL,
            )
        if len(missing) > 5:
            problems.add(
                f"and {len(missing) - 5} more activities without capacity",
                source=where,
                check=Check.MISSING_LABEL,
            )

    # ------------------------------------------------------------------ the plan's own state
    @classmethod
    def from_plan(cls, result: PlanResult, spec: PlanSpec, from_period: int) -> PlanState:
        """The state a plan foresees at the start of ``from_period``.

        Capacity: the spec's vintages (and the economy's capacity of the activities without
        one, built at the start) still in service, depreciated; the plan's investments and
        the spec's construction in progress completed before ``from_period`` as vintages
        built in their completion period. Construction in progress: the investments (and
        the spec's construction in progress) completing in ``from_period`` or later, with
        the share of their capital goods their construction profile leaves to spend from
        ``from_period`` on. Stocks: the plan's stocks at the end of the period before, less
        the storage loss, for every product that can be stored. Achieved: the plan's output
        summed over the periods before.

        Parameters
        ----------
        result
            An optimal plan of ``spec``.
        spec
            The plan's specification.
        from_period
            A period of the horizon after the first.

        Returns
        -------
        PlanState

        Raises
        ------
        InputError
            When the plan is not optimal or ``from_period`` is not a period of the horizon
            after the first.
        """
        k = _position(spec, from_period, "from_period")
        if not result.optimal:
            raise InputError(
                f"the plan has no state to foresee: its status is {result.status}",
                source="plan result",
                check=Check.BAD_ARGUMENT,
            )
        vintages, cip = _foreseen_capital(result, spec, k)
        previous = spec.periods[k - 1]
        loss = spec.storage_loss()
        stocks = result.stocks.reindex(index=loss.index)[previous].fillna(0.0) * (1.0 - loss)
        stocks = stocks.clip(lower=0.0)  # an optimal plan's stocks: below 0 only by tolerance
        before = list(spec.periods[:k])
        achieved = result.output.reindex(columns=before).fillna(0.0).sum(axis=1)
        return cls(
            period=int(from_period),
            capacity=vintages,
            construction_in_progress=cip,
            stocks=stocks.astype(float),
            achieved=achieved.astype(float),
            provenance={"source": "plan", "spec": spec.name, "from_period": int(from_period)},
        )

    # ------------------------------------------------------------------ round trips
    def to_dict(self) -> dict[str, Any]:
        """The state as plain values (strict-JSON ready): its fields and four tables."""
        meta = {"kind": STATE_KIND, "period": self.period, "provenance": finite(self.provenance)}
        tables = {
            "capacity": self.capacity,
            "construction_in_progress": self.construction_in_progress,
            "stocks": self.stocks_table(),
            "achieved": pd.DataFrame(
                {
                    "product": self.achieved.index.to_numpy(object),
                    "achieved": self.achieved.to_numpy(float),
                }
            ),
        }
        return result_document(meta, tables)

    @classmethod
    def from_dict(cls, doc: dict[str, Any], source: str = "plan state") -> PlanState:
        """The state written by :meth:`to_dict`."""
        kind = doc.get("kind")
        if kind != STATE_KIND:
            raise InputError(
                f"not a plan state: the document holds a {kind!r}",
                source=source,
                check=Check.BAD_ARGUMENT,
            )
        names = ("capacity", "construction_in_progress", "stocks", "achieved")
        frames = document_tables(doc, names, needs="a plan state needs", source=source)
        columns = {"capacity": CAPACITY_COLUMNS, "construction_in_progress": IN_PROGRESS_COLUMNS}
        tables = {
            name: frames[name].reindex(columns=list(cols))
            if not len(frames[name])
            else frames[name]
            for name, cols in columns.items()
        }
        series = {}
        for name, column in (("stocks", "stock"), ("achieved", "achieved")):
            frame = frames[name]
            values = frame[column].to_numpy(float) if len(frame) else np.zeros(0)
            labels = frame["product"].astype(str).to_numpy() if len(frame) else []
            series[name] = pd.Series(values, index=pd.Index(labels, dtype=object), dtype=float)
        return cls(
            period=int(doc["period"]),
            provenance=dict(doc.get("provenance") or {}),
            **tables,
            **series,
        )

    def write(self, path: str | Path) -> Path:
        """Write the state as one strict-JSON file; :meth:`read` reads it back."""
        path = Path(path)
        path.write_text(strict_json(self.to_dict()), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: str | Path) -> PlanState:
        """A state written by :meth:`write`."""
        return cls.from_dict(read_json(Path(path)), str(path))


def _position(spec: PlanSpec, period: object, name: str) -> int:
    """Position of ``period`` in the horizon, after the first; else an InputError."""
    periods = spec.periods
    try:
        k = periods.index(int(period))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        k = -1
    if k < 1 or isinstance(period, bool):
        raise InputError(
            f"{name} {period!r} is not a period of the horizon {periods[0]}–{periods[-1]} after "
            "the first (re-planning starts after something has happened)",
            source="re-plan",
            label=name,
            check=Check.UNKNOWN_LABEL,
        )
    return k


def _foreseen_capital(
    result: PlanResult, spec: PlanSpec, k: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The vintages in service and the construction in progress at the start of period ``k``."""
    eco, start = spec.economy, spec.start
    life = np.asarray(eco.service_life, float)
    keep = 1.0 - spec.depreciation_rates()
    period = start + k
    rows: list[tuple[int, int, float]] = []  # activity position, year built, capacity
    cip: list[tuple[int, int, float, float]] = []  # position, completion, capacity, remaining

    def serve(j: int, built: int, amount: float, since: int) -> None:
        """A vintage built in ``built``, depreciating from ``since``, if still in service."""
        if np.isnan(life[j]) or period < built + life[j]:
            rows.append((j, built, amount * keep[j] ** (period - since)))

    capped = np.isfinite(np.asarray(eco.capacity, float))
    with_vintage = np.zeros(eco.n_activities, dtype=bool)
    if len(spec.vintages):
        pos = eco.activity_labels.get_indexer(spec.vintages["activity"])
        with_vintage[pos] = capped[pos] = True
        for j, b, c in zip(
            pos, spec.vintages["year_built"], spec.vintages["capacity"], strict=True
        ):
            serve(int(j), int(b), float(c), start)
    for j in np.flatnonzero(capped & ~with_vintage):
        serve(int(j), start, float(np.asarray(eco.capacity, float)[j]), start)
    _in_progress_rows(spec, k, serve, cip)
    _investment_rows(result, spec, k, serve, cip)
    labels = eco.activity_labels
    for j in np.flatnonzero(capped):  # every capped activity has a row, 0 when none is left
        rows.append((int(j), period - 1, 0.0))
    vint = pd.DataFrame(rows, columns=["pos", "year_built", "capacity"])
    vint = vint.groupby(["pos", "year_built"], as_index=False, sort=True)["capacity"].sum()
    some = vint.groupby("pos")["capacity"].transform("sum") > 0
    vint = vint[(vint["capacity"] > 0) | (~some & (vint["year_built"] == period - 1))]
    vintages = pd.DataFrame(
        {
            "activity": labels.to_numpy(object)[vint["pos"].to_numpy(int)],
            "year_built": vint["year_built"].to_numpy(int),
            "capacity": vint["capacity"].to_numpy(float),
        }
    )
    table = pd.DataFrame(cip, columns=["pos", "completion", "capacity", "remaining"])
    table["spent"] = table["capacity"] * table["remaining"]
    table = table[table["capacity"] > 0]
    table = table.groupby(["pos", "completion"], as_index=False, sort=True)[
        ["capacity", "spent"]
    ].sum()
    in_progress = pd.DataFrame(
        {
            "activity": labels.to_numpy(object)[table["pos"].to_numpy(int)],
            "completion": table["completion"].to_numpy(int),
            "capacity": table["capacity"].to_numpy(float),
            "remaining": (table["spent"] / table["capacity"]).to_numpy(float),
        }
    )
    return vintages.reset_index(drop=True), in_progress.reset_index(drop=True)


def _in_progress_rows(spec: PlanSpec, k: int, serve: Any, cip: list) -> None:
    """The spec's own construction in progress at the start of period ``k``."""
    table = spec.construction_in_progress
    if not len(table):
        return
    eco, start = spec.economy, spec.start
    shares = spec.construction_in_progress_shares()
    pos = eco.activity_labels.get_indexer(table["activity"])
    done = table["completion"].to_numpy(int)
    cap = table["capacity"].to_numpy(float)
    remaining = table["remaining"].to_numpy(float)
    for i in range(len(table)):
        if done[i] < start + k:
            serve(int(pos[i]), int(done[i]), float(cap[i]), int(done[i]))
        else:
            left = remaining[i] * float(shares[i, k:].sum())
            cip.append((int(pos[i]), int(done[i]), float(cap[i]), left))


def _investment_rows(result: PlanResult, spec: PlanSpec, k: int, serve: Any, cip: list) -> None:
    """The plan's investments started before period ``k``: in service, or under way."""
    eco, start, T = spec.economy, spec.start, spec.n_periods
    inv = (
        result.investment.reindex(index=eco.activity_labels, columns=list(spec.periods))
        .fillna(0.0)
        .to_numpy(float)
    )
    lag = spec.lag_of()
    profile = spec.construction_profile(int(max(lag.max(initial=1), T)) + T)
    for j, s in zip(*np.nonzero(inv[:, :k] > 0), strict=True):
        done = int(s + lag[j])  # position of the completion period
        if done < k:
            serve(int(j), start + done, float(inv[j, s]), start + done)
        else:
            left = float(profile[j, k - s : done - s].sum()) if done > k else 0.0
            cip.append((int(j), start + done, float(inv[j, s]), left))
