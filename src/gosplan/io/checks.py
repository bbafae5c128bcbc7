"""Named validation checks (placeholder until the io module lands)."""

from __future__ import annotations

from typing import Any


def validate_economy(economy: Any) -> None:
    """Run the named checks on an economy."""
