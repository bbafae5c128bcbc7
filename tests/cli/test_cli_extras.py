"""``-V/--version``, shell completion, bundled plans by name and ``--progress``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gosplan import __version__
from gosplan.cli import app
from gosplan.cli.plan_cmds import spec_path
from gosplan.datasets import list_specs
from gosplan.datasets import spec_path as bundled_spec
from gosplan.errors import InputError

from . import no_traceback

runner = CliRunner()


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert no_traceback(result), result.output
    return result


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str) -> None:
    result = invoke(flag)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"gosplan {__version__}"


def test_completion_options() -> None:
    text = invoke("--help").stdout
    assert "--install-completion" in text and "--show-completion" in text
    result = invoke("--show-completion", "bash")
    assert result.exit_code == 0
    assert "complete" in result.stdout


# ---------------------------------------------------------------------- bundled plans
def test_spec_path_of_a_bundled_plan() -> None:
    assert "optimum" in list_specs("ussr-1928")
    assert spec_path("scenario:ussr-1928/optimum") == bundled_spec("ussr-1928", "optimum")
    assert spec_path("plans/basic") == Path("plans/basic")


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("scenario:ussr-1928", ["scenario:ussr-1928/VARIANT", "optimum"]),
        ("scenario:ussr-1928/nope", ["nope", "optimum"]),
        ("scenario:", ["ussr-1928/optimum"]),
        ("scenario:atlantis/basic", ["atlantis", "ussr-1928"]),
    ],
)
def test_spec_path_names_what_is_available(spec: str, words: list[str]) -> None:
    with pytest.raises(InputError) as info:
        spec_path(spec)
    for word in words:
        assert word in str(info.value)


def test_plan_of_a_bundled_plan(tmp_path: Path) -> None:
    out = tmp_path / "optimum"
    result = invoke("plan", "scenario:ussr-1928/optimum", "-q", "--output", out)
    assert result.exit_code == 0, result.output
    assert (out / "plan.json").is_file()


def test_check_plan_of_a_bundled_plan() -> None:
    result = invoke("check-plan", "scenario:ussr-1928/basic", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert '"feasible"' in result.stdout


def test_frontier_of_a_bundled_plan() -> None:
    result = invoke("frontier", "scenario:ussr-1928/frontier", "--shares", "0.3", "-q")
    assert result.exit_code in (0, 1), result.output
    assert "Frontier" in result.stdout


def test_unknown_bundled_plan_is_bad_input() -> None:
    result = invoke("plan", "scenario:ussr-1928/nope", "-q")
    assert result.exit_code == 2
    assert "optimum" in result.stderr


# ---------------------------------------------------------------------- --progress
def test_progress_off_a_terminal(tmp_path: Path) -> None:
    spec = "scenario:ussr-1928/basic"
    quiet = invoke("plan", spec, "--output", tmp_path / "a")
    assert quiet.exit_code == 0
    assert "planning:" not in quiet.stderr  # no terminal, no --progress: nothing
    shown = invoke("plan", spec, "--output", tmp_path / "b", "--progress")
    assert shown.exit_code == 0
    lines = [line for line in shown.stderr.splitlines() if line.startswith("planning:")]
    assert len(lines) >= 2 and "100%" in lines[-1]


def test_progress_of_generate(tmp_path: Path) -> None:
    result = invoke("generate", "20", "--output", tmp_path / "g", "--progress")
    assert result.exit_code == 0
    assert "generating 20 products:" in result.stderr and "100%" in result.stderr


def test_progress_and_quiet_contradict(tmp_path: Path) -> None:
    result = invoke("generate", "20", "--output", tmp_path / "g", "--progress", "-q")
    assert result.exit_code == 2
    assert "--progress" in result.output
