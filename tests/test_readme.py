"""Every example of the README runs as written (placeholders filled with real inputs).

The Python example runs with its paths pointed at the bundled scenario; every line of the
command-line block runs through the CLI with ``ECONOMY``, ``PLAN``, ``RESULT``, ``A``, ``B``
and the input files it names replaced by real ones made here. A README line that stops
working fails this test, so the README cannot promise what the code does not do.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli.app import app
from gosplan.datasets import scenario_path, spec_path

README = Path(__file__).resolve().parents[1] / "README.md"


def code_block(after: str, language: str) -> str:
    """The first fenced block of ``language`` after the heading ``after``."""
    text = README.read_text(encoding="utf-8")
    start = text.index(after)
    match = re.search(rf"```{language}\n(.*?)```", text[start:], re.S)
    assert match, f"no {language} block after {after!r}"
    return match.group(1)


def test_the_python_example_runs_and_says_what_it_shows():
    source = code_block("## Using it", "python")
    source = source.replace('"path/to/economy"', repr(str(scenario_path("ussr-1928"))))
    source = source.replace('"path/to/plan"', repr(str(spec_path("ussr-1928", "basic"))))
    namespace: dict = {}
    exec(compile(source, str(README), "exec"), namespace)  # the README's own code
    # the Miller & Blair figures the comment promises
    A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
    from gosplan import Economy

    eco = Economy.from_coefficients(A, labour=pd.Series({"a": 0.3, "b": 0.2}))
    x = eco.gross_output(pd.Series({"a": 350.0, "b": 1700.0}))
    np.testing.assert_allclose(x.to_numpy(), [1000.0, 2000.0], rtol=1e-10)
    assert namespace["check"].feasible and namespace["plan"].optimal


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Real files for the README's placeholders."""
    root = tmp_path_factory.mktemp("readme")
    runner = CliRunner()
    demand = root / "y.csv"
    demand.write_text("product,final_demand\ncoal,5\ngrain,26.3\n", encoding="utf-8")
    table = root / "table.csv"
    pd.DataFrame([[10.0, 5.0], [4.0, 8.0]], index=["a", "b"], columns=["a", "b"]).to_csv(table)
    # household purchases per thousand person-years of income: the base year's consumption
    # of a few consumer goods over its labour (about 30 million person-years)
    households = root / "h.csv"
    households.write_text(
        "product,share\ngrain,0.0009\nfood products,0.1\ncotton fabric,0.00009\n",
        encoding="utf-8",
    )
    rows, cols = root / "r.csv", root / "c.csv"
    rows.write_text("label,total\na,18\nb,12\n", encoding="utf-8")
    cols.write_text("label,total\na,15\nb,15\n", encoding="utf-8")
    shocks = root / "shocks.csv"
    shocks.write_text("product,date,share,recovery\ncoal,1930-03,0.2,6\n", encoding="utf-8")
    harvests = root / "harvests.csv"
    harvests.write_text(
        "product,date,share_min,share_max,kind\ngrain,1930-08,0,0.1,harvest\n", encoding="utf-8"
    )
    counter = spec_path("ussr-1928", "basic").parent.parent / "run" / "counter_plans.csv"
    written = {}
    for name in ("A", "B"):
        out = root / f"plan-{name}"
        variant = "optimum" if name == "A" else "basic"
        done = runner.invoke(app, ["plan", f"scenario:ussr-1928/{variant}", "-q", "-o", str(out)])
        assert done.exit_code == 0, done.output
        written[name] = str(out)
    return {
        "ECONOMY": "scenario:ussr-1928",
        "PLAN": "scenario:ussr-1928/basic",
        "RESULT": written["A"],
        "A": written["A"],
        "B": written["B"],
        "y.csv": str(demand),
        "h.csv": str(households),
        "table.csv": str(table),
        "r.csv": str(rows),
        "c.csv": str(cols),
        "big/": str(root / "big"),
        "cmp.html": str(root / "cmp.html"),
        "shocks.csv": str(shocks),
        "harvests.csv": str(harvests),
        "cp.csv": str(counter),
        "root": str(root),
    }


def readme_commands() -> list[str]:
    lines = []
    for line in code_block("### Command line", "bash").splitlines():
        command = line.split("#", 1)[0].strip() if " #" in line else line.strip()
        if command.startswith("gosplan "):
            lines.append(command)
    return lines


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_runs(command: str, inputs: dict[str, str]) -> None:
    words = shlex.split(command.replace("[--gras]", ""))[1:]
    # 10^6 products is the README's size; a thousand shows the same command works
    words = ["1000" if w == "1000000" else inputs.get(w, w) for w in words]
    if words[0] == "demo":
        words += ["--output", inputs["root"]]
    if words[0] == "report":
        words += ["--output", str(Path(inputs["root"]) / "report.html")]
    result = CliRunner().invoke(app, words, env={"COLUMNS": "80"})
    assert result.exit_code == 0, f"{command}\n{result.output}"
