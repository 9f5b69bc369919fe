"""The ``cxlens`` command: one Typer app, and the modules that add its commands.

Each module in :data:`COMMANDS` holds one command group (``cxlens db …``) or one command
(``cxlens kpi``) as a Typer app of its own; a named app becomes a group, an unnamed one adds its
commands at the top. ``cxlens --help`` imports them all, so they import the library inside their
functions: the help pages need neither SciPy nor pandas, Ibis or SQLAlchemy.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import typer

from ..errors import CxlensError
from .shared import print_error

__all__ = ["COMMANDS", "app", "main"]

# In the order ``cxlens --help`` lists them.
COMMANDS = [
    "imports",
    "kpi",
    "export",
    "demo",
    "serve",
    "db",
    "journeys",
    "apikeys",
    "users",
    "surveys",
    "invitations",
    "text",
    "alerts",
    "cases",
    "customers",
    "backup",
    "predict",
    "segments",
]

app = typer.Typer(help="cxlens: customer-experience measurement across the whole journey.", no_args_is_help=True)
for module in COMMANDS:
    app.add_typer(importlib.import_module(f"{__package__}.{module}").app)


def main(args: Sequence[str] | None = None, prog_name: str | None = None) -> None:
    """Run ``cxlens`` (the installed script's entry point; ARGS default to the command line's).

    A :class:`~cxlens.errors.CxlensError` is the user's to fix: its message goes to standard error,
    without a traceback, and the exit status is 1."""
    try:
        app(args=args, prog_name=prog_name)
    except CxlensError as exc:
        print_error(exc)
        sys.exit(1)
