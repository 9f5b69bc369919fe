"""What runs when new answers, mentions or tickets are stored: the answer rules of alerts.

The layers that store them (collect's survey pages, widget and API; ingest's imports) sit below
the one that acts on them (alerts), so they do not import it: they call :func:`new_items`,
:func:`items_committed` and :func:`watching_new_items`, which run the modules named in
:data:`NEW_ITEM_HOOKS`. Each module has ``check_new_items(conn, *, kind, ids, now)`` (act now,
in the caller's transaction), ``queue_new_items(conn, *, kind, ids, now)`` (act just after it
commits, off the request path), ``items_committed(store)`` (it did) and
``watch_new_items(conn, import_kind, now)`` (a context manager around a bulk write). They are
imported on first use, so a store opened by a script that never imports alerts still runs its
rules.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from functools import cache
from types import ModuleType

import sqlalchemy as sa

__all__ = ["NEW_ITEM_HOOKS", "items_committed", "new_items", "watching_new_items"]

NEW_ITEM_HOOKS: tuple[str, ...] = ("cxlens.alerts.answer_hooks",)


@cache
def _hooks() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(name) for name in NEW_ITEM_HOOKS)


def new_items(
    conn: sa.Connection, *, kind: str, ids: list[int], now: datetime | None = None, after_commit: bool = False
) -> None:
    """Rows of ``kind`` (response, mention, ticket) with ``ids`` were just written in ``conn``.
    ``after_commit``: the hooks act once the transaction has committed and the writer has
    called :func:`items_committed` (a request answers without waiting for them); else now."""
    for hook in _hooks():
        if after_commit:
            hook.queue_new_items(conn, kind=kind, ids=ids, now=now)
        else:
            hook.check_new_items(conn, kind=kind, ids=ids, now=now)


def items_committed(store) -> None:
    """A transaction that called :func:`new_items` with ``after_commit`` has committed."""
    for hook in _hooks():
        hook.items_committed(store)


@contextmanager
def watching_new_items(conn: sa.Connection, import_kind: str, now: datetime | None = None) -> Iterator[None]:
    """Around a bulk write of ``import_kind`` (an import kind: responses, mentions, tickets …):
    the hooks see the rows it added."""
    with ExitStack() as stack:
        for hook in _hooks():
            stack.enter_context(hook.watch_new_items(conn, import_kind, now))
        yield
