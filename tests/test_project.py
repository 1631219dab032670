"""The project as shipped: compose file, no CDN, standing alone, migrations in step with models."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def settings_source() -> str:
    return "\n".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))


def test_compose_runs_postgres_redis_web_worker_and_beat_from_the_settings_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    source = settings_source()
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        for variable in env:
            if variable != "DJANGO_SETTINGS_MODULE":
                assert re.search(rf'env(\.\w+)?\(\s*"{variable}"', source), variable
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in services["web"]["environment"]["DATABASE_URL"]
    assert services["web"]["environment"]["REDIS_URL"].startswith("redis://redis:6379")


def test_nothing_is_loaded_from_a_cdn_or_the_internet():
    offenders = []
    for path in [
        *(ROOT / "templates").rglob("*.html"),
        *(ROOT / "static" / "css").rglob("*.css"),
        *(ROOT / "static" / "js").rglob("*.js"),
    ]:
        for url in re.findall(r'(?:src|href)\s*=\s*["\'](https?://[^"\']+)', path.read_text()):
            offenders.append((path.name, url))
    assert offenders == []


def test_vendored_assets_carry_their_licences():
    for package in ("bootstrap", "bootstrap-icons"):
        assert (ROOT / "static" / "vendor" / package / "LICENSE").is_file()


def test_the_project_reads_nothing_from_outside_its_tree():
    hits = []
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "var", "node_modules"} for part in path.parts):
            continue
        if "shared/" in path.read_text() and path.name != "test_project.py":
            hits.append(str(path.relative_to(ROOT)))
    assert hits == []


@pytest.mark.django_db
def test_migrations_are_in_step_with_the_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
