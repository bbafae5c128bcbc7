"""The value layer stands alone: no solver, plotting or command-line library, no upper layer."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import gosplan.core

CORE = Path(gosplan.core.__file__).parent
MODULES = sorted(f"gosplan.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")
FORBIDDEN = ("highspy", "matplotlib", "typer", "rich", "distributed", "dask")
#: Layers above the values; the core may use only gosplan.errors and the balance solvers.
UPPER = ("gosplan.plan", "gosplan.io", "gosplan.report", "gosplan.cli", "gosplan.run")
#: Conveniences of ``Economy`` that hand over to an adapter when called (never at import):
#: ``Economy.from_pymrio``, ``to_pymrio`` and ``align_products``.
DELEGATES = ("gosplan.io.pymrio_io",)


def test_importing_every_value_type_loads_no_solver_plot_or_cli_library() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES)
        + f"print([m for m in {FORBIDDEN!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def _imports(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module]
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    return []


def test_the_core_never_imports_an_upper_layer() -> None:
    offenders = []
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            for name in _imports(node):
                lazy_delegate = id(node) not in top and name in DELEGATES
                if name.startswith(UPPER) and not lazy_delegate:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
    assert len(MODULES) >= 8  # economy, spec, the results, status, provenance, serial...
