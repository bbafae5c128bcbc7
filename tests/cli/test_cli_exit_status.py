"""Exit statuses: 0 success, 1 a valid "no", 2 bad input, 3 stopped, 4 a bug."""

from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gosplan.cli import app, main
from gosplan.cli.exits import EXIT_BAD_INPUT, EXIT_BUG, EXIT_NO, EXIT_STATUSES, EXIT_STOPPED
from gosplan.errors import SolverError

from . import no_traceback
from .test_cli_plan import level_plan, target_plan

runner = CliRunner()


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert no_traceback(result), result.output
    return result


def test_statuses_are_distinct_and_documented() -> None:
    assert sorted(EXIT_STATUSES) == [0, 1, 2, 3, 4]
    text = " ".join(invoke("--help").stdout.split())
    for code in EXIT_STATUSES:
        assert f"{code} " in text
    assert "stopped without an answer" in text
    assert 'a valid "no"' in text


def test_frontier_with_every_share_infeasible_is_a_valid_no(tmp_path: Path) -> None:
    spec = target_plan(tmp_path / "plan", labour=500.0)
    out = tmp_path / "frontier.csv"
    result = invoke("frontier", spec, "--shares", "0.2,0.5", "-q", "--output", out)
    assert result.exit_code == EXIT_NO, result.output
    assert out.is_file()  # the rows are still written
    assert "every share is infeasible" in result.output


def test_frontier_with_an_optimal_share_succeeds(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    assert invoke("frontier", spec, "--shares", "0.2", "-q").exit_code == 0


def test_plan_infeasible_is_a_valid_no(tmp_path: Path) -> None:
    spec = target_plan(tmp_path / "plan", labour=500.0)
    assert invoke("plan", spec, "-q").exit_code == EXIT_NO


def test_plan_stopped_at_its_time_limit_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    optimise_module = importlib.import_module("gosplan.plan.optimise")

    real = optimise_module.optimise

    def stopped(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), status="time_limit")

    monkeypatch.setattr(optimise_module, "optimise", stopped)
    result = invoke("plan", level_plan(tmp_path / "plan"), "-q")
    assert result.exit_code == EXIT_STOPPED, result.output
    assert "time_limit" in result.output


def test_plan_solver_error_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    optimise_module = importlib.import_module("gosplan.plan.optimise")

    def fail(*args, **kwargs):
        raise SolverError("the LP stopped without a certified answer")

    monkeypatch.setattr(optimise_module, "optimise", fail)
    result = invoke("plan", level_plan(tmp_path / "plan"), "-q")
    assert result.exit_code == EXIT_STOPPED
    assert "certified answer" in result.stderr


def test_check_plan_stopped_exits_3_not_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gosplan.plan.diagnosis as diagnosis
    from gosplan.plan.diagnosis import PlanCheckError

    def stopped(*args, **kwargs):
        raise PlanCheckError("the feasibility LP", "time_limit", infeasible=False)

    monkeypatch.setattr(diagnosis, "check_plan", stopped)
    result = invoke("check-plan", target_plan(tmp_path / "plan", labour=500.0))
    assert result.exit_code == EXIT_STOPPED
    assert result.exit_code != EXIT_BAD_INPUT
    assert "Could not decide" in result.stderr and "--time-limit" in result.stderr


def test_a_bug_exits_4_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gosplan.cli import balance_cmds

    def crash(spec: str, techniques=None):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(balance_cmds, "load_economy", crash)
    monkeypatch.setattr(sys, "argv", ["gosplan", "linkages", "whatever"])
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == EXIT_BUG
    assert "ZeroDivisionError" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("status", "code"),
    [("infeasible", EXIT_NO), ("unbounded", EXIT_BAD_INPUT), ("time_limit", EXIT_STOPPED)],
)
def test_plan_exit_status(status: str, code: int) -> None:
    from gosplan.cli.plan_cmds import plan_exit_status

    assert plan_exit_status(status) == code
    assert plan_exit_status("error") == EXIT_STOPPED


def test_frontier_where_every_share_stopped_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frontier_module = importlib.import_module("gosplan.plan.frontier")
    real = frontier_module.frontier

    def stopped(*args, **kwargs):
        result = real(*args, **kwargs)
        table = result.table.assign(status=["infeasible", "time_limit"])
        return dataclasses.replace(result, table=table)

    monkeypatch.setattr(frontier_module, "frontier", stopped)
    spec = level_plan(tmp_path / "plan")
    result = invoke("frontier", spec, "--shares", "0.2,0.5", "-q")
    assert result.exit_code == EXIT_STOPPED, result.output
    assert "without an optimum" in result.output
