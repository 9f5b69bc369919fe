"""The demo's survey pages for a Finnish customer, in Chromium at a phone's width: every page of
every demo survey (score, follow-up, thanks) is entirely Finnish, with no word of the English
wording or of the surveys' (English) names. Screenshots under test-artifacts/languages/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import DEMO_JOURNEYS
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)
from test_collect_fixtures import T0, responses

from cxlens.collect import Collection, CollectionPolicy, ManualClock, Signer, load_surveys
from cxlens.collect.wording import BUILTIN_TEXTS
from cxlens.store import schema as s
from cxlens.web import create_app

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "languages"
DEMO_SURVEYS = yaml.safe_load(Path(DEMO_JOURNEYS).read_text(encoding="utf-8"))["surveys"]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]{3,}", re.sub(r"\{[a-z_]+\}", " ", text))}


# English words a Finnish page must not show: the English wording, the surveys' names and their
# own English texts, less any word Finnish shares (none today, but "Chat" would be one).
ENGLISH = set().union(
    *(_words(v) for v in BUILTIN_TEXTS["en"].values()),
    *(_words(sv["name"]) for sv in DEMO_SURVEYS),
    *(_words(v) for sv in DEMO_SURVEYS for v in (sv.get("texts") or {}).get("en", {}).values()),
) - set().union(*(_words(v) for v in BUILTIN_TEXTS["fi"].values()))


@pytest.fixture
def server(store, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the HTTP tests cover PostgreSQL")
    load_surveys(store, DEMO_JOURNEYS)
    with store.begin() as conn:
        conn.execute(
            s.customers.insert(), [{"external_id": "c-fi", "name": "Aino", "email": "a@example.fi", "locale": "fi-FI"}]
        )
    port = free_port()
    collection = Collection(
        store,
        policy=CollectionPolicy(public_url=f"http://127.0.0.1:{port}"),
        signer=Signer(b"test-secret-of-32-bytes-or-more!"),
        clock=ManualClock(T0),
    )
    app = create_app(store)
    app.state.collection = collection
    with LiveServer(app, port) as live:
        live.collection = collection
        yield live


def _english_on(page) -> set[str]:
    shown = page.inner_text("html") + " " + page.title()
    return _words(shown) & ENGLISH


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_demos_finnish_survey_pages_are_entirely_finnish(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US")  # the customer's locale wins
    tokens = {}
    for sv in DEMO_SURVEYS:
        token = tokens[sv["key"]] = server.collection.token(server.collection.invite(sv["key"], "c-fi"))
        page.goto(f"{server.url}/s/{token}")
        assert page.get_attribute("html", "lang") == "fi"
        assert _english_on(page) == set(), (sv["key"], "score page")
        if sv["key"] == "relationship-nps":
            _shot(page, "nps-score-fi")
    # One answer through to the end: the follow-up and the thanks too.
    page.goto(f"{server.url}/s/{tokens['relationship-nps']}")
    page.click("label[for=score-3]")
    page.click("button[type=submit]")
    page.get_by_label(BUILTIN_TEXTS["fi"]["follow_up_low"]).fill("Toimitus oli myöhässä")
    assert _english_on(page) == set(), "follow-up page"
    _shot(page, "nps-follow-up-fi")
    page.click("button[type=submit]")
    page.get_by_role("heading", name=BUILTIN_TEXTS["fi"]["thank_you"]).wait_for()
    assert _english_on(page) == set(), "thank-you page"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert [(r["score"], r["comment"], r["language"]) for r in responses(server.collection.store)][-1] == (
        3,
        "Toimitus oli myöhässä",
        "fi",
    )
