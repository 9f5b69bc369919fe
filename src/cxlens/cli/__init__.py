"""The ``cxlens`` command line (the installed script runs :func:`main`).

Thin: each command parses its options, calls the library and turns errors into plain words.
``root`` holds the Typer app and the list of command modules; ``shared`` what they share; one
module per command group (``db``, ``journeys``, ``surveys`` …) or top-level command (``kpi``,
``imports`` for ``cxlens import``, ``demo`` …); ``testing.run`` runs a command in-process as the
installed script would.
"""

from .demo import DEMO_ADMIN
from .root import app, main

__all__ = ["DEMO_ADMIN", "app", "main"]
