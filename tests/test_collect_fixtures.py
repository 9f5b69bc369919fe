"""Shared set-up for the collection tests: the demo journeys, two surveys with triggers, customers."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone

import sqlalchemy as sa
from conftest import DEMO_JOURNEYS

from cxlens.collect import Collection, CollectionPolicy, ManualClock, Signer, load_surveys
from cxlens.ingest import load_journeys
from cxlens.store import schema as s

SURVEYS = textwrap.dedent("""
    surveys:
      - key: support-csat
        name: Support <satisfaction> & more
        metric: csat
        touchpoint: support-chat
        languages: [en, fi]
        texts:
          fi: {thank_you: "Kiitos palautteestasi!"}
        questions:
          - key: comment
            type: text
            text: {en: "What did you like?", fi: "Mistä pidit?"}
            low_text: {en: "What went wrong?", fi: "Mikä meni vikaan?"}
          - key: topic
            type: single
            when: 1-3
            text: {en: "What was it about?", fi: "Mitä se koski?"}
            options:
              - {key: speed, text: {en: Speed, fi: Nopeus}}
              - {key: answer, text: {en: The answer, fi: Vastaus}}
        trigger: {touchpoint: support-chat, after: 1h, channel: email}
        fatigue_days: 14
      - key: relationship-nps
        name: Northwind NPS
        metric: nps
        touchpoint: first-use
        languages: [en, de]
        trigger: {touchpoint: first-use, after: 1d, channel: sms}
        widget: {origins: ["http://127.0.0.1:5555"]}
""")

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # a Monday, 12:00 in Helsinki


def setup_collection(store, tmp_path, policy: CollectionPolicy | None = None) -> Collection:
    load_journeys(store, DEMO_JOURNEYS)
    path = tmp_path / "surveys.yaml"
    path.write_text(SURVEYS, encoding="utf-8")
    load_surveys(store, path)
    with store.begin() as conn:
        conn.execute(
            s.customers.insert(),
            [
                {
                    "external_id": "c-fi",
                    "name": "Aino <Korhonen>",
                    "email": "aino@example.fi",
                    "phone": "+358401234567",
                    "locale": "fi-FI",
                    "timezone": "Europe/Helsinki",
                },
                {
                    "external_id": "c-de",
                    "name": "Jonas",
                    "email": "jonas@example.de",
                    "phone": "+4915112345678",
                    "locale": "de-DE",
                    "timezone": "Europe/Berlin",
                },
                {
                    "external_id": "c-none",
                    "name": "No Address",
                    "email": None,
                    "phone": None,
                    "locale": "en",
                    "timezone": None,
                },
            ],
        )
    return Collection(
        store,
        policy=policy or CollectionPolicy(public_url="http://testserver"),
        signer=Signer(b"test-secret-of-32-bytes-or-more!"),
        clock=ManualClock(T0),
    )


def add_event(collection: Collection, customer: str, touchpoint: str, at: datetime) -> int:
    with collection.store.begin() as conn:
        cid = conn.execute(sa.select(s.customers.c.id).where(s.customers.c.external_id == customer)).scalar_one()
        tid = conn.execute(sa.select(s.touchpoints.c.id).where(s.touchpoints.c.key == touchpoint)).scalar_one()
        return conn.execute(
            s.events.insert().values(customer_id=cid, touchpoint_id=tid, occurred_at=at).returning(s.events.c.id)
        ).scalar_one()


def invitations(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(s.invitations).order_by(s.invitations.c.id)).mappings()]


def responses(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(s.responses).order_by(s.responses.c.id)).mappings()]


def widget_form(
    client, collection: Collection, survey: str = "relationship-nps", origin: str = "http://127.0.0.1:5555"
) -> str:
    """The signed issue time a shown widget fetches, three seconds later (a person's pace)."""
    token = client.get(f"/w/{survey}/form", headers={"Origin": origin}).json()["form"]
    collection.clock.advance(seconds=3)
    return token
