"""The workforce of the ussr-1928 scenario through the plan years, calibrated to the turnover table.

:func:`labour_run` sets up the scenario's large-scale industry as a workforce
(:class:`gosplan.run.workforce.Workforce`: workers by enterprise and skill grade, counts in
thousands, never persons), lays the pressures of 1929–1932 on it month by month and sets the
model's accessions and separations per 100 employees beside the scenario's table
``history/labour_turnover.csv`` [C-T2, citing Nove p.198]. :func:`scenario_workforce` sets
the same workforce and its monthly inputs up without running them, for a run that moves it
step by step inside a simulation (:func:`gosplan.run.coupled.coupled_scenario`).

Set-up
------
Enterprises
    The economy's enterprises (:func:`gosplan.core.enterprises.enterprises_of`) of the
    activities of large-scale industry (every activity but those listed under
    ``excluded_activities`` in the parameters: agriculture, transport, construction), each
    with its activity as its ``industry`` (the coal industry: the enterprises of ``coal``).
    Starting workers: the enterprise's capacity times its activity's labour coefficient of
    the ``workers`` labour type (``economy/labour.csv``, thousand person-years per unit),
    i.e. thousands of workers, at the start of the run whatever its first year;
    enterprises without workers (not yet built) are left out.
    About 3.6 m workers together: the order of the 3.2 m of large-scale industry in 1929
    [C-SC] (a check, not a calibration). Grade shares ``shares`` at the start.
Target employment
    The index of workers and employees of the whole economy, 11.4 m (1928) to 24.2 m (1932)
    [NKh], interpolated geometrically between mid-years (an assumption: 18.8 % a year), as
    the target of every enterprise relative to its start: vacancies drive hires.
Pay
    Each month every enterprise's wage fund is ``sum_g tariff[g] W[e, g]`` (nominal pay
    index 1 for an unskilled worker), paid out by its brigade rule
    (:func:`gosplan.run.wages.brigade_pay`): ``by_grade`` pays the tariff, ``equal`` the
    fund per head, ``piece`` the same fund as piece rates on productivity. The outside
    option per grade is ``outside`` (skilled 1.5 times unskilled: assumption).
Real wage
    1928 = 1, 1932 = 0.5 [C-T2, Filtzer p.91], interpolated geometrically between mid-years
    (assumption): its fall, 17.3 % a year in logs, enters the quit hazard with ``b_real``.
Shortage and norms
    The share of household demand unmet by year (an assumption path, or the caller's
    ``shortage=``, e.g. a simulation's unmet household demand) and the norm increase of
    shock work, from :func:`gosplan.run.wages.shock_work` with the year's overfulfilment of
    the norm and the ratchet share (assumptions).
Coal
    The coal mines' quit hazard is multiplied by ``coal_hazard_factor`` (calibrated: an
    extra hazard of the pits that the model does not explain).

Calibration procedure (done once, by hand; its result is in
``datasets/ussr-1928/labour/parameters.toml``, nothing is fitted at run time)
--------------------------------------------------------------------------------------
1. ``b_pay``, ``b_real``, ``b_norm``, ``productivity``, ``tariff``, ``outside``,
   ``upgrade_years``, ``promotion_out`` and the input paths (shortage, overfulfilment) were
   fixed first as assumptions. With a constant rate of fall of the real wage, ``b_real``
   is not identified apart from the base hazards: its value only shifts them.
2. Under ``rule="by_grade"`` (pay at the outside option: no pay gap), the common scale of
   ``base_quit`` (the default ratios 0.5 : 0.8 : 1.2 kept) was set so that all large-scale
   industry's 1929 separations match the table's 115.2.
3. ``b_short`` was set so that the rise of the separations from 1929 to 1930 (the shortage
   path's rise plus the norms') matches the table's 152.4 in 1930.
4. ``fill_rate`` was set so that accessions in 1929 and 1930 (separations plus the growth of
   the target, less the vacancies left unfilled) come within the table's 122.4 and 176.4.
5. ``coal_hazard_factor`` was set so that coal's 1930 separations match 295.2.
Steps 2–5 interact a little; they were iterated over a small grid (the values and the fit
are in the TOML's comments); 1931–1932 and coal's 1929 figures are not targets and are only
reported.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from gosplan.core.checks import Check, Problems
from gosplan.core.enterprises import enterprises_of
from gosplan.core.simulation_result import SimulationResult
from gosplan.core.workforce_result import WorkforceResult
from gosplan.datasets import load_history, scenario_path
from gosplan.errors import InputError
from gosplan.io import read_economy
from gosplan.run.wages import RULES, brigade_pay, shock_work
from gosplan.run.workforce import (
    DEFAULT_GRADES,
    StepInputs,
    Workforce,
    WorkforceParameters,
    result_of_cube,
    simulate_steps,
)

#: The years a run may cover (those of the turnover table).
SCENARIO_YEARS = (1929, 1930, 1931, 1932)
#: The scenario's parameter file, relative to the scenario's folder.
PARAMETERS_FILE = Path("labour") / "parameters.toml"
#: The rule of an enterprise and year that a rules table does not name.
DEFAULT_RULE = "by_grade"
#: Columns of :attr:`LabourRun.turnover`.
TURNOVER_COLUMNS = ("year", "industry", "movement", "model", "table", "relative_difference")
#: The industries of the turnover table: label -> the run's industry (None: all of them).
TABLE_INDUSTRIES: Mapping[str, str | None] = {
    "all large-scale industry": None,
    "coal industry": "coal",
}
_MOVEMENTS = {"entered": "accessions_per_100", "left": "separations_per_100"}
#: Parameters passed on to :class:`WorkforceParameters` as they are.
_WORKFORCE_FIELDS = (
    *("base_quit", "b_pay", "b_real", "b_norm", "b_short"),
    *("upgrade_years", "promotion_out", "fill_rate", "shares", "noise"),
)


@dataclass(frozen=True, eq=False)
class LabourRun:
    """A calibrated workforce run of the scenario and its fit to the turnover table.

    Attributes
    ----------
    result
        The workforce run (:class:`~gosplan.core.workforce_result.WorkforceResult`), steps
        monthly from January of the first year.
    turnover
        Columns :data:`TURNOVER_COLUMNS`: per year, industry of the table (``all
        large-scale industry``, ``coal industry``) and movement (``entered``, ``left``) the
        model's rate per 100 employees a year, the table's and ``model / table - 1``.
    parameters
        Columns ``name, value, basis``: every parameter used, with its basis.
    inputs
        Columns ``year, target_index, real_wage, shortage, norm_increase``: the pressures
        by year (target at the year's end relative to the start, the real wage's mean).
    rules
        Columns ``enterprise, year, rule``: the brigade rule of every enterprise and year.
    """

    result: WorkforceResult
    turnover: pd.DataFrame
    parameters: pd.DataFrame
    inputs: pd.DataFrame
    rules: pd.DataFrame

    def skilled_separations(self, grade: str = DEFAULT_GRADES[0]) -> pd.Series:
        """Separations per 100 workers of ``grade`` a year (all enterprises), by year."""
        table = self.result.turnover("grade")
        rows = table[table["grade"].astype(str) == grade]
        return rows.set_index("year")["separations_per_100"].rename(grade)

    def skill_weighted_labour(self) -> pd.Series:
        """Skill-weighted labour ``sum p[g] W[e, g]`` of all enterprises at each step."""
        return self.result.labour().sum(axis=1).rename("labour")


# ---------------------------------------------------------------------------- parameters
def read_parameters(path: str | Path) -> dict[str, tuple[Any, str]]:
    """The parameters of a labour scenario: ``name -> (value, basis)``.

    Every top-level table of the TOML file is one parameter with keys ``value`` and
    ``basis`` (a non-empty text).

    Raises
    ------
    InputError
        For an unreadable file or a parameter without its value or basis, naming it.
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(str(err), source=str(path), check=Check.UNREADABLE_FILE) from err
    out: dict[str, tuple[Any, str]] = {}
    for name, entry in doc.items():
        basis = entry.get("basis") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or "value" not in entry or not basis:
            raise InputError(
                "every parameter needs a 'value' and a 'basis'",
                source=str(path),
                label=name,
                check=Check.MISSING_VALUE,
            )
        out[name] = (entry["value"], str(basis))
    return out


def _parameters(scenario: str, given: Mapping[str, Any] | None) -> dict[str, tuple[Any, str]]:
    """The scenario's parameters, with the caller's values (basis: given) put over them."""
    base = read_parameters(scenario_path(scenario).parent / PARAMETERS_FILE)
    for name, value in (given or {}).items():
        if name not in base:
            raise InputError(
                f"no parameter {name!r}; the parameters are {', '.join(base)}",
                source="parameters",
                label=str(name),
                check=Check.UNKNOWN_KEY,
            )
        base[name] = (value, "given by the caller")
    return base


def _workforce_parameters(p: Mapping[str, tuple[Any, str]]) -> WorkforceParameters:
    values = {k: p[k][0] for k in _WORKFORCE_FIELDS if k in p}
    for key in ("base_quit", "upgrade_years", "promotion_out", "shares"):
        if key in values:
            values[key] = tuple(math.inf if v == "inf" else float(v) for v in values[key])
    return WorkforceParameters(**values)


# ---------------------------------------------------------------------------- set-up
def _enterprises(scenario: str, excluded: Sequence[str]) -> pd.DataFrame:
    """``enterprise, industry, workers`` (thousands) of the scenario's large-scale industry."""
    return _read_enterprises(scenario, tuple(excluded)).copy()


@functools.lru_cache(maxsize=8)
def _read_enterprises(scenario: str, excluded: tuple[str, ...]) -> pd.DataFrame:
    economy = read_economy(scenario_path(scenario))
    firms = enterprises_of(economy)
    coefficient = economy.labour_coefficients().loc["workers"]
    activity = firms["activity"].astype(str)
    workers = pd.to_numeric(firms["capacity"]).to_numpy(float) * coefficient.reindex(
        activity
    ).fillna(0.0).to_numpy(float)
    table = pd.DataFrame(
        {"enterprise": firms["enterprise"].astype(str), "industry": activity, "workers": workers}
    )
    keep = ~activity.isin(list(excluded)).to_numpy() & (workers > 0)
    return table[keep].reset_index(drop=True)


def _years(years: Sequence[int]) -> list[int]:
    """The run's years: consecutive, within :data:`SCENARIO_YEARS`."""
    out = [int(y) for y in years]
    if not out:
        raise InputError("give at least one year", source="years", check=Check.BAD_ARGUMENT)
    for year in out:
        if year not in SCENARIO_YEARS:
            raise InputError(
                f"the year {year} lies outside {SCENARIO_YEARS[0]}–{SCENARIO_YEARS[-1]}, "
                "the years of the turnover table",
                source="years",
                label=str(year),
                check=Check.OUT_OF_RANGE,
            )
    if out != list(range(out[0], out[0] + len(out))):
        raise InputError(
            "the years must be consecutive and in order",
            source="years",
            label=", ".join(map(str, out)),
            check=Check.BAD_ARGUMENT,
        )
    return out


def geometric_path(points: Sequence[Sequence[float]], times: ArrayLike) -> np.ndarray:
    """Values at ``times`` (years) interpolated geometrically between ``(year, value)`` points.

    Each point is taken at the middle of its year; beyond the first and last point the path
    goes on at the rate of the nearest segment.
    """
    years = np.array([float(p[0]) + 0.5 for p in points])
    logs = np.log(np.array([float(p[1]) for p in points]))
    t = np.asarray(times, dtype=float)
    inner = np.interp(t, years, logs)
    if len(years) > 1:
        low = (logs[1] - logs[0]) / (years[1] - years[0])
        high = (logs[-1] - logs[-2]) / (years[-1] - years[-2])
        inner = np.where(t < years[0], logs[0] + low * (t - years[0]), inner)
        inner = np.where(t > years[-1], logs[-1] + high * (t - years[-1]), inner)
    return np.asarray(np.exp(inner), dtype=float)


def _by_year(value: Any, years: Sequence[int], name: str) -> np.ndarray:
    """A value per year from a number, ``[[year, value], ...]``, a mapping or a Series."""
    if isinstance(value, int | float):
        out = np.full(len(years), float(value))
    else:
        pairs = value.items() if isinstance(value, Mapping | pd.Series) else value
        table = {int(k): float(v) for k, v in pairs}
        missing = [y for y in years if y not in table]
        if missing:
            raise InputError(
                f"{name} has no value for {missing[0]}",
                source=name,
                label=str(missing[0]),
                check=Check.MISSING_LABEL,
            )
        out = np.array([table[y] for y in years])
    bad = np.flatnonzero(~((out >= 0) & (out <= 1)))
    if len(bad):
        raise InputError(
            f"{name} must be a share in [0, 1], not {out[bad[0]]}",
            source=name,
            label=str(years[bad[0]]),
            check=Check.OUT_OF_RANGE,
        )
    return out


# ---------------------------------------------------------------------------- rules
def rules_table(
    rule: str | pd.DataFrame, firms: pd.DataFrame, years: Sequence[int], source: str = "rules"
) -> pd.DataFrame:
    """The brigade rule of every enterprise and year: ``enterprise, year, rule``.

    ``rule`` is one of :data:`gosplan.run.wages.RULES` for all, or a table with columns
    ``year``, ``rule`` and either ``industry`` (an activity, e.g. ``coal``) or ``enterprise``;
    an enterprise and year it does not name keeps :data:`DEFAULT_RULE`.

    Raises
    ------
    InputError
        For an unknown rule name (``bad_option``).
    ValidationError
        For a rules table with a missing column, an unknown industry or enterprise, a year
        outside the run, an unknown rule or a repeated row; each named by row and label.
    """
    names = firms["enterprise"].astype(str).to_numpy()
    grid = pd.DataFrame(
        {"enterprise": np.repeat(names, len(years)), "year": np.tile(list(years), len(names))}
    )
    if isinstance(rule, str):
        if rule not in RULES:
            raise InputError(
                f"unknown wage rule {rule!r}; choose {', '.join(RULES)} or give a table",
                source="rule",
                label=rule,
                check=Check.BAD_OPTION,
            )
        return grid.assign(rule=rule)
    if not isinstance(rule, pd.DataFrame):
        raise InputError(
            "rule must be a rule's name or a DataFrame of rules",
            source="rule",
            check=Check.BAD_ARGUMENT,
        )
    key, rows = _check_rules(rule, firms, years, source)
    by = "enterprise" if key == "enterprise" else "industry"
    grid["industry"] = np.repeat(firms["industry"].astype(str).to_numpy(), len(years))
    merged = grid.merge(rows, on=[by, "year"], how="left")
    merged["rule"] = merged["rule"].fillna(DEFAULT_RULE)
    return merged[["enterprise", "year", "rule"]]


def _check_rules(
    rules: pd.DataFrame, firms: pd.DataFrame, years: Sequence[int], source: str
) -> tuple[str, pd.DataFrame]:
    """The key column of a rules table and its rows (``key, year, rule``), validated."""
    problems = Problems()
    keys = [c for c in ("enterprise", "industry") if c in rules.columns]
    if len(keys) != 1:
        problems.add(
            "a rules table needs one column 'industry' or 'enterprise' (not both)",
            source=source,
            check=Check.MISSING_COLUMN,
        )
    for col in ("year", "rule"):
        if col not in rules.columns:
            problems.add(f"missing column {col!r}", source=source, check=Check.MISSING_COLUMN)
    problems.raise_if_any()
    key = keys[0]
    labels = rules[key].astype(str).to_numpy()
    known = firms[key].astype(str).unique()
    check = Check.UNKNOWN_ENTERPRISE if key == "enterprise" else Check.UNKNOWN_LABEL
    add = problems.add_rows
    add(
        ~np.isin(labels, known),
        f"no such {key} in the run",
        source=source,
        labels=labels,
        check=check,
    )
    year = pd.to_numeric(rules["year"], errors="coerce").to_numpy(dtype=float)
    add(
        ~np.isin(year, list(years)),
        f"the year lies outside the run ({years[0]}–{years[-1]})",
        source=source,
        labels=labels,
        check=Check.OUT_OF_RANGE,
    )
    names = rules["rule"].astype(str).to_numpy()
    add(
        ~np.isin(names, RULES),
        lambda i: f"unknown rule {names[i]!r}; choose {', '.join(RULES)}",
        source=source,
        labels=labels,
        check=Check.BAD_OPTION,
    )
    pairs = pd.DataFrame({key: labels, "year": year})
    add(
        pairs.duplicated().to_numpy(),
        f"a second rule for this {key} and year",
        source=source,
        labels=labels,
        check=Check.DUPLICATE_LABEL,
    )
    problems.raise_if_any()
    return key, pd.DataFrame({key: labels, "year": year.astype(np.int64), "rule": names})


# ---------------------------------------------------------------------------- the run
class _ScenarioWorkforce(Workforce):
    """A workforce whose quit hazards carry a factor per enterprise (the coal mines' extra)."""

    factor: np.ndarray

    def hazards(
        self,
        pay: ArrayLike,
        outside: ArrayLike,
        real_wage: float = 1.0,
        norm_increase: ArrayLike = 0.0,
        shortage: ArrayLike = 0.0,
    ) -> np.ndarray:
        """The model's hazards times the enterprise's factor."""
        h = super().hazards(pay, outside, real_wage, norm_increase, shortage)
        return h * self.factor[:, None]


@dataclass(frozen=True)
class _Setup:
    """Everything a run needs, by step (``steps`` months from January of the first year)."""

    firms: pd.DataFrame
    years: list[int]
    target: np.ndarray  # steps x enterprises
    real_wage: np.ndarray  # steps
    shortage: np.ndarray  # steps
    norm_increase: np.ndarray  # steps
    rules: np.ndarray  # steps x enterprises (names)
    tariff: np.ndarray
    productivity: np.ndarray
    outside: np.ndarray


def _pay(w: np.ndarray, rules: np.ndarray, setup: _Setup) -> np.ndarray:
    """Pay per worker this month: the fund ``sum_g tariff W`` paid out by each rule."""
    fund = w @ setup.tariff
    skill = w @ setup.productivity
    rate = np.divide(fund, skill, out=np.zeros_like(fund), where=skill > 0)
    return brigade_pay(
        w,
        fund,
        rules,
        tariff=setup.tariff,
        productivity=setup.productivity,
        piece_rate=rate,
        fulfilment=1.0,
    )


def _inputs(model: Workforce, setup: _Setup) -> StepInputs:
    """The inputs of a run: pay by each month's rule from the workforce as it is."""
    return StepInputs(
        pay=lambda t: _pay(model.W, setup.rules[t], setup),
        outside=lambda t: setup.outside,
        real_wage=lambda t: setup.real_wage[t],
        norm_increase=lambda t: setup.norm_increase[t],
        shortage=lambda t: setup.shortage[t],
        target=lambda t: setup.target[t],
    )


@dataclass(frozen=True, eq=False)
class ScenarioWorkforce:
    """The scenario's workforce at the start of a run, with its inputs step by step.

    What :func:`labour_run` runs and a coupled run (:func:`gosplan.run.coupled.coupled_scenario`)
    puts inside a simulation.

    Attributes
    ----------
    model
        The workforce (enterprises x grades, thousands of workers), at its start; a run
        moves it.
    inputs
        Its inputs by step (pay by the brigade rule from the workforce as it is, the outside
        option, the real wage, the norm increase, the shortage path, the target).
    setup
        The paths by step behind the inputs, the enterprises and the years.
    rules
        Columns ``enterprise, year, rule``: the brigade rule of every enterprise and year.
    parameters
        The parameters used, ``name -> (value, basis)``.
    """

    model: Workforce
    inputs: StepInputs
    setup: _Setup
    rules: pd.DataFrame
    parameters: dict[str, tuple[Any, str]]

    @property
    def steps(self) -> int:
        """Months in the run (twelve a year, from January of the first year)."""
        return len(self.setup.real_wage)

    @property
    def years(self) -> list[int]:
        """The run's years."""
        return list(self.setup.years)

    @property
    def industry(self) -> list[str]:
        """The industry (activity) of every enterprise, in the model's order."""
        return self.setup.firms["industry"].astype(str).tolist()


def scenario_workforce(
    scenario: str = "ussr-1928",
    *,
    rule: str | pd.DataFrame = DEFAULT_RULE,
    years: Sequence[int] = SCENARIO_YEARS,
    parameters: Mapping[str, Any] | None = None,
    shortage: Any = None,
    seed: int | None = None,
) -> ScenarioWorkforce:
    """The scenario's workforce and its inputs by step, ready to run (see the module).

    The parameters, errors and defaults are those of :func:`labour_run`, which runs it.

    Returns
    -------
    ScenarioWorkforce
    """
    run_years = _years(years)
    p = _parameters(scenario, parameters)
    setup, rules = _setup(scenario, p, rule, run_years, shortage)
    params = _workforce_parameters(p)
    firms = setup.firms
    model = _ScenarioWorkforce(
        firms["workers"].to_numpy(float)[:, None] * np.asarray(params.shares, float)[None, :],
        grades=DEFAULT_GRADES,
        productivity=tuple(setup.productivity.tolist()),
        params=params,
        target=setup.target[0],
        labels=firms["enterprise"].astype(str).tolist(),
        seed=seed,
    )
    coal = (firms["industry"].astype(str) == "coal").to_numpy()
    model.factor = np.where(coal, float(p["coal_hazard_factor"][0]), 1.0)
    return ScenarioWorkforce(model, _inputs(model, setup), setup, rules, p)


def _result(
    model: Workforce, cube: dict[str, np.ndarray], setup: _Setup, seed: int | None
) -> WorkforceResult:
    return result_of_cube(
        model,
        cube,
        setup.firms["enterprise"].astype(str).tolist(),
        setup.firms["industry"].astype(str).tolist(),
        setup.years[0],
        seed,
        function="gosplan.run.labour_scenario.labour_run",
    )


def _setup(
    scenario: str,
    p: Mapping[str, tuple[Any, str]],
    rule: str | pd.DataFrame,
    years: list[int],
    shortage: Any,
) -> tuple[_Setup, pd.DataFrame]:
    """The run's inputs by step, and the rules table by enterprise and year."""
    firms = _enterprises(scenario, [str(a) for a in p["excluded_activities"][0]])
    source = str(rule.attrs.get("source", "rules")) if isinstance(rule, pd.DataFrame) else "rules"
    rules = rules_table(rule, firms, years, source)
    steps = 12 * len(years)
    month = np.arange(steps)
    year_of = month // 12
    start = float(years[0])
    ends = start + (month + 1) / 12.0  # each step's target holds from its end
    index = geometric_path(p["employment"][0], ends) / geometric_path(p["employment"][0], start)
    target = index[:, None] * firms["workers"].to_numpy(float)[None, :]
    real = geometric_path(p["real_wage"][0], start + (month + 0.5) / 12.0)
    short = _by_year(p["shortage"][0] if shortage is None else shortage, years, "shortage")
    over = _by_year(p["overfulfilment"][0], years, "overfulfilment")
    shock = shock_work(
        np.ones(len(years)),
        1.0 + over,
        ratchet_share=float(p["ratchet_share"][0]),
        productivity_gain=0.0,
        session_hours_per_day=0.0,
    )
    names = rules.pivot(index="year", columns="enterprise", values="rule")
    names = names.reindex(index=years, columns=firms["enterprise"].astype(str))
    setup = _Setup(
        firms=firms,
        years=years,
        target=target,
        real_wage=real,
        shortage=short[year_of],
        norm_increase=np.asarray(shock.norm_increase, dtype=float)[year_of],
        rules=names.to_numpy(dtype=object)[year_of],
        tariff=np.asarray(p["tariff"][0], dtype=float),
        productivity=np.asarray(p["productivity"][0], dtype=float),
        outside=np.asarray(p["outside"][0], dtype=float),
    )
    return setup, rules


def labour_run(
    scenario: str = "ussr-1928",
    *,
    rule: str | pd.DataFrame = DEFAULT_RULE,
    years: Sequence[int] = SCENARIO_YEARS,
    parameters: Mapping[str, Any] | None = None,
    shortage: Any = None,
    seed: int | None = None,
) -> LabourRun:
    """Run the scenario's workforce monthly over ``years`` and set it beside the turnover table.

    Parameters
    ----------
    scenario
        A bundled scenario with ``labour/parameters.toml`` and ``history/labour_turnover.csv``.
    rule
        The brigade wage rule: ``"by_grade"`` (the calibration's), ``"equal"`` or
        ``"piece"`` for every enterprise and year, or a table of rules (:func:`rules_table`).
    years
        Consecutive years within 1929–1932.
    parameters
        Values to put over the scenario's parameters, by name (their basis then reads
        "given by the caller").
    shortage
        The share of household demand unmet: a number, or one per year (a mapping or a
        Series by year, e.g. a simulation's unmet household demand); by default the
        scenario's assumption path.
    seed
        ``None``: expected flows; a number: random shocks to the hazards.

    Returns
    -------
    LabourRun

    Raises
    ------
    InputError
        An unknown rule, parameter or scenario, years outside 1929–1932, a shortage outside
        [0, 1] or missing a year.
    ValidationError
        A rules table naming an unknown industry or enterprise, a year outside the run or an
        unknown rule (by row and label).
    """
    ready = scenario_workforce(
        scenario, rule=rule, years=years, parameters=parameters, shortage=shortage, seed=seed
    )
    cube = simulate_steps(ready.model, ready.inputs, ready.steps)
    result = _result(ready.model, cube, ready.setup, seed)
    table = load_history(scenario)["labour_turnover"]
    return LabourRun(
        result=result,
        turnover=compare_turnover(result, table),
        parameters=pd.DataFrame(
            [(k, v, b) for k, (v, b) in ready.parameters.items()],
            columns=["name", "value", "basis"],
        ),
        inputs=_inputs_table(ready.setup),
        rules=ready.rules,
    )


def _inputs_table(setup: _Setup) -> pd.DataFrame:
    year = np.repeat(setup.years, 12)
    frame = pd.DataFrame(
        {
            "year": year,
            "target_index": setup.target.sum(axis=1) / setup.firms["workers"].sum(),
            "real_wage": setup.real_wage,
            "shortage": setup.shortage,
            "norm_increase": setup.norm_increase,
        }
    )
    agg = {"target_index": "last", "real_wage": "mean", "shortage": "mean"}
    return frame.groupby("year").agg({**agg, "norm_increase": "mean"}).reset_index()


def shortage_from(run: SimulationResult, weights: pd.Series, user: str = "households") -> pd.Series:
    """The share of a final user's demand a simulated run left unmet, by period (0 to 1).

    What :func:`labour_run` takes as ``shortage`` (products added up at ``weights``, e.g.
    labour values; :meth:`SimulationResult.unmet_by_user`). A run without final users gives
    the share of all final demand.
    """
    table = run.unmet_by_user(weights)
    row = table.loc[user] if user in table.index else table.iloc[0]
    return (row.fillna(0.0) / 100.0).clip(0.0, 1.0).rename("shortage")


def compare_turnover(result: WorkforceResult, table: pd.DataFrame) -> pd.DataFrame:
    """The run's accessions and separations beside the turnover table's, by year.

    Parameters
    ----------
    result
        A workforce run whose industries are activities (``coal`` is the coal industry).
    table
        ``year, industry, movement, rate`` (``history/labour_turnover.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TURNOVER_COLUMNS` for the run's years and the table's industries.
    """
    overall = result.turnover([])
    by_industry = result.statistics
    rows = []
    for _, row in table.iterrows():
        year, name = int(row["year"]), str(row["industry"])
        if name not in TABLE_INDUSTRIES or row["movement"] not in _MOVEMENTS:
            continue
        kind = TABLE_INDUSTRIES[name]
        frame = overall if kind is None else by_industry
        pick = frame["year"] == year
        if kind is not None:
            pick &= frame["industry"].astype(str) == kind
        if not pick.any():
            continue
        model = float(frame.loc[pick, _MOVEMENTS[str(row["movement"])]].iloc[0])
        rate = float(row["rate"])
        rows.append((year, name, str(row["movement"]), model, rate, model / rate - 1.0))
    return pd.DataFrame(rows, columns=list(TURNOVER_COLUMNS))
