"""Import speed: 1 million survey responses from CSV and Parquet into SQLite and PostgreSQL.

Each cxlens import (read, check every row, resolve customers/surveys, upsert by id) is timed
end to end on a fresh store and printed next to the floor measured in the same run: the same
rows, already resolved and in memory, written by the driver alone (sqlite3 ``executemany`` in
one transaction; PostgreSQL ``COPY`` via psycopg from CSV text prepared beforehand), in
the same (time) order cxlens writes them.

    .venv/bin/python bench/ingest.py                 # 1,000,000 rows, both databases
    .venv/bin/python bench/ingest.py --rows 200000 --backends sqlite

Goal: ≥ 200k rows/s on SQLite, ≥ 150k rows/s on PostgreSQL, within 2× of the floor.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlalchemy as sa

from cxlens.demo import JOURNEYS_FILE
from cxlens.ingest import import_file, import_table, load_journeys
from cxlens.store import Store, open_store
from cxlens.store.database import sqlite_pragmas

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SURVEYS = np.array(["relationship-nps", "support-csat", "checkout-ces", "delivery-csat"])
SCALE = {"relationship-nps": (0, 10), "support-csat": (1, 5), "checkout-ces": (1, 7), "delivery-csat": (1, 5)}
CUSTOMERS = 20_000


def make_files(rows: int, folder: Path, seed: int = 1) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    survey = rng.choice(SURVEYS, rows)
    low = np.vectorize(lambda s: SCALE[s][0])(survey)
    high = np.vectorize(lambda s: SCALE[s][1])(survey)
    score = rng.integers(low, high + 1)
    start = np.datetime64("2025-01-01T00:00:00", "us").astype(np.int64)
    submitted = (start + rng.integers(0, 365 * 86_400_000_000, rows)).astype("datetime64[us]")
    has_comment = rng.random(rows) < 0.35
    comments = np.array(
        ["Delivery was late again", "Great support, thank you!", "Checkout was easy", "Die App stürzt ab", "配送太慢了"]
    )
    table = pa.table(
        {
            "response_id": pa.array(np.char.add("r-", np.arange(rows).astype(str))),
            "survey": pa.array(survey),
            "customer": pa.array(np.char.add("c-", rng.integers(0, CUSTOMERS, rows).astype(str))),
            "submitted_at": pa.array(np.char.add(np.datetime_as_string(submitted, unit="s"), "Z")),
            "score": pa.array(score),
            "comment": pa.array(rng.choice(comments, rows), mask=~has_comment),
            "language": pa.array(np.where(has_comment, "en", None)),
        }
    )
    csv_path, pq_path = folder / "responses.csv", folder / "responses.parquet"
    pacsv.write_csv(table, csv_path)
    pq.write_table(table, pq_path)
    return csv_path, pq_path


def prepare(url: str) -> Store:
    store = open_store(url)
    load_journeys(store, JOURNEYS_FILE)
    ids = pa.array(np.char.add("c-", np.arange(CUSTOMERS).astype(str)))
    import_table(store, "customers", pa.table({"external_id": ids}))
    return store


def resolved_rows(store: Store, source: Path) -> pa.Table:
    """The rows as the store holds them (ids resolved), for the floor to write."""
    table = pq.read_table(source)
    with store.engine.connect() as conn:
        customers = dict(conn.execute(sa.text("SELECT external_id, id FROM customers")).all())
        surveys = {
            k: (i, m, tp)
            for k, i, m, tp in conn.execute(sa.text("SELECT key, id, metric, touchpoint_id FROM surveys")).all()
        }
    survey = table["survey"].to_pylist()
    rows = pa.table(
        {
            "external_id": table["response_id"],
            "survey_id": pa.array([surveys[s][0] for s in survey]),
            "customer_id": pa.array([customers[c] for c in table["customer"].to_pylist()]),
            "touchpoint_id": pa.array([surveys[s][2] for s in survey]),
            "submitted_at": pa.array(
                np.char.replace(np.char.replace(np.array(table["submitted_at"].to_pylist()), "T", " "), "Z", ".000000")
            ),
            "metric": pa.array([surveys[s][1] for s in survey]),
            "score": table["score"],
            "scale_min": pa.array([SCALE[s][0] for s in survey]),
            "scale_max": pa.array([SCALE[s][1] for s in survey]),
            "comment": table["comment"],
            "language": table["language"],
        }
    )
    # In time order, as cxlens writes them: the floor gets the same head start.
    return rows.sort_by("submitted_at")


def floor_sqlite(path: str, rows: pa.Table) -> float:
    cols = rows.column_names
    data = list(zip(*(rows.column(c).to_pylist() for c in cols)))
    conn = sqlite3.connect(path)
    sqlite_pragmas(conn, None)  # the same settings the store uses: a fair floor
    t0 = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO responses ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", data)
    seconds = time.perf_counter() - t0
    conn.close()
    return seconds


def floor_postgres(store: Store, rows: pa.Table) -> float:
    buf = io.BytesIO()
    pacsv.write_csv(rows, buf, pacsv.WriteOptions(include_header=False))
    payload = buf.getvalue()
    raw = store.engine.raw_connection()
    try:
        t0 = time.perf_counter()
        with raw.driver_connection.cursor() as cur:
            with cur.copy(f"COPY responses ({', '.join(rows.column_names)}) FROM STDIN WITH (FORMAT csv)") as copy:
                for start in range(0, len(payload), 1 << 20):
                    copy.write(payload[start : start + (1 << 20)])
        raw.driver_connection.commit()
        return time.perf_counter() - t0
    finally:
        raw.close()


class Databases:
    def __init__(self, folder: Path):
        self.folder = folder
        self.created: list[str] = []

    def fresh(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.folder / (uuid.uuid4().hex + '.db')}"
        name = f"cxlens_bench_{uuid.uuid4().hex[:8]}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return sa.engine.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
        engine.dispose()

    def drop_all(self) -> None:
        for name in self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path, pq_path = make_files(args.rows, folder)
        dbs = Databases(folder)
        lines = []
        try:
            for backend in args.backends.split(","):
                floor_store = prepare(dbs.fresh(backend))
                rows = resolved_rows(floor_store, pq_path)
                if backend == "sqlite":
                    floor = floor_sqlite(floor_store.engine.url.database, rows)
                else:
                    floor = floor_postgres(floor_store, rows)
                floor_store.dispose()
                floor_rate = args.rows / floor
                for fmt, path in (("csv", csv_path), ("parquet", pq_path)):
                    store = prepare(dbs.fresh(backend))
                    t0 = time.perf_counter()
                    result = import_file(store, "responses", path, mapping={"external_id": "response_id"})
                    seconds = time.perf_counter() - t0
                    assert result.inserted == args.rows, result.summary()
                    store.dispose()
                    rate = args.rows / seconds
                    lines.append((backend, fmt, args.rows, seconds, rate, floor_rate, floor_rate / rate))
                    print(f"{backend:10} {fmt:8} {rate:>12,.0f} rows/s  floor {floor_rate:>12,.0f} rows/s", flush=True)
        finally:
            dbs.drop_all()
    print()
    print("| store | format | rows | cxlens s | cxlens rows/s | floor rows/s | floor/cxlens |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for backend, fmt, n, seconds, rate, floor_rate, ratio in lines:
        print(f"| {backend} | {fmt} | {n:,} | {seconds:.2f} | {rate:,.0f} | {floor_rate:,.0f} | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
