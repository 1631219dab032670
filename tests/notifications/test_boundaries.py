"""Dependencies point one way: notifications knows nothing of cases or compensation."""

from __future__ import annotations

import ast
from pathlib import Path

import notifications

PACKAGE = Path(notifications.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_notifications_app_imports_neither_incidents_nor_compensation():
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        bad = {
            name
            for name in imported_modules(path)
            if name.split(".")[0] in {"incidents", "compensation"}
        }
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = bad
    assert offenders == {}
    assert (PACKAGE / "services.py").is_file()  # the walk did look at the app
