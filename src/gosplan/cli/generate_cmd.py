"""The ``generate`` command: a synthetic product-level economy written to a directory."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gosplan.cli.output import note, progress_bar


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
            help="Average direct inputs per product (default: the library's).",
            min=0,
        ),
    ] = None,
    format: Annotated[
        EconomyFormat,
        typer.Option("--format", "-f", help="Table format on disk.", case_sensitive=False),
    ] = EconomyFormat.csv,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Generate a synthetic (sparse, productive) economy of N products and write it to DIR."""
    from gosplan.generate import generate_economy
    from gosplan.io import write_economy

    options = {} if inputs is None else {"inputs_per_product": inputs}
    with progress_bar(f"generating {n:,} products", enabled=not quiet) as callback:
        eco = generate_economy(n, seed=seed, progress=callback, **options)
    path = write_economy(eco, output, format=format.value)
    note(f"wrote {eco!r} to {path if path is not None else output}")


#: Commands of this group, registered by :mod:`gosplan.cli.app`.
COMMANDS = {"generate": generate}
