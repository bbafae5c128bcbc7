"""Stocks only for the products that can be stored, with their loss and largest stock."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec
from gosplan.plan.writer import write_spec

from .conftest import frame, one_product

YEARS = (2000, 2001)


def bank(**changes: object) -> PlanSpec:
    """One product, capacity 10 a year, wanted only in the second year: the common level is
    what can be made in 2001 plus what 2000's output can carry over."""
    spec = PlanSpec(
        economy=one_product(capacity=10.0),
        periods=YEARS,
        objective="max_level",
        assortment=frame(product=["a"], weight=[1.0], period=[2001]),
    )
    return spec.with_changes(**changes) if changes else spec.validated()


def level(spec: PlanSpec) -> float:
    result = optimise(spec)
    assert result.status == "optimal" and result.verification.passed
    return float(result.level)


def test_a_product_not_listed_cannot_be_carried():
    assert level(bank()) == pytest.approx(10.0)


def test_a_listed_product_carries_its_stock():
    assert level(bank(storage=frame(product=["a"]))) == pytest.approx(20.0)


def test_every_product_can_be_carried_when_storable_is_all():
    assert level(bank(storable="all")) == pytest.approx(20.0)


def test_storage_loses_its_share_each_period():
    spec = bank(storage=frame(product=["a"], loss=[0.5]))
    result = optimise(spec)
    assert result.level == pytest.approx(15.0)
    assert result.stocks.loc["a", 2000] == pytest.approx(10.0)


def test_the_largest_stock_bounds_what_is_carried():
    spec = bank(storage=frame(product=["a"], loss=[0.0], max_stock=[4.0]))
    result = optimise(spec)
    assert result.level == pytest.approx(14.0)
    assert result.stocks.loc["a", 2000] <= 4.0 + 1e-9


def test_an_initial_stock_makes_a_product_storable():
    spec = bank(initial_stocks=frame(product=["a"], stock=[3.0]))
    assert level(spec) == pytest.approx(23.0)


def test_storage_loss_must_be_below_one():
    with pytest.raises(InputError, match="storage loss must be below 1") as err:
        bank(storage=frame(product=["a"], loss=[1.0]))
    assert err.value.row == 2 and err.value.label == "a"


def test_storage_round_trips_and_bad_rows_name_file_row_and_label(tmp_path: Path):
    spec = bank(storage=frame(product=["a"], loss=[0.25], max_stock=[4.0]))
    write_spec(spec, tmp_path / "plan")
    back = read_spec(tmp_path / "plan", economy=spec.economy)
    assert back.storable == "listed"
    pd.testing.assert_series_equal(back.storage_loss(), spec.storage_loss())
    pd.testing.assert_series_equal(back.storage_capacity(), spec.storage_capacity())
    table = next((tmp_path / "plan").glob("storage.*"))
    table.write_text("product,loss\nb,0.1\n")
    with pytest.raises(InputError) as err:
        read_spec(tmp_path / "plan", economy=spec.economy)
    assert err.value.row == 2 and err.value.label == "b" and "storage" in str(err.value)


def test_storable_must_be_listed_or_all(tmp_path: Path):
    spec = bank()
    write_spec(spec, tmp_path / "plan")
    manifest = tmp_path / "plan" / "plan.toml"
    manifest.write_text('storable = "everything"\n' + manifest.read_text())
    with pytest.raises(InputError, match="storable must be 'listed'"):
        read_spec(tmp_path / "plan", economy=spec.economy)


def test_stocks_of_a_product_that_cannot_be_stored_fail_verification():
    from gosplan.plan.verify import verify

    listed = bank(storage=frame(product=["a"]))
    result = optimise(listed)
    assert result.stocks.loc["a", 2000] > 1.0
    # the same plan checked against a spec in which 'a' cannot be stored
    report = verify(result, bank(), tol=1e-6)
    assert not report.passed and report.max_violation["storage"] > 1.0
    assert verify(result, listed, tol=1e-6).passed
