"""Conversion from and to pymrio, checked against pymrio's own calculations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymrio
import pytest

from gosplan import Economy
from gosplan.errors import InputError
from gosplan.generate import generate_economy


def flat(index: pd.Index) -> list[str]:
    return [f"{region}/{sector}" for region, sector in index]


@pytest.fixture(scope="module")
def reference() -> pymrio.IOSystem:
    io = pymrio.load_test()
    io.calc_all()
    return io


@pytest.fixture(scope="module")
def eco() -> Economy:
    return Economy.from_pymrio(pymrio.load_test(), labour_extension="factor_inputs")


def test_from_pymrio_labels_and_coefficients(eco: Economy, reference: pymrio.IOSystem) -> None:
    assert list(eco.product_labels) == flat(reference.A.index)
    assert eco.products.loc["reg2/mining", "region"] == "reg2"
    assert eco.products.loc["reg2/mining", "sector"] == "mining"
    assert eco.products.loc["reg2/mining", "unit"] == reference.unit.loc[("reg2", "mining"), "unit"]
    np.testing.assert_allclose(eco.technology.toarray(), reference.A.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        eco.labour.toarray(), reference.factor_inputs.S.to_numpy(), rtol=1e-12
    )
    assert list(eco.labour_types) == list(reference.factor_inputs.S.index)


def test_gross_output_agrees_with_pymrio(eco: Economy, reference: pymrio.IOSystem) -> None:
    y = pd.Series(reference.Y.sum(axis=1).to_numpy(), index=flat(reference.Y.index))
    x = eco.gross_output(y)
    np.testing.assert_allclose(x.to_numpy(), reference.x["indout"].to_numpy(), rtol=1e-9)


def test_output_multipliers_agree_with_pymrio(eco: Economy, reference: pymrio.IOSystem) -> None:
    m = eco.multipliers("output")
    np.testing.assert_allclose(m.to_numpy(), reference.L.sum(axis=0).to_numpy(), rtol=1e-9)
    assert list(m.index) == flat(reference.L.columns)


def test_factor_multipliers_agree_with_pymrio(eco: Economy, reference: pymrio.IOSystem) -> None:
    """pymrio's M = S L: total factor input per unit of final demand."""
    m = eco.multipliers("employment")
    np.testing.assert_allclose(
        m.to_numpy(), reference.factor_inputs.M.to_numpy().ravel(), rtol=1e-9
    )


def test_from_flows_only_system() -> None:
    """A system with Z and Y but no A: pymrio's calc_system derives it."""
    io = pymrio.load_test()
    assert io.A is None and io.Z is not None
    eco = Economy.from_pymrio(io)
    io.calc_system()
    np.testing.assert_allclose(eco.technology.toarray(), io.A.to_numpy(), rtol=1e-12)


def test_unknown_extension_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"no extension 'jobs'.*factor_inputs"):
        Economy.from_pymrio(pymrio.load_test(), labour_extension="jobs")


@pytest.fixture(scope="module")
def small() -> Economy:
    return generate_economy(30, seed=3, labour_types=2)


def test_to_pymrio_gross_output(small: Economy) -> None:
    rng = np.random.default_rng(5)
    y = pd.Series(rng.uniform(0, 10, small.n_products), index=small.product_labels)
    io = small.to_pymrio(final_demand=y)
    io.calc_all()
    want = small.gross_output(y)
    np.testing.assert_allclose(io.x["indout"].to_numpy(), want.to_numpy(), rtol=1e-9)
    assert [sector for _, sector in io.x.index] == list(small.product_labels)
    # labour as an extension: pymrio's D_cba (footprints) equals gosplan's labour required
    np.testing.assert_allclose(
        io.labour.D_cba.sum(axis=1).to_numpy(), small.labour_required(y).to_numpy(), rtol=1e-9
    )


def test_to_pymrio_several_demand_categories(small: Economy) -> None:
    Y = pd.DataFrame(
        {"households": np.ones(small.n_products), "exports": np.arange(small.n_products)},
        index=small.product_labels,
    )
    io = small.to_pymrio(final_demand=Y)
    io.calc_all()
    want = small.gross_output(Y.sum(axis=1))
    np.testing.assert_allclose(io.x["indout"].to_numpy(), want.to_numpy(), rtol=1e-9)


@pytest.mark.filterwarnings("ignore:No attributes available to get Y categories")
def test_pymrio_roundtrip_keeps_a_and_labour(small: Economy) -> None:
    back = Economy.from_pymrio(small.to_pymrio(), labour_extension="labour")
    assert list(back.product_labels) == list(small.product_labels)
    np.testing.assert_array_equal(back.technology.toarray(), small.technology.toarray())
    assert list(back.labour_types) == list(small.labour_types)
    np.testing.assert_array_equal(back.labour.toarray(), small.labour.toarray())


@pytest.mark.filterwarnings("ignore:No attributes available to get Y categories")
def test_multiregional_roundtrip_keeps_labels(eco: Economy) -> None:
    back = Economy.from_pymrio(eco.to_pymrio(), labour_extension="labour")
    assert list(back.product_labels) == list(eco.product_labels)
    np.testing.assert_array_equal(back.technology.toarray(), eco.technology.toarray())
    np.testing.assert_array_equal(back.labour.toarray(), eco.labour.toarray())
