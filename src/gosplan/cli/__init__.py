"""The ``gosplan`` command line (typer + rich): every command is one call into the library.

Run ``gosplan --help`` for the commands. :data:`app` is the typer application (for
``typer.testing.CliRunner`` and for adding command groups); :func:`main` is the console-script
entry point.
"""

from __future__ import annotations

from gosplan.cli.app import app, main

__all__ = ["app", "main"]
