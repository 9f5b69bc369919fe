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
- :class:`Suspicions` names answers that get in but look like stuffing: a **burst** (more answers
  to one survey from one address within minutes than a team answering together gives) and a
  **duplicate** (a device answering a survey it answered within the day: the open page's
  browser cookie, else the address and user agent together, which is all the widget has).
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
    "QUARANTINE_RULES",
    "Suspicions",
    "device_of",
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


QUARANTINE_RULES = {
    "burst": Limit(10, 600.0),  # one address, one survey: the 11th answer within 10 minutes
    "duplicate": Limit(1, 86400.0),  # one device, one survey: the 2nd answer within a day
}


class Suspicions:
    """Sliding windows of answers by address and by device, per survey: an answer beyond a
    rule's count within its window is kept but quarantined, with the rule as its reason. Like
    :class:`PublicLimits` it lives in the web process's memory."""

    def __init__(self, rules: dict[str, Limit] | None = None, clock=time.monotonic) -> None:
        self.rules = rules or QUARANTINE_RULES
        self.clock = clock
        self._seen: dict[tuple, dict[str, float]] = {}  # key → {answer: first seen}
        self._verdicts: dict[str, str | None] = {}  # answer → its reason, for its later steps
        self._lock = threading.Lock()

    def check(self, survey_id: int, address: str | None, device: str | None, answer: str) -> str | None:
        """Why this answer is quarantined, or None. ``answer`` names it (the form's nonce, the
        widget's id): its later steps (the comment after the score) get its first verdict."""
        now = self.clock()
        keys = []  # the device first: its reason is the more telling one
        if device:
            keys.append(("duplicate", survey_id, device))
        if address:
            keys.append(("burst", survey_id, address))
        with self._lock:
            if answer in self._verdicts:
                return self._verdicts[answer]
            reason = None
            for key in keys:
                rule = self.rules[key[0]]
                seen = self._seen.setdefault(key, {})
                for old in [a for a, at in seen.items() if at <= now - rule.seconds]:
                    del seen[old]
                if reason is None and len(seen) >= rule.answers:
                    reason = _reason(key[0], len(seen) + 1, rule, now - max(seen.values()))
            for key in keys:
                self._seen[key][answer] = now
            if len(self._verdicts) > 100_000:  # forget old verdicts and idle keys rather than grow
                self._verdicts.clear()
                self._seen = {k: v for k, v in self._seen.items() if v}
            self._verdicts[answer] = reason
        return reason


def _reason(rule_name: str, nth: int, rule: Limit, since_last: float) -> str:
    if rule_name == "burst":
        return f"burst: answer {nth} from one address to this survey within {rule.seconds / 60:g} min"
    return f"duplicate: this device answered this survey {max(1, round(since_last / 60))} min before"


def device_of(address: str | None, headers, cookie: str | None = None) -> str | None:
    """What tells one device from another: its cookie, else its address and user agent."""
    if cookie:
        return f"cookie:{cookie}"
    if not address:
        return None
    return f"{address}|{headers.get('user-agent', '')[:200]}"


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
