"""Clear messages for files a newcomer gets wrong: encodings, separators, workbooks, deleted
rows, huge numbers and a technology that cannot produce a surplus."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _economy_files import only_problem, problems_of, write_economy

from gosplan import Economy, ValidationError
from gosplan.io import check_report, read_economy
from gosplan.io.checks import CHECKS

#: gosplan.io.tables.LARGEST_NUMBER (imported in the tests, which then fail one by one on code
#: without it instead of failing to collect).
LARGEST = 1e15

MANIFEST = """
name = "cloth"
[tables]
products = "products.csv"
activities = "activities.csv"
technology = "technology.csv"
labour = "labour.csv"
capacities = "capacities.csv"
"""
GOOD: dict[str, str | bytes] = {
    "economy.toml": MANIFEST,
    "products.csv": "product,unit\ncoal,t\ncotton fabric,m2\npaper,t\n",
    "activities.csv": ("activity,product\ncoal,coal\ncotton fabric,cotton fabric\npaper,paper\n"),
    # cotton fabric uses 3 t of coal per m2: the largest column sum, but a productive one.
    "technology.csv": (
        "input,activity,coefficient\ncoal,coal,0.1\ncoal,cotton fabric,3.0\n"
        "coal,paper,0.2\npaper,paper,0.1\n"
    ),
    "labour.csv": (
        "labour_type,activity,coefficient\nwork,coal,0.5\nwork,cotton fabric,0.2\nwork,paper,0.3\n"
    ),
    "capacities.csv": "activity,capacity\ncoal,1000\ncotton fabric,inf\npaper,Inf\n",
}


def economy_dir(root: Path, **changes: str | bytes | None) -> Path:
    """The good economy with some files replaced (``None``: removed); keys use _ for ."""
    return write_economy(root, GOOD, **changes)


def test_good_economy_reads(tmp_path: Path) -> None:
    eco = read_economy(economy_dir(tmp_path))
    assert eco.n_activities == 3


# ------------------------------------------------------------------ 1. encoding and format
def test_binary_garbage(tmp_path: Path) -> None:
    garbage = b"product,unit\ncoal,t\n" + bytes(range(256)) * 4
    err = only_problem(economy_dir(tmp_path, products_csv=garbage), "unreadable_file")
    text = str(err)
    assert str(tmp_path / "products.csv") in text
    assert "expected UTF-8 text" in text and "binary data" in text
    assert "byte offset 20, line 3" in text and err.row == 3


def test_parquet_data_named_csv(tmp_path: Path) -> None:
    pq = tmp_path / "p.parquet"
    pd.DataFrame({"product": ["coal"]}).to_parquet(pq)
    err = only_problem(economy_dir(tmp_path, products_csv=pq.read_bytes()), "unreadable_file")
    assert "products.csv" in str(err) and "Parquet file (name it .parquet)" in str(err)


def test_latin1_text(tmp_path: Path) -> None:
    text = GOOD["products.csv"] + "café,kg\n"  # type: ignore[operator]
    latin = text.encode("latin-1")
    err = only_problem(economy_dir(tmp_path, products_csv=latin), "unreadable_file")
    message = str(err)
    assert str(tmp_path / "products.csv") in message and err.row == 5
    offset = latin.index(b"\xe9")
    assert f"byte 0xe9 at byte offset {offset} (line 5) is not valid UTF-8" in message
    assert "Latin-1" in message and "save the file as UTF-8" in message


def test_utf16_text(tmp_path: Path) -> None:
    utf16 = str(GOOD["products.csv"]).encode("utf-16")
    err = only_problem(economy_dir(tmp_path, products_csv=utf16), "unreadable_file")
    assert "products.csv" in str(err) and "UTF-16 text" in str(err)
    assert "save the file as UTF-8" in str(err)


def test_semicolon_separated(tmp_path: Path) -> None:
    semi = str(GOOD["products.csv"]).replace(",", ";")
    err = only_problem(economy_dir(tmp_path, products_csv=semi), "unreadable_file")
    message = str(err)
    assert str(tmp_path / "products.csv") in message and err.row == 1
    assert "one column 'product;unit'" in message
    assert "is the file separated by ';'?" in message and "comma-separated" in message


def test_semicolon_separated_with_decimal_commas(tmp_path: Path) -> None:
    semi = "input;activity;coefficient\ncoal;coal;0,1\ncoal;paper;0,2\npaper;paper;0,1\n"
    root = economy_dir(tmp_path, technology_csv=semi)
    found = problems_of(root)
    assert [p.check for p in found] == ["unreadable_file"], [str(p) for p in found]
    message = str(found[0])
    assert "technology.csv" in message
    assert "one column 'input;activity;coefficient'" in message
    assert "separated by ';'?" in message


def test_row_with_too_many_cells(tmp_path: Path) -> None:
    bad = str(GOOD["technology.csv"]).replace("coal,paper,0.2", "coal,paper,0,2")
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "unreadable_file")
    message = str(err)
    assert "technology.csv" in message and err.row == 4
    assert "row 4 has 4 comma-separated cells but the header has 3" in message


# ------------------------------------------------------------------ 2. workbook sheets
def _workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def test_xlsx_table_file_names_its_sheet(tmp_path: Path) -> None:
    # A table given as an .xlsx file is read from its first sheet: messages name it.
    root = economy_dir(tmp_path, technology_csv=None)
    _workbook(
        root / "tech.xlsx",
        {
            "Coefficients": pd.DataFrame(
                {
                    "input": ["coal", "coal"],
                    "activity": ["coal", "paper"],
                    "coefficient": ["x", "-1"],
                }
            ),
            "Notes": pd.DataFrame({"a": [1]}),
        },
    )
    (root / "economy.toml").write_text(MANIFEST.replace("technology.csv", "tech.xlsx"))
    found = problems_of(root)
    assert [p.check for p in found] == ["non_numeric", "negative_coefficient"]
    book = f"{root / 'tech.xlsx'}[Coefficients]"
    assert all(p.source == book for p in found), [str(p) for p in found]
    assert f"{book}, row 2, label 'coal'" in str(found[0])
    assert f"{book}, row 3, label 'paper'" in str(found[1])


def test_workbook_sheet_of_semicolon_lines(tmp_path: Path) -> None:
    root = economy_dir(tmp_path)
    _workbook(
        root / "book.xlsx",
        {
            "products": pd.DataFrame({"product;unit": ["coal;t", "paper;t"]}),
            "technology": pd.DataFrame(
                {"input": ["coal"], "activity": ["coal"], "coefficient": [0.1]}
            ),
        },
    )
    (root / "economy.toml").write_text('name = "x"\n[tables]\nworkbook = "book.xlsx"\n')
    err = only_problem(root, "unreadable_file")
    assert str(err).startswith(f"{root / 'book.xlsx'}[products], row 1:")
    assert "one column 'product;unit'" in str(err) and "separated by ';'" in str(err)


def test_unknown_input_names_the_column_and_the_products_table(tmp_path: Path) -> None:
    bad = str(GOOD["technology.csv"]) + "steel,paper,0.1\n"
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "unknown_label")
    assert "technology.csv, row 6, label 'steel'" in str(err)
    assert "the technology table names product 'steel' (column 'input')" in str(err)
    assert f"missing from the products table ({tmp_path / 'products.csv'})" in str(err)


def test_workbook_economy_checks_name_the_right_sheet(tmp_path: Path) -> None:
    # Economy-wide checks name the sheet of the table at fault, not the technology sheet.
    eco = read_economy(economy_dir(tmp_path / "csv"))
    from gosplan.io.checks import validate_economy

    labour = sp.csc_array(eco.labour * 1e17)
    bad = Economy(
        products=eco.products,
        activities=eco.activities,
        technology=eco.technology.copy(),
        labour=labour,
        labour_types=eco.labour_types,
    )
    sources = {"technology": "book.xlsx[A]", "labour": "book.xlsx[Jobs]"}
    with pytest.raises(ValidationError) as info:
        validate_economy(bad, source=sources["technology"], sources=sources)
    problems = info.value.problems
    assert {p.check for p in problems} == {"value_too_large"}
    assert all(p.source == "book.xlsx[Jobs]" for p in problems)


# ------------------------------------------------------------------ 3. a deleted activity row
def test_deleted_activity_row(tmp_path: Path) -> None:
    activities = str(GOOD["activities.csv"]).replace("paper,paper\n", "")
    root = economy_dir(tmp_path, activities_csv=activities)
    found = problems_of(root)
    by_check: dict[str, list[str]] = {}
    for p in found:
        by_check.setdefault(str(p.check), []).append(str(p))
    assert set(by_check) == {"unknown_label", "no_technique"}, by_check
    technology = [m for m in by_check["unknown_label"] if "technology.csv" in m]
    assert technology and "row 4, label 'paper'" in technology[0]
    assert "the technology table names activity 'paper'" in technology[0]
    assert f"missing from the activities table ({root / 'activities.csv'})" in technology[0]
    assert any(
        "labour.csv" in m and "the labour table names" in m for m in by_check["unknown_label"]
    )
    assert any("capacities.csv" in m for m in by_check["unknown_label"])
    (technique,) = by_check["no_technique"]
    assert str(root / "activities.csv") in technique and "label 'paper'" in technique
    report = {c: (s, m) for c, s, m in check_report(root)}
    assert report["no_technique"][0] == "failed" and "'paper'" in report["no_technique"][1]
    assert report["unknown_label"][0] == "failed"


def test_unknown_activity_without_activities_table(tmp_path: Path) -> None:
    manifest = MANIFEST.replace('activities = "activities.csv"\n', "")
    bad = str(GOOD["labour.csv"]) + "work,steel,0.1\n"
    err = only_problem(
        economy_dir(tmp_path, economy_toml=manifest, labour_csv=bad), "unknown_label"
    )
    assert "labour.csv" in str(err) and "row 5" in str(err)
    assert f"missing from the products table ({tmp_path / 'products.csv'})" in str(err)


# ------------------------------------------------------------------ 4. huge values
@pytest.mark.parametrize(
    ("table", "old", "new", "row", "label"),
    [
        ("technology", "coal,paper,0.2", "coal,paper,1e20", 4, "paper"),
        ("technology", "coal,paper,0.2", "coal,paper,1e15", 4, "paper"),
        ("labour", "work,coal,0.5", "work,coal,3e21", 2, "coal"),
        ("capacities", "coal,1000", "coal,1e20", 2, "coal"),
    ],
)
def test_value_too_large(
    tmp_path: Path, table: str, old: str, new: str, row: int, label: str
) -> None:
    bad = str(GOOD[f"{table}.csv"]).replace(old, new)
    err = only_problem(economy_dir(tmp_path, **{f"{table}_csv": bad}), "value_too_large")
    text = str(err)
    assert f"{table}.csv, row {row}, label {label!r}" in text
    assert "too large" in text and f"{LARGEST:g}" in text


def test_unlimited_capacity_is_not_too_large(tmp_path: Path) -> None:
    eco = read_economy(economy_dir(tmp_path))
    assert eco.capacity[0] == 1000.0 and np.isinf(eco.capacity[1:]).all()


def test_value_too_large_is_a_named_check() -> None:
    from gosplan.io.tables import LARGEST_NUMBER

    assert LARGEST_NUMBER == LARGEST
    assert "value_too_large" in CHECKS
    text = (Path(__file__).parents[2] / "docs" / "format.md").read_text(encoding="utf-8")
    assert "`value_too_large`" in text


def test_value_too_large_in_an_economy_built_in_code() -> None:
    eco = Economy(
        products=pd.DataFrame(index=pd.Index(["a", "b"])),
        activities=pd.DataFrame({"product": ["a", "b"]}, index=["a", "b"]),
        technology=np.array([[0.1, 0.0], [1e20, 0.1]]),
    )
    with pytest.raises(ValidationError) as info:
        eco.validate()
    assert info.value.check == "value_too_large"
    assert "input 'b' of activity 'a'" in str(info.value)


# ------------------------------------------------------------------ 5. Hawkins–Simon
def test_hawkins_simon_names_the_coal_self_loop(tmp_path: Path) -> None:
    bad = str(GOOD["technology.csv"]).replace("coal,coal,0.1", "coal,coal,1.5")
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "hawkins_simon")
    text = str(err)
    assert "technology.csv" in text and err.label == "coal"
    assert "spectral radius of A is 1.5" in text
    assert "product 'coal' uses 1.5 units of itself per unit made" in text
    assert "cotton fabric" not in text


def test_hawkins_simon_names_a_two_product_cycle(tmp_path: Path) -> None:
    bad = (
        "input,activity,coefficient\ncoal,paper,2.0\npaper,coal,0.8\n"
        "coal,cotton fabric,30.0\n"
    )  # coal <-> paper: radius sqrt(1.6) ~ 1.26
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "hawkins_simon")
    text = str(err)
    assert "the products 'coal', 'paper' are inputs of one another" in text
    assert "cotton fabric" not in text and err.label == "coal"
    assert f"spectral radius {np.sqrt(1.6):.6g}: lower their coefficients" in text


def test_non_productive_components_is_fast_on_a_million_products() -> None:
    from gosplan.io.checks import non_productive_components

    n = 1_000_000
    # A productive chain (each product uses 0.5 of the next), plus two bad parts.
    rows = np.arange(1, n)
    cols = np.arange(n - 1)
    data = np.full(n - 1, 0.5)
    extra_r = np.array([7, 123_456, 123_457])
    extra_c = np.array([7, 123_457, 123_456])
    extra_d = np.array([1.2, 1.5, 1.5])
    A = sp.csc_array(
        (
            np.concatenate([data, extra_d]),
            (np.concatenate([rows, extra_r]), np.concatenate([cols, extra_c])),
        ),
        shape=(n, n),
    )
    start = time.perf_counter()
    parts = non_productive_components(A)
    assert time.perf_counter() - start < 20
    found = [(list(m), round(r, 6)) for m, r in parts]
    assert found[0][0] == [123_456, 123_457] and found[0][1] >= 1.5
    assert [7] in [m for m, _ in found]


def test_hawkins_simon_label_with_activities_in_another_order(tmp_path: Path) -> None:
    # Activities listed in another order than their products: the label is still coal's.
    activities = "activity,product\npaper mill,paper\nweaving,cotton fabric\nmine,coal\n"
    technology = (
        "input,activity,coefficient\ncoal,mine,1.5\ncoal,weaving,3.0\n"
        "coal,paper mill,0.2\npaper,paper mill,0.1\n"
    )
    labour = "labour_type,activity,coefficient\nwork,mine,0.5\n"
    capacities = "activity,capacity\nmine,inf\n"
    root = economy_dir(
        tmp_path,
        activities_csv=activities,
        technology_csv=technology,
        labour_csv=labour,
        capacities_csv=capacities,
    )
    err = only_problem(root, "hawkins_simon")
    assert err.label == "mine"
    assert "product 'coal' uses 1.5 units of itself" in str(err)
