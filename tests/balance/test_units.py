"""Products in different units: output multipliers and linkages warn, and a value-weighted form.

Coal in tonnes, power in kWh. Counting coal in kilotonnes instead (``d = [1000, 1]``) rescales
the coefficients to ``A' = D^-1 A D``, labour to ``l D``, prices to ``p D`` and gross output to
``D^-1 x``; the value-weighted indices must not move, while the plain sums do.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from gosplan import Economy
from gosplan.balance.linkages import linkages
from gosplan.balance.multipliers import (
    mixed_units_note,
    multiplier_table,
    multipliers,
    product_units,
    value_weights,
)
from gosplan.errors import InputError, UnknownLabelError

LOGGER = "gosplan.balance.multipliers"
LABELS = ["coal", "power"]
A_T = np.array([[0.1, 0.0005], [400.0, 0.05]])  # t coal per kWh; kWh per t of coal
LABOUR_T = np.array([2.0, 0.01])  # hours per t, per kWh
PRICES_T = np.array([50.0, 0.08])  # roubles per t, per kWh
X_T = np.array([1.0e6, 8.0e8])  # t, kWh
SCALE = np.array([1000.0, 1.0])  # coal counted in kt


def economy(units: tuple[str, str] = ("t", "kWh"), scale: np.ndarray | None = None) -> Economy:
    d = np.ones(2) if scale is None else scale
    A = pd.DataFrame(A_T * d[None, :] / d[:, None], index=LABELS, columns=LABELS)
    labour = pd.Series(LABOUR_T * d, index=LABELS)
    products = pd.DataFrame({"unit": list(units)}, index=LABELS)
    return Economy.from_coefficients(A, labour=labour, products=products)


@pytest.fixture
def tonnes() -> Economy:
    return economy()


@pytest.fixture
def kilotonnes() -> Economy:
    return economy(("kt", "kWh"), SCALE)


def prices(scale: np.ndarray | None = None) -> pd.Series:
    return pd.Series(PRICES_T * (np.ones(2) if scale is None else scale), index=LABELS)


# ---------------------------------------------------------------------- warning and note
def test_output_multipliers_warn_and_note_mixed_units(
    tonnes: Economy, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        m = multipliers(tonnes, "output")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "(t, kWh)" in warnings[0].getMessage()
    assert "different units" in m.attrs["note"] and "(t, kWh)" in m.attrs["note"]
    assert "weights='labour'" in m.attrs["note"]
    assert m.attrs["weights"] is None


def test_linkages_warn_and_note_mixed_units(
    tonnes: Economy, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        out = linkages(tonnes)
    assert any("(t, kWh)" in r.getMessage() for r in caplog.records)
    assert out.attrs["note"].startswith("backward and forward linkages")
    ghosh = linkages(tonnes, gross_output=pd.Series(X_T, index=LABELS))
    assert ghosh.attrs["note"].startswith("backward linkages add")


def test_multiplier_table_warns_once(tonnes: Economy, caplog: pytest.LogCaptureFixture) -> None:
    h = pd.Series({"coal": 0.001, "power": 2.0})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        table = multiplier_table(tonnes, household_consumption=h)
    assert "output_II" in table.columns
    assert len([r for r in caplog.records if "different units" in r.getMessage()]) == 1
    assert "(t, kWh)" in table.attrs["note"]


def test_one_unit_or_blank_units_do_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        same = multipliers(economy(("m roubles", "m roubles")), "output")
        blank = linkages(economy(("", "")))
        partly = multipliers(economy(("t", "")), "output")
    assert not caplog.records
    assert same.attrs["note"] is None and blank.attrs["note"] is None
    assert partly.attrs["note"] is None


def test_income_and_employment_multipliers_do_not_warn(
    tonnes: Economy, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for kind in ("income", "employment"):
            assert multipliers(tonnes, kind).attrs["note"] is None
    assert not caplog.records


def test_units_listed_once_in_product_order() -> None:
    eco = economy(("kWh", "t"))
    assert product_units(eco) == ["kWh", "t"]
    assert product_units(economy(("t", " t "))) == ["t"]
    assert mixed_units_note(economy(("t", "t")), "x") is None


# ---------------------------------------------------------------------- value-weighted form
def test_weighted_multipliers_are_value_sums(tonnes: Economy) -> None:
    L = tonnes.leontief_inverse().to_numpy()
    v = LABOUR_T @ L  # labour values
    m = multipliers(tonnes, "output", weights="labour")
    np.testing.assert_allclose(m.to_numpy(), (v @ L) / v, rtol=1e-12)
    assert m.attrs["weights"] == "labour values" and m.attrs["note"] is None
    assert m.name == "output multiplier (type I, weighted by labour values)"
    mp = multipliers(tonnes, "output", weights=prices())
    np.testing.assert_allclose(mp.to_numpy(), (PRICES_T @ L) / PRICES_T, rtol=1e-12)
    assert mp.attrs["weights"] == "prices"


def test_weighting_by_one_is_the_plain_multiplier(tonnes: Economy) -> None:
    plain = multipliers(tonnes, "output")
    ones = multipliers(tonnes, "output", weights=pd.Series(1.0, index=LABELS))
    np.testing.assert_allclose(ones.to_numpy(), plain.to_numpy(), rtol=1e-12)


def test_plain_multipliers_depend_on_units(tonnes: Economy, kilotonnes: Economy) -> None:
    """The reason for the warning: the same economy, another unit, other multipliers."""
    a = multipliers(tonnes, "output").to_numpy()
    b = multipliers(kilotonnes, "output").to_numpy()
    assert not np.allclose(a, b, rtol=1e-3)


def test_weighted_multipliers_are_unit_invariant(tonnes: Economy, kilotonnes: Economy) -> None:
    for t in ("I", "II"):
        h_t = np.array([0.001, 2.0])  # purchases per unit of income (default: labour income)
        kw_t = {"household_consumption": pd.Series(h_t, index=LABELS)} if t == "II" else {}
        kw_kt = {"household_consumption": pd.Series(h_t / SCALE, index=LABELS)} if t == "II" else {}
        a = multipliers(tonnes, "output", t, weights="labour", **kw_t)
        b = multipliers(kilotonnes, "output", t, weights="labour", **kw_kt)
        np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-10)
    a = multipliers(tonnes, "output", weights=prices())
    b = multipliers(kilotonnes, "output", weights=prices(SCALE))
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-10)


def test_weighted_multiplier_table_is_unit_invariant(tonnes: Economy, kilotonnes: Economy) -> None:
    a = multiplier_table(tonnes, weights="labour")
    b = multiplier_table(kilotonnes, weights="labour")
    np.testing.assert_allclose(b["output_I"], a["output_I"], rtol=1e-10)
    assert a.attrs["weights"] == "labour values" and a.attrs["note"] is None
    # employment multipliers are per unit of the product: they scale with it, unweighted
    np.testing.assert_allclose(b["employment_I"], a["employment_I"] * SCALE, rtol=1e-10)


NUMERIC = ["backward_direct", "forward_direct", "backward_total", "forward_total"]


@pytest.mark.parametrize("weights", ["labour", "prices"])
def test_weighted_linkages_are_unit_invariant(
    tonnes: Economy, kilotonnes: Economy, weights: str
) -> None:
    w_t = "labour" if weights == "labour" else prices()
    w_kt = "labour" if weights == "labour" else prices(SCALE)
    a = linkages(tonnes, weights=w_t)
    b = linkages(kilotonnes, weights=w_kt)
    np.testing.assert_allclose(b[NUMERIC].to_numpy(), a[NUMERIC].to_numpy(), rtol=1e-10)
    assert list(a["classification"]) == list(b["classification"])
    assert a.attrs["note"] is None and a.attrs["weights"] in ("labour values", "prices")
    # backward total: the weighted output multiplier, normalised
    m = multipliers(tonnes, "output", weights=w_t).to_numpy()
    np.testing.assert_allclose(a["backward_total"], m / m.mean(), rtol=1e-12)
    # with gross output (Ghosh forward linkages)
    ga = linkages(tonnes, weights=w_t, gross_output=pd.Series(X_T, index=LABELS))
    gb = linkages(kilotonnes, weights=w_kt, gross_output=pd.Series(X_T / SCALE, index=LABELS))
    np.testing.assert_allclose(gb[NUMERIC].to_numpy(), ga[NUMERIC].to_numpy(), rtol=1e-10)


def test_ghosh_forward_linkages_need_no_weights(tonnes: Economy) -> None:
    x = pd.Series(X_T, index=LABELS)
    plain = linkages(tonnes, gross_output=x)
    weighted = linkages(tonnes, gross_output=x, weights=prices())
    cols = ["forward_direct", "forward_total"]
    np.testing.assert_allclose(weighted[cols].to_numpy(), plain[cols].to_numpy(), rtol=1e-10)


def test_economy_methods_pass_weights(tonnes: Economy) -> None:
    direct = multipliers(tonnes, "output", weights="labour")
    np.testing.assert_allclose(tonnes.multipliers("output", weights="labour"), direct)
    assert tonnes.linkages(weights="labour").attrs["weights"] == "labour values"


# ---------------------------------------------------------------------- bad weights
def test_weights_only_for_output_multipliers(tonnes: Economy) -> None:
    with pytest.raises(InputError, match="output multipliers only"):
        multipliers(tonnes, "employment", weights="labour")


def test_bad_weights_are_input_errors(tonnes: Economy) -> None:
    with pytest.raises(InputError, match="unknown weights 'money'"):
        multipliers(tonnes, "output", weights="money")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="missing for 'power'"):
        linkages(tonnes, weights=pd.Series({"coal": 1.0}))
    with pytest.raises(InputError, match="must be positive") as err:
        multipliers(tonnes, "output", weights=pd.Series({"coal": 1.0, "power": 0.0}))
    assert err.value.label == "power"
    with pytest.raises(UnknownLabelError):
        value_weights(tonnes, pd.Series({"coal": 1.0, "power": 1.0, "gas": 1.0}))


def test_labour_weights_need_labour() -> None:
    A = pd.DataFrame(A_T, index=LABELS, columns=LABELS)
    eco = Economy.from_coefficients(A)
    with pytest.raises(InputError, match="no labour"):
        multipliers(eco, "output", weights="labour")


def test_zero_labour_value_is_refused() -> None:
    A = pd.DataFrame([[0.1, 0.0], [0.0, 0.2]], index=LABELS, columns=LABELS)
    eco = Economy.from_coefficients(A, labour=pd.Series({"coal": 1.0, "power": 0.0}))
    with pytest.raises(InputError, match="'power' has labour value 0"):
        linkages(eco, weights="labour")
