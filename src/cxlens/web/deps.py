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
from ..collect.guarding import PublicLimits, Suspicions

if TYPE_CHECKING:
    from .kpi_engine import KPIEngine

__all__ = [
    "accepted_languages",
    "client_address",
    "collection_of",
    "in_turn",
    "kpi_engine_of",
    "public_limits_of",
    "suspicions_of",
]


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
    """Run a store write from an async endpoint, in the thread pool: a write may wait for the
    store's lock (a long import holds SQLite's), and waiting on the event loop would stall every
    other request, ``/health`` included. On PostgreSQL requests also wait for their commits side
    by side (the server groups them) instead of in a row."""
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


def public_limits_of(request: Request) -> PublicLimits:
    """The app's rate limits of the public ways in (open survey link, widget)."""
    state = request.app.state
    if getattr(state, "public_limits", None) is None:
        state.public_limits = PublicLimits()
    return state.public_limits


def suspicions_of(request: Request) -> Suspicions:
    """The app's quarantine rules of the public ways in (bursts, duplicates of one device)."""
    state = request.app.state
    if getattr(state, "suspicions", None) is None:
        state.suspicions = Suspicions()
    return state.suspicions


def client_address(request: Request) -> str | None:
    """The client's address (behind a proxy: run uvicorn with --forwarded-allow-ips)."""
    return request.client.host if request.client else None
