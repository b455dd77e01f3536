"""The layers stay layers: a capability below never imports the services of one above it
(risks sits below hazards), so that policies both read live on the ground floor."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "anjian"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
    return out


def test_given_the_risks_app_then_it_never_imports_the_hazard_services():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "risks").rglob("*.py")
        if "migrations" not in path.parts
        and any(m.startswith("anjian.hazards.services") for m in imported_modules(path))
    ]
    assert offenders == []


def test_given_the_recurrence_window_then_one_policy_read_by_both():
    from anjian.core import policy
    from anjian.hazards import services

    assert services.recurrence_days is policy.recurrence_days


def test_given_the_hazards_app_then_its_pages_live_in_the_views_package():
    app = ROOT / "hazards"
    scattered = sorted(
        path.name
        for path in app.glob("*.py")
        if path.name.endswith(("_views.py", "_urls.py")) or path.name == "views.py"
    )
    assert scattered == []
    assert (app / "views" / "__init__.py").is_file()
    assert (app / "urls.py").is_file()
