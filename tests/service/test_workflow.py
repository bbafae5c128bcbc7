"""The state machines of plan versions, counter-plans and jobs (pure: no database)."""

from __future__ import annotations

import pytest

from gosplan_service.models import COUNTER_PLAN_STATUSES, JOB_STATUSES, PLAN_STATUSES
from gosplan_service.problems import Problem
from gosplan_service.workflow import (
    COUNTER_PLAN,
    JOB,
    PLAN_VERSION,
    TRANSITIONS,
    check_transition,
)

#: docs/service.md: draft -> published -> counter_plans_open -> approved | rejected,
#: approved -> superseded; a draft may be edited and solved; votes while counter-plans are open.
EXPECTED = {
    ("draft", "edit"): "draft",
    ("draft", "solve"): "draft",
    ("draft", "publish"): "published",
    ("published", "open"): "counter_plans_open",
    ("counter_plans_open", "vote"): "counter_plans_open",
    ("counter_plans_open", "approve"): "approved",
    ("counter_plans_open", "reject"): "rejected",
    ("approved", "supersede"): "superseded",
}
ACTIONS = sorted({action for _, action in EXPECTED} | {"derive", "withdraw"})


def test_transitions_are_exactly_the_documented_ones() -> None:
    flat = {(s, a): t for s, moves in TRANSITIONS.items() for a, t in moves.items()}
    assert flat == EXPECTED


@pytest.mark.parametrize(("current", "action"), sorted(EXPECTED))
def test_every_allowed_transition(current: str, action: str) -> None:
    assert check_transition(current, action) == EXPECTED[current, action]


@pytest.mark.parametrize("current", PLAN_STATUSES)
def test_every_disallowed_transition_is_409_naming_the_status(current: str) -> None:
    for action in ACTIONS:
        if (current, action) in EXPECTED:
            continue
        with pytest.raises(Problem) as caught:
            check_transition(current, action)
        assert caught.value.status == 409
        assert f"'{current}'" in str(caught.value.detail)
        assert action in str(caught.value.detail)


def test_published_version_is_immutable() -> None:
    for status in PLAN_STATUSES:
        if status == "draft":
            continue
        for change in ("edit", "solve", "publish"):
            with pytest.raises(Problem):
                check_transition(status, change)


def test_machines_know_the_model_statuses() -> None:
    assert PLAN_VERSION.statuses() == set(PLAN_STATUSES)
    assert COUNTER_PLAN.statuses() == set(COUNTER_PLAN_STATUSES)
    assert JOB.statuses() == set(JOB_STATUSES)


def test_counter_plan_and_job_machines() -> None:
    assert check_transition("submitted", "check", COUNTER_PLAN) == "checked"
    assert check_transition("checked", "withdraw", COUNTER_PLAN) == "withdrawn"
    with pytest.raises(Problem, match="withdrawn"):
        check_transition("withdrawn", "check", COUNTER_PLAN)
    assert check_transition("queued", "start", JOB) == "running"
    assert check_transition("running", "finish", JOB) == "done"
    with pytest.raises(Problem):
        check_transition("done", "start", JOB)
