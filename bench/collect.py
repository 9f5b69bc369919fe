"""Survey submissions over HTTP: sustained answers to invitation links, SQLite and PostgreSQL.

A cxlens server (uvicorn, one process, as `cxlens serve` runs it) answers on loopback; this
process is the load generator: CONCURRENCY keep-alive connections, each posting the survey
form (score and comment) for its own invitations, one after the other, as fast as answers
come. Every request is timed. Printed next to it, measured in the same run on the same
database: the floor, the same number of single-row INSERT transactions into `responses`
straight through the driver (sqlite3 / psycopg). Afterwards the rows in the database are
counted: they must equal the 2xx answers (nothing lost).

    .venv/bin/python bench/collect.py                          # 20,000 answers, both databases
    .venv/bin/python bench/collect.py --requests 5000 --backends sqlite
    .venv/bin/python bench/collect.py --backends sqlite --answer-rules --rate 300   # steady load, rules on and off

With --answer-rules each store runs twice, without and with ANSWER_RULES: the answers are
acknowledged first and the rules act just after, in the server's checker thread; "rules lag"
is how long after the last answer the queue was empty.

Goals: on 2 cores, embedded SQLite, >= 1,000 responses/s with p99 < 100 ms; answer rules add
at most 5 ms to the p99.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from cxlens.collect import InvitationClaim, Signer, load_surveys
from cxlens.demo import JOURNEYS_FILE
from cxlens.ingest import load_journeys
from cxlens.store import open_store
from cxlens.store import schema as s

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SURVEY = """
surveys:
  - key: bench-csat
    name: Support satisfaction
    metric: csat
    touchpoint: support-chat
    languages: [en, fi]
"""
COMMENTS = ["Quick and friendly", "Took too long", "Solved at once, thanks!", "Ei auttanut", "Sehr gut"]
# With --answer-rules: every answer is checked against these as it is stored; a score of 1 (a
# fifth of the answers) opens a case, so the write path does the whole work of a rule that fires.
ANSWER_RULES = {
    "rules": [
        {"name": "lowest-score", "kind": "answer", "score_at_most": 1, "open_case": True, "priority": "high"},
        {"name": "urgent-words", "kind": "answer", "words": "urgent", "open_case": True},
        {"name": "negative-and-low", "kind": "answer", "sentiment": "negative", "score_at_most": 2, "match": "all"},
    ]
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the server process ---------------------------------------------------------------------


def serve(port: int, workers: int) -> None:
    """As `cxlens serve` runs it (one process), or with several uvicorn worker processes."""
    import uvicorn

    uvicorn.run(
        "cxlens.web.app:create_app",
        factory=True,
        workers=workers,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )


# -- set-up ---------------------------------------------------------------------------------


def prepare(url: str, count: int, secret: bytes, folder: Path, rules: bool = False) -> list[str]:
    """A store with the demo journeys, one survey, COUNT customers and invitations; their tokens.
    With ``rules``, the :data:`ANSWER_RULES` too."""
    store = open_store(url)
    load_journeys(store, JOURNEYS_FILE)
    if rules:
        from cxlens.alerts.rules import parse_alerts, store_alerts

        with store.begin() as conn:
            store_alerts(conn, parse_alerts(ANSWER_RULES, "bench/collect.py"))
    (folder / "survey.yaml").write_text(SURVEY)
    load_surveys(store, folder / "survey.yaml")
    now = datetime.now(timezone.utc)
    with store.begin() as conn:
        survey_id = conn.execute(sa.select(s.surveys.c.id).where(s.surveys.c.key == "bench-csat")).scalar_one()
        conn.execute(
            s.customers.insert(),
            [
                {"external_id": f"c-{n}", "email": f"c{n}@example.com", "locale": "fi" if n % 3 == 0 else "en"}
                for n in range(count)
            ],
        )
        ids = dict(conn.execute(sa.select(s.customers.c.external_id, s.customers.c.id)).all())
        nonces = [secrets.token_urlsafe(12) for _ in range(count)]
        conn.execute(
            s.invitations.insert(),
            [
                {
                    "survey_id": survey_id,
                    "customer_id": ids[f"c-{n}"],
                    "channel": "email",
                    "due_at": now,
                    "sent_at": now,
                    "status": "sent",
                    "token_nonce": nonces[n],
                    "created_at": now,
                }
                for n in range(count)
            ],
        )
        rows = conn.execute(
            sa.select(s.invitations.c.id, s.invitations.c.customer_id, s.invitations.c.token_nonce).order_by(
                s.invitations.c.id
            )
        ).all()
    store.dispose()
    signer, expires = Signer(secret), now + timedelta(days=30)
    return [InvitationClaim(r.id, survey_id, r.customer_id, expires, r.token_nonce).token(signer) for r in rows]


# -- the load generator --------------------------------------------------------------------


async def client(
    port: int, tokens: list[str], latencies: list[float], statuses: list[int], rng, schedule: tuple | None = None
) -> None:
    """Post one answer per token, each after the previous one's reply; with ``schedule``
    (first send time, seconds between sends), at that pace, timed from when each was due (so a
    server that falls behind is charged for the wait: no coordinated omission)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for k, token in enumerate(tokens):
        due = None
        if schedule is not None:
            due = schedule[0] + k * schedule[1]
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        body = f"step=2&score={rng.integers(1, 6)}&q.comment={COMMENTS[rng.integers(0, len(COMMENTS))].replace(' ', '+')}".encode()
        request = (
            f"POST /s/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        start = time.perf_counter()
        writer.write(request)
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - (start if due is None else min(start, due)))
        statuses.append(int(status_line.split()[1]))
    writer.close()


async def load(
    port: int, tokens: list[str], concurrency: int, rate: float | None = None
) -> tuple[float, list[float], list[int]]:
    """All the answers over ``concurrency`` connections: as fast as they are taken, or at a
    steady ``rate`` per second in total (the connections' sends evenly interleaved)."""
    latencies: list[float] = []
    statuses: list[int] = []
    rng = np.random.default_rng(1)
    shares = [tokens[i::concurrency] for i in range(concurrency)]
    start = time.perf_counter()
    gap = concurrency / rate if rate else None

    def schedule(i: int) -> tuple | None:
        return (start + 0.05 + i / rate, gap) if rate else None

    await asyncio.gather(
        *(client(port, share, latencies, statuses, rng, schedule(i)) for i, share in enumerate(shares))
    )
    return time.perf_counter() - start, latencies, statuses


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), to report CPU per answer:
    unlike answers/s, it does not depend on what else the machine is running."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_seconds(pid: int) -> float:
    """CPU seconds of the server process and its worker processes."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return cpu_seconds(pid) + sum(cpu_seconds(k) for k in kids)


def wait_for(port: int, process: subprocess.Popen) -> None:
    import urllib.request

    for _ in range(1200):  # worker processes start slowly on a busy machine
        if process.poll() is not None:
            raise RuntimeError("the server exited; run it alone to see why")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer /health")


# -- the floor --------------------------------------------------------------------------------


def floor(url: str, count: int) -> float:
    """COUNT single-row INSERT transactions into responses, straight through the driver."""
    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    sql = (
        "INSERT INTO responses (survey_id, customer_id, channel, submitted_at, metric, score, scale_min, scale_max,"
        " comment, language) VALUES (1, 1, 'email', {p}, 'csat', 4, 1, 5, 'Quick and friendly', 'en')"
    )
    if url.startswith("sqlite"):
        conn = sqlite3.connect(sa.engine.make_url(url).database, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        statement = sql.format(p="?")
        start = time.perf_counter()
        for _ in range(count):
            conn.execute("BEGIN")
            conn.execute(statement, (now,))
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return count / elapsed
    import psycopg

    dsn = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=False) as conn:
        statement = sql.format(p="%s")
        start = time.perf_counter()
        for _ in range(count):
            conn.execute(statement, (datetime.now(timezone.utc),))
            conn.commit()
        return count / (time.perf_counter() - start)


def count_rows(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(s.TABLES[table])).scalar_one()
    engine.dispose()
    return n


def drained_after(url: str, limit: float = 120.0) -> float:
    """Seconds from the end of the load until the answer queue is empty (the answer rules have
    acted on every answer acknowledged)."""
    start = time.perf_counter()
    while count_rows(url, "answer_queue") and time.perf_counter() - start < limit:
        time.sleep(0.01)
    return time.perf_counter() - start


def stored(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count()).select_from(s.responses).where(s.responses.c.invitation_id.is_not(None))
        ).scalar_one()
    engine.dispose()
    return n


# -- one backend ------------------------------------------------------------------------------


def run(
    backend: str,
    requests: int,
    concurrency: int,
    warmup: int,
    workers: int = 1,
    rules: bool = False,
    rate: float | None = None,
) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="cxlens-bench-collect-"))
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'cxlens.db'}"
    else:
        pg_name = f"cxlens_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{pg_name}"')
        url = sa.engine.make_url(PG_ADMIN).set(database=pg_name).render_as_string(hide_password=False)
    secret = secrets.token_urlsafe(32).encode()
    try:
        tokens = prepare(url, requests + warmup, secret, folder, rules)
        port = free_port()
        # Alerting's worker and answer checker run in the server, as `cxlens serve` runs them:
        # answers are acknowledged first, the rules act just after (their lag is measured).
        env = {
            **os.environ,
            "CXLENS_DATABASE_URL": url,
            "CXLENS_SECRET_KEY": secret.decode(),
            "CXLENS_DATA_DIR": str(folder),
            "CXLENS_ALERT_WORKER": os.environ.get("CXLENS_ALERT_WORKER", "1"),
        }
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--workers", str(workers)], env=env)
        try:
            wait_for(port, server)
            asyncio.run(load(port, tokens[:warmup], concurrency))  # warm caches and the connection pool
            server_cpu, own_cpu = server_seconds(server.pid), time.process_time()
            elapsed, latencies, statuses = asyncio.run(load(port, tokens[warmup:], concurrency, rate))
            lag = drained_after(url)  # the rules' checker catches up with the last answers
            server_cpu, own_cpu = server_seconds(server.pid) - server_cpu, time.process_time() - own_cpu
        finally:
            server.terminate()
            server.wait(30)
        ok = sum(200 <= st < 300 for st in statuses)
        rows = stored(url) - sum(1 for _ in tokens[:warmup])
        lat = np.array(latencies) * 1000
        result = {
            "backend": backend,
            "requests": len(statuses),
            "ok": ok,
            "rows": rows,
            "rate": len(statuses) / elapsed,
            "p50": float(np.percentile(lat, 50)),
            "p99": float(np.percentile(lat, 99)),
            "floor": floor(url, requests),
            "server_ms": server_cpu * 1000 / len(statuses),
            "client_ms": own_cpu * 1000 / len(statuses),
            "rules": rules,
            "cases": count_rows(url, "cases"),
            "lag": lag,
        }
        return result
    finally:
        if pg_name:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1, as cxlens serve)")
    parser.add_argument(
        "--answer-rules",
        action="store_true",
        help="run each store twice in this run: without answer rules, then with ANSWER_RULES",
    )
    parser.add_argument(
        "--rate",
        type=float,
        help="answers per second offered in total, steadily (default: as fast as the server takes them)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.workers)
        return
    print(
        f"{args.requests:,} survey answers over HTTP, {args.concurrency} connections, {args.workers} server process(es), "
        f"{f'offered at {args.rate:,.0f}/s' if args.rate else 'as fast as taken'}, "
        f"{os.cpu_count()} cores, "
        f"load average before: {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'store':<11} {'rules':<6} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'floor/s':>9} {'2xx':>7} {'rows':>7}"
        "  nothing lost  server CPU/answer  generator CPU/answer  cases  rules lag s"
    )
    for backend in args.backends.split(","):
        for rules in (False, True) if args.answer_rules else (False,):
            r = run(backend, args.requests, args.concurrency, args.warmup, args.workers, rules, args.rate)
            print(
                f"{r['backend']:<11} {'on' if rules else 'off':<6} {r['rate']:>10,.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
                f"{r['floor']:>9,.0f} {r['ok']:>7,} {r['rows']:>7,}  {'yes' if r['ok'] == r['rows'] == r['requests'] else 'NO':<12}"
                f"  {r['server_ms']:>8.2f} ms {r['client_ms']:>17.2f} ms  {r['cases']:>6,}  {r['lag']:>10.2f}"
                f"  (load {os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    main()
