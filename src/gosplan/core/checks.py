"""The registry of named checks, and a collector of problems that reports them all at once.

Every :class:`~gosplan.errors.InputError` gosplan raises on purpose may carry the name of the
check that failed (``check=``). The names are the members of :class:`Check`, each with a
one-line description in :data:`DESCRIPTIONS`; ``tests/core/test_checks_registry.py`` makes
sure no other name is used anywhere in ``gosplan``. A :class:`Check` is a :class:`str`, so
``err.check == "unknown_label"`` holds as before.

:class:`Problems` gathers the problems of a whole read or validation and raises them as one
:class:`~gosplan.errors.ValidationError` (at most :data:`MAX_PER_CHECK` per check and source,
with a count of the rest).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

import numpy as np

from gosplan.errors import InputError, ValidationError

#: Most problems reported per check and table; the rest are counted.
MAX_PER_CHECK = 5


class Labels(Protocol):
    """Anything giving the label of a row by its position (a sequence, an array)."""

    def __getitem__(self, position: int, /) -> object: ...


class Check(StrEnum):
    """The name of every validation check of gosplan (the ``check`` of an InputError)."""

    # files and tables
    UNREADABLE_FILE = "unreadable_file"
    MISSING_COLUMN = "missing_column"
    MISSING_TABLE = "missing_table"
    EMPTY_TABLE = "empty_table"
    NON_NUMERIC = "non_numeric"
    MISSING_VALUE = "missing_value"
    MISSING_LABEL = "missing_label"
    DUPLICATE_LABEL = "duplicate_label"
    UNKNOWN_LABEL = "unknown_label"
    UNKNOWN_KEY = "unknown_key"
    VALUE_TOO_LARGE = "value_too_large"
    UNIT_MISMATCH = "unit_mismatch"
    # economy values
    NEGATIVE_COEFFICIENT = "negative_coefficient"
    NEGATIVE_VALUE = "negative_value"
    OUT_OF_RANGE = "out_of_range"
    NO_TECHNIQUE = "no_technique"
    HAWKINS_SIMON = "hawkins_simon"
    NOT_PRODUCTIVE = "not_productive"
    NOT_SQUARE = "not_square"
    NO_LABOUR = "no_labour"
    NEGATIVE_OUTPUT = "negative_output"
    NON_POSITIVE_OUTPUT = "non_positive_output"
    TOO_LARGE = "too_large"
    # balancing (RAS, multipliers, aggregation)
    NAN = "nan"
    NEGATIVE_ENTRIES = "negative_entries"
    SIGN_PATTERN = "sign_pattern"
    INCONSISTENT_TOTALS = "inconsistent_totals"
    ZERO_ROW = "zero_row"
    ZERO_COLUMN = "zero_column"
    HOUSEHOLD_CLOSURE = "household_closure"
    NON_POSITIVE_WEIGHT = "non_positive_weight"
    INCOMPLETE_MAPPING = "incomplete_mapping"
    # plans
    BAD_SETTING = "bad_setting"
    UNKNOWN_OBJECTIVE = "unknown_objective"
    PERIODS_NOT_CONSECUTIVE = "periods_not_consecutive"
    LAG_EXCEEDS_HORIZON = "lag_exceeds_horizon"
    VINTAGE_IN_HORIZON = "vintage_in_horizon"
    CONSTRUCTION_PROFILE = "construction_profile"
    INVESTMENT_LIMITS = "investment_limits"
    CONSTRUCTION_IN_PROGRESS = "construction_in_progress"
    NOT_CONSUMPTION = "not_consumption"
    # enterprises and running the plan
    ENTERPRISE_CAPACITY = "enterprise_capacity"
    UNKNOWN_ENTERPRISE = "unknown_enterprise"
    DUPLICATE_REPORT = "duplicate_report"
    PERIOD_OUTSIDE_PLAN = "period_outside_plan"
    NOT_MADE_BY_ENTERPRISE = "not_made_by_enterprise"
    # arguments and bundled data
    BAD_ARGUMENT = "bad_argument"
    BAD_OPTION = "bad_option"
    UNKNOWN_SCENARIO = "unknown_scenario"
    UNKNOWN_PLAN = "unknown_plan"
    UNKNOWN_EXAMPLE = "unknown_example"


#: What each check guards against, in one line.
DESCRIPTIONS: dict[Check, str] = {
    Check.UNREADABLE_FILE: "every file exists and parses",
    Check.MISSING_COLUMN: "every table has its required columns",
    Check.MISSING_TABLE: "a table the objective needs is given",
    Check.EMPTY_TABLE: "no table is empty",
    Check.NON_NUMERIC: "every number cell holds a (finite, whole where needed) number",
    Check.MISSING_VALUE: "no required cell is empty",
    Check.MISSING_LABEL: "every label a computation needs is given",
    Check.DUPLICATE_LABEL: "no label (or key of a row) appears twice",
    Check.UNKNOWN_LABEL: "every label (or period) referenced is declared",
    Check.UNKNOWN_KEY: "every manifest key and [tables] entry is known",
    Check.VALUE_TOO_LARGE: "no finite number is 1e15 or more (the solver's infinity)",
    Check.UNIT_MISMATCH: "units agree (capacity vs product, labour units within a type)",
    Check.NEGATIVE_COEFFICIENT: "no coefficient, capacity or service life is negative",
    Check.NEGATIVE_VALUE: "no quantity of a plan or a demand is negative",
    Check.OUT_OF_RANGE: "every number lies within its column's bounds (a rate below 1)",
    Check.NO_TECHNIQUE: "every product is made by at least one activity",
    Check.HAWKINS_SIMON: "the technology can produce a net surplus (spectral radius of A < 1)",
    Check.NOT_PRODUCTIVE: "I - A can be inverted with a non-negative inverse",
    Check.NOT_SQUARE: "the economy has one activity per product where one is needed",
    Check.NO_LABOUR: "the economy has labour coefficients where they are needed",
    Check.NEGATIVE_OUTPUT: "gross output is not negative",
    Check.NON_POSITIVE_OUTPUT: "gross output is positive where it divides",
    Check.TOO_LARGE: "a problem is small enough for a dense method",
    Check.NAN: "a table to balance has no missing or infinite values",
    Check.NEGATIVE_ENTRIES: "a table to balance has no negative entries",
    Check.SIGN_PATTERN: "the prior table and the targets have compatible signs",
    Check.INCONSISTENT_TOTALS: "row and column totals add up to the same sum",
    Check.ZERO_ROW: "a row with a positive target has some entry in the prior table",
    Check.ZERO_COLUMN: "a column with a positive target has some entry in the prior table",
    Check.HOUSEHOLD_CLOSURE: "households can be closed into the model (labour and consumption)",
    Check.NON_POSITIVE_WEIGHT: "weights of an aggregate are positive",
    Check.INCOMPLETE_MAPPING: "an aggregation maps every label",
    Check.BAD_SETTING: "a plan setting (manifest key or PlanSpec field) has a valid value",
    Check.UNKNOWN_OBJECTIVE: "the plan's objective is one gosplan knows",
    Check.PERIODS_NOT_CONSECUTIVE: "the periods of a plan are consecutive years",
    Check.LAG_EXCEEDS_HORIZON: "every investment lag and lead time is shorter than the horizon",
    Check.VINTAGE_IN_HORIZON: "every vintage of the initial capital stock is built before it",
    Check.CONSTRUCTION_PROFILE: "construction offsets lie within the lag and shares add up to 1",
    Check.INVESTMENT_LIMITS: "investment limits are on capped activities and can be met",
    Check.CONSTRUCTION_IN_PROGRESS: "construction in progress completes in the horizon, capped",
    Check.NOT_CONSUMPTION: "consumption weights are positive only on consumption goods",
    Check.ENTERPRISE_CAPACITY: "an activity's enterprise capacities add up to its capacity",
    Check.UNKNOWN_ENTERPRISE: "every enterprise referenced is in the economy's enterprises",
    Check.DUPLICATE_REPORT: "an enterprise reports once per product and period",
    Check.PERIOD_OUTSIDE_PLAN: "a reported or assigned period lies within the plan's periods",
    Check.NOT_MADE_BY_ENTERPRISE: "an enterprise reports only products its activities make",
    Check.BAD_ARGUMENT: "an argument of a public function has the right type and value",
    Check.BAD_OPTION: "an option of a method is one it knows",
    Check.UNKNOWN_SCENARIO: "a bundled scenario of that name exists",
    Check.UNKNOWN_PLAN: "a bundled plan of that name exists",
    Check.UNKNOWN_EXAMPLE: "a bundled example of that name exists",
}


class Problems:
    """Collects input problems; :meth:`raise_if_any` raises them as one ValidationError."""

    def __init__(self) -> None:
        self.items: list[InputError] = []
        self._counts: Counter[tuple[str | None, str | None]] = Counter()

    def add(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        label: str | None = None,
        check: str | None = None,
    ) -> None:
        """Record one problem (beyond :data:`MAX_PER_CHECK` per check and source, count it)."""
        key = (source, check)
        self._counts[key] += 1
        if self._counts[key] <= MAX_PER_CHECK:
            self.items.append(InputError(message, source=source, row=row, label=label, check=check))

    def add_rows(
        self,
        mask: np.ndarray,
        message: str | Callable[[int], str],
        *,
        source: str,
        labels: Labels | None,
        check: str,
    ) -> None:
        """Record one problem per true entry of ``mask`` (table row positions, 0-based).

        Parameters
        ----------
        mask
            Boolean array over the rows of a table.
        message
            A text, or a function of the row position giving one.
        source
            How messages name the table.
        labels
            The label of each row (``None``, or an entry ``None``: no label).
        check
            The name of the check that failed.
        """
        positions = np.flatnonzero(mask)
        for pos in positions[:MAX_PER_CHECK]:
            value = None if labels is None else labels[pos]
            label = None if value is None else str(value)
            text = message(int(pos)) if callable(message) else message
            self.add(text, source=source, row=int(pos) + 2, label=label, check=check)
        extra = len(positions) - MAX_PER_CHECK
        if extra > 0:
            self._counts[(source, check)] += extra

    def extend(self, error: InputError) -> None:
        """Record an error raised elsewhere (its own problems if it is a ValidationError)."""
        if isinstance(error, ValidationError):
            self.items.extend(error.problems)
        else:
            self.items.append(error)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def problems(self) -> list[InputError]:
        """Every problem recorded, then one line per check and source counting the rest."""
        found = list(self.items)
        for (source, check), count in self._counts.items():
            if count > MAX_PER_CHECK:
                found.append(
                    InputError(
                        f"... and {count - MAX_PER_CHECK} more rows with the same problem",
                        source=source,
                        check=check,
                    )
                )
        return found

    def raise_if_any(self) -> None:
        """Raise a :class:`~gosplan.errors.ValidationError` listing the problems, if any."""
        if self.items:
            raise ValidationError(self.problems())
