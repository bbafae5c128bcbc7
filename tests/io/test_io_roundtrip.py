"""write_economy then read_economy gives back the same economy, in every format."""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _io_compare import assert_same_economy
from hypothesis import HealthCheck, given, settings

from gosplan import Economy, EconomyMeta
from gosplan.generate import generate_economy
from gosplan.io import read_economy, write_economy

#: Excel stores what openpyxl writes: 16 significant digits.
EXCEL_RTOL = 2e-16 * 8


def square_economy() -> Economy:
    """Three products, all the optional parts, awkward numbers and labels."""
    labels = ["Coal", "steel plate", "NA"]
    A = pd.DataFrame(
        [[0.1 + 0.2, 1 / 3, 0.0], [0.05, 0.0, 2.5e-7], [0.0, 0.2, 1e-300]],
        index=labels,
        columns=labels,
    )
    labour = pd.DataFrame(
        [[0.0, 0.7, 1 / 7], [1.25, 0.0, 0.0], [0.0, 0.0, 0.0]],
        index=["unskilled", "skilled", "idle"],
        columns=labels,
    )
    products = pd.DataFrame(
        {
            "unit": ["t", "m²", ""],
            "description": ["hard coal, washed", "", "12"],
            "group": ["means of production", "means of production", "consumer goods"],
        },
        index=labels,
    )
    return Economy.from_coefficients(
        A,
        labour=labour,
        products=products,
        resources=pd.DataFrame([[0.0, 3.0, 0.0]], index=["land"], columns=labels),
        capacity=pd.Series({"Coal": 1e6, "steel plate": np.inf, "NA": 0.5}),
        capital=pd.DataFrame(
            [[0.0, 2.0, 0.0], [1.5, 0.0, 0.0], [0.0, 0.0, 0.0]], index=labels, columns=labels
        ),
        service_life=pd.Series({"Coal": 25.0, "steel plate": np.nan, "NA": np.nan}),
        meta=EconomyMeta(
            name="test economy", base_year=1928, currency="roubles", description="two\nlines"
        ),
    )


def several_techniques() -> Economy:
    """Four activities for three products (two ways to make steel): not square."""
    products = pd.DataFrame(
        {
            "unit": ["t", "t", "loaf"],
            "description": ["coal", "steel", "bread"],
            "group": ["means of production", "means of production", "consumer goods"],
        },
        index=pd.Index(["coal", "steel", "bread"]),
    )
    activities = pd.DataFrame(
        {
            "product": ["coal", "steel", "steel", "bread"],
            "description": ["mine", "Bessemer", "open hearth", ""],
        },
        index=["coal_mine", "steel_b", "steel_oh", "bakery"],
    )
    return Economy(
        products=products,
        activities=activities,
        technology=sp.csc_array(
            np.array([[0.1, 0.3, 0.2, 0.0], [0.05, 0.1, 0.1, 0.0], [0.0, 0.0, 0.0, 0.2]])
        ),
        labour_types=pd.Index(["skilled", "unskilled"]),
        labour=sp.csc_array(np.array([[0.5, 0.2, 0.3, 0.1], [0.0, 0.1, 0.0, 0.0]])),
        resource_types=pd.Index(["land"]),
        resources=sp.csc_array(np.array([[0.0, 0.0, 0.0, 2.0]])),
        capacity=np.array([10.0, np.inf, 5.0, 7.5]),
        capital=sp.csc_array(np.array([[0.0, 1.5, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0], [0, 0, 0, 0]])),
        service_life=np.array([np.nan, 20.0, 30.0, np.nan]),
        meta=EconomyMeta(name="techniques", base_year=1932),
    )


def roundtrip(eco: Economy, path: Path, fmt: str = "csv", **kwargs: object) -> Economy:
    write_economy(eco, path, fmt, **kwargs)  # type: ignore[arg-type]
    return read_economy(path)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "excel"])
@pytest.mark.parametrize("build", [square_economy, several_techniques])
def test_roundtrip_every_part(tmp_path: Path, fmt: str, build) -> None:
    eco = build()
    got = roundtrip(eco, tmp_path, fmt)
    assert_same_economy(got, eco, rtol=EXCEL_RTOL if fmt == "excel" else 0.0)


def test_several_techniques_write_an_activities_table(tmp_path: Path) -> None:
    write_economy(several_techniques(), tmp_path)
    manifest = tomllib.loads((tmp_path / "economy.toml").read_text())
    assert manifest["tables"]["activities"] == "activities.csv"
    acts = pd.read_csv(tmp_path / "activities.csv")
    assert acts["activity"].tolist() == ["coal_mine", "steel_b", "steel_oh", "bakery"]
    assert acts["product"].tolist() == ["coal", "steel", "steel", "bread"]
    # a square table needs none
    write_economy(square_economy(), tmp_path / "sq")
    assert (
        "activities" not in tomllib.loads((tmp_path / "sq" / "economy.toml").read_text())["tables"]
    )


def test_all_zero_technology_and_types_survive(tmp_path: Path) -> None:
    """An economy without intermediate inputs, and a labour type with no coefficient."""
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    labour = pd.DataFrame(
        [[0.0, 0.0], [1.0, 2.0]], index=["z_first", "a_second"], columns=["a", "b"]
    )
    eco = Economy.from_coefficients(A, labour=labour)
    assert_same_economy(roundtrip(eco, tmp_path), eco)


def test_activity_descriptions_of_a_square_economy_survive(tmp_path: Path) -> None:
    eco = Economy(
        products=pd.DataFrame(index=["a", "b"]),
        activities=pd.DataFrame(
            {"product": ["a", "b"], "description": ["kiln", ""]}, index=["a", "b"]
        ),
        technology=sp.csc_array(np.array([[0.0, 0.5], [0.25, 0.0]])),
    )
    assert_same_economy(roundtrip(eco, tmp_path), eco)


def test_generated_economy_roundtrip(tmp_path: Path) -> None:
    eco = generate_economy(2000, seed=1, labour_types=2)
    for fmt in ("csv", "parquet"):
        assert_same_economy(roundtrip(eco, tmp_path / fmt, fmt), eco)


# ------------------------------------------------------------------ wide transactions
def test_transactions_layout_roundtrip(tmp_path: Path) -> None:
    eco = square_economy()
    x = pd.Series({"Coal": 1000.0, "steel plate": 2048.0, "NA": 3.0})
    got = roundtrip(eco, tmp_path, gross_output=x)
    manifest = tomllib.loads((tmp_path / "economy.toml").read_text())
    assert "technology" not in manifest["tables"]
    assert manifest["tables"]["transactions"] == "transactions.csv"
    assert manifest["labour"] == {"kind": "flows"}
    # the file holds flows Z = A diag(x) and the gross output, not coefficients
    flows = pd.read_csv(tmp_path / "transactions.csv", index_col="product", keep_default_na=False)
    flows.index = flows.index.astype(str)
    assert flows.loc["Coal", "steel plate"] == pytest.approx(2048.0 / 3, rel=1e-15)
    assert flows.loc["NA", "gross_output"] == 3.0
    labour = pd.read_csv(tmp_path / "labour.csv", index_col="labour_type")
    assert labour.loc["skilled", "Coal"] == 1250.0
    # A = Z / x: equal up to the rounding of one multiplication and one division
    assert_same_economy(got, eco, rtol=4.5e-16)


def test_transactions_layout_exact_with_power_of_two_output(tmp_path: Path) -> None:
    eco = square_economy()
    x = pd.Series({"Coal": 1024.0, "steel plate": 0.5, "NA": 2.0**40})
    for fmt in ("csv", "parquet"):
        assert_same_economy(roundtrip(eco, tmp_path / fmt, fmt, gross_output=x), eco)
    got = roundtrip(eco, tmp_path / "excel", "excel", gross_output=x)
    assert_same_economy(got, eco, rtol=EXCEL_RTOL)


def test_transactions_layout_needs_a_square_economy(tmp_path: Path) -> None:
    from gosplan.errors import InputError

    with pytest.raises(InputError, match="one activity per product"):
        write_economy(several_techniques(), tmp_path, gross_output=pd.Series({"coal": 1.0}))


# ------------------------------------------------------------------ property test
LABELS = ["a", "B", "001", "nan", "NA", "1e5", "steel, rolled", 'say "hi"', "Ä-ß", "x y", "True"]
TEXTS = ["", "some text", "a, b", "12", "ünïcode"]


@st.composite
def economies(draw: st.DrawFn) -> Economy:
    n = draw(st.integers(1, 4))
    labels = draw(st.lists(st.sampled_from(LABELS), min_size=n, max_size=n, unique=True))
    techniques = draw(st.lists(st.integers(1, 2), min_size=n, max_size=n))
    plain = all(t == 1 for t in techniques) and draw(st.booleans())
    if plain:
        acts = pd.DataFrame({"product": labels}, index=labels)
    else:
        made = [p for p, t in zip(labels, techniques, strict=True) for _ in range(t)]
        acts = pd.DataFrame(
            {
                "product": made,
                "description": [draw(st.sampled_from(TEXTS)) for _ in made],
            },
            index=[f"act {k}" for k in range(len(made))],
        )
    m = len(acts)
    coeff = st.one_of(st.just(0.0), st.floats(1e-12, 1.0, allow_subnormal=False))
    A = np.array([[draw(coeff) for _ in range(m)] for _ in range(n)])
    A = A / max(1.0, A.sum(axis=0).max() * 1.25)  # column sums below 0.8: productive
    n_lab = draw(st.integers(0, 2))
    L = np.array([[draw(coeff) * 10 for _ in range(m)] for _ in range(n_lab)]).reshape(n_lab, m)
    cap = np.array([draw(st.sampled_from([np.inf, 0.0, 1.5, 1e9 / 7])) for _ in range(m)])
    life = np.array([draw(st.sampled_from([np.nan, 1.0, 30.0])) for _ in range(m)])
    K = np.array([[draw(coeff) for _ in range(m)] for _ in range(n)])
    products = pd.DataFrame(
        {
            "unit": [draw(st.sampled_from(["", "t", "m³"])) for _ in range(n)],
            "description": [draw(st.sampled_from(TEXTS)) for _ in range(n)],
            "group": [draw(st.sampled_from(["", "consumer goods"])) for _ in range(n)],
        },
        index=labels,
    )
    return Economy(
        products=products,
        activities=acts,
        technology=sp.csc_array(A),
        labour_types=pd.Index([f"labour {k}" for k in range(n_lab)][::-1]),
        labour=sp.csc_array(L),
        capacity=cap,
        capital=sp.csc_array(K),
        service_life=life,
        meta=EconomyMeta(
            name=draw(st.sampled_from(["e", "économie 1"])),
            base_year=draw(st.sampled_from([None, 1928])),
            currency=draw(st.sampled_from([None, "roubles"])),
        ),
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(eco=economies())
def test_roundtrip_property(fmt: str, eco: Economy) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        assert_same_economy(roundtrip(eco, Path(tmp), fmt), eco)
