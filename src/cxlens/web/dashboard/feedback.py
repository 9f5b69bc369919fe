"""Feedback: the stream of survey comments and mentions (reviews, social posts), searchable
and filtered by kind and sentiment. An open first page of a view that reaches today polls
for what is new and puts it on top.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ...access import Session
from ...errors import InputError
from ...store.reads import FEEDBACK_PAGE, SENTIMENTS, feedback_stream
from .filters import Filters
from .render import error_page, page_context, render
from .session import current_session

__all__ = ["FEEDBACK_POLL_SECONDS", "router"]

router = APIRouter(include_in_schema=False)
# How often an open Feedback page asks for what is new (the Overview's tiles: every minute;
# comments are what a CX lead watches arrive).
FEEDBACK_POLL_SECONDS = 10


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _poll_marker(q) -> tuple[datetime | None, tuple[tuple[str, int], ...]]:
    """The ``after`` and ``seen`` of a poll for new feedback (None: not a poll)."""
    if not q.get("after"):
        return None, ()
    try:
        after = _utc(datetime.fromisoformat(q["after"]))
        seen = tuple((k, int(i)) for k, _, i in (p.partition(":") for p in (q.get("seen") or "").split(",") if p))
    except ValueError:
        raise InputError(
            f"after={q['after']!r} seen={q.get('seen')!r}: not the marker this page writes; reload it"
        ) from None
    return after, seen


def _next_poll(filters: Filters, q, items: list[dict], after: datetime, seen=()) -> str:
    """The query of the next poll: from the newest item shown, those at that moment seen."""
    if items:
        newest = _utc(items[0]["at"])
        seen = [
            *(x for x in seen if newest == after),
            *((i["kind"], i["id"]) for i in items if _utc(i["at"]) == newest),
        ]
        after = newest
    return filters.query(
        q=q.get("q") or None,
        kind=q.get("kind") or None,
        sentiment=q.get("sentiment") or None,
        after=after.isoformat(),
        seen=",".join(f"{k}:{i}" for k, i in seen) or None,
    )


def _items(request: Request, filters: Filters, page: int, after: datetime | None, seen) -> list[dict]:
    q = request.query_params
    return feedback_stream(
        request.app.state.store,
        filters.since,
        filters.until,
        **filters.chosen(),
        search=q.get("q"),
        kind=q.get("kind") or None,
        sentiment=q.get("sentiment") or None,
        page=page,
        after=after,
        seen=seen,
    )


def _new_items(request: Request, filters: Filters, items: list[dict], after: datetime, seen) -> Response:
    """A poll's answer: the new items to put on top with the next poll, or 204 for none."""
    if not items:
        return Response(status_code=204)
    return render(
        request,
        "dashboard/feedback_new.html",
        {
            "items": items,
            "poll": _next_poll(filters, request.query_params, items, after, seen),
            "poll_every": FEEDBACK_POLL_SECONDS,
        },
    )


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(request: Request, session: Session = Depends(current_session)):
    """The stream; with ``after`` (the page's own poll) only the items new since then, to be
    put on top, or 204 when there are none."""
    q = request.query_params
    try:
        filters = Filters.from_request(request)
        page = int(q.get("page") or 0)
        if page < 0:
            raise InputError(f"page={page}: pages count from 0")
        after, seen = _poll_marker(q)
        items = _items(request, filters, page, after, seen)
    except InputError as exc:  # before ValueError: an InputError is one too
        if q.get("after"):
            raise HTTPException(422, str(exc)) from None  # a poll's error must not land inside the list
        return error_page(request, exc)
    except ValueError:
        return error_page(request, InputError(f"page={q.get('page')!r} is not a whole number"))
    if after is not None:
        return _new_items(request, filters, items, after, seen)
    since = datetime.combine(filters.since, datetime.min.time(), UTC)
    today = datetime.now(UTC).date()
    live = page == 0 and filters.until > today
    return render(
        request,
        "dashboard/feedback.html",
        page_context(
            request,
            filters,
            items=items,
            search=q.get("q") or "",
            kind=q.get("kind") or "",
            sentiment=q.get("sentiment") or "",
            sentiments=SENTIMENTS,
            page=page,
            page_size=FEEDBACK_PAGE,
            live=live,
            poll=_next_poll(filters, q, items, since) if live else None,
            poll_every=FEEDBACK_POLL_SECONDS,
            tomorrow=str(today + timedelta(days=1)),
            title="Feedback",
        ),
    )
