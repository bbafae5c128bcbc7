"""Vectors a user gives (gosplan.io.vectors): good input, and messages naming file, row, label."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan import Economy
from gosplan.errors import InputError, UnknownLabelError
from gosplan.io.vectors import (
    labels_from,
    parse_choices,
    parse_numbers,
    read_matrix,
    read_population,
    read_series,
    read_table,
    read_vector,
    read_wages,
    read_weights,
    require_non_negative,
    with_source,
)

A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])


@pytest.fixture
def eco() -> Economy:
    labour = pd.DataFrame(
        [[1.0, 2.0], [0.5, 0.0]], index=["skilled", "unskilled"], columns=["a", "b"]
    )
    return Economy.from_coefficients(A, labour=labour)


def write(path: Path, text: str) -> Path:
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


@contextmanager
def raises(match: str, *, check: str | None = None, **where: object) -> Iterator[None]:
    """Expect an InputError whose message holds ``match``, with this check, source, row..."""
    with pytest.raises(InputError) as info:
        yield
    err = info.value
    assert match in str(err), str(err)
    if check is not None:
        assert err.check == check, (err.check, str(err))
    for name, value in where.items():
        assert getattr(err, name) == value, (name, getattr(err, name), str(err))


# ---------------------------------------------------------------------------- read_vector
def test_one_value_column_is_a_series(tmp_path: Path) -> None:
    path = write(tmp_path / "demand.csv", "product, quantity\ncoal, 1\n steel ,2.5\n")
    y = read_vector(path, "final demand", label="product")
    assert isinstance(y, pd.Series)
    assert y.name == "quantity" and y.index.name == "product"
    assert y.to_dict() == {"coal": 1.0, "steel": 2.5}


def test_several_value_columns_are_a_frame_and_parquet_reads(tmp_path: Path) -> None:
    frame = pd.DataFrame({"product": ["a", "b"], "y1": [1.0, 2.0], "y2": [3, 4]})
    frame.to_parquet(tmp_path / "d.parquet", index=False)
    y = read_vector(tmp_path / "d.parquet", "final demand")
    assert isinstance(y, pd.DataFrame)
    assert list(y.columns) == ["y1", "y2"] and list(y.index) == ["a", "b"]
    assert y.dtypes.eq(float).all()


def test_label_is_the_first_column_by_default(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "r,total\nr1,4\nr2,6\n")
    assert read_series(path, "row totals").index.name == "r"


@pytest.mark.parametrize(
    ("text", "match", "check", "row", "label"),
    [
        ("sector,quantity\na,1\n", "missing column 'product'", "missing_column", None, None),
        ("product\na\n", "no value column besides 'product'", "missing_column", None, None),
        ("product,quantity\n", "the table has no rows", "empty_table", None, None),
        ("product,quantity\na,1\n,2\n", "empty product", "missing_value", 3, None),
        ("product,quantity\na,1\na,2\n", "product listed twice", "duplicate_label", 3, "a"),
        ("product,quantity\na,1\nb,lots\n", "not a number: 'lots'", "non_numeric", 3, "b"),
        ("product,quantity\na,\nb,2\n", "'quantity': missing value", "missing_value", 2, "a"),
    ],
)
def test_bad_vectors_name_file_row_and_label(
    tmp_path: Path, text: str, match: str, check: str, row: int | None, label: str | None
) -> None:
    path = write(tmp_path / "demand.csv", text)
    with raises(match, check=check, source=str(path), row=row, label=label):
        read_vector(path, "final demand", label="product")


def test_unreadable_files_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    with raises("final demand: file not found", check="unreadable_file", source=str(missing)):
        read_table(missing, "final demand")
    with raises("expected a file, got a directory", check="unreadable_file", source=str(tmp_path)):
        read_table(tmp_path, "final demand")
    garbled = write(tmp_path / "garbled.parquet", "this is not parquet")
    with raises("cannot read final demand", check="unreadable_file", source=str(garbled)):
        read_table(garbled, "final demand")
    empty = write(tmp_path / "empty.csv", "")
    with raises("cannot read final demand", check="unreadable_file", source=str(empty)):
        read_vector(empty, "final demand")


def test_read_series_refuses_several_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "product,p1,p2\na,1,2\n")
    with raises("prices: expected one value column (product, price), got 2", source=str(path)):
        read_series(path, "prices", label="product", columns="product, price")


def test_read_matrix_is_a_frame_even_with_one_column(tmp_path: Path) -> None:
    path = write(tmp_path / "z.csv", "r,c1\nr1,1\nr2,3\n")
    table = read_matrix(path, "prior table")
    assert isinstance(table, pd.DataFrame) and table.shape == (2, 1)


def test_require_non_negative_names_row_label_and_column(tmp_path: Path) -> None:
    table = pd.DataFrame({"c1": [1.0, 3.0], "c2": [2.0, -4.0]}, index=["r1", "r2"])
    require_non_negative(table.abs(), "z.csv", "prior table")
    with raises(
        "prior table: entry -4 in column 'c2' is negative; use --gras",
        check="negative_entries",
        source="z.csv",
        row=3,
        label="r2",
    ):
        require_non_negative(table, "z.csv", "prior table", "; use --gras")
    with raises("row totals: entry -1 is negative", row=2, label="r1"):
        require_non_negative(pd.Series([-1.0], index=["r1"]), "u.csv", "row totals")


# ---------------------------------------------------------------------------- labels
def test_labels_from_names_the_file_of_an_unknown_label() -> None:
    with raises("unknown product 'zinc'", source="demand.csv", label="zinc"):
        with labels_from("demand.csv"):
            raise UnknownLabelError("unknown product 'zinc'", label="zinc")
    with raises("unknown product 'zinc'", source=None):
        with labels_from(None):
            raise UnknownLabelError("unknown product 'zinc'", label="zinc")
    named = UnknownLabelError("unknown", source="first.csv")
    assert with_source(named, "second.csv") is named


# ---------------------------------------------------------------------------- option values
def test_parse_numbers() -> None:
    assert parse_numbers(None) is None
    assert parse_numbers("0.2, 0.5,,0.8") == [0.2, 0.5, 0.8]
    with raises("not a number: 'lots'", check="non_numeric"):
        parse_numbers("0.2,lots", "share")
    with raises("give at least one share", check="missing_value"):
        parse_numbers(" , ", "share")


def test_parse_choices() -> None:
    assert parse_choices(None) == {}
    assert parse_choices(["steel = open hearth", "power=coal"]) == {
        "steel": "open hearth",
        "power": "coal",
    }
    for bad in ("steel", "=coal", "steel= "):
        with raises(f"expected PRODUCT=ACTIVITY, got {bad!r}", check="bad_option"):
            parse_choices([bad], "PRODUCT=ACTIVITY")


def test_read_weights(tmp_path: Path) -> None:
    assert read_weights(None) is None
    assert read_weights("labour") == "labour"
    prices = write(tmp_path / "prices.csv", "product,price\na,2\nb,3\n")
    assert read_weights(str(prices)).to_dict() == {"a": 2.0, "b": 3.0}
    with raises("prices: file not found", source=str(tmp_path / "no.csv")):
        read_weights(str(tmp_path / "no.csv"))


# ---------------------------------------------------------------------------- wages
def test_wages_as_one_number_and_by_labour_type(eco: Economy, tmp_path: Path) -> None:
    assert read_wages("2", eco).tolist() == [3.0, 4.0]  # 2 * (1 + 0.5), 2 * (2 + 0)
    assert read_wages("2", eco, "skilled").tolist() == [2.0, 4.0]
    path = write(tmp_path / "w.csv", "labour_type,wage\nskilled,3\nunskilled,1\n")
    assert read_wages(str(path), eco).tolist() == [3.5, 6.0]


def test_wages_as_income_by_product(eco: Economy, tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", "product,income\na,0.5\nb,0.25\n")
    income = read_wages(str(path), eco)
    assert income.to_dict() == {"a": 0.5, "b": 0.25}
    negative = write(tmp_path / "n.csv", "product,income\na,0.5\nb,-1\n")
    with raises("income per unit of output is negative (-1)", source=str(negative), row=3):
        read_wages(str(negative), eco)
    unknown = write(tmp_path / "u.csv", "product,income\na,0.5\nzinc,1\n")
    with raises("zinc", source=str(unknown)):
        read_wages(str(unknown), eco)


def test_bad_wages_name_file_row_and_label(eco: Economy, tmp_path: Path) -> None:
    other = write(tmp_path / "o.csv", "sector,wage\na,1\n")
    with raises("must be labour_type", check="missing_column", source=str(other), label="sector"):
        read_wages(str(other), eco)
    miners = write(tmp_path / "m.csv", "labour_type,wage\nskilled,1\nminers,2\n")
    with raises("unknown labour type 'miners'", source=str(miners), row=3, label="miners"):
        read_wages(str(miners), eco)
    short = write(tmp_path / "s.csv", "labour_type,wage\nskilled,1\n")
    with raises("no wage for labour type 'unskilled'", check="missing_label", source=str(short)):
        read_wages(str(short), eco)
    negative = write(tmp_path / "neg.csv", "labour_type,wage\nskilled,-1\nunskilled,1\n")
    with raises("non-negative", source=str(negative), row=2, label="skilled"):
        read_wages(str(negative), eco)
    with raises("--wages: wage must be a non-negative number", check="negative_coefficient"):
        read_wages("-3", eco)
    two = write(tmp_path / "two.csv", "labour_type,w1,w2\nskilled,1,2\n")
    with raises("wages: expected one value column, got 2", source=str(two)):
        read_wages(str(two), eco)


# ---------------------------------------------------------------------------- population
def test_population_as_a_number(tmp_path: Path) -> None:
    heads, unit, path = read_population("2.5", tmp_path, (1, 2))
    assert heads is not None and heads.to_dict() == {1: 2.5, 2: 2.5}
    assert unit is None and path is None
    for bad in ("0", "-3", "nan"):
        with raises("--population must be positive", check="out_of_range"):
            read_population(bad, tmp_path, (1, 2))


def test_population_from_a_file_and_the_plan_folder(tmp_path: Path) -> None:
    assert read_population(None, tmp_path, (1,)) == (None, None, None)
    path = write(tmp_path / "population.csv", "period,population,unit\n1,4,million\n2,5,million\n")
    for value, spec in ((str(path), tmp_path / "elsewhere"), (None, tmp_path / "plan.toml")):
        heads, unit, read = read_population(value, spec, (1, 2))
        assert heads is not None and heads.to_dict() == {1: 4.0, 2: 5.0}
        assert unit == "million" and read == path


@pytest.mark.parametrize(
    ("text", "match", "check", "row"),
    [
        ("year,population\n1,4\n", "missing column 'period'", "missing_column", None),
        ("period,population\n1,4\n2,none\n", "positive number", "out_of_range", 3),
        ("period,population\n1,-4\n", "positive number", "out_of_range", 2),
        ("period,population\n1,4\n1.5,4\n", "whole number", "non_numeric", 3),
        ("period,population\n1929/30,4\n", "whole number", "non_numeric", 2),
        ("", "cannot read the population", "unreadable_file", None),
    ],
)
def test_bad_population_files_name_file_and_row(
    tmp_path: Path, text: str, match: str, check: str, row: int | None
) -> None:
    path = write(tmp_path / "people.csv", text)
    with raises(match, check=check, source=str(path), row=row):
        read_population(str(path), tmp_path, (1, 2))


def test_a_missing_population_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_population(str(tmp_path / "nowhere.csv"), tmp_path, (1,))


def test_labels_that_look_like_numbers_are_kept_as_read(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", "product,quantity\n10,1\n20,2\n")
    y = read_vector(path, "final demand", label="product")
    assert list(y.index) == ["10", "20"] and np.allclose(y.to_numpy(), [1, 2])
