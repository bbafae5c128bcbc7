"""Shocks to a simulation: what is lost (or promised), where, from when, and how it recovers.

A shocks table has one row per shock (:data:`SHOCK_COLUMNS`; ``product``, ``from_step`` and
``share`` or ``share_min``/``share_max`` are needed, the others have defaults):

``kind``
    ``"capacity"`` (default): a share of the product's capacity is lost (a mine floods, a
    works burns); ``"harvest"``: the same for a crop, by default for one period of the plan
    (until the next harvest; ``curve`` ``"step"``); ``"labour"``: ``product`` names a labour
    type and the share is of its available labour (workers leave); ``"transport"``: a share
    of the product's shipments is held up (``product`` ``"*"``: every product's) — the goods
    wait with the supplier and go out when transport allows; ``"counter_plan"``: a
    counter-plan accepted without its inputs (the 1929–30 practice) — the product's capacity
    and the final demand counting on it both rise by ``share`` of its capacity, while nothing
    upstream is raised.
``recovery``, ``curve``
    Steps over which the loss fades, and how: ``"linear"`` (default; the loss falls
    evenly to nothing after ``recovery`` steps), ``"exponential"`` (``share * exp(-e / R)``
    after ``e`` steps: ``recovery`` is the e-folding time), ``"step"`` (the whole share for
    ``recovery`` steps, then nothing). ``recovery`` 0: never recovers (for a harvest: one
    plan period where the run knows its periods, else never).
``share_min``, ``share_max``
    A range instead of ``share``: each run draws the share uniformly in it from the run's
    ``seed`` (rows in order), so an ensemble of seeds spans the range (a harvest between the
    grain table's low and high).

:func:`shock_set` checks a table (collecting every problem: unknown kind, product, labour
type or curve, shares outside [0, 1], a start outside the run, negative recovery) and turns
it into :class:`Shocks` per kind; :meth:`Shocks.loss` gives each shock's loss at a step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.checks import Check, Problems
from gosplan.errors import InputError

#: Columns of a shocks table (``product``, ``from_step`` and a share are needed).
SHOCK_COLUMNS = (
    "product",
    "from_step",
    "share",
    "recovery",
    "kind",
    "curve",
    "share_min",
    "share_max",
)
#: Kinds of shock.
SHOCK_KINDS = ("capacity", "harvest", "labour", "transport", "counter_plan")
#: Recovery curves.
CURVES = ("linear", "exponential", "step")
#: The ``product`` of a transport shock on every product's shipments.
EVERY_PRODUCT = "*"
_LINEAR, _EXPONENTIAL, _STEP = range(3)


@dataclass(frozen=True)
class Shocks:
    """Shocks of one kind, as arrays: target position, start step, share, recovery, curve."""

    target: np.ndarray
    start: np.ndarray
    share: np.ndarray
    recovery: np.ndarray
    curve: np.ndarray

    @classmethod
    def none(cls) -> Shocks:
        """No shock."""
        ints, floats = np.zeros(0, np.int64), np.zeros(0)
        return cls(ints, ints, floats, floats, ints)

    def __len__(self) -> int:
        return len(self.target)

    def loss(self, t: int) -> np.ndarray:
        """Each shock's loss (a share) at step ``t``: 0 before it starts."""
        elapsed = t - self.start
        rec = np.where(self.recovery > 0, self.recovery, 1.0)
        never = self.recovery <= 0
        linear = np.clip(1.0 - elapsed / rec, 0.0, 1.0)
        exponential = np.exp(-np.maximum(elapsed, 0) / rec)
        step = (elapsed < rec).astype(float)
        fading = np.select(
            [self.curve == _LINEAR, self.curve == _EXPONENTIAL], [linear, exponential], step
        )
        fading = np.where(never, 1.0, fading)
        return np.where(elapsed >= 0, self.share * fading, 0.0)

    def factor(self, t: int, n: int) -> np.ndarray:
        """``prod (1 - loss)`` over the shocks of each of ``n`` targets at step ``t``.

        A shock on target ``-1`` is on every target.
        """
        out = np.ones(n)
        if len(self):
            kept, every = 1.0 - self.loss(t), self.target < 0
            np.multiply.at(out, self.target[~every], kept[~every])
            out *= np.prod(kept[every])
        return out

    def added(self, t: int, n: int) -> np.ndarray:
        """The sum of the shocks' shares in force on each of ``n`` targets at step ``t``."""
        out = np.zeros(n)
        if len(self):
            np.add.at(out, self.target, self.loss(t))
        return out


@dataclass(frozen=True)
class ShockSet:
    """The shocks of a run by kind (capacity includes harvests; targets are positions)."""

    capacity: Shocks
    labour: Shocks
    transport: Shocks
    counter_plan: Shocks

    @classmethod
    def none(cls) -> ShockSet:
        """No shock of any kind."""
        return cls(Shocks.none(), Shocks.none(), Shocks.none(), Shocks.none())

    def __len__(self) -> int:
        return len(self.capacity) + len(self.labour) + len(self.transport) + len(self.counter_plan)


def shock_set(
    table: pd.DataFrame | None,
    labels: pd.Index,
    types: pd.Index,
    labour_limited: np.ndarray,
    steps: int,
    problems: Problems,
    *,
    seed: int | None = None,
    period_steps: int = 0,
) -> ShockSet:
    """Check a shocks table (problems into ``problems``) and split it by kind.

    Parameters
    ----------
    table
        The shocks (see the module); ``attrs["source"]`` names it in messages.
    labels, types
        The products and the labour types of the economy.
    labour_limited
        Per labour type, whether the run limits it (a labour shock needs a limit to cut).
    steps
        Steps of the run (a shock starts at one of them).
    problems
        Where every problem goes.
    seed
        Seed of the draws of ``share_min``/``share_max`` rows.
    period_steps
        Steps in a period of the plan (a harvest without ``recovery`` lasts one); 0: none.
    """
    if table is None or not len(table):
        return ShockSet.none()
    source = str(table.attrs.get("source", "shocks"))
    _need_columns(table, source)
    names = [str(p) for p in table["product"]]
    kinds = _texts(table, "kind", "capacity")
    curves = _texts(table, "curve", "")
    pos = _positions(names, kinds, labels, types, labour_limited, problems, source)
    start, share, recovery = _numbers(table, names, kinds, steps, problems, source, seed)
    curve = _curves(curves, kinds, names, problems, source)
    if problems:
        return ShockSet.none()
    harvest_default = (kinds == "harvest") & (recovery <= 0) & (period_steps > 0)
    recovery = np.where(harvest_default, float(period_steps), recovery)

    def part(*kind: str) -> Shocks:
        mask = np.isin(kinds, kind)
        return Shocks(
            pos[mask].astype(np.int64),
            start[mask].astype(np.int64),
            share[mask],
            recovery[mask],
            curve[mask],
        )

    return ShockSet(
        part("capacity", "harvest"), part("labour"), part("transport"), part("counter_plan")
    )


def _need_columns(table: pd.DataFrame, source: str) -> None:
    for col in ("product", "from_step"):
        if col not in table.columns:
            raise InputError(
                f"the shocks table needs the column {col!r}",
                source=source,
                check=Check.MISSING_COLUMN,
            )
    if "share" not in table.columns and not {"share_min", "share_max"} <= set(table.columns):
        raise InputError(
            "the shocks table needs the column 'share' (or 'share_min' and 'share_max')",
            source=source,
            check=Check.MISSING_COLUMN,
        )


def _texts(table: pd.DataFrame, col: str, default: str) -> np.ndarray:
    if col not in table.columns:
        return np.full(len(table), default, dtype=object)
    values = table[col].astype(object).where(table[col].notna(), default)
    return np.array([str(v).strip() or default for v in values], dtype=object)


def _positions(
    names: list[str],
    kinds: np.ndarray,
    labels: pd.Index,
    types: pd.Index,
    labour_limited: np.ndarray,
    problems: Problems,
    source: str,
) -> np.ndarray:
    """Each shock's product (or labour type) position; ``-1``: every product (transport)."""
    known = np.isin(kinds, SHOCK_KINDS)
    problems.add_rows(
        ~known,
        lambda r: f"unknown shock kind {kinds[r]!r}; choose {', '.join(SHOCK_KINDS)}",
        source=source,
        labels=names,
        check=Check.BAD_OPTION,
    )
    is_labour = kinds == "labour"
    index = pd.Index(names)
    pos = np.where(is_labour, types.get_indexer(index), labels.get_indexer(index))
    every = (kinds == "transport") & (np.array(names, dtype=object) == EVERY_PRODUCT)
    pos = np.where(every, -1, pos)
    problems.add_rows(
        known & ~is_labour & ~every & (pos < 0),
        "a shock for a product the economy does not make",
        source=source,
        labels=names,
        check=Check.UNKNOWN_LABEL,
    )
    problems.add_rows(
        is_labour & (pos < 0),
        "a labour shock for a labour type the economy does not have",
        source=source,
        labels=names,
        check=Check.UNKNOWN_LABEL,
    )
    limited = np.append(np.asarray(labour_limited, dtype=bool), False)
    problems.add_rows(
        is_labour & (pos >= 0) & ~limited[np.where(is_labour & (pos >= 0), pos, -1)],
        "a labour shock needs the labour available of its type (the labour argument)",
        source=source,
        labels=names,
        check=Check.MISSING_VALUE,
    )
    return pos


def _column(
    table: pd.DataFrame, col: str, default: float, names: list[str], problems: Problems, source: str
) -> np.ndarray:
    if col not in table.columns:
        return np.full(len(table), default)
    raw = table[col]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    problems.add_rows(
        raw.notna().to_numpy() & ~np.isfinite(values),
        f"the shock's {col!r} must be a finite number",
        source=source,
        labels=names,
        check=Check.NON_NUMERIC,
    )
    return np.where(raw.isna().to_numpy(), np.nan if col.startswith("share") else default, values)


def _numbers(
    table: pd.DataFrame,
    names: list[str],
    kinds: np.ndarray,
    steps: int,
    problems: Problems,
    source: str,
    seed: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shocks' start, share (drawn where a range is given) and recovery, each checked."""

    def col(name: str, default: float) -> np.ndarray:
        return _column(table, name, default, names, problems, source)

    start, recovery = col("from_step", np.nan), col("recovery", 0.0)
    share = _shares(
        col("share", np.nan),
        col("share_min", np.nan),
        col("share_max", np.nan),
        names,
        kinds,
        problems,
        source,
        seed,
    )
    bad_start = ~np.isfinite(start) | (start < 0) | (start >= steps) | (start != np.round(start))
    problems.add_rows(
        bad_start,
        lambda r: f"a shock's from_step must be a step of the run, 0 to {steps - 1} ({start[r]:g})",
        source=source,
        labels=names,
        check=Check.OUT_OF_RANGE,
    )
    problems.add_rows(
        recovery < 0,
        lambda r: f"a shock's recovery cannot be negative ({recovery[r]:g})",
        source=source,
        labels=names,
        check=Check.NEGATIVE_VALUE,
    )
    return np.where(np.isfinite(start), start, 0), share, recovery


def _shares(
    share: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    names: list[str],
    kinds: np.ndarray,
    problems: Problems,
    source: str,
    seed: int | None,
) -> np.ndarray:
    """The share of each shock: given, or drawn uniformly from ``[share_min, share_max]``."""
    ranged = np.isnan(share) & np.isfinite(low) & np.isfinite(high)
    problems.add_rows(
        np.isnan(share) & ~ranged,
        "a shock needs a share (or both share_min and share_max)",
        source=source,
        labels=names,
        check=Check.MISSING_VALUE,
    )
    problems.add_rows(
        ranged & (low > high),
        lambda r: f"a shock's share_min ({low[r]:g}) is above its share_max ({high[r]:g})",
        source=source,
        labels=names,
        check=Check.OUT_OF_RANGE,
    )
    draws = np.random.default_rng(seed).uniform(size=len(share))
    out = np.where(ranged, low + draws * (high - low), share)
    for values in (share, low, high):
        _share_range(values, kinds, names, problems, source)
    return np.where(np.isfinite(out), out, 0.0)


def _share_range(
    values: np.ndarray, kinds: np.ndarray, names: list[str], problems: Problems, source: str
) -> None:
    """Shares are parts, 0 to 1 (a counter-plan's may exceed 1: it doubles output and more)."""
    problems.add_rows(
        values < 0,
        lambda r: f"a shock's share cannot be negative ({values[r]:g})",
        source=source,
        labels=names,
        check=Check.NEGATIVE_VALUE,
    )
    problems.add_rows(
        (values > 1) & (kinds != "counter_plan"),
        lambda r: (
            f"a shock's share is a part of capacity, labour or shipments, at most 1 ({values[r]:g})"
        ),
        source=source,
        labels=names,
        check=Check.OUT_OF_RANGE,
    )


def _curves(
    curves: np.ndarray, kinds: np.ndarray, names: list[str], problems: Problems, source: str
) -> np.ndarray:
    """Curve codes; blank: ``"step"`` for a harvest, else ``"linear"``."""
    filled = np.where(curves == "", np.where(kinds == "harvest", "step", "linear"), curves)
    problems.add_rows(
        ~np.isin(filled, CURVES),
        lambda r: f"unknown recovery curve {filled[r]!r}; choose {', '.join(CURVES)}",
        source=source,
        labels=names,
        check=Check.BAD_OPTION,
    )
    codes: dict[Any, int] = {name: i for i, name in enumerate(CURVES)}
    return np.array([codes.get(c, _LINEAR) for c in filled], dtype=np.int64)
