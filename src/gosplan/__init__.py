"""gosplan: plan an economy.

Material balances and input–output analysis (:class:`Economy`), optimal one-year and
multi-year plans with an exact diagnosis of infeasible targets (:func:`optimise`,
:func:`check_plan`), and reports.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from gosplan.core.economy import Economy, EconomyMeta
from gosplan.errors import GosplanError, InputError, SolverError, ValidationError

__version__ = "0.1.0"

_LAZY = {
    "read_economy": "gosplan.io",
    "write_economy": "gosplan.io",
    "generate_economy": "gosplan.generate",
    "read_spec": "gosplan.plan",
    "optimise": "gosplan.plan",
    "check_plan": "gosplan.plan",
}

__all__ = [
    "Economy",
    "EconomyMeta",
    "GosplanError",
    "InputError",
    "SolverError",
    "ValidationError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    """Import the heavier entry points on first use."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gosplan' has no attribute {name!r}")
