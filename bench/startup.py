"""Start-up time: ``import cxlens`` and the CLI's help pages, each in a fresh process.

    .venv/bin/python bench/startup.py              # 7 runs of each, the median
    .venv/bin/python bench/startup.py --runs 15

Every run is a new interpreter, as a user's command or a notebook's first cell is, so nothing is
cached in memory (the OS's file cache is warm after the first run: that first run is shown apart).
The machine's load average is printed before and after, since a loaded machine makes every
figure larger. Goal: ``import cxlens`` and ``cxlens --help`` under 0.5 s; heavy
libraries (SciPy, pandas, PyArrow, Ibis) load only in the commands that use them. To see where
the time goes: ``python -X importtime -c "import cxlens" 2>&1 | sort -t'|' -k2 -n | tail``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# What the installed ``cxlens`` script runs (pyproject.toml's entry point).
CLI = "from cxlens.cli import main; main()"

CASES = [
    ("import cxlens", ["-c", "import cxlens"]),
    ("cxlens --help", ["-c", CLI, "--help"]),
    ("cxlens kpi --help", ["-c", CLI, "kpi", "--help"]),
    ("cxlens import --help", ["-c", CLI, "import", "--help"]),
]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPU(s)"


def run_once(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each case (the median is reported)")
    options = parser.parse_args()

    # This checkout's code, also when another one is installed in the environment (editable installs).
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p),
        "COLUMNS": "100",
    }
    print(f"python {sys.version.split()[0]} ({sys.executable}); code from {src}")
    print(f"before: {load()}")
    baseline = statistics.median(run_once(["-c", "pass"], env) for _ in range(options.runs))
    print(f"{'':24}{'median':>9}{'min':>9}{'max':>9}{'first':>9}   (seconds; python -c pass: {baseline:.3f})")
    for label, args in CASES:
        first = run_once(args, env)
        times = [run_once(args, env) for _ in range(options.runs)]
        print(f"{label:24}{statistics.median(times):9.3f}{min(times):9.3f}{max(times):9.3f}{first:9.3f}")
    print(f"after:  {load()}")


if __name__ == "__main__":
    main()
