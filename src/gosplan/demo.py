"""The worked example: the First Five-Year Plan examined with the tools its planners lacked.

:func:`run_demo` runs, on the bundled scenario ``ussr-1928``:

1. the base-year (1927/28) material balance and labour values;
2. the feasibility of each target variant (Gosplan's basic and optimal variants, the amended
   targets of 1930) under the scenario's resources, with the diagnosis;
3. the optimal five-year plan, and the same plan compressed into four years;
4. the accumulation–consumption frontier over the share of investment going to heavy
   industry, from one seventh to six sevenths;
5. plan, optimum and 1932 outcome side by side;
6. the basic variant run as the adopted plan: its control figures by enterprise and month
   for 1928/29–1929/30, the bundled counter-plans checked against its slack in order of
   submission, and the synthetic monthly reports' fulfilment, socialist competition by
   trust and alerts;
7. the adopted plan simulated month by month, 1928/29–1931/32: the amended targets with
   the counter-plans accepted without their inputs, then the counter-plans checked and the
   plan re-made every year, and an ensemble over harvests on Dask
   (:mod:`gosplan.demo_simulation`);
8. the workers' side: the scenario's workforce by enterprise and skill grade, calibrated to
   the turnover table, under each brigade wage rule (:mod:`gosplan.demo_labour`);

and writes one self-contained HTML report. The library does the work; this module only
strings the steps together and words the summary.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gosplan.core.economy import Economy

if TYPE_CHECKING:
    from gosplan.report import Report

log = logging.getLogger(__name__)

SCENARIO = "ussr-1928"
TARGET_VARIANTS = {
    "basic": "Gosplan's basic variant (1929)",
    "optimal": "the adopted optimal variant (1929)",
    "amended": "the amended targets (1930)",
}
#: Shares of capital spending going to means of production on the frontier: 1/7 ... 6/7.
FRONTIER_SHARES = tuple(k / 7 for k in range(1, 7))
COMPRESSED_PERIODS = 4
#: The variant run as the adopted plan, and the periods of its monthly control figures.
ADOPTED = "basic"
RUN_PERIODS = (1929, 1930)
#: The scenario's counter-plans and (synthetic) monthly reports, in its ``run/`` folder.
COUNTER_PLANS = "counter_plans.csv"
REPORTS = "fulfilment_1929_30.csv"
#: Label of the base year (the scenario's 1927/28).
BASE_LABEL = "1927/28"
#: Products shown in the short table of the optimum and the four-year plan.
KEY_PRODUCTS = (
    "coal",
    "oil",
    "pig iron",
    "steel",
    "electricity",
    "machinery",
    "grain",
    "cotton fabric",
)

Step = Callable[[str], None]


@dataclass
class DemoResult:
    """Everything the demo computed, for the summary, the report and the tests.

    Attributes
    ----------
    economy
        The scenario's economy (several techniques for some products).
    base_levels
        Base-year activity levels.
    balance
        Base-year material balance (techniques blended by their base-year levels).
    labour_values
        Labour content per unit of each product in the base year.
    checks
        Variant name -> :class:`~gosplan.plan.diagnosis.PlanCheck`.
    optimum, compressed
        The optimal five-year plan and the same spec compressed into four years.
    frontier
        The accumulation–consumption frontier.
    comparison
        Products x (base year, the variants' targets, optimum, 1932 outcome).
    history
        The scenario's history tables.
    population_unit
        Unit of the frontier's population (e.g. ``"million"``), if the scenario gives one.
    adopted
        The plan run (the least-labour plan of the :data:`ADOPTED` variant), or ``None``
        when the scenario has no ``run/`` folder.
    control
        Its control figures by enterprise and month for :data:`RUN_PERIODS`.
    counter_plans
        The scenario's counter-plans checked against its slack in ``commit`` mode (in order
        of submission).
    fulfilment
        The scenario's monthly reports (synthetic) against the control figures.
    competition
        Trusts ranked by fulfilment (cumulative share) at each report.
    alerts
        Alerts on each enterprise's and product's fulfilment, with their escalation.
    inputs
        What was read: the economy, the plan specifications, the history folder and the
        run's tables (paths).
    report
        Path of the HTML report written.
    seconds
        Wall time of each step.
    """

    economy: Economy
    base_levels: pd.Series
    balance: pd.DataFrame
    labour_values: pd.DataFrame
    checks: dict[str, Any] = field(default_factory=dict)
    optimum: Any = None
    compressed: Any = None
    frontier: Any = None
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    history: dict[str, pd.DataFrame] = field(default_factory=dict)
    report: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    population_unit: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    adopted: Any = None
    control: Any = None
    counter_plans: Any = None
    fulfilment: Any = None
    competition: pd.DataFrame | None = None
    alerts: pd.DataFrame | None = None
    simulation: Any = None
    labour: Any = None


def run_demo(
    output_dir: str | Path = "report", *, step: Step | None = None, scenario: str = SCENARIO
) -> DemoResult:
    """Run the worked example and write its HTML report.

    Parameters
    ----------
    output_dir
        Directory of the report (created); the report is ``<output_dir>/<scenario>.html``.
    step
        Called with a short description as each step starts (progress on the terminal).
    scenario
        Bundled scenario to run (it must have the plan variants ``basic``, ``optimal``,
        ``amended``, ``optimum`` and ``frontier``).

    Returns
    -------
    DemoResult
    """
    from gosplan.datasets import scenario_path, spec_path
    from gosplan.plan import read_spec

    seconds: dict[str, float] = {}
    timed = _timer(step or (lambda message: log.info("%s", message)), seconds)
    result = _base_year(scenario, timed, seconds)
    _check_variants(result, scenario, timed)
    _optimal_plans(result, scenario, timed)
    _frontier(result, scenario, timed)
    result.comparison = comparison_table(
        result.history, result.optimum, result.economy, result.compressed
    )
    run_dir = scenario_path(scenario).parent / "run"
    if (run_dir / COUNTER_PLANS).is_file() and (run_dir / REPORTS).is_file():
        adopted_spec = read_spec(spec_path(scenario, ADOPTED))
        _run_adopted(result, adopted_spec, run_dir, timed)
        amended = read_spec(spec_path(scenario, "amended"))
        _simulate_adopted(result, adopted_spec, amended, run_dir, timed)
        _labour(result, scenario, timed)
    result.report = timed(
        "report", "writing the report", lambda: write_demo_report(result, Path(output_dir))
    )
    return result


#: Runs a step of the demo: ``timed(name, message, work)`` says ``message``, calls ``work``
#: and records its seconds under ``name``.
Timed = Callable[[str, str, Callable[[], Any]], Any]


def _timer(say: Step, seconds: dict[str, float]) -> Timed:
    """A :data:`Timed` that announces each step with ``say`` and times it into ``seconds``."""

    def timed(name: str, message: str, work: Callable[[], Any]) -> Any:
        say(message)
        start = time.perf_counter()
        out = work()
        seconds[name] = time.perf_counter() - start
        return out

    return timed


def _base_year(scenario: str, timed: Timed, seconds: dict[str, float]) -> DemoResult:
    """Stage 1: the scenario read, and its base-year balance and labour values."""
    from gosplan.datasets import load_history, scenario_path, spec_path
    from gosplan.io import read_economy

    economy = timed("read", "reading the scenario", lambda: read_economy(scenario_path(scenario)))
    history = load_history(scenario)
    levels = _base_levels(history, economy)
    balance, values = timed(
        "balance", "base-year balance (1927/28)", lambda: _base_balance(economy, levels)
    )
    result = DemoResult(economy, levels, balance, values, history=history, seconds=seconds)
    result.inputs = {
        "economy": scenario_path(scenario),
        "history": scenario_path(scenario).parent / "history",
        "plans": [spec_path(scenario, v) for v in (*TARGET_VARIANTS, "optimum", "frontier")],
    }
    return result


def _check_variants(result: DemoResult, scenario: str, timed: Timed) -> None:
    """Stage 2: the feasibility of each target variant, with the diagnosis."""
    from gosplan.datasets import spec_path
    from gosplan.plan import check_plan, read_spec

    for variant, title in TARGET_VARIANTS.items():
        spec = read_spec(spec_path(scenario, variant))
        result.checks[variant] = timed(
            f"check {variant}", f"checking {title}", functools.partial(check_plan, spec)
        )


def _optimal_plans(result: DemoResult, scenario: str, timed: Timed) -> None:
    """Stage 3: the optimal five-year plan, and the same plan compressed into four years."""
    from gosplan.datasets import spec_path
    from gosplan.plan import compress, optimise, read_spec

    optimum_spec = read_spec(spec_path(scenario, "optimum"))
    result.optimum = timed("optimum", "optimal five-year plan", lambda: optimise(optimum_spec))
    four = compress(optimum_spec, COMPRESSED_PERIODS)
    result.compressed = timed(
        "compressed", "the five-year plan in four years", lambda: optimise(four)
    )


def _frontier(result: DemoResult, scenario: str, timed: Timed) -> None:
    """Stage 4: the accumulation–consumption frontier over :data:`FRONTIER_SHARES`."""
    from gosplan.datasets import load_population, read_history_table, spec_path
    from gosplan.plan import frontier, read_spec

    frontier_spec = read_spec(spec_path(scenario, "frontier"))
    population = load_population(scenario, "frontier")
    result.population_unit = _population_unit(
        read_history_table(spec_path(scenario, "frontier") / "population.csv")
    )
    result.frontier = timed(
        "frontier",
        "accumulation–consumption frontier (6 shares)",
        lambda: frontier(frontier_spec, FRONTIER_SHARES, population=population),
    )


def _run_adopted(
    result: DemoResult,
    spec: Any,
    run_dir: Path,
    timed: Timed,
) -> None:
    """Run the adopted plan: control figures, counter-plans, fulfilment, competition, alerts."""
    from gosplan.plan import optimise
    from gosplan.run import (
        alerts,
        check_counter_plan,
        competition,
        control_figures,
        fulfilment,
        monthly,
        read_actuals,
        read_counter_plans,
    )

    title = TARGET_VARIANTS.get(ADOPTED, ADOPTED)
    # the least-labour plan, named as the objective: the plan runs only its first two years
    # here, so the warning that it leaves no terminal requirement is not repeated
    result.adopted = timed(
        "adopted",
        f"the adopted plan: {title}, least labour",
        lambda: optimise(spec, objective="min_labour"),
    )
    if not result.adopted.optimal:
        return
    result.control = timed(
        "control figures",
        "control figures by enterprise and month",
        lambda: _periods(monthly(control_figures(result.adopted, spec)), RUN_PERIODS),
    )
    counter = read_counter_plans(run_dir / COUNTER_PLANS)
    result.counter_plans = timed(
        "counter-plans",
        "checking the counter-plans (in order of submission)",
        lambda: check_counter_plan(result.adopted, spec, counter, mode="commit"),
    )

    def measure() -> None:
        actuals = read_actuals(run_dir / REPORTS, result.control)
        report = fulfilment(result.control, actuals, source=REPORTS)
        notes = actuals["note"].dropna().astype(str).unique() if "note" in actuals else []
        if any("synthetic" in n.lower() for n in notes):
            note = f"every row of {REPORTS} is marked synthetic, made up by run/make_reports.py"
            report = dataclasses.replace(report, provenance={**report.provenance, "note": note})
        result.fulfilment = report
        result.competition = competition(report, by="trust")
        result.alerts = alerts(report.table)

    timed("fulfilment", "fulfilment, competition and alerts (synthetic reports)", measure)
    result.inputs["run"] = [run_dir / COUNTER_PLANS, run_dir / REPORTS]


def _labour(result: DemoResult, scenario: str, timed: Timed) -> None:
    """The workers' side: the scenario's workforce under each brigade wage rule."""
    from gosplan.datasets import scenario_path
    from gosplan.demo_labour import run_labour_example
    from gosplan.run.labour_scenario import PARAMETERS_FILE

    if not (scenario_path(scenario).parent / PARAMETERS_FILE).is_file():
        return
    shortage = None
    if result.simulation is not None:  # the households' shortages of the unchecked run
        from gosplan.run.labour_scenario import shortage_from

        shortage = shortage_from(result.simulation.amended, result.simulation.weights)
    result.labour = timed(
        "labour", "the workforce under each brigade wage rule, 1929–32",
        lambda: run_labour_example(scenario, shortage),
    )  # fmt: skip


def _simulate_adopted(
    result: DemoResult, spec: Any, amended: Any, run_dir: Path, timed: Timed
) -> None:
    """The adopted plan run month by month: shortfalls, re-planning, harvests (on Dask)."""
    from gosplan.demo_simulation import run_simulation_example
    from gosplan.run import read_counter_plans

    if result.adopted is None or not result.adopted.optimal:
        return
    result.simulation = run_simulation_example(
        spec,
        result.adopted,
        amended=amended,
        counter_plans=read_counter_plans(run_dir / COUNTER_PLANS),
        history=result.history,
        timed=timed,
    )


def _periods(cf: Any, periods: tuple[int, ...]) -> Any:
    """Control figures restricted to some periods."""
    tables = {
        name: frame[frame["period"].isin(periods)].reset_index(drop=True)
        for name, frame in cf.tables().items()
    }
    return dataclasses.replace(cf, **tables)


# ---------------------------------------------------------------------------- pieces
def _base_levels(history: dict[str, pd.DataFrame], economy: Economy) -> pd.Series:
    base = history["base_year"].set_index("activity")["output"].astype(float)
    return base.reindex(economy.activity_labels).fillna(0.0).rename("base-year level")


def _base_balance(economy: Economy, levels: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Balance of the base year: final demand is what the base-year outputs leave over."""
    square = economy.blend_techniques(levels)
    gross = economy.output_matrix @ levels.to_numpy(dtype=float)
    final = pd.Series(gross - square.technology @ gross, index=economy.product_labels)
    return square.balance_sheet(final), square.labour_values()


def economic_year(period: Any) -> str:
    """The economic year a plan period stands for: ``1933`` is ``1932/33``.

    Examples
    --------
    >>> economic_year(1933)
    '1932/33'
    """
    try:
        year = int(period)
    except (TypeError, ValueError):
        return str(period)
    return f"{year - 1}/{year % 100:02d}"


def comparison_table(
    history: dict[str, pd.DataFrame], optimum: Any, economy: Economy, compressed: Any = None
) -> pd.DataFrame:
    """Products x (base, basic, optimal, amended, optimum, 4 years, 1932 outcome), in units.

    The amended targets are ranges in the sources; the table shows their midpoint. The
    optimum is the scenario's optimal plan's gross output in its last period, and the
    four-year plan's (when given) in its own last period.
    """
    targets = history["targets_of_production"].set_index("product")
    known = [p for p in targets.index if p in economy.product_labels]
    table = pd.DataFrame(index=pd.Index(known, name="product"))
    table["unit"] = targets.loc[known, "unit"]
    table["base 1927/28"] = targets.loc[known, "base_1927_28"].astype(float)
    table["basic variant 1932/33"] = targets.loc[known, "basic_1932_33"].astype(float)
    table["optimal variant 1932/33"] = targets.loc[known, "optimal_1932_33"].astype(float)
    low = targets.loc[known, "amended_low"].astype(float)
    high = targets.loc[known, "amended_high"].astype(float)
    table["amended targets (midpoint)"] = (low + high.fillna(low)) / 2
    for name, plan in (("gosplan optimum", optimum), ("gosplan in 4 years", compressed)):
        if plan is not None and plan.optimal:
            last = plan.output.columns[-1]
            table[f"{name} {economic_year(last)}"] = plan.output[last].reindex(known).to_numpy()
    table["outcome 1932"] = targets.loc[known, "outcome_1932"].astype(float)
    return table


def key_products_table(
    result: DemoResult, products: tuple[str, ...] = KEY_PRODUCTS
) -> pd.DataFrame:
    """Key products: base year, the optimum and the four-year plan at their ends, and ratios.

    Columns ``unit``, the base year, each plan's gross output in its last period and that
    output as a multiple of the base year (``x base``).
    """
    eco = result.economy
    known = [p for p in products if p in eco.product_labels]
    gross = result.balance["gross_output"].astype(float)
    table = pd.DataFrame(index=pd.Index(known, name="product"))
    table["unit"] = eco.products["unit"].reindex(known).astype(str).to_numpy()
    table[BASE_LABEL] = gross.reindex(known).to_numpy()
    for name, plan in (("optimum", result.optimum), ("4-year plan", result.compressed)):
        if plan is None or not plan.optimal:
            continue
        last = plan.output.columns[-1]
        values = plan.output[last].reindex(known).astype(float).to_numpy()
        table[f"{name} {economic_year(last)}"] = values
        with np.errstate(divide="ignore", invalid="ignore"):
            table[f"{name} x base"] = values / table[BASE_LABEL].to_numpy()
    return table


def _population_unit(table: pd.DataFrame) -> str | None:
    if "unit" not in table:
        return None
    units = table["unit"].dropna().astype(str).unique()
    return str(units[0]) if len(units) == 1 else None


def labour_force_table(table: pd.DataFrame) -> pd.DataFrame:
    """The labour force by category (rows) and year (columns), with unit and source."""
    frame = table.copy()
    frame["year"] = [str(int(y)) if pd.notna(y) else "" for y in frame["year"]]
    wide = frame.pivot_table(
        index="category", columns="year", values="value", sort=False, aggfunc="first"
    )
    wide = wide[sorted(wide.columns, key=lambda c: (len(str(c)), str(c)))]
    wide.columns = [str(c) for c in wide.columns]
    wide.index.name = "category"
    first = frame.groupby("category", sort=False)
    wide.insert(0, "unit", first["unit"].first().reindex(wide.index))
    wide["source"] = first["source"].first().reindex(wide.index)
    return wide


#: Points by which the source's "% of planned increase achieved" may differ from the figure
#: computed from its own row before the table flags it (the rows' figures are rounded).
PERCENT_TOLERANCE = 2.0
#: Header of the percentage computed from the row, and of the source's own figure.
COMPUTED_PERCENT = "% of planned increase achieved (from the row)"
SOURCE_PERCENT = "% as the source gives it"
PERCENT_NOTE = "note on the %"


def planned_increase_achieved(table: pd.DataFrame) -> pd.Series:
    """Per cent of the planned increase achieved, from each row's own numbers.

    ``100 (outcome 1932 − base 1927/28) / (optimal variant 1932/33 − base 1927/28)``; NaN where
    the row lacks the base, the optimal target or the outcome, or where the target equals the
    base.

    Parameters
    ----------
    table
        The history table ``targets_of_production`` (columns ``base_1927_28``,
        ``optimal_1932_33``, ``outcome_1932``).

    Returns
    -------
    pandas.Series
        Indexed by product.

    Examples
    --------
    >>> row = pd.DataFrame({"product": ["steel"], "base_1927_28": [4.0],
    ...                     "optimal_1932_33": [10.4], "outcome_1932": [5.9]})
    >>> round(float(planned_increase_achieved(row)["steel"]), 1)
    29.7
    """
    base = pd.to_numeric(table["base_1927_28"], errors="coerce").to_numpy(dtype=float)
    target = pd.to_numeric(table["optimal_1932_33"], errors="coerce").to_numpy(dtype=float)
    outcome = pd.to_numeric(table["outcome_1932"], errors="coerce").to_numpy(dtype=float)
    planned = target - base
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(planned != 0, 100 * (outcome - base) / planned, np.nan)
    return pd.Series(share, index=pd.Index(table["product"].astype(str), name="product"))


def _percent_note(base: float, target: float, outcome: float, mine: float, theirs: float) -> str:
    """Why the computed % is blank, or how it stands against the source's figure (short)."""
    missing = [
        what
        for what, x in (("base", base), ("target", target), ("outcome", outcome))
        if np.isnan(x)
    ]
    if missing:
        text = f"blank: no {' or '.join(missing)}"
        return text + ("; source's % unchecked" if not np.isnan(theirs) else "")
    if np.isnan(mine):
        return "blank: target = base"
    if np.isnan(theirs):
        return "source gives none"
    gap = theirs - mine
    if abs(gap) > PERCENT_TOLERANCE:
        return f"DIFFERS by {gap:+.1f} points"
    return "agrees"


def targets_of_production(table: pd.DataFrame) -> pd.DataFrame:
    """The plan's targets as a reader expects them: one row per product, sources as notes.

    Amended targets given as a range read ``low–high``; a row's note joins its sources. The
    per cent of the planned increase achieved is computed from the row
    (:func:`planned_increase_achieved`, against the optimal variant) and shown beside the
    source's own figure, with a note saying where they differ by more than
    :data:`PERCENT_TOLERANCE` points and why a computed figure is blank.
    """
    out = pd.DataFrame(index=pd.Index(table["product"].astype(str), name="product"))
    out["unit"] = table["unit"].to_numpy()
    columns = {
        "base_1927_28": "1927/28",
        "basic_1932_33": "basic variant 1932/33",
        "optimal_1932_33": "optimal variant 1932/33",
    }
    for col, title in columns.items():
        out[title] = pd.to_numeric(table[col], errors="coerce").to_numpy()
    low = pd.to_numeric(table["amended_low"], errors="coerce").to_numpy()
    high = pd.to_numeric(table["amended_high"], errors="coerce").to_numpy()
    out["amended (1930)"] = [
        "" if np.isnan(lo) else f"{lo:g}" if np.isnan(hi) or hi == lo else f"{lo:g}–{hi:g}"
        for lo, hi in zip(low, high, strict=True)
    ]
    out["outcome 1932"] = pd.to_numeric(table["outcome_1932"], errors="coerce").to_numpy()
    mine = planned_increase_achieved(table).to_numpy(dtype=float)
    theirs = pd.to_numeric(table["percent_of_increase"], errors="coerce").to_numpy(dtype=float)
    out[COMPUTED_PERCENT] = mine
    out[SOURCE_PERCENT] = theirs
    out[PERCENT_NOTE] = [
        _percent_note(b, t, o, m, s)
        for b, t, o, m, s in zip(
            out["1927/28"],
            out["optimal variant 1932/33"],
            out["outcome 1932"],
            mine,
            theirs,
            strict=True,
        )
    ]
    notes = table["note"].fillna("").astype(str).to_numpy()
    sources = table["source"].fillna("").astype(str).to_numpy()
    out["source"] = [f"{s} ({n})" if n else s for s, n in zip(sources, notes, strict=True)]
    return out


def labour_turnover(table: pd.DataFrame) -> pd.DataFrame:
    """Turnover rates as (industry, movement) rows by year columns, with their source."""
    frame = table.assign(
        series=table["industry"].astype(str) + ", " + table["movement"].astype(str)
    )
    wide = frame.pivot_table(index="series", columns="year", values="rate", sort=False)
    wide.columns = [str(int(c)) if float(c).is_integer() else str(c) for c in wide.columns]
    wide.index.name = "industry, movement"
    wide["source"] = frame.groupby("series", sort=False)["source"].first().reindex(wide.index)
    return wide


def _variant_finding(check: Any, unit: str) -> str:
    from gosplan.report.tables import PERCENT, format_value

    level = float(check.common_level)
    if check.feasible:
        if not np.isfinite(level):
            return "feasible: every target could be exceeded without limit"
        if level > 1 + 1e-6:
            margin = format_value(level - 1, PERCENT)
            return f"feasible: every target could be exceeded by {margin} (all together)"
        return "feasible, with no margin: the targets can just be met together"
    text = f"INFEASIBLE: only {format_value(level, PERCENT)} of every target can be met together"
    cost = float(check.total_labour_cost)
    if np.isfinite(cost):
        text += f"; the smallest additions cost {format_value(cost)} {unit}"
    return text


def summary_rows(result: DemoResult) -> list[tuple[str, str]]:
    """The demo's findings as (step, finding) rows, worded for a reader."""
    from gosplan.report.tables import format_value, share_labels

    rows: list[tuple[str, str]] = []
    unit = result.economy.meta.labour_unit
    deficits = int((result.balance["status"] == "deficit").sum())
    rows.append(
        (
            "base-year balance",
            f"{len(result.balance)} products balance"
            + (f"; {deficits} over capacity" if deficits else "; all within capacity"),
        )
    )
    for variant, check in result.checks.items():
        rows.append((f"{variant} variant", _variant_finding(check, unit)))
    for name, plan in (("optimum (5 years)", result.optimum), ("in 4 years", result.compressed)):
        if plan is None:
            continue
        if plan.optimal and plan.level is not None:
            last = economic_year(plan.periods[-1])
            finding = (
                f"optimal: consumer goods in {last} at {format_value(plan.level, digits=3)} "
                f"times the {BASE_LABEL} bundle, every target met"
            )
        else:
            finding = str(plan.status)
        rows.append((name, finding))
    if result.frontier is not None:
        table = result.frontier.table
        ok = table[table["status"] == "optimal"]
        if len(ok):
            best = ok.loc[ok["cumulative_consumption"].idxmax()]
            labels = share_labels(table["share"])
            if labels is not None:
                share = labels[list(table.index).index(best.name)]
            else:
                share = f"{100 * float(best['share']):.3g} %"
            rows.append(
                (
                    "frontier",
                    f"{len(ok)}/{len(table)} shares solved; most consumption at share {share} "
                    "of investment in means of production",
                )
            )
    rows.extend(running_rows(result))
    if result.report is not None:
        rows.append(("report", str(result.report)))
    return rows


def counter_plan_verdicts(check: Any) -> pd.DataFrame:
    """Each counter-plan's verdict (accepted, partial, refused), share and what binds first.

    Columns ``counter_plan, verdict, accepted_share, binding`` (``binding`` e.g. ``"coal
    capacity 1930"``, empty when accepted in full), in order of submission.
    """
    summary = check.summary.sort_values("order", kind="stable")
    rows = []
    for row in summary.itertuples():
        share = float(row.accepted_share)
        verdict = "accepted" if share >= 1.0 - 1e-9 else "partial" if share > 1e-9 else "refused"
        binding = ""
        if verdict != "accepted":
            period = row.binding_period
            when = f" {int(period)}" if pd.notna(period) else ""
            binding = f"{row.binding_item!s} {row.binding_kind!s}{when}"
        rows.append((str(row.counter_plan), verdict, share, binding))
    return pd.DataFrame(rows, columns=["counter_plan", "verdict", "accepted_share", "binding"])


def worst_trusts(result: DemoResult, n: int = 3) -> pd.DataFrame:
    """The ``n`` trusts furthest behind at the latest report (columns of the competition).

    Enterprises without a trust are left out (they are no unit of the competition).
    """
    table = result.competition
    if table is None or not len(table):
        return pd.DataFrame(columns=["trust", "period", "month", "value", "rank"])
    last = table.sort_values(["period", "month"], kind="stable").iloc[-1]
    now = table[(table["period"] == last["period"]) & (table["month"] == last["month"])]
    now = now[(now["trust"].astype(str) != "") & now["value"].notna()]
    return now.sort_values("value", kind="stable").head(n).reset_index(drop=True)


def escalated_alerts(result: DemoResult) -> pd.DataFrame:
    """One row per alert series that went beyond the enterprise, the earliest first.

    Columns: the alert's key columns, ``raised`` and ``escalated`` (``(period, month)`` of
    the first report with the alert open and of the first told beyond the enterprise),
    ``direction`` and ``level`` (the highest reached).
    """
    from gosplan.run.alerts import ALERT_COLUMNS, LEVELS

    table = result.alerts
    columns = ["raised", "escalated", "direction", "level"]
    if table is None or not len(table):
        return pd.DataFrame(columns=columns)
    keys = [c for c in table.columns if c not in ALERT_COLUMNS]
    rank = {level: i for i, level in enumerate(LEVELS)}
    rows = []
    for key, group in table.groupby(keys, sort=False, observed=True):
        up = group[group["level"] != LEVELS[0]]
        if not len(up):
            continue
        label = key if isinstance(key, tuple) else (key,)
        top = max(group["level"], key=lambda level: rank.get(str(level), 0))
        rows.append(
            (
                *label,
                (int(group["period"].iloc[0]), int(group["month"].iloc[0])),
                (int(up["period"].iloc[0]), int(up["month"].iloc[0])),
                str(up["direction"].iloc[0]),
                str(top),
            )
        )
    out = pd.DataFrame(rows, columns=[*keys, *columns])
    return out.sort_values(["escalated", "raised"], kind="stable").reset_index(drop=True)


def running_rows(result: DemoResult) -> list[tuple[str, str]]:
    """Summary rows of the adopted plan's run: counter-plans and the reports' alerts."""
    rows: list[tuple[str, str]] = []
    if result.counter_plans is not None:
        verdicts = counter_plan_verdicts(result.counter_plans)["verdict"]
        count = verdicts.value_counts()
        rows.append(
            (
                "counter-plans",
                f"{len(verdicts)} checked in order of submission: {count.get('accepted', 0)} "
                f"accepted in full, {count.get('partial', 0)} in part, "
                f"{count.get('refused', 0)} refused",
            )
        )
    if result.fulfilment is not None and result.alerts is not None:
        table = result.alerts
        keys = [c for c in ("enterprise", "product") if c in table.columns]
        series = len(table.drop_duplicates(keys)) if len(table) else 0
        up = len(escalated_alerts(result))
        rows.append(
            (
                "fulfilment (synthetic)",
                f"{len(result.fulfilment.table)} monthly reports; alerts on {series} series, "
                f"{up} escalated beyond the enterprise",
            )
        )
    return rows


def _solver_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"HiGHS {version('highspy')} (highspy)"
    except PackageNotFoundError:  # pragma: no cover - highspy is a dependency
        return "HiGHS (highspy)"


def provenance(result: DemoResult) -> dict[str, Any]:
    """What produced the demo's numbers: inputs, solver, methods, tolerances, times."""
    from gosplan import __version__
    from gosplan.report.tables import RESIDUAL

    eco = result.economy
    info: dict[str, Any] = {
        "gosplan version": __version__,
        "scenario": eco.meta.name,
        "economy (input)": result.inputs.get("economy", eco.meta.source),
        "plans (input)": result.inputs.get("plans", []),
        "history (input)": result.inputs.get("history", ""),
        **({"run (input)": result.inputs["run"]} if result.inputs.get("run") else {}),
        "solver": _solver_version(),
    }
    methods = []
    for name, plan in (
        ("optimum", result.optimum),
        ("4 years", result.compressed),
        *((f"check {k}", getattr(c, "plan", None)) for k, c in result.checks.items()),
    ):
        if plan is not None and plan.provenance:
            methods.append(f"{name}: {plan.provenance.get('method', '?')}")
    if methods:
        info["LP methods"] = "; ".join(methods)
    plan = result.optimum
    if plan is not None and plan.provenance.get("tolerance") is not None:
        info["LP tolerance (feasibility and optimality)"] = float(plan.provenance["tolerance"])
    if plan is not None and plan.verification is not None:
        info["verification tolerance (relative)"] = float(plan.verification.tolerance)
    info["balance residuals shown as 0 below"] = f"{RESIDUAL:.0e} of their column"
    info["labour unit"] = eco.meta.labour_unit
    info["steps (seconds)"] = ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items())
    return info


def glossary(
    labour_unit: str = "thousand person-years", common_level: float | None = None
) -> dict[str, str]:
    """The report's terms for a newcomer, each with its unit.

    Parameters
    ----------
    labour_unit
        The economy's unit of labour.
    common_level
        The amended targets' common level (a share), quoted as an example when given.

    Returns
    -------
    dict
        Term -> definition.
    """
    from gosplan.report.tables import PERCENT, format_value

    example = ""
    if common_level is not None and np.isfinite(common_level) and common_level < 1:
        level = format_value(common_level, PERCENT)
        example = f" The amended targets' {level} means: all of them scaled to {level} would fit."
    return {
        "common level (of a plan check)": "the largest share of every target that can be met "
        "at once, the same share for all targets (per cent of the targets)." + example,
        "reachable in the least-shortfall plan": "what each target reaches in the plan that "
        "makes the (priority-weighted) sum of relative shortfalls smallest (product units). It "
        "may meet most targets in full and put the whole shortfall on a few, so it is not the "
        "common level.",
        "reachable alone": "the most of one target's product that can be made with no other "
        "target set (product units).",
        "common level (of the optimal plan)": "how many times the base-year bundle of consumer "
        f"goods (the assortment) is consumed in the last year (a multiple of the {BASE_LABEL} "
        "bundle, dimensionless).",
        "assortment": "the consumer goods in fixed proportions whose common multiple the "
        f"optimum maximises: here the {BASE_LABEL} consumption of each (product units).",
        "shadow price": "how much the plan's aim would change per unit more of a binding "
        "limit (units of the aim per unit of the limit: for the optimum, multiples of the "
        "bundle per Mt, bn kWh, ... of capacity; for a check, the fall of the weighted "
        "relative shortfall per unit more).",
        "least-labour value": "the labour needed, directly and through every input, to make "
        f"one unit of a product with the least-labour techniques ({labour_unit} per product "
        "unit). Products in different units are added up at these values.",
        "other final use": "output of means of production that nothing in the plan uses (a "
        "surplus left over because the capacity is there), in product units or at "
        f"least-labour values ({labour_unit}).",
        "terminal condition": "what a plan must leave at the end of its horizon. Here "
        "(static): capacity enough to carry the last year's consumption and fixed final "
        "demand on, and to replace what wears out, with the last year's labour. Stocks and "
        "capacity beyond it are worth nothing to the plan.",
        "fixed final demand": "final use of means of production held at its base-year level "
        "in every year (exports, households' fuel, defence, stocks; product units).",
        "investment share": "the share of capital spending (at least-labour values) going to "
        "activities making means of production (per cent).",
        "person-year": f"a year's work of one person; labour is counted in {labour_unit} "
        "(a thousand of them, a million person-years).",
    }


def write_demo_report(result: DemoResult, output_dir: Path) -> Path:
    """Write the demo's HTML report to ``output_dir/<economy name>.html``."""
    from gosplan.report import Report

    eco = result.economy
    rep = Report(
        title="The First Five-Year Plan, examined",
        subtitle=f"Scenario {eco.meta.name}: {eco.n_products} products, "
        f"{eco.n_activities} techniques, base year {BASE_LABEL}",
    )
    _add_introduction(rep, result)
    _add_targets(rep, result.history)
    _add_base_year(rep, result)
    _add_plans(rep, result)
    _add_labour_history(rep, result.history)
    _add_running(rep, result)
    if result.simulation is not None:
        from gosplan.demo_simulation import add_simulation_example

        add_simulation_example(rep, result.simulation, result.economy.products["unit"])
    if result.labour is not None:
        from gosplan.demo_labour import add_labour_example

        add_labour_example(rep, result.labour)
    rep.add_provenance(provenance(result))
    return rep.write(output_dir / f"{eco.meta.name}.html")


def _add_introduction(rep: Report, result: DemoResult) -> None:
    """What the report shows, and the glossary."""
    unit = result.economy.meta.labour_unit
    rep.add_text(
        "What this report shows",
        [
            "The First Five-Year Plan (1928/29–1932/33) was drawn up from what was wanted "
            "rather than from an assessment of the resources available, and its targets were "
            "raised twice. This report takes the plan's own figures, the scenario's technology "
            "and labour, and asks the questions its planners could not answer exactly: does "
            "the plan balance, can its targets be met, and at what cost?",
            "The plan's periods are economic years, named by the year they end in: 1929 "
            "stands for 1928/29, and so on to 1933 for 1932/33. Labour is counted in "
            f"{unit}.",
            "Every historical figure carries its source (see the tables' source columns and "
            "the scenario's README); coefficients are the scenario's own assumptions, each "
            "with its basis.",
        ],
    )
    amended = result.checks.get("amended")
    level = float(amended.common_level) if amended is not None else None
    rep.add_glossary(glossary(unit, level), heading="Words used in this report")


def _add_targets(rep: Report, history: dict[str, pd.DataFrame]) -> None:
    """The restored table of the targets of production, with the computed percentages."""
    if "targets_of_production" not in history:
        return
    targets = targets_of_production(history["targets_of_production"])
    differ = [str(p) for p, n in targets[PERCENT_NOTE].items() if n.startswith("DIFFERS")]
    where = f" (here {', '.join(differ)}: the source's % contradicts its own row)" if differ else ""
    rep.add_table(
        "Targets of production",
        targets,
        caption="Base year, the plan's variants and the 1932 outcome, as the sources give "
        "them (restored table; notes and sources under the table). The % of the planned "
        "increase achieved is computed from each row, 100 (outcome 1932 − 1927/28) / "
        "(optimal variant 1932/33 − 1927/28), and shown beside the source's own figure; "
        f"the note flags a difference of more than {PERCENT_TOLERANCE:g} points{where}, "
        "reads “agrees” within rounding, and says why a computed figure is blank (no "
        "base-year figure, no optimal-variant target or no 1932 outcome in the row)",
        digits={COMPUTED_PERCENT: 3},
    )


def _add_base_year(rep: Report, result: DemoResult) -> None:
    """The base-year material balance and labour values."""
    unit = result.economy.meta.labour_unit
    rep.add_balance(result.balance, heading=f"Base-year material balance ({BASE_LABEL})")
    rep.add_table(
        f"Labour values, {BASE_LABEL}",
        result.labour_values,
        caption=f"{unit[:1].upper()}{unit[1:]} per unit of each product, direct and indirect",
        sources=False,
    )


def _add_plans(rep: Report, result: DemoResult) -> None:
    """The checks of the variants, the plans, the frontier and the comparisons."""
    for variant, check in result.checks.items():
        rep.add_check(check, heading=f"Can {TARGET_VARIANTS[variant]} be met?")
    units = result.economy.products["unit"]
    base = result.balance["gross_output"]
    for plan, heading in (
        (result.optimum, "The optimal five-year plan"),
        (result.compressed, "The five-year plan in four years"),
    ):
        if plan is not None:
            rep.add_plan(plan, heading=heading, base=base, base_label=BASE_LABEL, units=units)
    if result.frontier is not None:
        rep.add_frontier(
            result.frontier,
            heading="Accumulation against consumption",
            population_unit=result.population_unit,
        )
    rep.add_comparison(
        result.comparison,
        heading="Plan, optimum and outcome",
        caption="Gross output in product units; amended targets as the midpoint of their range",
        figure_caption=f"Each variant's gross output as an index by product ({BASE_LABEL} = "
        "100, dashed: products in different units on one scale, not product units); amended "
        "targets as the midpoint of their range.",
    )
    if result.optimum is not None or result.compressed is not None:
        key = key_products_table(result)
        rep.add_table(
            "Key products: the optimum and the four-year plan",
            key,
            digits={c: 3 for c in key.columns if c.endswith("x base")},
            caption=f"Gross output of key products in {BASE_LABEL} and at the end of each "
            f"plan (product units), and as a multiple of {BASE_LABEL} (x base)",
        )


def _add_labour_history(rep: Report, history: dict[str, pd.DataFrame]) -> None:
    """The restored tables of labour turnover and of the labour force."""
    from gosplan.report import figures

    if "labour_turnover" in history:
        turnover = labour_turnover(history["labour_turnover"])
        rep.add_table(
            "Labour turnover",
            turnover,
            caption="Workers hired and leaving per 100 employees on the books, by year "
            "(restored table)",
        )
        rep.add_figure(
            "Labour turnover, hires and departures",
            figures.lines_over_periods(
                turnover.drop(columns="source"),
                title="Labour turnover",
                ylabel="per 100 employees on the books",
                xlabel="year",
            ),
            caption="Workers hired and leaving per 100 employees on the books, by year: every "
            "year more workers left large-scale industry than it employed on average; the "
            "plan's labour force was in constant motion.",
            same_section=True,
        )
    if "labour_force" in history:
        rep.add_table(
            "Labour force",
            labour_force_table(history["labour_force"]),
            caption="Workers and employees by category and year",
        )


def _add_running(rep: Report, result: DemoResult) -> None:
    """The adopted plan run: control figures, counter-plans, fulfilment (synthetic)."""
    if result.control is None:
        return
    units = result.economy.products["unit"]
    labour = result.economy.meta.labour_unit
    title = TARGET_VARIANTS.get(ADOPTED, ADOPTED)
    span = f"{economic_year(RUN_PERIODS[0])}–{economic_year(RUN_PERIODS[-1])}"
    rep.add_control_figures(
        result.control,
        heading=f"Running the plan: control figures of {title}, {span}",
        units=units,
    )
    if result.counter_plans is not None:
        rep.add_counter_plans(
            result.counter_plans,
            heading="Counter-plans against the adopted plan's slack",
            units=units,
            labour_unit=labour,
        )
    if result.fulfilment is not None:
        rep.add_fulfilment(
            result.fulfilment,
            heading="Fulfilment of the control figures (synthetic reports)",
            competition=result.competition,
            alerts=result.alerts,
            units=units,
            labour_unit=labour,
        )
