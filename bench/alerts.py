"""Alert evaluation speed: every rule of a rules file over all its slices, on tier 0 (the DuckDB
mirror), against the same KPI queries made directly through the engine.

One evaluation (``run_check`` as a dry run: measuring, judging, Benjamini–Hochberg over the
run; with ``--write``, the real run that also moves alerts and queues notifications) is timed
``--runs`` times after a warm-up; the floor is, for each rule, the engine's own call for the
same KPI, slices and window (``KPIs.compute``; for a volume rule the same count query),
made on the same ``KPIs`` object. The mirror's first sync is reported apart (a long-running
process keeps its mirror warm).

    .venv/bin/python bench/alerts.py                                 # a new small demo
    .venv/bin/python bench/alerts.py --data-dir /work/demo-10m       # an existing store (10M demo)
    .venv/bin/python bench/alerts.py --store sqlite:////path/cxlens.db --rules my-rules.yaml

Goal: at most 1.5× the direct queries, and at most 2 s, at 10M answers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from cxlens.alerts import measure
from cxlens.alerts.evaluation import run_check
from cxlens.alerts.rules import load_rules_file
from cxlens.analytics.kpis import KPIs
from cxlens.store import open_store
from cxlens.store import schema as s

RULES = Path(__file__).with_name("alerts_rules.yaml")


def direct(kpis: KPIs, rule, now: datetime) -> None:
    """The engine's own call for what ``rule`` reads."""
    window = measure.rule_window(rule, now)
    if rule.kind == "volume":  # no KPI counts mentions or themes per slice: the count query itself
        measure.measure(kpis, rule, now)
        return
    kpis.compute(
        rule.kpi, by=rule.by, grain=window.grain, since=window.start, until=window.end, where=rule.where or None
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="a data directory holding cxlens.db (e.g. the 10M demo's)")
    parser.add_argument("--store", help="an existing store's URL")
    parser.add_argument("--rules", default=str(RULES), help="a rules file (default: bench/alerts_rules.yaml)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--now", help="evaluate as of this time (default: a day after the newest answer)")
    parser.add_argument("--write", action="store_true", help="time the real run (alerts and notifications written)")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--responses", type=int, default=20000)
    args = parser.parse_args()
    tmp = None
    if args.data_dir:
        store = open_store(f"sqlite:///{Path(args.data_dir).resolve() / 'cxlens.db'}")
    elif args.store:
        store = open_store(args.store)
    else:
        from cxlens.demo import generate_demo

        tmp = tempfile.TemporaryDirectory()
        store = open_store(f"sqlite:///{Path(tmp.name) / 'cxlens.db'}")
        store.upgrade()
        print(f"generating a demo: {args.customers:,} customers, {args.responses:,} responses …", flush=True)
        generate_demo(store, customers=args.customers, responses=args.responses, seed=1)
    parsed = load_rules_file(args.rules)
    rules = [r for r in parsed.rules if r.kind != "answer"]
    with store.engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(s.responses.c.submitted_at))).scalar()
        answers = conn.execute(sa.select(sa.func.count()).select_from(s.responses)).scalar_one()
    if args.now:
        now = datetime.fromisoformat(args.now).replace(tzinfo=UTC)
    else:
        newest = newest.replace(tzinfo=UTC) if newest.tzinfo is None else newest
        now = newest + timedelta(days=1)
    print(
        f"store: {answers:,} answers, evaluating as of {now:%Y-%m-%d %H:%M} UTC; {len(rules)} rules from {args.rules}"
    )
    start = time.perf_counter()
    kpis = KPIs(store, tier="duckdb")
    print(f"tier 0 mirror, first sync: {time.perf_counter() - start:.1f} s (not counted below)")

    def evaluate():
        if args.write:
            return run_check(store, trigger="cli", now=now, kpis=kpis)
        return run_check(store, now=now, kpis=kpis, rules=parsed)

    def floor():
        for rule in rules:
            direct(kpis, rule, now)

    result = evaluate()  # warm-up: compiles each query once, as a running process has
    floor()
    alert_times, direct_times = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        floor()
        direct_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        result = evaluate()
        alert_times.append(time.perf_counter() - t)
    a, d = statistics.median(alert_times), statistics.median(direct_times)
    per_rule = []
    for rule in rules:
        t = time.perf_counter()
        direct(kpis, rule, now)
        per_rule.append((rule.name, time.perf_counter() - t))
    print(
        f"slices judged: {result.slices:,}; tests corrected together: {result.tests:,}; "
        f"breaching now: {len(result.fired)} (q={result.q:g})"
    )
    print("direct KPI time per rule (one run):")
    for name, seconds in per_rule:
        print(f"  {name:34} {1000 * seconds:8.1f} ms")
    print(f"alert evaluation (median of {args.runs}): {a:.3f} s")
    print(f"the same KPI queries directly:          {d:.3f} s")
    print(f"ratio: {a / d:.2f}× (goal ≤ 1.5×); total {'≤' if a <= 2 else '>'} 2 s goal")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    kpis.engine.close()
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
