"""What runs when new answers, mentions or tickets are stored: the answer rules of alerts.

The layers that store them (collect's survey pages, widget and API; ingest's imports) sit below
the one that acts on them (alerts), so they do not import it: they call :func:`new_items` and
:func:`watching_new_items`, which run the modules named in :data:`NEW_ITEM_HOOKS`. Each module
has ``check_new_items(conn, *, kind, ids, now)`` and ``watch_new_items(conn, import_kind, now)``
(a context manager around a bulk write). They are imported on first use, so a store opened by
a script that never imports alerts still runs its rules.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from functools import cache
from types import ModuleType

import sqlalchemy as sa

__all__ = ["NEW_ITEM_HOOKS", "new_items", "watching_new_items"]

NEW_ITEM_HOOKS: tuple[str, ...] = ("cxlens.alerts.answers",)


@cache
def _hooks() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(name) for name in NEW_ITEM_HOOKS)


def new_items(conn: sa.Connection, *, kind: str, ids: list[int], now: datetime | None = None) -> None:
    """Rows of ``kind`` (response, mention, ticket) with ``ids`` were just written in ``conn``."""
    for hook in _hooks():
        hook.check_new_items(conn, kind=kind, ids=ids, now=now)


@contextmanager
def watching_new_items(conn: sa.Connection, import_kind: str, now: datetime | None = None) -> Iterator[None]:
    """Around a bulk write of ``import_kind`` (an import kind: responses, mentions, tickets …):
    the hooks see the rows it added."""
    with ExitStack() as stack:
        for hook in _hooks():
            stack.enter_context(hook.watch_new_items(conn, import_kind, now))
        yield
