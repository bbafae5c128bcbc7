"""The registry of named checks: every check name used in gosplan is a member of Check."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gosplan
from gosplan.core.checks import DESCRIPTIONS, MAX_PER_CHECK, Check, Problems
from gosplan.errors import InputError, ValidationError

SRC = Path(gosplan.__file__).parent
#: Keyword arguments that take the name of a check.
CHECK_KEYWORDS = ("check", "check_negative")


def _check_literals() -> list[tuple[str, int, str]]:
    """Every string (or f-string prefix) passed as ``check=`` anywhere in src/gosplan."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg not in CHECK_KEYWORDS:
                    continue
                value = kw.value
                where = str(path.relative_to(SRC))
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.append((where, node.lineno, value.value))
                elif isinstance(value, ast.JoinedStr):  # f"zero_{what}": its constant prefix
                    head = value.values[0]
                    if isinstance(head, ast.Constant):
                        found.append((where, node.lineno, f"{head.value}*"))
    return found


def test_the_scan_finds_the_literals() -> None:
    names = {name for _, _, name in _check_literals()}
    assert {"bad_argument", "unreadable_file", "zero_*"} <= names


def test_every_check_literal_is_a_member_of_check() -> None:
    members = {str(c) for c in Check}
    unknown = []
    for where, line, name in _check_literals():
        if name.endswith("*"):
            ok = any(m.startswith(name[:-1]) for m in members)
        else:
            ok = name in members
        if not ok:
            unknown.append(f"{where}:{line}: {name!r}")
    assert unknown == [], "check names missing from gosplan.core.checks.Check: " + ", ".join(
        unknown
    )


def test_every_check_has_a_one_line_description() -> None:
    assert set(DESCRIPTIONS) == set(Check)
    for check, text in DESCRIPTIONS.items():
        assert text and "\n" not in text and len(text) <= 100, check


def test_the_economy_checks_of_gosplan_check_are_registered() -> None:
    from gosplan.io.checks import CHECKS, ECONOMY_CHECKS

    assert set(CHECKS) <= set(Check)
    assert set(ECONOMY_CHECKS) <= set(CHECKS)


def test_an_input_error_takes_a_check_and_compares_as_text() -> None:
    err = InputError("bad", source="f.csv", row=2, label="x", check=Check.UNKNOWN_LABEL)
    assert err.check == "unknown_label" and isinstance(err.check, str)
    assert str(err) == "f.csv, row 2, label 'x': bad"
    many = ValidationError([err, InputError("worse", check=Check.NON_NUMERIC)])
    assert "[unknown_label] f.csv, row 2" in str(many) and "[non_numeric] worse" in str(many)


def test_problems_cap_each_check_and_source() -> None:
    import numpy as np

    problems = Problems()
    problems.add_rows(
        np.ones(8, dtype=bool), "bad", source="t.csv", labels=None, check=Check.NON_NUMERIC
    )
    found = problems.problems()
    assert len(found) == MAX_PER_CHECK + 1
    assert [p.row for p in found[:MAX_PER_CHECK]] == [2, 3, 4, 5, 6]
    assert "... and 3 more rows" in str(found[-1])
    with pytest.raises(ValidationError) as info:
        problems.raise_if_any()
    assert len(info.value.problems) == MAX_PER_CHECK + 1
