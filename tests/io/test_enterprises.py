"""The optional enterprises table of the economy format: read, checked, written back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _economy_files import only_problem, problems_of, write_economy

from gosplan import ValidationError
from gosplan.core.enterprises import enterprises_of
from gosplan.io import check_report, read_economy
from gosplan.io import write_economy as write_to_disk

MANIFEST = """
name = "works"
[tables]
products = "products.csv"
activities = "activities.csv"
technology = "technology.csv"
capacities = "capacities.csv"
enterprises = "enterprises.csv"
"""
ENTERPRISES = (
    "enterprise,activity,capacity,trust,region,started,labour_factor\n"
    "Stalingrad tractor works,tractors,30,Avtotrakt,Lower Volga,1930,0.9\n"
    "Kharkov tractor works,tractors,20,Avtotrakt,Ukraine,1931,\n"
    "Donbass mines,coal,80,Donugol,Ukraine,,1.1\n"
    "Kuzbass mines,coal,20,,,,\n"
)
GOOD = {
    "economy.toml": MANIFEST,
    "products.csv": "product,unit\ncoal,t\ntractors,units\ngrain,t\n",
    "activities.csv": (
        "activity,product\ncoal,coal\ntractors,tractors\ngrain,grain\ngrain_horse,grain\n"
    ),
    "technology.csv": (
        "input,activity,coefficient\ncoal,tractors,0.5\ncoal,grain,0.01\n"
        "tractors,grain,0.001\ngrain,grain_horse,0.1\n"
    ),
    "capacities.csv": "activity,capacity\ncoal,100\ntractors,50\ngrain,inf\n",
    "enterprises.csv": ENTERPRISES,
}


def economy_dir(root: Path, **changes: str | bytes | None) -> Path:
    """The good economy with some files replaced (``None``: removed); keys use _ for ."""
    return write_economy(root, GOOD, **changes)


def test_good_table_reads(tmp_path: Path) -> None:
    eco = read_economy(economy_dir(tmp_path))
    table = eco.enterprises
    assert table is not None
    assert table["enterprise"].tolist()[:2] == ["Stalingrad tractor works", "Kharkov tractor works"]
    assert table["capacity"].tolist() == [30.0, 20.0, 80.0, 20.0]
    assert table["started"].tolist()[:2] == [1930.0, 1931.0] and np.isnan(table["started"][2])
    assert table["trust"].tolist() == ["Avtotrakt", "Avtotrakt", "Donugol", ""]
    every = enterprises_of(eco)
    # grain (unlimited) and grain_horse have no enterprise: one default each
    assert every["enterprise"].tolist()[4:] == ["grain", "grain_horse"]
    assert every["labour_factor"].tolist() == [0.9, 1.0, 1.1, 1.0, 1.0, 1.0]
    assert set(every["activity"]) == set(eco.activity_labels)


def test_without_the_table_the_economy_has_none(tmp_path: Path) -> None:
    manifest = MANIFEST.replace('enterprises = "enterprises.csv"\n', "")
    eco = read_economy(economy_dir(tmp_path, economy_toml=manifest, enterprises_csv=None))
    assert eco.enterprises is None
    assert enterprises_of(eco)["enterprise"].tolist() == list(eco.activity_labels)


@pytest.mark.parametrize("format", ["csv", "parquet", "excel"])
def test_round_trip(tmp_path: Path, format: str) -> None:
    eco = read_economy(economy_dir(tmp_path / "in"))
    out = write_to_disk(eco, tmp_path / "out", format=format)
    manifest = (out / "economy.toml").read_text(encoding="utf-8")
    if format == "excel":
        assert 'enterprises = "enterprises"' in manifest  # the sheet
    else:
        assert f'enterprises = "enterprises{".csv" if format == "csv" else ".parquet"}"' in (
            manifest
        )
    back = read_economy(out)
    assert back.enterprises is not None and eco.enterprises is not None
    pd.testing.assert_frame_equal(back.enterprises, eco.enterprises)


def test_an_economy_without_enterprises_writes_no_table(tmp_path: Path) -> None:
    manifest = MANIFEST.replace('enterprises = "enterprises.csv"\n', "")
    eco = read_economy(economy_dir(tmp_path / "in", economy_toml=manifest, enterprises_csv=None))
    out = write_to_disk(eco, tmp_path / "out")
    assert not (out / "enterprises.csv").exists()
    assert "enterprises" not in (out / "economy.toml").read_text(encoding="utf-8")


# ------------------------------------------------------------------ one bad input at a time
def _bad(tmp_path: Path, old: str, new: str, check: str) -> tuple[Path, str, int | None]:
    assert old in ENTERPRISES
    root = economy_dir(tmp_path, enterprises_csv=ENTERPRISES.replace(old, new))
    err = only_problem(root, check)
    assert err.source == str(root / "enterprises.csv")
    assert str(root / "enterprises.csv") in str(err)
    return root, str(err), err.row


def test_duplicate_enterprise(tmp_path: Path) -> None:
    _, text, row = _bad(tmp_path, "Kuzbass mines,coal", "Donbass mines,coal", "duplicate_label")
    assert row == 5 and "label 'Donbass mines'" in text and "first on row 4" in text


def test_missing_enterprise_name(tmp_path: Path) -> None:
    _, text, row = _bad(tmp_path, "Kuzbass mines,coal", ",coal", "missing_value")
    assert row == 5 and "enterprise is missing" in text


def test_unknown_activity_names_the_declaring_table(tmp_path: Path) -> None:
    bad = ENTERPRISES.replace("Kuzbass mines,coal,20", "Kuzbass mines,oil,20")
    root = economy_dir(tmp_path, enterprises_csv=bad)
    found = problems_of(root)
    # coal's enterprises no longer add up either: both are reported
    assert sorted(p.check for p in found) == ["enterprise_capacity", "unknown_label"]
    unknown = next(p for p in found if p.check == "unknown_label")
    assert unknown.row == 5 and unknown.label == "oil"
    assert "Kuzbass mines" in str(unknown)
    assert f"missing from the activities table ({root / 'activities.csv'})" in str(unknown)


@pytest.mark.parametrize(
    ("old", "new", "check", "words"),
    [
        ("Donbass mines,coal,80", "Donbass mines,coal,eighty", "non_numeric", "finite number"),
        ("Donbass mines,coal,80", "Donbass mines,coal,inf", "non_numeric", "finite number"),
        ("Donbass mines,coal,80", "Donbass mines,coal,", "missing_value", "capacity is empty"),
        ("Donbass mines,coal,80", "Donbass mines,coal,-80", "negative_value", "negative"),
        ("Ukraine,,1.1", "Ukraine,,0", "out_of_range", "above 0"),
        ("Ukraine,,1.1", "Ukraine,,much", "non_numeric", "labour_factor"),
        ("Ukraine,,1.1", "Ukraine,1930.5,1.1", "non_numeric", "whole year"),
        ("Ukraine,,1.1", "Ukraine,soon,1.1", "non_numeric", "whole year"),
    ],
)
def test_bad_cell(tmp_path: Path, old: str, new: str, check: str, words: str) -> None:
    _, text, row = _bad(tmp_path, old, new, check)
    assert row == 4 and "label 'Donbass mines'" in text and words in text


def test_capacities_that_do_not_add_up(tmp_path: Path) -> None:
    _, text, row = _bad(
        tmp_path, "Kuzbass mines,coal,20", "Kuzbass mines,coal,25", "enterprise_capacity"
    )
    assert row == 4  # the activity's first enterprise
    assert "label 'coal'" in text
    assert "add up to 105" in text and "capacity is 100" in text


def test_capacities_add_up_within_a_relative_millionth(tmp_path: Path) -> None:
    table = ENTERPRISES.replace("Kuzbass mines,coal,20", "Kuzbass mines,coal,20.00005")
    eco = read_economy(economy_dir(tmp_path, enterprises_csv=table))
    assert eco.enterprises is not None


def test_an_unlimited_activity_takes_any_finite_shares(tmp_path: Path) -> None:
    table = ENTERPRISES + "Kuban farms,grain,1000\nVolga farms,grain,3\n"
    eco = read_economy(economy_dir(tmp_path, enterprises_csv=table))
    every = enterprises_of(eco)
    assert every[every["activity"] == "grain"]["capacity"].tolist() == [1000.0, 3.0]


def test_missing_column(tmp_path: Path) -> None:
    table = "enterprise,activity\nDonbass mines,coal\n"
    err = only_problem(economy_dir(tmp_path, enterprises_csv=table), "missing_column")
    assert err.row == 1 and err.label == "capacity"


def test_empty_table(tmp_path: Path) -> None:
    table = "enterprise,activity,capacity\n"
    only_problem(economy_dir(tmp_path, enterprises_csv=table), "empty_table")


def test_every_problem_at_once(tmp_path: Path) -> None:
    table = (
        "enterprise,activity,capacity,started,labour_factor\n"
        "Stalingrad tractor works,tractors,30,1930.5,\n"  # not a whole year
        "Stalingrad tractor works,tractors,20,,\n"  # twice
        "Donbass mines,coal,-80,,\n"  # negative
        "Kuzbass mines,oil,20,,0\n"  # unknown activity, factor 0
        "Grain trust,grain_horse,x,,\n"  # not a number
    )
    root = economy_dir(tmp_path, enterprises_csv=table)
    with pytest.raises(ValidationError) as info:
        read_economy(root)
    found = info.value.problems
    assert sorted(p.check for p in found) == [
        "duplicate_label",
        "negative_value",
        "non_numeric",
        "non_numeric",
        "out_of_range",
        "unknown_label",
    ]
    assert all(p.source == str(root / "enterprises.csv") for p in found)
    assert {(p.row, p.label) for p in found} == {
        (2, "Stalingrad tractor works"),
        (3, "Stalingrad tractor works"),
        (4, "Donbass mines"),
        (5, "oil"),
        (5, "Kuzbass mines"),
        (6, "Grain trust"),
    }
    text = str(info.value)
    assert text.startswith("6 problems found:") and "[out_of_range]" in text


def test_problems_of_other_tables_come_with_them(tmp_path: Path) -> None:
    capacities = GOOD["capacities.csv"].replace("tractors,50", "tractors,fifty")
    table = ENTERPRISES.replace("Kuzbass mines,coal,20", "Kuzbass mines,coal,25")
    found = problems_of(economy_dir(tmp_path, capacities_csv=capacities, enterprises_csv=table))
    # tractors' capacity is unreadable: its enterprises are not summed against it
    assert sorted(p.check for p in found) == ["enterprise_capacity", "non_numeric"]
    assert {p.label for p in found} == {"tractors", "coal"}


def test_excel_workbook_sheet(tmp_path: Path) -> None:
    eco = read_economy(economy_dir(tmp_path / "in"))
    out = write_to_disk(eco, tmp_path / "out", format="excel")
    book = out / "economy.xlsx"
    sheets = pd.ExcelFile(book).sheet_names
    assert "enterprises" in sheets
    frame = pd.read_excel(book, sheet_name="enterprises", dtype=str)
    frame.loc[0, "capacity"] = "31"
    with pd.ExcelWriter(book, mode="a", if_sheet_exists="replace", engine="openpyxl") as w:
        frame.to_excel(w, sheet_name="enterprises", index=False)
    err = only_problem(out, "enterprise_capacity")
    assert err.source == f"{book}[enterprises]" and err.label == "tractors" and err.row == 2


def test_check_report_lists_the_failure(tmp_path: Path) -> None:
    table = ENTERPRISES.replace("Kuzbass mines,coal,20", "Kuzbass mines,coal,25")
    rows = check_report(economy_dir(tmp_path, enterprises_csv=table))
    failed = {check: message for check, status, message in rows if status == "failed"}
    assert list(failed) == ["enterprise_capacity"]
    assert "coal" in failed["enterprise_capacity"]
