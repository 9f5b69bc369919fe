"""The web widget's endpoints: the script, CORS for allowed origins only, JSON answers that
update rather than duplicate, and field-level errors. (The browser test loads it for real.)"""

from __future__ import annotations

import pytest
from conftest import count
from test_collect_fixtures import responses, widget_form

SITE = "http://127.0.0.1:5555"  # the NPS survey's allowed origin in the fixtures


def test_the_script_is_small_self_contained_and_escapes_texts(collection, client):
    from sqlalchemy import update

    from cxlens.store import schema as s

    with collection.store.begin() as conn:
        conn.execute(update(s.surveys).where(s.surveys.c.key == "relationship-nps").values(name="Bad </script><b>"))
    collection.catalog.reload()
    js = client.get("/w/relationship-nps.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "</script>" not in js.text and "\\u003c/script>" in js.text
    assert "import " not in js.text and "http://testserver/w/relationship-nps/responses" in js.text
    assert len(js.content) < 8000
    assert "Wie wahrscheinlich" in js.text  # every language the survey speaks is in it
    assert client.get("/w/nope.js").status_code == 404


def test_cors_answers_only_the_allowed_origins(client):
    ok = client.options(
        "/w/relationship-nps/responses", headers={"Origin": SITE, "Access-Control-Request-Method": "POST"}
    )
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == SITE
    other = client.options("/w/relationship-nps/responses", headers={"Origin": "https://evil.example"})
    assert other.status_code == 403 and "access-control-allow-origin" not in other.headers


def test_a_widget_answer_is_stored_once_and_updated_with_the_comment(collection, client):
    headers = {"Origin": SITE}
    form = widget_form(client, collection)
    first = client.post(
        "/w/relationship-nps/responses",
        json={"id": "abcdef123456", "score": 3, "language": "de", "form": form},
        headers=headers,
    )
    assert first.status_code == 201 and first.headers["access-control-allow-origin"] == SITE
    client.post(
        "/w/relationship-nps/responses",
        json={"id": "abcdef123456", "score": 3, "comment": "Zu teuer", "language": "de", "form": form},
        headers=headers,
    )
    [row] = responses(collection.store)
    assert (row["score"], row["comment"], row["channel"], row["language"], row["metric"]) == (
        3,
        "Zu teuer",
        "widget",
        "de",
        "nps",
    )


@pytest.mark.parametrize(
    "body, origin, status, field",
    [
        ({"id": "abcdef123456", "score": 11}, SITE, 422, "score"),
        ({"id": "x", "score": 5}, SITE, 422, "id"),
        ({"id": "abcdef123456", "score": 5}, "https://evil.example", 403, "Origin"),
        ({"id": "abcdef123456", "score": 5}, None, 403, "Origin"),
    ],
)
def test_bad_widget_answers_name_the_field_and_write_nothing(collection, client, body, origin, status, field):
    headers = {"Origin": origin} if origin else {}
    answer = client.post("/w/relationship-nps/responses", json=body, headers=headers)
    assert answer.status_code == status
    assert answer.json()["detail"][0]["field"] == field
    assert count(collection.store, "responses") == 0


def test_the_time_to_answer_is_measured_on_the_server(collection, client):
    """The widget's signed issue time: forged, another survey's or a day old is refused; too
    fast is kept aside; a person's pace is stored."""
    from cxlens.collect.guarding import list_quarantined

    headers = {"Origin": SITE}
    issued = client.get("/w/relationship-nps/form", headers=headers)
    assert issued.headers["access-control-allow-origin"] == SITE and issued.headers["cache-control"] == "no-store"
    token = issued.json()["form"]

    def post(n, **extra):
        return client.post(
            "/w/relationship-nps/responses", json={"id": f"timing-{n:04d}", "score": 8, **extra}, headers=headers
        )

    fast = post(1, form=token)  # kept aside: one click can be quick, but it moves no KPI unchecked
    assert fast.status_code == 201 and fast.json()["id"] is None
    [kept] = list_quarantined(collection.store)
    assert kept["reason"].startswith("too fast: answered 0 s after the widget appeared")
    collection.clock.advance(seconds=3)
    assert post(2, form="garbage").json()["detail"][0]["field"] == "form"
    assert post(2, form=token + "x").status_code == 422
    other = client.get("/w/support-csat/form").json()["form"]
    assert "another survey" in post(3, form=other).text
    assert post(4, form=token).status_code == 201
    assert [r["score"] for r in responses(collection.store)] == [8]
    collection.clock.advance(days=2)
    assert "more than a day old" in post(6, form=token).text
    # A foreign page gets a token it cannot read (no CORS allowance), like its answers.
    foreign = client.get("/w/relationship-nps/form", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers
    assert client.get("/w/nope/form").status_code == 404


def test_an_answer_without_an_issue_time_is_kept_aside(collection, client):
    """A script cached from before, or a bot skipping the fetch: quarantined, not in the KPIs."""
    from cxlens.collect.guarding import list_quarantined

    held = client.post(
        "/w/relationship-nps/responses", json={"id": "no-form-0001", "score": 8}, headers={"Origin": SITE}
    )
    assert held.status_code == 201 and held.json()["id"] is None
    [kept] = list_quarantined(collection.store)
    assert kept["reason"].startswith("no issue time") and count(collection.store, "responses") == 0
