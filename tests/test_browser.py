"""End to end with real parts: a trigger fires under a controlled clock, the invitation goes
through a real SMTP server (aiosmtpd), and Debian's Chromium (driven by Playwright, never a
downloaded browser) clicks the score in the captured e-mail, answers the follow-up and sees
the thank-you in the customer's language."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from cxlens.collect import CollectionPolicy, EmailSender, SmtpSettings, plan_invitations, send_due
from cxlens.web import create_app

from test_collect_fixtures import T0, add_event, invitations, responses, setup_collection

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

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


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def test_trigger_to_email_to_one_click_answer_in_the_customers_language(store, tmp_path, smtp, browser):
    controller, inbox = smtp
    port = free_port()
    policy = CollectionPolicy(public_url=f"http://127.0.0.1:{port}",
                              smtp=SmtpSettings(host="127.0.0.1", port=controller.port, sender="Northwind <cx@northwind.example>"))
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
    assert message["Subject"] == "Support <satisfaction> & more: yksi kysymys, yksi klikkaus"
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
        page.get_by_label("Mikä meni vikaan?").fill("Vastaus tuli <b>liian</b> hitaasti")
        page.get_by_label("Nopeus").check()
        page.get_by_role("button", name="Lähetä").click()
        page.get_by_role("heading", name="Kiitos palautteestasi!").wait_for()
        assert page.locator("html").get_attribute("lang") == "fi"

    [row] = responses(store)
    assert (row["score"], row["comment"], row["answers"], row["language"]) == (
        2, "Vastaus tuli <b>liian</b> hitaasti", {"topic": "speed"}, "fi")
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
