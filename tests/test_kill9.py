"""A server killed with SIGKILL mid-load loses nothing it acknowledged, and resending every
request afterwards stores nothing twice (a scaled-down version of the reliability probe)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
from conftest import DEMO_JOURNEYS
from test_browser import free_port

from cxlens.access import create_api_key
from cxlens.ingest import load_journeys
from cxlens.store import schema as s


def _event(n: int) -> dict:
    return {
        "customer": {"external_id": f"k-{n % 50}"},
        "touchpoint": "support-chat",
        "occurred_at": "2026-03-02T10:00:00Z",
        "external_id": f"kill-{n}",
    }


def _serve(url: str, port: int, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "CXLENS_DATABASE_URL": url, "CXLENS_DATA_DIR": str(tmp_path), "CXLENS_ALERT_WORKER": "0"}
    code = "from cxlens.cli import main; main()"
    server = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", str(port)], env=env)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").is_success:
                return server
        except httpx.HTTPError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the server did not start")


def test_sigkill_mid_load_loses_no_acknowledged_event(store, store_url, tmp_path):
    load_journeys(store, DEMO_JOURNEYS)
    with store.begin() as conn:
        conn.execute(s.customers.insert(), [{"external_id": f"k-{n}"} for n in range(50)])
    headers = {"Authorization": f"Bearer {create_api_key(store, 'load', ['events:write']).secret}"}
    port = free_port()
    server = _serve(store_url, port, tmp_path)
    acked: list[int] = []
    stop = threading.Event()

    def send(first: int) -> None:
        with httpx.Client(timeout=10) as client:
            n = first
            while not stop.is_set():
                try:
                    answer = client.post(f"http://127.0.0.1:{port}/api/events", json=_event(n), headers=headers)
                except httpx.HTTPError:
                    return  # the server is gone
                if answer.status_code == 201:
                    acked.append(n)
                n += 8

    senders = [threading.Thread(target=send, args=(k,)) for k in range(8)]
    for t in senders:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 20 and time.monotonic() < deadline:  # a loaded machine answers slowly
        time.sleep(0.1)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for t in senders:
        t.join()
    assert len(acked) >= 20  # the load was real
    with store.engine.connect() as conn:
        stored = set(conn.execute(s.events.select().with_only_columns(s.events.c.external_id)).scalars())
    assert {f"kill-{n}" for n in acked} <= stored
    server = _serve(store_url, port, tmp_path)
    try:
        with httpx.Client(timeout=30) as client, ThreadPoolExecutor(8) as pool:
            resend = lambda n: client.post(f"http://127.0.0.1:{port}/api/events", json=_event(n), headers=headers)  # noqa: E731
            assert all(a.is_success for a in pool.map(resend, range(max(acked) + 9)))
    finally:
        server.terminate()
        server.wait()
    with store.engine.connect() as conn:
        ids = list(conn.execute(s.events.select().with_only_columns(s.events.c.external_id)).scalars())
    assert len(ids) == len(set(ids)) == max(acked) + 9
