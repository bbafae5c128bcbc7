"""``--help`` of ``gosplan`` and of every command, rendered at 80 columns."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from gosplan.cli import app

COMMAND = typer.main.get_command(app)
#: typer >= 0.29 vendors its own click: the group is recognised by its ``commands``, not by
#: ``isinstance(..., click.Group)`` (which left this list empty and the checks unrun)
NAMES = sorted(COMMAND.commands)


def render_help(args: list[str]) -> str:
    """The help text of ``gosplan ARGS --help`` at 80 columns."""
    result = CliRunner().invoke(
        app, [*args, "--help"], env={"COLUMNS": "80", "TERMINAL_WIDTH": "80"}, terminal_width=80
    )
    assert result.exit_code == 0, result.output
    return result.output


def option_names(command: Any) -> list[str]:
    """Every option name (long and short, including secondary ones) of a command."""
    names: list[str] = []
    for param in command.params:
        if param.param_type_name == "option" and not param.hidden:
            names += [*param.opts, *param.secondary_opts]
    return names


@pytest.mark.parametrize("name", ["", *NAMES])
def test_help_fits_80_columns(name: str) -> None:
    args = [name] if name else []
    command = COMMAND.commands[name] if name else COMMAND
    text = render_help(args)
    for line in text.splitlines():
        assert len(line) <= 80, f"line longer than 80 columns: {line!r}"
    assert "…" not in text
    assert "<bool>" not in text
    words = set(text.replace(",", " ").split())
    for option in option_names(command):
        assert option in words, f"{option} is not shown whole in the help of {name or 'gosplan'}"


def test_commands_listed_whole() -> None:
    assert {"plan", "simulate", "labour", "serve"} <= set(NAMES)
    text = " ".join(render_help([]).split())
    for name in NAMES:
        summary = " ".join(COMMAND.commands[name].get_short_help_str(limit=10_000).split())
        assert summary in text, f"the summary of {name} is cut short"
        assert not summary.endswith("...")


def test_docstring_reflowed() -> None:
    # multipliers' docstring breaks its second paragraph before "--wages" and "labour":
    # re-flowed, the words follow on from the previous line
    text = " ".join(render_help(["multipliers"]).split())
    assert "per unit of output: with --wages, the wage" in text
    lines = render_help(["multipliers"]).splitlines()
    assert all(line.strip() not in ("with", "labour") for line in lines)


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "scenario:ussr-1928/optimum", "-q"],
        ["check-plan", "scenario:ussr-1928/amended"],
        ["values", "scenario:ussr-1928"],
    ],
)
def test_tables_and_messages_fit_80_columns_off_a_terminal(args):
    result = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code in (0, 1), result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
