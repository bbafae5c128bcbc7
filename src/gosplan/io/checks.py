"""The named validation checks of an economy on disk, and the report ``gosplan check`` prints.

Table-level checks (unreadable file, missing column, non-numeric cell, missing value,
duplicate label, unknown label, empty table, unit mismatch) run while reading
(:mod:`gosplan.io.reader`). The economy-wide checks run on any :class:`Economy`, read from
disk or built in code; they live beside the economy, in :mod:`gosplan.core.economy_checks`
(:func:`validate_economy`, :func:`non_productive_components`), and are re-exported here.

:func:`check_report` says, for every named check, whether it passed, failed or was not run:
a check is "ok" only when it ran on every table (reading stops when the products or the
activities table cannot be read, and the economy-wide checks need tables without problems).
The checks of the optional enterprises table
(:func:`~gosplan.core.economy_checks.check_enterprises`) run while reading it; one of them,
``enterprise_capacity``, is not listed in :data:`CHECKS` (most economies have no
enterprises table) and is reported after them when it fails.
"""

from __future__ import annotations

from pathlib import Path

from gosplan.core.checks import Check
from gosplan.core.economy_checks import (
    ECONOMY_CHECKS,
    RADIUS_LIMIT,
    non_productive_components,
    validate_economy,
)
from gosplan.core.rules import LARGEST_NUMBER
from gosplan.errors import ValidationError

__all__ = [
    "CHECKS",
    "ECONOMY_CHECKS",
    "RADIUS_LIMIT",
    "check_report",
    "non_productive_components",
    "validate_economy",
]

#: Every named check of an economy, with what it guards against (the order of ``gosplan
#: check``'s report).
CHECKS: dict[str, str] = {
    Check.UNREADABLE_FILE: "every file exists and parses",
    Check.MISSING_COLUMN: "every table has its required columns",
    Check.NON_NUMERIC: "every number cell holds a number",
    Check.MISSING_VALUE: "no required cell is empty",
    Check.NEGATIVE_COEFFICIENT: "no coefficient, capacity or service life is negative",
    Check.VALUE_TOO_LARGE: (
        f"no finite number is {LARGEST_NUMBER:g} or more (the solver's infinity)"
    ),
    Check.DUPLICATE_LABEL: "no label (or input/activity pair) appears twice",
    Check.UNKNOWN_LABEL: "every label referenced is declared",
    Check.EMPTY_TABLE: "no table is empty",
    Check.UNIT_MISMATCH: "units agree (capacity vs product, labour units within a type)",
    Check.NO_TECHNIQUE: "every product is made by at least one activity",
    Check.HAWKINS_SIMON: "the technology can produce a net surplus (spectral radius of A < 1)",
}


def check_report(path: str | Path) -> list[tuple[str, str, str]]:
    """Run every named check on an economy on disk.

    Parameters
    ----------
    path
        The economy directory or its manifest.

    Returns
    -------
    list of (check, status, message)
        One row per check of :data:`CHECKS` (then one per other check that failed); status
        ``"failed"`` (with the messages of every failure), ``"not run"`` (with why: reading
        stopped before some tables, or the economy-wide checks need tables without
        problems), or ``"ok"`` only for a check that ran on every table and passed.
    """
    from gosplan.io.reader import survey_economy

    outcome = survey_economy(path)
    failures: dict[str, list[str]] = {}
    for problem in outcome.problems:
        failures.setdefault(problem.check or Check.UNREADABLE_FILE, []).append(str(problem))
    economy_skip: str | None = None
    hawkins_skip: str | None = None
    if outcome.economy is None:
        economy_skip = (
            f"reading stopped at {outcome.stopped_at}"
            if outcome.stopped_at is not None
            else "needs tables without problems: fix the failed checks first"
        )
    else:
        try:
            sources = outcome.sources
            validate_economy(
                outcome.economy,
                source=sources.get("technology", sources.get("transactions")),
                activities_source=sources.get("activities"),
                sources=sources,
            )
        except ValidationError as exc:
            for problem in exc.problems:
                failures.setdefault(problem.check or Check.HAWKINS_SIMON, []).append(str(problem))
            if Check.HAWKINS_SIMON not in failures:  # it runs only when the other checks pass
                hawkins_skip = (
                    "needs a technique for every product"
                    if Check.NO_TECHNIQUE in failures
                    else "needs the other economy-wide checks to pass"
                )
    table_skip: str | None = None
    if outcome.stopped_at is not None and not outcome.read:
        table_skip = f"reading stopped at {outcome.stopped_at}: no table was read"
    elif outcome.skipped:
        reasons = dict.fromkeys(outcome.skipped.values())
        table_skip = f"not run on {', '.join(outcome.skipped)}: {'; '.join(reasons)}"
    rows = []
    for check in CHECKS:
        if check in failures:
            rows.append((check, "failed", " | ".join(failures[check])))
        elif check in ECONOMY_CHECKS and economy_skip is not None:
            rows.append((check, "not run", economy_skip))
        elif check == Check.HAWKINS_SIMON and hawkins_skip is not None:
            rows.append((check, "not run", hawkins_skip))
        elif check not in ECONOMY_CHECKS and table_skip is not None:
            rows.append((check, "not run", table_skip))
        else:
            rows.append((check, "ok", CHECKS[check]))
    for check, messages in failures.items():
        if check not in CHECKS:
            rows.append((check, "failed", " | ".join(messages)))
    return rows
