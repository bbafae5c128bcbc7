"""Every row of the plan LP comes back under all of its coordinates (as linopy's constraints).

A block's rows are keyed by ``(label, period)`` and any further dimension it declares (the
harmony's ``segment``): the duals, the binding rows and the price ranges carry every
coordinate, so that no two rows are folded into one cell.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.plan_result import DUAL_COLUMNS, PlanResult
from gosplan.core.spec import PlanSpec
from gosplan.datasets import list_specs, spec_path
from gosplan.errors import InputError
from gosplan.plan.assemble import LP
from gosplan.plan.blocks import INTERNAL_BLOCKS, ROW_KEYS
from gosplan.plan.data import PlanData
from gosplan.plan.extract import result_from_solution
from gosplan.plan.highs import LPSolution, solve_lp
from gosplan.plan.objectives import HARMONY_SEGMENTS, formulate
from gosplan.plan.ranging import price_ranges
from gosplan.plan.reader import read_spec

from ._plan_fixtures import full_spec
from .conftest import frame, rich_spec, three_sector

OBJECTIVES = ("max_level", "min_labour", "harmony", "max_consumption", "linear")
#: Objective weights for the specs that have none (the linear objective needs them).
LABOUR_WEIGHT = pd.DataFrame({"quantity": ["employment"], "weight": [1.0]})
N_SEG = len(HARMONY_SEGMENTS)


def two_targets(available: float = 10.0) -> PlanSpec:
    """Products a and b, a person-year a unit, sharing ``available``; targets of 10 each."""
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    eco = Economy.from_coefficients(A, labour=pd.Series({"a": 1.0, "b": 1.0}))
    return PlanSpec(
        eco,
        periods=(1,),
        objective="harmony",
        targets=frame(product=["a", "b"], period=[1, 1], target=[10.0, 10.0]),
        labour_available=frame(labour_type=["labour"], period=[1], available=[available]),
    ).validated()


def many_goods(n: int = 100) -> PlanSpec:
    """An assortment of ``n`` goods over two periods: the level needs chained copies."""
    labels = [f"g{i}" for i in range(n)]
    eco = Economy.from_coefficients(
        pd.DataFrame(np.zeros((n, n)), index=labels, columns=labels),
        labour=pd.Series(1.0, index=labels),
    )
    return PlanSpec(
        eco,
        periods=(1, 2),
        assortment=frame(product=labels, weight=[1.0] * n),
        labour_available=frame(labour_type=["labour"] * 2, period=[1, 2], available=[50.0] * 2),
    ).validated()


def solved(spec: PlanSpec, kind: str = "harmony") -> tuple[LP, LPSolution, PlanResult]:
    """The LP of a spec, its simplex solution and the labelled result."""
    data = PlanData(spec)
    lp = formulate(data, kind)
    sol = solve_lp(lp, solver="simplex")
    assert sol.status == "optimal"
    result = result_from_solution(data, lp, sol, kind, {}, ranges=price_ranges(lp, sol))
    return lp, sol, result


@pytest.fixture(scope="module")
def harmony_plan() -> tuple[LP, LPSolution, PlanResult]:
    # labour for one target: 50% each, where the segments of slopes 3 and 2 meet
    return solved(two_targets())


# ------------------------------------------------------------------------ one dual per row
def test_harmony_duals_have_one_row_per_target_period_and_segment(harmony_plan):
    lp, sol, result = harmony_plan
    duals = result.duals
    assert list(duals.columns) == [
        *DUAL_COLUMNS[:3],
        "segment",
        "shadow_price",
        "value",
        "lower",
        "upper",
    ]
    h = duals[duals["block"] == "harmony"]
    assert len(h) == 2 * N_SEG
    keys = set(zip(h["label"], h["period"], h["segment"].astype(int), strict=True))
    assert keys == {(p, 1, s) for p in ("a", "b") for s in range(N_SEG)}
    rows = lp.ranges["harmony"]
    np.testing.assert_array_equal(h["shadow_price"].to_numpy(), sol.row_dual[rows])
    np.testing.assert_array_equal(h["value"].to_numpy(), sol.row_value[rows])
    np.testing.assert_array_equal(h["upper"].to_numpy(), lp.row_upper[rows])
    assert np.isneginf(h["lower"]).all()
    # each target's worth (its priority, 1) is shared by the segments that bind: none dropped
    per_target = h.groupby("label")["shadow_price"].sum().abs()
    assert per_target.to_numpy() == pytest.approx([1.0, 1.0])
    # blocks without the dimension leave it missing
    assert duals.loc[duals["block"] != "harmony", "segment"].isna().all()


def test_duals_match_the_solution_position_by_position(harmony_plan):
    lp, sol, result = harmony_plan
    reported = [b for b in lp.blocks if b.name not in INTERNAL_BLOCKS]
    rows = np.concatenate([np.arange(lp.n_constraints)[lp.ranges[b.name]] for b in reported])
    duals = result.duals
    np.testing.assert_array_equal(duals["shadow_price"].to_numpy(), sol.row_dual[rows])
    np.testing.assert_array_equal(duals["value"].to_numpy(), sol.row_value[rows])
    np.testing.assert_array_equal(duals["lower"].to_numpy(), lp.row_lower[rows])
    np.testing.assert_array_equal(duals["upper"].to_numpy(), lp.row_upper[rows])
    keys = lp.row_keys().iloc[rows].reset_index(drop=True)
    pd.testing.assert_frame_equal(duals[list(keys.columns)], keys)


def test_shadow_prices_pivot_only_blocks_without_further_dimensions(harmony_plan):
    lp, _, result = harmony_plan
    assert "harmony" not in result.shadow_prices  # in duals (and binding) only
    assert set(result.shadow_prices) == {b.name for b in lp.blocks if not b.dims} - set(
        INTERNAL_BLOCKS
    )
    labour = result.shadow_prices["labour"]
    assert labour.index.name == "label" and labour.columns.name == "period"
    row = result.duals.set_index(["block", "label", "period"]).loc[("labour", "labour", 1)]
    assert labour.loc["labour", 1] == row["shadow_price"]


def test_level_links_stay_internal():
    lp, _, result = solved(many_goods(), "max_level")
    links = next(b for b in lp.blocks if b.name == "level_links")
    assert links.dims == ("copy",) and links.n_rows > 1
    assert "level_links" not in set(result.duals["block"])
    assert "copy" not in result.duals.columns  # the dimension of an internal block only
    assert "copy" in lp.row_keys().columns


# ------------------------------------------------------------------- coordinates are keys
def _specs() -> dict[str, PlanSpec]:
    specs = {
        f"ussr-1928/{v}": read_spec(spec_path("ussr-1928", v)) for v in list_specs("ussr-1928")
    }
    specs["rich"] = rich_spec(three_sector())
    specs["rich static"] = rich_spec(three_sector(), terminal="static")
    specs["full"] = full_spec()
    specs["two targets"] = two_targets()
    specs["many goods"] = many_goods()
    return specs


@pytest.mark.parametrize("name", sorted(_specs()))
def test_every_block_of_every_objective_has_unique_row_keys(name, caplog):
    spec = _specs()[name]
    if not len(spec.objective_weights):
        spec = spec.with_changes(objective_weights=LABOUR_WEIGHT)
    formulated = 0
    for kind in OBJECTIVES:
        try:
            with caplog.at_level(logging.ERROR):
                lp = formulate(PlanData(spec.with_changes(objective=kind)), kind)
        except InputError:  # the objective needs what the spec lacks (targets, ...)
            continue
        formulated += 1
        for b in lp.blocks:
            keys = b.row_keys()
            assert list(keys.columns) == [*ROW_KEYS, *b.dims]
            assert len(keys) == b.n_rows
            dup = keys.duplicated()
            assert not dup.any(), f"{name} {kind} {b.name}: rows {keys[dup].head()}"
        keys = lp.row_keys()
        assert not keys.duplicated().any()
        assert len(keys) == lp.n_constraints
    assert formulated


# --------------------------------------------------------------------------- binding rows
def test_binding_rows_of_the_harmony_are_told_apart(harmony_plan):
    _, _, result = harmony_plan
    binding = result.binding
    assert "segment" in binding.columns
    assert list(binding.columns).index("segment") == list(binding.columns).index("period") + 1
    h = binding[binding["block"] == "harmony"]
    assert not h.duplicated(["label", "period", "segment"]).any()
    # at 50% the segments of slopes 3 and 2 (positions 1 and 2) both hold each target's value
    for product in ("a", "b"):
        rows = h[h["label"] == product]
        assert set(rows["segment"].astype(int)) == {1, 2}
        assert rows["slack"].to_numpy() == pytest.approx([0.0, 0.0], abs=1e-9)
    assert binding.loc[binding["block"] != "harmony", "segment"].isna().all()


def test_price_ranges_carry_the_segment(harmony_plan):
    lp, sol, result = harmony_plan
    table = result.price_ranges["harmony"]
    assert list(table.columns[:3]) == ["label", "period", "segment"]
    assert list(table["segment"]) == list(np.repeat(np.arange(N_SEG), 2))
    np.testing.assert_array_equal(table["shadow_price"], sol.row_dual[lp.ranges["harmony"]])
    assert "segment" not in result.price_ranges["labour"].columns


def test_a_plan_without_further_dimensions_keeps_its_columns():
    _, _, result = solved(two_targets(25.0).with_changes(objective="min_labour"), "min_labour")
    assert list(result.duals.columns) == [*DUAL_COLUMNS, "value", "lower", "upper"]
    assert "segment" not in result.binding.columns


# ------------------------------------------------------------------------------ round trip
@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_duals_survive_write_and_read(tmp_path, harmony_plan, fmt):
    _, _, result = harmony_plan
    written = result.write(tmp_path / ("plan.json" if fmt == "json" else "plan"), format=fmt)
    back = PlanResult.read(written)
    pd.testing.assert_frame_equal(back.duals, result.duals, check_dtype=False)
    pd.testing.assert_frame_equal(back.binding, result.binding, check_dtype=False)
    pd.testing.assert_frame_equal(
        back.price_ranges["harmony"], result.price_ranges["harmony"], check_dtype=False
    )
    assert set(back.shadow_prices) == set(result.shadow_prices)
    for block, grid in result.shadow_prices.items():
        pd.testing.assert_frame_equal(back.shadow_prices[block], grid, check_dtype=False)
