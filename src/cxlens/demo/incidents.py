"""The demo company's recent incidents: real events for alerts to find and cases to follow up.

Three things went wrong lately at Northwind Gear, on top of its everyday ups and downs:

* **Deliveries** (touchpoint ``delivery``): from the first day of the second-to-last complete
  month until the end, answers about a delivery sit ``DELIVERY_DROP`` lower on the latent
  satisfaction scale. Delivery CSAT falls from about 57 % to about 24 % (≈ 33 points) for the
  last two complete months (and the days since); late-delivery comments follow.
* **A billing error** (a renewal charged twice) in the last ``BILLING_DAYS`` days: extra tickets
  for the billing team (``BILLING_TICKET_SHARE`` of all tickets: its weekly volume about
  triples), extra reviews and posts (``BILLING_MENTION_SHARE`` of all mentions: 2.5× the usual
  daily count), and ``BILLING_ANSWER_SHARE`` of the answers at ``renewal-payment`` turned into
  detractors who say so.
* **Very angry answers** in the last ``ANGRY_DAYS`` days: ``ANGRY_SHARE`` of all answers (at
  least ``ANGRY_MIN``), NPS 0–2, each with an urgent word (cancel, refund, lawyer, …) in the
  customer's language, spread over every language the recent answers are in.

Everything here draws from its own random stream (``[seed, 8]``), so the rest of the company is
what it was; the sizes are shares, so they hold from the default demo to the 10M benchmark.
The words live in ``incidents.yaml``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from . import people

__all__ = [
    "ANGRY_DAYS",
    "BILLING_DAYS",
    "DELIVERY_DROP",
    "PHRASES_FILE",
    "Incidents",
    "incident_phrases",
    "months_back",
]

PHRASES_FILE = Path(__file__).parent / "incidents.yaml"
DAY_US = 86_400 * 1_000_000
DELIVERY_DROP = 1.2  # latent units (the answer model's noise has SD ≈ 1.2): ≈ 33 CSAT points
BILLING_DAYS = 12
BILLING_TICKET_SHARE = 0.02
BILLING_MENTION_SHARE = 0.08
BILLING_ANSWER_SHARE = 0.3
ANGRY_DAYS = 7
ANGRY_SHARE = 0.0004
ANGRY_MIN = 10
BILLING_TOUCHPOINT = "renewal-payment"
# Billing questions come mostly by e-mail: (touchpoint, channel, share, first-reply median s).
BILLING_CHANNELS = (
    ("support-email", "email", 0.6, 3 * 3600.0),
    ("support-phone", "phone", 0.3, 45.0),
    ("support-chat", "chat", 0.1, 90.0),
)


@cache
def incident_phrases() -> dict[str, dict[str, tuple[str, ...]]]:
    """``{"double_charge" | "angry": {language: phrases}}`` from ``incidents.yaml``."""
    data = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    return {kind: {lang: tuple(p) for lang, p in by_lang.items()} for kind, by_lang in data.items()}


def months_back(end: datetime, months: int) -> datetime:
    """The first day of the ``months``-th complete month before ``end`` (UTC): with ``end`` on
    2 December, 2 is 1 October (October and November are the last two complete months)."""
    end = end.astimezone(UTC)
    # The month `end` falls in is not complete (when `end` is its very start, it has not begun).
    index = end.year * 12 + end.month - 1 - months
    year, month = divmod(index, 12)
    return datetime(year, month + 1, 1, tzinfo=UTC)


class Incidents:
    """The incidents of one demo: where they start, and the rows and answers they change."""

    def __init__(self, seed: int, end: datetime, locales: np.ndarray):
        self.rng = np.random.default_rng([seed, 8])
        self.end_us = int(end.timestamp() * 1_000_000)
        self.delivery_from_us = int(months_back(end, 2).timestamp() * 1_000_000)
        self.billing_from_us = self.end_us - BILLING_DAYS * DAY_US
        self.angry_from_us = self.end_us - ANGRY_DAYS * DAY_US
        phrases = incident_phrases()
        self.locales = locales
        self.bank = {
            kind: [np.array(by_lang.get(str(code)) or by_lang["en"], dtype=object) for code in locales]
            for kind, by_lang in phrases.items()
        }

    def _say(self, kind: str, lang: np.ndarray) -> np.ndarray:
        out = np.empty(len(lang), dtype=object)
        for li, options in enumerate(self.bank[kind]):
            mask = lang == li
            out[mask] = options[self.rng.integers(0, len(options), int(mask.sum()))]
        return out

    def delivery_effect(self, touchpoint: np.ndarray, submitted: np.ndarray) -> np.ndarray:
        """Where the delivery incident holds: delivery answers since it began."""
        return (touchpoint == "delivery") & (submitted >= self.delivery_from_us)

    # -- answers ----------------------------------------------------------------------------

    def answers(
        self, table: pa.Table, touchpoint: np.ndarray, metric: np.ndarray, submitted: np.ndarray, lang: np.ndarray
    ) -> pa.Table:
        """A chunk of answers with the billing detractors and the angry answers planted."""
        n = table.num_rows
        draw = self.rng.random(n)
        billing = (
            (touchpoint == BILLING_TOUCHPOINT) & (submitted >= self.billing_from_us) & (draw < BILLING_ANSWER_SHARE)
        )
        candidates = np.flatnonzero((metric == "nps") & (submitted >= self.angry_from_us) & ~billing)
        angry = self._angry(candidates, lang, max(ANGRY_MIN, round(n * ANGRY_SHARE)))
        changed = billing | angry
        if not changed.any():
            return table
        score = table.column("score").to_numpy().copy()
        score[billing] = np.where(
            metric[billing] == "nps",
            self.rng.integers(0, 6, int(billing.sum())),
            self.rng.integers(1, 3, int(billing.sum())),
        )
        score[angry] = self.rng.integers(0, 3, int(angry.sum()))
        comment = np.array(table.column("comment").to_pylist(), dtype=object)
        comment[billing] = self._say("double_charge", lang[billing])
        comment[angry] = self._say("angry", lang[angry])
        language = np.array(table.column("language").to_pylist(), dtype=object)
        language[changed] = self.locales[lang[changed]]
        table = table.set_column(table.schema.get_field_index("score"), "score", pa.array(score))
        table = table.set_column(table.schema.get_field_index("comment"), "comment", pa.array(comment, pa.string()))
        return table.set_column(table.schema.get_field_index("language"), "language", pa.array(language, pa.string()))

    def _angry(self, candidates: np.ndarray, lang: np.ndarray, wanted: int) -> np.ndarray:
        """``wanted`` of the candidates (at most half of them), one per language first."""
        mask = np.zeros(len(lang), bool)
        k = min(wanted, len(candidates) // 2)
        if k <= 0:
            return mask
        order = self.rng.permutation(candidates)
        _, first = np.unique(lang[order], return_index=True)
        picked = list(order[np.sort(first)][:k])
        rest = order[~np.isin(order, picked)]
        picked += list(rest[: k - len(picked)])
        mask[np.array(picked, np.int64)] = True
        return mask

    # -- extra rows -------------------------------------------------------------------------

    def extra_rows(self, demo, tickets: int, mentions: int) -> dict[str, pa.Table]:
        """The billing error's tickets and mentions, by import kind; ``demo`` is the generator
        state (customers' ids, languages, plans and active lives)."""
        active_until = np.where(demo.churned, demo.churn_us, self.end_us)
        paying = np.flatnonzero(
            (demo.plan > 0)
            & (active_until > self.billing_from_us + DAY_US)
            & (demo.signup_us < self.end_us - 2 * DAY_US)
        )
        if not len(paying):
            return {}
        out = {}
        k = max(6, round(tickets * BILLING_TICKET_SHARE))
        out["tickets"] = self._tickets(demo, self.rng.choice(paying, k), active_until)
        k = max(4, round(mentions * BILLING_MENTION_SHARE))
        out["mentions"] = self._mentions(demo, self.rng.choice(paying, k), active_until)
        return out

    def _during(self, who: np.ndarray, demo, active_until: np.ndarray) -> np.ndarray:
        start = np.maximum(self.billing_from_us, demo.signup_us[who] + DAY_US)
        until = np.minimum(active_until[who], self.end_us) - 2
        return start + (self.rng.random(len(who)) * np.maximum(until - start, 1)).astype(np.int64)

    def _tickets(self, demo, who: np.ndarray, active_until: np.ndarray) -> pa.Table:
        rng, n = self.rng, len(who)
        pick = rng.choice(len(BILLING_CHANNELS), n, p=[c[2] for c in BILLING_CHANNELS])
        tp = np.array([c[0] for c in BILLING_CHANNELS])[pick]
        channel = np.array([c[1] for c in BILLING_CHANNELS])[pick]
        created = self._during(who, demo, active_until)
        first_reply = rng.lognormal(np.log(np.array([c[3] for c in BILLING_CHANNELS])[pick]), 1.0)
        first_at = created + (first_reply * 1e6).astype(np.int64)
        solved_at = first_at + (rng.lognormal(np.log(2 * 86_400.0), 1.0, n) * 1e6).astype(np.int64)
        replied = first_at < self.end_us
        solved = replied & (solved_at < self.end_us)
        lang = demo.lang[who]
        team = np.full(n, "billing")
        return pa.table(
            {
                "external_id": _ids("TB-", n),
                "customer": demo.ids.take(pa.array(who)),
                "touchpoint": pa.array(tp),
                "channel": pa.array(channel),
                "team": pa.array(team),
                "agent": pa.array(people.agents(rng, team)),
                "status": pa.array(np.where(solved, "solved", np.where(replied, "pending", "new"))),
                "priority": pa.array(rng.choice(["normal", "high", "urgent"], n, p=[0.4, 0.5, 0.1])),
                "created_at": _ts(created),
                "first_response_at": _ts(first_at, replied),
                "solved_at": _ts(solved_at, solved),
                "reopens": pa.array(np.zeros(n, np.int64)),
                "replies": pa.array(np.where(replied, 1 + rng.poisson(1.0, n), 0)),
                "handle_seconds": pa.array(np.round(rng.lognormal(np.log(600), 0.6, n), 1)),
                "subject": pa.array(np.full(n, "billing error")),
                "text": pa.array(self._say("double_charge", lang), pa.string()),
                "tags": pa.array(np.full(n, "billing_error")),
                "language": pa.array(self.locales[lang]),
            }
        )

    def _mentions(self, demo, who: np.ndarray, active_until: np.ndarray) -> pa.Table:
        rng, n = self.rng, len(who)
        review = rng.random(n) < 0.6
        ids = _ids("mb-", n)
        source = np.where(
            review,
            rng.choice(["trustpilot", "app-store", "google-play"], n),
            rng.choice(["x", "reddit", "facebook"], n),
        )
        return pa.table(
            {
                "external_id": ids,
                "source": pa.array(source),
                "kind": pa.array(np.where(review, "review", "social")),
                "rating": pa.array(rng.integers(1, 3, n).astype(float), mask=~review),
                "text": pa.array(self._say("double_charge", demo.lang[who]), pa.string()),
                "author": pa.array(people.handles(rng, n)),
                "posted_at": _ts(self._during(who, demo, active_until)),
                "url": pc.binary_join_element_wise(pa.scalar("https://reviews.example/northwind/"), ids, ""),
                "language": pa.array(self.locales[demo.lang[who]]),
            }
        )


def _ids(prefix: str, n: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(1, n + 1)), pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), pc.utf8_lpad(numbers, 7, "0"), "")


def _ts(micros: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(
        np.asarray(micros, np.int64).astype("datetime64[us]"),
        pa.timestamp("us", tz="UTC"),
        mask=None if valid is None else ~valid,
    )
