"""The bundled textbook examples: each loads by name, has its documented shape, and gives the
answer its source publishes.

The published numbers are typed here from the books (not read from
``gosplan.datasets.textbook``), so that a mistyped dataset fails these tests:

* Miller & Blair, *Input-Output Analysis*, 2nd ed. (2009), ch. 2, sec. 2.3.1, Table 2.3:
  ``Z = [[150, 500], [200, 100]]``, ``f = [350, 1700]``, ``x = [1000, 2000]``, value added
  ``[650, 1400]``, ``A = [[.15, .25], [.20, .05]]``, ``(I - A)^-1 = [[1.254, .330],
  [.264, 1.122]]`` (three decimals) and, for ``f_new = [600, 1500]``,
  ``x_new = [1247.52, 1841.58]``.
* Feldman (1928), in Domar's form (1957): with a share ``gamma`` of investment going to the
  capital-goods sector, whose capital-output ratio is ``v1``, capital-goods capacity (and
  investment) grows at the rate ``gamma / v1``: by ``1 + gamma / v1`` per period in discrete
  time.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from gosplan import Economy
from gosplan.core.spec import PlanSpec
from gosplan.datasets import examples, list_specs, load
from gosplan.datasets import textbook as tb
from gosplan.errors import InputError

# name -> (kind, products, labour types, resources, periods of a plan)
SHAPES = {
    "miller-blair-2x2": ("economy", 2, 0, 0, None),
    "miller-blair-level-plan": ("plan", 2, 1, 0, (1928, 1929)),
    "feldman": ("economy", 2, 1, 0, None),
    "feldman-plan": ("plan", 2, 1, 0, tuple(range(8))),
    "steel-cloth": ("economy", 2, 1, 1, None),
    "steel-cloth-plan": ("plan", 2, 1, 0, (1, 2, 3, 4)),
    "three-sector": ("economy", 3, 2, 1, None),
    "three-sector-plan": ("plan", 3, 2, 1, (1929, 1930, 1931, 1932, 1933)),
    "one-product": ("economy", 1, 1, 0, None),
    "one-product-plan": ("plan", 1, 1, 0, (1,)),
    "ussr-1928": ("economy", 25, None, None, None),
}


def test_every_textbook_example_is_listed_with_description_and_source():
    table = examples()
    assert list(table.columns) == ["kind", "description", "source", "options"]
    assert set(SHAPES) <= set(table.index)
    for name, row in table.iterrows():
        assert row["kind"] in ("economy", "plan"), name
        assert row["description"].strip() and "\n" not in row["description"], name
        assert row["source"].strip(), name
    assert "Miller & Blair" in table.loc["miller-blair-2x2", "source"]
    assert "2nd ed." in table.loc["miller-blair-2x2", "source"]
    assert "Table 2.3" in table.loc["miller-blair-2x2", "source"]
    assert "Feldman" in table.loc["feldman-plan", "source"]
    # every plan variant of the bundled scenario is listed too
    assert {f"ussr-1928/{v}" for v in list_specs("ussr-1928")} <= set(table.index)


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_example_loads_with_its_documented_shape(name):
    kind, n_products, n_labour, n_resources, periods = SHAPES[name]
    obj = load(name)
    assert examples().loc[name, "kind"] == kind
    if kind == "plan":
        assert isinstance(obj, PlanSpec)
        assert obj.periods == periods
        eco = obj.economy
    else:
        assert isinstance(obj, Economy)
        eco = obj
    assert eco.n_products == n_products
    if n_labour is not None:
        assert len(eco.labour_types) == n_labour
        assert len(eco.resource_types) == n_resources
    # a fresh object each time: changing one cannot change the next
    assert load(name) is not obj


def test_every_scenario_plan_variant_loads():
    for variant in list_specs("ussr-1928"):
        spec = load(f"ussr-1928/{variant}")
        assert isinstance(spec, PlanSpec)
        assert spec.economy.n_products == 25


# --------------------------------------------------------------- Miller & Blair (2009)
MB_Z = [[150.0, 500.0], [200.0, 100.0]]
MB_F = [350.0, 1700.0]
MB_X = [1000.0, 2000.0]
MB_V = [650.0, 1400.0]
MB_A = [[0.15, 0.25], [0.20, 0.05]]
MB_L = [[1.254, 0.330], [0.264, 1.122]]  # printed to three decimals
MB_F_NEW = [600.0, 1500.0]
MB_X_NEW = [1247.52, 1841.58]  # printed to two decimals


def test_miller_blair_data_are_the_books():
    mb = tb.MILLER_BLAIR_2X2
    assert mb.flows == tuple(map(tuple, MB_Z))
    assert mb.final_demand == tuple(MB_F)
    assert mb.gross_output == tuple(MB_X)
    assert mb.value_added == tuple(MB_V)
    assert mb.coefficients == tuple(map(tuple, MB_A))
    assert mb.leontief_inverse == tuple(map(tuple, MB_L))
    assert mb.new_final_demand == tuple(MB_F_NEW)
    assert mb.new_gross_output == tuple(MB_X_NEW)
    # the table balances: x = Z 1 + f and x = 1'Z + v
    Z = np.array(MB_Z)
    np.testing.assert_allclose(Z.sum(axis=1) + MB_F, MB_X)
    np.testing.assert_allclose(Z.sum(axis=0) + MB_V, MB_X)


def test_miller_blair_coefficients_and_leontief_inverse(miller_blair):
    eco = miller_blair
    assert list(eco.product_labels) == ["a", "b"]
    np.testing.assert_allclose(eco.coefficients().to_numpy(), MB_A, rtol=1e-15)
    # A = Z diag(x)^-1 from the book's flows gives the book's coefficients
    flows = Economy.from_flows(
        pd.DataFrame(MB_Z, index=["a", "b"], columns=["a", "b"]), pd.Series(MB_X, ["a", "b"])
    )
    np.testing.assert_allclose(flows.coefficients().to_numpy(), MB_A, rtol=1e-12)
    np.testing.assert_allclose(eco.leontief_inverse().to_numpy(), MB_L, atol=5e-4)
    # exactly: (I - A)^-1 = [[.95, .25], [.20, .85]] / .7575
    np.testing.assert_allclose(
        eco.leontief_inverse().to_numpy(), np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575
    )


def test_miller_blair_gross_output_for_the_books_final_demands():
    eco = load("miller-blair-2x2")
    x = eco.gross_output(pd.Series(MB_F, ["a", "b"]))
    np.testing.assert_allclose(x.to_numpy(), MB_X, rtol=1e-12)
    x_new = eco.gross_output(pd.Series(MB_F_NEW, ["a", "b"]))
    np.testing.assert_allclose(x_new.to_numpy(), MB_X_NEW, atol=0.005)
    sheet = eco.balance_sheet(pd.Series(MB_F, ["a", "b"]))
    np.testing.assert_allclose(sheet["intermediate_use"], np.array(MB_Z).sum(axis=1))


def test_miller_blair_options():
    eco = load("miller-blair-2x2", labour=True, groups=True, labels=("agri", "manu"), name="x")
    assert list(eco.product_labels) == ["agri", "manu"]
    assert eco.meta.name == "x"
    assert eco.products["group"].tolist() == ["means of production", "consumer goods"]
    np.testing.assert_allclose(eco.labour_coefficients().to_numpy(), [[0.3, 0.2]])
    # labour values l (I - A)^-1 = [.325, .245] / .7575 (by hand)
    np.testing.assert_allclose(eco.labour_values()["labour"], np.array([0.325, 0.245]) / 0.7575)
    assert "illustrative" in eco.meta.source and "Table 2.3" in eco.meta.source
    capped = load("miller-blair-2x2", capacity=pd.Series({"a": 900.0}))
    assert capped.capacities().tolist() == [900.0, np.inf]
    with pytest.raises(InputError, match="groups=True or products"):
        load("miller-blair-2x2", groups=True, products=pd.DataFrame(index=["a", "b"]))


def test_miller_blair_level_plan_reaches_the_hand_derived_level():
    from gosplan.plan.optimise import optimise

    result = optimise(load("miller-blair-level-plan"))
    assert result.status == "optimal" and result.verification.passed
    # theta = 570 * .7575 / .57 = 757.5, x = [1.2, 1.05] / .7575 * theta = [1200, 1050]
    assert float(result.level) == pytest.approx(757.5, rel=1e-9)
    np.testing.assert_allclose(result.output[1929].to_numpy(), [1200.0, 1050.0], rtol=1e-9)


# ------------------------------------------------------------------ Feldman (1928)
@pytest.mark.parametrize(("v1", "gamma"), [(2.0, 0.3), (3.0, 0.5)])
def test_feldman_capital_goods_capacity_grows_at_gamma_over_v1(v1, gamma):
    from gosplan.plan.optimise import optimise

    T, k1 = 8, 10.0
    spec = load("feldman-plan", v1=v1, gamma=gamma, periods=T, k1=k1)
    assert spec.investment_share == gamma
    assert spec.economy.capital.toarray().tolist() == [[v1, v1], [0.0, 0.0]]
    result = optimise(spec)
    assert result.status == "optimal" and result.verification.passed
    np.testing.assert_allclose(
        result.capacity.loc["capital"].to_numpy(), k1 * (1 + gamma / v1) ** np.arange(T), rtol=1e-6
    )


def test_feldman_economy_options():
    eco = load("feldman", v1=1.5, k1=3.0, k2=4.0)
    assert list(eco.product_labels) == ["capital", "consumer"]
    assert eco.capacities().tolist() == [3.0, 4.0]
    assert eco.technology.nnz == 0
    assert "Feldman" in eco.meta.source


# ----------------------------------------------------------------- illustrative ones
def test_illustrative_examples_say_so():
    for name in ("steel-cloth", "three-sector", "one-product"):
        assert "illustrative" in load(name).meta.source
        assert "illustrative" in examples().loc[name, "source"]


def test_plan_options():
    assert load("miller-blair-level-plan", periods=(1, 2, 3)).periods == (1, 2, 3)
    one = load("one-product-plan", labour=4.0, target=7.0)
    assert one.labour_available["available"].tolist() == [4.0]
    assert one.targets["target"].tolist() == [7.0]
    harmony = load("three-sector-plan", objective="harmony")
    assert harmony.objective == "harmony"
    other = load("three-sector-plan", economy=load("three-sector", name="mine"))
    assert other.economy.meta.name == "mine"
    cheap = load("steel-cloth", capacity=(5.0, 6.0), capital=1.0, coal=False)
    assert cheap.capacities().tolist() == [5.0, 6.0]
    assert len(cheap.resource_types) == 0


# -------------------------------------------------------------------------- errors
def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(InputError) as err:
        load("miller-blair-3x3")
    message = str(err.value)
    assert "unknown example 'miller-blair-3x3'" in message
    for name in examples().index:
        assert name in message
    assert err.value.check == "unknown_example"


def test_an_unknown_option_lists_the_examples_options():
    with pytest.raises(InputError, match=r"takes no option 'v2'; its options: v1, k1, k2, name"):
        load("feldman", v2=3.0)
    with pytest.raises(InputError, match="takes no options"):
        load("ussr-1928", labour=True)


def test_importing_the_datasets_loads_no_solver_plotting_or_cli_library():
    forbidden = ("highspy", "matplotlib", "typer", "rich", "dask")
    code = (
        "import sys, gosplan.datasets as d; d.load('miller-blair-2x2'); d.examples(); "
        f"print(sorted(m for m in {forbidden!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
