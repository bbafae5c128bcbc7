"""The project's optimum against an independent formulation of the documented LP.

:mod:`.independent` writes the LP of ``docs/plan-format.md`` row by row without the project's
blocks; here random small specs (every table, every objective) and hand-picked ones are solved
both ways. The objectives must agree; the project's plan must satisfy every independent row and
reach the independent optimum; a quantity that every optimal plan shares (checked by a second
LP that minimises and maximises it at the optimum) must be the project's.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION, Economy
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.optimise import optimise

from .conftest import frame, rich_spec, three_sector
from .independent import (
    IndependentResult,
    harmony,
    optimal_range,
    plan_objective,
    plan_violations,
    solve_independently,
    worst_rows,
)

START = 2000
OBJECTIVES = ("max_level", "min_labour", "harmony", "max_consumption", "linear")
RTOL = 1e-7
FEASIBILITY = 1e-6
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
    # no shrinking: a failure names the relation at fault (worst_rows) and shrinking a plan
    # takes minutes
    phases=(Phase.explicit, Phase.generate),
)


@pytest.fixture(autouse=True)
def _quiet() -> None:
    """The myopic-plan warnings are expected on most random specs."""
    logging.getLogger("gosplan").setLevel(logging.ERROR)


# --------------------------------------------------------------------------- comparing
def compare(spec: PlanSpec, *, ranges: int = 0) -> tuple[IndependentResult, object]:
    """Solve ``spec`` both ways and assert agreement.

    Parameters
    ----------
    spec
        A validated plan.
    ranges
        How many quantities (outputs, consumption, investment, in that order of preference)
        to check against their optimal range: equal where unique, inside it otherwise.

    Returns
    -------
    tuple
        The independent result and the project's.
    """
    mine = solve_independently(spec)
    try:
        project = optimise(spec)
    except InputError as err:
        # the project refuses bounds no investment can meet (e.g. a minimum investment started
        # too late for its lag) before solving: the independent LP must then be infeasible
        assert mine.status == "infeasible", (str(err), mine.status)
        return mine, None
    assert project.status == mine.status, (
        project.status,
        mine.status,
        project.objective,
        mine.objective,
    )
    if mine.status != "optimal":
        return mine, project
    assert project.objective == pytest.approx(mine.objective, rel=RTOL, abs=RTOL), (
        "objective",
        project.objective,
        mine.objective,
    )
    bad = {k: v for k, v in plan_violations(mine.model, project).items() if v > FEASIBILITY}
    assert not bad, (bad, worst_rows(mine.model, project))
    at_plan = plan_objective(mine.model, project)
    assert at_plan == pytest.approx(mine.objective, rel=1e-6, abs=1e-6), (at_plan, mine.objective)
    stages = str(project.provenance.get("stages", ""))
    if spec.objective == "max_level" and "least labour" in stages:
        labour = float(project.employment.to_numpy().sum())
        assert labour == pytest.approx(mine.labour, rel=1e-6, abs=1e-6), (
            "labour",
            labour,
            mine.labour,
        )
    if ranges:
        check_ranges(spec, mine, project, ranges)
    return mine, project


def check_ranges(spec: PlanSpec, mine: IndependentResult, project: object, n: int) -> int:
    """Compare up to ``n`` quantities against their optimal range; return how many were unique."""
    stages = str(getattr(project, "provenance", {}).get("stages", ""))
    hold = spec.objective == "max_level" and "least labour" in stages
    tables = {
        "output": project.output,  # type: ignore[attr-defined]
        "consumption": _free_final_use(project),
        "investment": project.investment,  # type: ignore[attr-defined]
    }
    unique = 0
    checked = 0
    for kind, table in tables.items():
        for label in table.index:
            for t, period in enumerate(spec.periods):
                if checked >= n or (kind, label, t) not in mine.model.quantities:
                    continue
                if not mine.model.quantities[kind, label, t][0]:
                    continue  # a constant (e.g. no investment variable)
                checked += 1
                lo, hi = optimal_range(mine, kind, label, t, hold_labour=hold)
                got = float(table.loc[label, period])
                tol = 1e-6 * (1.0 + abs(got))
                assert lo - tol <= got <= hi + tol, (kind, label, period, got, lo, hi)
                if hi - lo <= 1e-6 * (1.0 + abs(lo)):
                    unique += 1
                    assert got == pytest.approx(mine.value(kind, label, t), rel=1e-6, abs=1e-6)
    return unique


def _free_final_use(project: object) -> pd.DataFrame:
    """Consumption plus other final use, products x periods."""
    final_use = getattr(project, "final_use", None)
    if isinstance(final_use, pd.DataFrame) and len(final_use):
        total = final_use["consumption"] + final_use["other_final_use"]
        return final_use.assign(c=total).pivot(index="product", columns="period", values="c")
    return project.consumption  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- random economies
def grid(lo: float, hi: float, step: float) -> st.SearchStrategy[float]:
    """Round numbers in ``[lo, hi]`` (well-conditioned LPs)."""
    n = round((hi - lo) / step)
    return st.integers(0, n).map(lambda k: round(lo + k * step, 10))


@st.composite
def economies(draw: st.DrawFn) -> Economy:
    """2–4 products (one or two activities each), productive technology (column sums < 0.8),
    one or two labour types, maybe land; capacities, capital and service lives."""
    n_p = draw(st.integers(2, 4))
    products = [f"p{i}" for i in range(n_p)]
    groups = [MEANS_OF_PRODUCTION, CONSUMER_GOODS] + [
        draw(st.sampled_from([MEANS_OF_PRODUCTION, CONSUMER_GOODS])) for _ in range(n_p - 2)
    ]
    activities, made = [], []
    for p in products:
        for k in range(draw(st.integers(1, 2))):
            activities.append(f"{p}{'ab'[k]}")
            made.append(p)
    n_a = len(activities)
    A = np.zeros((n_p, n_a))
    B = np.zeros((n_p, n_a))
    for j in range(n_a):
        col = np.array([draw(grid(0.0, 0.3, 0.05)) for _ in range(n_p)])
        if col.sum() > 0.75:
            col *= 0.75 / col.sum()
        A[:, j] = col
        B[:, j] = [draw(grid(0.0, 1.0, 0.25)) for _ in range(n_p)]
        if B[:, j].sum() == 0:
            B[0, j] = 0.5
    n_l = draw(st.integers(1, 2))
    labour = np.zeros((n_l, n_a))
    labour[0] = [draw(grid(0.1, 1.0, 0.05)) for _ in range(n_a)]
    if n_l == 2:
        labour[1] = [draw(grid(0.0, 0.5, 0.1)) for _ in range(n_a)]
    land = draw(st.booleans())
    resources = (
        np.array([[draw(grid(0.0, 1.0, 0.25)) for _ in range(n_a)]]) if land else np.zeros((0, n_a))
    )
    capacity = [draw(st.one_of(st.just(np.inf), grid(20.0, 200.0, 10.0))) for _ in range(n_a)]
    life = [draw(st.one_of(st.just(np.nan), st.integers(1, 8).map(float))) for _ in range(n_a)]
    return Economy(
        products=pd.DataFrame({"group": groups, "unit": "t"}, index=products),
        activities=pd.DataFrame({"product": made}, index=activities),
        technology=sp.csc_array(A),
        labour_types=pd.Index(["work", "skill"][:n_l]),
        labour=sp.csc_array(labour),
        resource_types=pd.Index(["land"] if land else []),
        resources=sp.csc_array(resources),
        capacity=np.array(capacity, float),
        capital=sp.csc_array(B),
        service_life=np.array(life, float),
    )


def _subset(draw: st.DrawFn, items: list, max_size: int | None = None) -> list:
    if not items:
        return []
    size = draw(st.integers(0, len(items) if max_size is None else min(max_size, len(items))))
    picked = draw(st.permutations(items))
    return sorted(picked[:size], key=str)


def _capped(eco: Economy) -> list[str]:
    return [j for j, c in zip(eco.activity_labels, eco.capacity, strict=True) if np.isfinite(c)]


@st.composite
def plan_specs(
    draw: st.DrawFn, objectives: tuple[str, ...] = OBJECTIVES, new: bool = True
) -> PlanSpec:
    """A random small plan using a random subset of every table (``new``: also lead times,
    construction, construction labour, investment limits, the static terminal)."""
    eco = draw(economies())
    T = draw(st.integers(1, 4))
    periods = list(range(START, START + T))
    objective = draw(st.sampled_from(objectives))
    products = list(eco.product_labels)
    activities = list(eco.activity_labels)
    consumer = [p for p in products if eco.products.loc[p, "group"] == CONSUMER_GOODS]
    capped = _capped(eco)
    cells = [(p, t) for p in products for t in periods]

    def rows(**cols: list) -> pd.DataFrame:
        return pd.DataFrame(cols)

    fields: dict[str, object] = {}
    picked = _subset(draw, cells, 4)
    if not picked and objective in ("min_labour", "harmony"):
        picked = [cells[0]]
    if picked:
        targets = rows(
            product=[p for p, _ in picked],
            period=[t for _, t in picked],
            target=[draw(grid(1.0, 30.0, 1.0)) for _ in picked],
        )
        if draw(st.booleans()):
            targets["priority"] = [
                draw(st.sampled_from([np.nan, 0.5, 1.0, 2.0, 5.0])) for _ in picked
            ]
        fields["targets"] = targets
    bundle = _subset(draw, products)
    if objective == "max_level" and not bundle and not picked:
        bundle = [products[-1]]
    if bundle:
        assortment = rows(product=bundle, weight=[draw(grid(0.5, 2.0, 0.5)) for _ in bundle])
        if draw(st.booleans()):
            assortment["period"] = [draw(st.sampled_from(periods)) for _ in bundle]
        fields["assortment"] = assortment
    floor_cells = _subset(draw, cells, 3)
    if floor_cells:
        fields["floors"] = rows(
            product=[p for p, _ in floor_cells],
            period=[t for _, t in floor_cells],
            floor=[draw(grid(0.0, 5.0, 1.0)) for _ in floor_cells],
        )
    labour = rows(
        labour_type="work",
        period=periods,
        available=[draw(grid(50.0, 300.0, 25.0)) for _ in periods],
    )
    if len(eco.labour_types) == 2:
        skill = _subset(draw, periods)
        if skill:
            labour = pd.concat(
                [
                    labour,
                    rows(
                        labour_type="skill",
                        period=skill,
                        available=[draw(grid(5.0, 50.0, 5.0)) for _ in skill],
                    ),
                ],
                ignore_index=True,
            )
    fields["labour_available"] = labour
    if len(eco.resource_types):
        land = _subset(draw, periods)
        if land:
            fields["resources_available"] = rows(
                resource="land",
                period=land,
                available=[draw(grid(10.0, 200.0, 10.0)) for _ in land],
            )
    old = _subset(draw, capped)
    if old:
        built = [(j, draw(st.integers(START - 8, START - 1))) for j in old]
        built += [(j, b - 1) for j, b in built if draw(st.booleans())]
        fields["vintages"] = rows(
            activity=[j for j, _ in built],
            year_built=[b for _, b in built],
            capacity=[draw(grid(10.0, 100.0, 10.0)) for _ in built],
        )
    fields["default_lag"] = draw(st.integers(0, 1)) if T > 1 else draw(st.sampled_from([0, 1]))
    lagged = _subset(draw, activities, 2) if T > 1 else []
    if lagged:
        fields["lags"] = rows(activity=lagged, lag=[draw(st.integers(0, T - 1)) for _ in lagged])
    worn = _subset(draw, capped, 2)
    if worn:
        fields["depreciation"] = rows(
            activity=worn, rate=[draw(st.sampled_from([0.05, 0.1, 0.25])) for _ in worn]
        )
    stocked = _subset(draw, products, 2)
    if stocked:
        fields["initial_stocks"] = rows(
            product=stocked, stock=[draw(grid(0.0, 20.0, 5.0)) for _ in stocked]
        )
    stored = _subset(draw, products, 2)
    if stored:
        storage = rows(product=stored)
        if draw(st.booleans()):
            storage["loss"] = [draw(st.sampled_from([np.nan, 0.0, 0.1, 0.5])) for _ in stored]
        if draw(st.booleans()):
            storage["max_stock"] = [draw(st.sampled_from([np.nan, 5.0, 20.0])) for _ in stored]
        fields["storage"] = storage
    fields["storable"] = draw(st.sampled_from(["listed", "all"]))
    traded = _subset(draw, products, 2)
    if traded:
        trade = rows(product=traded, world_price=[draw(grid(0.5, 2.0, 0.5)) for _ in traded])
        if draw(st.booleans()):
            trade["import_limit"] = [draw(st.sampled_from([np.nan, 0.0, 5.0])) for _ in traded]
        if draw(st.booleans()):
            trade["export_limit"] = [draw(st.sampled_from([np.nan, 3.0])) for _ in traded]
        fields["trade"] = trade
        fields["trade_deficit"] = draw(st.sampled_from([0.0, 2.0]))
    ends = _subset(draw, capped, 1)
    if ends:
        fields["terminal_capacity"] = rows(
            activity=ends, capacity=[draw(grid(5.0, 40.0, 5.0)) for _ in ends]
        )
    fields["terminal_growth"] = draw(st.sampled_from([None, None, 0.5, 1.0]))
    fixed = _subset(draw, cells, 2)
    if fixed:
        fields["fixed_final_demand"] = rows(
            product=[p for p, _ in fixed],
            period=[t for _, t in fixed],
            quantity=[draw(grid(0.0, 5.0, 1.0)) for _ in fixed],
        )
    if draw(st.booleans()):
        fields["consumption_weights"] = pd.Series(
            [draw(grid(0.0, 2.0, 0.5)) for _ in consumer], index=consumer, name="weight"
        )
    fields["discount"] = draw(st.sampled_from([0.0, 0.05, 0.25]))
    fields["investment_share"] = draw(st.sampled_from([None, None, 0.3, 0.7]))
    if new:
        led = _subset(draw, activities, 1) if T > 1 else []
        if led:
            fields["lead_times"] = rows(activity=led, lead_time=[1 for _ in led])
        lag = {j: fields["default_lag"] for j in activities}
        if lagged:
            lag.update(dict(zip(lagged, fields["lags"]["lag"], strict=True)))  # type: ignore[index]
        profiled = [j for j in activities if lag[j] >= 2 and draw(st.booleans())]
        if profiled:
            fields["construction"] = pd.concat(
                [rows(activity=j, offset=[0, 1], share=[0.75, 0.25]) for j in profiled],
                ignore_index=True,
            )
        built_by = _subset(draw, capped, 2)
        if built_by:
            fields["construction_labour"] = rows(
                labour_type="work",
                activity=built_by,
                coefficient=[draw(grid(0.25, 1.0, 0.25)) for _ in built_by],
            )
        limited = _subset(draw, capped, 1)
        if limited:
            limits = rows(activity=limited, max=[draw(grid(1.0, 21.0, 5.0)) for _ in limited])
            if draw(st.booleans()):
                limits["period"] = [draw(st.sampled_from(periods)) for _ in limited]
            if draw(st.booleans()):
                limits["min"] = [draw(st.sampled_from([np.nan, 0.0, 1.0])) for _ in limited]
            fields["investment_limits"] = limits
        fields["terminal"] = draw(st.sampled_from(["none", "none", "static"]))
    if objective == "linear":
        fields["objective_weights"] = draw(objective_weights(eco, periods))
        fields["sense"] = draw(st.sampled_from(["max", "min"]))
    spec = PlanSpec(eco, periods=tuple(periods), objective=objective, **fields)  # type: ignore[arg-type]
    return spec.validated()


@st.composite
def objective_weights(draw: st.DrawFn, eco: Economy, periods: list[int]) -> pd.DataFrame:
    """One to three rows of a linear objective, over every documented quantity."""
    labels = {
        "output": list(eco.product_labels),
        "activity": list(eco.activity_labels),
        "capacity": _capped(eco),
        "investment": _capped(eco),
        "employment": list(eco.labour_types),
        "consumption": list(eco.product_labels),
        "stocks": list(eco.product_labels),
    }
    out = []
    for _ in range(draw(st.integers(1, 3))):
        q = draw(st.sampled_from([k for k, v in labels.items() if v]))
        label = draw(st.sampled_from(labels[q]))
        ends = [*periods, periods[-1] + 1] if q == "capacity" else periods
        period = draw(st.sampled_from([*ends, np.nan]))
        out.append(
            {
                "quantity": q,
                "weight": draw(st.sampled_from([-1.0, 0.5, 1.0, 2.0])),
                "label": label,
                "period": period,
            }
        )
    frame = pd.DataFrame(out).drop_duplicates(["quantity", "label", "period"])
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- property tests
@SETTINGS
@given(spec=plan_specs())
def test_random_plans_agree_with_the_independent_lp(spec: PlanSpec) -> None:
    compare(spec)


@pytest.mark.parametrize("objective", OBJECTIVES)
@settings(SETTINGS, max_examples=15)
@given(data=st.data())
def test_random_plans_agree_objective_by_objective(objective: str, data: st.DataObject) -> None:
    compare(data.draw(plan_specs((objective,)), label="spec"))


@settings(SETTINGS, max_examples=20)
@given(spec=plan_specs(("min_labour", "max_level", "max_consumption")))
def test_random_plans_share_every_quantity_the_optimum_fixes(spec: PlanSpec) -> None:
    compare(spec, ranges=8)


@settings(SETTINGS, max_examples=20)
@given(spec=plan_specs(new=False))
def test_random_plans_without_the_new_tables_agree(spec: PlanSpec) -> None:
    compare(spec)


@settings(SETTINGS, max_examples=40)
@given(ratio=st.floats(0.001, 3.0))
def test_harmony_is_concave_increasing_and_pinned(ratio: float) -> None:
    assert harmony(0.0) == -1.5 and harmony(1.0) == 1.0
    assert harmony(2.0) == pytest.approx(1.01) and harmony(ratio + 1.0) <= harmony(2.0) + 1e-12
    step = 1e-3
    left = harmony(ratio) - harmony(max(ratio - step, 0.0))
    right = harmony(ratio + step) - harmony(ratio)
    assert right >= -1e-12 and right <= left + 1e-9


# --------------------------------------------------------------------------- hand-picked plans
PERIODS4 = (1929, 1930, 1931, 1932)
LABOUR4 = pd.concat(
    [
        frame(labour_type="workers", period=PERIODS4, available=[150.0] * 4),
        frame(labour_type="engineers", period=PERIODS4, available=[25.0] * 4),
    ],
    ignore_index=True,
)
TARGETS4 = frame(product=["steel", "grain"], period=[1930, 1932], target=[40.0, 100.0])
BUNDLE = frame(product=["grain", "machines"], weight=[1.0, 0.2])


def base_spec(objective: str, **changes: object) -> PlanSpec:
    """Four years of the three-sector economy with labour limits (targets unless max_level)."""
    fields: dict[str, object] = {"labour_available": LABOUR4, "assortment": BUNDLE}
    if objective != "max_level":
        fields["targets"] = TARGETS4
    fields.update(changes)
    spec = PlanSpec(three_sector(), periods=PERIODS4, objective=objective, **fields)  # type: ignore[arg-type]
    return spec.validated()


#: name -> (objective, changes of the plan without the table, the table's changes): each
#: table binds (the optimum moves when it is added).
TABLE_CASES: dict[str, tuple[str, dict[str, object], dict[str, object]]] = {
    "targets": ("max_level", {}, {"targets": TARGETS4}),
    "targets_priority": (
        "harmony",
        {"targets": TARGETS4.assign(target=[300.0, 900.0])},
        {"targets": TARGETS4.assign(target=[300.0, 900.0], priority=[1.0, 4.0])},
    ),
    "assortment_period": (
        "max_level",
        {},
        {"assortment": BUNDLE.assign(period=[1930, 1931])},
    ),
    "floors": ("max_level", {}, {"floors": frame(product="steel", period=PERIODS4, floor=20.0)}),
    "labour_available": (
        "max_level",
        {},
        {"labour_available": LABOUR4.assign(available=LABOUR4["available"] / 2)},
    ),
    "resources_available": (
        "max_level",
        {},
        {"resources_available": frame(resource="land", period=PERIODS4, available=60.0)},
    ),
    "vintages": (
        "max_level",
        {},
        {
            "vintages": frame(
                activity=["steel", "machines", "grain"],
                year_built=[1910, 1927, 1925],
                capacity=[100.0, 60.0, 200.0],
            )
        },
    ),
    "lags": (
        "max_level",
        {},
        {"lags": frame(activity=["machines", "steel", "grain"], lag=[2, 2, 2])},
    ),
    "depreciation": ("max_level", {}, {"depreciation": frame(activity=["machines"], rate=[0.25])}),
    "initial_stocks": (
        "max_level",
        {},
        {"initial_stocks": frame(product=["machines"], stock=[30.0])},
    ),
    "storage": (
        "max_level",
        {"assortment": frame(product=["grain"], weight=[1.0], period=[1932])},
        {"storage": frame(product=["grain"], loss=[0.2], max_stock=[100.0])},
    ),
    "storable_all": (
        "max_level",
        {"assortment": BUNDLE.assign(period=[1932, 1932])},
        {"storable": "all"},
    ),
    "trade": (
        "max_level",
        {},
        {
            "trade": frame(
                product=["machines", "grain"],
                world_price=[3.0, 1.0],
                import_limit=[5.0, np.nan],
                export_limit=[np.nan, 20.0],
            ),
            "trade_deficit": 2.0,
        },
    ),
    "terminal_capacity": (
        "max_level",
        {},
        {"terminal_capacity": frame(activity=["machines"], capacity=[90.0])},
    ),
    "terminal_growth": ("max_consumption", {}, {"terminal_growth": 1.3}),
    "fixed_final_demand": (
        "max_level",
        {},
        {"fixed_final_demand": frame(product=["machines"], period=[1930], quantity=[20.0])},
    ),
    "consumption_weights": (
        "max_consumption",
        {"terminal_growth": 1.0},
        {"consumption_weights": pd.Series({"grain": 2.0})},
    ),
    "discount": ("max_consumption", {"terminal_growth": 1.0}, {"discount": 0.2}),
    "investment_share": ("max_consumption", {"terminal_growth": 1.0}, {"investment_share": 0.3}),
    "lead_times": (
        "max_level",
        {"initial_stocks": frame(product=["machines"], stock=[20.0])},
        {"lead_times": frame(activity=["machines"], lead_time=[1])},
    ),
    "construction": (
        "max_consumption",
        {"lags": frame(activity=["steel", "machines"], lag=[2, 2]), "terminal_growth": 1.2},
        {"construction": frame(activity="machines", offset=[0, 1], share=[0.9, 0.1])},
    ),
    "construction_labour": (
        "max_consumption",
        {"terminal_growth": 1.2},
        {
            "construction_labour": frame(
                labour_type=["workers"], activity=["machines"], coefficient=[2.0]
            )
        },
    ),
    "investment_limits": (
        "max_level",
        {"terminal_growth": 1.2},
        {"investment_limits": frame(activity=["machines"], max=[30.0])},
    ),
    "investment_limits_min": (
        "min_labour",
        {},
        {"investment_limits": frame(activity="grain", period=[1929, 1930], min=[5.0, np.nan])},
    ),
    "terminal_static": ("max_consumption", {}, {"terminal": "static"}),
}


@pytest.mark.parametrize("case", sorted(TABLE_CASES))
def test_every_table_binds_and_agrees(case: str) -> None:
    objective, without, table = TABLE_CASES[case]
    before, _ = compare(base_spec(objective, **without), ranges=3)
    after, _ = compare(base_spec(objective, **{**without, **table}), ranges=3)
    assert before.status == after.status == "optimal"
    assert abs(after.objective - before.objective) > 1e-6 * (1 + abs(before.objective)), case


EASY_TARGETS = frame(product=["steel", "grain"], period=[1931, 1933], target=[40.0, 120.0])


@pytest.mark.parametrize("objective", ["max_level", "min_labour", "harmony", "max_consumption"])
@pytest.mark.parametrize("terminal", ["none", "static"])
def test_every_objective_on_the_rich_plan(objective: str, terminal: str) -> None:
    extra: dict[str, object] = {"terminal_growth": 1.0} if objective == "max_consumption" else {}
    spec = rich_spec(three_sector(), objective, targets=EASY_TARGETS, terminal=terminal, **extra)
    mine, _ = compare(spec, ranges=6)
    assert mine.status == "optimal"


def test_every_objective_on_the_full_plan_of_every_table() -> None:
    spec = rich_spec(
        three_sector(),
        "max_consumption",
        targets=EASY_TARGETS.assign(priority=[1.0, 3.0]),
        storage=frame(product=["grain", "machines"], loss=[0.1, np.nan], max_stock=[np.nan, 8.0]),
        terminal_capacity=frame(activity=["machines"], capacity=[20.0]),
        terminal_growth=0.8,
        consumption_weights=pd.Series({"grain": 1.5}),
        discount=0.05,
        lead_times=frame(activity=["grain"], lead_time=[1]),
        lags=frame(activity=["steel", "grain"], lag=[2, 2]),
        construction=frame(activity="steel", offset=[0, 1], share=[0.4, 0.6]),
        construction_labour=frame(labour_type="workers", activity=["grain"], coefficient=[0.5]),
        investment_limits=frame(activity=["grain"], max=[30.0]),
        initial_stocks=frame(product=["grain", "steel"], stock=[30.0, 30.0]),
    )
    for objective in OBJECTIVES[:-1]:
        mine, _ = compare(spec.with_changes(objective=objective), ranges=4)
        assert mine.status == "optimal", objective


LINEAR_CASES: dict[str, tuple[str, pd.DataFrame]] = {
    "output": ("max", frame(quantity=["output"], label=["grain"], period=[1931], weight=[1.0])),
    "activity_all_labels": (
        "min",
        frame(quantity=["activity"], label=[np.nan], period=[np.nan], weight=[1.0]),
    ),
    "capacity_at_the_end": (
        "max",
        frame(quantity=["capacity"], label=["machines"], period=[1933], weight=[1.0]),
    ),
    "capacity_every_period": (
        "min",
        frame(quantity=["capacity"], label=["grain"], period=[np.nan], weight=[1.0]),
    ),
    "investment": (
        "max",
        frame(quantity=["investment"], label=["grain"], period=[1930], weight=[1.0]),
    ),
    "employment": (
        "min",
        frame(quantity=["employment"], label=["workers"], period=[np.nan], weight=[1.0]),
    ),
    "consumption_mixed_signs": (
        "max",
        frame(
            quantity=["consumption", "consumption", "stocks"],
            label=["grain", "machines", "grain"],
            period=[np.nan, 1932, 1932],
            weight=[1.0, 2.0, -0.5],
        ),
    ),
    "stocks": ("max", frame(quantity=["stocks"], label=["grain"], period=[1932], weight=[1.0])),
}


@pytest.mark.parametrize("case", sorted(LINEAR_CASES))
def test_linear_objective_of_every_quantity(case: str) -> None:
    sense, weights = LINEAR_CASES[case]
    spec = rich_spec(
        three_sector(),
        "linear",
        targets=EASY_TARGETS,
        objective_weights=weights,
        sense=sense,
        construction_labour=frame(labour_type="workers", activity=["grain"], coefficient=[0.5]),
        storage=frame(product=["grain"], max_stock=[60.0]),
    )
    mine, _ = compare(spec, ranges=4)
    assert mine.status == "optimal"


# --------------------------------------------------------------------------- unique optima
def square_economy() -> Economy:
    """Three products, one activity each, no capacity limits (so no investment)."""
    labels = ["coal", "steel", "bread"]
    A = pd.DataFrame(
        [[0.1, 0.4, 0.1], [0.2, 0.1, 0.05], [0.0, 0.0, 0.1]], index=labels, columns=labels
    )
    products = pd.DataFrame(
        {"group": [MEANS_OF_PRODUCTION, MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=labels
    )
    return Economy.from_coefficients(
        A, labour=pd.Series({"coal": 0.5, "steel": 0.8, "bread": 0.3}), products=products
    )


def test_least_labour_plan_of_a_square_economy_is_unique_and_shared() -> None:
    # min labour meeting gross-output targets without capacity limits: the least x >= target
    # with x >= A x; every quantity is fixed and must be the project's
    spec = PlanSpec(
        square_economy(),
        periods=(2000, 2001),
        objective="min_labour",
        targets=frame(
            product=["coal", "steel", "bread", "bread"],
            period=[2000, 2000, 2000, 2001],
            target=[10.0, 5.0, 40.0, 50.0],
        ),
        fixed_final_demand=frame(product=["steel"], period=[2001], quantity=[3.0]),
    ).validated()
    mine, project = compare(spec)
    assert project is not None
    for kind, table in (("output", project.output), ("consumption", _free_final_use(project))):
        for label in table.index:
            for t, period in enumerate(spec.periods):
                lo, hi = optimal_range(mine, kind, label, t)
                assert hi - lo < 1e-6, (kind, label, period, lo, hi)
                assert table.loc[label, period] == pytest.approx(lo, abs=1e-6)
    # by hand: x = A x + c with c >= 0 and x >= target, least labour
    A = square_economy().technology.toarray()
    x = np.array([mine.value("output", p, 1) for p in ("coal", "steel", "bread")])
    assert np.all(x - A @ x >= np.array([0.0, 3.0, 0.0]) - 1e-9) and x[2] == pytest.approx(50.0)


def test_max_level_least_labour_stage_fixes_the_quantities() -> None:
    spec = PlanSpec(
        square_economy(),
        periods=(2000,),
        objective="max_level",
        assortment=frame(product=["bread", "steel"], weight=[1.0, 0.5]),
        labour_available=frame(labour_type=["labour"], period=[2000], available=[100.0]),
    ).validated()
    mine, project = compare(spec, ranges=6)
    assert project is not None and mine.level == pytest.approx(project.level, rel=RTOL)
    assert check_ranges(spec, mine, project, 6) == 6  # unique at the least labour


# --------------------------------------------------------------------------- readings pinned
def one_good(capacity: float = np.inf, life: float = np.nan) -> Economy:
    """One consumer good, no inputs, one unit of labour per unit, capital of itself."""
    A = pd.DataFrame([[0.0]], index=["a"], columns=["a"])
    return Economy.from_coefficients(
        A,
        labour=pd.Series({"a": 1.0}),
        products=pd.DataFrame({"group": [CONSUMER_GOODS]}, index=["a"]),
        capacity=pd.Series({"a": capacity}),
        capital=pd.DataFrame([[1.0]], index=["a"], columns=["a"]),
        service_life=pd.Series({"a": life}),
    )


def test_initial_stock_is_there_in_full_in_the_first_period() -> None:
    # the loss is charged on what is stored from one period to the next; "stocks at the
    # start" are not (docs: storage, initial_stocks). Project and this module agree on it.
    spec = PlanSpec(
        one_good(),
        periods=(2000, 2001),
        objective="max_consumption",
        labour_available=frame(labour_type=["labour"] * 2, period=[2000, 2001], available=0.0),
        initial_stocks=frame(product=["a"], stock=[10.0]),
        storage=frame(product=["a"], loss=[0.5]),
    ).validated()
    mine, project = compare(spec)
    assert mine.objective == pytest.approx(10.0)
    assert project is not None and project.consumption.loc["a", 2000] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("capacity", "priority", "expected"),
    [(5.0, 1.0, 0.25), (5.0, 2.0, 0.5), (2.5, 1.0, -0.5), (30.0, 1.0, 1.01), (15.0, 1.0, 1.005)],
)
def test_harmony_by_hand(capacity: float, priority: float, expected: float) -> None:
    # one target of 10, output capped at `capacity`: the objective is priority x h(capacity/10)
    spec = PlanSpec(
        one_good(capacity),
        periods=(2000,),
        objective="harmony",
        targets=frame(product=["a"], period=[2000], target=[10.0], priority=[priority]),
        labour_available=frame(labour_type=["labour"], period=[2000], available=[100.0]),
    ).validated()
    mine, _ = compare(spec)
    assert mine.objective == pytest.approx(priority * harmony(capacity / 10.0))
    assert mine.objective == pytest.approx(expected)


def test_max_level_without_assortment_is_the_common_share_of_the_targets() -> None:
    spec = PlanSpec(
        square_economy(),
        periods=(2000,),
        objective="max_level",
        targets=frame(product=["bread", "coal"], period=[2000, 2000], target=[100.0, 10.0]),
        labour_available=frame(labour_type=["labour"], period=[2000], available=[20.0]),
    ).validated()
    mine, project = compare(spec)
    assert project is not None and 0.0 < mine.objective < 1.0


def test_new_capacity_retires_after_its_service_life() -> None:
    # not stated for new capacity in the documentation (only for vintages); both retire it
    spec = PlanSpec(
        one_good(capacity=10.0, life=2.0),
        periods=(2000, 2001, 2002, 2003),
        objective="max_consumption",
        labour_available=frame(
            labour_type=["labour"] * 4, period=range(2000, 2004), available=50.0
        ),
        default_lag=1,
    ).validated()
    mine, _ = compare(spec)
    quantities = mine.model.quantities
    # started in 2000, in service from 2001: gone by 2003; the initial stock retires in 2002
    assert not any(mine.model.lp.keys[col][2] == 0 for col in quantities["capacity", "a", 3][0])
    assert quantities["capacity", "a", 2][1] == 0.0


def test_statuses_agree_when_there_is_no_optimum() -> None:
    unbounded = PlanSpec(
        one_good(), periods=(2000,), assortment=frame(product=["a"], weight=[1.0])
    ).validated()
    infeasible = PlanSpec(
        one_good(capacity=10.0),
        periods=(2000,),
        objective="min_labour",
        targets=frame(product=["a"], period=[2000], target=[20.0]),
    ).validated()
    assert compare(unbounded)[0].status == "unbounded"
    assert compare(infeasible)[0].status == "infeasible"
