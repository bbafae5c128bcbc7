"""The library never imports the service: at module level nowhere, and not when imported."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "src" / "gosplan"


def module_level_imports(tree: ast.AST) -> list[str]:
    """Names imported outside any function body (class bodies, ifs and trys included)."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Import):
                names.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names.append(child.module)
            visit(child)

    visit(tree)
    return names


def test_scan_sees_module_level_imports() -> None:
    tree = ast.parse(
        "import gosplan_service\n"
        "if True:\n    from gosplan_service.app import create_app\n"
        "def f():\n    import gosplan_service.db\n"
    )
    assert module_level_imports(tree) == ["gosplan_service", "gosplan_service.app"]


def test_no_library_module_imports_the_service() -> None:
    files = sorted(LIBRARY.rglob("*.py"))
    assert len(files) > 20
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in module_level_imports(tree):
            if name.split(".")[0] == "gosplan_service":
                offenders.append(f"{path.relative_to(LIBRARY)}: {name}")
    assert offenders == []


def test_importing_the_library_and_its_cli_loads_no_service_module() -> None:
    code = (
        "import sys, gosplan, gosplan.cli, gosplan.cli.serve_cmd\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('gosplan_service', 'fastapi', 'sqlalchemy', 'alembic', 'uvicorn'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_router_is_listed() -> None:
    # a router module left out of api.ROUTERS would serve nothing, silently
    import importlib
    import pkgutil

    from fastapi import APIRouter

    import gosplan_service.api as api

    found = []
    for info in pkgutil.iter_modules(api.__path__):
        module = importlib.import_module(f"{api.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(info.name)
            assert router in api.ROUTERS, f"api.{info.name}.router is not in api.ROUTERS"
    assert len(found) >= 10
