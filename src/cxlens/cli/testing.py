"""Run ``cxlens`` in this process as the installed script runs it, for tests.

:func:`run` returns what ``subprocess.run(..., capture_output=True, text=True)`` would (exit status,
standard output, standard error), without a new interpreter per call; a
:class:`~cxlens.errors.CxlensError` is printed and exits 1, as :func:`cxlens.cli.main` does.
Typer's ``CliRunner.invoke`` differs there: it hands the exception back instead.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

from typer.testing import CliRunner

from .root import main

__all__ = ["run"]


def run(
    *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``cxlens ARGS`` with ENV's variables set (None unsets one) and INPUT on standard input."""
    runner = CliRunner()
    hook = sys.excepthook  # Typer installs its own on every run
    code: int = 0
    try:
        with runner.isolation(input=input, env=env) as (stdout, stderr, _):
            try:
                main(list(args), prog_name="cxlens")
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    finally:
        sys.excepthook = hook
    return subprocess.CompletedProcess(["cxlens", *args], code, out, err)
