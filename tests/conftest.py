"""Fixtures shared across the test folders."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def io():
    """pymrio's bundled test system with every account computed (one per test module)."""
    import pymrio

    system = pymrio.load_test()
    system.calc_all()
    return system
