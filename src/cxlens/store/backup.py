"""Backups of the embedded store, and restoring one, while the app keeps running.

SQLite's online backup API copies the database page by page into another file, consistent at
one moment even while the server writes (it restarts the copy of pages changed meanwhile), so
``cxlens backup`` needs no downtime. Restoring copies a backup's pages back into the store the
same way, after checking that the file is a cxlens store at a schema this code knows.

PostgreSQL stores are backed up with PostgreSQL's own tools (README):
``pg_dump --format=custom --file cxlens.dump "$URL"`` and
``pg_restore --clean --if-exists --no-owner --dbname "$URL" cxlens.dump``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from ..errors import InputError, StoreError
from .database import Store

__all__ = ["PG_DUMP_HINT", "backup", "restore"]

PG_DUMP_HINT = (
    'this store is PostgreSQL: back it up with `pg_dump --format=custom --file cxlens.dump "$URL"` and restore '
    'with `pg_restore --clean --if-exists --no-owner --dbname "$URL" cxlens.dump` (README: Backups)'
)


def _sqlite_path(store: Store) -> str:
    if store.dialect != "sqlite":
        raise InputError(PG_DUMP_HINT)
    return sa.engine.make_url(store.url).database or ""


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # A few thousand pages per step lets the server write between steps.
    source.backup(target, pages=4096)


def backup(store: Store, path: Path) -> Path:
    """Write a consistent copy of the store to ``path`` (refused if the file exists)."""
    _sqlite_path(store)
    path = Path(path)
    if path.exists():
        raise InputError(f"{path} exists; choose a new file name (backups are never overwritten)")
    raw = store.engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        try:
            _copy(raw.driver_connection, target)
        finally:
            target.close()
    finally:
        raw.close()
    return path


def _check_backup(path: Path, store: Store) -> None:
    if not path.is_file():
        raise InputError(f"{path}: no such backup file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path} is not a cxlens backup ({exc})") from None
    head = store.head_revision()
    if version > head:
        raise StoreError(f"{path} is at schema {version}, newer than this cxlens ({head}); upgrade cxlens first")


def restore(store: Store, path: Path) -> str:
    """Replace the store's contents with the backup's; returns the backup's schema revision.
    A backup at an older schema is restored and then needs ``cxlens db upgrade``."""
    _sqlite_path(store)
    path = Path(path)
    _check_backup(path, store)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    raw = store.engine.raw_connection()
    try:
        _copy(source, raw.driver_connection)
    finally:
        raw.close()
        source.close()
    store.engine.dispose()  # pooled connections may hold the old schema's cache
    return store.current_revision() or ""
