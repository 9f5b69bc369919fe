"""What web/'s endpoints get from the app they run in: its survey collection, its shared KPI
engine, a way to run a store write from an async endpoint, and the browser's languages.

One module, so that a page, an API router or the widget takes these from the same place and
none reaches into another's internals. The collection and the KPI engine are made on first
use and kept on ``app.state``: both hold state worth sharing between requests (the survey
catalogue and SQLite write lock; the DuckDB mirror and its answer cache).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..collect import Collection, policy_from_env

if TYPE_CHECKING:
    from .kpi_engine import KPIEngine

__all__ = ["accepted_languages", "collection_of", "in_turn", "kpi_engine_of"]


def collection_of(request: Request) -> Collection:
    """The app's :class:`Collection`, made on first use from the environment's policy."""
    state = request.app.state
    if getattr(state, "collection", None) is None:
        # Answer rules run after the answer's transaction when this process has a checker for
        # them (the app's lifespan starts one with alerting's worker); otherwise inside it.
        answer_rules = "after" if getattr(state, "answer_checker", None) is not None else "now"
        state.collection = Collection(state.store, policy=policy_from_env(), answer_rules=answer_rules)
    return state.collection


def kpi_engine_of(request: Request) -> KPIEngine:
    """The app's :class:`KPIEngine`, shared by the REST API and the dashboard's requests."""
    from .kpi_engine import KPIEngine  # the KPI engine loads Ibis: the survey pages need none of it

    state = request.app.state
    if getattr(state, "kpi_engine", None) is None:
        state.kpi_engine = KPIEngine(state.store)
    return state.kpi_engine


async def in_turn(collection: Collection, call, *args, **kwargs):
    """Run a store write from an async endpoint. SQLite: right here, since its writes take
    turns anyway and a thread hop only adds cost. PostgreSQL: in the thread pool, so that
    requests wait for their commits side by side (the server groups them) instead of in a row."""
    if collection.store.dialect == "sqlite":
        return call(*args, **kwargs)
    return await run_in_threadpool(call, *args, **kwargs)


def accepted_languages(request: Request) -> list[str]:
    """The language tags of the browser's Accept-Language, in its order (weights ignored:
    browsers send them in order of preference)."""
    header = request.headers.get("accept-language", "")
    tags = []
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*":
            tags.append(tag)
    return tags
