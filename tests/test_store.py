"""The store: migrations up and down, schema checks, configuration."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from cxlens.config import settings
from cxlens.errors import ConfigError, SchemaOutOfDate, SchemaTooNew, StoreError
from cxlens.store import Store, open_store
from cxlens.store.schema import TABLES, metadata

ENTITIES = [
    "customers",
    "journeys",
    "stages",
    "touchpoints",
    "touchpoint_targets",
    "events",
    "surveys",
    "invitations",
    "responses",
    "tickets",
    "mentions",
    "feature_requests",
    "revenue",
    "cases",
    "alert_rules",
    "alerts",
    "users",
    "api_keys",
]


def test_every_entity_has_a_table():
    assert set(ENTITIES) <= set(TABLES)


def test_migrations_match_the_tables(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_upgrade_and_downgrade(empty_url):
    store = Store(empty_url)
    assert store.current_revision() is None
    store.upgrade()
    assert store.current_revision() == store.head_revision()
    with store.engine.connect() as conn:
        assert set(TABLES) <= set(sa.inspect(conn).get_table_names())
    store.downgrade("base")
    assert store.current_revision() is None
    with store.engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    store.upgrade()
    assert store.current_revision() == store.head_revision()
    store.dispose()


def test_open_store_creates_an_empty_database(empty_url):
    store = open_store(empty_url)
    assert store.current_revision() == store.head_revision()
    store.dispose()


def test_refuses_a_schema_newer_than_the_code(store):
    with store.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaTooNew, match="newer than this cxlens knows"):
        open_store(store.url)


def test_refuses_an_out_of_date_schema_and_says_what_to_do(empty_url):
    store = Store(empty_url)
    store.upgrade()
    store.downgrade("base")
    store.dispose()
    with pytest.raises(SchemaOutOfDate, match="cxlens db upgrade"):
        open_store(empty_url, create=False)


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(StoreError, match="CXLENS_DATABASE_URL"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose()


def test_settings_default_to_sqlite_in_the_data_dir(tmp_path):
    s = settings({"CXLENS_DATA_DIR": str(tmp_path / "d")})
    assert s.is_embedded
    assert s.database_url == f"sqlite:///{(tmp_path / 'd' / 'cxlens.db').resolve()}"


def test_settings_take_a_postgres_url_and_refuse_others():
    s = settings({"CXLENS_DATABASE_URL": "postgresql://u@h/db"})
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert not s.is_embedded
    with pytest.raises(ConfigError, match="mysql"):
        settings({"CXLENS_DATABASE_URL": "mysql://u@h/db"})


def test_timestamps_come_back_in_utc(store):
    from datetime import datetime, timedelta, timezone

    from cxlens.store.schema import customers

    helsinki = timezone(timedelta(hours=3))
    with store.begin() as conn:
        conn.execute(
            customers.insert().values(external_id="c1", signed_up_at=datetime(2024, 6, 1, 12, 0, tzinfo=helsinki))
        )
    with store.engine.connect() as conn:
        value = conn.execute(sa.select(customers.c.signed_up_at)).scalar_one()
    assert value == datetime(2024, 6, 1, 9, 0, tzinfo=timezone.utc)
    assert value.utcoffset() == timedelta(0)


def test_migrating_to_an_unknown_revision_is_a_clear_error(store):
    with pytest.raises(StoreError, match="Cannot migrate"):
        store.upgrade("not-a-revision")
    assert store.current_revision() == store.head_revision()


def test_db_commands_on_an_unreachable_database_say_what_to_check():
    store = Store("postgresql+psycopg://postgres@127.0.0.1:5432/cxlens_no_such_database")
    with pytest.raises(StoreError, match="Check CXLENS_DATABASE_URL"):
        store.current_revision()
    with pytest.raises(StoreError, match="Check CXLENS_DATABASE_URL"):
        store.upgrade()


def test_a_data_directory_that_cannot_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="Cannot create the data directory"):
        Store(f"sqlite:///{blocker}/sub/cxlens.db")
