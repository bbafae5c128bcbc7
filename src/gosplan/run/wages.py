"""Wages: brigade wage rules, shock work, consumer prices and the real wage.

Aggregate statistics only: every quantity here is per enterprise (or brigade) and grade of
worker, or per year; nothing follows, restricts or scores a person.

Brigade wage rules (:func:`brigade_pay`, :func:`pay_table`), for an enterprise (or brigade)
``e`` with ``W[e, g]`` workers of grade ``g``:

``"equal"``
    The pooled wage fund ``F[e]`` split equally per worker: ``pay[e, g] = F[e] / sum_g W[e, g]``.
``"by_grade"``
    The fund split by tariff coefficients ``c[g]`` (by default skilled 1.5, semi-skilled 1.2,
    unskilled 1.0, :data:`DEFAULT_TARIFF`): ``pay[e, g] = F[e] c[g] / sum_g c[g] W[e, g]``;
    pay keeps the tariff's ratios between grades.
``"piece"``
    Individual piece rates: ``pay[e, g] = rate[e] p[g] f[e]``, the rate per unit of output
    times the output per worker of grade ``g`` (productivity ``p[g]`` times the enterprise's
    norm fulfilment ``f[e]``, 1 by default). Pay follows productivity, and the total paid is
    not a fund given beforehand: ``sum_g pay W = rate[e] f[e] sum_g p[g] W[e, g]``, the rate
    times the output of the enterprise.

Both fund rules pay out exactly the fund, ``sum_g pay[e, g] W[e, g] = F[e]``, wherever the
enterprise has workers; an enterprise without workers pays nothing (its fund stays unpaid).

Shock work (:func:`shock_work`): the ratchet of the norm, the productivity gain of shock
brigades and the working time lost to planning sessions; its ``norm_increase`` is the input
``norm_increase[e]`` of the workforce model's quit hazard.

Prices (:func:`consumer_price_index`, :func:`real_wage_index`): a consumer price index from
ration (state) and commercial (open-market) price indices, and the real wage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.checks import Check, Problems
from gosplan.errors import InputError

#: The wage rules of :func:`brigade_pay`.
RULES = ("equal", "by_grade", "piece")
#: Tariff coefficients by grade (the ``by_grade`` rule's default).
DEFAULT_TARIFF: Mapping[str, float] = {"skilled": 1.5, "semi-skilled": 1.2, "unskilled": 1.0}
#: Methods of :func:`consumer_price_index`.
CPI_METHODS = ("chained", "fixed")
#: Columns of a table of rules (:func:`pay_table`): required, then optional.
RULE_COLUMNS = ("enterprise", "period", "rule")
RULE_VALUES = ("fund", "piece_rate", "fulfilment")
#: Columns of the table :func:`pay_table` returns.
PAY_COLUMNS = ("enterprise", "period", "grade", "rule", "workers", "pay", "wage_fund")


def _array(values: Any, name: str, ndim: int) -> np.ndarray:
    """``values`` as a float array of ``ndim`` dimensions, finite and not negative."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} must be numbers", label=name, check=Check.NON_NUMERIC) from err
    if array.ndim != ndim:
        raise InputError(
            f"{name} must have {ndim} dimension(s), not {array.ndim}",
            label=name,
            check=Check.BAD_ARGUMENT,
        )
    if not np.isfinite(array).all():
        raise InputError(f"{name} must be finite numbers", label=name, check=Check.NON_NUMERIC)
    if (array < 0).any():
        raise InputError(f"{name} must not be negative", label=name, check=Check.NEGATIVE_VALUE)
    return array


def _per_row(values: Any, name: str, rows: int, needed: np.ndarray) -> np.ndarray:
    """A value per enterprise (a scalar is broadcast), checked where ``needed``; else 0."""
    try:
        array = np.broadcast_to(np.asarray(values, dtype=float), (rows,)).astype(float)
    except (TypeError, ValueError) as err:
        raise InputError(
            f"{name} must be one number, or one per enterprise ({rows})",
            label=name,
            check=Check.BAD_ARGUMENT,
        ) from err
    used = array[needed]
    if not np.isfinite(used).all():
        raise InputError(
            f"{name} must be given where its rule needs it", label=name, check=Check.MISSING_VALUE
        )
    if (used < 0).any():
        raise InputError(f"{name} must not be negative", label=name, check=Check.NEGATIVE_VALUE)
    return np.where(needed, array, 0.0)


def _rules(rule: str | Any, rows: int) -> np.ndarray:
    """The rule of every enterprise (one for all, or one each), each a member of RULES."""
    names = np.broadcast_to(np.asarray(rule, dtype=object), (rows,))
    unknown = sorted({str(r) for r in names if r not in RULES})
    if unknown:
        raise InputError(
            f"unknown wage rule(s) {', '.join(unknown)}; choose {', '.join(RULES)}",
            label=unknown[0],
            check=Check.BAD_OPTION,
        )
    return names


def _tariff(tariff: Any, grades: int) -> np.ndarray:
    """Tariff coefficients, one per grade, all positive (the default for three grades)."""
    if tariff is None:
        if grades != len(DEFAULT_TARIFF):
            raise InputError(
                f"give the tariff coefficients of the {grades} grades (the default is for "
                f"{', '.join(DEFAULT_TARIFF)})",
                label="tariff",
                check=Check.BAD_ARGUMENT,
            )
        tariff = list(DEFAULT_TARIFF.values())
    coefficients = _array(tariff, "tariff", 1)
    if coefficients.shape != (grades,) or (coefficients <= 0).any():
        raise InputError(
            f"tariff must be {grades} positive coefficients, one per grade",
            label="tariff",
            check=Check.OUT_OF_RANGE,
        )
    return coefficients


def brigade_pay(
    workers: Any,
    fund: Any = None,
    rule: str | Any = "equal",
    *,
    tariff: Any = None,
    productivity: Any = None,
    piece_rate: Any = None,
    fulfilment: Any = 1.0,
) -> np.ndarray:
    """The pay per worker of each enterprise (or brigade) and grade under its wage rule.

    Parameters
    ----------
    workers
        Workers by enterprise and grade, ``W[e, g]`` (not negative).
    fund
        The pooled wage fund of each enterprise, ``F[e]``: needed where the rule is
        ``"equal"`` or ``"by_grade"`` (NaN, or ``None`` for all, where it is ``"piece"``).
    rule
        ``"equal"``, ``"by_grade"`` or ``"piece"`` (module docstring): one for every
        enterprise, or one each.
    tariff
        Tariff coefficients ``c[g]``, positive (``by_grade``); by default
        :data:`DEFAULT_TARIFF` for three grades in its order (skilled first).
    productivity
        Output per worker of each grade at the norm, ``p[g]`` (or ``p[e, g]``), for ``piece``.
    piece_rate
        Pay per unit of output of each enterprise (or one for all), for ``piece``.
    fulfilment
        Norm fulfilment of each enterprise (1: the norm), for ``piece``.

    Returns
    -------
    numpy.ndarray
        ``pay[e, g]``; every fund rule pays out ``sum_g pay W = F`` where there are workers,
        0 for an enterprise without any.

    Raises
    ------
    InputError
        Negative or missing numbers, shapes that do not agree, or an unknown rule.
    """
    w = _array(workers, "workers", 2)
    rows, grades = w.shape
    names = _rules(rule, rows)
    funded = names != "piece"
    piece = ~funded
    f = _per_row(np.nan if fund is None else fund, "fund", rows, funded)
    heads = w.sum(axis=1)
    equal = np.divide(f, heads, out=np.zeros(rows), where=heads > 0)
    pay = np.where(funded[:, None], equal[:, None], 0.0) * np.ones(grades)
    by_grade = names == "by_grade"
    if by_grade.any():
        c = _tariff(tariff, grades)
        weighted = w @ c
        share = np.divide(f, weighted, out=np.zeros(rows), where=weighted > 0)
        pay = np.where(by_grade[:, None], share[:, None] * c[None, :], pay)
    if piece.any():
        piece_pay = _piece_pay(productivity, piece_rate, fulfilment, piece, (rows, grades))
        pay = np.where(piece[:, None], piece_pay, pay)
    return np.asarray(pay, dtype=float)


def _piece_pay(
    productivity: Any, piece_rate: Any, fulfilment: Any, piece: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Piece-rate pay ``rate[e] f[e] p[g]`` (rows not on piece rates: 0)."""
    if productivity is None or piece_rate is None:
        raise InputError(
            "the piece rule needs productivity and piece_rate",
            label="piece",
            check=Check.BAD_ARGUMENT,
        )
    p = _array(productivity, "productivity", np.ndim(productivity))
    try:
        p = np.broadcast_to(p, shape)
    except ValueError as err:
        raise InputError(
            "productivity must be per grade (or per enterprise and grade)",
            label="productivity",
            check=Check.BAD_ARGUMENT,
        ) from err
    rate = _per_row(piece_rate, "piece_rate", shape[0], piece)
    norm = _per_row(fulfilment, "fulfilment", shape[0], piece)
    return np.asarray((rate * norm)[:, None] * p, dtype=float)


def wage_fund(pay: Any, workers: Any) -> np.ndarray | pd.Series:
    """The wages paid by each enterprise, ``sum_g pay[e, g] W[e, g]``.

    Parameters
    ----------
    pay
        Pay per worker by enterprise and grade (an array, or a DataFrame).
    workers
        Workers by enterprise and grade, of the same shape.

    Returns
    -------
    numpy.ndarray or pandas.Series
        One total per enterprise (a Series on the DataFrame's index when ``pay`` is one).
    """
    p, w = _pair(pay, workers)
    total = (p * w).sum(axis=1)
    return pd.Series(total, index=pay.index, name="wage_fund") if _framed(pay) else total


def average_wage(pay: Any, workers: Any, *, axis: int | None = 1) -> Any:
    """The average pay per worker: wages paid over workers.

    Parameters
    ----------
    pay
        Pay per worker by enterprise and grade (an array, or a DataFrame).
    workers
        Workers by enterprise and grade, of the same shape.
    axis
        1: per enterprise (over its grades); 0: per grade (over the enterprises); ``None``:
        over all.

    Returns
    -------
    numpy.ndarray, pandas.Series or float
        The average (NaN where there are no workers); a Series on the DataFrame's index (or
        columns) when ``pay`` is one.
    """
    p, w = _pair(pay, workers)
    heads = w.sum(axis=axis)
    paid = (p * w).sum(axis=axis)
    mean = np.divide(paid, heads, out=np.full(np.shape(heads), np.nan), where=heads > 0)
    if axis is None:
        return float(mean)
    if _framed(pay):
        return pd.Series(mean, index=pay.index if axis == 1 else pay.columns, name="average")
    return mean


def _framed(values: Any) -> bool:
    return isinstance(values, pd.DataFrame)


def _pair(pay: Any, workers: Any) -> tuple[np.ndarray, np.ndarray]:
    """Pay and workers as arrays of one shape (a DataFrame of workers aligned on ``pay``)."""
    if _framed(pay) and _framed(workers):
        workers = workers.reindex(index=pay.index, columns=pay.columns)
    p = _array(pay, "pay", 2)
    w = _array(workers, "workers", 2)
    if p.shape != w.shape:
        raise InputError(
            f"pay {p.shape} and workers {w.shape} must have the same shape",
            label="workers",
            check=Check.BAD_ARGUMENT,
        )
    return p, w


def _numbers(frame: pd.DataFrame, column: str, source: str, problems: Problems) -> np.ndarray:
    """A column of the rules table as floats (NaN where empty), problems recorded by row."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    labels = frame["enterprise"].astype(str).to_numpy()
    bad = (raw.notna().to_numpy() & ~np.isfinite(values)) | np.isinf(values)
    problems.add_rows(
        bad,
        f"{column} is not a finite number",
        source=source,
        labels=labels,
        check=Check.NON_NUMERIC,
    )
    problems.add_rows(
        values < 0,
        f"{column} must not be negative",
        source=source,
        labels=labels,
        check=Check.NEGATIVE_VALUE,
    )
    return np.where(np.isfinite(values), values, np.nan)


def _check_rules(rules: pd.DataFrame, enterprises: pd.Index, source: str) -> dict[str, Any]:
    """Validate a table of rules; its rule names and numbers by column."""
    problems = Problems()
    missing = [c for c in RULE_COLUMNS if c not in rules.columns]
    for column in missing:
        problems.add(f"missing column {column!r}", source=source, check=Check.MISSING_COLUMN)
    problems.raise_if_any()
    labels = rules["enterprise"].astype(str).to_numpy()
    names = rules["rule"].astype(str).to_numpy()
    problems.add_rows(
        ~rules["enterprise"].astype(str).isin(enterprises.astype(str)).to_numpy(),
        "no such enterprise among the workers' enterprises",
        source=source,
        labels=labels,
        check=Check.UNKNOWN_ENTERPRISE,
    )
    problems.add_rows(
        ~np.isin(names, RULES),
        lambda i: f"unknown rule {names[i]!r}; choose {', '.join(RULES)}",
        source=source,
        labels=labels,
        check=Check.BAD_OPTION,
    )
    keys = rules[["enterprise", "period"]].astype(str)
    problems.add_rows(
        keys.duplicated().to_numpy(),
        "a second rule for this enterprise and period",
        source=source,
        labels=labels,
        check=Check.DUPLICATE_LABEL,
    )
    values = {c: _numbers(rules, c, source, problems) for c in RULE_VALUES}
    funded = np.isin(names, ("equal", "by_grade"))
    problems.add_rows(
        funded & np.isnan(values["fund"]),
        "the rule needs a fund",
        source=source,
        labels=labels,
        check=Check.MISSING_VALUE,
    )
    problems.add_rows(
        (names == "piece") & np.isnan(values["piece_rate"]),
        "the piece rule needs a piece_rate",
        source=source,
        labels=labels,
        check=Check.MISSING_VALUE,
    )
    problems.raise_if_any()
    values["fulfilment"] = np.where(np.isnan(values["fulfilment"]), 1.0, values["fulfilment"])
    return {"rule": names, **values}


def pay_table(
    rules: pd.DataFrame,
    workers: pd.DataFrame,
    *,
    tariff: pd.Series | Mapping[str, float] | None = None,
    productivity: pd.Series | Mapping[str, float] | None = None,
    source: str = "rules",
) -> pd.DataFrame:
    """Pay per worker of each enterprise, period and grade under each row's wage rule.

    Parameters
    ----------
    rules
        One row per enterprise and period: ``enterprise``, ``period``, ``rule`` (module
        docstring) and, as the rule needs them, ``fund`` (the pooled wage fund),
        ``piece_rate`` (pay per unit of output) and ``fulfilment`` (of the norm, 1 if empty).
    workers
        Workers by enterprise (index) and grade (columns), the same in every period.
    tariff
        Tariff coefficient by grade (by default :data:`DEFAULT_TARIFF`, whose grades the
        columns must then be).
    productivity
        Output per worker by grade at the norm (needed by the ``piece`` rule).
    source
        How error messages name the rules table.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PAY_COLUMNS`, one row per rule row and grade, in the rules' order:
        ``wage_fund`` is ``pay * workers``.

    Raises
    ------
    ValidationError
        Every problem of the rules table by row (header row 1): missing columns, unknown
        enterprises or rules, duplicate rows, negative or missing funds and rates.
    InputError
        Negative workers, or tariff or productivity missing a grade.
    """
    grades = workers.columns
    checked = _check_rules(rules, workers.index, source)
    w = _check_workers(workers)
    rows = workers.index.astype(str).get_indexer(rules["enterprise"].astype(str))
    c = p = None
    if (checked["rule"] == "by_grade").any():
        c = _by_grade(DEFAULT_TARIFF if tariff is None else tariff, grades, "tariff")
    if productivity is not None:
        p = _by_grade(productivity, grades, "productivity")
    pay = brigade_pay(
        w[rows],
        checked["fund"],
        checked["rule"],
        tariff=c,
        productivity=p,
        piece_rate=checked["piece_rate"],
        fulfilment=checked["fulfilment"],
    )
    n = len(grades)
    heads = w[rows].ravel()
    table = pd.DataFrame(
        {
            "enterprise": np.repeat(rules["enterprise"].to_numpy(), n),
            "period": np.repeat(rules["period"].to_numpy(), n),
            "grade": np.tile(grades.to_numpy(), len(rules)),
            "rule": np.repeat(checked["rule"], n),
            "workers": heads,
            "pay": pay.ravel(),
            "wage_fund": pay.ravel() * heads,
        }
    )
    return table


def _check_workers(workers: pd.DataFrame, source: str = "workers") -> np.ndarray:
    """The workers table as floats: every cell a number, none negative (problems by row)."""
    values = workers.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    problems = Problems()
    labels = workers.index.astype(str).to_numpy()
    problems.add_rows(
        ~np.isfinite(values).all(axis=1),
        "workers must be finite numbers",
        source=source,
        labels=labels,
        check=Check.NON_NUMERIC,
    )
    problems.add_rows(
        (values < 0).any(axis=1),
        "workers must not be negative",
        source=source,
        labels=labels,
        check=Check.NEGATIVE_VALUE,
    )
    problems.raise_if_any()
    return values


def _by_grade(values: pd.Series | Mapping[str, float], grades: pd.Index, name: str) -> np.ndarray:
    """A value per grade, in the order of ``grades`` (every grade given)."""
    series = pd.Series(values, dtype=float)
    missing = [str(g) for g in grades if g not in series.index]
    if missing:
        raise InputError(
            f"{name} has no value for grade(s) {', '.join(missing)}",
            label=missing[0],
            check=Check.MISSING_LABEL,
        )
    return series.reindex(grades).to_numpy(dtype=float)


@dataclass(frozen=True)
class ShockWork:
    """The outcome of a period of shock work (see :func:`shock_work`).

    Attributes
    ----------
    norm
        Next period's norm, ``max(norm, ratchet_share * achieved)``.
    norm_increase
        Its relative increase, ``new / old - 1`` (0 where the norm is not raised): the
        workforce model's ``norm_increase[e]``.
    labour_factor
        The share of working time left after planning sessions, ``1 - session / hours``.
    productivity_factor
        Effective productivity, ``(1 + productivity_gain) * labour_factor``.
    """

    norm: np.ndarray | pd.Series
    norm_increase: np.ndarray | pd.Series
    labour_factor: float
    productivity_factor: float


def _scalar(value: float, name: str, low: float, high: float = np.inf) -> float:
    """A finite number within ``[low, high]``."""
    number = float(value)
    if not (np.isfinite(number) and low <= number <= high):
        raise InputError(
            f"{name} must lie in [{low}, {high}], not {number}",
            label=name,
            check=Check.OUT_OF_RANGE,
        )
    return number


def shock_work(
    norm: Any,
    achieved: Any,
    *,
    ratchet_share: float,
    productivity_gain: float,
    session_hours_per_day: float,
    hours_per_day: float = 8.0,
) -> ShockWork:
    """The norm ratchet, productivity gain and time cost of shock brigades for one period.

    Parameters
    ----------
    norm
        This period's output norm of each enterprise (or brigade), positive.
    achieved
        What each achieved (not negative), in the norm's units.
    ratchet_share
        Share of this period's achievement that becomes next period's norm where it exceeds
        the old one (not negative): the ratchet never lowers a norm.
    productivity_gain
        Relative productivity gain of shock work (0.1: a tenth more output per hour).
    session_hours_per_day
        Hours a day spent in planning (production) meetings, within ``[0, hours_per_day]``.
    hours_per_day
        Hours of a working day (positive).

    Returns
    -------
    ShockWork
        Arrays (Series on ``norm``'s index when it is one) and the two factors. Over
        periods that each achieve ``(1 + o)`` times the norm, the norm grows geometrically,
        by ``ratchet_share * (1 + o)`` a period once that exceeds 1.
    """
    old = _array(norm, "norm", np.ndim(norm))
    done = _array(achieved, "achieved", np.ndim(achieved))
    if (old <= 0).any():
        raise InputError("norm must be positive", label="norm", check=Check.OUT_OF_RANGE)
    if old.shape != done.shape:
        raise InputError(
            "norm and achieved must have the same shape", label="achieved", check=Check.BAD_ARGUMENT
        )
    share = _scalar(ratchet_share, "ratchet_share", 0.0)
    gain = _scalar(productivity_gain, "productivity_gain", -1.0)
    hours = _scalar(hours_per_day, "hours_per_day", np.finfo(float).tiny)
    session = _scalar(session_hours_per_day, "session_hours_per_day", 0.0, hours)
    new = np.maximum(old, share * done)
    increase = new / old - 1.0
    labour = 1.0 - session / hours
    if isinstance(norm, pd.Series):
        return ShockWork(
            pd.Series(new, index=norm.index, name="norm"),
            pd.Series(increase, index=norm.index, name="norm_increase"),
            labour,
            (1.0 + gain) * labour,
        )
    return ShockWork(new, increase, labour, (1.0 + gain) * labour)


def _series_checks(series: Mapping[str, pd.Series], positive: tuple[str, ...]) -> pd.Index:
    """Validate yearly series: the years of all, each given in every series, values valid."""
    problems = Problems()
    years = pd.Index([])
    for s in series.values():
        years = years.union(pd.Index(s.index))
    for name, s in series.items():
        index = pd.Index(s.index)
        for year in index[index.duplicated()].unique():
            problems.add(
                "year given twice", source=name, label=str(year), check=Check.DUPLICATE_LABEL
            )
        for year in years.difference(index):
            problems.add(
                f"no value for {year}, given in another series",
                source=name,
                label=str(year),
                check=Check.MISSING_LABEL,
            )
        values = pd.to_numeric(s, errors="coerce")
        for year in values.index[~np.isfinite(values.to_numpy(dtype=float))]:
            problems.add(
                "not a finite number", source=name, label=str(year), check=Check.MISSING_VALUE
            )
        negative = values < 0 if name != "weights" else pd.Series(False, index=values.index)
        for year in values.index[negative]:
            problems.add(
                f"must not be negative ({values[year]})",
                source=name,
                label=str(year),
                check=Check.NEGATIVE_VALUE,
            )
        if name in positive:
            for year in values.index[values == 0]:
                problems.add(
                    "must be positive (it divides)",
                    source=name,
                    label=str(year),
                    check=Check.OUT_OF_RANGE,
                )
        elif name == "weights":
            for year in values.index[(values < 0) | (values > 1)]:
                problems.add(
                    f"a share must lie in [0, 1], not {values[year]}",
                    source=name,
                    label=str(year),
                    check=Check.OUT_OF_RANGE,
                )
    problems.raise_if_any()
    return years.sort_values()


def consumer_price_index(
    ration_prices: pd.Series,
    commercial_prices: pd.Series,
    weights: pd.Series,
    *,
    method: str = "chained",
) -> pd.Series:
    """A Laspeyres consumer price index over ration and commercial prices, by year.

    With ``R`` and ``C`` the ration (state) and commercial (open-market) price indices and
    ``s`` the share of purchases (by value) made at ration prices (``1 - s`` commercial):

    ``"chained"`` (default)
        ``I[t] = I[t-1] (s[t-1] R[t] / R[t-1] + (1 - s[t-1]) C[t] / C[t-1])``: each year
        linked to the last with the last year's shares, so the shares follow the move of
        purchases to the open market.
    ``"fixed"``
        Fixed base, the base year's shares: ``I[t] = s[0] R[t] / R[0] + (1 - s[0]) C[t] / C[0]``.

    ``I`` is 1 in the first year. Both measure price changes at given shares: a move of
    purchases from ration to dearer commercial prices is not itself a rise of this index.

    Parameters
    ----------
    ration_prices, commercial_prices
        Price indices by year (positive; any base, only their ratios count).
    weights
        The share of purchases at ration prices by year, in ``[0, 1]``.
    method
        ``"chained"`` or ``"fixed"``.

    Returns
    -------
    pandas.Series
        The index by year (sorted), named ``cpi``.

    Raises
    ------
    ValidationError
        Naming the series and the year: negative or zero prices, shares outside [0, 1],
        missing values, a year missing from one series or given twice.
    """
    if method not in CPI_METHODS:
        raise InputError(
            f"unknown method {method!r}; choose {', '.join(CPI_METHODS)}",
            label=method,
            check=Check.BAD_OPTION,
        )
    series = {
        "ration_prices": ration_prices,
        "commercial_prices": commercial_prices,
        "weights": weights,
    }
    years = _series_checks(series, positive=("ration_prices", "commercial_prices"))
    r, c, s = (pd.to_numeric(x).reindex(years).to_numpy(dtype=float) for x in series.values())
    if method == "fixed":
        index = s[0] * r / r[0] + (1.0 - s[0]) * c / c[0]
    else:
        links = s[:-1] * r[1:] / r[:-1] + (1.0 - s[:-1]) * c[1:] / c[:-1]
        index = np.concatenate(([1.0], np.cumprod(links)))
    return pd.Series(index, index=years, name="cpi")


def real_wage_index(nominal_wage: pd.Series, cpi: pd.Series, base: Any = None) -> pd.Series:
    """The real wage index: ``(nominal / nominal[base]) / (cpi / cpi[base])``.

    Parameters
    ----------
    nominal_wage
        The nominal (average money) wage by year, not negative and positive in the base year.
    cpi
        A consumer price index by year (positive), e.g. :func:`consumer_price_index`.
    base
        The base year (1 there); by default the first year.

    Returns
    -------
    pandas.Series
        The index by year (sorted), named ``real_wage``.

    Raises
    ------
    ValidationError
        Naming the series and the year: negative wages, non-positive prices, a year missing
        from one series, an unknown base year or a zero wage in it.
    """
    years = _series_checks({"nominal_wage": nominal_wage, "cpi": cpi}, positive=("cpi",))
    wage = pd.to_numeric(nominal_wage).reindex(years).astype(float)
    prices = pd.to_numeric(cpi).reindex(years).astype(float)
    year = years[0] if base is None else base
    if year not in years:
        raise InputError(
            "the base year is not among the years",
            source="base",
            label=str(year),
            check=Check.UNKNOWN_LABEL,
        )
    if wage[year] == 0:
        raise InputError(
            "the base year's wage must be positive (it divides)",
            source="nominal_wage",
            label=str(year),
            check=Check.OUT_OF_RANGE,
        )
    real = (wage / wage[year]) / (prices / prices[year])
    return real.rename("real_wage")
