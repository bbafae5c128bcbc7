"""Exit statuses of the ``gosplan`` command line (see :mod:`gosplan.cli.app`)."""

from __future__ import annotations

#: Exit status of success.
EXIT_OK = 0
#: Exit status of a valid answer that is "no" (infeasible targets): never an error.
EXIT_NO = 1
#: Exit status for bad input (GosplanError, unreadable files, usage errors).
EXIT_BAD_INPUT = 2
#: Exit status when a solver stopped without an answer (time limit, numerical trouble).
EXIT_STOPPED = 3
#: Exit status of a bug: an unexpected exception (its traceback is shown).
EXIT_BUG = 4

#: Every exit status and its meaning (shown in ``gosplan --help``).
EXIT_STATUSES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_NO: 'a valid "no" (targets infeasible, margins not met)',
    EXIT_BAD_INPUT: "bad input (a file, a table, an option)",
    EXIT_STOPPED: "a solver stopped without an answer (time limit, numerical trouble)",
    EXIT_BUG: "a bug in gosplan (with its traceback)",
}
