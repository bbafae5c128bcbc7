"""The independent verification of a plan: the largest violation of every relation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gosplan.core.serial import finite, number


@dataclass(frozen=True)
class VerificationReport:
    """Largest relative violation of each block, the tolerance and the verdict.

    Made by :func:`gosplan.plan.verify.verify`, which recomputes every relation of the plan
    from the result's tables, without the solver.
    """

    max_violation: dict[str, float]
    tolerance: float
    passed: bool

    @property
    def worst(self) -> float:
        """Largest violation over all blocks."""
        return max(self.max_violation.values(), default=0.0)

    def summary(self) -> str:
        """One line: passed or failed, with the worst block."""
        if not self.max_violation:
            return "verification: nothing to check"
        block = max(self.max_violation, key=self.max_violation.__getitem__)
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"verification {verdict}: largest relative violation {self.worst:.1e} ({block}), "
            f"tolerance {self.tolerance:.0e}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values (strict-JSON ready); :meth:`from_dict` reads them back."""
        return finite(
            {
                "max_violation": dict(self.max_violation),
                "tolerance": self.tolerance,
                "passed": self.passed,
            }
        )

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> VerificationReport:
        """The report written by :meth:`to_dict`."""
        return cls(
            max_violation={str(k): number(v) for k, v in dict(doc["max_violation"]).items()},
            tolerance=number(doc["tolerance"]),
            passed=bool(doc["passed"]),
        )
