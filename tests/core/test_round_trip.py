"""Every result type comes back from disk (and from plain dicts) as it went out.

Two kinds of evidence: results made by the planner (an optimal plan of the bundled scenario,
an infeasible plan, feasible and infeasible checks, a frontier), and results drawn by
hypothesis with awkward labels ("NA", "01", commas, quotes, non-ASCII) and awkward numbers
(NaN, infinities, negative zero, the largest floats).
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gosplan.core.frontier_result import FrontierResult
from gosplan.core.plan_check import PlanCheck
from gosplan.core.plan_result import (
    BINDING_COLUMNS,
    FINAL_USE_COLUMNS,
    FULFILMENT_COLUMNS,
    PlanResult,
)
from gosplan.core.results import read_result
from gosplan.core.status import Status
from gosplan.core.verification import VerificationReport

FORMATS = ("csv", "parquet", "json")


# ---------------------------------------------------------------------------- comparing
def same_frame(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Equal labels and values (NaN equal to NaN); dtypes of empty tables may differ."""
    assert list(map(str, a.columns)) == list(map(str, b.columns)), what
    if not len(a) and not len(b):
        return
    assert [str(i) for i in a.index] == [str(i) for i in b.index], what
    for col_a, col_b in zip(a.columns, b.columns, strict=True):
        x, y = a[col_a].to_numpy(), b[col_b].to_numpy()
        if pd.api.types.is_numeric_dtype(a[col_a]) and not pd.api.types.is_bool_dtype(a[col_a]):
            np.testing.assert_array_equal(x.astype(float), y.astype(float), err_msg=what)
        else:
            assert [_plain(v) for v in x] == [_plain(v) for v in y], f"{what}: {col_a}"


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def same_plan(a: PlanResult, b: PlanResult) -> None:
    assert b.status == a.status and isinstance(b.status, Status)
    assert (math.isnan(a.objective) and math.isnan(b.objective)) or b.objective == a.objective
    assert (b.objective_kind, b.level, b.periods) == (a.objective_kind, a.level, a.periods)
    assert b.provenance == a.provenance
    assert b.verification == a.verification
    fa, fb = a.to_frames(), b.to_frames()
    assert set(fb) == set(fa)
    for name in fa:
        same_frame(fa[name], fb[name], name)
    assert b.terminal_levels.index.tolist() == a.terminal_levels.index.tolist()


def round_trips(result: Any, tmp: Path) -> list[Any]:
    """The result through to_dict/from_dict, strict JSON text, and every format on disk."""
    kind = type(result)
    doc = result.to_dict()
    text = json.dumps(doc, allow_nan=False)  # strict JSON: no NaN or Infinity tokens
    out = [kind.from_dict(doc), kind.from_dict(json.loads(text))]
    for fmt in FORMATS:
        name = f"r.{fmt}" if fmt == "json" or kind is FrontierResult else f"r-{fmt}"
        written = result.write(tmp / name, format=fmt)
        out.append(kind.read(written))
        out.append(read_result(written))
    return out


# ---------------------------------------------------------------------------- planner results
@pytest.fixture(scope="module")
def scenario_plan() -> PlanResult:
    from gosplan.datasets import load
    from gosplan.plan import optimise

    return optimise(load("ussr-1928/optimum"))


def test_the_scenario_plan_round_trips(scenario_plan: PlanResult, tmp_path: Path) -> None:
    assert scenario_plan.optimal and len(scenario_plan.binding) > 0
    for back in round_trips(scenario_plan, tmp_path):
        same_plan(scenario_plan, back)
        assert back.summary() == scenario_plan.summary()


def test_an_infeasible_plan_round_trips(tmp_path: Path) -> None:
    from gosplan.datasets import load
    from gosplan.plan import optimise

    result = optimise(load("one-product-plan"))
    assert result.status == Status.INFEASIBLE and math.isnan(result.objective)
    for back in round_trips(result, tmp_path):
        same_plan(result, back)


@pytest.mark.parametrize("labour", [10.0, 100.0], ids=["infeasible", "feasible"])
def test_a_plan_check_round_trips_and_says_the_same(labour: float, tmp_path: Path) -> None:
    from gosplan.datasets import load
    from gosplan.plan import check_plan

    check = check_plan(load("one-product-plan", labour=labour))
    assert check.feasible == (labour > 15.0)  # 30 units at 0.5 person-years each
    for back in round_trips(check, tmp_path):
        assert isinstance(back, PlanCheck)
        assert back.message() == check.message()
        for name in ("reachable", "binding", "additions"):
            same_frame(getattr(check, name), getattr(back, name), name)
        assert (back.feasible, back.labour_unit, back.additions_verified) == (
            check.feasible,
            check.labour_unit,
            check.additions_verified,
        )
        assert (check.plan is None) == (back.plan is None)
        if check.plan is not None and back.plan is not None:
            same_plan(check.plan, back.plan)


def test_a_frontier_round_trips(tmp_path: Path) -> None:
    from gosplan.datasets import load
    from gosplan.plan import frontier

    fr = frontier(load("feldman-plan"), shares=[0.2, 0.5])
    assert fr.labour_unit
    for back in round_trips(fr, tmp_path):
        assert isinstance(back, FrontierResult)
        same_frame(fr.table, back.table, "frontier")
        assert (back.labour_unit, back.population_unit) == (fr.labour_unit, fr.population_unit)
        assert back.provenance == json.loads(json.dumps(fr.provenance))
        if back.results:  # JSON and dicts carry the plans; a table file does not
            for a, b in zip(fr.results, back.results, strict=True):
                assert a is not None and b is not None
                same_plan(a, b)


# ---------------------------------------------------------------------------- drawn results
LABEL = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=8,
).filter(lambda s: s.strip() == s and s != "")
AWKWARD = st.sampled_from(["NA", "nan", "None", "01", "1e3", "a,b", 'say "x"', "é", "N/A"])
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 1.7976931348623157e308, 0.1 + 0.2]),
)


@st.composite
def plan_results(draw: st.DrawFn) -> PlanResult:
    labels = st.lists(st.one_of(LABEL, AWKWARD), min_size=1, max_size=4, unique=True)
    products, activities = draw(labels), draw(labels)
    start = draw(st.integers(1900, 2100))
    periods = tuple(range(start, start + draw(st.integers(1, 3))))
    cols = pd.Index(periods, name="period")

    def grid(index: list[str], name: str) -> pd.DataFrame:
        values = draw(
            st.lists(NUMBER, min_size=len(index) * len(periods), max_size=len(index) * len(periods))
        )
        arr = np.array(values, float).reshape(len(index), len(periods))
        return pd.DataFrame(arr, index=pd.Index(index, name=name), columns=cols)

    def long(columns: tuple[str, ...], labels_of: list[str]) -> pd.DataFrame:
        n = draw(st.integers(0, 3))
        data: dict[str, list[Any]] = {}
        for c in columns:
            if c in ("product", "label", "block"):
                data[c] = [draw(st.sampled_from(labels_of)) for _ in range(n)]
            elif c == "period":
                data[c] = [draw(st.sampled_from(periods)) for _ in range(n)]
            elif c == "degenerate":
                data[c] = [draw(st.booleans()) for _ in range(n)]
            else:
                data[c] = [draw(NUMBER) for _ in range(n)]
        return pd.DataFrame(data, columns=list(columns))

    by_period = pd.DataFrame(
        {"means of production": [draw(NUMBER) for _ in periods]},
        index=pd.Index(periods, name="period"),
    )
    verification = draw(
        st.one_of(
            st.none(),
            st.builds(
                VerificationReport,
                max_violation=st.dictionaries(LABEL, st.floats(0, 1), max_size=3),
                tolerance=st.floats(1e-12, 1e-3),
                passed=st.booleans(),
            ),
        )
    )
    provenance = draw(
        st.dictionaries(
            LABEL, st.one_of(st.none(), st.integers(-9, 9), st.text(max_size=5)), max_size=3
        )
    )
    return PlanResult(
        status=draw(st.sampled_from(list(Status))),
        objective=draw(NUMBER),
        objective_kind=draw(st.sampled_from(["max_level", "harmony", ""])),
        level=draw(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))),
        periods=periods,
        output=grid(products, "product"),
        activity_levels=grid(activities, "activity"),
        capacity=grid(activities, "activity"),
        investment=grid(activities, "activity"),
        capital_spending=grid(products, "product"),
        employment=grid(["labour"], "labour_type"),
        consumption=grid(products, "product"),
        stocks=grid(products, "product"),
        imports=grid(products, "product"),
        exports=grid(products, "product"),
        fulfilment=long(FULFILMENT_COLUMNS, products),
        shadow_prices={"balance": grid(products, "label")},
        binding=long(BINDING_COLUMNS, products),
        growth=grid(products, "product"),
        investment_shares=by_period,
        verification=verification,
        provenance=provenance,
        final_use=long(FINAL_USE_COLUMNS, products),
        final_use_values=by_period.rename(columns={"means of production": "consumption"}),
        terminal_levels=pd.Series(
            [draw(NUMBER) for _ in activities],
            index=pd.Index(activities, name="activity"),
            name="level",
        ),
        price_ranges={
            "balance": long(
                (
                    "label",
                    "period",
                    "shadow_price",
                    "bound",
                    "valid_from",
                    "valid_to",
                    "degenerate",
                ),
                products,
            )
        },
        duals=long(("block", "label", "period", "shadow_price"), products),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(result=plan_results())
def test_any_plan_result_round_trips(result: PlanResult) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for back in round_trips(result, Path(tmp)):
            same_plan(result, back)
