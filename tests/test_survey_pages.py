"""Hosted survey pages over HTTP (no JavaScript): the one-click score, the follow-up, thanks in
the customer's language, bad links, escaping, anonymous links with bot and duplicate checks,
and unsubscribing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import count
from test_collect_fixtures import invitations, responses

FORM = {"content-type": "application/x-www-form-urlencoded"}


def token_for(collection, customer="c-fi", survey="support-csat"):
    return collection.token(collection.invite(survey, customer))


def test_the_score_click_is_saved_at_once_then_the_follow_up_is_asked(collection, client):
    token = token_for(collection)
    page = client.get(f"/s/{token}?score=2")
    assert page.status_code == 200
    assert [r["score"] for r in responses(collection.store)] == [2]  # before any follow-up
    html = page.text
    assert '<html lang="fi">' in html
    assert "Mikä meni vikaan?" in html  # the low-score wording of the follow-up
    assert "Mitä se koski?" in html and "Nopeus" in html  # asked only for scores 1-3
    done = client.post(
        f"/s/{token}", content="lang=fi&step=2&score=2&q.comment=Liian+hidas&q.topic=speed", headers=FORM
    )
    assert "Kiitos palautteestasi!" in done.text
    [row] = responses(collection.store)
    assert (row["score"], row["comment"], row["answers"]) == (2, "Liian hidas", {"topic": "speed"})


def test_a_high_score_gets_the_other_follow_up(collection, client):
    html = client.get(f"/s/{token_for(collection, 'c-de')}?score=5").text
    assert "What did you like?" in html and "What was it about?" not in html  # de → the fallback, en


def test_without_a_score_the_page_asks_for_it_with_labelled_radios(collection, client):
    token = token_for(collection)
    html = client.get(f"/s/{token}?lang=en").text
    assert "<h1>Support &lt;satisfaction&gt; &amp; more</h1>" in html  # the name, in its own language
    assert '<legend id="score-question">How satisfied are you with your experience?</legend>' in html
    for n in range(1, 6):
        assert (
            f'<input type="radio" name="score" id="score-{n}" value="{n}" required><label for="score-{n}">{n}</label>'
            in html
        )
    step2 = client.post(f"/s/{token}", content="lang=en&score=4", headers=FORM)
    assert "What did you like?" in step2.text
    assert [r["score"] for r in responses(collection.store)] == [4]


def test_a_replayed_link_does_not_duplicate(collection, client):
    token = token_for(collection)
    for _ in range(3):
        client.get(f"/s/{token}?score=3")
    client.post(f"/s/{token}", content="step=2&score=3&q.comment=again", headers=FORM)
    client.post(f"/s/{token}", content="step=2&score=3&q.comment=again", headers=FORM)
    assert count(collection.store, "responses") == 1


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "AAA", lambda t: "x" + t, lambda t: t.split(".")[0]])
def test_a_tampered_link_gets_a_clear_page_and_writes_nothing(collection, client, mangle):
    token = mangle(token_for(collection))
    page = client.get(f"/s/{token}?score=5")
    assert page.status_code == 400 and "not valid" in page.text
    assert client.post(f"/s/{token}", content="score=5", headers=FORM).status_code == 400
    assert count(collection.store, "responses") == 0


def test_an_expired_link_says_so_and_writes_nothing(collection, client):
    token = token_for(collection)
    collection.clock.advance(days=31)
    page = client.get(f"/s/{token}?score=5", headers={"accept-language": "fi"})
    assert page.status_code == 410 and "vanhentunut" in page.text
    assert count(collection.store, "responses") == 0


def test_a_score_off_the_scale_is_refused_with_the_reason(collection, client):
    page = client.get(f"/s/{token_for(collection)}?score=9&lang=en")
    assert page.status_code == 422 and "outside the scale 1..5" in page.text
    assert count(collection.store, "responses") == 0


def test_what_customers_type_is_shown_escaped(collection, client):
    token = token_for(collection)
    client.get(f"/s/{token}?score=4")
    client.post(f"/s/{token}", content="step=2&score=4&q.comment=%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers=FORM)
    html = client.get(f"/s/{token}?lang=en").text  # the stored comment is shown back in the form
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unsubscribe_is_honoured_for_ever(collection, client):
    token = token_for(collection, "c-de", "relationship-nps")
    page = client.get(f"/u/{token}")
    assert "Umfragen abbestellen" in page.text or "Unsubscribe" in page.text
    collection.clock.advance(days=400)  # long after the link expired
    done = client.post(f"/u/{token}")
    assert done.status_code == 200 and "keine Umfrage-Einladungen" in done.text  # still in their language
    assert count(collection.store, "opt_outs") == 1


def test_one_click_unsubscribe_from_the_mail_client(collection, client):
    token = token_for(collection, "c-fi")
    done = client.post(f"/u/{token}", content="List-Unsubscribe=One-Click", headers=FORM)
    assert "et saa meiltä enää kyselykutsuja" in done.text
    assert count(collection.store, "opt_outs") == 1


def _open_form(client, path="/s/open/relationship-nps", **headers):
    html = client.get(path, headers=headers).text
    return html.split('name="form" value="')[1].split('"')[0], html


def test_an_open_link_stores_an_anonymous_answer_once(collection, client):
    form, html = _open_form(client, **{"accept-language": "de-DE,de;q=0.9"})
    assert '<html lang="de">' in html and "Wie wahrscheinlich" in html
    collection.clock.advance(seconds=5)
    step2 = client.post("/s/open/relationship-nps", content=f"form={form}&lang=de&score=9", headers=FORM)
    assert "Was ist der wichtigste Grund" in step2.text
    client.post("/s/open/relationship-nps", content=f"form={form}&lang=de&score=9", headers=FORM)  # a double click
    client.post("/s/open/relationship-nps", content=f"form={form}&lang=de&step=2&score=9&q.comment=Gut", headers=FORM)
    [row] = responses(collection.store)
    assert (row["score"], row["comment"], row["customer_id"], row["channel"], row["language"]) == (
        9,
        "Gut",
        None,
        "web",
        "de",
    )
    assert row["external_id"].startswith("open:")


@pytest.mark.parametrize(
    "body, wait",
    [
        ("score=9&website=http%3A%2F%2Fspam.example", 5),  # the honeypot is filled in
        ("score=9", 0),  # faster than a person can read
        ("score=9", 60 * 60 * 25),  # a form from yesterday
    ],
)
def test_an_open_link_refuses_bots_and_stale_forms(collection, client, body, wait):
    form, _ = _open_form(client)
    collection.clock.advance(seconds=wait)
    page = client.post("/s/open/relationship-nps", content=f"form={form}&{body}", headers=FORM)
    assert page.status_code == 400
    assert count(collection.store, "responses") == 0


def test_an_open_form_for_one_survey_cannot_answer_another(collection, client):
    form, _ = _open_form(client)
    collection.clock.advance(seconds=5)
    page = client.post("/s/open/support-csat", content=f"form={form}&score=4", headers=FORM)
    assert page.status_code == 400 and count(collection.store, "responses") == 0
    assert client.get("/s/open/no-such-survey").status_code == 404


def test_the_pages_work_on_a_narrow_screen_without_scripts(collection, client):
    html = client.get(f"/s/{token_for(collection)}").text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html
    assert invitations(collection.store)[0]["status"] == "pending"  # reading the page answers nothing
    assert timedelta(days=collection.policy.link_days) == timedelta(days=30)
