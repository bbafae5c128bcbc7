"""``gosplan report RESULT``: registered on a fresh typer app (as app.py will do)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from gosplan.cli.report_cmd import register
from gosplan.plan.optimise import optimise
from gosplan.report.tables import parse_value

from . import OUTPUT, as_grid, level_spec, parse, table_by_caption

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer(add_completion=False)
    register(app)

    @app.command("version")
    def _other() -> None:  # a second command, so that typer keeps the command names
        """Unused."""

    return app


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    return optimise(level_spec()).write(tmp_path_factory.mktemp("res") / "level", format="csv")


def test_report_of_a_written_plan(app, plan_dir, tmp_path):
    out = tmp_path / "sub" / "level.html"
    result = runner.invoke(app, ["report", str(plan_dir), "--output", str(out), "--title", "T"])
    assert result.exit_code == 0, result.output
    assert f"wrote the report to {out}" in result.output
    text = out.read_text(encoding="utf-8")
    assert "<title>T</title>" in text
    _, rows = as_grid(table_by_caption(parse(text), "Gross output by product and period"))
    assert [parse_value(c) for c in rows["a"]] == [OUTPUT["a"]] * 2


def test_default_output_beside_the_result(app, plan_dir):
    result = runner.invoke(app, ["report", str(plan_dir)])
    assert result.exit_code == 0, result.output
    assert (plan_dir.parent / "level-report.html").is_file()


def _no_traceback(result) -> bool:
    return result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_path_exits_2_naming_it(app, tmp_path):
    missing = tmp_path / "no-such-plan"
    result = runner.invoke(app, ["report", str(missing)])
    assert result.exit_code == 2
    assert _no_traceback(result)
    assert "Traceback" not in result.output
    assert "no such file or directory" in result.output
    assert "no-such-plan" in result.output


def test_unrecognised_folder_exits_2_naming_it(app, tmp_path):
    folder = tmp_path / "stray"
    folder.mkdir()
    (folder / "notes.csv").write_text("a\n1\n")
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 2
    assert _no_traceback(result)
    assert "not a gosplan result" in result.output and "stray" in result.output
