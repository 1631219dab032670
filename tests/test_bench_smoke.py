"""Every benchmark in bench/ still runs: each script at its tiny size, in a subprocess.

A benchmark is a script in bench/ (a ``*.py`` file with a ``__main__`` block; the modules it
imports, such as bench/timing.py, have none), found by glob, so a new one is smoke-run without
being listed here. Each gets ``--tiny`` (bench/README.md: the convention) and a database of its
own, copied from one migrated template on the server of the test settings and dropped after: it
never meets pytest's test database. The test fails when a script exits non-zero (an exception, a
failed sanity check), never on a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# A tiny run takes seconds; this only stops a hung script from hanging the suite.
TIMEOUT_S = 300


# Scripts whose tiny run needs more than a database (a real broker, servers of their own) and is
# run, with its figures checked, by a test of its own.
OWN_TEST = {"load_tellers.py": "tests/test_load_tellers.py"}


def bench_scripts() -> list[Path]:
    """The benchmark scripts: bench/*.py with a ``__main__`` block, less those with a test of their own."""
    return sorted(
        path
        for path in BENCH.glob("*.py")
        if 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")
        and path.name not in OWN_TEST
    )


def server_url(name: str) -> str:
    """A URL for database ``name`` on the server (and as the role) of the test settings."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgresql://{auth}{host}:{port}/{name}"


def admin(sql: str) -> None:
    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def environment(database: str) -> dict[str, str]:
    """The scripts' environment: the test settings (fast password hashing for the seeded staff),
    their own database."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    env["DATABASE_URL"] = server_url(database)
    env["MAMORI_BENCH_DATABASE_URL"] = server_url(database)
    env["CELERY_BROKER_URL"] = "memory://localhost/"  # no email leaves a smoke run
    return env


@pytest.fixture(scope="module")
def template() -> Iterator[str]:
    """A database migrated once, that each script's database is copied from."""
    name = f"mamori_smoke_{os.getpid()}_template"
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env=environment(name),
            check=True,
            timeout=TIMEOUT_S,
        )
        yield name
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_bench_directory_holds_the_benchmarks_the_readme_lists():
    names = {path.name for path in bench_scripts()}
    assert {"bench_assess.py", "bench_queue.py", "bench_reports.py", "bench_scan.py"} <= names
    assert "timing.py" not in names and "floor.py" not in names  # imported, not run
    for script, test in OWN_TEST.items():
        assert (BENCH / script).exists() and (ROOT / test).exists()
        assert f'"{script}"' in (ROOT / test).read_text(encoding="utf-8")


@pytest.mark.parametrize("script", bench_scripts(), ids=lambda path: path.stem)
def test_every_benchmark_runs_at_its_tiny_size_without_an_error(script: Path, template: str):
    database = f"mamori_smoke_{os.getpid()}_{script.stem}"
    admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    try:
        done = subprocess.run(
            [sys.executable, str(script), "--tiny"],
            cwd=ROOT,
            env=environment(database),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    finally:
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    assert done.returncode == 0, f"{script.name} --tiny failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"{script.name} --tiny printed no figures"
