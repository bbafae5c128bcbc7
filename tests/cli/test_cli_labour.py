"""CLI: gosplan labour on the bundled scenario, good input and bad."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from gosplan.cli import app
from gosplan.core.workforce_result import WorkforceResult

from . import no_traceback

runner = CliRunner()


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert no_traceback(result), result.output
    return result


def test_the_run_beside_the_table_and_the_rules_compared() -> None:
    result = invoke("labour", "--compare")
    assert result.exit_code == 0, result.output
    assert "coal industry" in result.output and "295.2" in result.output
    assert "The brigade wage rules compared" in result.output and "equal" in result.output


def test_a_rules_file_and_the_run_written(tmp_path: Path) -> None:
    rules = tmp_path / "rules.csv"
    pd.DataFrame(
        {"year": [1930, 1931], "industry": ["coal", "coal"], "rule": ["equal", "equal"]}
    ).to_csv(rules, index=False)
    out = tmp_path / "run"
    result = invoke("labour", "--rules", rules, "--years", "1929-1931", "-o", out)
    assert result.exit_code == 0, result.output
    back = WorkforceResult.read(out)
    assert back.steps == 36


def test_bad_input_exits_2_naming_file_row_and_label(tmp_path: Path) -> None:
    rules = tmp_path / "rules.csv"
    pd.DataFrame({"year": [1930], "industry": ["alchemy"], "rule": ["equal"]}).to_csv(
        rules, index=False
    )
    result = invoke("labour", "--rules", rules)
    assert result.exit_code == 2 and "alchemy" in result.output and str(rules) in result.output
    assert "row 2" in result.output
    result = invoke("labour", "--years", "1925-1926")
    assert result.exit_code == 2 and "1925" in result.output
    pd.DataFrame({"year": [1930], "industry": ["coal"], "rule": ["lottery"]}).to_csv(
        rules, index=False
    )
    result = invoke("labour", "--rules", rules)
    assert result.exit_code == 2 and "lottery" in result.output
