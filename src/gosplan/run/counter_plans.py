"""Counter-plans checked upstream: whether the adopted plan's slack can supply them.

"When workers insisted on doubling output, where were they to obtain the new raw
materials?" A **counter-plan** raises an enterprise's output in some periods (and may raise
its norms: less of an input or of a labour type per unit of its activity level).
:func:`check_counter_plan` follows the extra output up the supply chain and sets the whole
requirement against what the adopted plan leaves free.

The counter-plan table
----------------------
Columns ``counter_plan``, ``enterprise`` (or ``activity``), ``period``, ``extra_output``
[, ``input``, ``new_coefficient``]: the extra output of the enterprise's product in that
period and, optionally, the new use of ``input`` (a product or a labour type) per unit of the
enterprise's activity level. Several rows of one counter-plan, enterprise and period name
several inputs; they repeat the same ``extra_output`` (or leave it blank).
:func:`read_counter_plans` reads the table from CSV or Parquet; every problem is reported at
once (:class:`~gosplan.errors.ValidationError`), rows numbered as on disk.

Problems of the table
~~~~~~~~~~~~~~~~~~~~~
An unknown enterprise or activity, a period outside the plan, a negative extra output, a
new norm for an input the activity does not use or a negative one, duplicate
(counter_plan, enterprise, period, input) rows.

The requirement
---------------
For an enterprise running activity ``a`` (making product ``p``) with planned level ``L``
(its share of the activity's planned level, by capacity), extra output ``q`` and new input
norms ``A'`` (the activity's norms elsewhere), the extra gross output ``X`` of every product
solves one Leontief system per period with the technology the plan runs,

    (I - A) X = q e_p - (A_a - A') (q + L),

the extra output net of what the raised norms save on the enterprise's whole level. The
cached solver of the economy solves it (the right-hand sides of a batch together); a large
economy solved iteratively solves the same equations restricted to the products upstream of
the counter-plans (the only ones with a non-zero requirement), factorised once per batch.
Labour is ``labour @ X`` with the enterprise's own norm (its ``labour_factor``, or the new
coefficient) for its own level, plus, with ``session_labour``, the labour of the planning
sessions. An economy with several techniques per product uses, in each period, the
technique the plan runs most of (its active technique).

Accepting a share ``s`` of a counter-plan means ``s q`` of extra output with the new norms
in full: the requirement is ``s G + H`` (``G`` of the extra output, ``H`` of the norms on the
planned level and the sessions, usually a saving).

Slack and the accepted share
----------------------------
The **slack** of the plan is capacity less planned level (per activity and period), labour
and resources available less the plan's use, and the stock the plan carries out of a
period: drawing it in period ``t`` lowers every later stock, so the draws up to a period may
not exceed that period's stock. The **accepted share** is the largest ``s`` in ``[0, 1]``
with ``s G + H`` within the slack of every capacity, labour type, resource and stock. With no
stock to draw it is the smallest ``(slack - H) / G`` over the items with ``G > 0`` (closed
form); with stocks an LP (``scipy.optimize.linprog``, HiGHS).

Modes
-----
``inquiry`` (the default) checks each counter-plan alone against the plan's slack;
``commit`` checks them in order of submission (first appearance in ``counter_plan``), each
accepted share reserving its slack (and stock draws) for the next; ``joint`` finds one
common largest share for the whole batch (its summary rows share it; ``missing`` and
``starved`` are the batch's, under the counter-plan ``"joint"``).

Session labour
--------------
``session_labour`` is the labour of the planning sessions, in person-years per worker per
period (default 0: not counted). The seeds' half an hour a day is about 1/16 of a working
day, :data:`SEED_SESSION_LABOUR`. Each counter-plan's sessions take that share of its
enterprises' planned employment from the labour slack, whatever share is accepted.

Missing and starved
-------------------
``missing`` lists what is needed beyond the slack to accept a counter-plan in full (after
the stocks it can draw, earliest first). ``starved`` says whose targets would fall short if
it were accepted in full anyway: the missing extra output of a product is taken first from
the plan's free final use of it (other final use, and consumption above its floor), then
from its output; a target of that product and period whose output falls below the target is
listed with ``planned`` (the plan's output), ``would_get`` and ``shortfall``. Missing labour
or resources are listed in ``missing`` but not traced to targets.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.optimize import linprog

from gosplan.core.checks import Problems
from gosplan.core.counter_plan_check import (
    MISSING_COLUMNS,
    MODES,
    REQUIREMENT_COLUMNS,
    SLACK_COLUMNS,
    STARVED_COLUMNS,
    SUMMARY_COLUMNS,
    CounterPlanCheck,
)
from gosplan.core.economy import Economy
from gosplan.core.enterprises import enterprises_of
from gosplan.core.plan_result import PlanResult
from gosplan.core.serial import read_table
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError

__all__ = [
    "COUNTER_PLAN_COLUMNS",
    "SEED_SESSION_LABOUR",
    "CounterPlanCheck",
    "check_counter_plan",
    "read_counter_plans",
]

#: Required columns of a counter-plan table (``activity`` may stand for ``enterprise``).
COUNTER_PLAN_COLUMNS = ("counter_plan", "enterprise", "period", "extra_output")
#: Optional columns: a raised norm.
NORM_COLUMNS = ("input", "new_coefficient")
#: The seeds' planning sessions: half an hour a day, about 1/16 of an 8-hour working day.
SEED_SESSION_LABOUR = 1.0 / 16.0
#: Largest upstream set solved apart from the cached solver (else the cached solver runs).
CLOSURE_MAX = 200_000
#: Right-hand sides solved together on their upstream products.
CLOSURE_GROUP = 32
#: Entries of a right-hand-side block (rows x columns) solved at once.
BLOCK_ENTRIES = 20_000_000
_TOL = 1e-9


# ---------------------------------------------------------------------------- the table
def read_counter_plans(path: str | Path) -> pd.DataFrame:
    """Read a counter-plan table from CSV or Parquet.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    pandas.DataFrame
        The table as read, ``attrs["source"]`` naming the file, so that
        :func:`check_counter_plan` reports problems by file and row (header = row 1).

    Raises
    ------
    InputError
        If the file cannot be read (``check="unreadable_file"``).
    """
    path = Path(path)
    try:
        table = read_table(path)
    except FileNotFoundError:
        raise InputError("no such file", source=str(path), check="unreadable_file") from None
    except InputError as err:
        raise InputError(err.message, source=str(path), check="unreadable_file") from None
    for col in ("counter_plan", "enterprise", "activity", "input"):
        if col in table.columns:
            table[col] = [None if _blank(v) else str(v) for v in table[col]]
    table.attrs["source"] = str(path)
    return table


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


@dataclass
class _Entry:
    """One enterprise's part of a counter-plan in one period."""

    activity: int
    period: int  # position in the plan's periods
    extra: float
    share: float  # the enterprise's share of the activity's planned level
    labour_factor: float
    inputs: dict[int, float] = field(default_factory=dict)  # product position -> new norm
    labour: dict[int, float] = field(default_factory=dict)  # labour type position -> new norm


@dataclass
class _CounterPlan:
    name: str
    entries: list[_Entry] = field(default_factory=list)


def _number(value: object) -> float | None:
    if _blank(value):
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def _enterprises(economy: Economy) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray] | None:
    """Enterprise labels, activity positions, shares of their activity and labour factors.

    ``None`` when the economy has no enterprises table (one enterprise per activity).
    """
    table = getattr(economy, "enterprises", None)
    if table is None or not len(table):
        return None
    table = enterprises_of(economy)
    act = economy.activity_labels.get_indexer(table["activity"].astype(str))
    cap = pd.to_numeric(table["capacity"], errors="coerce").to_numpy(float)
    finite = np.where(np.isfinite(cap) & (cap > 0), cap, 0.0)
    total = np.bincount(np.maximum(act, 0), weights=finite, minlength=economy.n_activities)
    count = np.bincount(np.maximum(act, 0), minlength=economy.n_activities)
    safe = np.maximum(act, 0)
    share = np.where(total[safe] > 0, finite / np.where(total[safe] > 0, total[safe], 1.0), 0.0)
    share = np.where(total[safe] > 0, share, 1.0 / np.maximum(count[safe], 1))
    factor = table["labour_factor"].to_numpy(float)
    return pd.Index(table["enterprise"].astype(str)), act, share, factor


@dataclass
class _Reading:
    """What validating the counter-plan table needs, and what it has grouped so far."""

    economy: Economy
    periods: Sequence[int]
    where: str
    by: str  # "enterprise" or "activity"
    has_input: bool
    known: tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray] | None
    ent_pos: np.ndarray  # per row: position of the enterprise (or activity), -1 unknown
    period_pos: dict[int, int]
    A: sp.csc_array
    labour: sp.csc_array | None
    problems: Problems = field(default_factory=Problems)
    plans: dict[str, _CounterPlan] = field(default_factory=dict)
    entries: dict[tuple[str, int, int], _Entry] = field(default_factory=dict)
    seen: set[tuple[str, int, int, str]] = field(default_factory=set)

    def add(self, message: str, line: int, label: str | None, check: str) -> None:
        self.problems.add(message, source=self.where, row=line, label=label, check=check)


def _parse(
    table: pd.DataFrame, economy: Economy, periods: Sequence[int], source: str | None
) -> list[_CounterPlan]:
    """Validate the counter-plan table (every problem at once) and group it."""
    problems = Problems()
    where = source or "counter plans"
    if not isinstance(table, pd.DataFrame):
        raise InputError("counter plans must be a pandas DataFrame", check="bad_argument")
    by, has_input = _table_columns(table, where)
    known = _enterprises(economy) if by == "enterprise" else None
    labels = pd.Index([str(v) for v in table[by]])
    if known is not None:
        ent_pos = known[0].get_indexer(labels)
    else:
        ent_pos = economy.activity_labels.get_indexer(labels)
    reading = _Reading(
        economy=economy,
        periods=periods,
        where=where,
        by=by,
        has_input=has_input,
        known=known,
        ent_pos=ent_pos,
        period_pos={int(p): k for k, p in enumerate(periods)},
        A=sp.csc_array(economy.technology),
        labour=sp.csc_array(economy.labour) if economy.labour is not None else None,
        problems=problems,
    )
    for k, row in enumerate(table.to_dict(orient="records")):
        _parse_row(reading, k, row)
    problems.raise_if_any()
    return list(reading.plans.values())


def _table_columns(table: pd.DataFrame, where: str) -> tuple[str, bool]:
    """The column naming enterprises (or activities), and whether the table has new norms."""
    by = "enterprise" if "enterprise" in table.columns else "activity"
    missing = [c for c in ("counter_plan", by, "period", "extra_output") if c not in table.columns]
    if by not in table.columns:
        missing = [c if c != "activity" else "enterprise (or activity)" for c in missing]
    if missing:
        raise InputError(
            f"the counter-plan table needs the columns {', '.join(missing)}",
            source=where,
            check="missing_column",
        )
    has_input = "input" in table.columns
    if has_input != ("new_coefficient" in table.columns):
        raise InputError(
            "a raised norm needs both columns 'input' and 'new_coefficient'",
            source=where,
            check="missing_column",
        )
    return by, has_input


def _parse_row(reading: _Reading, k: int, row: dict[Any, Any]) -> None:
    """Check one row (``k``, from 0) and add it to its counter-plan."""
    line = k + 2
    ent_v = row.get(reading.by)
    label = None if _blank(ent_v) else str(ent_v)
    bad = _check_names(reading, k, row, line, label)
    t = _check_period(reading, row, line, label)
    extra = _number(row.get("extra_output"))
    norm_input = row.get("input") if reading.has_input else None
    bad = _check_extra(reading, row, extra, norm_input, line, label) or bad
    if bad or t is None:
        return
    found = _group_row(reading, k, row, t, extra, line, label)
    if found is None:
        return
    key, entry = found
    _add_norm(reading, key, entry, row, norm_input, line, label)


def _check_names(
    reading: _Reading, k: int, row: dict[Any, Any], line: int, label: str | None
) -> bool:
    """Report a blank counter-plan name and a blank or unknown enterprise; ``True`` if bad."""
    bad = False
    if _blank(row.get("counter_plan")):
        reading.add("the counter_plan is blank", line, None, "missing_value")
        bad = True
    if label is None:
        reading.add(f"the {reading.by} is blank", line, None, "missing_value")
        bad = True
    elif reading.ent_pos[k] < 0:
        if reading.by == "enterprise":
            reading.add("no such enterprise in the economy", line, label, "unknown_enterprise")
        else:
            reading.add("no such activity in the economy", line, label, "unknown_label")
        bad = True
    return bad


def _check_period(
    reading: _Reading, row: dict[Any, Any], line: int, label: str | None
) -> int | None:
    """The row's position in the plan's periods; ``None`` (reported) when it has none."""
    period = _number(row.get("period"))
    periods = reading.periods
    if period is None or not math.isfinite(period) or period != int(period):
        reading.add(
            f"the period must be a whole number, got {row.get('period')!r}",
            line,
            label,
            "non_numeric",
        )
        return None
    if int(period) not in reading.period_pos:
        reading.add(
            f"period {int(period)} is outside the plan ({periods[0]}-{periods[-1]})",
            line,
            label,
            "period_outside_plan",
        )
        return None
    return reading.period_pos[int(period)]


def _check_extra(
    reading: _Reading,
    row: dict[Any, Any],
    extra: float | None,
    norm_input: object,
    line: int,
    label: str | None,
) -> bool:
    """Report a blank (without a new norm), non-numeric or negative extra output."""
    if extra is None and _blank(norm_input):
        reading.add("extra_output is blank", line, label, "missing_value")
        return True
    if extra is not None and not math.isfinite(extra):
        reading.add(
            f"extra_output must be a number, got {row.get('extra_output')!r}",
            line,
            label,
            "non_numeric",
        )
        return True
    if extra is not None and extra < 0:
        reading.add(
            f"extra_output is negative ({extra:g}): a counter-plan raises output",
            line,
            label,
            "negative_output",
        )
        return True
    return False


def _group_row(
    reading: _Reading,
    k: int,
    row: dict[Any, Any],
    t: int,
    extra: float | None,
    line: int,
    label: str | None,
) -> tuple[tuple[str, int, int], _Entry] | None:
    """The entry of the row's counter-plan, enterprise and period (made on first sight).

    ``None`` (reported) when the row's extra output contradicts the entry's.
    """
    pos = int(reading.ent_pos[k])
    if reading.known is not None:
        act = int(reading.known[1][pos])
        share, factor = float(reading.known[2][pos]), float(reading.known[3][pos])
    else:
        act, share, factor = pos, 1.0, 1.0
    name = str(row.get("counter_plan"))
    key = (name, pos, t)
    entry = reading.entries.get(key)
    if entry is None:
        entry = _Entry(act, t, 0.0 if extra is None else extra, share, factor)
        reading.entries[key] = entry
        reading.plans.setdefault(name, _CounterPlan(name)).entries.append(entry)
    elif extra is not None:
        if entry.extra == 0.0 and not any(r for r in (entry.inputs, entry.labour)):
            entry.extra = extra
        elif not math.isclose(entry.extra, extra) and extra != 0.0:
            reading.add(
                f"extra_output {extra:g} differs from {entry.extra:g} given for the same "
                "counter-plan, enterprise and period",
                line,
                label,
                "duplicate_label",
            )
            return None
    return key, entry


def _add_norm(
    reading: _Reading,
    key: tuple[str, int, int],
    entry: _Entry,
    row: dict[Any, Any],
    norm_input: object,
    line: int,
    label: str | None,
) -> None:
    """Record the row's new norm (if any) in its entry, reporting duplicates and bad values."""
    if _blank(norm_input):
        if (*key, "") in reading.seen:
            reading.add(
                "the counter-plan, enterprise and period appear twice",
                line,
                label,
                "duplicate_label",
            )
        reading.seen.add((*key, ""))
        return
    what = str(norm_input)
    if (*key, what) in reading.seen:
        reading.add(
            f"the new norm of {what!r} appears twice for the same counter-plan, "
            "enterprise and period",
            line,
            label,
            "duplicate_label",
        )
        return
    reading.seen.add((*key, what))
    coef = _number(row.get("new_coefficient"))
    if coef is None or not math.isfinite(coef):
        reading.add(
            f"new_coefficient must be a number, got {row.get('new_coefficient')!r}",
            line,
            what,
            "non_numeric",
        )
        return
    if coef < 0:
        reading.add(
            f"new_coefficient of {what!r} is negative ({coef:g})",
            line,
            what,
            "negative_coefficient",
        )
        return
    slot = _norm_slot(reading, entry, what, line)
    if slot is not None:
        target, pos = slot
        target[pos] = coef


def _norm_slot(
    reading: _Reading, entry: _Entry, what: str, line: int
) -> tuple[dict[int, float], int] | None:
    """Where the new norm of ``what`` goes (the entry's inputs or labour, and the position).

    ``None`` (reported) for an input that is neither a product nor a labour type, or one the
    activity does not use.
    """
    eco, act = reading.economy, entry.activity
    products, labour_types, labour = eco.product_labels, eco.labour_types, reading.labour
    p_pos = products.get_indexer([what])[0] if what in products else -1
    l_pos = labour_types.get_indexer([what])[0] if what in labour_types else -1
    if p_pos >= 0:
        old = float(reading.A[[p_pos], [act]][0])
        target, pos = entry.inputs, int(p_pos)
    elif l_pos >= 0 and labour is not None:
        old = float(labour[[l_pos], [act]][0])
        target, pos = entry.labour, int(l_pos)
    else:
        reading.add(
            "the input is neither a product nor a labour type of the economy",
            line,
            what,
            "unknown_label",
        )
        return None
    if old == 0.0:
        reading.add(
            f"activity {eco.activity_labels[act]!r} does not use {what!r}: "
            "a new norm needs an input the activity uses",
            line,
            what,
            "unknown_label",
        )
        return None
    return target, pos


# ---------------------------------------------------------------------------- the plan
@dataclass
class _Period:
    """The technology the plan runs in one period and its solver."""

    economy: Economy  # square: activities ordered like products
    act_of: np.ndarray  # position (in the full economy) of each product's active technique


@dataclass
class _Plan:
    """Arrays of the adopted plan, in economy order."""

    economy: Economy
    periods: tuple[int, ...]
    levels: np.ndarray  # activities x periods
    cap_slack: np.ndarray  # activities x periods (inf: unlimited)
    stocks: np.ndarray  # products x periods: end stocks carried
    lab_slack: np.ndarray  # labour types x periods
    res_slack: np.ndarray  # resources x periods
    tech: list[_Period]


def _grid(
    frame: pd.DataFrame, labels: pd.Index, periods: tuple[int, ...], fill: float
) -> np.ndarray:
    if frame is None or not len(frame.columns) or not len(labels):
        return np.full((len(labels), len(periods)), fill)
    out = frame
    if not (out.index.equals(labels) and list(out.columns) == list(periods)):
        out = out.copy()
        out.index = pd.Index([str(v) for v in out.index]) if len(out.index) else out.index
        names = labels if labels.dtype == object else labels.astype(str)
        out = out.reindex(index=names, columns=list(periods))
    return np.nan_to_num(out.to_numpy(dtype=float), nan=fill, posinf=np.inf)


def _available(
    table: pd.DataFrame, key: str, labels: pd.Index, periods: tuple[int, ...]
) -> np.ndarray:
    out = np.full((len(labels), len(periods)), np.inf)
    if table is None or not len(table):
        return out
    row = labels.get_indexer(table[key].astype(str))
    col = pd.Index(periods).get_indexer(pd.to_numeric(table["period"]).astype(int))
    ok = (row >= 0) & (col >= 0)
    out[row[ok], col[ok]] = table["available"].to_numpy(float)[ok]
    return out


def _plan(result: PlanResult, spec: PlanSpec) -> _Plan:
    if not isinstance(result, PlanResult) or not isinstance(spec, PlanSpec):
        raise InputError(
            "check_counter_plan takes the adopted PlanResult and its PlanSpec",
            check="bad_argument",
        )
    if not result.optimal:
        raise InputError(
            f"the plan is not optimal ({result.status}): there is no adopted plan to check against",
            check="bad_argument",
        )
    periods = tuple(int(p) for p in result.periods)
    if periods != tuple(spec.periods):
        raise InputError(
            "the plan's periods differ from the spec's: check it against the spec it was made from",
            check="bad_argument",
        )
    eco = spec.economy
    levels = _grid(result.activity_levels, eco.activity_labels, periods, 0.0)
    capacity = _grid(result.capacity, eco.activity_labels, periods, np.inf)
    cap_slack = np.maximum(capacity - levels, 0.0)
    stocks = np.maximum(_grid(result.stocks, eco.product_labels, periods, 0.0), 0.0)
    employment = _grid(result.employment, eco.labour_types, periods, 0.0)
    lab = _available(spec.labour_available, "labour_type", eco.labour_types, periods)
    res = _available(spec.resources_available, "resource", eco.resource_types, periods)
    res_use = np.asarray(eco.resources @ levels) if eco.resources is not None else res * 0
    return _Plan(
        economy=eco,
        periods=periods,
        levels=levels,
        cap_slack=cap_slack,
        stocks=stocks,
        lab_slack=np.maximum(lab - employment, 0.0),
        res_slack=np.maximum(res - res_use, 0.0),
        tech=_techniques(eco, levels),
    )


def _techniques(eco: Economy, levels: np.ndarray) -> list[_Period]:
    """The technology of each period.

    The one technique of a square economy, else the technique of each product the plan runs
    most of (ties and idle products: the first).
    """
    if eco.is_square:
        square = eco.square()
        act_of = np.argsort(eco.activity_product, kind="stable")
        return [_Period(square, act_of)] * levels.shape[1]
    out: list[_Period] = []
    cache: dict[tuple[int, ...], _Period] = {}
    made = eco.activity_product
    for t in range(levels.shape[1]):
        # per product the activity run most, the first among equals (a stable sort)
        order = np.lexsort((np.arange(eco.n_activities), -levels[:, t], made))
        first = np.ones(len(order), dtype=bool)
        first[1:] = made[order][1:] != made[order][:-1]
        best = np.full(eco.n_products, -1)
        best[made[order][first]] = order[first]
        key = tuple(int(a) for a in best)
        if key not in cache:
            choice = {
                str(eco.product_labels[p]): str(eco.activity_labels[a])
                for p, a in enumerate(best)
                if a >= 0
            }
            cache[key] = _Period(eco.select_techniques(choice), best)
        out.append(cache[key])
    return out


# ---------------------------------------------------------------------------- solving
def _closure(A: sp.csc_array, seeds: np.ndarray, limit: int) -> np.ndarray | None:
    """Every product upstream of ``seeds`` (and the seeds), sorted; ``None`` past ``limit``."""
    n = A.shape[0]
    seen = np.zeros(n, dtype=bool)
    frontier = np.unique(seeds)
    seen[frontier] = True
    count = frontier.size
    indptr, indices = A.indptr, A.indices
    while frontier.size:
        starts, ends = indptr[frontier], indptr[frontier + 1]
        lengths = ends - starts
        if not lengths.sum():
            break
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        rows = indices[np.arange(int(lengths.sum())) + offsets]
        rows = np.unique(rows)
        rows = rows[~seen[rows]]
        seen[rows] = True
        count += rows.size
        if count > limit:
            return None
        frontier = rows
    return np.flatnonzero(seen)


def _solve(period: _Period, B: sp.csc_array) -> list[tuple[np.ndarray, np.ndarray]]:
    """Solve ``(I - A) X = B`` column by column, each answer as (positions, values)."""
    eco = period.economy
    n, k = B.shape
    out: list[tuple[np.ndarray, np.ndarray]] = []
    if k == 0:
        return out
    solver = eco.leontief_solver()
    A = sp.csc_array(eco.technology)
    if solver.method != "iterative":  # the cached solver itself, the right-hand sides in blocks
        width = max(1, BLOCK_ENTRIES // max(n, 1))
        for lo in range(0, k, width):
            X = solver.solve(B[:, lo : lo + width].toarray()).x.reshape(n, -1)
            for j in range(X.shape[1]):
                idx = np.flatnonzero(X[:, j])
                out.append((idx, X[idx, j]))
        return out
    # the same equations on the products upstream of the right-hand sides (exact: every
    # product outside them has a zero requirement), in groups of columns, each factorised once
    empty = (np.zeros(0, dtype=int), np.zeros(0))
    answers: list[tuple[np.ndarray, np.ndarray]] = [empty] * k
    live = np.flatnonzero(np.diff(B.indptr) > 0)
    for lo in range(0, live.size, CLOSURE_GROUP):
        cols = live[lo : lo + CLOSURE_GROUP]
        part = B[:, cols]
        up = _closure(A, part.indices, CLOSURE_MAX)
        if up is None:  # too far upstream: the cached solver
            X = solver.solve(part.toarray()).x.reshape(n, -1)
            for j, c in enumerate(cols):
                idx = np.flatnonzero(X[:, j])
                answers[c] = (idx, X[idx, j])
            continue
        M = sp.csc_matrix(sp.identity(up.size, format="csc") - A[:, up][up, :])
        lu = spla.splu(M)
        rhs = part[up, :].toarray()
        X = lu.solve(rhs)
        X = X + lu.solve(rhs - M @ X)  # one step of iterative refinement
        for j, c in enumerate(cols):
            nz = np.flatnonzero(X[:, j])
            answers[c] = (up[nz], X[nz, j])
    return answers


@dataclass
class _Need:
    """The requirement of one counter-plan: ``s * g + h`` for each item."""

    name: str
    kind: np.ndarray  # 0 capacity (activity), 1 labour, 2 resource
    item: np.ndarray
    period: np.ndarray
    g: np.ndarray
    h: np.ndarray
    direct: np.ndarray


_KINDS = ("capacity", "labour", "resource")


@dataclass
class _Column:
    """The right-hand sides of one counter-plan in one period (sparse, by product position).

    ``G`` of the extra output, ``H`` of the new norms on the planned level, ``D`` the direct
    use; the same for labour (``lab_*``) and resources, and the enterprises' moves
    ``(activity, active technique, extra output)``.
    """

    G: dict[int, float]
    H: dict[int, float]
    D: dict[int, float]
    lab_g: np.ndarray
    lab_h: np.ndarray
    lab_d: np.ndarray
    res_g: np.ndarray
    move: list[tuple[int, int, float]]


#: One kind of item of a requirement in one period: (kind, items, period, g, h, direct).
_Part = tuple[int, np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]


def _requirements(plans: list[_CounterPlan], plan: _Plan, session: float) -> list[_Need]:
    """The requirement of every counter-plan (a batched Leontief solve per technology)."""
    eco = plan.economy
    A, lab, res = _norm_matrices(eco)
    n_p, n_l, n_r = eco.n_products, lab.shape[0], res.shape[0]
    cols, groups, techs = _right_hand_sides(plans, plan, session, A, lab, res)
    solved = _solve_groups(cols, groups, techs, n_p)
    needs: list[_Need] = []
    for c, cp in enumerate(plans):
        parts: list[_Part] = []
        for (cc, t), col in cols.items():
            if cc != c:
                continue
            parts.extend(_period_parts(col, plan.tech[t], t, solved[(c, t)], n_l, n_r, n_p))
        needs.append(_need_of(cp.name, parts))
    return needs


def _norm_matrices(eco: Economy) -> tuple[sp.csc_array, sp.csc_array, sp.csc_array]:
    """The economy's input, labour and resource norms (no rows where it has none)."""
    A = sp.csc_array(eco.technology)
    lab = (
        sp.csc_array(eco.labour) if eco.labour is not None else sp.csc_array((0, eco.n_activities))
    )
    res = (
        sp.csc_array(eco.resources)
        if eco.resources is not None
        else sp.csc_array((0, eco.n_activities))
    )
    return A, lab, res


def _right_hand_sides(
    plans: list[_CounterPlan],
    plan: _Plan,
    session: float,
    A: sp.csc_array,
    lab: sp.csc_array,
    res: sp.csc_array,
) -> tuple[dict[tuple[int, int], _Column], dict[int, list[tuple[int, int]]], dict[int, _Period]]:
    """The columns (G, H) per counter-plan and period, grouped by the period's technology."""
    n_l, n_r = lab.shape[0], res.shape[0]
    groups: dict[int, list[tuple[int, int]]] = {}  # id(period tech) -> [(plan, t)]
    techs: dict[int, _Period] = {}
    cols: dict[tuple[int, int], _Column] = {}
    for c, cp in enumerate(plans):
        for e in cp.entries:
            key = (c, e.period)
            if key not in cols:
                cols[key] = _Column(
                    {}, {}, {}, np.zeros(n_l), np.zeros(n_l), np.zeros(n_l), np.zeros(n_r), []
                )
                tech = plan.tech[e.period]
                techs[id(tech)] = tech
                groups.setdefault(id(tech), []).append(key)
            _add_entry(cols[key], e, plan, session, A, lab, res)
    return cols, groups, techs


def _add_entry(
    col: _Column,
    e: _Entry,
    plan: _Plan,
    session: float,
    A: sp.csc_array,
    lab: sp.csc_array,
    res: sp.csc_array,
) -> None:
    """Add one enterprise's extra output and new norms to its column."""
    tech = plan.tech[e.period]
    a, q, p = e.activity, e.extra, int(plan.economy.activity_product[e.activity])
    star = int(tech.act_of[p])
    L = e.share * plan.levels[a, e.period]
    old = A[:, [a]]
    old_i, old_v = old.indices, old.data
    new_v = np.array([e.inputs.get(int(i), v) for i, v in zip(old_i, old_v, strict=True)])
    saving = old_v - new_v
    active = A[:, [star]] if star != a else old
    G, H, D = col.G, col.H, col.D
    G[p] = G.get(p, 0.0) + q
    for i, v in zip(active.indices, active.data, strict=True):
        G[int(i)] = G.get(int(i), 0.0) - v * q
    for i, v, s_ in zip(old_i, new_v, saving, strict=True):
        G[int(i)] = G.get(int(i), 0.0) + v * q
        if s_ and L:
            H[int(i)] = H.get(int(i), 0.0) - s_ * L
        D[int(i)] = D.get(int(i), 0.0) + v * q - s_ * L
    l_old = lab[:, [a]].toarray().ravel() * e.labour_factor
    l_new = l_old.copy()
    for j, v in e.labour.items():
        l_new[j] = v
    l_star = lab[:, [star]].toarray().ravel()
    col.lab_g += (l_new - l_star) * q
    col.lab_h += -(l_old - l_new) * L + session * l_old * L
    col.lab_d += l_new * q - (l_old - l_new) * L + session * l_old * L
    col.res_g += (res[:, [a]].toarray().ravel() - res[:, [star]].toarray().ravel()) * q
    col.move.append((a, star, q))


def _solve_groups(
    cols: dict[tuple[int, int], _Column],
    groups: dict[int, list[tuple[int, int]]],
    techs: dict[int, _Period],
    n_p: int,
) -> dict[tuple[int, int], tuple[Any, Any]]:
    """The extra gross outputs (G, H) of every column, one batched solve per technology."""
    solved: dict[tuple[int, int], tuple[Any, Any]] = {}
    for tid, keys in groups.items():
        tech = techs[tid]
        data: list[float] = []
        ri: list[int] = []
        ci: list[int] = []
        for j, key in enumerate(keys):
            for vec, off in ((cols[key].G, 0), (cols[key].H, 1)):
                ri.extend(vec.keys())
                data.extend(vec.values())
                ci.extend([2 * j + off] * len(vec))
        B = sp.csc_array(
            (np.asarray(data, float), (np.asarray(ri, int), np.asarray(ci, int))),
            shape=(n_p, 2 * len(keys)),
        )
        answers = _solve(tech, B)
        for j, key in enumerate(keys):
            solved[key] = (answers[2 * j], answers[2 * j + 1])
    return solved


def _period_parts(
    col: _Column,
    tech: _Period,
    t: int,
    answer: tuple[Any, Any],
    n_l: int,
    n_r: int,
    n_p: int,
) -> list[_Part]:
    """A column's requirement of capacity, labour and resources in its period."""
    (gi, gv), (hi, hv) = answer
    dkeys = np.fromiter(col.D.keys(), int, len(col.D))
    dvals = np.fromiter(col.D.values(), float, len(col.D))
    # products -> activities of the technique run; the enterprise's own extra level
    extra_a = np.array([m[0] for m in col.move] + [m[1] for m in col.move], int)
    items = np.unique(
        np.concatenate([tech.act_of[gi], tech.act_of[hi], tech.act_of[dkeys], extra_a])
    )
    g = np.zeros(items.size)
    h = np.zeros(items.size)
    d = np.zeros(items.size)
    np.add.at(g, np.searchsorted(items, tech.act_of[gi]), gv)
    np.add.at(h, np.searchsorted(items, tech.act_of[hi]), hv)
    np.add.at(d, np.searchsorted(items, tech.act_of[dkeys]), dvals)
    for a, star, q in col.move:
        np.add.at(g, np.searchsorted(items, [star, a]), [-q, q])
        np.add.at(d, np.searchsorted(items, [a]), [q])
    sq = tech.economy
    sq_lab = sp.csc_array(sq.labour) if sq.labour is not None else sp.csc_array((0, n_p))
    sq_res = sp.csc_array(sq.resources) if sq.resources is not None else sp.csc_array((0, n_p))
    lg = sq_lab[:, gi] @ gv + col.lab_g if n_l else np.zeros(0)
    lh = sq_lab[:, hi] @ hv + col.lab_h if n_l else np.zeros(0)
    rg = sq_res[:, gi] @ gv + col.res_g if n_r else np.zeros(0)
    rh = sq_res[:, hi] @ hv if n_r else np.zeros(0)
    return [
        (0, items, t, g, h, d),
        (1, np.arange(n_l), t, lg, lh, col.lab_d),
        (2, np.arange(n_r), t, rg, rh, np.zeros(n_r)),
    ]


def _need_of(name: str, parts: list[_Part]) -> _Need:
    """The requirement of one counter-plan from its parts (every period, every kind)."""
    return _Need(
        name=name,
        kind=np.concatenate([np.full(p[1].size, p[0]) for p in parts]),
        item=np.concatenate([p[1] for p in parts]),
        period=np.concatenate([np.full(p[1].size, p[2]) for p in parts]),
        g=np.concatenate([p[3] for p in parts]),
        h=np.concatenate([p[4] for p in parts]),
        direct=np.concatenate([p[5] for p in parts]),
    )


# ---------------------------------------------------------------------------- the share
@dataclass
class _Slack:
    """What is left free: capacity, labour, resources, and the stocks that may be drawn."""

    cap: np.ndarray
    lab: np.ndarray
    res: np.ndarray
    stocks: np.ndarray
    made: np.ndarray  # the product of each activity

    def of(self, need: _Need) -> np.ndarray:
        out = np.empty(need.item.size)
        for k, arr in enumerate((self.cap, self.lab, self.res)):
            m = need.kind == k
            out[m] = arr[need.item[m], need.period[m]]
        return out


def _merge(needs: list[_Need], name: str) -> _Need:
    """The batch's requirement as one (items summed)."""
    kind = np.concatenate([n.kind for n in needs])
    item = np.concatenate([n.item for n in needs])
    period = np.concatenate([n.period for n in needs])
    keys = pd.MultiIndex.from_arrays([kind, item, period])
    codes, uniq = pd.factorize(keys)
    size = len(uniq)

    def total(values: list[np.ndarray]) -> np.ndarray:
        out = np.zeros(size)
        np.add.at(out, codes, np.concatenate(values))
        return out

    first = np.unique(codes, return_index=True)[1]
    return _Need(
        name,
        kind[first],
        item[first],
        period[first],
        total([n.g for n in needs]),
        total([n.h for n in needs]),
        total([n.direct for n in needs]),
    )


@dataclass
class _Decision:
    share: float
    binding: int  # position in the need's items, -1 when none binds
    method: str
    draws: dict[tuple[int, int], float]  # (product, period) -> stock drawn


def _stock_rows(need: _Need, plan: _Plan, slack: _Slack) -> np.ndarray:
    """Positions of the capacity items whose product has stock to draw in some period."""
    if not np.any(slack.stocks > 0):
        return np.zeros(0, dtype=int)
    cap = np.flatnonzero((need.kind == 0) & (need.g + need.h > 0))
    if not cap.size:
        return cap
    made = plan.economy.activity_product
    prods = made[need.item[cap]]
    active = np.array(
        [
            plan.tech[t].act_of[p] == a
            for p, a, t in zip(prods, need.item[cap], need.period[cap], strict=True)
        ],
        dtype=bool,
    )
    later = np.array(
        [slack.stocks[p, t:].min() > 0 for p, t in zip(prods, need.period[cap], strict=True)],
        dtype=bool,
    )
    return cap[active & later]


def _decide(need: _Need, plan: _Plan, slack: _Slack) -> _Decision:
    free = slack.of(need)
    room = free - need.h
    stock_rows = _stock_rows(need, plan, slack)
    if not stock_rows.size:
        if np.any((need.g <= 0) & (room < -_TOL * np.maximum(1.0, np.abs(need.h)))):
            bad = int(np.flatnonzero((need.g <= 0) & (room < 0))[0])
            return _Decision(0.0, bad, "closed-form", {})
        pos = np.flatnonzero(need.g > 0)
        if not pos.size:
            return _Decision(1.0, -1, "closed-form", {})
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = room[pos] / need.g[pos]
        k = int(np.argmin(ratio))
        share = float(np.clip(ratio[k], 0.0, 1.0))
        return _Decision(share, int(pos[k]) if ratio[k] < 1.0 else -1, "closed-form", {})
    return _decide_lp(need, plan, slack, stock_rows, room)


def _decide_lp(
    need: _Need, plan: _Plan, slack: _Slack, stock_rows: np.ndarray, room: np.ndarray
) -> _Decision:
    """Largest share with stock draws: max s, s g - u <= room, cumulative draws <= stocks."""
    made = plan.economy.activity_product
    T = len(plan.periods)
    limited = np.flatnonzero(np.isfinite(room))
    draw_keys = sorted({(int(made[need.item[r]]), int(need.period[r])) for r in stock_rows})
    var = {key: 1 + j for j, key in enumerate(draw_keys)}
    n_var = 1 + len(draw_keys)
    rows, cols, vals, rhs = [], [], [], []
    r = 0
    drawable = set(stock_rows.tolist())
    for i in limited:
        rows.append(r)
        cols.append(0)
        vals.append(need.g[i])
        if need.kind[i] == 0:
            key = (int(made[need.item[i]]), int(need.period[i]))
            if key in var and i in drawable:
                rows.append(r)
                cols.append(var[key])
                vals.append(-1.0)
        rhs.append(room[i])
        r += 1
    for p in sorted({k[0] for k in draw_keys}):
        for t2 in range(T):
            mine = [var[(p, t)] for t in range(t2 + 1) if (p, t) in var]
            if not mine:
                continue
            for v in mine:
                rows.append(r)
                cols.append(v)
                vals.append(1.0)
            rhs.append(slack.stocks[p, t2])
            r += 1
    A_ub = sp.csr_array((vals, (rows, cols)), shape=(r, n_var)) if r else None
    c = np.zeros(n_var)
    c[0] = -1.0
    bounds = [(0.0, 1.0)] + [(0.0, None)] * (n_var - 1)
    res = linprog(c, A_ub=A_ub, b_ub=np.asarray(rhs) if r else None, bounds=bounds, method="highs")
    if res.status != 0:
        return _Decision(0.0, int(limited[0]) if limited.size else -1, "lp", {})
    share = float(np.clip(res.x[0], 0.0, 1.0))
    # the least stock for that share
    c2 = np.zeros(n_var)
    c2[1:] = 1.0
    bounds2 = [(max(0.0, share - 1e-9), share), *bounds[1:]]
    res2 = linprog(
        c2, A_ub=A_ub, b_ub=np.asarray(rhs) if r else None, bounds=bounds2, method="highs"
    )
    x = res2.x if res2.status == 0 else res.x
    draws = {key: float(x[var[key]]) for key in draw_keys if x[var[key]] > 0}
    binding = -1
    if share < 1.0 - 1e-9:
        used = share * need.g - room
        for key, j in var.items():
            m = (need.kind == 0) & (made[need.item] == key[0]) & (need.period == key[1])
            used[m] -= x[j]
        pos = limited[np.argmax(used[limited] / np.maximum(np.abs(room[limited]), 1.0))]
        binding = int(pos)
    return _Decision(share, binding, "lp", draws)


def _reserve(slack: _Slack, need: _Need, decision: _Decision) -> None:
    if decision.share <= 0:
        return
    use = decision.share * need.g + need.h
    for (p, t), amount in decision.draws.items():
        slack.stocks[p, t:] -= amount
        rows = np.flatnonzero((need.kind == 0) & (slack.made[need.item] == p) & (need.period == t))
        if rows.size:
            use[rows[0]] -= amount
    for k, arr in enumerate((slack.cap, slack.lab, slack.res)):
        m = need.kind == k
        np.subtract.at(arr, (need.item[m], need.period[m]), use[m])
        np.maximum(arr, 0.0, out=arr)


# ---------------------------------------------------------------------------- missing
def _missing(need: _Need, plan: _Plan, slack: _Slack) -> tuple[np.ndarray, np.ndarray]:
    """Positions and quantities beyond the slack (and the stocks, earliest first) at s = 1."""
    excess = need.g + need.h - slack.of(need)
    excess = np.where(np.isfinite(excess), excess, -np.inf)
    made = plan.economy.activity_product
    cap = np.flatnonzero((need.kind == 0) & (excess > 0))
    if cap.size and np.any(slack.stocks > 0):
        drawn: dict[int, float] = {}
        for i in cap[np.argsort(need.period[cap], kind="stable")]:
            a, t = int(need.item[i]), int(need.period[i])
            p = int(made[a])
            if plan.tech[t].act_of[p] != a:
                continue
            avail = float(slack.stocks[p, t:].min()) - drawn.get(p, 0.0)
            take = min(max(avail, 0.0), float(excess[i]))
            excess[i] -= take
            drawn[p] = drawn.get(p, 0.0) + take
    scale = np.maximum(1.0, np.abs(need.g) + np.abs(need.h))
    pos = np.flatnonzero(excess > _TOL * scale)
    return pos, excess[pos]


# ---------------------------------------------------------------------------- the check
def check_counter_plan(
    result: PlanResult,
    spec: PlanSpec,
    counter_plans: pd.DataFrame,
    *,
    mode: str = "inquiry",
    session_labour: float = 0.0,
    source: str | None = None,
) -> CounterPlanCheck:
    """Check counter-plans against the slack of an adopted plan (see the module docstring).

    Parameters
    ----------
    result
        The adopted plan (optimal).
    spec
        The spec it was made from.
    counter_plans
        The counter-plan table (see the module docstring; :func:`read_counter_plans`).
    mode
        ``"inquiry"`` (default), ``"commit"`` or ``"joint"`` (see *Modes* in the module
        docstring).
    session_labour
        Labour of the planning sessions, in person-years per worker per period (default 0:
        not counted; see *Session labour* in the module docstring).
    source
        How messages name the table (default ``counter_plans.attrs["source"]``, set by
        :func:`read_counter_plans`).

    Returns
    -------
    CounterPlanCheck

    Raises
    ------
    gosplan.errors.ValidationError
        Listing every problem of the table (see *Problems of the table* in the module
        docstring).
    InputError
        A plan that is not optimal or not of this spec, an unknown mode or a bad
        ``session_labour`` (``check="bad_argument"`` / ``"bad_option"``).
    """
    started = time.perf_counter()
    _check_options(mode, session_labour)
    plan = _plan(result, spec)
    if source is None and isinstance(counter_plans, pd.DataFrame):
        source = counter_plans.attrs.get("source")
    plans = _parse(counter_plans, plan.economy, plan.periods, source)
    needs = _requirements(plans, plan, float(session_labour))
    slack = _fresh_slack(plan)
    summary, missing_parts, starved_parts = _run_mode(mode, needs, plan, slack, result, spec)
    requirements = _requirement_frame(needs, plan)
    return CounterPlanCheck(
        mode=mode,
        session_labour=float(session_labour),
        requirements=requirements,
        slack=_slack_frame(needs, plan),
        summary=pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS)),
        missing=_concat(missing_parts, MISSING_COLUMNS),
        starved=_concat(starved_parts, STARVED_COLUMNS),
        provenance={
            "plan": result.provenance.get("spec", spec.name),
            "economy": plan.economy.meta.name,
            "counter_plans": len(needs),
            "seconds": time.perf_counter() - started,
        },
    )


def _fresh_slack(plan: _Plan) -> _Slack:
    """The plan's slack, copied (a commit reserves from it)."""
    return _Slack(
        plan.cap_slack.copy(),
        plan.lab_slack.copy(),
        plan.res_slack.copy(),
        plan.stocks.copy(),
        plan.economy.activity_product,
    )


def _check_options(mode: str, session_labour: float) -> None:
    """Reject an unknown mode and a session labour that is not a number in [0, 1)."""
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; choose {', '.join(MODES)}", check="bad_option")
    if isinstance(session_labour, bool) or not isinstance(session_labour, int | float):
        raise InputError("session_labour must be a number", check="bad_argument")
    if not (math.isfinite(session_labour) and 0.0 <= session_labour < 1.0):
        raise InputError(
            f"session_labour must lie in [0, 1) person-years per worker, got {session_labour!r}",
            check="bad_argument",
        )


def _run_mode(
    mode: str,
    needs: list[_Need],
    plan: _Plan,
    slack: _Slack,
    result: PlanResult,
    spec: PlanSpec,
) -> tuple[list[dict[str, Any]], list[pd.DataFrame], list[pd.DataFrame]]:
    """Decide the shares in the mode: the summary rows and the missing and starved parts."""
    summary: list[dict[str, Any]] = []
    missing_parts: list[pd.DataFrame] = []
    starved_parts: list[pd.DataFrame] = []
    if mode == "joint" and needs:
        batch = _merge(needs, "joint")
        decision = _decide(batch, plan, slack)
        for order, need in enumerate(needs, start=1):
            summary.append(_summary_row(need.name, order, decision, batch, plan))
        pos, qty = _missing(batch, plan, slack)
        missing_parts.append(_missing_frame(batch, pos, qty, plan))
        starved_parts.append(_starved(batch, pos, qty, plan, result, spec))
        return summary, missing_parts, starved_parts
    for order, need in enumerate(needs, start=1):
        decision = _decide(need, plan, slack)
        summary.append(_summary_row(need.name, order, decision, need, plan))
        pos, qty = _missing(need, plan, slack)
        missing_parts.append(_missing_frame(need, pos, qty, plan))
        starved_parts.append(_starved(need, pos, qty, plan, result, spec))
        if mode == "commit":
            _reserve(slack, need, decision)
    return summary, missing_parts, starved_parts


def _concat(parts: list[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(parts, ignore_index=True)[list(columns)]


def _label(plan: _Plan, kind: np.ndarray, item: np.ndarray) -> np.ndarray:
    eco = plan.economy
    out = np.empty(item.size, dtype=object)
    for k, labels in enumerate((eco.activity_labels, eco.labour_types, eco.resource_types)):
        m = kind == k
        if m.any():
            out[m] = np.asarray(labels.take(item[m]), dtype=object)
    return out


def _summary_row(
    name: str, order: int, decision: _Decision, need: _Need, plan: _Plan
) -> dict[str, Any]:
    b = decision.binding
    return {
        "counter_plan": name,
        "order": order,
        "accepted_share": decision.share,
        "binding_item": "" if b < 0 else str(_label(plan, need.kind[[b]], need.item[[b]])[0]),
        "binding_kind": "" if b < 0 else _KINDS[int(need.kind[b])],
        "binding_period": np.nan if b < 0 else plan.periods[int(need.period[b])],
        "method": decision.method,
    }


def _requirement_frame(needs: list[_Need], plan: _Plan) -> pd.DataFrame:
    if not needs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REQUIREMENT_COLUMNS})
    total = np.concatenate([n.g + n.h for n in needs])
    direct = np.concatenate([n.direct for n in needs])
    keep = (total != 0) | (direct != 0)
    kind = np.concatenate([n.kind for n in needs])[keep]
    item = np.concatenate([n.item for n in needs])[keep]
    period = np.asarray(plan.periods)[np.concatenate([n.period for n in needs])[keep]]
    names = np.concatenate([np.full(n.item.size, n.name, dtype=object) for n in needs])[keep]
    return pd.DataFrame(
        {
            "counter_plan": names,
            "period": period,
            "item": _label(plan, kind, item),
            "kind": np.asarray(_KINDS, dtype=object)[kind],
            "direct": direct[keep],
            "total": total[keep],
        }
    )


def _slack_frame(needs: list[_Need], plan: _Plan) -> pd.DataFrame:
    if not needs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SLACK_COLUMNS})
    kind = np.concatenate([n.kind for n in needs])
    item = np.concatenate([n.item for n in needs])
    period = np.concatenate([n.period for n in needs])
    keys = np.unique(np.stack([kind, item, period]), axis=1)
    kind, item, period = keys
    free = np.empty(item.size)
    for k, arr in enumerate((plan.cap_slack, plan.lab_slack, plan.res_slack)):
        m = kind == k
        free[m] = arr[item[m], period[m]]
    frames = [
        pd.DataFrame(
            {
                "item": _label(plan, kind, item),
                "kind": np.asarray(_KINDS, dtype=object)[kind],
                "period": np.asarray(plan.periods)[period],
                "available": free,
            }
        )
    ]
    cap = kind == 0
    prods = plan.economy.activity_product[item[cap]]
    stock = plan.stocks[prods, period[cap]]
    has = stock > 0
    if has.any():
        frames.append(
            pd.DataFrame(
                {
                    "item": np.asarray(plan.economy.product_labels.take(prods[has]), dtype=object),
                    "kind": "stock",
                    "period": np.asarray(plan.periods)[period[cap][has]],
                    "available": stock[has],
                }
            ).drop_duplicates()
        )
    return pd.concat(frames, ignore_index=True)


def _missing_frame(need: _Need, pos: np.ndarray, qty: np.ndarray, plan: _Plan) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "counter_plan": need.name,
            "item": _label(plan, need.kind[pos], need.item[pos]),
            "kind": np.asarray(_KINDS, dtype=object)[need.kind[pos]],
            "period": np.asarray(plan.periods)[need.period[pos]],
            "quantity": qty,
        }
    )


def _starved(
    need: _Need,
    pos: np.ndarray,
    qty: np.ndarray,
    plan: _Plan,
    result: PlanResult,
    spec: PlanSpec,
) -> pd.DataFrame:
    """Targets that would fall short with the counter-plan accepted in full anyway."""
    cap = need.kind[pos] == 0
    if not cap.any() or not len(spec.targets):
        return pd.DataFrame()
    eco = plan.economy
    prods = eco.product_labels[eco.activity_product[need.item[pos][cap]]]
    periods = np.asarray(plan.periods)[need.period[pos][cap]]
    short = (
        pd.DataFrame({"product": prods.astype(str), "period": periods, "uncovered": qty[cap]})
        .groupby(["product", "period"], as_index=False)["uncovered"]
        .sum()
    )
    free = _free_final_use(result, spec)
    short = short.merge(free, on=["product", "period"], how="left").fillna({"free": 0.0})
    short["cut"] = np.maximum(short["uncovered"] - short["free"], 0.0)
    targets = spec.targets[["product", "period", "target"]].copy()
    targets["product"] = targets["product"].astype(str)
    targets["period"] = pd.to_numeric(targets["period"]).astype(int)
    targets = targets.groupby(["product", "period"], as_index=False)["target"].max()
    hit = targets.merge(short, on=["product", "period"], how="inner")
    output = result.output
    planned = [
        float(output.at[p, t]) if p in output.index and t in output.columns else 0.0
        for p, t in zip(hit["product"], hit["period"], strict=True)
    ]
    hit["planned"] = planned
    hit["would_get"] = hit["planned"] - hit["cut"]
    hit["shortfall"] = np.maximum(hit["target"] - hit["would_get"], 0.0)
    hit = hit[hit["shortfall"] > _TOL * np.maximum(1.0, hit["target"].abs())]
    hit.insert(0, "counter_plan", need.name)
    return hit[list(STARVED_COLUMNS)]


def _free_final_use(result: PlanResult, spec: PlanSpec) -> pd.DataFrame:
    """Free final use by product and period: other final use, and consumption above floor."""
    fu = result.final_use
    if not len(fu):
        return pd.DataFrame({"product": [], "period": [], "free": []})
    out = pd.DataFrame(
        {
            "product": fu["product"].astype(str),
            "period": pd.to_numeric(fu["period"]).astype(int),
            "other": pd.to_numeric(fu.get("other_final_use", 0.0)).fillna(0.0),
            "consumption": pd.to_numeric(fu.get("consumption", 0.0)).fillna(0.0),
        }
    )
    floors = spec.floors
    if len(floors):
        f = (
            pd.DataFrame(
                {
                    "product": floors["product"].astype(str),
                    "period": pd.to_numeric(floors["period"]).astype(int),
                    "floor": pd.to_numeric(floors["floor"]).astype(float),
                }
            )
            .groupby(["product", "period"], as_index=False)["floor"]
            .max()
        )
        out = out.merge(f, on=["product", "period"], how="left").fillna({"floor": 0.0})
    else:
        out["floor"] = 0.0
    out["free"] = np.maximum(out["other"], 0.0) + np.maximum(out["consumption"] - out["floor"], 0.0)
    return out[["product", "period", "free"]]
