"""write_spec: the layout read_spec reads, exact round trips in every format."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.reader import PLAN_TABLES, read_spec
from gosplan.plan.writer import write_spec

from ._plan_fixtures import full_spec, two_sector

SETTINGS = (
    "periods",
    "objective",
    "default_lag",
    "discount",
    "terminal_growth",
    "trade_deficit",
    "investment_share",
    "name",
    "terminal",
    "sense",
)


def assert_same_plan(got: PlanSpec, want: PlanSpec) -> None:
    for name in SETTINGS:
        assert getattr(got, name) == getattr(want, name), name
    for name in PLAN_TABLES:
        if name == "consumption_weights":
            if want.consumption_weights is None:
                assert got.consumption_weights is None
            else:
                pd.testing.assert_series_equal(got.consumption_weights, want.consumption_weights)
            continue
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), obj=name)


def assert_same_economy(got, want) -> None:
    pd.testing.assert_index_equal(got.product_labels, want.product_labels)
    pd.testing.assert_index_equal(got.activity_labels, want.activity_labels)
    for attr in ("technology", "labour", "resources", "capital"):
        np.testing.assert_array_equal(
            getattr(got, attr).toarray(), getattr(want, attr).toarray(), err_msg=attr
        )
    np.testing.assert_array_equal(got.capacity, want.capacity)
    np.testing.assert_array_equal(got.service_life, want.service_life)
    assert got.products["group"].tolist() == want.products["group"].tolist()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "excel"])
def test_round_trip_every_field(tmp_path, fmt):
    spec = full_spec()
    root = write_spec(spec, tmp_path / "plan", format=fmt, economy_path=tmp_path / "eco")
    got = read_spec(root, economy=spec.economy)
    assert_same_plan(got, spec)
    # A second pass reproduces the first exactly, too.
    again = read_spec(
        write_spec(got, tmp_path / "again", format=fmt, economy_path="x"), economy=spec.economy
    )
    assert_same_plan(again, got)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "excel"])
def test_round_trip_with_economy(tmp_path, fmt):
    spec = full_spec()
    root = write_spec(spec, tmp_path / "plan", format=fmt)
    manifest = tomllib.loads((root / "plan.toml").read_text())
    assert manifest["economy"] == "economy"
    got = read_spec(root)
    assert_same_plan(got, spec)
    assert_same_economy(got.economy, spec.economy)


def test_empty_tables_are_not_written(tmp_path):
    spec = PlanSpec(economy=two_sector(), periods=(1, 2), objective="max_consumption")
    root = write_spec(spec, tmp_path, economy_path=tmp_path / "eco")
    manifest = tomllib.loads((root / "plan.toml").read_text())
    assert "tables" not in manifest
    assert "terminal_growth" not in manifest and "investment_share" not in manifest
    assert sorted(p.name for p in root.iterdir()) == ["plan.toml"]
    got = read_spec(root, economy=spec.economy)
    assert_same_plan(got, spec)


def test_economy_path_is_relative_or_a_scenario(tmp_path):
    spec = PlanSpec(economy=two_sector(), periods=(1,), objective="max_consumption")
    root = write_spec(spec, tmp_path / "plans" / "p", economy_path=tmp_path / "eco")
    assert tomllib.loads((root / "plan.toml").read_text())["economy"] == "../../eco"
    root = write_spec(spec, tmp_path / "q", economy_path="scenario:ussr-1928")
    assert tomllib.loads((root / "plan.toml").read_text())["economy"] == "scenario:ussr-1928"


def test_unknown_format(tmp_path):
    with pytest.raises(InputError, match="unknown format 'xml'"):
        write_spec(full_spec(), tmp_path, format="xml", economy_path="x")


def test_scenario_economy_and_utf8_bom(tmp_path, monkeypatch):
    import gosplan.datasets
    from gosplan.io import write_economy

    spec = full_spec()
    write_economy(spec.economy, tmp_path / "bundled", format="csv")
    monkeypatch.setattr(
        gosplan.datasets,
        "scenario_path",
        lambda name: tmp_path / "bundled" if name == "ussr-1928" else None,
        raising=False,
    )
    root = write_spec(spec, tmp_path / "plan", economy_path="scenario:ussr-1928")
    targets = root / "targets.csv"
    targets.write_bytes(b"\xef\xbb\xbf" + targets.read_bytes())  # as Excel saves CSV
    got = read_spec(root)
    assert_same_plan(got, spec)
    assert_same_economy(got.economy, spec.economy)


def test_an_infeasible_plan_writes_strict_json(tmp_path):
    import json

    from gosplan.datasets import spec_path
    from gosplan.plan.optimise import optimise

    result = optimise(read_spec(spec_path("ussr-1928", "amended")))
    assert result.status == "infeasible"

    def refuse(token: str) -> None:
        raise ValueError(f"not strict JSON: {token}")

    one_file = result.write(tmp_path / "r.json", "json")
    folder = result.write(tmp_path / "r", "csv")
    for path in (one_file, folder / "plan.json"):
        doc = json.loads(path.read_text(), parse_constant=refuse)
        assert doc["status"] == "infeasible" and doc["objective"] is None
