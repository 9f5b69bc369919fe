"""The demo's customer voice besides the survey answers: support tickets, review and social
mentions, and feature requests."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import people
from .company import (
    FIRST_REPLY_MEDIAN,
    LOCALES,
    RESOLUTION_MEDIAN,
    REVIEW_SOURCES,
    SOCIAL_SOURCES,
    SUPPORT_CHANNELS,
    TEAMS,
)
from .phrases import FEATURE_REQUESTS

__all__ = ["CustomerVoice"]


class CustomerVoice:
    """The tickets, mentions and feature requests of the demo generator (a base of its ``_Demo``:
    it uses the generator's random numbers, customers and phrases, in the order the generator
    draws them). ``tickets`` also notes the solved tickets that support surveys answer."""

    def tickets(self, n: int) -> None:
        rng = self.rng
        # Unhappy customers write in more often.
        weight = np.exp(-0.6 * self.latent)
        who = rng.choice(self.n_customers, n, p=weight / weight.sum())
        tp = rng.choice(list(SUPPORT_CHANNELS), n, p=[0.45, 0.35, 0.2])
        channel = np.vectorize(SUPPORT_CHANNELS.get)(tp)
        created = self._moment(who)
        reply_med = np.vectorize(FIRST_REPLY_MEDIAN.get)(channel)
        solve_med = np.vectorize(RESOLUTION_MEDIAN.get)(channel)
        first_reply = rng.lognormal(np.log(reply_med), 1.0)
        first_at = created + (first_reply * 1e6).astype(np.int64)
        resolution = np.maximum(rng.lognormal(np.log(solve_med), 1.1), first_reply + 1)
        solved_at = created + (resolution * 1e6).astype(np.int64)
        # A reply or solve that would come at or after the end has not happened yet: the ticket
        # waits (new: no reply yet; pending: replied, not solved).
        replied = (rng.random(n) < 0.97) & (first_at < self.end_us)
        solved = replied & (solved_at < self.end_us) & (rng.random(n) < 0.95)
        reopens = rng.poisson(np.where(self.latent[who] < -0.5, 0.35, 0.1))
        replies = 1 + rng.poisson(np.where(channel == "email", 1.6, 0.8)) + reopens
        team = rng.choice(TEAMS, n, p=[0.7, 0.2, 0.1])
        agent = people.agents(rng, team)
        topic = self._topics_for(tp)
        lang = self.lang[who]
        subject_topic = np.array(self.topics)[topic]
        # Support surveys answer solved tickets: a customer still active after the solve.
        answerable = solved & (solved_at < self._active_until()[who] - 1)
        for channel_tp in SUPPORT_CHANNELS:
            mask = answerable & (tp == channel_tp)
            self.anchors[channel_tp] = (who[mask], solved_at[mask])
        table = pa.table(
            {
                "external_id": self._ids("T-", 0, n),
                "customer": self.ids.take(pa.array(who)),
                "touchpoint": pa.array(tp),
                "channel": pa.array(channel),
                "team": pa.array(team),
                "agent": pa.array(agent),
                "status": pa.array(
                    np.where(
                        solved, np.where(rng.random(n) < 0.7, "closed", "solved"), np.where(replied, "pending", "new")
                    )
                ),
                "priority": pa.array(rng.choice(["low", "normal", "high", "urgent"], n, p=[0.2, 0.6, 0.15, 0.05])),
                "created_at": self._ts(created),
                "first_response_at": self._ts(first_at, replied),
                "solved_at": self._ts(solved_at, solved),
                "reopens": pa.array(reopens),
                "replies": pa.array(np.where(replied, replies, 0)),
                "handle_seconds": pa.array(
                    np.round(rng.lognormal(np.log(np.where(channel == "phone", 420, 600)), 0.6), 1)
                ),
                "subject": pa.array(np.char.replace(subject_topic, "_", " ")),
                "text": self._phrases(topic, np.zeros(n, np.int64), lang),
                "tags": pa.array(subject_topic),
                "language": pa.array(LOCALES[lang]),
            }
        )
        self._write("tickets", table)
        # Opening a ticket is the customer's event at its touchpoint: the Get help funnel counts
        # customers reaching support by these, as a helpdesk integration would send them.
        self._write(
            "events",
            pa.table(
                {
                    "external_id": self._ids("ev-T-", 0, n),
                    "customer": table["customer"],
                    "touchpoint": table["touchpoint"],
                    "occurred_at": table["created_at"],
                }
            ),
        )
        self.progress("tickets", n, n)

    def mentions(self, n: int) -> None:
        rng = self.rng
        who = rng.integers(0, self.n_customers, n)
        review = rng.random(n) < 0.7
        rating = np.clip(np.rint(3.9 + 1.2 * self.latent[who] + rng.normal(0, 0.7, n)), 1, 5).astype(np.int64)
        sentiment = np.digitize(rating, [3, 4])
        topic = rng.integers(0, len(self.topics), n)
        source = np.where(review, rng.choice(REVIEW_SOURCES, n), rng.choice(SOCIAL_SOURCES, n))
        ids = self._ids("m-", 0, n)
        table = pa.table(
            {
                "external_id": ids,
                "source": pa.array(source),
                "kind": pa.array(np.where(review, "review", "social")),
                "rating": pa.array(rating.astype(float), mask=~review),
                "text": self._phrases(topic, sentiment, self.lang[who]),
                "author": pa.array(people.handles(rng, n)),
                "posted_at": self._ts(self._moment(who, 7.0)),
                "url": pc.binary_join_element_wise(pa.scalar("https://reviews.example/northwind/"), ids, ""),
                "language": pa.array(LOCALES[self.lang[who]]),
            }
        )
        self._write("mentions", table)
        self.progress("mentions", n, n)

    def feature_requests(self, n: int) -> None:
        rng = self.rng
        who = rng.integers(0, self.n_customers, n)
        lang = LOCALES[self.lang[who]]
        text = np.empty(n, dtype=object)
        for code in LOCALES:
            mask = lang == code
            options = FEATURE_REQUESTS.get(str(code)) or FEATURE_REQUESTS["en"]
            text[mask] = np.array(options, dtype=object)[rng.integers(0, len(options), mask.sum())]
        table = pa.table(
            {
                "external_id": self._ids("fr-", 0, n),
                "text": pa.array(text, pa.string()),
                "customer": self.ids.take(pa.array(who)),
                "votes": pa.array(rng.geometric(0.35, n)),
                "status": pa.array(
                    rng.choice(["open", "planned", "in_progress", "done", "declined"], n, p=[0.6, 0.15, 0.1, 0.1, 0.05])
                ),
                "created_at": self._ts(self._moment(who, 14.0)),
            }
        )
        self._write("feature_requests", table)
        self.progress("feature requests", n, n)
