"""The web widget's endpoints: the script, CORS for allowed origins only, JSON answers that
update rather than duplicate, and field-level errors. (The browser test loads it for real.)"""

from __future__ import annotations

import pytest
from conftest import count
from test_collect_fixtures import responses

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
    first = client.post(
        "/w/relationship-nps/responses", json={"id": "abcdef123456", "score": 3, "language": "de"}, headers=headers
    )
    assert first.status_code == 201 and first.headers["access-control-allow-origin"] == SITE
    client.post(
        "/w/relationship-nps/responses",
        json={"id": "abcdef123456", "score": 3, "comment": "Zu teuer", "language": "de"},
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
