"""The workforce as a stock-flow model: workers by enterprise and skill grade, step by step.

A calibrated, stylised model of the labour side of the plan, vectorised over enterprises x
grades. It *describes* in aggregate: the state is a count of workers (a float) per
(enterprise, grade); no person is tracked, restricted or scored.

State
-----
``W[e, g]``
    Workers of grade ``g`` at enterprise ``e``; the grades run from the highest
    (``grades[0]``, default ``"skilled"``) to the lowest (``grades[-1]``, ``"unskilled"``).
``p[g]``
    The productivity of a worker of the grade (default 1.5, 1.0, 0.6: **assumption**), so
    that the skill-weighted labour ``L[e] = sum_g p[g] W[e, g]`` is what the planner's labour
    coefficient counts (:attr:`Workforce.labour`).
Training pipeline
    Hires enter the lowest grade; a worker of grade ``g`` moves up to ``g - 1`` at the rate
    ``1 / upgrade_years[g]`` per year (an exponentially distributed training lag with that
    mean: the workers of the lower grades are the trainees of the pipeline).

Flows of a step (``dt = 1 / steps_per_year`` years; every rate is per year)
---------------------------------------------------------------------------
1. *mobilisation*: ``M[e, g]`` workers sent to the countryside by a campaign (at most the
   workers there);
2. *competing exits* from the rest ``A = W - M``: quits (hazard ``h[e, g]``), promotions out
   into management and the apparatus (hazard ``promotion_out[g]``) and upgrading (hazard
   ``1 / upgrade_years[g]``). With ``Λ`` their sum, ``A (1 - exp(-Λ dt))`` leave the
   (enterprise, grade), shared in proportion to the hazards; with the other hazards zero the
   quits are exactly ``Q = A (1 - exp(-h dt))``. Nothing can go negative;
3. *hires* ``H[e]`` into the lowest grade: the vacancies ``max(0, target[e] - employment)``
   are filled at the rate ``fill_rate`` (a share ``1 - exp(-fill_rate dt)`` of them in a
   step), up to the inflow available from the countryside and the unemployed
   (``inflow`` workers a year, shared in proportion to the vacancies).

So ``W(t + 1) = W(t) + H - Q - P - M + U_in - U_out`` exactly.

The quit hazard
---------------
``h[e, g] = base_quit[g] * exp(b_pay * max(0, log(outside[g] / pay[e, g]))
+ b_real * max(0, -dlog(real_wage) / dt) + b_norm * norm_increase[e] + b_short * shortage[e])``

rising with the gap between the enterprise's pay for the grade and the outside option, with
the fall in the real wage (the step's log change, per year), with a norm increase in force
(a share, 0.1 for norms raised 10 %) and with shortages of consumer goods (the share of
household demand unmet). At the first step there is no fall of the real wage to measure.
The exponent is capped at 50. With a ``seed`` every hazard is
multiplied by a Gamma draw of mean 1 and coefficient of variation ``noise`` (aggregate
shocks); without one the flows are their expected values.

Statistics in the period's own form: accessions (hires) and separations (quits, promotions
out, mobilisation) per 100 employees per year of the year's average employment, by industry
(:class:`~gosplan.core.workforce_result.WorkforceResult`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from gosplan.core.checks import Check, Problems
from gosplan.core.control_figures import label_column
from gosplan.core.serial import finite
from gosplan.core.workforce_result import FLOW_COLUMNS, WorkforceResult, turnover_table
from gosplan.errors import InputError

#: The skill grades, highest first.
DEFAULT_GRADES = ("skilled", "semi-skilled", "unskilled")
#: Productivity (skill weight) per grade. Assumption: a skilled worker 1.5 times, an
#: unskilled 0.6 times a semi-skilled one, of the order of the tariff scales of 1928.
DEFAULT_PRODUCTIVITY = (1.5, 1.0, 0.6)
#: Columns of the ``enterprises`` table (grade share columns are optional).
ENTERPRISE_COLUMNS = ("enterprise", "industry", "workers")
#: Columns of a mobilisation table.
MOBILISATION_COLUMNS = ("step", "enterprise", "grade", "workers")
_MAX_EXPONENT = 50.0
PerGrade = float | Sequence[float] | Mapping[str, float]


@dataclass(frozen=True)
class WorkforceParameters:
    """The rates of the workforce model (per year unless said otherwise).

    Per-grade values are tuples in the order of the grades (highest first) or mappings by
    grade name; with grades other than the default three, give them all.

    Attributes
    ----------
    steps_per_year
        Steps in a year (12: monthly).
    base_quit
        Quit hazard per grade with pay at the outside option and no shocks (0.5, 0.8, 1.2).
        Assumption: hazards of this order give separations near 90 per 100 a year, below the
        115 per 100 of large-scale industry in 1929 (the scenario's turnover table, [C-T2,
        citing Nove p.198]) before the pressures of the plan years are added.
    b_pay
        Weight of the log gap ``log(outside / pay)`` where pay is below the outside option
        (5.0). Assumption: a pay gap of 15 % doubles the quit hazard; no estimate from the
        period.
    b_real
        Weight of the fall of the real wage, per year (2.0). Assumption.
    b_norm
        Weight of a norm increase in force (1.0: norms raised 10 % raise the hazard 10.5 %).
        Assumption.
    norm_by_grade
        How much more each grade feels a norm increase (empty: all alike). Shock brigades'
        rising norms drove out the older skilled workers above all: e.g. (2, 1, 1).
        Assumption.
    b_short
        Weight of the share of household demand unmet (2.0: a fifth unmet raises the hazard
        half). Assumption.
    upgrade_years
        Mean years of training in a grade before moving up one (inf, 2.0, 1.0: none above
        the highest). Assumption, of the order of the FZU factory schools' courses of one to
        three years; with the default quits the grade mix settles near 28/31/41 % skilled,
        semi-skilled, unskilled.
    promotion_out
        Hazard of promotion out into management and the apparatus (0.03, 0, 0: three
        skilled workers in a hundred a year). Assumption, for the *vydvizhenie* of 1928–32.
    fill_rate
        Hazard at which vacancies are filled (12.0: 63 % of the vacancies in a month).
        Assumption.
    inflow
        Workers a year available to hire, all enterprises together, from the countryside and
        the unemployed (inf: no limit).
    shares
        Grade shares of an enterprise whose table gives none (0.3, 0.4, 0.3). Assumption.
    noise
        Coefficient of variation of the hazards' shocks in a run with a seed (0.2).
        Assumption.
    """

    steps_per_year: int = 12
    base_quit: PerGrade = (0.5, 0.8, 1.2)
    b_pay: float = 5.0
    b_real: float = 2.0
    b_norm: float = 1.0
    norm_by_grade: PerGrade = ()
    b_short: float = 2.0
    upgrade_years: PerGrade = (math.inf, 2.0, 1.0)
    promotion_out: PerGrade = (0.03, 0.0, 0.0)
    fill_rate: float = 12.0
    inflow: float = math.inf
    shares: PerGrade = (0.3, 0.4, 0.3)
    noise: float = 0.2

    @property
    def dt(self) -> float:
        """The length of a step in years."""
        return 1.0 / self.steps_per_year


@dataclass(frozen=True, eq=False)
class StepFlows:
    """The flows of one step, each an (enterprise x grade) array of workers.

    ``start`` and ``end`` are the stocks before and after; ``hazard`` the quit hazards per
    year. ``end == start + hires - quits - promoted - mobilised + upgraded_in - upgraded_out``.
    """

    start: np.ndarray
    hires: np.ndarray
    quits: np.ndarray
    promoted: np.ndarray
    mobilised: np.ndarray
    upgraded_in: np.ndarray
    upgraded_out: np.ndarray
    end: np.ndarray
    hazard: np.ndarray

    @property
    def separations(self) -> np.ndarray:
        """Quits, promotions out and mobilisation."""
        return self.quits + self.promoted + self.mobilised


def grade_values(
    value: PerGrade, grades: Sequence[str], name: str, *, low: float = 0.0
) -> np.ndarray:
    """A per-grade value (a number, a sequence in grade order or a mapping) as an array.

    Raises
    ------
    InputError
        For a grade the model does not have (``unknown_label``), one missing
        (``missing_label``), the wrong length (``bad_argument``) or a value below ``low``
        (``negative_value``).
    """
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in grades]
        if unknown:
            raise InputError(
                f"no grade {unknown[0]!r}; the grades are {', '.join(grades)}",
                source=name,
                label=str(unknown[0]),
                check=Check.UNKNOWN_LABEL,
            )
        missing = [g for g in grades if g not in value]
        if missing:
            raise InputError(
                "a value is needed for every grade",
                source=name,
                label=missing[0],
                check=Check.MISSING_LABEL,
            )
        out = np.array([float(value[g]) for g in grades])
    else:
        arr = np.asarray(value, dtype=float)
        if arr.ndim > 1 or (arr.ndim == 1 and len(arr) != len(grades)):
            raise InputError(
                f"{name} needs one value per grade ({len(grades)})",
                source=name,
                check=Check.BAD_ARGUMENT,
            )
        out = np.broadcast_to(arr, (len(grades),)).copy()
    bad = np.flatnonzero(~(out >= low))
    if len(bad):
        raise InputError(
            f"{name} must not be negative",
            source=name,
            label=grades[bad[0]],
            check=Check.NEGATIVE_VALUE,
        )
    return out


def share_column(grade: str) -> str:
    """The column of an enterprises table holding the share of ``grade`` (``semi_skilled``)."""
    return grade.replace("-", "_").replace(" ", "_")


class Workforce:
    """Workers by enterprise and grade, moved forward one step at a time.

    Parameters
    ----------
    workers
        Initial workers, enterprises x grades (highest grade first).
    grades
        The grade names.
    productivity
        Skill weight per grade.
    params
        The rates (:class:`WorkforceParameters`).
    target
        Target employment per enterprise (default: the initial employment).
    labels
        Enterprise labels (named in errors).
    seed
        ``None``: expected flows; a number: the hazards get random shocks.
    """

    def __init__(
        self,
        workers: np.ndarray,
        *,
        grades: Sequence[str] = DEFAULT_GRADES,
        productivity: PerGrade = DEFAULT_PRODUCTIVITY,
        params: WorkforceParameters | None = None,
        target: ArrayLike | None = None,
        labels: Sequence[str] | None = None,
        seed: int | None = None,
    ) -> None:
        self.grades = tuple(str(g) for g in grades)
        self.params = params or WorkforceParameters()
        self.W = np.array(workers, dtype=float, copy=True)
        if self.W.ndim != 2 or self.W.shape[1] != len(self.grades):
            raise InputError(
                f"workers must be enterprises x {len(self.grades)} grades",
                source="workers",
                check=Check.BAD_ARGUMENT,
            )
        self.labels = list(labels) if labels is not None else [str(i) for i in range(len(self.W))]
        _no_negative(self.W, "workers", self.labels)
        self.productivity = grade_values(productivity, self.grades, "productivity")
        self._rates()
        base = self.W.sum(axis=1)
        self.target = np.broadcast_to(
            np.asarray(base if target is None else target, dtype=float), base.shape
        ).copy()
        self._rng = None if seed is None else np.random.default_rng(seed)
        self._log_real_wage: float | None = None

    def _rates(self) -> None:
        p, g = self.params, self.grades
        self.base = grade_values(p.base_quit, g, "base_quit")
        self.promotion = grade_values(p.promotion_out, g, "promotion_out")
        felt = p.norm_by_grade
        empty = isinstance(felt, Sequence) and not isinstance(felt, str) and not len(felt)
        self.felt = np.ones(len(g)) if empty else grade_values(felt, g, "norm_by_grade")
        years = grade_values(p.upgrade_years, g, "upgrade_years")
        with np.errstate(divide="ignore"):
            self.upgrade = np.where(np.isfinite(years), 1.0 / years, 0.0)
        self.upgrade[0] = 0.0  # nothing above the highest grade

    @property
    def employment(self) -> np.ndarray:
        """Workers per enterprise."""
        return self.W.sum(axis=1)

    @property
    def labour(self) -> np.ndarray:
        """Skill-weighted labour per enterprise, ``sum_g p[g] W[e, g]``."""
        return self.W @ self.productivity

    def hazards(
        self,
        pay: ArrayLike,
        outside: ArrayLike,
        real_wage: float = 1.0,
        norm_increase: ArrayLike = 0.0,
        shortage: ArrayLike = 0.0,
    ) -> np.ndarray:
        """The quit hazards per year (enterprises x grades) for the step's conditions.

        Does not advance the state (the real wage of the step before is what the fall is
        measured against).
        """
        p = self.params
        shape = self.W.shape
        pay_ = _shaped(pay, shape, "pay", self.labels)
        out_ = _shaped(outside, (shape[1],), "outside", None)
        norm = _shaped(norm_increase, (shape[0],), "norm_increase", self.labels, negative=True)
        short = _shaped(shortage, (shape[0],), "shortage", self.labels)
        fall = 0.0
        if self._log_real_wage is not None:
            fall = max(0.0, self._log_real_wage - math.log(real_wage)) / p.dt
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.log(out_ / pay_)
        gap = np.where(np.isnan(gap), 0.0, np.maximum(gap, 0.0))
        x = p.b_pay * gap + (p.b_real * fall)
        x = x + p.b_norm * norm[:, None] * self.felt[None, :] + (p.b_short * short)[:, None]
        return self.base * np.exp(np.minimum(x, _MAX_EXPONENT))

    def step(
        self,
        pay: ArrayLike,
        outside: ArrayLike,
        real_wage: float = 1.0,
        norm_increase: ArrayLike = 0.0,
        shortage: ArrayLike = 0.0,
        *,
        mobilise: np.ndarray | None = None,
        target: ArrayLike | None = None,
    ) -> StepFlows:
        """Move the workforce one step forward; the flows of the step.

        Parameters
        ----------
        pay
            Wage per worker of each grade at each enterprise, per month (enterprises x
            grades, or anything that broadcasts to it: a number, one per grade).
        outside
            The outside option per grade (wage elsewhere), per month.
        real_wage
            The real wage index of the step (its fall since the step before raises quits).
        norm_increase
            Norm increase in force per enterprise (a share), or one for all.
        shortage
            Share of household demand unmet per enterprise's workers, or one for all.
        mobilise
            Workers sent to the countryside this step (enterprises x grades), or ``None``.
        target
            Target employment per enterprise from this step on (``None``: unchanged).
        """
        if real_wage <= 0 or not math.isfinite(real_wage):
            raise InputError(
                "the real wage index must be positive",
                source="real_wage",
                check=Check.OUT_OF_RANGE,
            )
        if target is not None:
            self.target = np.broadcast_to(np.asarray(target, float), self.target.shape).copy()
        h = self.hazards(pay, outside, real_wage, norm_increase, shortage)
        if self._rng is not None and self.params.noise > 0:
            k = 1.0 / self.params.noise**2
            h = h * self._rng.gamma(k, 1.0 / k, size=h.shape)
        flows = self._advance(h, mobilise)
        self._log_real_wage = math.log(real_wage)
        return flows

    def _advance(self, h: np.ndarray, mobilise: np.ndarray | None) -> StepFlows:
        dt = self.params.dt
        start = self.W
        if mobilise is None:
            moved, rest = np.zeros_like(start), start
        else:
            moved = np.minimum(np.broadcast_to(mobilise, start.shape), start)
            rest = start - moved
        total = h + (self.promotion + self.upgrade)
        stay = rest * np.exp(-total * dt)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(total > 0, (rest - stay) / total, 0.0)
        quits = scale * h
        promoted = scale * self.promotion
        up_out = scale * self.upgrade
        up_in = np.zeros_like(up_out)
        up_in[:, :-1] = up_out[:, 1:]
        after = stay + up_in
        hires = np.zeros_like(start)
        hires[:, -1] = self._hires(after.sum(axis=1))
        after[:, -1] += hires[:, -1]
        self.W = after
        return StepFlows(start, hires, quits, promoted, moved, up_in, up_out, after, h)

    def _hires(self, employment: np.ndarray) -> np.ndarray:
        p = self.params
        want = np.maximum(self.target - employment, 0.0) * -math.expm1(-p.fill_rate * p.dt)
        available = p.inflow * p.dt
        total = float(want.sum())
        if total > available:
            want = want * (available / total)
        return want


# ---------------------------------------------------------------------------- checks
def _no_negative(values: np.ndarray, name: str, labels: Sequence[str] | None) -> None:
    """An InputError naming the first enterprise (first axis) with a negative or NaN value."""
    bad = ~(values >= 0)
    if not bool(bad.any()):
        return
    label = None
    if labels is not None and values.ndim:
        first = int(np.flatnonzero(bad.reshape(len(values), -1).any(axis=1))[0])
        label = str(labels[first]) if first < len(labels) else None
    raise InputError(
        f"{name} must not be negative (or missing)",
        source=name,
        label=label,
        check=Check.NEGATIVE_VALUE,
    )


def _shaped(
    value: Any,
    shape: tuple[int, ...],
    name: str,
    labels: Sequence[str] | None,
    *,
    negative: bool = False,
) -> np.ndarray:
    """``value`` as an array broadcast to ``shape``; an InputError if it does not fit."""
    arr = np.asarray(value, dtype=float)
    try:
        out = np.broadcast_to(arr, shape)
    except ValueError:
        raise InputError(
            f"{name} has shape {arr.shape}; it must broadcast to {shape}",
            source=name,
            check=Check.BAD_ARGUMENT,
        ) from None
    if not negative:
        _no_negative(arr if arr.shape == shape else out, name, labels)
    return out


def _check_enterprises(frame: pd.DataFrame, grades: Sequence[str], source: str) -> Problems:
    problems = Problems()
    missing = [c for c in ENTERPRISE_COLUMNS if c not in frame.columns]
    for col in missing:
        problems.add(
            f"the enterprises table needs the column {col!r}",
            source=source,
            check=Check.MISSING_COLUMN,
        )
    if missing:
        return problems
    labels = frame["enterprise"].astype(str).to_numpy()
    problems.add_rows(
        pd.Series(labels).duplicated().to_numpy(),
        "the enterprise appears twice",
        source=source,
        labels=labels,
        check=Check.DUPLICATE_LABEL,
    )
    columns = ["workers", *(share_column(g) for g in grades if share_column(g) in frame)]
    for col in columns:
        raw = frame[col]
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        problems.add_rows(
            np.isnan(num),
            f"{col!r} must be a number",
            source=source,
            labels=labels,
            check=Check.NON_NUMERIC,
        )
        low = f"{col!r} must not be negative" if col == "workers" else f"{col!r} must lie in [0, 1]"
        out = num < 0 if col == "workers" else (num < 0) | (num > 1)
        check = Check.NEGATIVE_VALUE if col == "workers" else Check.OUT_OF_RANGE
        problems.add_rows(out, low, source=source, labels=labels, check=check)
    return problems


def _check_shares(
    frame: pd.DataFrame, grades: Sequence[str], source: str, problems: Problems
) -> None:
    names = [share_column(g) for g in grades]
    given = [n for n in names if n in frame.columns]
    if given and len(given) < len(names):
        problems.add(
            f"give a share for every grade or none: {', '.join(n for n in names if n not in given)}"
            " missing",
            source=source,
            check=Check.MISSING_COLUMN,
        )
    elif given:
        total = frame[names].apply(pd.to_numeric, errors="coerce").sum(axis=1).to_numpy()
        problems.add_rows(
            np.abs(total - 1.0) > 1e-6,
            lambda i: f"the grade shares add up to {total[i]:.6g}, not 1",
            source=source,
            labels=frame["enterprise"].astype(str).to_numpy(),
            check=Check.INCONSISTENT_TOTALS,
        )


def read_enterprises(
    frame: pd.DataFrame,
    grades: Sequence[str] = DEFAULT_GRADES,
    shares: PerGrade = WorkforceParameters.shares,
    source: str = "enterprises",
) -> tuple[list[str], list[str], np.ndarray]:
    """Enterprise labels, industries and initial workers (enterprises x grades) of a table.

    ``frame`` has columns ``enterprise, industry, workers`` and optionally one share column
    per grade (``skilled, semi_skilled, unskilled``) adding up to 1; without them every
    enterprise has the grade ``shares``.

    Raises
    ------
    ValidationError
        Listing every problem, each with ``source``, row (1-based, the header row 1) and
        enterprise.
    """
    problems = _check_enterprises(frame, grades, source)
    if not problems:
        _check_shares(frame, grades, source, problems)
    problems.raise_if_any()
    names = [share_column(g) for g in grades]
    if names[0] in frame.columns:
        split = frame[names].apply(pd.to_numeric).to_numpy(dtype=float)
    else:
        split = np.broadcast_to(grade_values(shares, grades, "shares"), (len(frame), len(grades)))
    workers = pd.to_numeric(frame["workers"]).to_numpy(dtype=float)[:, None] * split
    labels = frame["enterprise"].astype(str).tolist()
    return labels, frame["industry"].astype(str).tolist(), workers


def read_mobilisation(
    table: pd.DataFrame,
    labels: Sequence[str],
    grades: Sequence[str],
    steps: int,
    source: str = "mobilisation",
) -> dict[int, np.ndarray]:
    """A campaign table (``step, enterprise, grade, workers``) as arrays by step.

    Raises
    ------
    ValidationError
        For a missing column, an unknown enterprise (``unknown_enterprise``) or grade
        (``unknown_label``), a step outside the run (``out_of_range``) or a negative or
        non-numeric number of workers; each with ``source``, row and label.
    """
    problems = Problems()
    for col in MOBILISATION_COLUMNS:
        if col not in table.columns:
            problems.add(
                f"the mobilisation table needs the column {col!r}",
                source=source,
                check=Check.MISSING_COLUMN,
            )
    problems.raise_if_any()
    ent = table["enterprise"].astype(str).to_numpy()
    grade = table["grade"].astype(str).to_numpy()
    e_of = {label: i for i, label in enumerate(labels)}
    g_of = {g: i for i, g in enumerate(grades)}
    e_idx = np.array([e_of.get(x, -1) for x in ent], dtype=np.int64)
    g_idx = np.array([g_of.get(x, -1) for x in grade], dtype=np.int64)
    step = pd.to_numeric(table["step"], errors="coerce").to_numpy(dtype=float)
    count = pd.to_numeric(table["workers"], errors="coerce").to_numpy(dtype=float)
    add = problems.add_rows
    add(e_idx < 0, "no such enterprise", source=source, labels=ent, check=Check.UNKNOWN_ENTERPRISE)
    add(g_idx < 0, "no such grade", source=source, labels=grade, check=Check.UNKNOWN_LABEL)
    whole = np.isfinite(step) & (step == np.round(step))
    add(~whole, "'step' must be a whole number", source=source, labels=ent, check="non_numeric")
    outside = whole & ((step < 0) | (step >= steps))
    add(
        outside,
        f"the step lies outside the run (0 to {steps - 1})",
        source=source,
        labels=ent,
        check=Check.OUT_OF_RANGE,
    )
    add(
        np.isnan(count),
        "'workers' must be a number",
        source=source,
        labels=ent,
        check=Check.NON_NUMERIC,
    )
    add(
        count < 0,
        "'workers' must not be negative",
        source=source,
        labels=ent,
        check=Check.NEGATIVE_VALUE,
    )
    problems.raise_if_any()
    out: dict[int, np.ndarray] = {}
    for t in np.unique(step.astype(np.int64)):
        rows = step == t
        arr = np.zeros((len(labels), len(grades)))
        np.add.at(arr, (e_idx[rows], g_idx[rows]), count[rows])
        out[int(t)] = arr
    return out


# ---------------------------------------------------------------------------- a run
def per_step(value: Any, steps: int, ndim: int, name: str) -> Callable[[int], Any]:
    """``value`` as a function of the step.

    An array with one more axis than ``ndim`` (and ``steps`` rows) is taken row by row;
    anything else (a number, a mapping by grade, an array) is the same at every step.
    """
    if isinstance(value, Mapping):
        return lambda t: value
    arr = np.asarray(value, dtype=float)
    if arr.ndim == ndim + 1:
        if arr.shape[0] != steps:
            raise InputError(
                f"{name} by step needs {steps} rows, not {arr.shape[0]}",
                source=name,
                check=Check.BAD_ARGUMENT,
            )
        return lambda t: arr[t]
    if arr.ndim > ndim + 1:
        raise InputError(
            f"{name} has {arr.ndim} axes; at most {ndim + 1}",
            source=name,
            check=Check.BAD_ARGUMENT,
        )
    return lambda t: arr


@dataclass(frozen=True)
class StepInputs:
    """The per-step inputs of a run, each a function of the step.

    ``target``: ``None`` (the model's own target employment) or the target by enterprise.
    """

    pay: Callable[[int], Any]
    outside: Callable[[int], Any]
    real_wage: Callable[[int], Any]
    norm_increase: Callable[[int], Any]
    shortage: Callable[[int], Any]
    mobilise: dict[int, np.ndarray] = field(default_factory=dict)
    target: Callable[[int], Any] | None = None


def _by_grade(value: Any, grades: Sequence[str], name: str) -> Any:
    return grade_values(value, grades, name) if isinstance(value, Mapping) else value


def run_workforce(
    enterprises: pd.DataFrame,
    *,
    steps: int,
    grades: Sequence[str] = DEFAULT_GRADES,
    productivity: PerGrade = DEFAULT_PRODUCTIVITY,
    params: WorkforceParameters | None = None,
    pay: Any = 1.0,
    outside: Any = 1.0,
    real_wage: Any = 1.0,
    norm_increase: Any = 0.0,
    shortage: Any = 0.0,
    mobilisation: pd.DataFrame | None = None,
    target: Any = None,
    start_year: int = 0,
    seed: int | None = None,
    source: str = "enterprises",
) -> WorkforceResult:
    """Run the workforce model for ``steps`` steps.

    Parameters
    ----------
    enterprises
        Columns ``enterprise, industry, workers`` and optional grade shares (see
        :func:`read_enterprises`).
    steps
        The number of steps (months by default).
    grades, productivity, params
        As for :class:`Workforce`.
    pay
        Wage per worker by enterprise and grade, per month: a number, one per grade (a
        sequence or a mapping), enterprises x grades, or steps x enterprises x grades.
    outside
        The outside wage per grade: a number, per grade, or steps x grades.
    real_wage
        The real wage index: a number or one per step.
    norm_increase, shortage
        Per enterprise: a number, one per enterprise, or steps x enterprises (steps x 1:
        one for all enterprises at each step).
    mobilisation
        A campaign table ``step, enterprise, grade, workers`` (:func:`read_mobilisation`).
    target
        Target employment per enterprise (default: the initial employment).
    start_year
        The year of step 0 (the statistics are by year).
    seed
        ``None``: expected flows; a number: random shocks to the hazards.
    source
        How errors name the enterprises table.
    """
    params = params or WorkforceParameters()
    grades = tuple(str(g) for g in grades)
    labels, industry, workers = read_enterprises(enterprises, grades, params.shares, source)
    if steps < 1:
        raise InputError("steps must be at least 1", source="steps", check=Check.BAD_ARGUMENT)
    model = Workforce(
        workers,
        grades=grades,
        productivity=productivity,
        params=params,
        target=target,
        labels=labels,
        seed=seed,
    )
    inputs = StepInputs(
        pay=per_step(_by_grade(pay, grades, "pay"), steps, 2, "pay"),
        outside=per_step(_by_grade(outside, grades, "outside"), steps, 1, "outside"),
        real_wage=per_step(real_wage, steps, 0, "real_wage"),
        norm_increase=per_step(norm_increase, steps, 1, "norm_increase"),
        shortage=per_step(shortage, steps, 1, "shortage"),
    )
    if mobilisation is not None:
        inputs.mobilise.update(read_mobilisation(mobilisation, labels, grades, steps))
    cube = simulate_steps(model, inputs, steps)
    return result_of_cube(model, cube, labels, industry, start_year, seed)


def simulate_steps(model: Workforce, inputs: StepInputs, steps: int) -> dict[str, np.ndarray]:
    """Run ``model`` ``steps`` steps: its stocks and flows, ``steps x enterprises x grades``.

    The arrays are what :func:`result_of_cube` takes.
    """
    cube = {n: np.empty((steps, *model.W.shape)) for n in ("workers", *FLOW_COLUMNS, "wage_fund")}
    for t in range(steps):
        step_once(model, inputs, t, cube)
    return cube


def step_once(
    model: Workforce, inputs: StepInputs, t: int, cube: dict[str, np.ndarray]
) -> StepFlows:
    """Move ``model`` one step by the inputs of step ``t``; write the step into ``cube[...][t]``.

    The loop body of :func:`simulate_steps`, for a caller that does something between the
    steps (:func:`gosplan.run.coupled.simulate_with_workforce`). ``cube`` holds arrays
    ``steps x enterprises x grades`` named ``workers``, the flows of
    :data:`~gosplan.core.workforce_result.FLOW_COLUMNS` and ``wage_fund``.
    """
    pay = np.broadcast_to(np.asarray(inputs.pay(t), float), model.W.shape)
    real = float(np.asarray(inputs.real_wage(t)))
    flows = model.step(
        pay,
        inputs.outside(t),
        real,
        np.asarray(inputs.norm_increase(t), float).reshape(-1),
        np.asarray(inputs.shortage(t), float).reshape(-1),
        mobilise=inputs.mobilise.get(t),
        target=None if inputs.target is None else inputs.target(t),
    )
    cube["workers"][t] = flows.start
    for n in FLOW_COLUMNS:
        cube[n][t] = getattr(flows, n)
    months = 12.0 / model.params.steps_per_year  # pay is per month
    cube["wage_fund"][t] = months * pay * 0.5 * (flows.start + flows.end)
    return flows


def result_of_cube(
    model: Workforce,
    cube: dict[str, np.ndarray],
    labels: list[str],
    industry: list[str],
    start_year: int,
    seed: int | None,
    function: str = "gosplan.run.workforce.run_workforce",
) -> WorkforceResult:
    """A :class:`WorkforceResult` from the steps' arrays (``steps x enterprises x grades``).

    ``cube`` holds ``workers`` (at the start of each step), the flows of
    :data:`~gosplan.core.workforce_result.FLOW_COLUMNS` and ``wage_fund``.
    """
    steps, n_e, n_g = cube["workers"].shape
    ent = pd.Categorical.from_codes(
        np.tile(np.repeat(np.arange(n_e), n_g), steps), categories=pd.Index(labels, dtype=object)
    )
    grade = pd.Categorical.from_codes(
        np.tile(np.arange(n_g), steps * n_e), categories=pd.Index(model.grades, dtype=object)
    )
    table = {"enterprise": ent, "grade": grade, "step": np.repeat(np.arange(steps), n_e * n_g)}
    table.update({name: values.reshape(-1) for name, values in cube.items()})
    workers = pd.DataFrame(table)
    firms = pd.DataFrame({"enterprise": label_column(labels), "industry": label_column(industry)})
    p = model.params
    statistics = turnover_table(
        workers, firms, ["industry"], steps_per_year=p.steps_per_year, start_year=start_year
    )
    parameters = finite(
        {
            **asdict(p),
            "grades": list(model.grades),
            "productivity": model.productivity.tolist(),
        }
    )
    return WorkforceResult(
        workers=workers,
        statistics=statistics,
        enterprises=firms,
        grades=pd.DataFrame(
            {"grade": label_column(list(model.grades)), "productivity": model.productivity}
        ),
        steps_per_year=p.steps_per_year,
        start_year=start_year,
        parameters=parameters,
        provenance={"function": function, "seed": seed},
    )
