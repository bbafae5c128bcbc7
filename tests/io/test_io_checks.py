"""Every named validation check: bad input gives a message naming file, row and label."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _economy_files import only_problem, problems_of, write_economy

from gosplan import ValidationError
from gosplan.io import CHECKS, check_report, read_economy

MANIFEST = """
name = "mb"
[tables]
products = "products.csv"
technology = "technology.csv"
labour = "labour.csv"
capacities = "capacities.csv"
"""
GOOD = {
    "economy.toml": MANIFEST,
    "products.csv": "product,unit\nagri,t\nmanu,t\n",
    "technology.csv": (
        "input,activity,coefficient\nagri,agri,0.15\nmanu,agri,0.20\n"
        "agri,manu,0.25\nmanu,manu,0.05\n"
    ),
    "labour.csv": "labour_type,activity,coefficient,unit\nwork,agri,0.3,py\nwork,manu,0.2,py\n",
    "capacities.csv": "activity,capacity,unit\nagri,1000,t\nmanu,inf,t\n",
}


def economy_dir(root: Path, **changes: str | bytes | None) -> Path:
    """The good economy with some files replaced (``None``: removed); keys use _ for ."""
    return write_economy(root, GOOD, **changes)


def test_good_economy_reads(tmp_path: Path) -> None:
    eco = read_economy(economy_dir(tmp_path))
    assert eco.technology.nnz == 4


# ------------------------------------------------------------------ one test per check
def test_unreadable_missing_file(tmp_path: Path) -> None:
    err = only_problem(economy_dir(tmp_path, labour_csv=None), "unreadable_file")
    assert str(tmp_path / "labour.csv") in str(err) and "file not found" in str(err)


def test_unreadable_garbled_parquet(tmp_path: Path) -> None:
    root = economy_dir(
        tmp_path,
        economy_toml=MANIFEST.replace("technology.csv", "technology.parquet"),
    )
    (root / "technology.parquet").write_bytes(b"PAR1 this is not parquet at all")
    err = only_problem(root, "unreadable_file")
    assert str(root / "technology.parquet") in str(err) and "cannot read" in str(err)


def test_unreadable_bad_toml(tmp_path: Path) -> None:
    root = economy_dir(tmp_path, economy_toml='name = "mb\n[tables\n')
    err = only_problem(root, "unreadable_file")
    assert str(root / "economy.toml") in str(err) and "not valid TOML" in str(err)


def test_unreadable_missing_manifest(tmp_path: Path) -> None:
    root = economy_dir(tmp_path, economy_toml=None)
    err = only_problem(root, "unreadable_file")
    assert str(root) in str(err) and "no economy.toml" in str(err)
    err = only_problem(tmp_path / "nowhere", "unreadable_file")
    assert str(tmp_path / "nowhere") in str(err)


def test_missing_column(tmp_path: Path) -> None:
    root = economy_dir(tmp_path, technology_csv="input,activity,coef\nagri,agri,0.15\n")
    err = only_problem(root, "missing_column")
    text = str(err)
    assert str(root / "technology.csv") in text and "row 1" in text
    assert "label 'coefficient'" in text and "'coef'" in text  # says what it found


def test_non_numeric(tmp_path: Path) -> None:
    bad = GOOD["technology.csv"].replace("manu,agri,0.20", "manu,agri,0,2")
    bad = bad.replace("input,activity,coefficient", "input,activity,coefficient,note")
    root = economy_dir(tmp_path, technology_csv=bad.replace("manu,agri,0,2", "manu,agri,zero"))
    err = only_problem(root, "non_numeric")
    text = str(err)
    assert str(root / "technology.csv") in text and "row 3" in text
    assert "label 'agri'" in text and "'zero'" in text


def test_missing_value(tmp_path: Path) -> None:
    bad = GOOD["technology.csv"].replace("agri,manu,0.25", "agri,manu,")
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "missing_value")
    text = str(err)
    assert "technology.csv" in text and "row 4" in text and "label 'manu'" in text
    assert "coefficient of input 'agri' of activity 'manu' is empty" in text


def test_missing_label(tmp_path: Path) -> None:
    bad = GOOD["labour.csv"].replace("work,manu", ",manu")
    err = only_problem(economy_dir(tmp_path, labour_csv=bad), "missing_value")
    assert "labour.csv" in str(err) and "row 3" in str(err) and "labour type is missing" in str(err)


def test_negative_coefficient(tmp_path: Path) -> None:
    bad = GOOD["labour.csv"].replace("work,manu,0.2", "work,manu,-0.2")
    err = only_problem(economy_dir(tmp_path, labour_csv=bad), "negative_coefficient")
    text = str(err)
    assert "labour.csv" in text and "row 3" in text and "label 'manu'" in text
    assert "negative (-0.2)" in text


def test_negative_capacity(tmp_path: Path) -> None:
    bad = GOOD["capacities.csv"].replace("1000", "-5")
    err = only_problem(economy_dir(tmp_path, capacities_csv=bad), "negative_coefficient")
    assert "capacities.csv" in str(err) and "row 2" in str(err) and "label 'agri'" in str(err)


def test_value_too_large(tmp_path: Path) -> None:
    bad = GOOD["labour.csv"].replace("work,manu,0.2", "work,manu,1e20")
    err = only_problem(economy_dir(tmp_path, labour_csv=bad), "value_too_large")
    text = str(err)
    assert "labour.csv" in text and "row 3" in text and "label 'manu'" in text
    assert "too large (1e+20)" in text


def test_duplicate_label(tmp_path: Path) -> None:
    root = economy_dir(tmp_path, products_csv="product,unit\nagri,t\nagri,t\nmanu,t\n")
    err = only_problem(root, "duplicate_label")
    text = str(err)
    assert "products.csv" in text and "row 3" in text and "label 'agri'" in text
    assert "first on row 2" in text


def test_duplicate_pair(tmp_path: Path) -> None:
    bad = GOOD["technology.csv"] + "manu,agri,0.1\n"
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "duplicate_label")
    text = str(err)
    assert "technology.csv" in text and "row 6" in text and "label 'manu / agri'" in text


def test_unknown_label(tmp_path: Path) -> None:
    bad = GOOD["technology.csv"].replace("manu,manu,0.05", "mining,manu,0.05")
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "unknown_label")
    text = str(err)
    assert "technology.csv" in text and "row 5" in text and "label 'mining'" in text
    assert "not declared" in text


def test_empty_table(tmp_path: Path) -> None:
    root = economy_dir(tmp_path, technology_csv="input,activity,coefficient\n")
    err = only_problem(root, "empty_table")
    assert str(root / "technology.csv") in str(err) and "no rows" in str(err)
    root = economy_dir(tmp_path / "blank", technology_csv="")
    err = only_problem(root, "empty_table")
    assert "technology.csv" in str(err)


def test_hawkins_simon(tmp_path: Path) -> None:
    bad = (
        "input,activity,coefficient\nagri,agri,0.6\nmanu,agri,0.5\n"
        "agri,manu,0.5\nmanu,manu,0.6\n"
    )  # spectral radius 1.1
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "hawkins_simon")
    text = str(err)
    assert "technology.csv" in text and "spectral radius of A is 1.1" in text
    assert "label 'agri'" in text  # the activity using most inputs per unit
    # read without validation: the economy is built all the same
    assert read_economy(tmp_path, validate=False).technology.nnz == 4


def test_unit_mismatch_labour(tmp_path: Path) -> None:
    bad = GOOD["labour.csv"].replace("work,manu,0.2,py", "work,manu,0.2,hours")
    err = only_problem(economy_dir(tmp_path, labour_csv=bad), "unit_mismatch")
    text = str(err)
    assert "labour.csv" in text and "row 3" in text and "label 'work'" in text
    assert "'hours'" in text and "'py'" in text


def test_unit_mismatch_capacity(tmp_path: Path) -> None:
    bad = GOOD["capacities.csv"].replace("1000,t", "1000,kg")
    err = only_problem(economy_dir(tmp_path, capacities_csv=bad), "unit_mismatch")
    text = str(err)
    assert "capacities.csv" in text and "row 2" in text and "label 'agri'" in text
    assert "'kg'" in text and "'t'" in text


ACTIVITIES_MANIFEST = MANIFEST.replace(
    'technology = "technology.csv"', 'activities = "activities.csv"\ntechnology = "technology.csv"'
)


def test_no_technique(tmp_path: Path) -> None:
    # 'manu' is declared, used as an input, but no activity makes it.
    root = economy_dir(
        tmp_path,
        economy_toml=ACTIVITIES_MANIFEST,
        activities_csv="activity,product\nagri,agri\n",
        technology_csv="input,activity,coefficient\nagri,agri,0.15\nmanu,agri,0.20\n",
        labour_csv="labour_type,activity,coefficient\nwork,agri,0.3\n",
        capacities_csv="activity,capacity\nagri,1000\n",
    )
    err = only_problem(root, "no_technique")
    text = str(err)
    assert str(root / "activities.csv") in text and "label 'manu'" in text
    assert "has no technique" in text
    # Read without the economy-wide checks, the economy is built (the planner may use it).
    assert read_economy(root, validate=False).n_activities == 1
    report = {c: (s, m) for c, s, m in check_report(root)}
    assert report["no_technique"][0] == "failed" and "'manu'" in report["no_technique"][1]
    assert report["hawkins_simon"][0] == "not run"


def test_no_technique_in_an_economy_built_in_code() -> None:
    import pandas as pd

    from gosplan import Economy

    eco = Economy(
        products=pd.DataFrame(index=pd.Index(["a", "b"])),
        activities=pd.DataFrame({"product": ["a"]}, index=["make a"]),
        technology=np.array([[0.1], [0.2]]),
    )
    with pytest.raises(ValidationError) as info:
        eco.validate()
    assert info.value.check == "no_technique" and info.value.label == "b"


def test_several_techniques_per_product_pass_every_check(tmp_path: Path) -> None:
    root = economy_dir(
        tmp_path,
        economy_toml=ACTIVITIES_MANIFEST,
        activities_csv="activity,product\nagri,agri\nmanu,manu\nmanu2,manu\n",
        technology_csv=GOOD["technology.csv"] + "agri,manu2,0.1\nmanu,manu2,0.3\n",
        labour_csv=GOOD["labour.csv"] + "work,manu2,0.1,py\n",
        capacities_csv=GOOD["capacities.csv"] + "manu2,500,t\n",
    )
    assert read_economy(root).n_activities == 3
    assert {status for _, status, _ in check_report(root)} == {"ok"}


def test_every_named_check_is_tested() -> None:
    tested = {
        name.removeprefix("test_").removeprefix("unreadable_").split("_")[0]
        for name in globals()
        if name.startswith("test_")
    }
    for check in CHECKS:
        assert check.split("_")[0] in tested | {"unreadable"}, check


# ------------------------------------------------------------------ several problems at once
def test_all_problems_reported_together(tmp_path: Path) -> None:
    tech = (
        GOOD["technology.csv"]
        .replace("manu,agri,0.20", "manu,agri,x")
        .replace("manu,manu,0.05", "mining,manu,0.05")
    )
    labour = GOOD["labour.csv"].replace("work,agri,0.3", "work,agri,-1")
    root = economy_dir(tmp_path, technology_csv=tech, labour_csv=labour)
    found = problems_of(root)
    assert sorted(p.check for p in found) == [
        "negative_coefficient",
        "non_numeric",
        "unknown_label",
    ]
    with pytest.raises(ValidationError) as info:
        read_economy(root)
    text = str(info.value)
    assert text.startswith("3 problems found:")
    assert f"{root / 'technology.csv'}, row 3, label 'agri'" in text
    assert f"{root / 'technology.csv'}, row 5, label 'mining'" in text
    assert f"{root / 'labour.csv'}, row 2, label 'agri'" in text


def test_many_bad_rows_are_capped(tmp_path: Path) -> None:
    names = [f"p{k}" for k in range(100)]
    products = "product\n" + "".join(f"{n}\n" for n in names)
    tech = "input,activity,coefficient\n" + "".join(f"{n},{n},bad\n" for n in names)
    root = economy_dir(
        tmp_path,
        economy_toml=MANIFEST.replace('labour = "labour.csv"\n', "").replace(
            'capacities = "capacities.csv"\n', ""
        ),
        products_csv=products,
        technology_csv=tech,
    )
    found = problems_of(root)
    assert len(found) == 6
    assert [p.row for p in found[:5]] == [2, 3, 4, 5, 6]
    assert "... and 95 more rows" in str(found[5]) and found[5].check == "non_numeric"
    assert "technology.csv" in str(found[5])


# ------------------------------------------------------------------ check_report
def test_check_report_good(tmp_path: Path) -> None:
    rows = check_report(economy_dir(tmp_path))
    assert [r[0] for r in rows] == list(CHECKS)
    assert all(status == "ok" for _, status, _ in rows)


def test_check_report_failed_table_check(tmp_path: Path) -> None:
    bad = GOOD["labour.csv"].replace("work,manu,0.2", "work,manu,-0.2")
    report = {
        check: (status, msg)
        for check, status, msg in check_report(economy_dir(tmp_path, labour_csv=bad))
    }
    status, message = report["negative_coefficient"]
    assert status == "failed"
    assert "labour.csv" in message and "row 3" in message and "negative (-0.2)" in message
    assert report["non_numeric"][0] == "ok"
    assert report["hawkins_simon"][0] == "not run"


def test_check_report_failed_hawkins_simon(tmp_path: Path) -> None:
    bad = "input,activity,coefficient\nagri,agri,1.0\n"
    report = {c: (s, m) for c, s, m in check_report(economy_dir(tmp_path, technology_csv=bad))}
    assert report["hawkins_simon"][0] == "failed"
    assert "spectral radius of A is 1" in report["hawkins_simon"][1]
    assert all(s == "ok" for c, (s, _) in report.items() if c != "hawkins_simon")


def test_check_report_unreadable_manifest(tmp_path: Path) -> None:
    report = {c: (s, m) for c, s, m in check_report(tmp_path)}
    assert report["unreadable_file"][0] == "failed"
    assert "no economy.toml" in report["unreadable_file"][1]
    # Nothing was read: no other check may claim to have passed.
    others = {c: sm for c, sm in report.items() if c != "unreadable_file"}
    assert {s for s, _ in others.values()} == {"not run"}
    assert all("reading stopped at" in m for _, m in others.values())


def test_check_report_keeps_reading_past_a_table_with_bad_rows(tmp_path: Path) -> None:
    # A duplicate product and a negative coefficient in technology.csv: both reported.
    root = economy_dir(
        tmp_path,
        products_csv="product,unit\nagri,t\nagri,t\nmanu,t\n",
        technology_csv=GOOD["technology.csv"].replace("manu,agri,0.20", "manu,agri,-0.20"),
    )
    report = {c: (s, m) for c, s, m in check_report(root)}
    assert report["duplicate_label"][0] == "failed"
    assert "products.csv, row 3, label 'agri'" in report["duplicate_label"][1]
    assert report["negative_coefficient"][0] == "failed"
    message = report["negative_coefficient"][1]
    assert "technology.csv, row 3" in message and "input 'manu' of activity 'agri'" in message
    # The duplicate is left out of the labels, so nothing else is reported as a consequence.
    assert report["unknown_label"][0] == "ok" and report["unit_mismatch"][0] == "ok"
    # The economy-wide checks need tables without problems: not run, never "ok".
    assert report["hawkins_simon"][0] == "not run" and report["no_technique"][0] == "not run"
    # read_economy raises the same problems together.
    assert sorted(p.check for p in problems_of(root)) == [
        "duplicate_label",
        "negative_coefficient",
    ]


def test_check_report_says_not_run_when_reading_stops(tmp_path: Path) -> None:
    root = economy_dir(tmp_path, products_csv="name,unit\nagri,t\n")  # no 'product' column
    report = {c: (s, m) for c, s, m in check_report(root)}
    assert report["missing_column"][0] == "failed"
    assert "ok" not in {s for s, _ in report.values()}
    stopped = f"reading stopped at {root / 'products.csv'}"
    for check in ("unreadable_file", "negative_coefficient", "duplicate_label", "hawkins_simon"):
        status, message = report[check]
        assert status == "not run" and stopped in message, (check, message)
    assert str(root / "technology.csv") in report["non_numeric"][1]  # the tables not checked


def test_labour_flows_not_checked_when_transactions_are_unreadable(tmp_path: Path) -> None:
    root = economy_dir(
        tmp_path,
        economy_toml=FLOWS_MANIFEST + 'labour = "labour_flows.csv"\n[labour]\nkind = "flows"\n',
        labour_flows_csv="labour_type,agri,manu\nwork,-1,2\n",
    )  # flows.csv does not exist
    report = {c: (s, m) for c, s, m in check_report(root)}
    assert report["unreadable_file"][0] == "failed"
    status, message = report["negative_coefficient"]
    assert status == "not run" and "labour_flows.csv" in message and "transactions" in message


# ------------------------------------------------------------------ clear messages
def test_a_directory_instead_of_a_table_file(tmp_path: Path) -> None:
    root = economy_dir(tmp_path, labour_csv=None)
    (root / "labour.csv").mkdir()
    err = only_problem(root, "unreadable_file")
    assert str(root / "labour.csv") in str(err) and "got a directory" in str(err)
    assert "not found" not in str(err)


def test_parquet_nan_is_called_nan(tmp_path: Path) -> None:
    import pandas as pd

    root = economy_dir(
        tmp_path, economy_toml=MANIFEST.replace("technology.csv", "technology.parquet")
    )
    pd.DataFrame(
        {"input": ["agri", "manu"], "activity": ["agri", "agri"], "coefficient": [0.1, np.nan]}
    ).to_parquet(root / "technology.parquet")
    err = only_problem(root, "missing_value")
    text = str(err)
    assert "technology.parquet" in text and "row 3" in text
    assert "coefficient of input 'manu' of activity 'agri' is NaN" in text
    assert "empty" not in text


def test_coefficient_messages_name_the_input_and_the_activity(tmp_path: Path) -> None:
    bad = GOOD["technology.csv"].replace("agri,manu,0.25", "agri,manu,lots")
    err = only_problem(economy_dir(tmp_path, technology_csv=bad), "non_numeric")
    assert "coefficient of input 'agri' of activity 'manu' is not a number: 'lots'" in str(err)
    bad = GOOD["labour.csv"].replace("work,manu,0.2", "work,manu,-0.2")
    err = only_problem(economy_dir(tmp_path / "l", labour_csv=bad), "negative_coefficient")
    assert "coefficient of labour type 'work' of activity 'manu' is negative" in str(err)


def test_economy_wide_entry_messages_name_the_input() -> None:
    import pandas as pd

    from gosplan import Economy

    A = pd.DataFrame([[0.1, -0.2], [0.3, 0.1]], index=["a", "b"], columns=["a", "b"])
    with pytest.raises(ValidationError) as info:
        Economy.from_coefficients(A, validate=False).validate()
    assert "of input 'a' of activity 'b' is negative" in str(info.value)


# ------------------------------------------------------------------ transactions layout
FLOWS_MANIFEST = """
name = "flows"
[tables]
products = "products.csv"
transactions = "flows.csv"
"""


def test_zero_gross_output_of_a_using_product(tmp_path: Path) -> None:
    root = economy_dir(
        tmp_path,
        economy_toml=FLOWS_MANIFEST,
        flows_csv="product,agri,manu,gross_output\nagri,150,500,1000\nmanu,200,100,0\n",
    )
    err = only_problem(root, "non_positive_output")
    text = str(err)
    assert "flows.csv" in text and "row 3" in text and "label 'manu'" in text


def test_unknown_product_column_in_transactions(tmp_path: Path) -> None:
    root = economy_dir(
        tmp_path,
        economy_toml=FLOWS_MANIFEST,
        flows_csv="product,agri,Manu,gross_output\nagri,150,500,1000\nmanu,200,100,2000\n",
    )
    err = only_problem(root, "unknown_label")
    assert "flows.csv" in str(err) and "label 'Manu'" in str(err)  # labels are case-sensitive


def test_labour_flows_need_transactions(tmp_path: Path) -> None:
    root = economy_dir(tmp_path, economy_toml=MANIFEST + '[labour]\nkind = "flows"\n')
    err = only_problem(root, "missing_value")
    assert str(root / "economy.toml") in str(err) and "transactions" in str(err)


def test_transactions_with_activities_table(tmp_path: Path) -> None:
    root = economy_dir(
        tmp_path,
        economy_toml=FLOWS_MANIFEST + 'activities = "activities.csv"\n',
        flows_csv="product,agri,manu,gross_output\nagri,150,500,1000\nmanu,200,100,2000\n",
        activities_csv="activity,product\na1,agri\na2,manu\n",
    )
    err = only_problem(root, "unknown_label")
    assert "economy.toml" in str(err) and "one activity per product" in str(err)
