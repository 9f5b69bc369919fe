"""A process that reads the SQLite store with ADBC for the DuckDB mirror (run as a script).

Why a process of its own: the ADBC driver carries its own copy of SQLite, and two copies of
SQLite in one process corrupt databases. SQLite's locks are POSIX advisory locks, which a
process loses on *every* descriptor of a file as soon as it closes *any* one of them; one copy
of SQLite works around that, two copies do not know about each other (sqlite.org, "How To
Corrupt An SQLite Database File", 2.2). Measured here: closing an ADBC connection while
SQLAlchemy's connections were open crashed the process (SIGBUS on the WAL index). So the
mirror's process keeps Python's sqlite3 (SQLAlchemy) and this one keeps ADBC.

It imports only the standard library, pyarrow and the ADBC driver (run by path, not as part of
the cxlens package, so that it starts in a fraction of a second).

Protocol, on stdin and stdout: one JSON request per line; each answer is one status byte
(``K`` done, ``F`` done and the Arrow IPC stream is in the file asked for, ``E`` an error
message follows), an 8-byte big-endian length and that many bytes.

* ``{"op": "begin", "uri": URI}`` opens a read-only connection whose reads share one snapshot;
* ``{"op": "query", "sql": SQL, "batch_rows": N, "file": PATH}`` runs SQL on it and writes
  the rows to PATH as an Arrow IPC stream;
* ``{"op": "end"}`` closes it.
"""

from __future__ import annotations

import json
import select
import struct
import sys


def _answer(out, status: bytes, payload) -> None:
    out.write(status + struct.pack(">Q", len(payload)))
    out.write(payload)
    out.flush()


IDLE_SECONDS = 600  # a reader nobody asked anything for this long ends; the mirror starts another


def _requests(stream):
    """Request lines, until the mirror closes the pipe or stays silent for IDLE_SECONDS (tests
    and one-off commands that drop a mirror without closing it leave no process behind)."""
    while select.select([stream], [], [], IDLE_SECONDS)[0]:
        line = stream.readline()  # one request at a time: the mirror waits for each answer
        if not line:
            return
        yield line


def serve(requests, out) -> None:
    import adbc_driver_sqlite.dbapi
    import pyarrow as pa

    conn = None
    for line in requests:
        try:
            request = json.loads(line)
            op = request["op"]
            if op == "begin":
                if conn is not None:
                    conn.close()
                conn = adbc_driver_sqlite.dbapi.connect(request["uri"])  # autocommit off: a snapshot
                _answer(out, b"K", b"")
            elif op == "end":
                if conn is not None:
                    conn.close()
                    conn = None
                _answer(out, b"K", b"")
            elif op == "query":
                with conn.cursor() as cur:
                    cur.adbc_statement.set_options(
                        **{"adbc.sqlite.query.batch_rows": str(request.get("batch_rows", 65536))}
                    )
                    cur.execute(request["sql"])
                    table = cur.fetch_arrow_table()
                # Into a file (in memory: /dev/shm) that the mirror maps, rather than through the
                # pipe: 64 KiB at a time, a busy machine made that pipe several times slower.
                with pa.OSFile(request["file"], "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
                    writer.write_table(table)
                _answer(out, b"F", b"")
            else:
                raise ValueError(f"unknown request {op!r}")
        except Exception as exc:  # the mirror raises it, with the SQL that failed
            _answer(out, b"E", f"{type(exc).__name__}: {exc}".encode())
    if conn is not None:
        conn.close()


if __name__ == "__main__":
    serve(_requests(sys.stdin.buffer), sys.stdout.buffer)
