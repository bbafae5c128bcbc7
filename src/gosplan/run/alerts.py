"""Alerts on plan fulfilment: incipient falls and rises, escalated while they last.

Each series (one per key, by default per enterprise and product) is the indicator of the
fulfilment table (by default ``share``, actual over plan) in time order (``period``, then
``month``). It is standardised, ``z = (value - reference) / sigma`` with ``reference`` the
median of its first three reports and ``sigma = cv * |reference|`` (``cv`` the coefficient of
variation of the reports about their level), and run through the change-point detector of
:mod:`gosplan.run.changepoint` (Bayesian online change-point detection, Adams & MacKay 2007,
arXiv:0710.3742; Normal model of unknown mean, known variance, constant hazard, run lengths
truncated at 64), which gives per report the probability of a change within the last
``window`` reports.

An **alert** is raised on the report where that probability first reaches ``threshold``; its
direction (``fall`` or ``rise``) is the sign of the mean of the new segment against the
**pre-change level** (the detector's estimate of the level just before the segment opened).
The alert is first told to the ``enterprise``; it is escalated to the ``trust``, then the
``commissariat``, then the ``planning office`` when the series is not back in band after
``grace[i]`` further reports at each level (with ``grace=(2, 2, 2)``: the report that raises
the alert and the next go to the enterprise, the second further report to the trust, and so
on). A series is **back in band** when no change in the alert's direction is probable any
more (the probability is below ``threshold``, or the recent change it sees is the other way:
the recovery) and its level is within the pre-change band, ``pre-change level +/- band *
sigma``. The level checked is the detector's posterior mean of the current level, not the raw
report: a single report of a series that stays down by two standard deviations falls within
one standard deviation of the old level one time in six, its estimated level almost never.
Once an alert is closed, a change that began before it closed (the recovery itself) raises
no new alert.

**Calibration** (``tests/run/test_alerts.py``, seed fixed; ``benchmarks/run_alerts_bench.py``
prints the same figures). The defaults (``hazard=1/100``, ``prior_width=10``, ``window=5``,
``min_history=3``, ``threshold=0.25``) were chosen on synthetic series of 36 monthly reports,
Normal noise of coefficient of variation 4 % about a level drawn in [0.8, 1.2] (called
with ``cv=0.04``): in control, 0.6 % of series-months have a probability at or above the
threshold (0.4 % raise an alert); a step of 10 % of the level (2.5 standard deviations), up
or down, is detected within 3 reports after it (on the first changed report or one of the
next three) in 93 % of series (87 % within 2; mean delay 1.0 report). With 5 % noise (a step
of 2 standard deviations) the same defaults detect 79 % within 3 reports (0.6 % flagged): no
detector can meet both "at most 1 % false alarms" and "90 % within 3 reports" there, since
the likelihood-ratio scan over the last 1 to 4 reports with the noise known exactly, the best
test of a step of unknown sign, detects 86 % at 1 % of series-months flagged.

The result is a DataFrame, one row per series and report with an alert open, columns
:data:`ALERT_COLUMNS`: the key columns, ``period``, ``month``, ``value`` (the indicator),
``probability`` (of a recent change), ``direction`` (``fall``/``rise``), ``level`` (who is
told: ``enterprise``, ``trust``, ``commissariat``, ``planning office``) and ``reports`` (reports
since the alert was raised, 0 on the report that raised it).

For the online use, :class:`AlertState` carries the detector and the alert bookkeeping (a few
arrays per series; it pickles) and takes one report per series per period with
:meth:`AlertState.update`.

Example: a works whose fulfilment falls by 30 % from month 7 (:func:`alerts`)
-----------------------------------------------------------------------------
>>> import pandas as pd
>>> months = range(1, 13)
>>> shares = [1.0, 1.02, 0.98, 1.01, 0.99, 1.0, 0.7, 0.72, 0.69, 0.71, 0.7, 0.7]
>>> table = pd.DataFrame({"enterprise": "Magnitka", "product": "steel", "period": 1932,
...                       "month": list(months), "share": shares})
>>> out = alerts(table)
>>> print(out[["month", "direction", "level", "reports"]].to_string(index=False))
 month direction        level  reports
     7      fall   enterprise        0
     8      fall   enterprise        1
     9      fall        trust        2
    10      fall        trust        3
    11      fall commissariat        4
    12      fall commissariat        5
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from gosplan.errors import InputError
from gosplan.run.changepoint import ChangepointModel, ChangepointState

__all__ = [
    "ALERT_COLUMNS",
    "DEFAULT_MODEL",
    "DEFAULT_THRESHOLD",
    "LEVELS",
    "AlertState",
    "AlertStep",
    "alerts",
]

LEVELS: tuple[str, ...] = ("enterprise", "trust", "commissariat", "planning office")
"""Who is told, in escalation order."""

DEFAULT_MODEL = ChangepointModel(
    hazard=1.0 / 100.0, prior_width=10.0, max_run=64, window=5, min_history=3
)
"""The calibrated detector (see the module docstring)."""

DEFAULT_THRESHOLD = 0.25
"""Probability of a recent change at which an alert is raised."""

ALERT_COLUMNS: tuple[str, ...] = (
    "period",
    "month",
    "value",
    "probability",
    "direction",
    "level",
    "reports",
)
"""Columns of :func:`alerts` after the key columns."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AlertStep:
    """The alerts after one report per series.

    Attributes
    ----------
    probability : ndarray of float, shape (n_series,)
        Probability of a recent change (NaN where the report is missing).
    alert : ndarray of bool
        Whether an alert is open after the report (False where the report is missing).
    direction : ndarray of int8
        -1 fall, +1 rise, 0 where no alert is open.
    level : ndarray of int8
        Index into :data:`LEVELS` of who is told, -1 where no alert is open.
    reports : ndarray of int64
        Reports since the alert was raised (0 on the raising report, -1 where none is open).
    """

    probability: npt.NDArray[np.floating[Any]]
    alert: npt.NDArray[np.bool_]
    direction: npt.NDArray[np.int8]
    level: npt.NDArray[np.int8]
    reports: npt.NDArray[np.int64]


@dataclass
class AlertState:
    """Detector and alert bookkeeping over ``n_series`` series, carried between periods.

    Build with :meth:`start`; feed one report per series per period with :meth:`update`.
    Everything is plain numpy arrays and numbers, so the state pickles.

    Attributes
    ----------
    detector : ChangepointState
        The change-point detector's state (standardised reports).
    reference, sigma : ndarray of float, shape (n_series,)
        Standardisation: ``z = (value - reference) / sigma``.
    threshold : float
        Probability of a recent change that raises an alert.
    band : float
        Half-width of the pre-change band, in ``sigma``.
    grace : tuple of int
        Further reports at each of the first three levels before escalation.
    active, tier, since, reports, pre, direction, closed_at : ndarray, shape (n_series,)
        Per series: alert open; index into :data:`LEVELS`; reports since the current level was
        reached; reports since the alert was raised; pre-change level (standardised);
        direction (-1, +1); reports seen when the last alert closed.
    history : ndarray of float, shape (n_series, window)
        The detector's level after each of the last ``window`` reports (column 0 the latest).
    """

    detector: ChangepointState
    reference: FloatArray
    sigma: FloatArray
    threshold: float
    band: float
    grace: tuple[int, int, int]
    active: npt.NDArray[np.bool_]
    tier: npt.NDArray[np.int8]
    since: npt.NDArray[np.int64]
    reports: npt.NDArray[np.int64]
    pre: FloatArray
    direction: npt.NDArray[np.int8]
    closed_at: npt.NDArray[np.int64]
    history: FloatArray

    @classmethod
    def start(
        cls,
        reference: npt.ArrayLike,
        sigma: npt.ArrayLike,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        band: float = 1.0,
        grace: Sequence[int] = (2, 2, 2),
        model: ChangepointModel = DEFAULT_MODEL,
        dtype: npt.DTypeLike = np.float64,
    ) -> AlertState:
        """The state before any report.

        Parameters
        ----------
        reference : array_like of float, shape (n_series,)
            The level each series is measured from (e.g. its first reports' median).
        sigma : array_like of float, shape (n_series,)
            Standard deviation of the reports about their level (positive).
        threshold : float, default :data:`DEFAULT_THRESHOLD`
            Probability of a recent change that raises an alert.
        band : float, default 1.0
            Half-width of the pre-change band in ``sigma``.
        grace : sequence of three int, default (2, 2, 2)
            Further reports at enterprise, trust and commissariat before escalation.
        model : ChangepointModel, default :data:`DEFAULT_MODEL`
            The detector's parameters.
        dtype : dtype, default float64
            Floating type of the detector's ``series x max_run`` arrays.

        Returns
        -------
        AlertState
        """
        ref = np.asarray(reference, dtype=np.float64).ravel()
        sig = np.broadcast_to(np.asarray(sigma, dtype=np.float64), ref.shape).copy()
        if not np.all(sig > 0):
            raise ValueError("sigma must be positive for every series")
        grace_t = tuple(int(g) for g in grace)
        if len(grace_t) != 3 or min(grace_t) < 1:
            raise ValueError(f"grace must be three positive numbers of reports, got {grace}")
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must lie in (0, 1), got {threshold}")
        n = ref.size
        return cls(
            detector=model.start(n, dtype),
            reference=ref,
            sigma=sig,
            threshold=float(threshold),
            band=float(band),
            grace=(grace_t[0], grace_t[1], grace_t[2]),
            active=np.zeros(n, dtype=bool),
            tier=np.full(n, -1, dtype=np.int8),
            since=np.zeros(n, dtype=np.int64),
            reports=np.full(n, -1, dtype=np.int64),
            pre=np.full(n, np.nan),
            direction=np.zeros(n, dtype=np.int8),
            closed_at=np.zeros(n, dtype=np.int64),
            history=np.full((n, model.window), np.nan),
        )

    @property
    def n_series(self) -> int:
        """Number of series."""
        return int(self.reference.size)

    def update(self, new_values: npt.ArrayLike) -> AlertStep:
        """Take one report per series (NaN: no report), update in place.

        Parameters
        ----------
        new_values : array_like of float, shape (n_series,)
            The indicator reported this period, in its own units.

        Returns
        -------
        AlertStep
            Probability of a recent change and the open alerts after the report.
        """
        values = np.asarray(new_values, dtype=np.float64)
        if values.shape != (self.n_series,):
            raise ValueError(f"expected {self.n_series} values, got shape {values.shape}")
        z = (values - self.reference) / self.sigma
        observed = ~np.isnan(z)
        previous = self.history
        step = self.detector.update(z)
        n_obs = self.detector.n_obs
        p = np.nan_to_num(step.probability.astype(np.float64), nan=0.0)
        level = step.level.astype(np.float64)
        rows = np.arange(self.n_series)
        run = step.run
        # the level after the report just before the recent segment opened
        pre = np.where(run > 0, previous[rows, np.maximum(run - 1, 0)], np.nan)
        way = np.sign(np.nan_to_num(step.mean.astype(np.float64) - pre)).astype(np.int8)
        probable = (p >= self.threshold) & (run > 0) & (way != 0)

        # open alerts: back in band, or one report further (and perhaps escalated)
        was = self.active & observed
        quiet = ~probable | (way != self.direction)
        back = was & quiet & (np.abs(level - self.pre) <= self.band)
        self.active &= ~back
        self.closed_at = np.where(back, n_obs, self.closed_at)
        self.tier = np.where(back, -1, self.tier).astype(np.int8)
        self.reports = np.where(back, -1, self.reports)
        going = was & ~back
        self.since = np.where(going, self.since + 1, self.since)
        self.reports = np.where(going, self.reports + 1, self.reports)
        grace = np.asarray((*self.grace, np.iinfo(np.int64).max), dtype=np.int64)
        up = going & (self.since >= grace[np.clip(self.tier, 0, 3)])
        self.tier = np.where(up, self.tier + 1, self.tier).astype(np.int8)
        self.since = np.where(up, 0, self.since)

        # new alerts: a probable change that began after the last alert closed
        began = n_obs - run + 1
        new = observed & ~self.active & ~was & probable & (began > self.closed_at)
        self.active |= new
        self.tier = np.where(new, 0, self.tier).astype(np.int8)
        self.since = np.where(new, 0, self.since)
        self.reports = np.where(new, 0, self.reports)
        self.pre = np.where(new, pre, self.pre)
        self.direction = np.where(new, way, self.direction).astype(np.int8)

        history = np.empty_like(previous)
        history[:, 1:] = previous[:, :-1]
        history[:, 0] = level
        self.history = np.where(observed[:, None], history, previous)

        shown = self.active & observed
        return AlertStep(
            probability=step.probability,
            alert=shown,
            direction=np.where(shown, self.direction, 0).astype(np.int8),
            level=np.where(shown, self.tier, -1).astype(np.int8),
            reports=np.where(shown, self.reports, -1),
        )


def standardisation(
    series: npt.ArrayLike, cv: float | None = 0.05, *, first: int = 3, spread: int = 12
) -> tuple[FloatArray, FloatArray]:
    """Reference level and noise standard deviation of each series from its first reports.

    Parameters
    ----------
    series : array_like of float, shape (n_series, n_reports)
        The reports in time order (NaN: missing).
    cv : float or None, default 0.05
        Coefficient of variation of the reports about their level; ``sigma = cv *
        |reference|``. None: estimated per series from its first ``spread`` reports (median
        absolute difference of successive reports, scaled to a standard deviation).
    first : int, default 3
        Reports whose median is the reference.
    spread : int, default 12
        Reports used to estimate ``sigma`` when ``cv`` is None.

    Returns
    -------
    reference, sigma : ndarray of float, shape (n_series,)
    """
    x = np.asarray(series, dtype=np.float64)
    order = np.argsort(np.isnan(x), axis=1, kind="stable")  # reported first, in time order
    packed = np.take_along_axis(x, order, axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = np.nanmedian(packed[:, :first], axis=1)
        if cv is None:
            diffs = np.abs(np.diff(packed[:, :spread], axis=1))
            sigma = 1.4826 * np.nanmedian(diffs, axis=1) / np.sqrt(2.0)
        else:
            sigma = cv * np.abs(reference)
    reference = np.nan_to_num(reference, nan=0.0)
    fallback = float(np.nanmedian(sigma[sigma > 0])) if np.any(sigma > 0) else 1.0
    sigma = np.where(np.isfinite(sigma) & (sigma > 0), sigma, fallback)
    return reference, sigma


def alerts(
    fulfilment: pd.DataFrame,
    *,
    indicator: str = "share",
    by: Sequence[str] = ("enterprise", "product"),
    threshold: float = DEFAULT_THRESHOLD,
    grace: Sequence[int] = (2, 2, 2),
    cv: float | None = 0.05,
    band: float = 1.0,
    model: ChangepointModel = DEFAULT_MODEL,
) -> pd.DataFrame:
    """Alerts on incipient falls and rises of fulfilment, with their escalation.

    Parameters
    ----------
    fulfilment : DataFrame
        The fulfilment table: the ``by`` columns, ``period``, ``month`` and ``indicator``
        (with ``indicator="share"`` and columns ``plan`` and ``actual``, several rows of one
        key and month are pooled as ``sum(actual) / sum(plan)``; any other indicator is
        summed).
    indicator : str, default "share"
        The column watched.
    by : sequence of str, default ("enterprise", "product")
        One series per value of these columns.
    threshold : float, default :data:`DEFAULT_THRESHOLD`
        Probability of a change within the detector's window that raises an alert.
    grace : sequence of three int, default (2, 2, 2)
        Further reports not back in band at enterprise, trust and commissariat level before
        the alert goes one level up.
    cv : float or None, default 0.05
        Coefficient of variation of the reports about their level (``sigma = cv *
        |reference|``); None estimates it per series (:func:`standardisation`).
    band : float, default 1.0
        Half-width of the pre-change band, in ``sigma``.
    model : ChangepointModel, default :data:`DEFAULT_MODEL`
        The detector's parameters.

    Returns
    -------
    DataFrame
        One row per series and report with an alert open: the ``by`` columns, then
        :data:`ALERT_COLUMNS` (``direction`` ``"fall"``/``"rise"``; ``level`` one of
        :data:`LEVELS`), ordered by key and time.
    """
    keys = list(by)
    pooled = indicator == "share" and {"plan", "actual"} <= set(fulfilment.columns)
    needed = (*keys, "period", "month", *(() if pooled else (indicator,)))
    missing = [c for c in needed if c not in fulfilment.columns]
    if missing:
        raise InputError(
            f"the fulfilment table lacks the column {missing[0]!r} (alerts need "
            f"{', '.join(needed)})",
            source="fulfilment",
            check="missing_column",
        )
    series, key_frame, times = _panel(fulfilment, indicator, keys)
    reference, sigma = standardisation(series, cv)
    state = AlertState.start(
        reference, sigma, threshold=threshold, band=band, grace=grace, model=model
    )
    rows = _alert_rows(state, series)
    if rows is None:
        return _no_alerts(fulfilment, keys)
    out = key_frame.iloc[rows["_series"].to_numpy()].reset_index(drop=True)
    when = times.iloc[rows["_time"].to_numpy()].reset_index(drop=True)
    out = pd.concat(
        [out, when, rows.drop(columns=["_series", "_time"]).reset_index(drop=True)], axis=1
    )
    return out[[*keys, *ALERT_COLUMNS]]


def _alert_rows(state: AlertState, series: FloatArray) -> pd.DataFrame | None:
    """Run the detector over the reports in time order; the open alerts (None: there are none)."""
    parts: list[pd.DataFrame] = []
    for t in range(series.shape[1]):
        step = state.update(series[:, t])
        hit = np.flatnonzero(step.alert)
        if hit.size == 0:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "_series": hit,
                    "_time": t,
                    "value": series[hit, t],
                    "probability": step.probability[hit].astype(np.float64),
                    "direction": np.where(step.direction[hit] < 0, "fall", "rise"),
                    "level": np.asarray(LEVELS, dtype=object)[step.level[hit]],
                    "reports": step.reports[hit],
                }
            )
        )
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True).sort_values(["_series", "_time"], kind="stable")


def _no_alerts(fulfilment: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The alerts table with no rows, its columns typed as they would be."""
    columns = [*keys, *ALERT_COLUMNS]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for c in keys:
        empty[c] = empty[c].astype(fulfilment[c].dtype)
    return empty.astype({"value": float, "probability": float, "reports": np.int64}).reset_index(
        drop=True
    )


def _panel(
    fulfilment: pd.DataFrame, indicator: str, keys: list[str]
) -> tuple[FloatArray, pd.DataFrame, pd.DataFrame]:
    """Series x time matrix of the indicator, each row's key, each column's (period, month)."""
    frame = fulfilment
    if indicator == "share" and {"plan", "actual"} <= set(frame.columns):
        pooled = frame.groupby([*keys, "period", "month"], sort=True, observed=True)[
            ["plan", "actual"]
        ].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            value = pooled["actual"] / pooled["plan"]
    else:
        value = frame.groupby([*keys, "period", "month"], sort=True, observed=True)[indicator].sum(
            min_count=1
        )
    value = value.astype(np.float64).replace([np.inf, -np.inf], np.nan)
    index = value.index.to_frame(index=False)
    series_id = index.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    time_id = index.groupby(["period", "month"], sort=True).ngroup().to_numpy()
    key_frame = index[keys].drop_duplicates().reset_index(drop=True)
    times = index[["period", "month"]].drop_duplicates().sort_values(["period", "month"])
    times = times.reset_index(drop=True)
    matrix = np.full((int(series_id.max()) + 1 if series_id.size else 0, len(times)), np.nan)
    matrix[series_id, time_id] = value.to_numpy()
    return matrix, key_frame, times
