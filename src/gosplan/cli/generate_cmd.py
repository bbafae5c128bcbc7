"""The ``generate`` command: a synthetic product-level economy written to a directory."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gosplan.cli.output import note, progress_bar, stderr_console


class EconomyFormat(StrEnum):
    """File format of the economy's tables."""

    csv = "csv"
    parquet = "parquet"


def generate(
    n: Annotated[int, typer.Argument(help="Number of products.", min=1, show_default=False)],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Directory to write the economy to.", show_default=False
        ),
    ],
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed.")] = 0,
    inputs: Annotated[
        float | None,
        typer.Option(
            "--inputs",
            "-k",
            help="Average direct inputs per product, at least 1 (default: 4).",
            min=1,
        ),
    ] = None,
    format: Annotated[
        EconomyFormat,
        typer.Option("--format", "-f", help="Table format on disk.", case_sensitive=False),
    ] = EconomyFormat.csv,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar (there is none off a terminal).")
    ] = False,
) -> None:
    """Generate a synthetic (sparse, productive) economy of N products and write it to DIR.

    The progress bar (on a terminal only) covers generating the economy and writing its
    tables, which takes most of the time for millions of products.
    """
    from gosplan.generate import generate_economy
    from gosplan.io import write_economy

    options = {} if inputs is None else {"inputs_per_product": inputs}
    # Off a terminal a progress bar only leaves an empty line on standard error.
    show = not quiet and stderr_console().is_terminal
    with progress_bar(f"generating {n:,} products", enabled=show) as callback:

        def generating(fraction: float, message: str = "") -> None:
            callback(GENERATE_SHARE * fraction, message)

        eco = generate_economy(n, seed=seed, progress=generating, **options)
        # One call writes every table: the bar waits at this step, its clock running.
        callback(GENERATE_SHARE, f"writing the tables ({format.value}) to {output}")
        path = write_economy(eco, output, format=format.value)
        callback(1.0, "written")
    note(f"wrote {eco!r} to {path if path is not None else output}")


#: Share of the progress bar given to generating (the rest is writing the tables, which
#: takes longer than generating them for large economies).
GENERATE_SHARE = 0.4


#: Commands of this group, registered by :mod:`gosplan.cli.app`.
COMMANDS = {"generate": generate}
