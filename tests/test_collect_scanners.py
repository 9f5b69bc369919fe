"""E-mail link scanners (Safe Links, Proofpoint, Mimecast…) fetch every score link of a mail:
their sweep must leave no score, while a person's one click, and the form, still count."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from test_collect_fixtures import invitations, responses

from cxlens.collect.invitations import SCAN_REASON
from cxlens.collect.wording import BUILTIN_TEXTS
from cxlens.store import schema as s
from cxlens.web import create_app

FORM = {"content-type": "application/x-www-form-urlencoded"}
BROWSER = {"user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36"}


@pytest.fixture
def client(collection):
    app = create_app(collection.store)
    app.state.collection = collection
    return TestClient(app, headers=BROWSER)


def sent_token(collection, customer="c-de", survey="relationship-nps"):
    invitation = collection.invite(survey, customer)
    with collection.store.begin() as conn:
        conn.execute(
            s.invitations.update()
            .where(s.invitations.c.id == invitation)
            .values(status="sent", sent_at=collection.now())
        )
    return collection.token(invitation)


def test_a_sweep_of_every_score_link_leaves_no_score_and_says_why(collection, client):
    token = sent_token(collection)
    for n in range(11):  # 0..10, a second apart, as a gateway fetches them
        page = client.get(f"/s/{token}?score={n}")
        assert page.status_code == 200
        collection.clock.advance(seconds=1)
    assert responses(collection.store) == []
    [inv] = invitations(collection.store)
    assert inv["status"] == "sent"
    assert inv["reason"].startswith(f"{SCAN_REASON}: scores 0 and 1 clicked within 60 s")
    # The last fetched page offers its score for the person to confirm, and wrote nothing.
    assert 'value="10" required checked' in page.text
    assert BUILTIN_TEXTS["de"]["confirm"] in page.text  # the customer speaks German


def test_after_a_sweep_the_customers_own_click_records(collection, client):
    token = sent_token(collection)
    for n in range(11):
        client.get(f"/s/{token}?score={n}")
    collection.clock.advance(minutes=30)
    client.get(f"/s/{token}?score=9")
    assert [r["score"] for r in responses(collection.store)] == [9]
    assert invitations(collection.store)[0]["status"] == "answered"


def test_a_person_confirming_the_score_during_the_sweep_window_is_recorded(collection, client):
    token = sent_token(collection)
    for n in (0, 1, 2):
        client.get(f"/s/{token}?score={n}")
    done = client.post(f"/s/{token}", content="score=8", headers=FORM)
    assert done.status_code == 200
    assert [r["score"] for r in responses(collection.store)] == [8]
    assert invitations(collection.store)[0]["status"] == "answered"


def test_a_single_click_stays_and_a_double_click_is_one_answer(collection, client):
    token = sent_token(collection)
    client.get(f"/s/{token}?score=9")
    client.get(f"/s/{token}?score=9")
    collection.clock.advance(seconds=5)
    assert [r["score"] for r in responses(collection.store)] == [9]
    [inv] = invitations(collection.store)
    assert (inv["status"], inv["reason"]) == ("answered", None)


def test_a_click_then_the_form_is_never_voided(collection, client):
    token = sent_token(collection)
    client.get(f"/s/{token}?score=3")
    client.post(f"/s/{token}", content="step=2&score=3&q.comment=Too+slow", headers=FORM)
    # A different score clicked seconds later: a person changing their mind, not a sweep.
    client.get(f"/s/{token}?score=4")
    [row] = responses(collection.store)
    assert (row["score"], row["comment"]) == (4, "Too slow")
    assert invitations(collection.store)[0]["status"] == "answered"


def test_two_clicks_a_window_apart_are_a_person_changing_their_mind(collection, client):
    token = sent_token(collection)
    client.get(f"/s/{token}?score=3")
    collection.clock.advance(seconds=61)
    client.get(f"/s/{token}?score=7")
    assert [r["score"] for r in responses(collection.store)] == [7]


def test_head_writes_nothing(collection, client):
    token = sent_token(collection)
    for n in range(11):
        answer = client.head(f"/s/{token}?score={n}")
        assert answer.status_code in (200, 405)  # FastAPI: 405 for HEAD on a GET route
    assert responses(collection.store) == []
    assert invitations(collection.store)[0]["status"] == "sent"
    client.get(f"/s/{token}?score=10")  # and the person's click afterwards is not taken for a sweep
    assert [r["score"] for r in responses(collection.store)] == [10]


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Microsoft Office Protection; SafeLinks)",
        "Proofpoint URL Defense",
        "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    ],
)
def test_a_scanner_that_names_itself_gets_the_page_and_writes_nothing(collection, client, agent):
    token = sent_token(collection)
    page = client.get(f"/s/{token}?score=6", headers={"user-agent": agent})
    assert page.status_code == 200 and 'value="6" required checked' in page.text
    assert responses(collection.store) == []


def test_the_sweep_rule_holds_in_the_library_too(collection):
    token = sent_token(collection)
    assert collection.click(token, 5) is not None
    assert collection.click(token, 6) is None  # voided
    assert collection.click(token, 7) is None  # the sweep goes on
    with collection.store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.responses)).scalar() == 0


def test_response_rates_count_the_voided_sweeps(collection, client):
    from cxlens.collect import response_rates

    token = sent_token(collection)
    for n in range(3):
        client.get(f"/s/{token}?score={n}")
    [row] = [r for r in response_rates(collection) if r["survey"] == "relationship-nps"]
    assert (row["sent"], row["answered"], row["link_scans"]) == (1, 0, 1)


def test_a_sweep_fetched_in_parallel_leaves_no_score(collection):
    from concurrent.futures import ThreadPoolExecutor

    token = sent_token(collection)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: collection.click(token, n), range(11)))
    assert responses(collection.store) == []
    assert invitations(collection.store)[0]["reason"].startswith(SCAN_REASON)
