"""The role matrix: the code equals docs/service.md's table, and authorize applies it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from gosplan_service.models import User
from gosplan_service.permissions import (
    ACTIONS,
    ENTERPRISE_ROLES,
    MATRIX,
    ROLES,
    authorize,
    visible_enterprise,
)
from gosplan_service.problems import Problem

DOC = Path(__file__).resolve().parents[2] / "docs" / "service.md"


def doc_matrix() -> tuple[list[str], dict[str, dict[str, str]]]:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- role-matrix:start -->\n(.*?)<!-- role-matrix:end -->", text, re.S)
    assert found, "docs/service.md has no role-matrix markers"
    lines = [line.strip() for line in found.group(1).strip().splitlines()]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    header, rule, *body = rows
    assert header[0] == "action"
    assert all(set(cell) <= {"-", ":"} for cell in rule)
    roles = header[1:]
    table = {row[0]: dict(zip(roles, row[1:], strict=True)) for row in body}
    assert len(table) == len(body), "an action appears twice in the doc's table"
    return roles, table


def test_matrix_equals_the_doc() -> None:
    roles, table = doc_matrix()
    assert roles == list(ROLES)
    assert list(table) == list(ACTIONS)
    assert table == MATRIX


def test_cells_are_all_own_or_denied() -> None:
    cells = {c for row in MATRIX.values() for c in row.values()}
    assert cells <= {"all", "own", "-"}
    # "own" is only for the roles that belong to an enterprise
    for action, row in MATRIX.items():
        for role, c in row.items():
            if c == "own":
                assert role in ENTERPRISE_ROLES, (action, role)


@dataclass
class Someone:
    role: str
    enterprise: str | None = None


def status_of(user: Someone, action: str, enterprise: str | None, draft: bool = False) -> int:
    try:
        authorize(user, action, enterprise, draft=draft)
    except Problem as refusal:
        return refusal.status
    return 200


PLANNER = Someone("planner")
APPROVER = Someone("approver")
MEMBER = Someone("committee_member")
DIRECTOR = Someone("director", "coal-1")
WORKERS = Someone("workers_committee", "coal-1")
OBSERVER = Someone("observer")


@pytest.mark.parametrize(
    ("user", "action", "enterprise", "draft", "status"),
    [
        (PLANNER, "plan.create", None, False, 200),
        (APPROVER, "plan.create", None, False, 403),
        (OBSERVER, "plan.edit", None, False, 403),
        (APPROVER, "plan.approve", None, False, 200),
        (PLANNER, "plan.approve", None, False, 403),
        (MEMBER, "plan.vote", None, False, 200),
        (APPROVER, "plan.vote", None, False, 403),
        (DIRECTOR, "figures.read", "coal-1", False, 200),
        (DIRECTOR, "figures.read", "steel-2", False, 404),
        (WORKERS, "counter_plan.submit", "coal-1", False, 200),
        (WORKERS, "report.submit", "coal-1", False, 403),
        (WORKERS, "report.submit", "steel-2", False, 404),  # 404 whatever the action
        (DIRECTOR, "report.submit", "coal-1", False, 200),
        (DIRECTOR, "counter_plan.submit", None, False, 403),  # own, and no enterprise
        (OBSERVER, "figures.read", "steel-2", False, 200),
        (OBSERVER, "counter_plan.submit", "coal-1", False, 403),
        (MEMBER, "audit.read", None, False, 403),
        (OBSERVER, "audit.read", None, False, 200),
        (PLANNER, "job.read", None, False, 200),
        (APPROVER, "job.read", None, False, 403),
        # drafts are the planners' only
        (PLANNER, "plan.read", None, True, 200),
        (APPROVER, "plan.read", None, True, 404),
        (DIRECTOR, "plan.read", None, True, 404),
        (OBSERVER, "plan.approve", None, True, 404),
        (DIRECTOR, "plan.read", None, False, 200),
        (Someone("boss"), "plan.read", None, False, 403),  # default deny
    ],
)
def test_authorize(
    user: Someone, action: str, enterprise: str | None, draft: bool, status: int
) -> None:
    assert status_of(user, action, enterprise, draft) == status


def test_every_cell_for_an_object_of_the_users_enterprise() -> None:
    for action, row in MATRIX.items():
        for role, c in row.items():
            user = Someone(role, "coal-1" if role in ENTERPRISE_ROLES else None)
            expected = 403 if c == "-" else 200
            if c == "own" or role in ENTERPRISE_ROLES:
                assert status_of(user, action, "coal-1") == expected, (action, role)
            else:
                assert status_of(user, action, None) == expected, (action, role)


def test_hidden_and_missing_objects_read_alike() -> None:
    with pytest.raises(Problem) as hidden:
        authorize(DIRECTOR, "figures.read", "steel-2")
    assert hidden.value.to_dict() == Problem.not_found().to_dict()


def test_unknown_action_is_a_bug_not_a_denial() -> None:
    with pytest.raises(ValueError, match=r"plan\.fly"):
        authorize(PLANNER, "plan.fly", None)


def test_visible_enterprise() -> None:
    assert visible_enterprise(PLANNER, "report.read") is None
    assert visible_enterprise(DIRECTOR, "report.read") == "coal-1"
    with pytest.raises(Problem) as caught:
        visible_enterprise(MEMBER, "counter_plan.submit")
    assert caught.value.status == 403


def test_a_user_model_is_a_principal() -> None:
    user = User(name="x", role="director", enterprise="coal-1", password_hash="h")
    authorize(user, "figures.read", "coal-1")
