"""Economy directories written by hand (plain text here, not by the library) read correctly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan import ValidationError
from gosplan.io import read_economy

MB_A = np.array([[0.15, 0.25], [0.20, 0.05]])  # Miller & Blair, Input-Output Analysis, ch. 2


def write_files(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text.lstrip("\n"), encoding="utf-8")
    return root


MANIFEST = """
name = "miller-blair"
base_year = 2000
currency = "dollars"

[tables]
products = "products.csv"
technology = "technology.csv"
labour = "labour.csv"
"""

PRODUCTS = """
product,unit,description,group
agriculture,$,farms,consumer goods
manufacturing,$,factories,means of production
"""


def test_miller_blair_coefficients(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            "economy.toml": MANIFEST,
            "products.csv": PRODUCTS,
            "technology.csv": """
input,activity,coefficient
agriculture,agriculture,0.15
manufacturing,agriculture,0.20
agriculture,manufacturing,0.25
manufacturing,manufacturing,0.05
""",
            "labour.csv": """
labour_type,activity,coefficient,unit
work,agriculture,0.3,thousand person-years
work,manufacturing,0.2,thousand person-years
""",
        },
    )
    eco = read_economy(root / "economy.toml")  # the manifest's path works like the directory
    assert list(eco.product_labels) == ["agriculture", "manufacturing"]
    np.testing.assert_array_equal(eco.technology.toarray(), MB_A)
    np.testing.assert_array_equal(eco.labour.toarray(), [[0.3, 0.2]])
    assert eco.products.loc["manufacturing", "group"] == "means of production"
    assert eco.meta.name == "miller-blair" and eco.meta.base_year == 2000
    assert eco.meta.currency == "dollars"
    assert eco.meta.labour_unit == "thousand person-years"
    # the textbook's flows Z = [[150, 500], [200, 100]] leave y = x - Z 1 = (350, 1700)
    x = eco.gross_output(pd.Series({"agriculture": 350.0, "manufacturing": 1700.0}))
    np.testing.assert_allclose(x.to_numpy(), [1000.0, 2000.0], rtol=1e-12)
    assert np.isinf(eco.capacity).all() and np.isnan(eco.service_life).all()


def test_miller_blair_transactions(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            "economy.toml": """
name = "miller-blair flows"

[tables]
products = "products.csv"
transactions = "flows.csv"
labour = "jobs.csv"

[labour]
kind = "flows"
""",
            "products.csv": "product\nAgriculture\nManufacturing\n",
            "flows.csv": """
Product,Agriculture,Manufacturing,Gross_Output
Agriculture,150,500,1000
Manufacturing,200,100,2000
""",
            "jobs.csv": """
labour_type,Agriculture,Manufacturing
workers,300,400
""",
        },
    )
    eco = read_economy(root)
    np.testing.assert_allclose(eco.technology.toarray(), MB_A, rtol=1e-15)
    np.testing.assert_allclose(eco.labour.toarray(), [[0.3, 0.2]], rtol=1e-15)
    assert list(eco.labour_types) == ["workers"]


def test_several_techniques_with_capacities_and_capital(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            "economy.toml": """
name = "steel"

[tables]
products = "products.csv"
activities = "activities.csv"
technology = "technology.csv"
capacities = "capacities.csv"
capital = "capital.csv"
resources = "resources.csv"
""",
            "products.csv": "product,unit\ncoal,t\nsteel,t\n",
            "activities.csv": """
activity,product,description,service_life
mine,coal,,40
bessemer,steel,converter,25
open_hearth,steel,,
""",
            "technology.csv": """
input,activity,coefficient,source
coal,bessemer,0.8,estimate
coal,open_hearth,1.1,estimate
steel,mine,0.01,
""",
            "capacities.csv": "activity,capacity,unit\nmine,1e6,t\nopen_hearth,inf,t\n",
            "capital.csv": "input,activity,coefficient\nsteel,mine,2.5\n",
            "resources.csv": """
resource,activity,coefficient
ore,bessemer,1.6
ore,open_hearth,1.5
""",
        },
    )
    eco = read_economy(root)
    assert list(eco.activity_labels) == ["mine", "bessemer", "open_hearth"]
    assert eco.activities["product"].tolist() == ["coal", "steel", "steel"]
    assert eco.activities["description"].tolist() == ["", "converter", ""]
    A = pd.DataFrame(
        eco.technology.toarray(), index=eco.product_labels, columns=eco.activity_labels
    )
    assert A.loc["coal", "bessemer"] == 0.8 and A.loc["coal", "open_hearth"] == 1.1
    assert A.loc["steel", "mine"] == 0.01 and eco.technology.nnz == 3
    np.testing.assert_array_equal(eco.capacity, [1e6, np.inf, np.inf])
    np.testing.assert_array_equal(eco.service_life, [40.0, 25.0, np.nan])
    np.testing.assert_array_equal(eco.capital.toarray(), [[0, 0, 0], [2.5, 0, 0]])
    np.testing.assert_array_equal(eco.resources.toarray(), [[0, 1.6, 1.5]])


def test_labels_that_look_like_numbers_stay_labels(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            "economy.toml": MANIFEST.replace('labour = "labour.csv"\n', ""),
            "products.csv": "product\n01\n1.0\nNA\n",
            "technology.csv": "input,activity,coefficient\n01,1.0,0.5\nNA,01,0.25\n",
        },
    )
    eco = read_economy(root)
    assert list(eco.product_labels) == ["01", "1.0", "NA"]
    assert eco.coefficients().loc["01", "1.0"] == 0.5
    assert eco.coefficients().loc["NA", "01"] == 0.25


def test_service_life_in_capacities_without_activities(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            "economy.toml": MANIFEST.replace('labour = "labour.csv"', 'capacities = "cap.csv"'),
            "products.csv": PRODUCTS,
            "technology.csv": "input,activity,coefficient\nagriculture,manufacturing,0.25\n",
            "cap.csv": "activity,capacity,service_life\nmanufacturing,5000,30\n",
        },
    )
    eco = read_economy(root)
    np.testing.assert_array_equal(eco.capacity, [np.inf, 5000.0])
    np.testing.assert_array_equal(eco.service_life, [np.nan, 30.0])


# ------------------------------------------------------------------ Excel workbook layout
def _workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def test_workbook_layout(tmp_path: Path) -> None:
    _workbook(
        tmp_path / "mb.xlsx",
        {
            "Sectors": pd.DataFrame({"Product": ["agriculture", "manufacturing"]}),
            "A": pd.DataFrame(
                {
                    "input": ["agriculture", "manufacturing", "agriculture", "manufacturing"],
                    "activity": ["agriculture", "agriculture", "manufacturing", "manufacturing"],
                    "coefficient": [0.15, 0.20, 0.25, 0.05],
                }
            ),
            "technology": pd.DataFrame({"unused": [1]}),
        },
    )
    write_files(
        tmp_path,
        {
            "economy.toml": """
name = "from excel"
[tables]
workbook = "mb.xlsx"
products = "Sectors"
technology = "A"
"""
        },
    )
    eco = read_economy(tmp_path)
    np.testing.assert_array_equal(eco.technology.toarray(), MB_A)


def test_workbook_default_sheet_names(tmp_path: Path) -> None:
    _workbook(
        tmp_path / "book.xlsx",
        {
            "products": pd.DataFrame({"product": ["a", "b"]}),
            "technology": pd.DataFrame({"input": ["a"], "activity": ["b"], "coefficient": [0.5]}),
        },
    )
    write_files(tmp_path, {"economy.toml": 'name = "x"\n[tables]\nworkbook = "book.xlsx"\n'})
    eco = read_economy(tmp_path)
    assert eco.coefficients().loc["a", "b"] == 0.5


def test_workbook_missing_sheet_names_book_and_sheet(tmp_path: Path) -> None:
    _workbook(tmp_path / "book.xlsx", {"products": pd.DataFrame({"product": ["a", "b"]})})
    write_files(
        tmp_path,
        {"economy.toml": 'name = "x"\n[tables]\nworkbook = "book.xlsx"\ntechnology = "Tech"\n'},
    )
    with pytest.raises(ValidationError) as info:
        read_economy(tmp_path)
    assert info.value.check == "unreadable_file"
    assert f"{tmp_path / 'book.xlsx'}[Tech]" in str(info.value)
    assert "no sheet named 'Tech'" in str(info.value)
