"""The layout's own rules: the import contracts cover every module, and no module grows past 500
lines (migrations and data seeding aside) — a newcomer finds each part as one short file."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("incidents", "compensation", "accounts", "notifications", "webhooks", "config")
LONG_ALLOWED = ("migrations", "devdata")


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def compensation_parts() -> set[str]:
    folder = ROOT / "compensation"
    return {
        f"compensation.{path.stem if path.is_file() else path.name}"
        for path in folder.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }


def test_the_rules_engine_and_incidents_are_kept_from_every_other_part_of_compensation():
    others = compensation_parts() - {"compensation.rules"}
    for name in ("rules-pure", "incidents-not-compensation"):
        assert set(contracts()[name]["forbidden_modules"]) >= others, name


def test_the_layer_contracts_are_exhaustive_over_their_packages():
    for name in ("incidents-layers", "compensation-layers"):
        assert contracts()[name]["exhaustive"] is True


def test_every_installed_app_of_ours_is_kept_from_the_configuration():
    from django.conf import settings

    ours = {
        app.split(".")[0]
        for app in settings.INSTALLED_APPS
        if (ROOT / app.split(".")[0] / "apps.py").exists()
    } - {"config"}
    assert ours and set(contracts()["apps-not-config"]["source_modules"]) >= ours


def test_no_module_is_longer_than_500_lines_outside_migrations_and_seeding():
    long = [
        f"{path.relative_to(ROOT)}: {lines}"
        for app in (*APPS, "tests", "bench", "scripts")
        for path in (ROOT / app).rglob("*.py")
        if not set(path.relative_to(ROOT).parts) & set(LONG_ALLOWED)
        and (lines := len(path.read_text().splitlines())) > 500
    ]
    assert long == []
