"""Peak memory of one cxlens command: `cxlens text analyze` on a demo store, or an import.

The command runs in a child process; its peak resident set ("Maximum resident set size", the
figure `/usr/bin/time -v` prints) comes from the kernel's rusage of that child (`os.wait4`),
with its wall time, CPU time and the load average before and after. `--stop-at-gb` ends the
child (SIGTERM) when its resident set passes that size and reports how far and how fast it
got there.

    # text analyze, fresh (fitting included), on a copy of a demo store of 500,000 answers
    # (generated into --cache the first time: customers = answers / 10)
    .venv/bin/python bench/memory.py analyze --answers 500000
    .venv/bin/python bench/memory.py analyze --answers 5000000 --stop-at-gb 6
    .venv/bin/python bench/memory.py analyze --answers 5000000 --stop-after-s 1200   # peak so far
    # the same with another checkout's code (PYTHONPATH=SRC for the child only)
    .venv/bin/python bench/memory.py analyze --answers 500000 --src /path/to/other/src
    # a store generated before (`cxlens demo … --no-serve`), copied for the run
    .venv/bin/python bench/memory.py analyze --store /tmp/demo5m/cxlens.db --answers 5000000
    # cxlens import responses of a generated CSV of N answers into a fresh store
    .venv/bin/python bench/memory.py import --answers 5000000
    # any cxlens command on a store of yours (run as it is: no copy)
    .venv/bin/python bench/memory.py run --data-dir DIR -- kpi nps --by month

SQLite stores only (the copy is a file copy). Goal: the peak of `text analyze` does not grow
with the store (the fits read a bounded sample; analysis holds one batch).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SURVEY = """
surveys:
  - key: bench-csat
    name: Support satisfaction
    metric: csat
    touchpoint: support-chat
    languages: [en]
"""
CLI = [sys.executable, "-c", "from cxlens.cli import main; main()"]
TEXT_TABLES = ("text_topics", "text_results", "text_themes", "text_models")


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(args: list[str], env: dict, stop_at_gb: float | None, stop_after_s: float | None = None) -> dict:
    """Run ``args``; return its peak RSS (MB), wall and CPU seconds, exit code, load averages,
    and its resident set every minute (to see whether it grows)."""
    load_before = os.getloadavg()
    started = time.perf_counter()
    err_file = tempfile.TemporaryFile()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err_file)
    stopped, seen, timeline = None, 0, []
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        now, rss = time.perf_counter() - started, _rss_kb(child.pid)
        seen = max(seen, rss)
        if now >= 60 * (len(timeline) + 1):
            timeline.append(rss / 1024)
        over = stop_at_gb and seen > stop_at_gb * 1024 * 1024
        if (over or (stop_after_s and now > stop_after_s)) and stopped is None:
            stopped = now
            os.kill(child.pid, signal.SIGTERM)
        time.sleep(0.25)
    child.returncode = os.waitstatus_to_exitcode(status)
    err_file.seek(0)
    err = err_file.read().decode(errors="replace")
    err_file.close()
    return {
        "peak_mb": usage.ru_maxrss / 1024,
        "wall_s": time.perf_counter() - started,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "exit": child.returncode,
        "stopped_after_s": stopped,
        "rss_each_minute_mb": timeline,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "stderr_tail": err.strip().splitlines()[-3:] if child.returncode and not stopped else [],
    }


def _env(data_dir: Path, src: str | None) -> dict:
    env = {**os.environ, "CXLENS_DATA_DIR": str(data_dir), "CXLENS_ALERT_WORKER": "0"}
    env.pop("CXLENS_DATABASE_URL", None)
    if src:
        env["PYTHONPATH"] = src
    return env


def _demo_store(cache: Path, answers: int) -> Path:
    folder = cache / f"demo-{answers}"
    if not (folder / "cxlens.db").exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating a demo store of {answers:,} answers into {folder} …", flush=True)
        subprocess.run(
            [*CLI, "demo", "--customers", str(max(answers // 10, 100)), "--responses", str(answers), "--no-serve"],
            env=_env(folder, None),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder / "cxlens.db"


def _fresh_copy(db: Path, work: Path) -> None:
    """A copy of the store without any text analysis (so `text analyze` fits and analyses all)."""
    shutil.copyfile(db, work / "cxlens.db")
    with sqlite3.connect(work / "cxlens.db") as conn:
        for table in TEXT_TABLES:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)


def _write_answers(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "survey", "submitted_at", "score", "comment"])
        for n in range(rows):
            w.writerow([f"imp-{n}", "bench-csat", f"2026-0{1 + n % 9}-{1 + n % 28:02d}T10:00:00Z", 1 + n % 5, "ok"])


def _import_store(work: Path, rows: int) -> list[str]:
    from cxlens.collect import load_surveys
    from cxlens.demo import JOURNEYS_FILE
    from cxlens.ingest import load_journeys
    from cxlens.store import open_store

    store = open_store(f"sqlite:///{work / 'cxlens.db'}")
    load_journeys(store, JOURNEYS_FILE)
    (work / "surveys.yaml").write_text(SURVEY, encoding="utf-8")
    load_surveys(store, work / "surveys.yaml")
    store.dispose()
    data = work / "answers.csv"
    _write_answers(data, rows)
    return ["import", "responses", str(data)]


def _report(what: str, m: dict) -> None:
    b, a = m["load_before"], m["load_after"]
    if m["stopped_after_s"] is not None:
        end = f"stopped after {m['stopped_after_s']:.0f} s"
    else:
        end = f"exit {m['exit']}"
    print(
        f"{what}: peak RSS {m['peak_mb']:,.0f} MB; wall {m['wall_s']:.1f} s, CPU {m['cpu_s']:.1f} s; {end}; "
        f"load average {b[0]:.2f} before, {a[0]:.2f} after"
    )
    if m["rss_each_minute_mb"]:
        print("  RSS each minute (MB): " + " ".join(f"{x:,.0f}" for x in m["rss_each_minute_mb"]))
    for line in m["stderr_tail"]:
        print(f"  {line}")


def _how_far(db: Path) -> None:
    """What the run had written: the models it fitted and the texts it analysed (a run stopped
    early still says whether it was fitting or analysing)."""
    with sqlite3.connect(db) as conn:
        models = [r[0] for r in conn.execute("SELECT kind FROM text_models ORDER BY id")]
        done = dict(conn.execute("SELECT source, count(*) FROM text_results GROUP BY source").fetchall())
    analysed = ", ".join(f"{n:,} {source}s" for source, n in sorted(done.items())) or "no texts"
    print(f"  written: models {', '.join(models) or 'none'}; analysed {analysed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["analyze", "import", "run"])
    parser.add_argument("--answers", type=int, default=500_000, help="answers in the demo store or the CSV")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "cxlens-bench-memory")
    parser.add_argument("--data-dir", type=Path, help="run: the store's CXLENS_DATA_DIR")
    parser.add_argument("--store", type=Path, help="analyze: copy this demo store (cxlens.db) instead")
    parser.add_argument("--src", help="PYTHONPATH for the measured command (another checkout's src)")
    parser.add_argument("--stop-at-gb", type=float, help="end the command when its RSS passes this")
    parser.add_argument("--stop-after-s", type=float, help="end the command after this many seconds")
    parser.add_argument("command", nargs="*", help="run: the cxlens command and its arguments (after --)")
    args = parser.parse_args()
    if args.mode == "run":
        if not args.data_dir or not args.command:
            parser.error("run needs --data-dir DIR -- COMMAND …")
        m = measure([*CLI, *args.command], _env(args.data_dir, args.src), args.stop_at_gb, args.stop_after_s)
        _report(f"cxlens {' '.join(args.command)}", m)
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cxlens-memory-", dir=args.cache))
    try:
        if args.mode == "analyze":
            _fresh_copy(args.store or _demo_store(args.cache, args.answers), work)
            command = ["text", "analyze"]
        else:
            command = _import_store(work, args.answers)
        m = measure([*CLI, *command], _env(work, args.src), args.stop_at_gb, args.stop_after_s)
        _report(f"cxlens {command[0]} {command[1]} ({args.answers:,} answers, src {args.src or 'installed'})", m)
        if args.mode == "analyze":
            _how_far(work / "cxlens.db")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
