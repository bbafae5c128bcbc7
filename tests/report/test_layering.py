"""The report reads results only: it never imports the planner, the solver or the CLI.

Each check runs in a fresh interpreter, so that what the tests around it imported does not
hide an import the report makes.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import gosplan.report

from . import level_spec

#: Modules the report must not import (a name or its submodules).
FORBIDDEN = ("gosplan.plan", "gosplan.cli", "highspy", "typer", "rich")
REPORT = Path(gosplan.report.__file__).parent


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)


def _run(code: str) -> None:
    """Run ``code`` in a fresh interpreter, then fail naming any forbidden module it loaded."""
    check = (
        f"{code}\n"
        "import sys\n"
        f"forbidden = {FORBIDDEN!r}\n"
        "bad = sorted(m for m in sys.modules"
        " if any(m == f or m.startswith(f + '.') for f in forbidden))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def test_importing_the_report_imports_no_solver() -> None:
    _run(
        "import sys, gosplan.report\n"
        "assert 'highspy' not in sys.modules\n"
        "import gosplan.report.build, gosplan.report.figures, gosplan.report.html\n"
        "import gosplan.report.load, gosplan.report.tables"
    )


def test_the_report_of_a_plan_on_disk_imports_no_solver(tmp_path: Path) -> None:
    from gosplan.plan import optimise

    folder = optimise(level_spec()).write(tmp_path / "plan")
    _run(
        "from gosplan.report import report_from_path\n"
        f"out = report_from_path({str(folder)!r}, {str(tmp_path / 'plan.html')!r})\n"
        "assert out.read_text(encoding='utf-8').count('<h3') > 5"
    )


@pytest.mark.parametrize("path", sorted(REPORT.glob("*.py")), ids=lambda p: p.name)
def test_no_module_of_the_report_names_the_planner(path: Path) -> None:
    """Also the imports inside functions, which importing the package does not run."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    assert not [n for n in names if _forbidden(n)]
