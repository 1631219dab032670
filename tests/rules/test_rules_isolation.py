"""The rules engine stays plain Python: no Django, none of the project's own packages."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .support import REPO_ROOT

RULES_DIR = REPO_ROOT / "compensation" / "rules"
FORBIDDEN_ROOTS = {"django", "incidents", "notifications", "config", "compensation", "tests"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (absolute names; relative imports as written with dots)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." * node.level + (node.module or "")))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", ""))
            in {"__import__", "import_module"}
        ):
            found.append((node.lineno, "<dynamic import>"))
    return found


def test_the_rules_package_imports_neither_django_nor_our_own_packages() -> None:
    files = sorted(RULES_DIR.glob("*.py"))
    assert files, "compensation/rules has no Python files"
    offending = []
    for path in files:
        for line, module in imported_modules(path):
            if module == "<dynamic import>":
                offending.append(f"{path.name}:{line}: dynamic import")
            elif module.startswith(".."):
                offending.append(f"{path.name}:{line}: {module} reaches outside compensation.rules")
            elif module.startswith("."):
                continue
            elif module.split(".")[0] in FORBIDDEN_ROOTS and not module.startswith(
                "compensation.rules"
            ):
                offending.append(f"{path.name}:{line}: {module}")
    assert offending == []


def test_importing_the_rules_loads_no_django_module() -> None:
    code = (
        "import sys, compensation.rules as r; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'incidents', 'notifications', 'config'}); "
        "print(','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
