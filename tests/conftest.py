"""Fixtures: every test that touches the store runs on SQLite and on PostgreSQL.

PostgreSQL is the machine's server on 127.0.0.1:5432 (``CXLENS_TEST_PG_URL`` overrides the
admin URL). Each test gets its own database, cloned from a template migrated once per session,
and dropped afterwards; each SQLite test gets its own file, copied from a migrated one.
``CXLENS_TEST_BACKENDS=sqlite`` limits a local run to SQLite.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from cxlens.ingest import load_journeys
from cxlens.store import Store, open_store

# The web app runs alerting's worker in a thread; tests that want it set CXLENS_ALERT_WORKER=1.
os.environ.setdefault("CXLENS_ALERT_WORKER", "0")
# …and recomputes predictions when due; the tests of that call it themselves.
os.environ.setdefault("CXLENS_PREDICT_SCHEDULE", "0")
PG_ADMIN_URL = os.environ.get("CXLENS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b for b in os.environ.get("CXLENS_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
DEMO_JOURNEYS = Path(__file__).parents[1] / "src" / "cxlens" / "demo" / "journeys.yaml"
DATA = Path(__file__).parent / "data"
# Debian's chromium, driven by Playwright (never downloaded); the browser tests skip without it.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _pg_url(database: str) -> str:
    return sa.engine.make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def _pg_admin(sql: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_template():
    """A database migrated to head, cloned for each test (CREATE DATABASE … TEMPLATE)."""
    name = f"cxlens_tmpl_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    store = Store(_pg_url(name))
    store.upgrade()
    store.dispose()
    yield name
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "cxlens.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def empty_url(backend, tmp_path):
    """A URL to an empty database of the backend under test (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"cxlens_test_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store_url(backend, tmp_path, request):
    """A URL to a migrated, empty store of the backend under test."""
    if backend == "sqlite":
        path = tmp_path / "cxlens.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"cxlens_test_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _pg_url(name)
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    yield s
    s.dispose()


@pytest.fixture
def mapped_store(store):
    """A store holding the demo company's journeys, touchpoints and surveys."""
    load_journeys(store, DEMO_JOURNEYS)
    return store


@pytest.fixture
def collection(store, tmp_path):
    """Collection over the demo journeys with the collection tests' surveys and customers
    (``test_collect_fixtures.setup_collection``), on a manual clock."""
    from test_collect_fixtures import setup_collection

    return setup_collection(store, tmp_path)


@pytest.fixture
def client(collection):
    """An HTTP client of the web app serving ``collection``."""
    from fastapi.testclient import TestClient

    from cxlens.web import create_app

    app = create_app(collection.store)
    app.state.collection = collection
    return TestClient(app)


@pytest.fixture
def browser():
    """Chromium through Playwright, for the tests that drive pages."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def update_snapshot(path: Path, text: str) -> None:
    """Write ``text`` as the snapshot at ``path`` when ``CXLENS_UPDATE_SNAPSHOTS`` is set; otherwise
    fail if there is none yet, so that new output is looked at before it becomes the expectation."""
    if os.environ.get("CXLENS_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    elif not path.exists():
        pytest.fail(
            f"no snapshot {path}: check the output, then write it with CXLENS_UPDATE_SNAPSHOTS=1", pytrace=False
        )
