"""PlanSpec.to_dict / from_dict: the plan specification as a strict-JSON document.

Evidence: every bundled ussr-1928 variant and a plan of every table come back exactly; the
document is what ``write_spec`` writes (settings of ``plan.toml``, cells of the CSV files,
compared cell by cell without the reader); random plans (the strategy of the independent LP
test) come back as they come back from disk; bad documents are refused naming the table, the
row (as in a file: the list's index + 2) and the column.
"""

from __future__ import annotations

import copy
import json
import tempfile
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from gosplan.core.economy import Economy
from gosplan.core.rules import PLAN_TABLE_NAMES
from gosplan.core.spec import PlanSpec
from gosplan.core.spec_document import spec_from_dict, spec_to_dict
from gosplan.datasets import list_specs, spec_path
from gosplan.errors import InputError, ValidationError
from gosplan.plan import read_spec, write_spec
from plan._plan_fixtures import full_spec
from plan.test_independent_lp import plan_specs

SCENARIO = "ussr-1928"
ECONOMY = f"scenario:{SCENARIO}"
SETTINGS = (
    "periods",
    "objective",
    "default_lag",
    "discount",
    "terminal_growth",
    "trade_deficit",
    "investment_share",
    "name",
    "storable",
    "terminal",
    "sense",
)


@cache
def bundled(variant: str) -> PlanSpec:
    return read_spec(spec_path(SCENARIO, variant))


@cache
def economy() -> Economy:
    return bundled("basic").economy


def assert_same_spec(got: PlanSpec, want: PlanSpec, *, check_dtype: bool = True) -> None:
    """Equal settings and tables; without ``check_dtype`` also in any column order."""
    for name in SETTINGS:
        assert getattr(got, name) == getattr(want, name), name
    for name in PLAN_TABLE_NAMES:
        if name == "consumption_weights":
            if want.consumption_weights is None:
                assert got.consumption_weights is None
            else:
                pd.testing.assert_series_equal(
                    got.consumption_weights,
                    want.consumption_weights,
                    check_dtype=check_dtype,
                    check_index_type=check_dtype,
                    check_names=check_dtype,
                )
            continue
        a, b = getattr(got, name), getattr(want, name)
        if not check_dtype and not len(a) and not len(b):
            continue  # an absent table: no columns, or the default's object columns
        pd.testing.assert_frame_equal(
            a, b, check_dtype=check_dtype, check_like=not check_dtype, obj=name
        )


def problems_of(doc: dict[str, Any]) -> list[InputError]:
    with pytest.raises(ValidationError) as caught:
        PlanSpec.from_dict(doc, economy())
    return caught.value.problems


def basic_doc() -> dict[str, Any]:
    return copy.deepcopy(bundled("basic").to_dict(ECONOMY))


# ---------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("variant", list_specs(SCENARIO))
def test_bundled_specs_round_trip_exactly(variant: str) -> None:
    spec = bundled(variant)
    doc = spec.to_dict(economy=ECONOMY)
    text = json.dumps(doc, allow_nan=False)
    back = PlanSpec.from_dict(json.loads(text), economy=spec.economy)
    assert_same_spec(back, spec)
    assert back.to_dict(ECONOMY) == doc
    assert doc["economy"] == ECONOMY and "economy" not in spec.to_dict()


def test_a_plan_of_every_table_round_trips_exactly() -> None:
    spec = full_spec()
    doc = spec_to_dict(spec)
    assert set(doc["tables"]) == set(PLAN_TABLE_NAMES) - {"storage", "construction_in_progress"}
    back = spec_from_dict(json.loads(json.dumps(doc, allow_nan=False)), spec.economy)
    assert_same_spec(back, spec)
    limits = doc["tables"]["investment_limits"]
    assert [row["period"] for row in limits] == [1930, None]  # a blank cell is null
    assert all("min" not in row for row in limits)  # an absent column is not written
    weights = doc["tables"]["objective_weights"]
    assert weights[1] == {"quantity": "employment", "label": None, "period": None, "weight": -0.25}


def _cell_agrees(text: str, value: Any) -> bool:
    if value is None:
        return text == ""
    if isinstance(value, str):
        return text == value
    if isinstance(value, int):
        return text == str(value)
    return float(text) == value


@pytest.mark.parametrize("variant", ["optimum", "frontier"])
def test_the_document_is_what_write_spec_writes(tmp_path: Path, variant: str) -> None:
    spec = bundled(variant)
    doc = spec.to_dict(ECONOMY)
    root = write_spec(spec, tmp_path, "csv", economy_path=ECONOMY)
    manifest = tomllib.loads((root / "plan.toml").read_text(encoding="utf-8"))
    files = manifest.pop("tables")
    assert {k: v for k, v in doc.items() if k != "tables"} == manifest
    assert list(doc) == [*manifest, "tables"]
    assert list(doc["tables"]) == list(files)
    for name, file in files.items():
        frame = pd.read_csv(root / file, dtype=str, keep_default_na=False)
        rows = doc["tables"][name]
        assert len(frame) == len(rows), name
        for row, record in zip(rows, frame.to_dict(orient="records"), strict=True):
            assert list(row) == list(record), name
            bad = [c for c in row if not _cell_agrees(record[c], row[c])]
            assert bad == [], (name, row, record)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=plan_specs())
def test_random_plans_round_trip_as_through_the_files(spec: PlanSpec) -> None:
    doc = spec.to_dict("economy")
    back = PlanSpec.from_dict(json.loads(json.dumps(doc, allow_nan=False)), spec.economy)
    assert_same_spec(back, spec, check_dtype=False)
    assert back.to_dict("economy") == doc
    with tempfile.TemporaryDirectory() as folder:
        disk = read_spec(write_spec(spec, folder, "csv", economy_path="x"), economy=spec.economy)
    assert_same_spec(back, disk)


def test_start_and_horizon_and_null_settings_are_read_as_in_a_manifest() -> None:
    doc = basic_doc()
    del doc["periods"]
    doc |= {"start": 1929, "horizon": 5, "terminal_growth": None, "description": "words"}
    back = PlanSpec.from_dict(doc, economy())
    assert back.periods == bundled("basic").periods and back.terminal_growth is None
    doc["tables"]["assortment"] = []  # an empty table is no table
    assert len(PlanSpec.from_dict(doc, economy()).assortment) == 0


# ---------------------------------------------------------------------------- bad documents
def test_bad_cells_are_named_by_table_row_and_column_all_at_once() -> None:
    doc = basic_doc()
    targets = doc["tables"]["targets"]
    targets[2]["target"] = "plenty"  # a string in a number column
    targets[3]["tagret"] = 5.0  # an unknown column (a column without a rule holds text)
    targets[4]["product"] = 7  # a label that is not text
    doc["tables"]["lags"][0]["lag"] = 1.5  # not a whole number
    found = {(p.source, p.row, p.label, p.check): p.message for p in problems_of(doc)}
    where = "spec document: targets"
    p2, p3 = targets[2]["product"], targets[3]["product"]
    assert found[(where, 4, p2, "non_numeric")] == "target is not a number: 'plenty'"
    assert "tagret" in found[(where, 5, p3, "unknown_key")]
    assert found[(where, 6, "7", "bad_setting")] == "product must be text, got 7"
    lag = found[("spec document: lags", 2, doc["tables"]["lags"][0]["activity"], "non_numeric")]
    assert lag == "lag must be a whole number, got 1.5"


def test_an_unknown_table_is_named() -> None:
    doc = basic_doc()
    doc["tables"]["tragets"] = doc["tables"].pop("targets")
    (problem,) = [p for p in problems_of(doc) if p.check == "unknown_key"]
    assert (problem.source, problem.label) == ("spec document: tables", "tragets")


def test_a_missing_required_column_is_named() -> None:
    doc = basic_doc()
    for row in doc["tables"]["targets"]:
        del row["target"]
    (problem,) = problems_of(doc)
    assert problem.source == "spec document: targets" and problem.check == "missing_column"
    assert "'target'" in problem.message
    doc = basic_doc()
    del doc["tables"]["targets"][1]["target"]  # one row without it: a missing cell
    (problem,) = problems_of(doc)
    assert (problem.row, problem.check, problem.message) == (
        3,
        "missing_value",
        "target is missing",
    )


def test_settings_keys_and_the_spec_checks_are_reported() -> None:
    doc = basic_doc()
    doc |= {"discount": "high", "colour": "red"}
    doc["tables"]["targets"][0]["product"] = "unobtainium"
    found = {(p.label, p.check) for p in problems_of(doc)}
    assert {("discount", "bad_setting"), ("colour", "unknown_key")} <= found
    assert ("unobtainium", "unknown_label") in found
    doc = basic_doc()
    doc["periods"] = [1929, 1929]
    (problem,) = problems_of(doc)
    assert (problem.label, problem.message) == (
        "periods",
        "periods must be distinct and increasing",
    )


def test_a_document_needs_an_economy_value_and_a_mapping() -> None:
    with pytest.raises(InputError, match="scenario:ussr-1928") as caught:
        PlanSpec.from_dict(basic_doc())
    assert caught.value.check == "bad_argument"
    with pytest.raises(InputError) as caught:
        spec_from_dict([], economy())  # type: ignore[arg-type]
    assert caught.value.check == "bad_argument"
