"""The ``demo`` command: the worked example (USSR 1928–1932) with its HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gosplan.cli.output import rich_table, stderr_console, stdout_console


def demo(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory of the HTML report.")
    ] = Path("report"),
    scenario: Annotated[str, typer.Option("--scenario", help="Bundled scenario to run.")] = (
        "ussr-1928"
    ),
) -> None:
    """Run the worked example: balance, feasibility of each plan variant, optimum, frontier."""
    import time

    import pandas as pd

    from gosplan.demo import run_demo, summary_rows

    err = stderr_console()
    start = time.perf_counter()
    with err.status("starting", spinner="dots") as status:

        def step(message: str) -> None:
            err.log(message)
            status.update(message)

        result = run_demo(output, step=step, scenario=scenario)
    out = stdout_console()
    out.print(rich_table(result.balance, title="Base-year material balance (1927/28)"))
    for variant, check in result.checks.items():
        out.print(f"[bold]{variant} variant:[/bold] {check.message()}", soft_wrap=False)
    out.print(rich_table(result.comparison, title="Plan, optimum and 1932 outcome"))
    if result.frontier is not None:
        out.print(rich_table(result.frontier.table, title="Accumulation–consumption frontier"))
    rows = pd.DataFrame(summary_rows(result), columns=["step", "finding"]).set_index("step")
    out.print(rich_table(rows, title="Summary"))
    out.print(
        f"[green]Report written to {result.report}[/green] "
        f"({time.perf_counter() - start:.1f} s in all)"
    )


COMMANDS = {"demo": demo}
