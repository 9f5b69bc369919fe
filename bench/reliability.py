"""No stalls: `/health` and answer latency while a large CLI import writes to the same store.

A cxlens server (`cxlens serve`, one uvicorn process) runs on an embedded SQLite store; this
process starts `cxlens import responses FILE` on a generated file of ROWS answers and, while
it runs, polls `/health` and posts single answers to `POST /api/responses` (one connection
each, one request after another). Every request is timed; afterwards the answers the API
acknowledged are counted in the store (nothing may be lost) and the 5xx answers are listed.

    .venv/bin/python bench/reliability.py                      # 1,500,000 rows
    .venv/bin/python bench/reliability.py --rows 200000

Goal: `/health` and answer p99 < 250 ms during the import, zero 5xx, nothing lost. The
import's CPU time and peak resident memory are printed too (run it at two sizes to see that
memory does not grow with the file).
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx
import numpy as np
import sqlalchemy as sa

from cxlens.access import create_api_key
from cxlens.collect import load_surveys
from cxlens.demo import JOURNEYS_FILE
from cxlens.ingest import load_journeys
from cxlens.store import open_store
from cxlens.store import schema as s

SURVEY = """
surveys:
  - key: bench-csat
    name: Support satisfaction
    metric: csat
    touchpoint: support-chat
    languages: [en]
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_file(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "survey", "submitted_at", "score", "comment"])
        for n in range(rows):
            w.writerow([f"imp-{n}", "bench-csat", f"2026-0{1 + n % 9}-{1 + n % 28:02d}T10:00:00Z", 1 + n % 5, "ok"])


def _poll(url: str, stop: threading.Event, times: list, statuses: list, post: dict | None = None) -> None:
    with httpx.Client(timeout=120) as client:
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            if post is None:
                answer = client.get(url)
            else:
                body = {**post["body"], "external_id": f"api-{threading.get_ident()}-{n}"}
                answer = client.post(url, json=body, headers=post["headers"])
            times.append(time.perf_counter() - started)
            statuses.append(answer.status_code)
            n += 1
            time.sleep(0.02)


def _summary(name: str, times: list, statuses: list) -> str:
    ms = np.array(times) * 1000
    five = sum(1 for code in statuses if code >= 500)
    return (
        f"{name:<8} n={len(ms):>6}  p50={np.percentile(ms, 50):7.1f} ms  p99={np.percentile(ms, 99):7.1f} ms  "
        f"max={ms.max():8.1f} ms  5xx={five}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_500_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cxlens-reliability-"))
    url = f"sqlite:///{work / 'cxlens.db'}"
    store = open_store(url)
    load_journeys(store, JOURNEYS_FILE)
    (work / "surveys.yaml").write_text(SURVEY, encoding="utf-8")
    load_surveys(store, work / "surveys.yaml")
    key = create_api_key(store, "bench", ["responses:write"])
    data = work / "answers.csv"
    _write_file(data, args.rows)
    env = {**os.environ, "CXLENS_DATABASE_URL": url, "CXLENS_DATA_DIR": str(work), "CXLENS_ALERT_WORKER": "0"}
    port = _port()
    cli = [sys.executable, "-c", "from cxlens.cli import main; main()"]
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").is_success:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        stop = threading.Event()
        health_t, health_s, answer_t, answer_s = [], [], [], []
        post = {
            "headers": {"Authorization": f"Bearer {key.secret}"},
            "body": {"survey": "bench-csat", "submitted_at": "2026-03-02T10:00:00Z", "score": 4},
        }
        pollers = [
            threading.Thread(target=_poll, args=(f"{base}/health", stop, health_t, health_s)),
            threading.Thread(target=_poll, args=(f"{base}/api/responses", stop, answer_t, answer_s, post)),
        ]
        for t in pollers:
            t.start()
        started = time.perf_counter()
        importing = subprocess.Popen([*cli, "import", "responses", str(data)], env=env, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(importing.pid, 0)  # the import's own peak memory
        took = time.perf_counter() - started
        if status:
            raise SystemExit(f"the import failed (wait status {status})")
        stop.set()
        for t in pollers:
            t.join()
    finally:
        server.terminate()
        server.wait()
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).where(s.responses.c.external_id.like("api-%"))).scalar()
    acked = sum(1 for code in answer_s if code == 201)
    print(
        f"import of {args.rows:,} rows: {took:.1f} s, {usage.ru_utime + usage.ru_stime:.1f} s CPU, "
        f"peak RSS {usage.ru_maxrss / 1024:.0f} MB; load average {os.getloadavg()[0]:.2f}"
    )
    print(_summary("/health", health_t, health_s))
    print(_summary("answers", answer_t, answer_s))
    print(f"answers acknowledged {acked}, stored {stored}, lost {acked - stored}")


if __name__ == "__main__":
    main()
