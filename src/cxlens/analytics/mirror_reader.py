"""Reading the SQLite store for the DuckDB mirror (mirror.py): the reader processes and the SQL
that types what they read.

Rows are read with ADBC (``adbc_driver_sqlite``) into Arrow in a process of their own
(``Reader``): ADBC's copy of SQLite must not share a process with SQLAlchemy's
(``_sqlite_reader.py`` says why). Its driver infers each column's type from the first rows it
sees, so every column is cast in SQL to its schema type (``source_select``) and a first row of
typed placeholders (dropped again by ``read_rows``) fixes the inference.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ..errors import EngineError
from ..store import schema as s

__all__ = [
    "BATCH_ROWS",
    "PLACEHOLDER_ID",
    "Reader",
    "close_readers",
    "duck_select",
    "duck_type",
    "parse_timestamps",
    "quote",
    "read_rows",
    "scratch_folder",
    "source_select",
]

BATCH_ROWS = 65_536  # rows per Arrow batch from the ADBC driver
PLACEHOLDER_ID = -1  # the typed first row's id; no stored row has it (SQLite ids start at 1)


def duck_type(column: sa.Column) -> str:
    t = column.type
    if isinstance(t, s.UTCDateTime):
        return "TIMESTAMP"  # UTC, as the store keeps it
    if isinstance(t, sa.Boolean):
        return "BOOLEAN"
    if isinstance(t, sa.Float):
        return "DOUBLE"
    if isinstance(t, (sa.Integer, sa.BigInteger, sa.SmallInteger)):
        return "BIGINT"
    return "VARCHAR"  # text and JSON (kept as its text)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def source_select(table: sa.Table) -> str:
    """SELECT of ``table``'s columns, typed for the ADBC driver, led by the placeholder row.

    SQLite values carry their own types (a JSON column may hold 5 or '[5]'), so each column is
    cast to the one type its Arrow column will have: INTEGER (booleans too), REAL or TEXT
    (timestamps stay ISO text; DuckDB parses them on insert)."""
    placeholders, values = [], []
    for c in table.c:
        duck, q = duck_type(c), quote(c.name)
        if c.name == "id":
            placeholders.append(f"{PLACEHOLDER_ID} AS {q}")
            values.append(q)
        elif duck in ("BIGINT", "BOOLEAN"):
            placeholders.append(f"0 AS {q}")
            values.append(f"CAST({q} AS INTEGER)")
        elif duck == "DOUBLE":
            placeholders.append(f"0.0 AS {q}")
            values.append(f"CAST({q} AS REAL)")
        else:
            placeholders.append(f"'' AS {q}")
            values.append(f"CAST({q} AS TEXT)")
    return f"SELECT {', '.join(placeholders)} UNION ALL SELECT {', '.join(values)} FROM {quote(table.name)}"


def parse_timestamps(table: sa.Table, batch: pa.Table) -> pa.Table:
    """Timestamps parsed by Arrow, four times cheaper than DuckDB's cast on insert; text that
    Arrow does not take (an offset, say) stays text, and DuckDB's cast gets it."""
    for i, c in enumerate(table.c):
        if isinstance(c.type, s.UTCDateTime):
            try:
                batch = batch.set_column(i, c.name, pc.cast(batch.column(i), pa.timestamp("us")))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue  # kept as text on purpose: DuckDB's cast on insert parses what Arrow cannot
    return batch


def duck_select(table: sa.Table) -> str:
    """The columns of an Arrow batch from ``source_select``, as the mirror table stores them."""
    out = []
    for c in table.c:
        duck, q = duck_type(c), quote(c.name)
        out.append(f"CAST({q} AS {duck})" if duck in ("TIMESTAMP", "BOOLEAN") else q)
    return ", ".join(out)


class Reader:
    """A reading process (``_sqlite_reader.py``): ADBC's own copy of SQLite must not share a
    process with the one SQLAlchemy uses (see that module). One thread talks to it at a time."""

    SCRIPT = str(Path(__file__).with_name("_sqlite_reader.py"))

    def __init__(self, folder: str):
        self._proc = subprocess.Popen([sys.executable, self.SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._file = os.path.join(folder, f"rows-{self._proc.pid}.arrow")

    def alive(self) -> bool:
        return self._proc.poll() is None

    def _call(self, request: dict) -> bytes:
        try:
            self._proc.stdin.write((json.dumps(request) + "\n").encode())
            self._proc.stdin.flush()
            head = self._proc.stdout.read(9)
        except (BrokenPipeError, OSError):
            head = b""
        if len(head) < 9:
            raise EngineError(
                f"the mirror's SQLite reader (pid {self._proc.pid}) stopped (exit code "
                f"{self._proc.poll()}); the next sync starts a new one"
            )
        status, size = head[:1], struct.unpack(">Q", head[1:])[0]
        payload = self._proc.stdout.read(size)
        if status == b"E":
            raise EngineError(
                f"reading the store for the DuckDB mirror failed: {payload.decode()} "
                f"(request: {request.get('sql', request['op'])[:300]})"
            )
        return payload

    def begin(self, uri: str) -> None:
        self._call({"op": "begin", "uri": uri})

    def end(self) -> None:
        self._call({"op": "end"})

    def query(self, sql: str) -> pa.Table:
        self._call({"op": "query", "sql": sql, "batch_rows": BATCH_ROWS, "file": self._file})
        # Mapped, not copied; the mapping outlives the name, so the next query can reuse it.
        table = pa.ipc.open_stream(pa.memory_map(self._file)).read_all()
        os.unlink(self._file)
        return table

    def rows(self, sql: str) -> list[tuple]:
        table = self.query(sql)
        return list(zip(*(c.to_pylist() for c in table.columns))) if table.num_columns else []

    def close(self) -> None:
        try:
            self._proc.stdin.close()  # the reader ends at the end of its input
        except OSError:  # it had ended already
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self._proc.kill()
            self._proc.wait()
        self._proc.stdout.close()


def close_readers(readers: list[Reader], folder: str) -> None:
    for reader in readers:
        reader.close()
    readers.clear()
    shutil.rmtree(folder, ignore_errors=True)


def scratch_folder() -> str:
    """Where readers hand over rows: memory (/dev/shm) where there is one, else the temp dir."""
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    return tempfile.mkdtemp(prefix="cxlens-mirror-", dir=base)


def read_rows(src: Reader, table: sa.Table, where: list[str]) -> pa.Table:
    """The rows of ``table`` matching ``where``, as one typed Arrow table."""
    batch = src.query(f"{source_select(table)} WHERE {' AND '.join(where)}")
    if batch.num_rows == 0 or batch.column(0)[0].as_py() != PLACEHOLDER_ID:
        raise EngineError(f"reading {table.name}: the typed placeholder row did not come first")  # pragma: no cover
    return parse_timestamps(table, batch.slice(1))
