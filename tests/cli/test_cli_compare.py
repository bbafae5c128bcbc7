"""``gosplan compare A B``: two written plans side by side."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app
from gosplan.cli.compare_cmd import side_by_side

from . import no_traceback
from .test_cli_plan import level_plan

runner = CliRunner()


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert no_traceback(result), result.output
    return result


@pytest.fixture
def two_plans(tmp_path: Path) -> tuple[Path, Path]:
    """The level plan with 570 and with 1140 of labour: output doubles (folder and JSON)."""
    small = tmp_path / "small"
    big = tmp_path / "big.json"
    assert invoke("plan", level_plan(tmp_path / "p1", 570.0), "-q", "-o", small).exit_code == 0
    assert invoke("plan", level_plan(tmp_path / "p2", 1140.0), "-q", "-o", big).exit_code == 0
    return small, big


def test_compare_shows_the_ratio(two_plans: tuple[Path, Path]) -> None:
    small, big = two_plans
    result = invoke("compare", small, big, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"output", "consumption"}
    output = pd.DataFrame(doc["output"]).set_index("product")
    assert list(output.columns) == ["small", "big", "ratio"]
    # x = (1200, 1050) with 570 of labour; twice the labour, twice the output
    np.testing.assert_allclose(output["small"], [1200.0, 1050.0], rtol=1e-7)
    np.testing.assert_allclose(output["ratio"], [2.0, 2.0], rtol=1e-7)


def test_compare_on_the_terminal(two_plans: tuple[Path, Path]) -> None:
    result = invoke("compare", *two_plans)
    assert result.exit_code == 0, result.output
    assert "Output in 1: big / small" in result.stdout
    assert "Consumption in 1" in result.stdout


def test_compare_writes_an_html_report(two_plans: tuple[Path, Path], tmp_path: Path) -> None:
    html = tmp_path / "cmp" / "compare.html"
    result = invoke("compare", *two_plans, "--report", html)
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert "Output in 1" in text and "Consumption in 1" in text and "big" in text


def test_compare_the_same_name_twice(two_plans: tuple[Path, Path]) -> None:
    small, _ = two_plans
    result = invoke("compare", small, small, "--format", "csv")
    assert result.exit_code == 0
    assert "A (small),B (small),ratio" in result.stdout


def test_compare_bad_input(two_plans: tuple[Path, Path], tmp_path: Path) -> None:
    small, big = two_plans
    assert invoke("compare", small, tmp_path / "missing").exit_code == 2
    other = tmp_path / "frontier.csv"
    pd.DataFrame({"x": [1]}).to_csv(other, index=False)
    assert invoke("compare", small, other).exit_code == 2
    result = invoke("compare", small, big, "--period", "7")
    assert result.exit_code == 2 and "periods in common: 1" in result.stderr
    result = invoke("compare", small, big, "--report", tmp_path / "r.pdf")
    assert result.exit_code == 2 and ".html" in result.stderr


def test_side_by_side_ratio_conventions() -> None:
    a = pd.DataFrame({1: [2.0, 0.0, 0.0, 1.0]}, index=["x", "y", "z", "w"])
    b = pd.DataFrame({1: [3.0, 0.0, 5.0, 1.0]}, index=["x", "y", "z", "v"])
    frame = side_by_side(a, b, 1, ("a", "b"))
    assert list(frame.index) == ["x", "y", "z", "w", "v"]
    assert frame.loc["x", "ratio"] == 1.5
    assert np.isnan(frame.loc["y", "ratio"])  # 0 / 0
    assert frame.loc["z", "ratio"] == np.inf
    assert np.isnan(frame.loc["w", "ratio"]) and np.isnan(frame.loc["v", "ratio"])
