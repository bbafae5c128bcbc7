"""The rules of the plan tables: one table of data that the reader, writer, spec and docs follow."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION, Economy
from gosplan.core.rules import (
    LABEL_KINDS,
    PLAN_TABLE_NAMES,
    RULES,
    ColumnRule,
    column_order,
    key_columns,
    required_columns,
    rules_markdown,
    rules_of,
)
from gosplan.core.spec import TABLE_COLUMNS, PlanSpec

DOC = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"


def two_sector() -> Economy:
    """Steel (means of production, capital goods) and cloth (consumer goods)."""
    products = ["steel", "cloth"]
    return Economy.from_coefficients(
        pd.DataFrame([[0.2, 0.3], [0.0, 0.1]], index=products, columns=products),
        labour=pd.DataFrame([[0.5, 0.4]], index=["workers"], columns=products),
        products=pd.DataFrame(
            {"unit": ["t", "m"], "group": [MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=products
        ),
        capacity=pd.Series({"steel": 100.0, "cloth": 100.0}),
        capital=pd.DataFrame([[2.0, 2.0], [0.0, 0.0]], index=products, columns=products),
        service_life=pd.Series({"steel": 30.0, "cloth": 20.0}),
    )


@pytest.mark.parametrize("table", PLAN_TABLE_NAMES)
def test_the_docs_hold_exactly_the_generated_table(table: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert rules_markdown(table) in text, (
        f"docs/plan-format.md does not hold the generated column table of {table!r}; "
        "regenerate it from gosplan.core.rules.rules_markdown"
    )


def test_the_docs_list_no_table_that_has_no_rules() -> None:
    text = DOC.read_text(encoding="utf-8")
    begin = text.index("<!-- begin: column tables")
    end = text.index("<!-- end: column tables -->")
    shown = re.findall(r"^\*\*(\w+)\*\*$", text[begin:end], flags=re.MULTILINE)
    assert shown == list(PLAN_TABLE_NAMES)


def test_rules_are_plain_frozen_data() -> None:
    assert isinstance(RULES, tuple)
    assert all(isinstance(rule, ColumnRule) for rule in RULES)
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES[0].column = "x"  # type: ignore[misc]
    pairs = [(rule.table, rule.column) for rule in RULES]
    assert len(pairs) == len(set(pairs))
    for rule in RULES:
        assert rule.type in ("label", "number", "integer", "text", "bool"), rule
        assert (rule.kind in LABEL_KINDS) == (rule.type == "label"), rule
        assert rule.required or rule.default, f"an optional column needs a default: {rule}"
        assert rule.description, rule


def test_the_required_columns_of_the_spec_come_from_the_rules() -> None:
    assert list(TABLE_COLUMNS) == [t for t in PLAN_TABLE_NAMES if t != "consumption_weights"]
    for table, columns in TABLE_COLUMNS.items():
        assert columns == required_columns(table)
        assert columns == tuple(r.column for r in rules_of(table) if r.required)
    assert TABLE_COLUMNS["targets"] == ("product", "period", "target")
    assert TABLE_COLUMNS["objective_weights"] == ("quantity", "weight")
    assert key_columns("objective_weights") == ("quantity", "label", "period")
    assert key_columns("vintages") == ("activity", "year_built")


def test_column_order_puts_ruled_columns_first() -> None:
    got = column_order("objective_weights", ["note", "weight", "period", "quantity"])
    assert got == ["quantity", "period", "weight", "note"]


def test_the_writer_follows_the_rules_order(tmp_path: Path) -> None:
    from gosplan.plan.reader import read_spec
    from gosplan.plan.writer import write_spec

    eco = two_sector()
    spec = PlanSpec(
        eco,
        periods=(1, 2),
        objective="linear",
        objective_weights=pd.DataFrame(
            {"note": ["x"], "weight": [1.0], "quantity": ["output"], "label": ["steel"]}
        ),
        targets=pd.DataFrame({"target": [1.0], "period": [2], "product": ["steel"]}),
    )
    root = write_spec(spec, tmp_path / "plan", economy_path=tmp_path / "eco")
    header = (root / "objective_weights.csv").read_text().splitlines()[0]
    assert header == "quantity,label,weight,note"
    assert (root / "targets.csv").read_text().splitlines()[0] == "product,period,target"
    back = read_spec(root, economy=eco)
    assert back.targets["period"].dtype == np.int64
    assert back.targets["product"].tolist() == ["steel"]


def test_the_reader_types_columns_by_their_rules(tmp_path: Path) -> None:
    from gosplan.plan.reader import read_spec

    (tmp_path / "plan.toml").write_text(
        'periods = [1, 2, 3]\nobjective = "max_consumption"\n[tables]\n'
        'investment_limits = "limits.csv"\nvintages = "vintages.csv"\n'
    )
    (tmp_path / "limits.csv").write_text("activity,period,max,note\nsteel,,4,blank period\n")
    (tmp_path / "vintages.csv").write_text("activity,year_built,capacity\nsteel,-3,5\n")
    spec = read_spec(tmp_path, economy=two_sector())
    limits = spec.investment_limits
    assert np.isnan(limits["period"].iloc[0]) and limits["max"].iloc[0] == 4.0
    assert limits["note"].tolist() == ["blank period"]
    assert spec.vintages["year_built"].tolist() == [-3]  # a signed whole number
    assert spec.vintages["year_built"].dtype == np.int64


def test_markdown_names_type_unit_default_and_bounds() -> None:
    text = rules_markdown("storage")
    assert text.startswith("**storage**\n\n| column | type | unit | required | bounds | meaning |")
    assert "| `loss` | number | per period | optional (default: 0), blank cells allowed |" in text
    assert "≥ 0, < 1" in text
    assert "any sign" in rules_markdown("objective_weights")
