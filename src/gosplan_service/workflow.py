"""State machines: which action moves a plan version (a counter-plan, a job) from where to where.

Pure: no database, no request. An endpoint asks :func:`check_transition` for the new status
and gets a 409 problem naming the current status when the action is not allowed from it::

    new_status = check_transition(version.status, "publish")   # "draft" -> "published"

Plan versions (docs/service.md)::

    draft -> published -> counter_plans_open -> approved | rejected
    approved -> superseded   (when a later version of the same plan is approved)

A draft may be edited and solved any number of times (it stays a draft); once published a
version is immutable and only its status moves. Votes are cast while counter-plans are open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gosplan_service.problems import Problem

__all__ = [
    "COUNTER_PLAN",
    "JOB",
    "PLAN_VERSION",
    "TRANSITIONS",
    "StateMachine",
    "check_transition",
]


@dataclass(frozen=True)
class StateMachine:
    """The allowed transitions of one kind of object.

    Attributes
    ----------
    name
        The kind, as the 409 problem names it (``"plan version"``).
    transitions
        ``transitions[status][action]``: the status ``action`` leads to from ``status``.
    """

    name: str
    transitions: Mapping[str, Mapping[str, str]]

    def check(self, current: str, action: str) -> str:
        """The status ``action`` leads to from ``current``, or a 409 problem.

        Parameters
        ----------
        current
            The object's status now.
        action
            What is asked (``"publish"``, ``"approve"``, ...).

        Returns
        -------
        str
            The new status (the same one for an action that does not move it, e.g. ``edit``).

        Raises
        ------
        gosplan_service.problems.Problem
            409 naming the current status and the actions allowed from it.
        """
        allowed = self.transitions.get(current, {})
        if action in allowed:
            return allowed[action]
        choices = ", ".join(sorted(allowed)) or "none"
        raise Problem(
            409,
            f"A {self.name} in status {current!r} cannot {action}; allowed: {choices}.",
            title="Conflict with the current status",
        )

    def statuses(self) -> set[str]:
        """Every status the machine knows (as a source or a target).

        Returns
        -------
        set of str
        """
        found = set(self.transitions)
        for moves in self.transitions.values():
            found.update(moves.values())
        return found


#: Plan versions.
PLAN_VERSION = StateMachine(
    "plan version",
    {
        "draft": {"edit": "draft", "solve": "draft", "publish": "published"},
        "published": {"open": "counter_plans_open"},
        "counter_plans_open": {
            "vote": "counter_plans_open",
            "approve": "approved",
            "reject": "rejected",
        },
        "approved": {"supersede": "superseded"},
        "rejected": {},
        "superseded": {},
    },
)
#: ``TRANSITIONS[status][action]``: the plan-version state machine as plain data.
TRANSITIONS: Mapping[str, Mapping[str, str]] = PLAN_VERSION.transitions
#: Counter-plans: checked against the plan (part 1), or withdrawn by their enterprise.
COUNTER_PLAN = StateMachine(
    "counter-plan",
    {
        "submitted": {"check": "checked", "withdraw": "withdrawn"},
        "checked": {"withdraw": "withdrawn"},
        "withdrawn": {},
    },
)
#: Jobs.
JOB = StateMachine(
    "job",
    {
        "queued": {"start": "running", "fail": "failed"},
        "running": {"finish": "done", "fail": "failed"},
        "done": {},
        "failed": {},
    },
)


def check_transition(current: str, action: str, machine: StateMachine = PLAN_VERSION) -> str:
    """The status ``action`` leads to from ``current`` (a plan version by default), or 409.

    Parameters
    ----------
    current
        The object's status now.
    action
        What is asked.
    machine
        The state machine (:data:`PLAN_VERSION`, :data:`COUNTER_PLAN`, :data:`JOB`).

    Returns
    -------
    str
        The new status.

    Raises
    ------
    gosplan_service.problems.Problem
        409 naming the current status.
    """
    return machine.check(current, action)
