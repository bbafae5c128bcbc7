"""One exception family for gosplan.

Every error the library raises on purpose derives from :class:`GosplanError`. The CLI catches
this family and prints the message as one paragraph: status 3 for a :class:`SolverError` (a
solver stopped without an answer), 2 for the rest (bad input); anything else is a bug, exits
with status 4 and keeps its traceback (``gosplan.cli.exits``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gosplan.core.checks import Check


class GosplanError(Exception):
    """Base class of every error gosplan raises on purpose."""


class InputError(GosplanError):
    """Bad input: a file, a table, a row or a label that cannot be used as given.

    Parameters
    ----------
    message
        What is wrong, in words a user can act on.
    source
        The file (or table) the problem was found in, if any.
    row
        The row number in that file (1-based, counting the header as row 1), if known.
    label
        The offending label (product, activity, labour type, ...), if any.
    check
        The name of the validation check that failed, if any: a member of
        :class:`gosplan.core.checks.Check` (a :class:`str`, so a plain name compares equal).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        label: str | None = None,
        check: Check | str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.row = row
        self.label = label
        self.check = check
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.source is not None:
            where.append(str(self.source))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.label is not None:
            where.append(f"label {self.label!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ValidationError(InputError):
    """One or more named validation checks failed.

    Parameters
    ----------
    problems
        The individual problems found; the message lists them all.
    """

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            only = self.problems[0]
            super().__init__(
                only.message, source=only.source, row=only.row, label=only.label, check=only.check
            )
        else:
            lines = [f"{len(self.problems)} problems found:"]
            lines += [f"  - [{p.check or 'check'}] {p}" for p in self.problems]
            super().__init__("\n".join(lines))


class UnknownLabelError(InputError):
    """A label that the economy (or plan) does not know was referenced."""


class UnknownLabelsError(ValidationError, UnknownLabelError):
    """A :class:`ValidationError` whose every problem is an unknown label.

    It is an :class:`UnknownLabelError` as well, so that ``except UnknownLabelError`` keeps
    catching a plan whose only problems are labels the economy does not know.
    """


def validation_error(problems: list[InputError]) -> ValidationError:
    """The error listing ``problems``: an :class:`UnknownLabelsError` when all are unknown labels.

    Parameters
    ----------
    problems
        The problems found (at least one).

    Returns
    -------
    ValidationError
    """
    if problems and all(
        isinstance(p, UnknownLabelError) or p.check == "unknown_label" for p in problems
    ):
        return UnknownLabelsError(problems)
    return ValidationError(problems)


class NotProductiveError(InputError):
    """The technology cannot produce a net surplus (Hawkins–Simon condition fails)."""


class SolverError(GosplanError):
    """A numerical method failed to reach the requested accuracy."""


class ValuationError(GosplanError):
    """No unit-free valuation of the products can be computed (no labour, or no optimum)."""
