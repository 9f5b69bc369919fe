"""A realistic, deterministic demo company: Northwind Gear (outdoor gear and the Trail+ app).

Everything is drawn with NumPy from one seeded generator, column by column (no Python loop
per row), and written through the import path (``import_table``), so the demo obeys the same
checks as a customer's file and scales to benchmark sizes (millions of responses in chunks).

The story the data tells, so that analytics have something true to find:

* each customer has a latent satisfaction; their scores, comments, tickets and churn follow it;
* comments say what a customer at that touchpoint with that score would say, in their language;
* support response times are skewed (log-normal) and differ by channel;
* deliveries got much worse in the last two complete months, a renewal was charged twice in
  the last weeks, and some customers wrote in a rage in the last days (``incidents``: alerts
  have real events to find); cases followed the detractors up (``casework``);
* customers who churn mostly had bad experiences, and their churn reasons say so;
* every answer follows the thing it is about: a survey at a journey step is answered by a
  customer who has that event, a few hours to a few days after it; a support survey by the
  customer of a solved ticket on that channel, shortly after it was solved;
* nothing happens at or after ``end``: a churn, reply or solve that would fall later has not
  happened yet (the customer is active, the ticket is waiting);
* the company has sent its surveys with cxlens for the last ``COLLECTION_DAYS`` (older answers
  came from its previous tool): every e-mail answer of that time has its invitation, sent
  between the event and the answer; other invitations went unanswered (each survey at its own
  response rate), were skipped with the reason cxlens gives (fatigue after a recent
  invitation, an opt-out, too late) or wait in ``pending`` (due in the last hours, held by
  quiet hours). Chat and phone support ask in the conversation: no invitation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ..collect.surveys import load_surveys
from ..errors import InputError
from ..ingest import import_table
from ..ingest.journeys import read_journey_map
from ..store import Store, schema
from . import casework, people
from .alerting import load_alerting
from .company import (
    ANSWER_LAG,
    CHURN_REASONS_BAD,
    CHURN_REASONS_OTHER,
    COLLECTION_DAYS,
    DATA_TABLES,
    DAY_US,
    LOCALE_P,
    LOCALES,
    LOOP_TABLES,
    PERSONAS,
    PLAN_PRICE,
    PLANS,
    REDRAWS,
    SEGMENT_P,
    SEGMENTS,
    SUPPORT_ANSWER_LAG,
    SUPPORT_CHANNELS,
    SUPPORT_SHARE,
    SURVEY_WEIGHTS,
    TIMEZONES,
    TOUCHPOINT_EFFECT,
)
from .customer_voice import CustomerVoice
from .incidents import DELIVERY_DROP, Incidents
from .invitations import InvitationHistory
from .phrases import PHRASES, SENTIMENTS, TOPIC_TOUCHPOINTS, phrases_for
from .wording import Wording

__all__ = ["DemoSummary", "generate_demo", "JOURNEYS_FILE"]

JOURNEYS_FILE = Path(__file__).parent / "journeys.yaml"
HISTORY_DAYS = 730
CHUNK = 1_000_000

Progress = Callable[[str, int, int], None]


@dataclass
class DemoSummary:
    """Rows inserted by kind; or, when ``skipped``, the rows the store already held."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False  # the store already held data and reset was not asked: nothing written
    loop: dict[str, int] = field(default_factory=dict)  # closing the loop: staff, team members, cases, …

    def describe(self) -> str:
        parts = ", ".join(f"{n:,} {_WORDS.get(k, k.replace('_', ' '))}" for k, n in self.counts.items())
        if self.skipped:
            return (
                f"The store already holds data ({parts}); nothing generated. "
                "Use --reset to replace it with a new demo company."
            )
        loop = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in self.loop.items())
        return f"Demo company Northwind Gear generated: {parts}." + (f" Closing the loop: {loop}." if loop else "")


# How the summary names the rows of a table whose name is not a plural of things.
_WORDS = {"revenue": "payments"}


class _Demo(InvitationHistory, CustomerVoice):
    def __init__(self, store: Store, seed: int, end: datetime, progress: Progress | None):
        self.store = store
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.end_us = int(end.timestamp() * 1_000_000)
        self.start_us = self.end_us - HISTORY_DAYS * DAY_US
        self.progress = progress or (lambda stage, done, total: None)
        self.summary = DemoSummary()
        # What answers can be about, per touchpoint: (customers, times) of its events, or of the
        # solved tickets on a support channel. Every time is at least 2 µs before the
        # customer's active life ends, so an answer fits strictly between.
        self.anchors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.jmap = read_journey_map(JOURNEYS_FILE)
        self.surveys = {s.key: s for s in self.jmap.surveys}
        # Invitations draw from their own stream, so adding them left every other table as it was.
        self.inv_rng = np.random.default_rng([seed, 4])
        self.collect_from_us = self.end_us - COLLECTION_DAYS * DAY_US
        self.answered: list[tuple[np.ndarray, ...]] = []  # per chunk: number, survey, who, anchor, submitted
        self.incidents = Incidents(seed, end, LOCALES)
        self._phrase_index()

    # -- helpers --------------------------------------------------------------------------

    def _write(self, kind: str, table: pa.Table) -> None:
        # A new demo store has no other writer: one transaction each, the fastest way in.
        result = import_table(self.store, kind, table, source=f"demo {kind}", one_transaction=True)
        self.summary.counts[kind] = self.summary.counts.get(kind, 0) + result.inserted

    def _ts(self, micros: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        """Timestamps (null where not ``valid``). Nothing is clipped at ``end``: the generator
        itself keeps every time strictly before it (and the tests check that it does)."""
        at = np.maximum(micros, self.start_us).astype("datetime64[us]")
        return pa.array(at, pa.timestamp("us", tz="UTC"), mask=None if valid is None else ~valid)

    def _ids(self, prefix: str, start: int, n: int) -> pa.Array:
        numbers = pc.cast(pa.array(np.arange(start + 1, start + n + 1)), pa.string())
        return pc.binary_join_element_wise(pa.scalar(prefix), pc.utf8_lpad(numbers, 7, "0"), "")

    def _phrase_index(self) -> None:
        """One flat phrase array and, per (topic, sentiment, language), where its phrases lie."""
        self.topics = list(PHRASES)
        # Sentiment 0, 1, 2 as the score model digitizes scores: negative, neutral, positive.
        sentiments = ("negative", "neutral", "positive")
        assert set(sentiments) == set(SENTIMENTS)
        flat: list[str] = []
        flat_languages: list[str] = []
        self.offset = np.zeros((len(self.topics), 3, len(LOCALES)), np.int64)
        self.size = np.zeros_like(self.offset)
        for ti, topic in enumerate(self.topics):
            for si, sentiment in enumerate(sentiments):
                for li, lang in enumerate(LOCALES):
                    phrases = phrases_for(topic, sentiment, str(lang))
                    self.offset[ti, si, li] = len(flat)
                    self.size[ti, si, li] = len(phrases)
                    flat.extend(phrases)
                    flat_languages.extend([str(lang)] * len(phrases))
        self.flat = pa.array(flat, pa.string())
        self.wording = Wording(flat, flat_languages, [str(x) for x in LOCALES], self.offset, self.size, self.seed)
        topic_of = {t: i for i, t in enumerate(self.topics)}
        self.touchpoint_topics = {}
        for tp in self.jmap.touchpoint_keys():
            found = [topic_of[t] for t, tps in TOPIC_TOUCHPOINTS.items() if tp in tps and t in topic_of]
            self.touchpoint_topics[tp] = np.array(found or list(range(len(self.topics))))

    def _phrases(self, topic: np.ndarray, sentiment: np.ndarray, lang: np.ndarray) -> pa.Array:
        off = self.offset[topic, sentiment, lang]
        pick = off + np.floor(self.rng.random(len(off)) * self.size[topic, sentiment, lang]).astype(np.int64)
        return self.wording.vary(pick, topic, sentiment, lang)

    def _topics_for(self, touchpoints: np.ndarray) -> np.ndarray:
        topic = np.zeros(len(touchpoints), np.int64)
        for tp, choices in self.touchpoint_topics.items():
            mask = touchpoints == tp
            topic[mask] = self.rng.choice(choices, mask.sum())
        return topic

    # -- the company ----------------------------------------------------------------------

    def customers(self, n: int) -> None:
        rng = self.rng
        self.n_customers = n
        self.lang = rng.choice(len(LOCALES), n, p=LOCALE_P)
        self.latent = rng.normal(0, 1, n)
        self.segment = rng.choice(SEGMENTS, n, p=SEGMENT_P)
        self.plan = rng.choice(len(PLANS), n, p=[0.35, 0.3, 0.25, 0.1])
        # Sign-ups grow over time: more customers joined recently.
        self.signup_us = self.start_us + (np.sqrt(rng.random(n)) * (HISTORY_DAYS - 30) * DAY_US).astype(np.int64)
        tenure_days = (self.end_us - self.signup_us) / DAY_US
        p_churn = 1 / (1 + np.exp(2.0 + 1.1 * self.latent - 0.0015 * tenure_days))
        self.churned = rng.random(n) < p_churn
        churn_after = rng.uniform(30, np.maximum(tenure_days, 31))
        churn_us = self.signup_us + (churn_after * DAY_US).astype(np.int64)
        # A churn that would come at or after the end of history has not happened: still a customer.
        self.churned &= churn_us < self.end_us
        self.churn_us = np.where(self.churned, churn_us, 0)
        bad_reason = rng.choice(CHURN_REASONS_BAD, n)
        other_reason = rng.choice(CHURN_REASONS_OTHER, n)
        reason = np.where(self.latent + rng.normal(0, 0.5, n) < -0.3, bad_reason, other_reason)
        self.ids = self._ids("cust-", 0, n)
        first, last = people.names(rng, LOCALES[self.lang])
        acquisition = rng.lognormal(
            np.log(np.select([self.segment == "enterprise", self.segment == "mid-market"], [900, 250], 40)), 0.5
        )
        table = pa.table(
            {
                "external_id": self.ids,
                "name": pc.binary_join_element_wise(pa.array(first), pa.array(last), " "),
                "email": pc.binary_join_element_wise(self.ids, pa.scalar("example.com"), "@"),
                "locale": pa.array(LOCALES[self.lang]),
                "timezone": pa.array(np.vectorize(TIMEZONES.get)(LOCALES[self.lang])),
                "segment": pa.array(self.segment),
                "plan": pa.array(PLANS[self.plan]),
                "persona": pa.array(rng.choice(PERSONAS, n, p=[0.45, 0.15, 0.3, 0.1])),
                "signed_up_at": self._ts(self.signup_us),
                "churned_at": self._ts(self.churn_us, self.churned),
                "churn_reason": pa.array(reason, mask=~self.churned),
                "acquisition_cost": pa.array(np.round(acquisition, 2)),
            }
        )
        self._write("customers", table)
        self.progress("customers", n, n)

    def _active_until(self) -> np.ndarray:
        return np.where(self.churned, self.churn_us, self.end_us)

    def _moment(self, who: np.ndarray, after_days: np.ndarray | float = 0.0) -> np.ndarray:
        """A random time in each customer's active life, at least ``after_days`` after sign-up."""
        start = self.signup_us[who] + (np.asarray(after_days) * DAY_US).astype(np.int64)
        until = np.maximum(self._active_until()[who], start + DAY_US)
        return start + (self.rng.random(len(who)) * (until - start)).astype(np.int64)

    def events(self) -> None:
        """Each customer's path through the journeys: a step is reached only after the step it
        follows (so funnels drop off), and happier customers go further."""
        rng, n = self.rng, self.n_customers
        steps = [  # touchpoint, follows, share of those reaching it, days after sign-up (mean)
            ("website-visit", None, 1.0, -10),
            ("webinar", "website-visit", 0.25, -5),
            ("sales-call", "website-visit", 0.2, -3),
            ("checkout", "website-visit", 1.0, 0),
            ("delivery", "checkout", 0.97, 4),
            ("account-setup", "checkout", 0.9, 1),
            ("first-use", "account-setup", 0.85, 3),
            ("mobile-app", "first-use", 0.7, 7),
            ("onboarding-call", "account-setup", 0.3, 5),
            ("help-center", "first-use", 0.5, 30),
            ("renewal-notice", "first-use", 0.95, 335),
            ("renewal-payment", "renewal-notice", 0.85, 365),
        ]
        customer, touchpoint, at = [], [], []
        reached: dict[str, np.ndarray] = {}
        for tp, follows, share, days in steps:
            p = np.clip(share + 0.05 * self.latent, 0, 1) if share < 1 else np.ones(n)
            when = self.signup_us + ((days + rng.exponential(2.0, n)) * DAY_US).astype(np.int64)
            when = np.maximum(when, self.start_us)  # history starts at start: earlier visits show there
            before = reached[follows] if follows else np.ones(n, bool)
            # Only while the customer is active, and before the end (with room for an answer).
            mask = before & (rng.random(n) < p) & (when < self._active_until() - 1)
            reached[tp] = mask
            self.anchors[tp] = (np.flatnonzero(mask), when[mask])
            customer.append(np.flatnonzero(mask))
            touchpoint.append(np.full(mask.sum(), tp))
            at.append(when[mask])
        who = np.concatenate(customer)
        table = pa.table(
            {
                "external_id": self._ids("ev-", 0, len(who)),
                "customer": self.ids.take(pa.array(who)),
                "touchpoint": pa.array(np.concatenate(touchpoint)),
                "occurred_at": self._ts(np.concatenate(at)),
            }
        )
        self._write("events", table)
        self.progress("events", table.num_rows, table.num_rows)

    def responses(self, total: int) -> None:
        """Survey answers, each about an event (or a solved ticket) that came before it: run
        after ``events`` and ``tickets``. A survey whose touchpoint has nothing to answer
        about (possible only in a tiny company) gets no answers; the others share them."""
        support_ok = np.array([len(self.anchors.get(tp, ((),))[0]) > 0 for tp in SUPPORT_CHANNELS])
        self.support_p = SUPPORT_SHARE * support_ok / max((SUPPORT_SHARE * support_ok).sum(), 1e-9)

        def answerable(key: str) -> bool:
            if key == "support-csat":
                return bool(support_ok.any())
            return len(self.anchors.get(self.surveys[key].touchpoint, ((),))[0]) > 0

        keys = [k for k in SURVEY_WEIGHTS if answerable(k)]
        if not keys:
            return
        weights = np.array([SURVEY_WEIGHTS[k] for k in keys])
        done = 0
        while done < total:
            n = min(CHUNK, total - done)
            self._write("responses", self._response_chunk(n, done, keys, weights / weights.sum()))
            done += n
            self.progress("responses", done, total)

    def _response_chunk(self, n: int, start: int, keys: list[str], p: np.ndarray) -> pa.Table:
        rng = self.rng
        survey_i = rng.choice(len(keys), n, p=p)
        survey = np.array(keys)[survey_i]
        touchpoint = np.array([self.surveys[k].touchpoint for k in keys])[survey_i]
        support = survey == "support-csat"
        touchpoint[support] = rng.choice(list(SUPPORT_CHANNELS), support.sum(), p=self.support_p)
        who, submitted, anchor = self._answers(touchpoint)
        invited = (submitted >= self.collect_from_us) & ((touchpoint == "support-email") | ~support)
        self.answered.append(
            (np.flatnonzero(invited) + start + 1, survey[invited], who[invited], anchor[invited], submitted[invited])
        )
        effect = np.vectorize(lambda t: TOUCHPOINT_EFFECT.get(t, 0.0))(touchpoint)
        recent_delivery = self.incidents.delivery_effect(touchpoint, submitted)
        effect = effect - DELIVERY_DROP * recent_delivery
        y = 0.9 * self.latent[who] + effect + rng.normal(0, 0.8, n)
        metric = np.array([self.surveys[k].metric for k in keys])[survey_i]
        score = np.select(
            [metric == "nps", metric == "csat", metric == "ces"],
            [
                np.clip(np.rint(8.0 + 2.0 * y), 0, 10),
                np.clip(np.rint(4.0 + 1.0 * y), 1, 5),
                np.clip(np.rint(5.4 + 1.3 * y), 1, 7),
            ],
        ).astype(np.int64)
        sentiment = np.select(
            [metric == "nps", metric == "csat", metric == "ces"],
            [np.digitize(score, [7, 9]), np.digitize(score, [3, 4]), np.digitize(score, [4, 5])],
        )
        topic = self._topics_for(touchpoint)
        topic = np.where(recent_delivery & (sentiment == 0), self.topics.index("late_delivery"), topic)
        has_comment = rng.random(n) < np.where(sentiment == 0, 0.55, 0.35)
        comments = self._phrases(topic, sentiment, self.lang[who])
        lang = pa.array(LOCALES[self.lang[who]])
        table = pa.table(
            {
                "external_id": self._ids("resp-", start, n),
                "survey": pa.array(survey),
                "customer": self.ids.take(pa.array(who)),
                "touchpoint": pa.array(touchpoint),
                "channel": pa.array(
                    np.where(support, np.vectorize(lambda t: SUPPORT_CHANNELS.get(t, "email"))(touchpoint), "email")
                ),
                "submitted_at": self._ts(submitted),
                "score": pa.array(score),
                "comment": pc.if_else(pa.array(has_comment), comments, pa.scalar(None, pa.string())),
                "language": pc.if_else(pa.array(has_comment), lang, pa.scalar(None, pa.string())),
            }
        )
        return self.incidents.answers(table, touchpoint, metric, submitted, self.lang[who])

    def _answers(self, touchpoints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each answer, who gave it, when, and when what it is about happened: an event at its touchpoint (or a solved ticket
        on its support channel) drawn at random, and a log-normal lag after it. An answer that
        would fall after the customer's active life (churn, or the end of history) has not been
        given: it is redrawn; the few left after ``REDRAWS`` rounds fall uniformly between their
        event and that limit. Every touchpoint asked for must have anchors."""
        rng, n = self.rng, len(touchpoints)
        who = np.zeros(n, np.int64)
        anchor = np.zeros(n, np.int64)
        at = np.zeros(n, np.int64)
        active_until = self._active_until()
        todo = np.arange(n)
        for _ in range(REDRAWS):
            tps = touchpoints[todo]
            for tp, (customers, times) in self.anchors.items():
                idx = todo[tps == tp]
                if not len(idx):
                    continue
                median, sigma = SUPPORT_ANSWER_LAG if tp in SUPPORT_CHANNELS else ANSWER_LAG
                pick = rng.integers(0, len(customers), len(idx))
                lag = np.maximum((rng.lognormal(np.log(median), sigma, len(idx)) * 1e6).astype(np.int64), 1)
                who[idx] = customers[pick]
                anchor[idx] = times[pick]
                at[idx] = times[pick] + lag
            todo = todo[at[todo] >= active_until[who[todo]]]
            if not len(todo):
                break
        if len(todo):  # anchors are >= 2 µs before the limit: there is room strictly between
            room = active_until[who[todo]] - anchor[todo]
            at[todo] = anchor[todo] + 1 + (rng.random(len(todo)) * (room - 1)).astype(np.int64)
        return who, at, anchor

    def revenue(self) -> None:
        """Monthly subscription payments while active, plus gear orders at checkout."""
        rng = self.rng
        months = ((self._active_until() - self.signup_us) // (30 * DAY_US)).astype(np.int64) + 1
        paying = PLAN_PRICE[self.plan] > 0
        months = np.where(paying, months, 0)
        who = np.repeat(np.arange(self.n_customers), months)
        k = np.arange(len(who)) - np.repeat(np.cumsum(months) - months, months)
        at = self.signup_us[who] + k * 30 * DAY_US
        paid = at < self._active_until()[who]  # none at or after churn or the end
        who, at = who[paid], at[paid]
        amount = PLAN_PRICE[self.plan][who]
        orders = rng.poisson(1.5, self.n_customers) + 1
        owho = np.repeat(np.arange(self.n_customers), orders)
        oat = self._moment(owho)
        oamount = np.round(rng.lognormal(np.log(120), 0.7, len(owho)), 2)
        all_who = np.concatenate([who, owho])
        table = pa.table(
            {
                "external_id": self._ids("pay-", 0, len(all_who)),
                "customer": self.ids.take(pa.array(all_who)),
                "occurred_at": self._ts(np.concatenate([at, oat])),
                "amount": pa.array(np.concatenate([amount, oamount])),
                "currency": pa.array(np.full(len(all_who), "EUR")),
            }
        )
        self._write("revenue", table)
        self.progress("revenue", table.num_rows, table.num_rows)


def generate_demo(
    store: Store,
    *,
    customers: int = 3000,
    responses: int = 20000,
    seed: int = 7,
    end: date | datetime | None = None,
    reset: bool = False,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate the demo company into ``store``. Same seed and ``end``, same data.

    ``end`` is where the two years of history stop: every timestamp is strictly before it.
    Default: the start of the current day (midnight UTC), so the same seed gives the same data
    all day long; a date means the end of that day (the next midnight, UTC); a datetime without
    a time zone is UTC. Tickets, mentions, feature requests and revenue scale with the number
    of customers.

    A store that already holds data (customers, responses, tickets, …) is left as it is unless
    ``reset``: the summary then has ``skipped`` set and counts what the store holds. With
    ``reset``, every data table (``DATA_TABLES``: alerts, cases and team members too) is emptied
    in one transaction first; the journey map, users, API keys, alert rules, notifiers, settings
    and the import log are kept. The summary counts the rows inserted; ``loop`` the staff, team
    members and cases of the closed loop (``casework``).
    """
    t0 = time.perf_counter()
    end_at = _end_of_history(end)
    if customers < 10:
        raise InputError(f"--customers {customers}: the demo needs at least 10 customers")
    held = _held(store)
    if held and not reset:
        return DemoSummary(counts=held, seconds=time.perf_counter() - t0, skipped=True)
    if reset:
        _clear(store)
    load_surveys(store, JOURNEYS_FILE)  # the collection settings (languages, texts) checked too
    demo = _Demo(store, seed, end_at, progress)
    demo.customers(customers)
    demo.events()
    # Tickets before responses: support surveys answer solved tickets.
    demo.tickets(max(customers * 2, 10))
    demo.responses(responses)
    demo.invitations(responses)
    demo.mentions(max(customers // 4, 10))
    demo.revenue()
    demo.feature_requests(max(customers // 8, 10))
    for kind, table in demo.incidents.extra_rows(demo, max(customers * 2, 10), max(customers // 4, 10)).items():
        demo._write(kind, table)
    demo.summary.loop = casework.write_casework(store, seed=seed, end=end_at)
    load_alerting(store)
    demo.summary.seconds = time.perf_counter() - t0
    return demo.summary


def _end_of_history(end: date | datetime | None) -> datetime:
    if end is None:
        return datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if not isinstance(end, datetime):
        return datetime(end.year, end.month, end.day, tzinfo=timezone.utc) + timedelta(days=1)
    return end if end.tzinfo is not None else end.replace(tzinfo=timezone.utc)


def _held(store: Store) -> dict[str, int]:
    """The data tables that hold rows, and how many (cases and alerts hang off them: not counted)."""
    with store.engine.connect() as conn:
        counts = {
            name: conn.execute(sa.select(sa.func.count()).select_from(schema.TABLES[name])).scalar_one()
            for name in DATA_TABLES
            if name not in LOOP_TABLES
        }
    return {name: n for name, n in counts.items() if n}


def _clear(store: Store) -> None:
    """Delete every row of the data tables, children before parents, in one transaction."""
    with store.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            if table.name in DATA_TABLES:
                conn.execute(sa.delete(table))
