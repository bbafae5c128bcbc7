"""The ``report`` command: an HTML report of a result written to disk.

``RESULT`` is what :func:`gosplan.core.results.read_result` reads: a plan folder (``gosplan plan
--output DIR``), a plan's JSON file, a plan-check folder (``gosplan check-plan --output DIR``)
or JSON file (``--format json --output FILE``), a frontier table (``gosplan frontier
--output FILE``) or a material balance table. The report is one self-contained HTML file,
ending with its provenance.

Exit status: ``0`` success; ``2`` bad input (a missing path, a folder or file that is not a
gosplan result).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gosplan.errors import InputError


def report(
    result: Annotated[
        Path,
        typer.Argument(
            help="A result on disk: a plan folder or JSON file, a plan-check folder or JSON "
            "file, a frontier table or a material balance table.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The HTML file to write (default: <RESULT>-report.html beside RESULT).",
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="The report's title.", show_default=False)
    ] = None,
) -> None:
    """Write an HTML report (tables and figures) of a plan, a check, a frontier or a balance."""
    from gosplan.report.load import report_from_path

    if output is not None and output.suffix.lower() not in (".html", ".htm"):
        raise InputError("the report is one HTML file: name it .html", source=str(output))
    path = report_from_path(result, output, title)
    typer.echo(f"wrote the report to {path}")


#: Commands of this group (for :data:`gosplan.cli.app.COMMAND_MODULES`).
COMMANDS = {"report": report}


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to a typer app (wrapped so bad input exits with status 2).

    Parameters
    ----------
    app
        The typer app, e.g. :data:`gosplan.cli.app.app`.
    """
    from gosplan.cli.app import register_commands

    register_commands(app, COMMANDS)
