"""Bayesian online change-point detection, vectorised over many series at once.

The method is the run-length recursion of Adams & MacKay (2007), *Bayesian Online
Changepoint Detection*, arXiv:0710.3742, with

* a **Normal model of unknown mean and known variance**: each series is standardised first
  (``z = (value - reference) / sigma``, :mod:`gosplan.run.alerts` takes ``sigma`` from a
  coefficient of variation), so the noise variance is 1 in every series;
* a **flat prior on the mean of a new segment** (uniform over a width of ``prior_width``
  standard deviations, wide against any change of interest): the first report of a new
  segment has the constant density ``1 / prior_width``, and a segment of ``n`` reports with
  sum ``S`` predicts the next with ``N(S / n, 1 + 1 / n)`` (the posterior of the mean is
  ``N(S / n, 1 / n)``). The flat prior makes the detector invariant to the level of the series;
* a **constant hazard** ``H`` (the prior probability of a change before any report);
* a **truncated run-length distribution**: at most ``max_run`` run lengths are kept (column
  ``j`` of the state is the run of the last ``j + 1`` reports); the mass of a run that would
  grow past ``max_run`` is dropped and the rest renormalised, so memory is ``series x
  max_run``.

With ``r_t`` the number of reports in the segment that holds report ``t`` (``r_t = 1``: report
``t`` opens a new segment), the recursion is, for ``n >= 1``::

    P(r_t = n + 1, z_1..t) = P(r_{t-1} = n, z_1..t-1) (1 - H) N(z_t; S_n / n, 1 + 1 / n)
    P(r_t = 1, z_1..t)     = H / prior_width * sum_n P(r_{t-1} = n, z_1..t-1)

normalised over ``n`` after each report. The probability of a *recent* change reported per
report is ``P(r_t <= window and r_t <= n_t - min_history | z_1..t)``: a segment opened within
the last ``window`` reports after at least ``min_history`` reports of the previous segment
(``n_t`` is the number of reports seen; the run of all ``n_t`` reports is "no change since the
first report").

Why not a library: no package on the index this project draws from implements this recursion
vectorised over series (``statsmodels`` has state-space models and CUSUM tests of regression
residuals, one series at a time, and is not a dependency here); over ``10^6`` series a Python
loop per series is out of the question, and the recursion is a few array operations on
``series x max_run`` arrays, so it is written here once, in numpy, with a scalar reference
implementation in the tests.

Missing reports (NaN) leave a series' state as it was: nothing is learnt, no run grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.int64]

__all__ = ["ChangepointModel", "ChangepointState", "ChangepointStep"]


_BLOCK_BYTES = 512 * 1024
"""Bytes of one ``rows x max_run`` block of an update: a few such arrays stay in L2 cache."""


def _block_rows(max_run: int, itemsize: int) -> int:
    """Rows of the blocks an update runs over (at least one)."""
    return max(1, _BLOCK_BYTES // (max_run * itemsize))


@dataclass(frozen=True)
class ChangepointModel:
    """The parameters of the detector (standardised units: noise standard deviation 1).

    The defaults are the calibrated ones of :mod:`gosplan.run.alerts`.

    Parameters
    ----------
    hazard : float
        Prior probability of a change before each report (constant hazard).
    prior_width : float
        Width, in noise standard deviations, of the flat prior on the mean of a new segment;
        the first report of a new segment has density ``1 / prior_width``.
    max_run : int
        Run lengths kept (``R``); memory is ``series x max_run`` per array.
    window : int
        A change is *recent* when its segment opened within the last ``window`` reports.
    min_history : int
        Reports of the previous segment a change needs before it counts (so that the first
        reports of a series, with nothing to compare against, raise no alarm).
    """

    hazard: float = 1.0 / 100.0
    prior_width: float = 10.0
    max_run: int = 64
    window: int = 5
    min_history: int = 3

    def __post_init__(self) -> None:
        if not 0.0 < self.hazard < 1.0:
            raise ValueError(f"hazard must lie in (0, 1), got {self.hazard}")
        if not self.prior_width > 0.0:
            raise ValueError(f"prior_width must be positive, got {self.prior_width}")
        if self.max_run < 2:
            raise ValueError(f"max_run must be at least 2, got {self.max_run}")
        if not 1 <= self.window < self.max_run:
            raise ValueError(f"window must lie in [1, max_run), got {self.window}")
        if self.min_history < 1:
            raise ValueError(f"min_history must be at least 1, got {self.min_history}")

    def start(self, n_series: int, dtype: npt.DTypeLike = np.float64) -> ChangepointState:
        """The state before any report.

        Parameters
        ----------
        n_series : int
            Number of series.
        dtype : dtype, default float64
            Floating type of the ``series x max_run`` arrays (``float32`` halves memory).

        Returns
        -------
        ChangepointState
        """
        return ChangepointState.start(self, n_series, dtype)


@dataclass(frozen=True)
class ChangepointStep:
    """What one report tells about each series.

    Attributes
    ----------
    probability : ndarray of float, shape (n_series,)
        Posterior probability of a recent change (NaN where the report is missing).
    run : ndarray of int, shape (n_series,)
        Most probable length (reports) of the recent segment among ``1..window`` that count
        (0 where none counts or the report is missing).
    mean : ndarray of float, shape (n_series,)
        Mean (standardised) of the last ``run`` reports (NaN where ``run`` is 0).
    level : ndarray of float, shape (n_series,)
        Posterior mean (standardised) of the current level after the report.
    """

    probability: FloatArray
    run: IntArray
    mean: FloatArray
    level: FloatArray


@dataclass
class ChangepointState:
    """The carried state of the detector over ``n_series`` series (pickles).

    Attributes
    ----------
    model : ChangepointModel
        The parameters.
    prob : ndarray, shape (n_series, max_run)
        Posterior of the run length; column ``j`` is the run of the last ``j + 1`` reports.
    sums : ndarray, shape (n_series, max_run)
        Sum of the standardised reports of each run.
    n_obs : ndarray of int, shape (n_series,)
        Reports seen per series.
    level : ndarray, shape (n_series,)
        Posterior mean of the current level (NaN before the first report).
    """

    model: ChangepointModel
    prob: FloatArray
    sums: FloatArray
    n_obs: IntArray
    level: FloatArray
    _coef: FloatArray = field(init=False, repr=False, compare=False)
    _prec: FloatArray = field(init=False, repr=False, compare=False)
    _inv_n: FloatArray = field(init=False, repr=False, compare=False)
    _g: FloatArray | None = field(init=False, repr=False, compare=False, default=None)
    _t: FloatArray | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        self._constants()

    def _constants(self) -> None:
        dtype = self.prob.dtype
        n = np.arange(1, self.model.max_run + 1, dtype=np.float64)
        var = 1.0 + 1.0 / n  # predictive variance of a run of n reports
        self._prec = (-0.5 / var).astype(dtype)
        self._coef = ((1.0 - self.model.hazard) / np.sqrt(2.0 * math.pi * var)).astype(dtype)
        self._inv_n = (1.0 / n).astype(dtype)
        self._g = self._t = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("model", "prob", "sums", "n_obs", "level")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            setattr(self, key, value)
        self._constants()

    @classmethod
    def start(
        cls, model: ChangepointModel, n_series: int, dtype: npt.DTypeLike = np.float64
    ) -> ChangepointState:
        """The state before any report (see :meth:`ChangepointModel.start`)."""
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise ValueError(f"dtype must be a floating type, got {dt}")
        prob = np.zeros((n_series, model.max_run), dtype=dt)
        # All mass on a fictitious run at the truncation end: it cannot grow, so the first
        # report opens the first segment with probability 1.
        prob[:, -1] = 1.0
        return cls(
            model=model,
            prob=prob,
            sums=np.zeros_like(prob),
            n_obs=np.zeros(n_series, dtype=np.int64),
            level=np.full(n_series, np.nan, dtype=dt),
        )

    @property
    def n_series(self) -> int:
        """Number of series."""
        return int(self.prob.shape[0])

    def update(self, z: npt.ArrayLike) -> ChangepointStep:
        """Take one (standardised) report per series; update the state in place.

        Parameters
        ----------
        z : array_like of float, shape (n_series,)
            The reports, standardised (noise standard deviation 1); NaN for a missing report.

        Returns
        -------
        ChangepointStep
            Probability of a recent change, its run, the mean of that run and the level.
        """
        dt = self.prob.dtype
        x = np.asarray(z, dtype=dt)
        if x.shape != (self.n_series,):
            raise ValueError(f"expected {self.n_series} reports, got shape {x.shape}")
        missing = np.isnan(x)
        any_missing = bool(missing.any())
        if any_missing:
            x = np.where(missing, dt.type(0.0), x)
        level = np.empty(self.n_series, dtype=dt)
        rows = _block_rows(self.model.max_run, dt.itemsize)
        for a in range(0, self.n_series, rows):
            b = min(a + rows, self.n_series)
            skip = missing[a:b] if any_missing else None
            self._update_rows(a, b, x[a:b], skip, level[a:b])
        n_obs = self.n_obs + 1
        if any_missing:
            n_obs[missing] -= 1
            level[missing] = self.level[missing]
        self.n_obs = n_obs
        self.level = level
        return self._recent(missing if any_missing else None)

    def _update_rows(
        self,
        a: int,
        b: int,
        x: FloatArray,
        skip: npt.NDArray[np.bool_] | None,
        level: FloatArray,
    ) -> None:
        """The recursion on rows ``a:b``, in place in ``prob`` and ``sums`` (see :meth:`update`).

        The rows are few enough for the block and its two scratch arrays to stay in cache;
        every operation is row-wise, so the result does not depend on the block size.
        """
        m = self.model
        dt = self.prob.dtype
        prob, sums = self.prob[a:b], self.sums[a:b]
        g, t = self._scratch(b - a)
        col = x[:, None]
        kept = np.flatnonzero(skip) if skip is not None else np.empty(0, dtype=np.intp)
        if kept.size:  # missing reports: these rows keep their state
            old_prob, old_sums = prob[kept], sums[kept]

        # growth: p_old * (1 - H) * N(z; S/n, 1 + 1/n), in place in one scratch array
        np.multiply(sums, self._inv_n, out=g)
        np.subtract(col, g, out=g)
        np.square(g, out=g)
        g *= self._prec
        np.exp(g, out=g)
        g *= self._coef
        g *= prob
        change = dt.type(m.hazard / m.prior_width)  # times sum(p_old) = 1
        total = g[:, :-1].sum(axis=1)
        total += change
        inv_total = (1.0 / total)[:, None]

        np.multiply(g[:, :-1], inv_total, out=prob[:, 1:])
        prob[:, :1] = change * inv_total
        np.add(sums[:, :-1], col, out=t[:, :-1])  # via scratch: the shift overlaps
        sums[:, 1:] = t[:, :-1]
        sums[:, 0] = x
        if kept.size:
            prob[kept] = old_prob
            sums[kept] = old_sums

        np.multiply(prob, self._inv_n, out=g)
        np.einsum("ij,ij->i", g, sums, out=level)

    def _scratch(self, rows: int) -> tuple[FloatArray, FloatArray]:
        """Two ``rows x max_run`` scratch arrays of the state's dtype, allocated once."""
        shape = (rows, self.model.max_run)
        if self._g is None or self._g.shape[0] < rows or self._g.dtype != self.prob.dtype:
            self._g = np.empty(shape, dtype=self.prob.dtype)
            self._t = np.empty(shape, dtype=self.prob.dtype)
        assert self._t is not None
        return self._g[:rows], self._t[:rows]

    def _recent(self, missing: npt.NDArray[np.bool_] | None) -> ChangepointStep:
        """Probability, run and mean of a recent change from the current state."""
        k = self.model.window
        runs = np.arange(1, k + 1)
        valid = runs[None, :] <= (self.n_obs - self.model.min_history)[:, None]
        head = np.where(valid, self.prob[:, :k], 0.0)
        probability = head.sum(axis=1)
        run = np.where(valid.any(axis=1), np.argmax(head, axis=1) + 1, 0).astype(np.int64)
        rows = np.arange(self.n_series)
        pick = np.maximum(run - 1, 0)
        mean = np.where(run > 0, self.sums[rows, pick] / np.maximum(run, 1), np.nan)
        if missing is not None:
            probability = np.where(missing, np.nan, probability)
            run = np.where(missing, 0, run)
            mean = np.where(missing, np.nan, mean)
        return ChangepointStep(
            probability=probability.astype(self.prob.dtype, copy=False),
            run=run,
            mean=mean.astype(self.prob.dtype, copy=False),
            level=self.level,
        )
