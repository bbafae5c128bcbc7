"""Fixtures shared across the test folders."""

from __future__ import annotations

import pytest

from gosplan import Economy
from gosplan.datasets import load


@pytest.fixture(scope="module")
def io():
    """pymrio's bundled test system with every account computed (one per test module)."""
    import pymrio

    system = pymrio.load_test()
    system.calc_all()
    return system


@pytest.fixture
def miller_blair() -> Economy:
    """Miller & Blair's two-sector economy (2009, ch. 2, Table 2.3), with no labour."""
    return load("miller-blair-2x2")
