"""The ``gosplan`` typer application: command registration and error handling.

Commands live in one thin module per group (``balance_cmds``, ``generate_cmd``, ``plan_cmds``,
...). Each such module exposes ``COMMANDS``: a mapping from command name to a plain function
whose typed parameters typer turns into arguments and options. :func:`register_module` adds
every command of a module to :data:`app`, wrapped by :func:`guarded`; a new group is added by
appending its module's name to :data:`COMMAND_MODULES`.

Exit status, for every command (:data:`EXIT_STATUSES`):

- ``0``: success;
- ``1``: a valid answer that is "no": ``check-plan`` on infeasible targets, ``plan`` when the
  targets cannot be met, ``frontier`` when the plan of every share is infeasible, ``ras`` when
  the margins are not met;
- ``2``: bad input: a :class:`~gosplan.errors.GosplanError`, a file that cannot be read or
  written, or a bad option (typer/click usage errors also exit 2). The message goes to standard
  error as one red paragraph, without a traceback;
- ``3``: a solver stopped without an answer (a time limit, or numerical trouble): a
  :class:`~gosplan.errors.SolverError` such as
  :class:`~gosplan.plan.diagnosis.PlanCheckError`, or a plan that ended ``time_limit`` or
  ``error``; the message says what was decided and what to try;
- ``4``: a bug in gosplan (an unexpected exception, shown with its traceback).

Status 1 is never an error.
"""

from __future__ import annotations

import functools
import inspect
import logging
import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from types import ModuleType
from typing import Annotated, Any, TypeVar

import typer

from gosplan.cli.exits import (
    EXIT_BAD_INPUT,
    EXIT_BUG,
    EXIT_NO,
    EXIT_OK,
    EXIT_STATUSES,
    EXIT_STOPPED,
)
from gosplan.errors import GosplanError, SolverError

log = logging.getLogger(__name__)

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BUG",
    "EXIT_NO",
    "EXIT_OK",
    "EXIT_STATUSES",
    "EXIT_STOPPED",
    "app",
    "guarded",
    "main",
    "register_commands",
    "register_module",
]

#: Modules whose ``COMMANDS`` are registered on :data:`app`, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "gosplan.cli.balance_cmds",
    "gosplan.cli.generate_cmd",
    "gosplan.cli.plan_cmds",
    "gosplan.cli.run_cmds",
    "gosplan.cli.simulate_cmd",
    "gosplan.cli.ensemble_cmd",
    "gosplan.cli.labour_cmd",
    "gosplan.cli.report_cmd",
    "gosplan.cli.compare_cmd",
    "gosplan.cli.demo_cmd",
    "gosplan.cli.serve_cmd",
)

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="gosplan",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    # Plain (click) help: paragraphs are re-flowed to the terminal's width, option names are
    # never cut short, and flags show no metavar. Rich panels squeeze long option names
    # ("--household-consumpti…") and keep a docstring's hard line breaks at 80 columns.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def describe_os_error(err: OSError) -> str:
    """A one-line message for a file that cannot be read or written.

    Parameters
    ----------
    err
        The error raised by the operating system (or by a library on its behalf).

    Returns
    -------
    str
        ``"<path>: <reason>"`` when the path is known, else the error's own text.
    """
    reason = err.strerror or str(err) or type(err).__name__
    if err.filename is not None:
        target = f"{err.filename}"
        if err.filename2 is not None:
            target += f" -> {err.filename2}"
        return f"{target}: {reason}"
    return str(err) or reason


def guarded(func: F) -> F:
    """Wrap a command so that bad input ends it with a red message and exit status 2.

    :class:`~gosplan.errors.GosplanError` and :class:`OSError` (which includes
    ``FileNotFoundError`` and ``PermissionError``) are caught; their message is printed as one
    paragraph on standard error. A :class:`~gosplan.errors.SolverError` (a solver that stopped
    without an answer) exits with status 3 instead. Other exceptions propagate with their
    traceback.

    Parameters
    ----------
    func
        The command function (its signature is kept, so typer sees the same parameters).

    Returns
    -------
    callable
        The wrapped command.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from gosplan.cli.output import print_error

        try:
            return func(*args, **kwargs)
        except SolverError as err:
            log.debug("a solver stopped without an answer", exc_info=True)
            print_error(f"stopped: {err}")
            raise typer.Exit(EXIT_STOPPED) from None
        except GosplanError as err:
            log.debug("command failed on bad input", exc_info=True)
            print_error(f"error: {err}")
        except OSError as err:
            log.debug("command failed on a file", exc_info=True)
            print_error(f"error: {describe_os_error(err)}")
        raise typer.Exit(EXIT_BAD_INPUT)

    return wrapper  # type: ignore[return-value]


def register_commands(target: typer.Typer, commands: Mapping[str, Callable[..., Any]]) -> None:
    """Add commands (name -> function) to a typer app, each wrapped by :func:`guarded`.

    Parameters
    ----------
    target
        The typer app.
    commands
        Command names and their functions; the function's docstring is the command's help.
    """
    for name, func in commands.items():
        target.command(name, short_help=short_help(func.__doc__))(guarded(func))


def short_help(doc: str | None) -> str | None:
    """The first paragraph of a docstring on one line: the command's entry in ``--help``.

    Click would otherwise cut it at 45 characters with ``...``; given whole, it is wrapped.

    Parameters
    ----------
    doc
        The command function's docstring.

    Returns
    -------
    str or None
        The first paragraph, its line breaks replaced by spaces (``None`` without a docstring).
    """
    if not doc:
        return None
    first = inspect.cleandoc(doc).split("\n\n", 1)[0]
    return " ".join(first.split())


def register_module(target: typer.Typer, module: str | ModuleType) -> None:
    """Register every command of a command-group module (its ``COMMANDS`` mapping).

    Parameters
    ----------
    target
        The typer app.
    module
        The module or its dotted name (e.g. ``"gosplan.cli.plan_cmds"``).
    """
    mod = import_module(module) if isinstance(module, str) else module
    register_commands(target, mod.COMMANDS)


def _version(value: bool) -> None:
    if value:
        from gosplan import __version__

        typer.echo(f"gosplan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log the library's progress to stderr.")
    ] = False,
) -> None:
    """Plan an economy: material balances, input-output analysis and optimal plans.

    \b
    Exit status:
      0  success
      1  a valid "no" (targets infeasible, margins not met); never an error
      2  bad input (a file, a table, an option)
      3  a solver stopped without an answer (time limit, numerical trouble)
      4  a bug in gosplan (with its traceback)
    """  # noqa: D301 (click's \b keeps the lines of the next paragraph)
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")


for _module in COMMAND_MODULES:
    register_module(app, _module)


def main() -> None:
    """Run the ``gosplan`` command line (the console-script entry point).

    An unexpected exception (a bug) is shown with its traceback and exits with status 4, so
    that status 1 keeps its meaning (a valid "no").
    """
    try:
        app(prog_name="gosplan")
    except Exception:
        sys.excepthook(*sys.exc_info())
        sys.exit(EXIT_BUG)
