"""``gosplan labour``: the scenario's workforce run monthly, its turnover beside the history.

One call into :func:`gosplan.run.labour_scenario.labour_run`: workers by enterprise and skill
grade, hires, upgrading, promotions out and quits under the plan years' pressures and a
brigade wage rule. The terminal shows accessions and separations per 100 employees a year
beside the scenario's turnover table, and the skilled workers' separations; ``--compare``
runs every rule and sets them side by side; ``--output`` writes the run. Aggregate statistics
only: nothing tracks or restricts individual people.

Exit status: ``0`` success; ``2`` bad input (an unknown rule, a rules table naming an unknown
industry or enterprise, years outside 1929–1932: the message names the file, row and label).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gosplan.cli.output import FormatOption, OutputFormat, emit, note
from gosplan.cli.run_cmds import _output_kind, read_file_table
from gosplan.cli.simulate_cmd import parse_periods


class Rule(StrEnum):
    """A brigade wage rule."""

    by_grade = "by_grade"
    equal = "equal"
    piece = "piece"


def labour(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario.")] = "ussr-1928",
    rule: Annotated[
        Rule,
        typer.Option("--rule", help="The brigade wage rule of every enterprise and year."),
    ] = Rule.by_grade,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="Rules by year: a CSV with year, rule and industry (an activity) or "
            "enterprise; what it does not name keeps --rule.",
            show_default=False,
        ),
    ] = None,
    years: Annotated[
        str, typer.Option("--years", help="The years to run, within 1929-1932.")
    ] = "1929-1932",
    compare: Annotated[
        bool, typer.Option("--compare", help="Run every rule and set them side by side.")
    ] = False,
    format: FormatOption = OutputFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the run: a folder for csv or parquet, or a .json file."
        ),
    ] = None,
) -> None:
    """The workforce run monthly: turnover, skilled separations, the wage rules compared.

    Workers by enterprise and skill grade under the plan years' pressures (employment
    growth, the real wage's fall, shortages, norm increases) and a brigade wage rule; the
    parameters and their bases are in the scenario's labour/parameters.toml.
    """
    from gosplan.report.labour import rules_table
    from gosplan.run.labour_scenario import labour_run

    kind = _output_kind(format, output, "the workforce run")
    span = parse_periods(years) or []
    table = None
    if rules is not None:
        table = read_file_table(rules)
        table.attrs["source"] = str(rules)
    chosen = table if table is not None else rule.value
    run = labour_run(scenario, rule=chosen, years=span)
    note(
        f"{scenario}: {run.result.enterprises['enterprise'].nunique()} enterprises, "
        f"{run.result.steps} months, rule {rule.value if table is None else str(rules)}",
        format,
        output,
    )
    if output is not None:
        path = run.result.write(output, format=kind)
        note(f"wrote the workforce run ({kind}) to {path}", format, output)
        return
    fit = run.turnover.assign(difference=100 * run.turnover["relative_difference"])
    fit = fit.drop(columns="relative_difference").rename(columns={"difference": "model - table, %"})
    tables = {"turnover": fit.round(1), "skilled": run.skilled_separations().round(1).reset_index()}
    titles = {
        "turnover": "Accessions and separations per 100 employees a year: model and table",
        "skilled": "Separations of skilled workers per 100 a year",
    }
    if compare:
        runs = {r.value: labour_run(scenario, rule=r.value, years=span).result for r in Rule}
        tables["rules"] = rules_table(runs).round(3)
        titles["rules"] = "The brigade wage rules compared"
    emit(tables, format, None, titles=titles)


COMMANDS = {"labour": labour}
