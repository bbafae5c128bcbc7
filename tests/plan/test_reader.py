"""read_spec: manifest and tables on disk, and the messages of every bad-input case."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan.errors import InputError
from gosplan.plan.reader import read_spec

from ._plan_fixtures import two_sector

MANIFEST = """\
name = "test plan"
periods = [1929, 1930, 1931]
objective = "min_labour"
{extra}
[tables]
targets = "targets.csv"
labour_available = "labour.csv"
lags = "lags.csv"
{tables}
"""

TARGETS = "product,period,target\nsteel,1929,10\ncloth,1931,20.5\n"
LABOUR = "labour_type,period,available\nworkers,1929,100\nworkers,1930,110\n"
LAGS = "activity,lag\nsteel,2\n"


def write_dir(
    root: Path,
    *,
    extra: str = "",
    tables: str = "",
    files: dict[str, str] | None = None,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "plan.toml").write_text(MANIFEST.format(extra=extra, tables=tables))
    contents = {"targets.csv": TARGETS, "labour.csv": LABOUR, "lags.csv": LAGS}
    contents.update(files or {})
    for name, text in contents.items():
        (root / name).write_text(text)
    return root


def read(root: Path):
    return read_spec(root, economy=two_sector())


def raises(root: Path, *parts: str) -> InputError:
    with pytest.raises(InputError) as info:
        read(root)
    message = str(info.value)
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"
    return info.value


# ---------------------------------------------------------------------- good input
def test_reads_tables_with_types(tmp_path):
    spec = read(write_dir(tmp_path))
    assert spec.periods == (1929, 1930, 1931)
    assert spec.objective == "min_labour"
    assert spec.name == "test plan"
    assert spec.targets["product"].tolist() == ["steel", "cloth"]
    assert spec.targets["period"].dtype == np.int64
    assert spec.targets["target"].tolist() == [10.0, 20.5]
    assert spec.lag_of().tolist() == [2, 1]
    assert spec.floors.empty  # tables not named keep their empty default


def test_manifest_file_path_and_start_horizon(tmp_path):
    root = write_dir(tmp_path)
    text = (
        (root / "plan.toml")
        .read_text()
        .replace("periods = [1929, 1930, 1931]", "start = 1929\nhorizon = 3")
    )
    (root / "plan.toml").write_text(text)
    spec = read_spec(root / "plan.toml", economy=two_sector())
    assert spec.periods == (1929, 1930, 1931)


def test_settings_and_consumption_weights(tmp_path):
    root = write_dir(
        tmp_path,
        extra="discount = 0.1\ntrade_deficit = 3\ninvestment_share = 0.5\ndefault_lag = 1\n"
        "terminal_growth = 2\n",
        tables='consumption_weights = "w.csv"',
        files={"w.csv": "product,weight\ncloth,1.5\n"},
    )
    spec = read(root)
    assert (spec.discount, spec.trade_deficit, spec.investment_share) == (0.1, 3.0, 0.5)
    assert spec.terminal_growth == 2.0
    assert spec.consumption_weights.to_dict() == {"cloth": 1.5}


def test_labels_that_look_like_numbers_stay_text(tmp_path):
    # A quoted extra column of digits is text, and number parsing is exact.
    root = write_dir(
        tmp_path, files={"targets.csv": 'product,period,target,source\nsteel,1929,0.1,"007"\n'}
    )
    spec = read(root)
    assert spec.targets["source"].tolist() == ["007"]
    assert spec.targets["target"].iloc[0] == 0.1


# ---------------------------------------------------------------------- bad input
def test_missing_table_file(tmp_path):
    root = write_dir(tmp_path)
    (root / "lags.csv").unlink()
    err = raises(root, "lags.csv", "not found")
    assert err.check == "unreadable_file"


def test_unparseable_parquet(tmp_path):
    root = write_dir(tmp_path, tables='floors = "floors.parquet"', files={"floors.parquet": "x"})
    err = raises(root, "floors.parquet", "cannot read")
    assert err.check == "unreadable_file"


def test_missing_column(tmp_path):
    root = write_dir(tmp_path, files={"targets.csv": "product,period\nsteel,1929\n"})
    err = raises(root, "targets.csv", "missing column 'target'")
    assert err.check == "missing_column"


def test_non_numeric_cell(tmp_path):
    bad = "product,period,target\nsteel,1929,10\ncloth,1931,lots\n"
    err = raises(write_dir(tmp_path, files={"targets.csv": bad}), "targets.csv", "row 3")
    assert "label 'cloth'" in str(err) and "not a number" in str(err)
    assert err.check == "non_numeric"


def test_empty_number_cell(tmp_path):
    bad = "labour_type,period,available\nworkers,1929,100\nworkers,1930,\n"
    err = raises(write_dir(tmp_path, files={"labour.csv": bad}), "labour.csv", "row 3")
    assert "label 'workers'" in str(err) and err.check == "missing_value"


def test_fractional_period(tmp_path):
    bad = "product,period,target\nsteel,1929.5,10\n"
    err = raises(write_dir(tmp_path, files={"targets.csv": bad}), "targets.csv", "row 2")
    assert "label 'steel'" in str(err) and "whole number" in str(err)


@pytest.mark.parametrize(
    ("file", "text", "row", "label", "what"),
    [
        ("targets.csv", "product,period,target\nsteel,1929,1\ncoal,1930,2\n", 3, "coal", "product"),
        ("lags.csv", "activity,lag\nsteel,1\nmining,1\n", 3, "mining", "activity"),
        ("labour.csv", "labour_type,period,available\nclerks,1929,5\n", 2, "clerks", "labour type"),
    ],
)
def test_unknown_labels(tmp_path, file, text, row, label, what):
    err = raises(
        write_dir(tmp_path, files={file: text}), file, f"row {row}", f"label {label!r}", what
    )
    assert err.check == "unknown_label"


def test_unknown_resource(tmp_path):
    root = write_dir(
        tmp_path,
        tables='resources_available = "res.csv"',
        files={"res.csv": "resource,period,available\ncoal,1929,5\noil,1929,1\n"},
    )
    err = raises(root, "res.csv", "row 3", "label 'oil'", "unknown resource")
    assert err.check == "unknown_label"


def test_unknown_period(tmp_path):
    bad = "product,period,target\nsteel,1929,1\ncloth,1930,2\ncloth,1935,3\n"
    err = raises(write_dir(tmp_path, files={"targets.csv": bad}), "targets.csv", "row 4", "1935")
    assert "label 'cloth'" in str(err)
    assert err.check == "unknown_label"


def test_negative_value(tmp_path):
    bad = "labour_type,period,available\nworkers,1929,100\nworkers,1930,-5\n"
    err = raises(
        write_dir(tmp_path, files={"labour.csv": bad}), "labour.csv", "row 3", "label 'workers'"
    )
    assert "negative" in str(err) and err.check == "negative_value"


def test_duplicate_rows(tmp_path):
    bad = "product,period,target\nsteel,1929,1\ncloth,1930,2\nsteel,1929,3\n"
    err = raises(write_dir(tmp_path, files={"targets.csv": bad}), "targets.csv", "row 4")
    assert "label 'steel / 1929'" in str(err) and "twice" in str(err)
    assert err.check == "duplicate_label"


def test_duplicate_consumption_weight(tmp_path):
    root = write_dir(
        tmp_path,
        tables='consumption_weights = "w.csv"',
        files={"w.csv": "product,weight\ncloth,1\ncloth,2\n"},
    )
    raises(root, "w.csv", "row 3", "label 'cloth'", "twice")


def test_unknown_product_in_consumption_weights(tmp_path):
    root = write_dir(
        tmp_path,
        tables='consumption_weights = "w.csv"',
        files={"w.csv": "product,weight\nbread,1\n"},
    )
    raises(root, "w.csv", "row 2", "label 'bread'", "unknown product")


def test_lag_not_shorter_than_horizon(tmp_path):
    bad = "activity,lag\ncloth,1\nsteel,3\n"
    err = raises(write_dir(tmp_path, files={"lags.csv": bad}), "lags.csv", "row 3", "label 'steel'")
    assert "horizon of 3 periods" in str(err) and err.check == "lag_exceeds_horizon"


def test_default_lag_not_shorter_than_horizon_without_a_lags_table(tmp_path):
    root = write_dir(tmp_path, extra="default_lag = 3\n")
    manifest = (root / "plan.toml").read_text().replace('lags = "lags.csv"\n', "")
    (root / "plan.toml").write_text(manifest)
    err = raises(root, "plan.toml", "label 'default_lag'", "default_lag 3", "horizon of 3 periods")
    assert err.source.endswith("plan.toml") and err.row is None
    assert err.check == "lag_exceeds_horizon"


def test_default_lag_too_long_is_pinned_on_the_manifest_not_the_lags_table(tmp_path):
    # lags.csv gives steel a lag of 2 (fine); cloth takes the default of 3 (too long)
    err = raises(write_dir(tmp_path, extra="default_lag = 3\n"), "plan.toml", "'default_lag'")
    assert "lags.csv" not in str(err) and err.label == "default_lag"
    # a table row that is too long still names lags.csv, its row and its activity
    bad = write_dir(
        tmp_path / "b", extra="default_lag = 1\n", files={"lags.csv": LAGS + "cloth,5\n"}
    )
    raises(bad, "lags.csv", "row 3", "label 'cloth'", "lag 5")


def test_default_lag_is_free_when_every_activity_has_its_own(tmp_path):
    lags = "activity,lag\nsteel,2\ncloth,1\n"
    spec = read(write_dir(tmp_path, extra="default_lag = 7\n", files={"lags.csv": lags}))
    assert spec.default_lag == 7 and spec.lag_of().tolist() == [2, 1]


def test_spec_rejects_a_default_lag_as_long_as_the_horizon():
    from gosplan.core.spec import PlanSpec

    eco = two_sector()
    with pytest.raises(InputError, match="default_lag 2 is not shorter") as info:
        PlanSpec(eco, periods=(1, 2), objective="max_consumption", default_lag=2).validated()
    assert info.value.label == "default_lag" and info.value.source == "plan spec"
    # a one-period plan keeps the default lag of 1 (static: nothing is built in the horizon)
    PlanSpec(eco, periods=(1,), objective="max_consumption").validated()


def test_depreciation_rate_of_one(tmp_path):
    root = write_dir(
        tmp_path,
        tables='depreciation = "dep.csv"',
        files={"dep.csv": "activity,rate\nsteel,0.1\ncloth,1.0\n"},
    )
    raises(root, "dep.csv", "row 3", "label 'cloth'", "below 1")


def test_vintage_built_inside_horizon(tmp_path):
    root = write_dir(
        tmp_path,
        tables='vintages = "vint.csv"',
        files={"vint.csv": "activity,year_built,capacity\nsteel,1920,5\ncloth,1930,5\n"},
    )
    raises(root, "vint.csv", "row 3", "label 'cloth'", "1930")


def test_unknown_manifest_key(tmp_path):
    err = raises(write_dir(tmp_path, extra="horizn = 5\n"), "plan.toml", "label 'horizn'")
    assert "unknown manifest key" in str(err) and err.check == "unknown_key"


def test_unknown_table_key(tmp_path):
    root = write_dir(tmp_path, tables='target = "x.csv"')
    raises(root, "plan.toml", "label 'target'", "unknown table")


def test_unknown_objective(tmp_path):
    root = write_dir(tmp_path)
    text = (root / "plan.toml").read_text().replace('"min_labour"', '"max_happiness"')
    (root / "plan.toml").write_text(text)
    err = raises(root, "plan.toml", "max_happiness", "max_level")
    assert err.check == "unknown_objective"


def test_bad_manifest_types_and_periods(tmp_path):
    raises(write_dir(tmp_path / "a", extra='discount = "low"\n'), "plan.toml", "'discount'")
    root = write_dir(tmp_path / "b")
    text = (root / "plan.toml").read_text().replace("[1929, 1930, 1931]", "[1930, 1929]")
    (root / "plan.toml").write_text(text)
    raises(root, "plan.toml", "increasing")
    root = write_dir(tmp_path / "c", extra="start = 1929\nhorizon = 3\n")
    raises(root, "plan.toml", "not both")


def test_unreadable_manifest(tmp_path):
    (tmp_path / "plan.toml").write_text("name = [unclosed\n")
    err = raises(tmp_path, "plan.toml", "cannot read the manifest")
    assert err.check == "unreadable_file"
    with pytest.raises(InputError, match=re.escape(str(tmp_path / "nowhere"))):
        read_spec(tmp_path / "nowhere", economy=two_sector())


def test_workbook_sheet_errors_name_the_sheet(tmp_path):
    book = tmp_path / "plan.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        pd.DataFrame(
            {"product": ["steel", "tea"], "period": [1929, 1929], "target": [1, 2]}
        ).to_excel(writer, sheet_name="goals", index=False)
    (tmp_path / "plan.toml").write_text(
        'periods = [1929]\nobjective = "min_labour"\n[tables]\nworkbook = "plan.xlsx"\n'
        'targets = "goals"\n'
    )
    raises(tmp_path, "plan.xlsx[goals]", "row 3", "label 'tea'")
    (tmp_path / "plan.toml").write_text(
        'periods = [1929]\nobjective = "min_labour"\n[tables]\nworkbook = "plan.xlsx"\n'
        'targets = "targets"\n'
    )
    raises(tmp_path, "plan.xlsx[targets]", "no sheet named 'targets'")


def test_whole_plan_checks_name_the_manifest(tmp_path):
    root = write_dir(tmp_path)
    (root / "plan.toml").write_text('periods = [1929]\nobjective = "harmony"\n')
    raises(root, "plan.toml", "harmony needs targets")


def test_manifest_must_name_an_economy(tmp_path):
    root = write_dir(tmp_path)
    with pytest.raises(InputError, match="must name the economy"):
        read_spec(root)
