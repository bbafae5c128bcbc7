"""Fulfilment reports: shares, cumulative sums, causes of shortfalls, aggregates, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan.core.fulfilment_report import ALL_PRODUCTS, FulfilmentReport
from gosplan.errors import InputError, ValidationError
from gosplan.run.fulfilment import check_actuals, fulfilment, read_actuals

from ._fixtures import actuals_table, control_figures, figures_table


def test_the_table_against_one_computed_by_hand() -> None:
    report = fulfilment(control_figures(), actuals_table())
    t = report.table
    assert list(t["enterprise"].astype(str)) == ["A", "A", "B", "B"]
    assert list(t["month"]) == [1, 2, 1, 2]
    np.testing.assert_allclose(t["plan"], [100, 100, 200, 200])
    np.testing.assert_allclose(t["actual"], [80, 110, 150, 180])
    np.testing.assert_allclose(t["share"], [0.8, 1.1, 0.75, 0.9])
    np.testing.assert_allclose(t["cumulative_plan"], [100, 200, 200, 400])
    np.testing.assert_allclose(t["cumulative_actual"], [80, 190, 150, 330])
    np.testing.assert_allclose(t["cumulative_share"], [0.8, 0.95, 0.75, 0.825])
    np.testing.assert_allclose(t["shortfall"], [20, 0, 50, 20])
    # A month 1: coal received 40 of 50 (0.8 <= share 0.8): the input
    # B month 1: miners 14 of 20 (0.7 <= 0.75): labour; month 2: miners 20 of 20: capacity
    assert list(t["cause"].astype(str)) == ["input:coal", "", "labour:miners", "capacity"]
    np.testing.assert_allclose(t["cause_amount"], [10, 0, 6, 20])
    np.testing.assert_allclose(t["labour"], [10, 10, 14, 20])
    assert list(t["trust"].astype(str)) == ["T1"] * 4


def test_the_lowest_resource_ratio_below_the_share_is_the_cause() -> None:
    actuals = actuals_table()
    # A month 1: labour 7 of 10 (0.7) and coal 40 of 50 (0.8), output share 0.8
    actuals.loc[1, "labour:workers"] = 7.0
    t = fulfilment(control_figures(), actuals).table
    assert t["cause"].astype(str).iloc[0] == "labour:workers"
    assert t["cause_amount"].iloc[0] == pytest.approx(3.0)
    # coal received at 0.9 > share 0.8 with labour in full: nothing explains it
    actuals.loc[1, ["labour:workers", "received:coal"]] = [10.0, 45.0]
    t = fulfilment(control_figures(), actuals).table
    assert t["cause"].astype(str).iloc[0] == "capacity"
    assert t["cause_amount"].iloc[0] == pytest.approx(20.0)


def test_a_figures_table_alone_puts_every_shortfall_down_to_capacity() -> None:
    t = fulfilment(figures_table(), actuals_table()).table
    assert list(t["cause"].astype(str)) == ["capacity", "", "capacity", "capacity"]


def test_monthly_reports_against_annual_figures_take_a_twelfth() -> None:
    figures = figures_table().iloc[[0, 2]].assign(month=0, output=[1200.0, 2400.0])
    t = fulfilment(figures, actuals_table()).table
    np.testing.assert_allclose(t["plan"], [100, 100, 200, 200])
    annual = actuals_table().drop(columns="month").iloc[[0, 1]]
    t = fulfilment(figures_table(), annual).table  # annual reports: the monthly figures summed
    np.testing.assert_allclose(t["plan"], [200, 400])
    assert list(t["month"]) == [0, 0]


def test_a_zero_plan_has_no_share() -> None:
    figures = figures_table()
    figures.loc[0, "output"] = 0.0
    t = fulfilment(figures, actuals_table()).table
    assert np.isnan(t["share"].iloc[0]) and t["shortfall"].iloc[0] == 0
    assert t["cause"].astype(str).iloc[0] == ""


def test_the_aggregates_weight_by_plan_within_a_product_and_average_over_products() -> None:
    report = fulfilment(control_figures(), actuals_table())
    b = report.by_trust
    assert list(b["product"].astype(str)) == ["coal", "steel", ALL_PRODUCTS] * 2
    np.testing.assert_allclose(b["share"], [0.75, 0.8, 0.775, 0.9, 1.1, 1.0])
    np.testing.assert_allclose(b["cumulative_share"], [0.75, 0.8, 0.775, 0.825, 0.95, 0.8875])
    assert b["plan"].isna().tolist() == [False, False, True] * 2
    assert list(b["products"]) == [1, 1, 2, 1, 1, 2]
    assert list(report.by_commissariat["commissariat"].astype(str)) == ["C1"] * 6


def test_two_enterprises_of_one_product_are_weighted_by_plan() -> None:
    figures = pd.DataFrame(
        {
            "enterprise": ["A", "B"],
            "trust": ["T", "T"],
            "commissariat": ["C", "C"],
            "product": ["coal", "coal"],
            "period": [1929, 1929],
            "month": [0, 0],
            "output": [100.0, 300.0],
        }
    )
    actuals = pd.DataFrame(
        {
            "enterprise": ["A", "B"],
            "period": [1929, 1929],
            "product": ["coal"] * 2,
            "output": [50.0, 300.0],
        }
    )
    b = fulfilment(figures, actuals).by_trust
    # (50 + 300) / (100 + 300), not the mean of 0.5 and 1
    np.testing.assert_allclose(b["share"], [0.875, 0.875])


@pytest.mark.parametrize("format", ["csv", "parquet", "json"])
def test_a_report_round_trips(tmp_path: Path, format: str) -> None:
    report = fulfilment(control_figures(), actuals_table())
    back = FulfilmentReport.read(report.write(tmp_path / f"report.{format}", format=format))
    for name in ("table", "by_trust", "by_commissariat"):
        pd.testing.assert_frame_equal(
            getattr(back, name), getattr(report, name), check_categorical=False
        )
    assert back.provenance == report.provenance
    again = FulfilmentReport.from_dict(report.to_dict())
    pd.testing.assert_frame_equal(again.table, report.table, check_categorical=False)


def test_labels_that_look_like_numbers_stay_text(tmp_path: Path) -> None:
    figures = figures_table().assign(trust="01", enterprise=["007", "007", "NA", "NA"])
    actuals = actuals_table().assign(enterprise=["NA", "007", "NA", "007"])
    report = fulfilment(figures, actuals)
    back = FulfilmentReport.read(report.write(tmp_path / "r", format="csv"))
    assert list(back.table["enterprise"].astype(str)) == ["007", "007", "NA", "NA"]
    assert set(back.table["trust"].astype(str)) == {"01"}


def test_an_empty_actuals_table_gives_an_empty_report() -> None:
    report = fulfilment(figures_table(), actuals_table().iloc[:0])
    assert len(report.table) == 0 and len(report.by_trust) == 0


def _problems(err: pytest.ExceptionInfo[ValidationError]) -> list[tuple]:
    return [(p.source, p.row, p.label, p.check) for p in err.value.problems]


def test_every_bad_report_is_named_with_its_file_row_label_and_check(tmp_path: Path) -> None:
    path = tmp_path / "actuals.csv"
    path.write_text(
        "enterprise,period,month,product,output,labour:workers\n"
        "A,1929,1,steel,80,10\n"  # row 2: fine
        "Z,1929,1,steel,80,\n"  # row 3: unknown enterprise
        "A,1929,1,coal,10,\n"  # row 4: A makes no coal
        "A,1929,2,steel,-5,\n"  # row 5: negative output
        "A,1929,1,steel,90,\n"  # row 6: second report of row 2
        "A,1931,1,steel,90,\n"  # row 7: outside the plan
        "A,1929,13,steel,90,\n"  # row 8: month 13
        "A,1929,3,steel,lots,\n"  # row 9: not a number
        "B,1929,1,coal,1,x\n"  # row 10: labour not a number
        "B,1929,2,coal,,\n",  # row 11: output missing
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        read_actuals(path, control_figures())
    src = str(path)
    assert sorted(_problems(err), key=lambda p: p[1]) == [
        (src, 3, "Z", "unknown_enterprise"),
        (src, 4, "coal", "not_made_by_enterprise"),
        (src, 5, "A", "negative_output"),
        (src, 6, "A", "duplicate_report"),
        (src, 7, "1931", "period_outside_plan"),
        (src, 8, "A", "out_of_range"),
        (src, 9, "A", "non_numeric"),
        (src, 10, "B", "non_numeric"),
        (src, 11, "B", "missing_value"),
    ]
    text = str(err.value)
    assert "first on row 2" in text and "1..12" in text and "'lots'" in text
    assert "labour:workers is not a number: 'x'" in text
    assert "period 1931 lies outside the plan (1929..1929)" in text


def test_without_figures_only_the_table_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "actuals.csv"
    path.write_text(
        "enterprise,period,product,output\nZ,1931,steel,1\nZ,1931,steel,2\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as err:
        read_actuals(path)
    assert _problems(err) == [(str(path), 3, "Z", "duplicate_report")]


def test_a_missing_column_and_a_missing_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        check_actuals(actuals_table().drop(columns=["output", "product"]), source="mine")
    assert {(p.source, p.label, p.check) for p in err.value.problems} == {
        ("mine", None, "missing_column")
    }
    assert "'output'" in str(err.value) and "'product'" in str(err.value)
    with pytest.raises(InputError) as missing:
        read_actuals(tmp_path / "none.csv")
    assert missing.value.check == "unreadable_file"
    assert missing.value.source == str(tmp_path / "none.csv")


def test_negative_labour_and_missing_labels_are_named() -> None:
    actuals = actuals_table()
    actuals.loc[0, "labour:miners"] = -1.0
    actuals.loc[2, "enterprise"] = None
    with pytest.raises(ValidationError) as err:
        fulfilment(control_figures(), actuals)
    assert sorted(_problems(err), key=lambda p: p[1]) == [
        ("actuals", 2, "B", "negative_value"),
        ("actuals", 4, None, "missing_label"),
    ]


def test_a_parquet_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "actuals.parquet"
    actuals_table().to_parquet(path)
    read = read_actuals(path, control_figures())
    assert list(read["month"]) == [1, 1, 2, 2]
    report = fulfilment(control_figures(), read)
    np.testing.assert_allclose(report.table["share"], [0.8, 1.1, 0.75, 0.9])


def test_categorical_labels_give_the_same_report() -> None:
    actuals = actuals_table().astype({"enterprise": "category", "product": "category"})
    figures = control_figures()
    figures.figures = figures.figures.astype({"enterprise": "category", "trust": "category"})
    a = fulfilment(figures, actuals).table
    b = fulfilment(control_figures(), actuals_table()).table
    pd.testing.assert_frame_equal(a, b, check_categorical=False)


def test_an_annual_file_read_then_measured_is_against_the_annual_sum(tmp_path: Path) -> None:
    path = tmp_path / "annual.csv"
    pd.DataFrame(
        {"enterprise": ["A"], "period": [1929], "product": ["steel"], "output": [150.0]}
    ).to_csv(path, index=False)
    read = read_actuals(path, control_figures())
    assert list(read["month"]) == [0]  # annual
    report = fulfilment(control_figures(), read)
    np.testing.assert_allclose(report.table["plan"], [200.0])  # the months' figures summed
    np.testing.assert_allclose(report.table["share"], [0.75])
