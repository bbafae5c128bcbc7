"""Economies written as files for the reader tests, and the problems reading them gives."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from gosplan import InputError, ValidationError
from gosplan.io import read_economy


def write_economy(
    root: Path, good: Mapping[str, str | bytes], **changes: str | bytes | None
) -> Path:
    """``good``'s files with some replaced (``None``: removed); keys use _ for ."""
    files: dict[str, str | bytes | None] = dict(good)
    files.update(
        {k.replace("_csv", ".csv").replace("_toml", ".toml"): v for k, v in changes.items()}
    )
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if text is None:
            continue
        if isinstance(text, bytes):
            (root / name).write_bytes(text)
        else:
            (root / name).write_text(text, encoding="utf-8")
    return root


def problems_of(root: Path) -> list[InputError]:
    """Every problem reading the economy at ``root`` reports."""
    with pytest.raises(InputError) as info:
        read_economy(root)
    err = info.value
    return err.problems if isinstance(err, ValidationError) else [err]


def only_problem(root: Path, check: str) -> InputError:
    """The one problem of the economy at ``root``, which must be ``check``."""
    found = problems_of(root)
    assert [p.check for p in found] == [check], [str(p) for p in found]
    return found[0]
