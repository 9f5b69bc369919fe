"""Business-hours speed: 1 million ticket spans on a schedule, and what it adds to an import.

1. ``Schedule.business_seconds`` over N spans (one schedule: Europe/Berlin, two intervals a
   day, Saturday hours, holidays; starts spread over two years with DST changes; lengths
   log-normal, median 4 h, some weeks long), best of three runs;
2. ``ScheduleBook.business_seconds``: the same spans split over three teams on two schedules
   (what the tickets import calls, twice per file);
3. for scale, a plain per-span Python loop (walk the local days of each span) on a sample,
   checked to agree with the vectorised values;
4. a tickets import of ``--import-rows`` rows into a fresh SQLite store, with and without
   schedules, to show what computing business hours adds to an import; then an ``--update``
   that moves every ``created_at`` (stored times read back, both durations recomputed).

    .venv/bin/python bench/business_hours.py                  # 1,000,000 spans, 200,000 imported
    .venv/bin/python bench/business_hours.py --spans 200000 --import-rows 0

Goal: 1M spans well under a second or two.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from cxlens.ingest import import_table, load_journeys
from cxlens.ingest.business_hours import Schedule, ScheduleBook
from cxlens.ingest.journeys import JourneyMap
from cxlens.store import Store

HOURS = {"mon-fri": ["09:00-12:00", "13:00-17:00"], "sat": "10:00-14:00"}
HOLIDAYS = [
    "2025-01-01",
    "2025-04-18",
    "2025-04-21",
    "2025-05-01",
    "2025-12-24..2025-12-26",
    "2026-01-01",
    "2026-04-03",
    "2026-04-06",
    "2026-05-01",
    "2026-12-24..2026-12-26",
]
OFFICE = Schedule("office", "Europe/Berlin", HOURS, HOLIDAYS, default=True, teams=("tier1",))
NEW_YORK = Schedule(
    "specialists",
    "America/New_York",
    {"mon-fri": "09:00-17:00"},
    ["2025-12-25", "2026-12-25"],
    teams=("tier2", "billing"),
)
TEAMS = np.array(["tier1", "tier2", "billing"])


def make_spans(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-01-01T00:00:00", "us").astype(np.int64) + rng.integers(0, 2 * 365 * 86_400_000_000, n)
    length = (rng.lognormal(np.log(4 * 3600), 1.6, n) * 1e6).astype(np.int64)
    return (
        start.astype("datetime64[us]"),
        (start + length).astype("datetime64[us]"),
        rng.choice(TEAMS, n, p=[0.7, 0.2, 0.1]),
    )


def best_of(runs: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def loop_business_seconds(
    schedule_hours: dict, zone: ZoneInfo, holidays: set[date], start: datetime, end: datetime
) -> float:
    """One span the obvious way: for each local day it touches, intersect that day's hours."""
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    total = 0.0
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date():
        if day not in holidays:
            for span in schedule_hours.get(days[day.weekday()], []):
                a, b = (
                    datetime.combine(day, datetime.strptime(x, "%H:%M").time(), tzinfo=zone) for x in span.split("-")
                )
                lo, hi = max(a.astimezone(timezone.utc), start), min(b.astimezone(timezone.utc), end)
                total += max((hi - lo).total_seconds(), 0.0)
        day += timedelta(days=1)
    return total


def bench_loop(start: np.ndarray, end: np.ndarray, vectorised: np.ndarray, sample: int) -> float:
    zone = ZoneInfo(OFFICE.timezone)
    hours, holidays = OFFICE.weekly_hours(), {date.fromisoformat(d) for d in OFFICE.holiday_dates()}
    as_dt = lambda x: datetime.fromtimestamp(int(x.astype(np.int64)) / 1e6, timezone.utc)  # noqa: E731
    t0 = time.perf_counter()
    values = [
        loop_business_seconds(hours, zone, holidays, as_dt(a), as_dt(b)) for a, b in zip(start[:sample], end[:sample])
    ]
    seconds = time.perf_counter() - t0
    # Day-walking with fixed-offset ends is right away from DST nights; the office is closed then.
    assert np.allclose(values, vectorised[:sample], atol=1e-3), "the loop and the vectorised values disagree"
    return seconds


def bench_import(rows: int) -> tuple[float, float, float]:
    start, end, team = make_spans(rows, seed=2)
    table = pa.table(
        {
            "external_id": pa.array(np.char.add("T-", np.arange(rows).astype(str))),
            "team": pa.array(team),
            "created_at": pa.array(start.astype(np.int64), pa.timestamp("us", "UTC")),
            "first_response_at": pa.array(end.astype(np.int64), pa.timestamp("us", "UTC")),
            "solved_at": pa.array(end.astype(np.int64) + 3_600_000_000, pa.timestamp("us", "UTC")),
        }
    )
    # Every ticket opened a minute earlier: --update reads the stored times, recomputes both.
    earlier = pa.table(
        {
            "external_id": table.column("external_id"),
            "created_at": pa.array(start.astype(np.int64) - 60_000_000, pa.timestamp("us", "UTC")),
        }
    )
    times = []
    for with_schedules in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            store = Store(f"sqlite:///{Path(folder) / 'cxlens.db'}")
            store.upgrade()
            if with_schedules:
                load_journeys(store, JourneyMap(schedules=[OFFICE, NEW_YORK]))
            t0 = time.perf_counter()
            import_table(store, "tickets", table, source="bench tickets")
            times.append(time.perf_counter() - t0)
            if with_schedules:
                t0 = time.perf_counter()
                import_table(store, "tickets", earlier, source="bench update", update=True)
                times.append(time.perf_counter() - t0)
            store.dispose()
    return times[0], times[1], times[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--loop-sample", type=int, default=20_000)
    parser.add_argument("--import-rows", type=int, default=200_000)
    args = parser.parse_args()

    start, end, team = make_spans(args.spans)
    n = args.spans
    seconds, result = best_of(3, lambda: OFFICE.business_seconds(start, end))
    print(f"Schedule.business_seconds: {n:,} spans in {seconds:.3f} s = {n / seconds:,.0f} spans/s")
    book = ScheduleBook(
        {s.key: s for s in (OFFICE, NEW_YORK)}, {"tier2": "specialists", "billing": "specialists"}, "office"
    )
    teams = pa.array(team)
    book_seconds, _ = best_of(3, lambda: book.business_seconds(teams, start, end))
    print(
        f"ScheduleBook.business_seconds (3 teams, 2 schedules): {n:,} spans in {book_seconds:.3f} s = {n / book_seconds:,.0f} spans/s"
    )
    sample = min(args.loop_sample, n)
    if sample:
        loop = bench_loop(start, end, result.seconds, sample)
        print(
            f"per-span Python loop: {sample:,} spans in {loop:.3f} s = {sample / loop:,.0f} spans/s "
            f"(vectorised is {sample / loop and (n / seconds) / (sample / loop):,.0f}x faster); values agree"
        )
    if args.import_rows:
        plain, with_hours, update = bench_import(args.import_rows)
        rows = args.import_rows
        print(
            f"tickets import, {rows:,} rows, SQLite: {plain:.2f} s without schedules, {with_hours:.2f} s with "
            f"(+{with_hours - plain:.2f} s, {rows / plain:,.0f} → {rows / with_hours:,.0f} rows/s); "
            f"--update of every created_at: {update:.2f} s ({rows / update:,.0f} rows/s)"
        )


if __name__ == "__main__":
    main()
