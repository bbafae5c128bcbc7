"""pymrio's (region, sector) tables used with an economy built from the same system."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymrio
import pytest

from gosplan import Economy
from gosplan.errors import InputError, UnknownLabelError
from gosplan.generate import generate_economy
from gosplan.io.pymrio_io import (
    final_demand_from_pymrio,
    pymrio_labels,
    to_economy_labels,
    to_pymrio_labels,
)


@pytest.fixture(scope="module")
def eco(io: pymrio.IOSystem) -> Economy:
    return Economy.from_pymrio(io)


def test_gross_output_from_pymrio_final_demand(io: pymrio.IOSystem, eco: Economy) -> None:
    y = final_demand_from_pymrio(io, eco)
    assert isinstance(y, pd.Series) and y.name == "final_demand"
    assert list(y.index) == list(eco.product_labels)
    x = eco.gross_output(y)
    np.testing.assert_allclose(x.to_numpy(), io.x["indout"].to_numpy(), rtol=1e-9)
    # back to pymrio's index, compared label by label
    back = to_pymrio_labels(x, eco)
    assert back.index.equals(io.x.index)
    np.testing.assert_allclose(back.to_numpy(), io.x["indout"].to_numpy(), rtol=1e-9)


def test_final_demand_without_the_economy(io: pymrio.IOSystem, eco: Economy) -> None:
    y = final_demand_from_pymrio(pymrio.load_test())
    np.testing.assert_allclose(eco.gross_output(y).to_numpy(), io.x["indout"].to_numpy(), rtol=1e-9)


def test_final_demand_by_category(io: pymrio.IOSystem, eco: Economy) -> None:
    Y = final_demand_from_pymrio(io, eco, by_category=True)
    assert isinstance(Y, pd.DataFrame) and Y.columns.equals(io.Y.columns)
    X = eco.gross_output(Y)
    np.testing.assert_allclose(X.sum(axis=1).to_numpy(), io.x["indout"].to_numpy(), rtol=1e-9)


def test_relabel_a_subset_in_another_order(io: pymrio.IOSystem, eco: Economy) -> None:
    """Only region 2, reversed: still ``reg2/...`` (not sector alone, as one region would be)."""
    part = io.x["indout"].loc["reg2"].iloc[::-1]
    part.index = pd.MultiIndex.from_product([["reg2"], part.index], names=["region", "sector"])
    got = to_economy_labels(part, eco)
    assert got.index[0] == f"reg2/{part.index[0][1]}"
    want = eco.gross_output(final_demand_from_pymrio(io, eco))
    np.testing.assert_allclose(got.to_numpy(), want.loc[got.index].to_numpy(), rtol=1e-9)
    y = to_economy_labels(io.Y.sum(axis=1).loc[["reg2"]], eco)
    assert eco.gross_output(y).loc["reg1/food"] > 0  # partial demand, other products zero


def test_unknown_pair_is_refused(eco: Economy) -> None:
    index = pd.MultiIndex.from_tuples([("reg1", "food"), ("reg9", "food")])
    with pytest.raises(UnknownLabelError, match="reg9") as err:
        pymrio_labels(index, eco)
    assert err.value.label == "reg9/food"


def test_single_region_system_is_labelled_by_sector() -> None:
    small = generate_economy(12, seed=4)
    y = pd.Series(np.linspace(1, 12, small.n_products), index=small.product_labels)
    system = small.to_pymrio(final_demand=y)
    system.calc_all()
    back = Economy.from_pymrio(system)
    assert list(back.product_labels) == list(small.product_labels)
    x = back.gross_output(final_demand_from_pymrio(system, back))
    np.testing.assert_allclose(x.to_numpy(), system.x["indout"].to_numpy(), rtol=1e-9)
    # the original economy has no region/sector attributes: the last level names products
    assert list(pymrio_labels(system.x.index, small)) == list(small.product_labels)
    np.testing.assert_allclose(
        to_economy_labels(system.x["indout"], small).to_numpy(), x.to_numpy(), rtol=1e-12
    )


def test_flat_labels_pass_through(eco: Economy) -> None:
    assert list(pymrio_labels(pd.Index(["reg1/food"]), eco)) == ["reg1/food"]


def test_bad_inputs() -> None:
    io = pymrio.load_test()
    io.Y = None
    with pytest.raises(InputError, match="no final demand"):
        final_demand_from_pymrio(io)
    with pytest.raises(InputError, match="Series or DataFrame"):
        to_economy_labels([1.0, 2.0])  # type: ignore[arg-type]
    small = generate_economy(5, seed=1)
    with pytest.raises(UnknownLabelError):
        to_pymrio_labels(pd.Series({"nope": 1.0}), small)


def test_the_obvious_call_with_pymrio_labels_works(io: pymrio.IOSystem):
    eco = Economy.from_pymrio(io)
    x = eco.gross_output(io.Y.sum(axis=1))
    np.testing.assert_allclose(
        x.to_numpy(), to_economy_labels(io.x.iloc[:, 0], eco).reindex(x.index).to_numpy(), rtol=1e-9
    )
