"""Control figures: each activity's planned level split among its enterprises, then by month.

:func:`control_figures` takes an adopted plan and the enterprises of its economy and gives
each enterprise its level, output, labour by type and supply orders (the inputs allocated to
it) for every period of the plan; :func:`monthly` spreads annual figures over the twelve
months, evenly or with a seasonal profile per product.

The rules of the split (``rule``): ``"capacity"`` shares each level in proportion to the
enterprises' capacity (equal shares where the activity's capacity is unlimited or all zero);
``"least_labour"`` takes the split using the least labour within the enterprises' capacities,
the most productive (lowest ``labour_factor``) loaded first, ties in proportion to capacity
(see *Least labour* below).

The annual figures (``month`` 0) add up: summed over the enterprises, ``level`` is the plan's
activity level and ``output``, ``supply`` and (with labour factors of 1) ``labour`` are the
plan's output, intermediate use and employment. ``output`` is what the level run in a period
makes (a spec with lead times delivers it later).

Everything is vectorised over enterprises (sparse column expansion, sorting and segmented
sums): a million enterprises over five periods take seconds.

Capacity of an enterprise in a period
    The plan's capacity of the activity in that period (``result.capacity``; the sum of the
    enterprises' capacities where the plan has none, or none finite) is shared among the
    activity's enterprises in proportion to their own capacity (equally where they are all
    zero), and raised with the level where the plan runs above it. New capacity that the
    plan's investment creates is thus assumed to be spread like the old. Where an enterprise
    has unlimited capacity (``inf``), its capacity stays unlimited.

Least labour
    Within one activity every enterprise has the same labour column up to its
    ``labour_factor``, so the LP ``min sum_e f_e l x_e`` subject to ``sum_e x_e = X``,
    ``0 <= x_e <= c_e`` (``l`` the activity's total labour coefficient, positive) is a
    continuous knapsack: its optimum fills the enterprises in rising order of ``f_e``.
    Proof by the LP's dual: with ``p`` the price of the level row, the reduced cost of
    ``x_e`` is ``f_e l - p``; the greedy stops in a tier of factor ``f*`` and, with
    ``p = f* l``, puts every cheaper enterprise at its capacity (reduced cost negative),
    every dearer one at zero (positive) and the tier in between, which is complementary
    slackness: the greedy split is optimal. Enterprises with the same factor are filled
    together, in proportion to their capacity (any split of the marginal tier is optimal).
    An activity without labour leaves every enterprise equally dear: its level is split in
    proportion to capacity. The tests check the greedy against HiGHS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.checks import Problems
from gosplan.core.control_figures import ANNUAL, RULES, ControlFigures, label_column
from gosplan.core.economy import Economy
from gosplan.core.enterprises import ENTERPRISE_COLUMNS, enterprises_of
from gosplan.core.plan_result import PlanResult
from gosplan.core.provenance import provenance
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError, validation_error

#: How messages name an enterprises table and a seasonal profile.
ENTERPRISES_SOURCE = "enterprises"
PROFILE_SOURCE = "seasonal profile"
#: Columns of a seasonal profile.
PROFILE_COLUMNS = ("product", "month", "weight")
MONTHS = 12

__all__ = ["control_figures", "enterprises_table", "monthly"]


# ============================================================================ enterprises
def enterprises_table(economy: Economy, enterprises: pd.DataFrame | None = None) -> pd.DataFrame:
    """The enterprises of ``economy`` (or ``enterprises``), validated, defaults filled in.

    Parameters
    ----------
    economy
        The economy the enterprises belong to.
    enterprises
        A table with columns ``enterprise, activity, capacity`` and optionally ``trust,
        commissariat, region, director, started, labour_factor``; ``None`` takes the
        economy's own (:func:`~gosplan.core.enterprises.enterprises_of`).

    Returns
    -------
    pandas.DataFrame
        Every column of :func:`~gosplan.core.enterprises.enterprises_of`, plus ``position``:
        the position of the enterprise's activity in the economy.

    Raises
    ------
    InputError
        One error listing every problem, each naming its row (the header is row 1): a missing
        column (``missing_column``), an activity the economy does not know
        (``unknown_label``), an enterprise named twice (``duplicate_label``), a capacity or
        labour factor that is missing, not a number (``non_numeric``) or negative
        (``negative_value``).
    """
    if enterprises is None:
        table = enterprises_of(economy)
    else:
        table = _with_defaults(enterprises)
    _check_enterprise_columns(table)
    problems = Problems()
    names, acts, pos = _check_enterprise_labels(table, economy, problems)
    cap, factor = _check_enterprise_numbers(table, names, problems)
    if problems:
        raise validation_error(problems.problems())
    out = table.reset_index(drop=True).copy()
    out["enterprise"] = names
    out["activity"] = acts
    out["capacity"] = cap
    out["labour_factor"] = factor
    out["position"] = pos
    return out


def _check_enterprise_columns(table: pd.DataFrame) -> None:
    """Raise one error naming every column of an enterprises table that is missing."""
    problems = Problems()
    src = ENTERPRISES_SOURCE
    for col in ENTERPRISE_COLUMNS:
        if col not in table.columns:
            problems.add(f"the table needs the column {col!r}", source=src, check="missing_column")
    if problems:
        raise validation_error(problems.problems())


def _check_enterprise_labels(
    table: pd.DataFrame, economy: Economy, problems: Problems
) -> tuple[pd.Index, pd.Index, np.ndarray]:
    """The enterprises' names, activities and activity positions; their problems recorded."""
    src = ENTERPRISES_SOURCE
    for col in ("enterprise", "activity"):
        problems.add_rows(
            table[col].isna().to_numpy(),
            f"the {col} is not named",
            source=src,
            labels=None,
            check="missing_value",
        )
    names = _text(table["enterprise"])
    acts = _text(table["activity"])
    pos = _positions(_text(economy.activity_labels), acts)
    problems.add_rows(
        pos < 0,
        lambda i: (
            f"enterprise {names[i]!r} runs the activity {acts[i]!r}, which the economy "
            "does not have"
        ),
        source=src,
        labels=acts,
        check="unknown_label",
    )
    problems.add_rows(
        pd.Index(names).duplicated(keep="first"),
        lambda i: f"the enterprise {names[i]!r} is named twice",
        source=src,
        labels=names,
        check="duplicate_label",
    )
    return names, acts, pos


def _check_enterprise_numbers(
    table: pd.DataFrame, names: pd.Index, problems: Problems
) -> tuple[np.ndarray, np.ndarray]:
    """The enterprises' capacities and labour factors; those not numbers or negative recorded."""
    src = ENTERPRISES_SOURCE
    cap = _numbers(table["capacity"])
    factor = _numbers(table["labour_factor"])
    for what, values, finite_only in (("capacity", cap, False), ("labour_factor", factor, True)):
        bad = np.isnan(values) | (finite_only & np.isinf(values))
        problems.add_rows(
            bad,
            f"the {what} must be a number" + (" (finite)" if finite_only else ""),
            source=src,
            labels=names,
            check="non_numeric",
        )
        problems.add_rows(
            ~bad & (values < 0),
            _negative(what, values),
            source=src,
            labels=names,
            check="negative_value",
        )
    return cap, factor


def _negative(what: str, values: np.ndarray) -> Callable[[int], str]:
    """The message of a negative ``what`` in row position ``i``."""

    def message(i: int) -> str:
        return f"the {what} is negative ({values[i]:g})"

    return message


def _with_defaults(table: pd.DataFrame) -> pd.DataFrame:
    """An explicit enterprises table with its optional columns filled like the economy's."""
    out = table.copy()
    for col in ("trust", "commissariat", "region", "director"):
        if col not in out.columns:
            out[col] = ""
    if "started" not in out.columns:
        out["started"] = np.nan
    if "labour_factor" not in out.columns:
        out["labour_factor"] = 1.0
    factor = pd.to_numeric(out["labour_factor"], errors="coerce")
    out["labour_factor"] = factor.where(out["labour_factor"].notna(), 1.0)
    return out.reset_index(drop=True)


def _numbers(values: pd.Series) -> np.ndarray:
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        values = values.replace({"inf": np.inf, "-inf": -np.inf})
    return np.asarray(pd.to_numeric(values, errors="coerce"), dtype=float)


# ============================================================================ the split
def _plan_levels(result: PlanResult, economy: Economy) -> tuple[np.ndarray, list[int]]:
    """The plan's activity levels in the economy's activity order (activities x periods)."""
    levels = result.activity_levels
    periods = list(result.periods)
    if levels is None or not len(levels.columns) or not len(periods):
        raise InputError(
            f"the plan has no activity levels (status {result.status}): adopt an optimal plan",
            source="plan",
            check="bad_argument",
        )
    pos = _positions(_text(levels.index), _text(economy.activity_labels))
    if (pos < 0).any():
        missing = economy.activity_labels[int(np.flatnonzero(pos < 0)[0])]
        raise InputError(
            "the plan has no level for this activity of the economy: was it made from this spec?",
            source="plan",
            label=str(missing),
            check="unknown_label",
        )
    cols = [levels.columns.get_loc(p) if p in levels.columns else -1 for p in periods]
    if min(cols) < 0:
        raise InputError(
            "the plan's activity levels lack one of its periods",
            source="plan",
            check="unknown_label",
        )
    values = np.asarray(levels.to_numpy(dtype=float)[pos][:, cols], dtype=float)
    return np.nan_to_num(values, nan=0.0), [int(p) for p in periods]


def _plan_capacity(result: PlanResult, economy: Economy, periods: list[int]) -> np.ndarray:
    """The plan's capacity (activities x periods); NaN where the plan has none."""
    n = economy.n_activities
    cap = getattr(result, "capacity", None)
    out = np.full((n, len(periods)), np.nan)
    if cap is None or not len(cap) or not len(cap.columns):
        return out
    pos = _positions(_text(cap.index), _text(economy.activity_labels))
    values = cap.reindex(columns=periods).to_numpy(dtype=float)
    found = pos >= 0
    out[found] = values[pos[found]]
    return out


def _shares(act: np.ndarray, cap: np.ndarray, n_act: int) -> tuple[np.ndarray, np.ndarray]:
    """Each enterprise's share of its activity's capacity, and the activity totals.

    In proportion to capacity; equal shares where the activity's enterprises have no
    capacity, or unlimited capacity (then equal among the unlimited ones).
    """
    unlimited = np.isinf(cap)
    finite_cap = np.where(unlimited, 0.0, cap)
    total = np.bincount(act, weights=finite_cap, minlength=n_act)
    count = np.bincount(act, minlength=n_act).astype(float)
    n_inf = np.bincount(act, weights=unlimited.astype(float), minlength=n_act)
    inf_act = n_inf > 0
    total = np.where(inf_act, np.inf, total)
    t, c, ni = total[act], count[act], n_inf[act]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            inf_act[act],
            unlimited / np.maximum(ni, 1.0),
            np.where(t > 0, finite_cap / np.where(t > 0, t, 1.0), 1.0 / np.maximum(c, 1.0)),
        )
    return share, total


def _enterprise_capacity(
    act: np.ndarray,
    cap: np.ndarray,
    share: np.ndarray,
    total: np.ndarray,
    levels: np.ndarray,
    plan_cap: np.ndarray,
) -> np.ndarray:
    """Capacity of each enterprise in each period (enterprises x periods)."""
    activity_cap = np.where(np.isfinite(plan_cap), plan_cap, total[:, None])
    activity_cap = np.maximum(activity_cap, levels)
    unlimited = np.isinf(total)[act]
    with np.errstate(invalid="ignore"):  # 0 x inf where the activity is unlimited: reset below
        out = share[:, None] * activity_cap[act]
    out[unlimited] = np.broadcast_to(cap[unlimited, None], out[unlimited].shape)
    return out


def _split_least_labour(
    act: np.ndarray,
    factor: np.ndarray,
    share: np.ndarray,
    ent_cap: np.ndarray,
    levels: np.ndarray,
) -> np.ndarray:
    """Enterprise levels filling each activity's cheapest enterprises first (see the module)."""
    n_ent, n_per = ent_cap.shape
    if not n_ent:
        return np.zeros((0, n_per))
    order = np.lexsort((factor, act))
    a_s, f_s, cap_s = act[order], factor[order], ent_cap[order]
    new_tier = np.ones(n_ent, dtype=bool)
    new_tier[1:] = (a_s[1:] != a_s[:-1]) | (f_s[1:] != f_s[:-1])
    starts = np.flatnonzero(new_tier)
    tier = np.cumsum(new_tier) - 1
    tier_act = a_s[starts]
    positive = np.maximum(levels, 0.0)
    need = positive[tier_act]
    unlimited = np.isinf(cap_s)
    tier_cap = np.add.reduceat(np.where(unlimited, 0.0, cap_s), starts, axis=0)
    tier_inf = np.add.reduceat(unlimited.astype(float), starts, axis=0)
    # a tier never takes more than the whole level: clipping keeps the sums finite and exact
    room = np.where(tier_inf > 0, need, np.minimum(tier_cap, need))
    before = pd.DataFrame(room).groupby(tier_act, sort=False).cumsum().to_numpy() - room
    fill = np.clip(need - before, 0.0, room)
    # within a tier: in proportion to capacity (equally among the unlimited ones)
    t_cap, t_inf = tier_cap[tier], tier_inf[tier]
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(
            t_inf > 0,
            unlimited / np.where(t_inf > 0, t_inf, 1.0),
            np.where(t_cap > 0, cap_s / np.where(t_cap > 0, t_cap, 1.0), 0.0),
        )
    out = np.empty_like(cap_s)
    out[order] = fill[tier] * weight
    # a negative level (solver noise) is split by capacity, so that the totals still hold
    negative = np.minimum(levels, 0.0)
    if negative.any():
        out += share[:, None] * negative[act]
    return out


def _expand(matrix: sp.csc_array, act: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The nonzeros of each enterprise's activity column: (enterprise, row, value) arrays."""
    m = sp.csc_array(matrix)
    m.sum_duplicates()
    indptr = m.indptr
    counts = np.diff(indptr)[act]
    owner = np.repeat(np.arange(len(act)), counts)
    offset = np.cumsum(counts) - counts
    pos = indptr[act][owner] + (np.arange(len(owner)) - offset[owner])
    return owner, m.indices[pos], np.asarray(m.data, dtype=float)[pos]


def _long(
    owner: np.ndarray,
    what: np.ndarray,
    quantity: np.ndarray,
    periods: list[int],
    enterprises: pd.Categorical,
    what_name: str,
    what_labels: pd.Index,
    month: int = ANNUAL,
) -> pd.DataFrame:
    """A long table (enterprise, period, month, ``what_name``, quantity), entry-major."""
    n_per = len(periods)
    reps = len(owner)
    codes = np.asarray(enterprises.codes)[np.repeat(owner, n_per)]
    return pd.DataFrame(
        {
            "enterprise": pd.Categorical.from_codes(codes, dtype=enterprises.dtype),
            "period": np.tile(np.asarray(periods, dtype=np.int64), reps),
            "month": np.full(reps * n_per, month, dtype=np.int64),
            what_name: pd.Categorical.from_codes(
                np.repeat(what, n_per), categories=_text(what_labels)
            ),
            "quantity": quantity.ravel(),
        },
        copy=False,
    )


def _text(labels: Any) -> pd.Index:
    """Labels as an index of text (a no-op for text labels)."""
    index = labels if isinstance(labels, pd.Index) else pd.Index(labels)
    return index.astype(str)


def _positions(labels: pd.Index, wanted: pd.Index) -> np.ndarray:
    """Position of each of ``wanted`` in ``labels`` (-1 where absent); fast when they agree."""
    if len(labels) == len(wanted) and labels.equals(wanted):
        return np.arange(len(wanted))
    return np.asarray(labels.get_indexer(wanted))


def control_figures(
    result: PlanResult,
    spec: PlanSpec,
    enterprises: pd.DataFrame | None = None,
    *,
    rule: str = "capacity",
) -> ControlFigures:
    """Split each activity's planned level among its enterprises, period by period.

    Parameters
    ----------
    result
        The adopted plan (its ``activity_levels``, ``periods`` and, where it has one, its
        ``capacity``).
    spec
        The spec the plan was made from (its economy gives the activities, their products,
        technology and labour coefficients).
    enterprises
        The enterprises (columns ``enterprise, activity, capacity`` and optionally ``trust,
        commissariat, region, director, started, labour_factor``); ``None`` takes the
        economy's own, or one enterprise per activity.
    rule
        ``"capacity"`` (in proportion to the enterprises' capacity) or ``"least_labour"``
        (the split using the least labour within the enterprises' capacities): see the
        module's docstring.

    Returns
    -------
    ControlFigures
        Annual figures (``month`` 0); what they add up to is in the module's docstring.

    Raises
    ------
    InputError
        For an unknown rule (``bad_argument``), a bad enterprises table (see
        :func:`enterprises_table`), an activity the plan runs that has no enterprise
        (``missing_label``), or a plan without levels.

    Examples
    --------
    >>> from gosplan.datasets import load
    >>> from gosplan.plan import optimise
    >>> spec = load("ussr-1928/optimum")
    >>> figures = control_figures(optimise(spec), spec)
    >>> sorted(figures.figures.columns)[:3]
    ['activity', 'commissariat', 'enterprise']
    """
    started = time.perf_counter()
    if rule not in RULES:
        raise InputError(f"unknown rule {rule!r}; choose {', '.join(RULES)}", check="bad_argument")
    economy = spec.economy
    table = enterprises_table(economy, enterprises)
    levels, periods = _plan_levels(result, economy)
    act = table["position"].to_numpy(dtype=np.int64)
    _check_staffed(economy, act, levels)
    labour = economy.labour
    if labour is None:
        labour = sp.csc_array((0, economy.n_activities))
    level_e = _enterprise_levels(rule, result, economy, table, levels, periods, labour)
    names = pd.Categorical.from_codes(np.arange(len(table)), categories=_text(table["enterprise"]))
    figures = _figures_table(economy, table, names, level_e, periods)
    labour_table, supply = _orders(economy, labour, table, names, level_e, periods)
    prov = provenance(
        spec,
        rule=rule,
        plan_status=str(getattr(result, "status", "")),
        plan_objective=getattr(result, "objective_kind", None),
        enterprises=len(table),
        periods=periods,
        seconds=round(time.perf_counter() - started, 6),
    )
    return ControlFigures(
        figures=figures, labour=labour_table, supply=supply, rule=rule, provenance=prov
    )


def _check_staffed(economy: Economy, act: np.ndarray, levels: np.ndarray) -> None:
    """Raise where the plan runs an activity that no enterprise runs (``missing_label``)."""
    staffed = np.bincount(act, minlength=economy.n_activities) > 0
    idle = ~staffed & (np.abs(levels) > 0).any(axis=1)
    if idle.any():
        problems = Problems()
        for i in np.flatnonzero(idle)[:5]:
            problems.add(
                "the plan runs this activity but no enterprise does: add one to the table",
                source=ENTERPRISES_SOURCE,
                label=str(economy.activity_labels[i]),
                check="missing_label",
            )
        raise validation_error(problems.problems())


def _enterprise_levels(
    rule: str,
    result: PlanResult,
    economy: Economy,
    table: pd.DataFrame,
    levels: np.ndarray,
    periods: list[int],
    labour: sp.csc_array,
) -> np.ndarray:
    """Each enterprise's level in each period (enterprises x periods), split by ``rule``."""
    n_act = economy.n_activities
    act = table["position"].to_numpy(dtype=np.int64)
    cap = table["capacity"].to_numpy(dtype=float)
    factor = table["labour_factor"].to_numpy(dtype=float)
    share, total = _shares(act, cap, n_act)
    if rule == "capacity":
        return share[:, None] * levels[act]
    plan_cap = _plan_capacity(result, economy, periods)
    ent_cap = _enterprise_capacity(act, cap, share, total, levels, plan_cap)
    labour_sum = np.asarray(np.abs(labour).sum(axis=0)).ravel()
    cost = np.where(labour_sum[act] > 0, factor, 0.0)
    return _split_least_labour(act, cost, share, ent_cap, levels)


def _figures_table(
    economy: Economy,
    table: pd.DataFrame,
    names: pd.Categorical,
    level_e: np.ndarray,
    periods: list[int],
) -> pd.DataFrame:
    """The figures of every enterprise and period: who, what, level and output."""
    act = table["position"].to_numpy(dtype=np.int64)
    made = np.asarray(economy.activity_product)[act]
    out_m = economy.output_matrix.tocsr()
    coef = np.asarray(out_m[made, act]).ravel() if len(act) else np.zeros(0)
    n_per = len(periods)
    return pd.DataFrame(
        {
            "enterprise": pd.Categorical.from_codes(
                np.repeat(names.codes, n_per), dtype=names.dtype
            ),
            "trust": _repeat(label_column(table["trust"]), n_per),
            "commissariat": _repeat(label_column(table["commissariat"]), n_per),
            "activity": pd.Categorical.from_codes(
                np.repeat(act, n_per), categories=_text(economy.activity_labels)
            ),
            "product": pd.Categorical.from_codes(
                np.repeat(made, n_per), categories=_text(economy.product_labels)
            ),
            "period": np.tile(np.asarray(periods, dtype=np.int64), len(act)),
            "month": np.full(len(act) * n_per, ANNUAL, dtype=np.int64),
            "level": level_e.ravel(),
            "output": (level_e * coef[:, None]).ravel(),
        },
        copy=False,
    )


def _orders(
    economy: Economy,
    labour: sp.csc_array,
    table: pd.DataFrame,
    names: pd.Categorical,
    level_e: np.ndarray,
    periods: list[int],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The labour by type and the supply orders (inputs) of every enterprise and period."""
    act = table["position"].to_numpy(dtype=np.int64)
    factor = table["labour_factor"].to_numpy(dtype=float)
    owner, row, value = _expand(labour, act)
    labour_q = value[:, None] * factor[owner, None] * level_e[owner]
    labour_table = _long(owner, row, labour_q, periods, names, "labour_type", economy.labour_types)
    owner, row, value = _expand(economy.technology, act)
    supply_q = value[:, None] * level_e[owner]
    supply = _long(owner, row, supply_q, periods, names, "product", economy.product_labels)
    return labour_table, supply


def _repeat(values: pd.Categorical, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.repeat(values.codes, n), dtype=values.dtype)


# ============================================================================ months
def _profile_weights(
    profile: pd.DataFrame | None, products: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """Normalised month weights (rows: ``products``; 12 columns) and which rows were given."""
    weights = np.full((len(products), MONTHS), 1.0 / MONTHS)
    given = np.zeros(len(products), dtype=bool)
    if profile is None:
        return weights, given
    src = PROFILE_SOURCE
    problems = Problems()
    for col in PROFILE_COLUMNS:
        if col not in profile.columns:
            problems.add(
                f"the profile needs the column {col!r}", source=src, check="missing_column"
            )
    if problems:
        raise validation_error(problems.problems())
    table = profile.reset_index(drop=True)
    prod = _text(table["product"])
    pos = products.get_indexer(prod)
    problems.add_rows(
        pos < 0,
        lambda i: f"no enterprise of the figures makes the product {prod[i]!r}",
        source=src,
        labels=prod,
        check="unknown_label",
    )
    month = _numbers(table["month"])
    bad_month = ~np.isfinite(month) | (month != np.round(month)) | (month < 1) | (month > MONTHS)
    problems.add_rows(
        bad_month,
        lambda i: f"the month must be a whole number from 1 to 12 (not {table['month'][i]!r})",
        source=src,
        labels=prod,
        check="out_of_range",
    )
    weight = _numbers(table["weight"])
    problems.add_rows(
        ~np.isfinite(weight),
        "the weight must be a finite number",
        source=src,
        labels=prod,
        check="non_numeric",
    )
    problems.add_rows(
        np.isfinite(weight) & (weight < 0),
        lambda i: f"the weight is negative ({weight[i]:g})",
        source=src,
        labels=prod,
        check="negative_value",
    )
    keys = pd.DataFrame({"product": prod, "month": month})
    problems.add_rows(
        keys.duplicated(keep="first").to_numpy() & ~bad_month,
        lambda i: f"month {int(month[i])} of {prod[i]!r} is given twice",
        source=src,
        labels=prod,
        check="duplicate_label",
    )
    if problems:
        raise validation_error(problems.problems())
    raw = np.zeros((len(products), MONTHS))
    np.add.at(raw, (pos, month.astype(np.int64) - 1), weight)
    given[pos] = True
    sums = raw.sum(axis=1)
    zero = given & (sums <= 0)
    if zero.any():
        for i in np.flatnonzero(zero)[:5]:
            problems.add(
                "every month's weight is zero: give at least one month a positive weight",
                source=src,
                label=str(products[i]),
                check="out_of_range",
            )
        raise validation_error(problems.problems())
    weights[given] = raw[given] / sums[given, None]
    return weights, given


def _by_month(table: pd.DataFrame, weights: np.ndarray, columns: tuple[str, ...]) -> pd.DataFrame:
    """Every row of ``table`` twelve times (month-minor), ``columns`` times each row's weights."""
    n = len(table)
    rows = np.repeat(np.arange(n), MONTHS)
    out: dict[str, Any] = {}
    for col in table.columns:
        values = table[col]
        if col == "month":
            out[col] = np.tile(np.arange(1, MONTHS + 1, dtype=np.int64), n)
        elif col in columns:
            out[col] = (values.to_numpy(dtype=float)[:, None] * weights).ravel()
        elif isinstance(values.dtype, pd.CategoricalDtype):
            out[col] = pd.Categorical.from_codes(
                np.asarray(values.cat.codes)[rows], dtype=values.dtype
            )
        else:
            out[col] = values.to_numpy()[rows]
    return pd.DataFrame(out, copy=False)


def monthly(figures: ControlFigures, profile: pd.DataFrame | None = None) -> ControlFigures:
    """Annual control figures spread over the twelve months.

    Parameters
    ----------
    figures
        Annual figures (``month`` 0), as :func:`control_figures` gives them.
    profile
        Seasonal profile: columns ``product, month, weight`` (months 1 to 12, weights not
        negative, normalised per product; a month not listed for a product has weight zero).
        Products not in it, and every product when ``None``, are spread evenly. Labour and
        supply orders follow the profile of the enterprise's main product: inputs are
        delivered and workers employed when the enterprise produces.

    Returns
    -------
    ControlFigures
        The same figures with ``month`` 1 to 12; the months of each row add up to its
        annual figure.

    Raises
    ------
    InputError
        When the figures are monthly already (``bad_argument``), or for a bad profile: a
        product that no enterprise of the figures makes (``unknown_label``), a month outside
        1 to 12 or a product whose weights are all zero (``out_of_range``), a negative weight
        (``negative_value``), a weight that is not a number (``non_numeric``), a month given
        twice (``duplicate_label``).
    """
    table = figures.figures
    if len(table) and (table["month"].to_numpy() != ANNUAL).any():
        raise InputError(
            "the figures are monthly already: spread annual figures (month 0)",
            source="control figures",
            check="bad_argument",
        )
    made = np.asarray(table["product"], dtype=object)
    supplied = np.asarray(figures.supply["product"], dtype=object)
    products = pd.Index(
        pd.unique(np.concatenate([made, supplied])),
        dtype=object,
    )
    weights, _ = _profile_weights(profile, products)
    # the enterprise's main product sets the profile of its labour and supply orders
    ent = pd.Index(np.asarray(table["enterprise"], dtype=object))
    first = ~ent.duplicated(keep="first")
    ent_product = pd.Series(
        products.get_indexer(pd.Index(made[first], dtype=object)),
        index=ent[first],
    )
    row_product = products.get_indexer(pd.Index(made, dtype=object))
    out = {"figures": _by_month(table, weights[row_product], ("level", "output"))}
    for name in ("labour", "supply"):
        part = getattr(figures, name)
        owners = ent_product.reindex(pd.Index(np.asarray(part["enterprise"], dtype=object)))
        if owners.isna().any():
            raise InputError(
                f"the {name} table names an enterprise the figures do not have",
                source="control figures",
                label=str(owners.index[int(np.flatnonzero(owners.isna().to_numpy())[0])]),
                check="unknown_label",
            )
        w = weights[owners.to_numpy(dtype=np.int64)]
        out[name] = _by_month(part, w, ("quantity",))
    prov = {
        **figures.provenance,
        "monthly": "even" if profile is None else "profile",
    }
    return ControlFigures(rule=figures.rule, provenance=prov, **out)
