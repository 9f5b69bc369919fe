"""Answers that get in but look like stuffing are kept out of the KPIs with their reason: a
burst from one address, a device answering a survey twice; an admin releases them as before.
And an answer past its change window says so, not that the link expired."""

from __future__ import annotations

import pytest
from conftest import count
from test_collect_fixtures import responses, widget_form

from cxlens.collect.guarding import QUARANTINE_RULES, Limit, Suspicions, list_quarantined, release
from cxlens.collect.wording import BUILTIN_TEXTS

FORM = {"content-type": "application/x-www-form-urlencoded"}
BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0", "accept-language": "en"}
ORIGIN = {"origin": "http://127.0.0.1:5555"}


def _open_answer(client, collection, score: int, browser: str | None = None):
    """One person's answer through the open link (a new browser unless ``browser`` names one)."""
    client.cookies.clear()
    if browser:
        client.cookies.set("cx_browser", browser)
    page = client.get("/s/open/relationship-nps", headers=BROWSER).text
    form = page.split('name="form" value="')[1].split('"')[0]
    collection.clock.advance(seconds=5)
    return client.post("/s/open/relationship-nps", content=f"form={form}&step=2&score={score}", headers=FORM | BROWSER)


def test_a_burst_from_one_address_is_quarantined_beyond_the_threshold(client, collection):
    burst = QUARANTINE_RULES["burst"].answers
    statuses = [_open_answer(client, collection, 0).status_code for _ in range(burst + 3)]
    assert statuses == [200] * (burst + 3)  # every one is thanked: nothing tells a script apart
    assert count(collection.store, "responses") == burst
    held = list_quarantined(collection.store)
    assert len(held) == 3 and all(h["reason"].startswith("burst: answer 1") for h in held), held


def test_a_second_answer_of_one_device_is_a_duplicate_and_its_steps_count_once(client, collection):
    first = _open_answer(client, collection, 9, browser="device-one")
    assert first.status_code == 200
    again = _open_answer(client, collection, 0, browser="device-one")
    assert again.status_code == 200 and [r["score"] for r in responses(collection.store)] == [9]
    [held] = list_quarantined(collection.store)
    assert held["reason"].startswith("duplicate: this device answered this survey") and held["payload"]["score"] == "0"
    assert _open_answer(client, collection, 7, browser="device-two").status_code == 200  # another device
    assert sorted(r["score"] for r in responses(collection.store)) == [7, 9]


def test_the_widget_quarantines_a_devices_second_answer_and_the_admin_releases_it(client, collection):
    headers = ORIGIN | BROWSER
    form = widget_form(client, collection)
    for n, score in enumerate((9, 2)):
        answer = client.post(
            "/w/relationship-nps/responses",
            json={"id": f"visit-{n:06d}", "score": score, "form": form},
            headers=headers,
        )
        assert answer.status_code == 201
    # The comment after the quarantined score stays with it, not in the KPIs.
    client.post(
        "/w/relationship-nps/responses",
        json={"id": "visit-000001", "score": 2, "comment": "again", "form": form},
        headers=headers,
    )
    assert [r["score"] for r in responses(collection.store)] == [9]
    [held] = list_quarantined(collection.store)
    assert held["reason"].startswith("duplicate") and held["payload"]["answers"] == {"comment": "again"}
    release(collection, held["id"])
    assert sorted(r["score"] for r in responses(collection.store)) == [2, 9]


def test_windows_slide_and_rules_are_per_survey():
    now = [0.0]
    rules = Suspicions({"burst": Limit(2, 60), "duplicate": Limit(1, 3600)}, lambda: now[0])
    assert rules.check(1, "addr", "dev-a", "a1") is None
    assert rules.check(1, "addr", "dev-a", "a1") is None  # its second step
    assert rules.check(1, "addr", "dev-b", "a2") is None
    assert rules.check(1, "addr", "dev-c", "a3").startswith("burst: answer 3")
    assert rules.check(2, "addr", "dev-a", "b1") is None  # another survey
    now[0] = 61.0
    assert rules.check(1, "addr", "dev-d", "a4") is None  # the burst window slid
    assert rules.check(1, "addr", "dev-a", "a5").startswith("duplicate: this device answered this survey 1 min")


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_an_answer_past_its_change_window_says_it_can_no_longer_be_changed(collection, client, lang):
    token = collection.token(collection.invite("support-csat", "c-fi"))
    assert client.get(f"/s/{token}?score=4").status_code == 200
    collection.clock.advance(hours=25)
    page = client.get(f"/s/{token}?score=1", headers={"accept-language": lang})
    assert page.status_code == 410
    assert BUILTIN_TEXTS[lang]["closed"] in page.text and BUILTIN_TEXTS[lang]["expired"] not in page.text
    assert [r["score"] for r in responses(collection.store)] == [4]
