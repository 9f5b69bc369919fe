"""Answers you can trust on the public ways in (the open survey link, the widget): rate limits
per address, per browser and per survey, and a quarantine for answers that look automated.

- :class:`PublicLimits` counts answers in sliding windows, in the server's memory (one web
  process; a restart forgets, which only lets a few more through), and says how long to wait:
  the endpoint answers 429 with ``Retry-After``. An address may be an office or a phone
  carrier's gateway, so its limit is generous; a browser (the survey page's cookie, the
  widget's id) gets few answers per survey; a survey has a ceiling that a bot farm hits first.
- :func:`suspicion` names what makes a request look like no person's browser (no user agent,
  or a scripting library's or a crawler's). Headless browsers are let through: they are how
  sites test their pages, and rate limits bound what a farm of them can do.
- :func:`quarantine` keeps such an answer apart, with its reason, in ``quarantined_answers``:
  nothing there counts in any KPI, since KPIs read ``responses`` only. :func:`release` lets an
  admin store it as the answer it would have been.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from ..errors import InputError
from ..store import Store
from ..store import schema as s

__all__ = [
    "LIMITS",
    "Limit",
    "PublicLimits",
    "list_quarantined",
    "quarantine",
    "release",
    "suspicion",
]


@dataclass(frozen=True)
class Limit:
    answers: int
    seconds: float


LIMITS = {
    "address": Limit(30, 60.0),  # one address, one survey: an office answering together stays under
    "browser": Limit(12, 3600.0),  # one browser, one survey: a person answers once; a kiosk a few an hour
    "survey": Limit(600, 60.0),  # every answer of one survey: ten a second is a campaign or an attack
}

_SCRIPTS = re.compile(
    r"^$|curl|wget|python|httpx|aiohttp|requests|go-http|java/|okhttp|libwww|node-fetch|axios|postman|"
    r"phantomjs|scrapy|bot\b",
    re.IGNORECASE,
)


class PublicLimits:
    """Sliding-window counters of answers by address, browser and survey."""

    def __init__(self, limits: dict[str, Limit] | None = None, clock=time.monotonic) -> None:
        self.limits = limits or LIMITS
        self.clock = clock
        self._seen: dict[tuple, dict] = {}  # key → {answer: first seen}
        self._lock = threading.Lock()

    def check(
        self, survey_id: int, address: str | None, browser: str | None, answer: str | None = None
    ) -> tuple[str, int] | None:
        """None, and the answer is counted; or (what was exceeded, seconds to wait). ``answer``
        names the answer a post belongs to (the form's nonce, the widget's id): the steps of
        one answer (score, then comment; a double click) count once."""
        now = self.clock()
        keys = [("survey", survey_id)]
        if address:
            keys.append(("address", survey_id, address))
        if browser:
            keys.append(("browser", survey_id, browser))
        with self._lock:
            counted = [self._seen.setdefault(key, {}) for key in keys]
            for key, seen in zip(keys, counted, strict=True):
                limit = self.limits[key[0]]
                for old in [a for a, at in seen.items() if at <= now - limit.seconds]:
                    del seen[old]
                if answer is not None and answer in seen:
                    continue
                if len(seen) >= limit.answers:
                    return key[0], max(1, int(min(seen.values()) + limit.seconds - now) + 1)
            mark = answer if answer is not None else object()
            for seen in counted:
                seen.setdefault(mark, now)
            if len(self._seen) > 100_000:  # forget idle keys rather than grow without end
                self._seen = {k: v for k, v in self._seen.items() if v}
        return None


def suspicion(headers) -> str | None:
    """Why a request looks like no person's browser, or None. ``headers``: the request's."""
    agent = headers.get("user-agent", "")
    if _SCRIPTS.search(agent):
        return f"no browser: user agent {agent[:80]!r}" if agent else "no browser: no user agent"
    return None


def quarantine(
    store: Store,
    survey_id: int,
    external_id: str,
    payload: dict,
    reason: str,
    now: datetime | None = None,
) -> int:
    """Keep an answer apart, out of every KPI, with why; the same external id is kept once."""
    q = s.quarantined_answers
    with store.engine.begin() as conn:
        found = conn.execute(sa.select(q.c.id).where(q.c.external_id == external_id)).scalar()
        if found is not None:
            conn.execute(q.update().where(q.c.id == found).values(payload=payload))
            return found
        return conn.execute(
            q.insert()
            .values(
                survey_id=survey_id,
                external_id=external_id,
                payload=payload,
                reason=reason[:200],
                created_at=now or datetime.now(UTC),
            )
            .returning(q.c.id)
        ).scalar_one()


def list_quarantined(store: Store, limit: int = 200) -> list[dict]:
    """Quarantined answers not yet released, newest first."""
    q = s.quarantined_answers
    query = sa.select(q).where(q.c.released_at.is_(None)).order_by(q.c.created_at.desc(), q.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def release(collection, quarantined_id: int) -> int:
    """Store a quarantined answer as the answer it would have been; returns the response id."""
    q = s.quarantined_answers
    with collection.store.engine.connect() as conn:
        row = conn.execute(sa.select(q).where(q.c.id == quarantined_id)).mappings().first()
    if row is None or row["released_at"] is not None:
        raise InputError(f"there is no quarantined answer {quarantined_id} left to release")
    survey = collection.catalog.by_id(row["survey_id"])
    p = row["payload"] or {}
    response_id = collection.answer_anonymously(
        survey, row["external_id"], p.get("score"), p.get("answers") or {}, p.get("channel") or "web", p.get("language")
    )
    with collection.store.engine.begin() as conn:
        conn.execute(q.update().where(q.c.id == quarantined_id).values(released_at=datetime.now(UTC)))
    return response_id
