"""End to end with real parts: a trigger fires under a controlled clock, the invitation goes
through a real SMTP server (aiosmtpd), and Debian's Chromium (driven by Playwright, never a
downloaded browser) clicks the score in the captured e-mail, answers the follow-up and sees
the thank-you in the customer's language."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import CHROMIUM
from test_collect_fixtures import T0, add_event, invitations, responses, setup_collection

from cxlens.collect import CollectionPolicy, EmailSender, SmtpSettings, plan_invitations, send_due
from cxlens.web import create_app

pytest.importorskip("playwright.sync_api")
aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (./scripts/test installs it)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


class LiveServer:
    """uvicorn serving an app on a free loopback port, in a thread."""

    def __init__(self, app, port: int):
        import uvicorn

        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self
            time.sleep(0.05)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def test_trigger_to_email_to_one_click_answer_in_the_customers_language(store, tmp_path, smtp, browser):
    controller, inbox = smtp
    port = free_port()
    policy = CollectionPolicy(
        public_url=f"http://127.0.0.1:{port}",
        smtp=SmtpSettings(host="127.0.0.1", port=controller.port, sender="Northwind <cx@northwind.example>"),
    )
    collection = setup_collection(store, tmp_path, policy)
    # A support chat ends; the survey's trigger says: CSAT by e-mail one hour later.
    event = add_event(collection, "c-fi", "support-chat", T0)
    with store.begin() as conn:
        plan_invitations(collection, conn, [event])
    sender = {"email": EmailSender(policy.smtp)}
    assert send_due(collection, sender).sent == 0 and inbox.messages == []
    collection.clock.advance(hours=1)
    assert send_due(collection, sender).sent == 1

    [message] = inbox.messages
    assert message["Subject"] == "Palautteesi: yksi kysymys, yksi klikkaus"  # Finnish, not the English name
    assert message["List-Unsubscribe"].startswith(f"<http://127.0.0.1:{port}/u/")
    html = message.get_body(("html",)).get_content()
    assert message.get_body(("plain",)).get_content().count("?score=") == 5

    app = create_app(store)
    app.state.collection = collection
    with LiveServer(app, port):
        page = browser.new_page(viewport={"width": 375, "height": 740})  # a phone
        page.set_content(html)  # the e-mail as the customer's mail client shows it
        page.get_by_role("link", name="2", exact=True).click()
        page.wait_for_url(re.compile(r"/s/.+\?score=2$"))
        assert [r["score"] for r in responses(store)] == [2]  # saved by the click alone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
        page.get_by_label("Mikä meni vikaan?").fill("Vastaus tuli <b>liian</b> hitaasti")
        page.get_by_label("Nopeus").check()
        page.get_by_role("button", name="Lähetä").click()
        page.get_by_role("heading", name="Kiitos palautteestasi!").wait_for()
        assert page.locator("html").get_attribute("lang") == "fi"

    [row] = responses(store)
    assert (row["score"], row["comment"], row["answers"], row["language"]) == (
        2,
        "Vastaus tuli <b>liian</b> hitaasti",
        {"topic": "speed"},
        "fi",
    )
    assert [(i["status"], i["channel"]) for i in invitations(store)] == [("answered", "email")]


def test_the_survey_page_is_usable_with_the_keyboard_alone(store, tmp_path, browser):
    port = free_port()
    collection = setup_collection(store, tmp_path, CollectionPolicy(public_url=f"http://127.0.0.1:{port}"))
    token = collection.token(collection.invite("support-csat", "c-de"))
    app = create_app(store)
    app.state.collection = collection
    with LiveServer(app, port):
        page = browser.new_page(viewport={"width": 375, "height": 740})
        page.goto(f"http://127.0.0.1:{port}/s/{token}")
        page.keyboard.press("Tab")  # onto the score group
        page.keyboard.press("ArrowRight")  # radio groups move with arrows: 1 → 2
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")  # submits the form
        page.get_by_label("What did you like?").wait_for()
        assert [r["score"] for r in responses(store)] == [4]
        page.keyboard.press("Tab")  # into the comment box, typed and sent without a mouse
        page.keyboard.type("Fast & kind")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Thank you! Your answer helps us do better.").wait_for()
    assert responses(store)[0]["comment"] == "Fast & kind"


def test_the_widget_on_a_page_from_another_origin(store, tmp_path, browser):
    """A shop's page (served on another port: another origin) embeds the script; Chromium clicks
    a score and sends a comment; CORS lets only the survey's allowed origin through."""
    import functools
    import http.server

    import sqlalchemy as sa

    from cxlens.store import schema as s

    app_port, site_port = free_port(), free_port()
    collection = setup_collection(store, tmp_path, CollectionPolicy(public_url=f"http://127.0.0.1:{app_port}"))
    site = f"http://localhost:{site_port}"
    with store.begin() as conn:
        row = conn.execute(sa.select(s.surveys.c.definition).where(s.surveys.c.key == "relationship-nps")).scalar_one()
        conn.execute(
            sa.update(s.surveys)
            .where(s.surveys.c.key == "relationship-nps")
            .values(definition={**row, "widget": {"origins": [site]}})
        )
    collection.catalog.reload()
    (tmp_path / "shop.html").write_text(
        f'<!doctype html><html lang="de"><body><h1>Shop</h1>'
        f'<script src="http://127.0.0.1:{app_port}/w/relationship-nps.js" data-lang="de" async></script></body></html>'
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    shop = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    app = create_app(store)
    app.state.collection = collection
    try:
        with LiveServer(app, app_port):
            page = browser.new_page()
            with page.expect_response(lambda r: r.url.endswith("/w/relationship-nps/form")):
                page.goto(f"{site}/shop.html")  # the widget fetches its signed issue time as it appears
            widget = page.get_by_role("region", name="Ihre Meinung")  # the German title, not the English name
            widget.get_by_text("Wie wahrscheinlich").wait_for()
            collection.clock.advance(seconds=3)  # a person's pace: the server measures it
            widget.get_by_role("button", name="3", exact=True).click()
            page.get_by_label("Was ist schiefgelaufen?").fill("Lieferung zu spät")
            widget.get_by_role("button", name="Senden").click()
            widget.get_by_role("status").wait_for()
            assert widget.get_by_role("status").inner_text().startswith("Vielen Dank")
            # The same script on a page of a non-allowed origin cannot answer.
            blocked = browser.new_page()
            with blocked.expect_event("requestfailed", lambda r: r.url.endswith("/form")):
                blocked.goto(f"http://127.0.0.1:{site_port}/shop.html")  # 127.0.0.1 ≠ localhost: another origin
            with blocked.expect_event("requestfailed", lambda r: r.url.endswith("/responses")) as failed:
                blocked.get_by_role("button", name="9", exact=True).click()
            assert failed.value.url.endswith("/w/relationship-nps/responses")  # refused by CORS
    finally:
        shop.shutdown()
    [row] = responses(store)
    assert (row["score"], row["comment"], row["channel"], row["language"]) == (3, "Lieferung zu spät", "widget", "de")
