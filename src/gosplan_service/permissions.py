"""The role matrix of docs/service.md as data, and :func:`authorize`, the one function applying it.

Default deny: an action or a role missing from :data:`MATRIX` is refused. A cell is

- ``"all"``: allowed on every object of the kind;
- ``"own"``: allowed on the objects of the user's own enterprise;
- ``"-"``: refused with 403.

A user of an enterprise role (:data:`ENTERPRISE_ROLES`) asking about another enterprise's
object gets 404 whatever the action, and a draft plan version answers 404 to every role but
``planner``: neither's existence is disclosed. :func:`authorize` only decides; recording a
denied attempt is :func:`gosplan_service.audit.require`'s job.

A test reads the table between the ``role-matrix`` markers of docs/service.md and checks it
equals :data:`MATRIX`, so the code and the document cannot drift apart.
"""

from __future__ import annotations

from typing import Literal, Protocol

from gosplan_service.problems import Problem

__all__ = [
    "ACTIONS",
    "ENTERPRISE_ROLES",
    "MATRIX",
    "ROLES",
    "Cell",
    "Principal",
    "authorize",
    "cell",
    "visible_enterprise",
]

Cell = Literal["all", "own", "-"]

#: The roles, in the order of the matrix's columns.
ROLES: tuple[str, ...] = (
    "planner",
    "approver",
    "committee_member",
    "director",
    "workers_committee",
    "observer",
)
#: Roles that belong to one enterprise: their users name it, and see only its objects.
ENTERPRISE_ROLES: tuple[str, ...] = ("director", "workers_committee")

_ROWS: dict[str, tuple[Cell, Cell, Cell, Cell, Cell, Cell]] = {
    "plan.read": ("all", "all", "all", "all", "all", "all"),
    "plan.create": ("all", "-", "-", "-", "-", "-"),
    "plan.edit": ("all", "-", "-", "-", "-", "-"),
    "plan.solve": ("all", "-", "-", "-", "-", "-"),
    "plan.simulate": ("all", "-", "-", "-", "-", "-"),
    "plan.publish": ("all", "-", "-", "-", "-", "-"),
    "plan.open": ("all", "-", "-", "-", "-", "-"),
    "plan.derive": ("all", "-", "-", "-", "-", "-"),
    "plan.approve": ("-", "all", "-", "-", "-", "-"),
    "plan.vote": ("-", "-", "all", "-", "-", "-"),
    "figures.read": ("all", "all", "all", "own", "own", "all"),
    "counter_plan.read": ("all", "all", "all", "own", "own", "all"),
    "counter_plan.submit": ("-", "-", "-", "own", "own", "-"),
    "counter_plan.withdraw": ("-", "-", "-", "own", "own", "-"),
    "report.read": ("all", "all", "all", "own", "own", "all"),
    "report.submit": ("-", "-", "-", "own", "-", "-"),
    "competition.read": ("all", "all", "all", "all", "all", "all"),
    "alerts.read": ("all", "all", "all", "own", "own", "all"),
    "audit.read": ("all", "all", "-", "-", "-", "all"),
    "job.read": ("all", "-", "-", "-", "-", "-"),
}

#: The actions, in the order of the matrix's rows.
ACTIONS: tuple[str, ...] = tuple(_ROWS)
#: ``MATRIX[action][role]``: the cell of the role matrix.
MATRIX: dict[str, dict[str, Cell]] = {
    action: dict(zip(ROLES, cells, strict=True)) for action, cells in _ROWS.items()
}


class Principal(Protocol):
    """Who asks: anything with a role and an enterprise (a :class:`~.models.User`)."""

    @property
    def role(self) -> str:
        """One of :data:`ROLES`."""
        ...

    @property
    def enterprise(self) -> str | None:
        """The user's enterprise (for :data:`ENTERPRISE_ROLES`), else ``None``."""
        ...


def cell(role: str, action: str) -> Cell:
    """The matrix's cell for ``role`` and ``action`` (``"-"`` for an unknown role).

    Parameters
    ----------
    role
        The user's role.
    action
        One of :data:`ACTIONS`.

    Returns
    -------
    str
        ``"all"``, ``"own"`` or ``"-"``.

    Raises
    ------
    ValueError
        ``action`` is not in the matrix (a programming error, not a denial).
    """
    if action not in MATRIX:
        raise ValueError(f"unknown action {action!r}: not in the role matrix")
    return MATRIX[action].get(role, "-")


def authorize(
    user: Principal, action: str, enterprise_of_object: str | None, *, draft: bool = False
) -> None:
    """Allow ``user`` to do ``action`` to an object of ``enterprise_of_object``, or raise.

    Parameters
    ----------
    user
        Who asks.
    action
        One of :data:`ACTIONS`.
    enterprise_of_object
        The enterprise the object belongs to (a counter-plan's, a report's, a figure's), or
        ``None`` for an object of no enterprise (a plan version). An ``own`` cell allows only
        the user's own enterprise, so a list of "own" objects is authorized with the
        enterprise it is limited to (:func:`visible_enterprise`).
    draft
        The object is (or belongs to) a draft plan version: visible to planners only.

    Raises
    ------
    gosplan_service.problems.Problem
        404 for another enterprise's object asked by an enterprise role, or for a draft
        asked by anyone but a planner; 403 where the matrix says ``-`` (or ``own`` and the
        object is of no enterprise or the user has none).
    ValueError
        ``action`` is not in the matrix.
    """
    allowed = cell(user.role, action)
    if (
        user.role in ENTERPRISE_ROLES
        and enterprise_of_object is not None
        and enterprise_of_object != user.enterprise
    ):
        raise Problem.not_found()
    if draft and user.role != "planner":
        raise Problem.not_found()
    if allowed == "all":
        return
    if allowed == "own" and user.enterprise is not None:
        if enterprise_of_object == user.enterprise:
            return
        if enterprise_of_object is not None:
            raise Problem.not_found()
    raise Problem(403, f"The role {user.role} may not do {action}.")


def visible_enterprise(user: Principal, action: str) -> str | None:
    """The enterprise a list for ``action`` must be limited to (``None``: no limit).

    Parameters
    ----------
    user
        Who asks.
    action
        One of :data:`ACTIONS`.

    Returns
    -------
    str or None
        The user's enterprise where the cell is ``own``; ``None`` where it is ``all``.

    Raises
    ------
    gosplan_service.problems.Problem
        403 where the cell is ``-``.
    """
    allowed = cell(user.role, action)
    if allowed == "own" and user.enterprise is not None:
        return user.enterprise
    if allowed == "all":
        return None
    raise Problem(403, f"The role {user.role} may not do {action}.")
