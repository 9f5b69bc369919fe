"""Imports read in chunks, staged, and (on SQLite) published in short batches: the server's
writes are never blocked for the whole import, readers of the KPI mirror never see half of
one, and an import killed half-way leaves nothing once it is undone."""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import count

from cxlens.errors import ImportRejected
from cxlens.ingest import import_file, importer, runs, undo_dead_runs

ROWS = 60


def _customers(path: Path, rows: int = ROWS, *, repeat: tuple[int, int] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "name", "email"])
        for n in range(rows):
            ident = repeat[0] if repeat and n == repeat[1] else n
            w.writerow([f"imp-{ident}", f"Customer {n}", f"c{n}@example.com"])
    return path


def _status(store) -> list[tuple[str, int]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT status, inserted FROM import_runs ORDER BY id"))]


def test_a_large_import_publishes_in_short_batches_others_write_between(store, tmp_path, monkeypatch):
    """A writer with a 0.2 s busy timeout commits between the batches; the KPI mirror shows
    none of the import until its last batch, then all of it."""
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL publishes in one statement: its writers do not wait on each other")
    from cxlens.analytics.mirror import Mirror

    monkeypatch.setattr(importer, "PUBLISH_ROWS", 10)
    monkeypatch.setattr(runs, "PUBLISH_SECONDS", 0)  # batches of exactly 10
    other = sa.create_engine(store.engine.url, connect_args={"timeout": 0.2})
    mirror = Mirror(store)
    side, mirrored, stored = [], [], []

    def progress(stage, done, total):
        if stage != "writing" or not 0 < done < total:
            return
        with other.begin() as conn:
            conn.execute(sa.text("INSERT INTO customers (external_id) VALUES (:id)"), {"id": f"side-{len(side)}"})
        side.append(done)
        if len(side) == 1:
            mirror.sync()
            mirrored.append(mirror.db.execute("SELECT count(*) FROM customers").fetchone()[0])
        with other.connect() as conn:
            stored.append(
                conn.execute(sa.text("SELECT count(*) FROM customers WHERE external_id LIKE 'imp-%'")).scalar()
            )

    try:
        result = import_file(store, "customers", _customers(tmp_path / "c.csv"), progress=progress)
        assert result.inserted == ROWS
        assert len(side) == ROWS // 10 - 1  # a write between every two batches
        assert stored == [10, 20, 30, 40, 50]  # the store's own readers see batches land
        assert mirrored == [0]  # the mirror holds a publishing run's rows back
        mirror.sync()
        assert mirror.db.execute("SELECT count(*) FROM customers").fetchone()[0] == ROWS + len(side)
        assert _status(store) == [("done", ROWS)]
        assert count(store, "import_batches") == 0
    finally:
        mirror.close()
        other.dispose()


KILLER = """
import os, signal, sys
from cxlens.ingest import import_file, importer, runs
from cxlens.store import open_store

importer.PUBLISH_ROWS = 10
runs.PUBLISH_SECONDS = 0

def progress(stage, done, total):
    # SQLite: killed after its second batch; PostgreSQL: just before it publishes.
    if stage == "writing" and (done >= 20 or (done == 0 and total)):
        os.kill(os.getpid(), signal.SIGKILL)

import_file(open_store(sys.argv[1]), "customers", sys.argv[2], progress=progress)
"""


def test_an_import_killed_while_publishing_leaves_nothing_once_undone(store, tmp_path):
    path = _customers(tmp_path / "c.csv")
    script = tmp_path / "killer.py"
    script.write_text(textwrap.dedent(KILLER))
    url = store.engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, str(script), url, str(path)], capture_output=True, timeout=120)
    assert done.returncode == -9, done.stderr.decode()
    if store.dialect == "sqlite":
        assert count(store, "customers") == 20  # two batches were in when it died
        assert _status(store) == [("publishing", 20)]
        undone = undo_dead_runs(store)
        assert [u.removed for u in undone] == [20]
        assert _status(store) == [("undone", 0)]
    assert count(store, "customers") == 0
    assert undo_dead_runs(store) == []
    # The same file imports whole afterwards.
    assert import_file(store, "customers", path).inserted == ROWS
    assert count(store, "customers") == ROWS


def test_a_live_import_is_not_undone(store, tmp_path, monkeypatch):
    """Only a run whose process is gone is undone: here the publishing process is this one."""
    if store.dialect != "sqlite":
        pytest.skip("only SQLite publishes in batches")
    monkeypatch.setattr(importer, "PUBLISH_ROWS", 10)
    monkeypatch.setattr(runs, "PUBLISH_SECONDS", 0)  # batches of exactly 10
    undone = []

    def progress(stage, done, total):
        if stage == "writing" and done == 10:
            undone.extend(undo_dead_runs(store))

    assert import_file(store, "customers", _customers(tmp_path / "c.csv"), progress=progress).inserted == ROWS
    assert undone == []


def test_an_id_repeated_in_a_later_chunk_names_the_first_row(store, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 7)
    path = _customers(tmp_path / "c.csv", repeat=(3, 40))  # row 42 repeats row 5's id
    with pytest.raises(ImportRejected) as caught:
        import_file(store, "customers", path)
    (bad,) = caught.value.bad_rows
    assert (bad.row, bad.column, bad.value) == (42, "external_id", "imp-3")
    assert "repeats the id of row 5" in bad.problem
    assert count(store, "customers") == 0


def test_skipped_rows_of_every_chunk_reach_the_rejected_file(store, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 5)
    monkeypatch.setattr(importer, "PUBLISH_ROWS", 10)
    monkeypatch.setattr(runs, "PUBLISH_SECONDS", 0)  # batches of exactly 10
    path = tmp_path / "c.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "name", "signed_up_at"])
        for n in range(30):
            w.writerow([f"imp-{n}", f"C {n}", "someday" if n % 9 == 4 else "2026-01-01"])
    rejected = tmp_path / "rejected.csv"
    result = import_file(store, "customers", path, skip_bad_rows=True, rejected_file=rejected)
    assert (result.inserted, result.rejected) == (30 - 3, 3)
    with rejected.open() as f:
        rows = list(csv.DictReader(f))
    assert [r["row"] for r in rows] == ["6", "15", "24"]  # in the chunks of rows 2-6, 12-16, 22-26
    assert not (tmp_path / "rejected.csv.part").exists()
    assert count(store, "customers") == 27


def test_a_rejected_file_leaves_no_rows_and_no_rejected_file(store, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 5)
    path = _customers(tmp_path / "c.csv", repeat=(1, 20))
    with pytest.raises(ImportRejected):
        import_file(store, "customers", path, rejected_file=tmp_path / "r.csv")
    assert count(store, "customers") == 0
    assert not list(tmp_path.glob("r.csv*"))


def test_ids_follow_time_across_chunks_and_batches(mapped_store, tmp_path, monkeypatch):
    """Answers get ids in the order of their time (ties in the file's order), however the
    file is chunked and published."""
    monkeypatch.setattr(importer, "CHUNK_ROWS", 4)
    monkeypatch.setattr(importer, "PUBLISH_ROWS", 5)
    monkeypatch.setattr(runs, "PUBLISH_SECONDS", 0)
    path = tmp_path / "r.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "survey", "submitted_at", "score"])
        for n in range(23):
            w.writerow([f"r-{n}", "relationship-nps", f"2026-01-{28 - n // 2:02d}T10:00:00Z", n % 11])
    assert import_file(mapped_store, "responses", path).inserted == 23
    with mapped_store.engine.connect() as conn:
        order = [r[0] for r in conn.execute(sa.text("SELECT external_id FROM responses ORDER BY id"))]
    expected = sorted(range(23), key=lambda n: (28 - n // 2, n))
    assert order == [f"r-{n}" for n in expected]


def test_one_transaction_publishes_at_once(store, tmp_path, monkeypatch):
    """--one-transaction: no batches, no publishing state, the same rows."""
    monkeypatch.setattr(importer, "PUBLISH_ROWS", 10)
    seen = []

    def progress(stage, done, total):
        if stage == "writing" and 0 < done < total:
            seen.append(done)

    path = _customers(tmp_path / "c.csv")
    assert import_file(store, "customers", path, progress=progress, one_transaction=True).inserted == ROWS
    assert seen == [] and _status(store) == [("done", ROWS)] and count(store, "customers") == ROWS
