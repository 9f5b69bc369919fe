"""Dashboard speed: server time per page next to the same page's KPI queries run directly.

For the Overview, the Journey map, a Touchpoint page and the Explorer: each page is asked for
``--runs`` times through the ASGI app in-process (routing, session check, KPI queries on the
shared tier-0 engine, Jinja rendering, chart specs; no network), after one warm-up request
that builds the DuckDB mirror. The floor is the page's KPI calls made directly on the same
``KPIs`` object in the same run; overhead = page ÷ floor − 1.

Three kinds of request: cold, with the engine's answer cache off (every KPI query runs: the
first view after the data changed everywhere); live, while answers keep arriving: before
each request one new answer timed now is written to the store and the request syncs the
mirror first (answers about the view's periods, which end before today, are kept); warm, the
page asked again before anything changed.

    .venv/bin/python bench/dashboard.py                          # a new small demo (20k responses)
    .venv/bin/python bench/dashboard.py --responses 10000000 --customers 500000   # the size the goal is stated for
    .venv/bin/python bench/dashboard.py --store sqlite:////path/cxlens.db         # an existing store

Goal: p95 < 300 ms per page on the embedded tier, overhead under 30 % of the floor.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from cxlens.access import create_user, get_user
from cxlens.demo import generate_demo
from cxlens.store import open_store
from cxlens.web import create_app
from cxlens.web.dashboard import TILES, Filters, explore, journey_map, tile_query, touchpoint_view

PASSWORD = "bench password 123"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="an existing store's URL (default: a new demo in a temporary directory)")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--responses", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--end", default="2026-06-30", help="the demo's last day")
    args = parser.parse_args()

    tmp = None
    if args.store:
        store = open_store(args.store)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="cxlens-bench-")
        store = open_store(f"sqlite:///{Path(tmp.name) / 'cxlens.db'}")
        start = time.perf_counter()
        generate_demo(
            store, customers=args.customers, responses=args.responses, seed=7, end=date.fromisoformat(args.end)
        )
        print(
            f"demo: {args.customers:,} customers, {args.responses:,} responses in {time.perf_counter() - start:.1f} s"
        )
    if get_user(store, email="bench@example.com") is None:
        create_user(store, "bench@example.com", PASSWORD, role="analyst")

    app = create_app(store)
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    start = time.perf_counter()  # the login lands on the Overview, whose first request builds the mirror
    client.post("/login", data={"email": "bench@example.com", "password": PASSWORD, "csrf_token": token})

    end = date.fromisoformat(args.end)
    until = end.replace(day=1)
    since = date(until.year - 1, until.month, 1)
    filters = Filters(grain="month", since=since, until=until)
    view = f"since={since}&until={until}"
    assert client.get(f"/?{view}").status_code == 200
    print(f"login and first pages (the mirror built): {time.perf_counter() - start:.2f} s")
    engine = app.state.kpi_engine

    # The floor bypasses the engine's answer cache: KPIs.compute itself, under the engine's lock.
    def floor_overview():
        engine.run(lambda k: [k.compute(m, **tile_query(m, filters)) for m in TILES])

    pages = {
        "overview": (f"/?{view}", floor_overview),
        "journey map": (f"/journeys?{view}", lambda: engine.run(lambda k: journey_map(k, store, filters))),
        "touchpoint": (
            f"/touchpoints/support-chat?{view}",
            lambda: engine.run(lambda k: touchpoint_view(k, store, "support-chat", filters)),
        ),
        "explorer": (
            f"/explorer?metric=nps&by=touchpoint&{view}",
            lambda: engine.run(lambda k: explore(k, "nps", "touchpoint", filters, True)),
        ),
    }

    def answer_now():
        # One more answer, as the survey pages write it, and the next request syncs first.
        with store.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO responses (survey_id, customer_id, touchpoint_id, channel, submitted_at, metric, score, "
                    "scale_min, scale_max) SELECT survey_id, customer_id, touchpoint_id, channel, :now, metric, score, "
                    "scale_min, scale_max FROM responses WHERE id = (SELECT max(id) FROM responses)"
                ),
                {"now": datetime.now(UTC).replace(tzinfo=None)},
            )
        engine.synced = 0.0

    def live(url):
        answer_now()
        client.get(url).raise_for_status()

    print(
        "\nms per request; cold: the engine's answer cache off (every KPI query runs); live: a new answer "
        "written and synced before each request; warm: a page asked again before the data changed; floor: the "
        "page's KPI calls made directly"
    )
    print(
        f"{'page':<12} {'cold p50':>9} {'cold p95':>9} {'live p50':>9} {'live p95':>9} {'warm p50':>9} {'warm p95':>9} "
        f"{'floor p50':>10} {'floor p95':>10} {'overhead':>9}"
    )
    for name, (url, floor) in pages.items():
        client.get(url)
        floor()
        engine.use_cache = False
        cold = _time(lambda: client.get(url).raise_for_status(), args.runs)
        direct = _time(floor, args.runs)
        engine.use_cache = True
        client.get(url)
        streaming = _time(lambda: live(url), args.runs)
        client.get(url)
        warm = _time(lambda: client.get(url).raise_for_status(), args.runs)
        c50, c95 = statistics.median(cold) * 1000, _percentile(cold, 0.95) * 1000
        l50, l95 = statistics.median(streaming) * 1000, _percentile(streaming, 0.95) * 1000
        w50, w95 = statistics.median(warm) * 1000, _percentile(warm, 0.95) * 1000
        f50, f95 = statistics.median(direct) * 1000, _percentile(direct, 0.95) * 1000
        print(
            f"{name:<12} {c50:9.1f} {c95:9.1f} {l50:9.1f} {l95:9.1f} {w50:9.1f} {w95:9.1f} {f50:10.1f} {f95:10.1f} "
            f"{c50 / f50 - 1:8.0%}"
        )
    if tmp:
        store.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    main()
