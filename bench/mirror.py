"""Tier 0 sync speed: the first sync, a sync with nothing new, and syncs of new and updated rows.

    .venv/bin/python bench/mirror.py --responses 1000000           # a new demo in a temp dir
    .venv/bin/python bench/mirror.py --db /tmp/cx10m.db --new 1000000 --tickets 10000

``--db`` keeps the store (a demo is generated into it when it is empty) and puts it back as it
was afterwards, so the 10M-response demo (about 5 minutes to generate) is made once. Each sync
reports wall-clock and CPU seconds (this process's and its reading processes'): on a machine
shared with other work, CPU time shows the cost, wall-clock what the dashboard waits.

Goal: a sync of 1M new rows under a second; the first sync of 10M responses as fast
as it can be.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from cxlens.analytics.mirror import MIRRORED, Mirror
from cxlens.demo import generate_demo
from cxlens.store import open_store
from cxlens.store.schema import responses

COPIED = [c.name for c in responses.c if c.name not in ("id", "external_id", "invitation_id")]


def cpu_seconds(mirror: Mirror | None = None) -> dict[int, float]:
    """CPU time of this process (key 0) and of each of the mirror's reading processes, by pid
    (Linux: from /proc; readers end when idle and new ones start, so they are told apart)."""
    seconds = {0: time.process_time()}
    for reader in mirror._readers if mirror else []:
        try:
            fields = Path(f"/proc/{reader._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[reader._proc.pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):  # not Linux, or the reader has ended
            pass
    return seconds


def timed(step, mirror: Mirror | None = None):
    wall, cpu = time.perf_counter(), cpu_seconds(mirror)
    out = step()
    after = cpu_seconds(mirror)
    return out, time.perf_counter() - wall, sum(v - cpu.get(pid, 0.0) for pid, v in after.items())


def count(store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def add_responses(store, n: int) -> int:
    """Copy ``n`` existing answers as new rows (external and invitation ids left empty: unique)."""
    columns = ", ".join(COPIED)
    start = count(store, "responses")
    with store.begin() as conn:
        top = conn.execute(sa.text("SELECT max(id) FROM responses")).scalar_one()
        while (added := conn.execute(sa.text("SELECT count(*) FROM responses")).scalar_one() - start) < n:
            conn.execute(
                sa.text(
                    f"INSERT INTO responses ({columns}) SELECT {columns} FROM responses "
                    f"WHERE id <= :top ORDER BY id LIMIT :n"
                ),
                {"top": top, "n": n - added},
            )
    return top


def update_tickets(store, m: int) -> None:
    with store.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE tickets SET reopens = coalesce(reopens, 0) + 1, agent = 'bench' "
                "WHERE id IN (SELECT id FROM tickets ORDER BY random() LIMIT :m)"
            ),
            {"m": m},
        )


def check(store, mirror: Mirror) -> None:
    """The mirror holds what the store holds (row counts; the tickets' updated column)."""
    for name in MIRRORED:
        assert mirror.db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == count(store, name), name
    with store.engine.connect() as conn:
        reopens = conn.execute(sa.text("SELECT coalesce(sum(reopens), 0) FROM tickets")).scalar_one()
    assert mirror.db.execute("SELECT coalesce(sum(reopens), 0) FROM tickets").fetchone()[0] == reopens


def report(label: str, rows: int | None, wall: float, cpu: float) -> None:
    rate = f"{rows / wall:>12,.0f} rows/s" if rows else " " * 19
    print(f"{label:<44} {wall:>8.3f} s wall {cpu:>8.3f} s CPU  {rate}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="SQLite store file to use (a demo is generated into it when empty) and keep")
    parser.add_argument("--responses", type=int, default=1_000_000, help="demo size when one is generated")
    parser.add_argument("--customers", type=int, help="demo customers (default: responses / 100)")
    parser.add_argument(
        "--new", type=int, help="new responses per incremental sync (default: responses / 10, at most 1M)"
    )
    parser.add_argument("--tickets", type=int, default=10_000, help="tickets updated per incremental sync")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    scratch = None
    if args.db:
        path = Path(args.db)
    else:
        scratch = tempfile.TemporaryDirectory(prefix="cxlens-bench-")
        path = Path(scratch.name) / "cxlens.db"
    store = open_store(f"sqlite:///{path}")
    if count(store, "responses") == 0:
        customers = args.customers or max(1000, args.responses // 100)
        print(f"generating a demo with {args.responses:,} responses, {customers:,} customers into {path} ...")
        _, wall, _ = timed(lambda: generate_demo(store, customers=customers, responses=args.responses, seed=args.seed))
        print(f"  {wall:.0f} s")
    held = {name: count(store, name) for name in MIRRORED}
    new = args.new or min(1_000_000, max(1, held["responses"] // 10))
    print(
        f"store: {held['responses']:,} responses, {held['tickets']:,} tickets, {held['customers']:,} customers; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )

    mirror = Mirror(store)
    first, wall, cpu = timed(mirror.sync, mirror)
    report("first sync (everything)", sum(first.rows.values()), wall, cpu)
    check(store, mirror)
    noop = [timed(mirror.sync, mirror) for _ in range(3)]
    _, wall, cpu = min(noop, key=lambda r: r[1])
    report("sync with nothing new (best of 3)", None, wall, cpu)

    top = None
    try:
        (top, wall, _) = timed(lambda: add_responses(store, new))
        update_tickets(store, args.tickets)
        print(f"(store: {new:,} responses added and {args.tickets:,} tickets updated in {wall:.1f} s)")
        synced, wall, cpu = timed(mirror.sync, mirror)
        report(f"sync of {new:,} new rows + {args.tickets:,} updated tickets", sum(synced.rows.values()), wall, cpu)
        check(store, mirror)
        update_tickets(store, args.tickets)
        synced, wall, cpu = timed(mirror.sync, mirror)
        report(f"sync of {args.tickets:,} updated tickets", sum(synced.rows.values()), wall, cpu)
        check(store, mirror)
    finally:
        mirror.close()
        if args.db and top is not None:  # put the kept store back as it was (ticket edits aside)
            with store.begin() as conn:
                conn.execute(sa.text("DELETE FROM responses WHERE id > :top"), {"top": top})
                conn.execute(sa.text("DELETE FROM row_changes"))
        store.dispose()
        if scratch:
            scratch.cleanup()


if __name__ == "__main__":
    main()
