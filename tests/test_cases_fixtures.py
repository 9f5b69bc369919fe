"""Shared set-up of the cases and answer-rule tests: users, teams, customers and answers."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from cxlens.alerts.case_settings import parse_cases, store_cases
from cxlens.store import schema as s

T0 = datetime(2026, 3, 6, 14, 0, tzinfo=timezone.utc)  # a Friday, 15:00 in Berlin

CASES = {
    "sla": {
        "high": {"first_contact": "4h", "resolve": "2d", "business_hours": True},
        "normal": {"first_contact": "1d", "resolve": "5d"},
    },
    "root_causes": ["delivery_delay", "billing_error", "other"],
    "resolutions": ["apology", "refund", "no_action"],
    "teams": {"support": ["ana@example.com", "ben@example.com", "cy@example.com"], "logistics": ["dan@example.com"]},
    "assignment": [{"touchpoint": "delivery", "team": "logistics"}, {"team": "support"}],
    "escalation": {"after": "1d", "to": "lead@example.com"},
}
EMAILS = ("ana@example.com", "ben@example.com", "cy@example.com", "dan@example.com", "lead@example.com")


def make_users(store, emails=EMAILS) -> dict[str, int]:
    """Users written directly: hashing a password per user (create_user) takes a second each."""
    with store.begin() as conn:
        return {
            e: conn.execute(
                s.users.insert().values(email=e, role="analyst", disabled=False, created_at=T0).returning(s.users.c.id)
            ).scalar_one()
            for e in emails
        }


def load_cases_section(store, value=CASES) -> None:
    with store.begin() as conn:
        store_cases(conn, parse_cases(value, "journeys.yaml"))


def touchpoint_id(conn, key: str) -> int:
    return conn.execute(sa.select(s.touchpoints.c.id).where(s.touchpoints.c.key == key)).scalar_one()


def add_customer(conn, external_id: str = "c-1", **values) -> int:
    return conn.execute(
        s.customers.insert()
        .values(external_id=external_id, name=values.pop("name", f"Customer {external_id}"), **values)
        .returning(s.customers.c.id)
    ).scalar_one()


def add_response(
    conn,
    customer_id: int | None,
    score: int | None,
    comment: str | None = None,
    *,
    touchpoint: str | None = "delivery",
    metric: str = "nps",
    language: str | None = "en",
    at: datetime = T0,
    external_id: str | None = None,
) -> int:
    scale = (0, 10) if metric == "nps" else (1, 5)
    return conn.execute(
        s.responses.insert()
        .values(
            customer_id=customer_id,
            touchpoint_id=touchpoint_id(conn, touchpoint) if touchpoint else None,
            submitted_at=at,
            metric=metric,
            score=score,
            scale_min=scale[0],
            scale_max=scale[1],
            comment=comment,
            language=language,
            external_id=external_id,
            channel="email",
        )
        .returning(s.responses.c.id)
    ).scalar_one()


def setup_cases(store):
    """Five users and the CASES section, on a store with the demo journeys; ``store.users``
    maps their e-mails to ids."""
    users = make_users(store)
    load_cases_section(store)
    store.users = users
    return store
