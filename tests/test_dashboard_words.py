"""The Words page: over HTTP (numbers from the library, customer text escaped) and in
Debian's Chromium at desktop and phone widths, with screenshots under test-artifacts/words/."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)
from test_dashboard import PASSWORD, login

from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.store.schema import responses, touchpoints
from cxlens.text import analyze
from cxlens.text.insights import topic_insights
from cxlens.web import create_app

EVIL = "<script>document.title='owned'</script> the parcel arrived late"
VIEW = "since=2025-07-01&until=2026-06-01"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "words"


@pytest.fixture
def analysed(mapped_store):
    generate_demo(mapped_store, customers=300, responses=3000, seed=3, end=date(2026, 6, 30))
    with mapped_store.begin() as conn:
        tp = conn.execute(touchpoints.select().where(touchpoints.c.key == "delivery")).one()
        conn.execute(
            responses.insert().values(
                touchpoint_id=tp.id,
                channel="email",
                metric="nps",
                score=0,
                scale_min=0,
                scale_max=10,
                submitted_at=datetime(2026, 5, 30, 12, tzinfo=UTC),
                comment=EVIL,
                language="en",
            )
        )
    analyze(mapped_store)
    create_user(mapped_store, "admin@example.com", PASSWORD, role="admin")
    return mapped_store


def test_the_words_page_shows_topics_with_their_effect_and_escapes_comments(analysed):
    client = TestClient(create_app(analysed))
    assert login(client).status_code == 303
    page = client.get(f"/words?{VIEW}")
    assert page.status_code == 200, page.text
    html = page.text
    insights, drivers = topic_insights(analysed)
    assert insights and drivers is not None
    assert insights[0].theme.name in html
    assert "<script>document.title" not in html
    assert "Sentiment per month by language" in html and 'href="/words' in html
    measured = [t for t in insights if t.effect is not None]
    assert measured and all(t.n_answers >= 30 and t.low <= t.effect <= t.high for t in measured)
    assert all(t.direction == "too few answers" for t in insights if t.effect is None)


def test_the_words_page_in_a_browser_on_a_phone(analysed, backend, browser):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the HTTP test covers PostgreSQL")
    with LiveServer(create_app(analysed), free_port()) as server:
        errors: list[str] = []
        for name, width in (("desktop", 1280), ("phone", 390)):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server.url}/words?{VIEW}")
            page.fill("input[name=email]", "admin@example.com")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            assert page.url.split("?")[0].endswith("/words")
            page.wait_for_function(
                "document.querySelectorAll('[data-chart]').length === "
                "document.querySelectorAll('[data-chart][data-ready]').length",
                timeout=15000,
            )
            assert page.title() != "owned"
            assert page.locator("h2", has_text="Topics").count() == 1
            # Nothing wider than the phone: tables scroll inside themselves.
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"words-{name}.png"), full_page=True)
            page.close()
        assert not errors, errors
