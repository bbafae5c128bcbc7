"""The ``demo`` command: the worked example (USSR 1928–1932) with its HTML report.

The terminal shows compact tables that fit 80 columns (the width of a CI log): short
headers, units abbreviated with footnotes, numbers rounded for people. The HTML report has
the full tables.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gosplan.cli.output import compact_table, stderr_console, stdout_console, table_width

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from gosplan.demo import DemoResult

#: Short headers of the base-year balance on the terminal.
BALANCE_HEADERS = {
    "product": "product",
    "unit": "unit",
    "gross_output": "output",
    "intermediate_use": "interm.",
    "final_use": "final",
    "capacity": "capacity",
    "surplus": "surplus",
}
#: Short headers of the comparison on the terminal (the legend is printed under it).
COMPARISON_LEGEND = (
    "1927/28: base year; basic, optimal: the 1929 variants' targets for 1932/33; amended: "
    "midpoint of the 1930 targets; optimum: gosplan's optimal plan, 1932/33; 4 years: the "
    "same targets in four years, 1931/32; 1932: outcome."
)
_ROUBLES = re.compile(r"^(m|bn) roubles \((\d{4}/\d{2}) prices\)$")


def compact_unit(unit: str) -> tuple[str, str | None]:
    """A unit short enough for a terminal column, and the footnote it needs (or ``None``).

    Examples
    --------
    >>> compact_unit("m roubles (1926/27 prices)")
    ('m rub.*', '* m rub.: million roubles at 1926/27 prices')
    >>> compact_unit("Mt")
    ('Mt', None)
    """
    match = _ROUBLES.match(str(unit))
    if match is None:
        return str(unit), None
    size, prices = match.groups()
    word = "million" if size == "m" else "billion"
    return f"{size} rub.*", f"* {size} rub.: {word} roubles at {prices} prices"


def _compact_units(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    if "unit" not in frame:
        return frame, []
    out = frame.copy()
    notes: list[str] = []
    short = []
    for unit in out["unit"].astype(str):
        text, note = compact_unit(unit)
        short.append(text)
        if note and note not in notes:
            notes.append(note)
    out["unit"] = short
    return out, notes


def _fits(console: Console, table: Any) -> bool:
    return table_width(table) <= console.width


def balance_view(result: DemoResult, console: Console) -> None:
    """The base-year balance: compact columns, closure as one line, units footnoted."""
    sheet = result.balance
    cols = [c for c in BALANCE_HEADERS if c in sheet.columns and c != "product"]
    frame, notes = _compact_units(sheet[cols])
    frame.index.name = "product"
    console.print(
        compact_table(frame, title="Base-year material balance (1927/28)", headers=BALANCE_HEADERS)
    )
    lines = []
    if "closure" in sheet:
        worst = float(sheet["closure"].abs().max())
        lines.append(
            f"balances close to {worst:.0e} (largest |output - intermediate - final|)"
            if worst > 0
            else "balances close exactly"
        )
    deficits = [str(p) for p, s in sheet["status"].items() if s == "deficit"]
    lines.append(
        f"over capacity: {', '.join(deficits)}" if deficits else "every product within capacity"
    )
    for line in [*lines, *notes]:
        console.print(line, highlight=False)


#: Short terminal headers of the comparison's columns, by the start of their names.
COMPARISON_HEADERS = (
    ("base", "1927/28"),
    ("basic", "basic"),
    ("optimal", "optimal"),
    ("amended", "amended"),
    ("gosplan optimum", "optimum"),
    ("gosplan in 4", "4 years"),
    ("outcome", "1932"),
)


def comparison_view(result: DemoResult, console: Console) -> None:
    """Plan, optimum and outcome; the four-year plan column when it fits."""
    table = result.comparison.copy()
    frame, notes = _compact_units(table)
    headers = {"product": "product", "unit": "unit"}
    for col in frame.columns:
        short = next((h for prefix, h in COMPARISON_HEADERS if col.startswith(prefix)), None)
        if short is not None:
            headers[col] = short
    title = "Plan, optimum and 1932 outcome (gross output)"
    view = compact_table(frame, title=title, headers=headers)
    if not _fits(console, view):
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("gosplan in 4")])
        view = compact_table(frame, title=title, headers=headers)
    console.print(view)
    for line in [COMPARISON_LEGEND, *notes]:
        console.print(line, highlight=False)


def key_products_view(result: DemoResult, console: Console) -> None:
    """Key products in the optimum and the four-year plan against the base year."""
    from gosplan.demo import BASE_LABEL, key_products_table

    if result.optimum is None and result.compressed is None:
        return
    table = key_products_table(result)
    frame, notes = _compact_units(table)
    headers = {"product": "product", "unit": "unit", BASE_LABEL: BASE_LABEL}
    digits = {}
    for col in frame.columns:
        if col.endswith("x base"):
            headers[col] = "x base"
            digits[col] = 3
        elif col.startswith("optimum"):
            headers[col] = f"optimum {col.rsplit(' ', 1)[-1]}"
        elif col.startswith("4-year"):
            headers[col] = f"4 years {col.rsplit(' ', 1)[-1]}"
    console.print(
        compact_table(
            frame,
            title="Key products: the optimum and the plan in four years",
            headers=headers,
            digits=digits,
        )
    )
    for line in ["x base: gross output as a multiple of 1927/28.", *notes]:
        console.print(line, highlight=False)


def frontier_view(result: DemoResult, console: Console) -> None:
    """The frontier with shares as sevenths and short headers (units printed under it)."""
    from gosplan.report.tables import share_labels

    fr = result.frontier
    if fr is None:
        return
    table = fr.table.copy()
    unit = result.economy.meta.labour_unit
    if (table["status"] == "optimal").all():
        table = table.drop(columns="status")
    labels = share_labels(table["share"])
    if labels is not None:
        table["share"] = labels
    table = table.set_index("share")
    if table["consumption_per_head"].isna().all():
        table = table.drop(columns="consumption_per_head")
    headers = {
        "share": "share",
        "status": "status",
        "cumulative_consumption": "consumption",
        "consumption_per_head": "per head",
        "terminal_capacity_value": "capacity left",
        "terminal_means_of_production_capacity": "of which MoP",
    }
    console.print(
        compact_table(
            table,
            title="Accumulation–consumption frontier",
            headers=headers,
            formats={"status": "text"},
        )
    )
    people = f"per {result.population_unit} people" if result.population_unit else "per head"
    lines = [
        "share: of capital spending going to means of production (MoP); consumption over the "
        f"five years and capacity left at the end in {unit} (labour values)",
    ]
    if "consumption_per_head" in table:
        lines.append(f"per head: {unit} {people}")
    for line in lines:
        console.print(line, highlight=False)


#: Escalated alerts named on the terminal.
ALERTS_SHOWN = 3


def running_view(result: DemoResult, console: Console) -> None:
    """The adopted plan run: counter-plans, the worst trusts and the alerts, in short lines."""
    from gosplan.demo import (
        ADOPTED,
        RUN_PERIODS,
        counter_plan_verdicts,
        economic_year,
        escalated_alerts,
        worst_trusts,
    )
    from gosplan.report.tables import PERCENT, format_value, when

    if result.control is None:
        return
    span = f"{economic_year(RUN_PERIODS[0])}–{economic_year(RUN_PERIODS[-1])}"
    console.print(f"[bold]Running the {ADOPTED} variant, {span}[/bold]", highlight=False)
    figures = result.control.figures
    console.print(
        f"control figures: {figures['enterprise'].nunique()} enterprises, by month "
        "(month 1 = October)",
        highlight=False,
    )
    lines: list[str] = []
    if result.counter_plans is not None:
        lines.append("counter-plans, in order of submission [what binds first]:")
        for row in counter_plan_verdicts(result.counter_plans).itertuples():
            share = float(row.accepted_share)
            text = f"{row.verdict:<9}{row.counter_plan}"
            if row.verdict == "partial":
                text += f", {format_value(share, PERCENT)}"
            if row.binding:
                text += f" [{row.binding}]"
            lines.append(text)
    worst = worst_trusts(result)
    if len(worst):
        at = when(worst["period"].iloc[0], worst["month"].iloc[0])
        lines.append(f"furthest behind (cumulative fulfilment to {at}, synthetic reports):")
        lines.extend(
            f"  {row.trust}: {format_value(float(row.value), PERCENT)}"
            for row in worst.itertuples()
        )
    if result.alerts is not None:
        table = result.alerts
        keys = [c for c in ("enterprise", "product") if c in table.columns]
        series = len(table.drop_duplicates(keys)) if len(table) else 0
        up = escalated_alerts(result)
        lines.append(f"alerts: {series} series, {len(up)} escalated beyond the enterprise")
        for row in up.head(ALERTS_SHOWN).itertuples():
            lines.append(
                f"  {row.enterprise}: {row.direction} from {when(*row.raised)}, to the {row.level}"
            )
    for line in lines:
        console.print(line, highlight=False, markup=False)


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
    from contextlib import nullcontext

    import pandas as pd

    from gosplan.demo import run_demo, summary_rows

    err = stderr_console()
    start = time.perf_counter()
    spinner = err.status("starting", spinner="dots") if err.is_terminal else nullcontext()
    with spinner as status:

        def step(message: str) -> None:
            err.print(f"- {message}", highlight=False)
            if status is not None:
                status.update(message)

        result = run_demo(output, step=step, scenario=scenario)
    out = stdout_console()
    balance_view(result, out)
    out.print()
    for variant, check in result.checks.items():
        out.print(f"[bold]{variant} variant:[/bold] {check.message()}", highlight=False)
    out.print()
    comparison_view(result, out)
    out.print()
    key_products_view(result, out)
    out.print()
    frontier_view(result, out)
    out.print()
    if result.control is not None:
        running_view(result, out)
        out.print()
    if result.simulation is not None:
        from gosplan.demo_simulation import simulation_lines

        out.print("[bold]The adopted plan month by month, 1928/29–1931/32[/bold]", highlight=False)
        for line in simulation_lines(result.simulation):
            out.print(line, highlight=False, markup=False)
        out.print()
    if result.labour is not None:
        from gosplan.demo_labour import labour_lines

        out.print(
            "[bold]The workers' side: the brigade wage rules, 1929–32[/bold]", highlight=False
        )
        for line in labour_lines(result.labour):
            out.print(line, highlight=False, markup=False)
        out.print()
    rows = pd.DataFrame(summary_rows(result), columns=["step", "finding"]).set_index("step")
    out.print(compact_table(rows, title="Summary", formats={"finding": "text"}))
    out.print(
        f"[green]Report written to {result.report}[/green] "
        f"({time.perf_counter() - start:.1f} s in all)",
        highlight=False,
    )


COMMANDS = {"demo": demo}
