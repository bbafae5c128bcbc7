"""The result of a workforce run: workers and their flows by enterprise, grade and step.

Made by :func:`gosplan.run.workforce.run_workforce`; this module imports no solver and no
upper layer, so a report or the command line reads a run back (:meth:`WorkforceResult.read`)
as the same type.

The model describes the labour side in aggregate: every number is a count of workers (a
float) per enterprise, skill grade and step, never a record of a person.

Tables (long, label columns as pandas categoricals):

``workers``
    :data:`WORKER_COLUMNS`: per enterprise, grade and step the workers at the *start* of the
    step and the flows during it, so that the stock at the start of step ``t + 1`` is
    ``workers + hires - quits - promoted - mobilised + upgraded_in - upgraded_out`` of step
    ``t``; ``wage_fund`` is pay times the step's average workers (the mean of its start and
    end).
``statistics``
    :data:`STATISTIC_COLUMNS`: the period's own form of the turnover figures, by industry
    and year (:meth:`WorkforceResult.turnover`).
``enterprises``
    ``enterprise, industry``.
``grades``
    ``grade, productivity`` (the skill weight of a worker of the grade), highest grade first.
"""

from __future__ import annotations

from collections.abc import Sequence
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

#: ``kind`` of a workforce run on disk, and the files of its folder.
WORKFORCE_KIND = "workforce"
WORKFORCE_META = "workforce.json"
WORKFORCE_TABLES = ("workers", "statistics", "enterprises", "grades")
_NEEDS = "a workforce run needs"
#: The flows of :attr:`WorkforceResult.workers` into and out of a grade.
FLOW_COLUMNS = ("hires", "quits", "promoted", "mobilised", "upgraded_in", "upgraded_out")
#: Columns of :attr:`WorkforceResult.workers`.
WORKER_COLUMNS = ("enterprise", "grade", "step", "workers", *FLOW_COLUMNS, "wage_fund")
#: Columns of :attr:`WorkforceResult.statistics` (and of :meth:`WorkforceResult.turnover`).
STATISTIC_COLUMNS = (
    "industry",
    "year",
    "employment",
    "accessions_per_100",
    "separations_per_100",
    "quits_per_100",
    "wage_fund",
)
#: Columns of each table, by name.
COLUMNS = {
    "workers": WORKER_COLUMNS,
    "statistics": STATISTIC_COLUMNS,
    "enterprises": ("enterprise", "industry"),
    "grades": ("grade", "productivity"),
}
_LABELS = ("enterprise", "grade", "industry")
_INTEGERS = ("step", "year")
#: What makes up separations (quits, promotions out, mobilisation).
SEPARATIONS = ("quits", "promoted", "mobilised")


def tidy(frame: pd.DataFrame, name: str, source: str = "workforce") -> pd.DataFrame:
    """A table of a workforce run in its canonical form.

    Its columns in order (:data:`COLUMNS`; a ``statistics`` table keeps its first label
    column, whatever it groups by), labels as categoricals of text, ``step`` and ``year`` as
    integers, counts as floats. Extra columns are dropped.

    Raises
    ------
    InputError
        If a column is missing (check ``missing_column``) or a number cell holds text
        (check ``non_numeric``).
    """
    columns = list(COLUMNS[name])
    if name == "statistics" and len(frame.columns) and frame.columns[0] in _LABELS:
        columns[0] = str(frame.columns[0])
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
        numbers = pd.to_numeric(values, errors="coerce")
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
    """An empty table of a workforce run, with its columns."""
    return tidy(pd.DataFrame({c: [] for c in COLUMNS[name]}), name)


def turnover_table(
    workers: pd.DataFrame,
    industry: pd.DataFrame,
    by: Sequence[str],
    *,
    steps_per_year: int,
    start_year: int,
) -> pd.DataFrame:
    """Accessions and separations per 100 employees per year, grouped by ``by`` and year.

    Parameters
    ----------
    workers
        A :attr:`WorkforceResult.workers` table.
    industry
        The ``enterprise, industry`` table.
    by
        Grouping columns among ``enterprise``, ``industry`` and ``grade`` (empty: the whole
        economy, labelled ``industry = "all"``).
    steps_per_year, start_year
        The calendar: step ``t`` lies in year ``start_year + t // steps_per_year``.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, year, employment, accessions_per_100, separations_per_100,
        quits_per_100, wage_fund``. ``employment`` is the average employment of the year (the
        mean over its steps of each step's average stock); the rates are the year's flows per
        100 of it, scaled to a whole year where the run covers part of one; ``wage_fund`` is
        the year's (unscaled) sum of pay times workers.
    """
    w = workers
    net = sum(
        w[c].to_numpy() * s for c, s in zip(FLOW_COLUMNS, (1, -1, -1, -1, 1, -1), strict=True)
    )
    data = {
        "year": start_year + w["step"].to_numpy() // steps_per_year,
        "step": w["step"].to_numpy(),
        "average": w["workers"].to_numpy() + 0.5 * np.asarray(net),
        "accessions": w["hires"].to_numpy(),
        "separations": sum(w[c].to_numpy() for c in SEPARATIONS),
        "quits": w["quits"].to_numpy(),
        "wage_fund": w["wage_fund"].to_numpy(),
    }
    keys = list(by) or ["industry"]
    for col in keys:
        if col == "industry":
            firms, kinds = industry["enterprise"].astype(str), industry["industry"].astype(str)
            codes = dict(zip(firms, kinds, strict=True))
            names = w["enterprise"].astype(str).map(codes) if by else "all"
            data[col] = np.broadcast_to(np.asarray(names, dtype=object), len(w))
        else:
            data[col] = w[col].astype(str).to_numpy()
    frame = pd.DataFrame(data)
    sums = frame.groupby([*keys, "year"], sort=False)[
        ["average", "accessions", "separations", "quits", "wage_fund"]
    ].sum()
    steps = frame.groupby([*keys, "year"], sort=False)["step"].nunique()
    employment = sums["average"] / steps
    per_100 = 100.0 * (steps_per_year / steps) / employment.where(employment > 0)
    out = pd.DataFrame(
        {
            "employment": employment,
            "accessions_per_100": sums["accessions"] * per_100,
            "separations_per_100": sums["separations"] * per_100,
            "quits_per_100": sums["quits"] * per_100,
            "wage_fund": sums["wage_fund"],
        }
    ).reset_index()
    for col in keys:
        out[col] = label_column(out[col])
    return out


@dataclass(frozen=True, eq=False)
class WorkforceResult(TabledResult):
    """A run of the workforce model: stocks and flows of workers, and the period's figures.

    Attributes
    ----------
    workers
        Columns :data:`WORKER_COLUMNS` (see the module's description).
    statistics
        Columns :data:`STATISTIC_COLUMNS`: turnover by industry and year.
    enterprises
        Columns ``enterprise, industry``.
    grades
        Columns ``grade, productivity``.
    steps_per_year
        Steps in a year (12: monthly steps).
    start_year
        The year of step 0.
    parameters
        The parameters of the run (plain values).
    provenance
        What produced the result.

    Every field round-trips: :meth:`to_dict` / :meth:`from_dict` and :meth:`write` /
    :meth:`read` (a folder of tables with ``workforce.json``, or one JSON file).
    """

    META_FILE: ClassVar[str] = WORKFORCE_META
    TABLE_NAMES: ClassVar[tuple[str, ...] | None] = None
    NEEDS: ClassVar[str | None] = None
    SOURCE: ClassVar[str] = "workforce"
    LABELS: ClassVar[tuple[str, ...]] = _LABELS

    workers: pd.DataFrame
    statistics: pd.DataFrame
    enterprises: pd.DataFrame = field(default_factory=lambda: empty("enterprises"))
    grades: pd.DataFrame = field(default_factory=lambda: empty("grades"))
    steps_per_year: int = 12
    start_year: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """The number of steps run."""
        step = self.workers["step"].to_numpy()
        return int(step.max()) + 1 if len(step) else 0

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name."""
        return {name: getattr(self, name) for name in WORKFORCE_TABLES}

    def turnover(self, by: str | Sequence[str] = "industry") -> pd.DataFrame:
        """Turnover per 100 employees per year, by ``by`` (enterprise, industry, grade) and year.

        See :func:`turnover_table`; ``turnover("industry")`` is :attr:`statistics`.
        """
        keys = [by] if isinstance(by, str) else list(by)
        unknown = [k for k in keys if k not in _LABELS]
        if unknown:
            raise InputError(
                f"cannot group turnover by {unknown[0]!r}; choose among {', '.join(_LABELS)}",
                check="bad_argument",
            )
        return turnover_table(
            self.workers,
            self.enterprises,
            keys,
            steps_per_year=self.steps_per_year,
            start_year=self.start_year,
        )

    def series(self, column: str = "workers", grade: str | None = None) -> pd.DataFrame:
        """One column of :attr:`workers` as a steps x enterprises frame (summed over grades)."""
        w = self.workers
        if grade is not None:
            w = w[w["grade"].astype(str) == grade]
        return w.pivot_table(
            index="step", columns="enterprise", values=column, aggfunc="sum", observed=True
        )

    def labour(self) -> pd.DataFrame:
        """Skill-weighted labour ``sum_g p[g] W[e, g]`` at the start of each step: steps x firms."""
        g = self.grades
        p = dict(zip(g["grade"].astype(str), g["productivity"], strict=True))
        weight = self.workers["grade"].astype(str).map(p).to_numpy(dtype=float)
        frame = self.workers.assign(labour=weight * self.workers["workers"].to_numpy())
        return frame.pivot_table(
            index="step", columns="enterprise", values="labour", aggfunc="sum", observed=True
        )

    # ------------------------------------------------------------------ files
    def _meta(self) -> dict[str, Any]:
        return finite(
            {
                "kind": WORKFORCE_KIND,
                "steps": self.steps,
                "steps_per_year": self.steps_per_year,
                "start_year": self.start_year,
                "parameters": self.parameters,
                "provenance": self.provenance,
            }
        )

    @classmethod
    def _from_tables(
        cls, meta: dict[str, Any], frames: dict[str, pd.DataFrame], source: str
    ) -> WorkforceResult:
        _check_kind(meta, source)
        for name in ("workers", "statistics"):
            if name not in frames:
                raise InputError(
                    f"{_NEEDS} the table {name!r}", source=source, check="missing_table"
                )
        tables = {
            name: tidy(frame, name, source)
            for name, frame in frames.items()
            if name in WORKFORCE_TABLES
        }
        return cls(
            steps_per_year=int(meta["steps_per_year"]),
            start_year=int(meta.get("start_year") or 0),
            parameters=dict(meta.get("parameters") or {}),
            provenance=dict(meta.get("provenance") or {}),
            **tables,
        )


def _check_kind(meta: dict[str, Any], source: str) -> None:
    kind = meta.get("kind")
    if kind is not None and kind != WORKFORCE_KIND:
        raise InputError(
            f"not a workforce run: the file holds a {kind!r}", source=source, check="bad_argument"
        )
    if "steps_per_year" not in meta:
        raise InputError(
            "not a workforce run written by gosplan: no 'steps_per_year'", source=source
        )
