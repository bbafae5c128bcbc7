"""The status of a plan or of one linear program: one enum, never bare strings."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """How a linear program (and the plan made from it) ended.

    A :class:`Status` is a ``str``: ``Status.OPTIMAL == "optimal"``, and it is written to disk
    as its value. Only ``OPTIMAL``, ``INFEASIBLE``, ``UNBOUNDED`` and ``TIME_LIMIT`` are
    final answers (:attr:`final`); ``UNKNOWN`` and ``INFEASIBLE_OR_UNBOUNDED`` are what a
    method may end with before gosplan retries another, and ``ERROR`` is reported when no
    method could certify an answer.
    """

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    UNKNOWN = "unknown"
    ERROR = "error"

    @property
    def final(self) -> bool:
        """True for a certified answer (optimal, infeasible, unbounded) or a time limit."""
        return self in FINAL

    @classmethod
    def parse(cls, value: str) -> Status:
        """The status written as ``value`` (a :class:`ValueError` names the known ones)."""
        try:
            return cls(str(value))
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown status {value!r}; known: {known}") from None


#: The statuses that end a solve.
FINAL = frozenset({Status.OPTIMAL, Status.INFEASIBLE, Status.UNBOUNDED, Status.TIME_LIMIT})
