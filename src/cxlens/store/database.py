"""Opening the store, migrating it, and refusing a schema this code does not know.

The embedded default is one SQLite file in WAL mode with a busy timeout, so the web server,
a CLI import and a job worker can share it. PostgreSQL is the production store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from ..config import settings
from ..errors import SchemaOutOfDate, SchemaTooNew, StoreError
from .schema import TABLES

__all__ = ["Store", "open_store"]

MIGRATIONS = Path(__file__).parent / "migrations"


def sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Bulk writes update several indexes in random key order; SQLite's default 2 MB page
    # cache makes that disk-bound. 128 MB (allocated only as used) keeps imports CPU-bound.
    cur.execute("PRAGMA cache_size=-131072")
    cur.close()


class Store:
    """A handle on the system of record (one SQLAlchemy engine)."""

    def __init__(self, url: str | None = None):
        self.url = url or settings().database_url
        self._write_lock = threading.Lock()
        if self.url.startswith("sqlite"):
            self._ensure_sqlite_dir()
            self.engine = sa.create_engine(self.url)
            sa.event.listen(self.engine, "connect", sqlite_pragmas)
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True)

    def _ensure_sqlite_dir(self) -> None:
        path = sa.engine.make_url(self.url).database
        if path and path != ":memory:":
            folder = Path(path).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"Cannot create the data directory {folder} ({exc.strerror}); set CXLENS_DATA_DIR "
                    "or CXLENS_DATABASE_URL to a place you can write to."
                ) from exc

    def _unreachable(self, exc: sa.exc.OperationalError) -> StoreError:
        return StoreError(
            f"Cannot open the store {self!r}: {exc.orig}. Check CXLENS_DATABASE_URL "
            "and that the database server is running."
        )

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """A write transaction. On SQLite, one writer of this process at a time: a deferred
        transaction that read before another committed cannot upgrade to a write (SQLite
        answers "database is locked" at once, without waiting), and waiting here in turn is
        cheaper than SQLite's busy-sleep. Every writer of the process that reads before it
        writes (the survey pages, the answer rules after them) goes through here."""
        if self.dialect != "sqlite":
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()

    # -- schema version -------------------------------------------------------------------

    def _alembic_config(self, conn: sa.Connection) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        return cfg

    def head_revision(self) -> str:
        return ScriptDirectory(str(MIGRATIONS)).get_current_head()

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except sa.exc.OperationalError as exc:
            raise self._unreachable(exc) from exc

    def check_schema(self) -> None:
        """Raise unless the database is at exactly the schema this code was written for."""
        current, head = self.current_revision(), self.head_revision()
        if current == head:
            return
        known = {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
        where = self.engine.url.render_as_string(hide_password=True)
        if current is not None and current not in known:
            raise SchemaTooNew(
                f"The database {where} has schema version {current}, which is newer than this "
                f"cxlens knows (its newest is {head}). Upgrade cxlens (pip install -U cxlens) "
                "instead of using an older version on this database."
            )
        raise SchemaOutOfDate(
            f"The database {where} is at schema version {current or '(empty)'}, this cxlens "
            f"needs {head}. Run: cxlens db upgrade"
        )

    def upgrade(self, revision: str = "head") -> None:
        self._migrate(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        self._migrate(command.downgrade, revision)

    def _migrate(self, step, revision: str) -> None:
        self.current_revision()  # a clear error if the store cannot be reached
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                # Batch mode copies tables, which foreign keys would block; the pragma only
                # takes effect outside a transaction, so set it before and restore it after.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            try:
                with conn.begin():
                    step(self._alembic_config(conn), revision)
            except CommandError as exc:
                raise StoreError(
                    f"Cannot migrate {self!r} to {revision!r}: {exc}. `cxlens db current` shows where "
                    "it is; a revision this cxlens does not know means the database is newer than it."
                ) from exc
            finally:
                if self.dialect == "sqlite":
                    conn.rollback()  # ends a failed migration's transaction, if any
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()

    # -- what is in it ----------------------------------------------------------------------

    def row_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in TABLES.items()
            }


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open the store and make sure its schema is current.

    An empty database is migrated to the current schema when ``create`` is true (a first run
    needs no extra step); a database at an older or newer schema is refused with a message
    that says what to do.
    """
    store = Store(url)
    current = store.current_revision()
    if current is None and create:
        store.upgrade()
    store.check_schema()
    return store
