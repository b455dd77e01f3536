"""The ground floor (core, and accounts below it) imports no capability: capabilities
build on it, and the home page that gathers them lives above them (anjian.dashboard)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "anjian"
GROUND = {"anjian.core", "anjian.accounts"}
# Scoping is jurisdiction scoping: it walks the registry's division tree and enterprises
# (DESIGN.md puts it in core). Its imports of the registry's models are the one exception.
ALLOWED = {("scoping.py", "anjian.registry.models"), ("scoping.py", "anjian.registry")}


def imports_of(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
    return modules


def above_ground(path: Path) -> set[str]:
    return {
        module
        for module in imports_of(path)
        if module.startswith("anjian.")
        and not any(module == g or module.startswith(g + ".") for g in GROUND)
        and (path.name, module) not in ALLOWED
    }


def test_given_the_core_app_then_it_imports_no_capability_above_it():
    offenders = {
        str(path.relative_to(ROOT)): sorted(above_ground(path))
        for path in (ROOT / "core").rglob("*.py")
        if "migrations" not in path.parts and above_ground(path)
    }
    assert offenders == {}


def test_given_any_capability_then_none_imports_the_dashboard():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "dashboard" not in path.parts
        and any(m.startswith("anjian.dashboard") for m in imports_of(path))
    ]
    assert offenders == []
