"""The ``generate`` command: a synthetic product-level economy written to a directory."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gosplan.cli.output import ProgressOption, note, progress_bar, progress_mode


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
        bool, typer.Option("--quiet", "-q", help="No progress (there is none off a terminal).")
    ] = False,
    progress: ProgressOption = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an economy already in DIR: its economy.toml and the tables it names "
            "are removed first (other files are left alone).",
        ),
    ] = False,
) -> None:
    """Generate a synthetic (sparse, productive) economy of N products and write it to DIR.

    DIR must be new or empty, unless --force. The progress bar (on a terminal, or anywhere
    with --progress) covers generating the economy and writing its tables, which takes most
    of the time for millions of products.
    """
    from gosplan.generate import generate_economy
    from gosplan.io import write_economy

    stale = check_target(output, force=force)

    options: dict[str, Any] = {} if inputs is None else {"inputs_per_product": inputs}
    mode = progress_mode(quiet, progress)
    with progress_bar(
        f"generating {n:,} products", enabled=mode != "off", always=mode == "always"
    ) as callback:

        def generating(fraction: float, message: str = "") -> None:
            callback(GENERATE_SHARE * fraction, message)

        eco = generate_economy(n, seed=seed, progress=generating, **options)
        for file in stale:  # after generating: a failure leaves the old economy whole
            file.unlink(missing_ok=True)
        # One call writes every table: the bar waits at this step, its clock running.
        callback(GENERATE_SHARE, f"writing the tables ({format.value}) to {output}")
        path = write_economy(eco, output, format=format.value)
        callback(1.0, "written")
    note(f"wrote {eco!r} to {path if path is not None else output}")


def check_target(output: Path, *, force: bool) -> list[Path]:
    """Check that an economy can be written to ``output``; list the old files to remove.

    Parameters
    ----------
    output
        The directory to write.
    force
        Whether an economy (or other files) already in ``output`` may be replaced.

    Returns
    -------
    list of pathlib.Path
        With ``force``: the old ``economy.toml``, ``economy.xlsx`` and the table files its
        manifest names (inside ``output``), so that no stale table is left beside the new
        ones. Otherwise empty.

    Raises
    ------
    InputError
        ``output`` is a file, or a folder that is not empty and ``force`` is not given.
    """
    from gosplan.errors import InputError

    if output.exists() and not output.is_dir():
        raise InputError("--output must be a folder, not a file", source=str(output))
    if not output.is_dir() or not any(output.iterdir()):
        return []
    manifest = output / "economy.toml"
    if not force:
        what = "holds an economy" if manifest.is_file() else "is not empty"
        raise InputError(
            f"the folder {what}; pass --force to replace it, or choose a new folder",
            source=str(output),
        )
    stale = [manifest, output / "economy.xlsx"]
    if manifest.is_file():
        import tomllib

        try:
            tables = tomllib.loads(manifest.read_text(encoding="utf-8")).get("tables", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            tables = {}
        root = output.resolve()
        for value in tables.values() if isinstance(tables, dict) else ():
            if not isinstance(value, str):
                continue
            file = (output / value).resolve()
            if file.is_relative_to(root) and file.is_file():  # never outside the folder
                stale.append(file)
    return [file for file in stale if file.is_file()]


#: Share of the progress bar given to generating (the rest is writing the tables, which
#: takes longer than generating them for large economies).
GENERATE_SHARE = 0.4


#: Commands of this group, registered by :mod:`gosplan.cli.app`.
COMMANDS = {"generate": generate}
