"""The dashboard over HTTP, on SQLite (through the DuckDB mirror) and PostgreSQL: login and
logout, CSRF, throttling, roles, and each page's numbers against the KPI API."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import cxlens
from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.store.schema import responses, touchpoints
from cxlens.web import create_app
from cxlens.web.dashboard import TILES, Filters, format_value, tile_query

PASSWORD = "correct horse battery"
VIEW = "since=2025-07-01&until=2026-06-01"
FILTERS = Filters(grain="month", since=date(2025, 7, 1), until=date(2026, 6, 1))


@pytest.fixture
def demo_store(mapped_store):
    generate_demo(mapped_store, customers=200, responses=1500, seed=3, end=date(2026, 6, 30))
    return mapped_store


def login(client: TestClient, email: str = "admin@example.com", password: str = PASSWORD, next: str = "/"):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": next}, follow_redirects=False
    )


@pytest.fixture
def client(demo_store):
    create_user(demo_store, "admin@example.com", PASSWORD, role="admin")
    c = TestClient(create_app(demo_store))
    assert login(c).status_code == 303
    return c


def csrf_of(html: str) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', html).group(1)


def tile_html(html: str, metric: str) -> str:
    return re.search(rf'<article class="tile[^"]*" data-metric="{metric}">(.*?)</article>', html, re.S).group(1)


def test_pages_need_a_login_and_come_back_after_it(store):
    create_user(store, "a@example.com", PASSWORD)
    c = TestClient(create_app(store))
    for path in ("/", "/journeys", "/explorer", "/touchpoints/x"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = c.get("/explorer?metric=csat", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 401 and r.headers["HX-Redirect"] == "/login?next=%2Fexplorer%3Fmetric%3Dcsat"
    r = login(c, "a@example.com", next="/explorer?metric=csat")
    assert r.status_code == 303 and r.headers["location"] == "/explorer?metric=csat"
    assert "session" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    assert c.get("/explorer?metric=csat").status_code == 200


def test_login_refuses_bad_passwords_forged_forms_and_outside_redirects(store):
    create_user(store, "a@example.com", PASSWORD)
    c = TestClient(create_app(store))
    r = login(c, "a@example.com", "wrong password!")
    assert r.status_code == 401 and "The e-mail or the password is not right." in r.text
    r = c.post(
        "/login", data={"email": "a@example.com", "password": PASSWORD, "csrf_token": "made-up"}, follow_redirects=False
    )
    assert r.status_code == 403 and "form expired" in r.text
    r = login(c, "a@example.com", next="//evil.example/")
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_login_is_rate_limited(store):
    create_user(store, "a@example.com", PASSWORD)
    c = TestClient(create_app(store))
    from cxlens.access.sessions import FREE_FAILURES

    for _ in range(FREE_FAILURES):
        assert login(c, "a@example.com", "wrong password!").status_code == 401
    r = login(c, "a@example.com", PASSWORD)  # from the guessing address even the right password waits a moment
    assert r.status_code == 429 and "Too many failed logins" in r.text and int(r.headers["Retry-After"]) > 0


def test_the_user_is_told_of_failed_logins_since_their_last_one(store):
    """OWASP: the owner of an account someone guessed at hears of it at their next login, once."""
    from cxlens.access import record_login_attempt

    create_user(store, "a@example.com", PASSWORD)
    record_login_attempt(store, "a@example.com", "203.0.113.7", False)
    record_login_attempt(store, "a@example.com", "198.51.100.2", False)
    c = TestClient(create_app(store))
    assert login(c, "a@example.com", PASSWORD).status_code == 303
    first = c.get("/").text
    assert "Since your previous login, 2 logins of your account failed from 2 addresses" in first
    assert "the last from 198.51.100.2" in first
    assert "logins of your account failed" not in c.get("/").text  # said once
    c.cookies.set("cxlens_login_note", "<script>alert(1)</script>")  # not one of ours: ignored
    assert "<script>alert(1)" not in c.get("/").text
    c2 = TestClient(create_app(store))
    assert login(c2, "a@example.com", PASSWORD).status_code == 303
    assert "logins of your account failed" not in c2.get("/").text  # none since that login


def test_logout_needs_the_csrf_token_and_ends_the_session(client):
    html = client.get("/").text
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False).status_code == 403
    r = client.post("/logout", headers={"X-CSRF-Token": csrf_of(html)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_overview_tiles_equal_the_kpi_api(client, demo_store):
    html = client.get(f"/?{VIEW}").text
    k = cxlens.kpi(demo_store)
    for metric in TILES:
        tile = tile_html(html, metric)
        rows = [r for r in k.compute(metric, **tile_query(metric, FILTERS)).rows if r["value"] is not None]
        latest = max(rows, key=lambda r: r["period"])
        shown = float(re.search(r'data-value="([^"]+)"', tile).group(1))
        assert shown == pytest.approx(latest["value"], rel=1e-9, abs=1e-9), metric
        assert f'<span class="value">{format_value(metric, latest["value"])}</span>' in tile
        assert f"n = {latest['n']:,}" in tile
        assert ('data-significant="true"' in tile) == bool(latest.get("significant")), metric


def test_a_filter_in_the_url_reaches_every_tile_that_can_take_it(client, demo_store):
    html = client.get(f"/?{VIEW}&segment=smb&team=billing").text
    k = cxlens.kpi(demo_store)
    filters = Filters(grain="month", since=date(2025, 7, 1), until=date(2026, 6, 1), segment="smb", team="billing")
    nps = [r for r in k.compute("nps", **tile_query("nps", filters)).rows]
    # An answer's team is its touchpoint's: NPS takes the team filter; churn (by customer) cannot.
    assert tile_query("nps", filters)["where"] == {"segment": ["smb"], "team": ["billing"]}
    assert float(re.search(r'data-value="([^"]+)"', tile_html(html, "nps")).group(1)) == pytest.approx(nps[-1]["value"])
    assert "Not filtered by team." not in tile_html(html, "nps")
    assert "Not filtered by team." in tile_html(html, "churn_rate")
    assert "Not filtered by team." not in tile_html(html, "first_contact_resolution")
    assert '<option value="smb" selected>' in html


def test_htmx_gets_only_the_content(client):
    r = client.get(f"/?{VIEW}", headers={"HX-Request": "true", "HX-Target": "content"})
    assert r.status_code == 200 and "<html" not in r.text and 'data-metric="nps"' in r.text
    assert "<title>Overview · cxlens</title>" in r.text
    full = client.get(f"/?{VIEW}")
    assert "<html" in full.text and "script-src 'self'" in full.headers["content-security-policy"]


def test_journey_map_shows_health_counts_and_the_funnel(client, demo_store):
    html = client.get(f"/journeys?{VIEW}").text
    k = cxlens.kpi(demo_store)
    counts = {
        r["touchpoint"]: r["value"]
        for r in k.compute("response_count", by=["touchpoint"], since="2025-07-01", until="2026-06-01").rows
    }
    assert counts
    for key, n in counts.items():
        block = re.search(
            rf'data-touchpoint="{re.escape(key)}">(.*?)</li>\s*(?=<li class="touchpoint|</ul>)', html, re.S
        ).group(1)
        assert f'data-responses="{n}"' in block
    funnel = [
        r
        for r in k.compute("funnel", since="2025-07-01", until="2026-06-01").rows
        if r["step"] > 1 and r["value"] is not None
    ]
    assert funnel
    for r in funnel:
        assert f"{r['value']:.1f} % of the {r['n']:,} at" in html
    assert re.search(r'class="touchpoint health-(good|ok|warn|bad)"', html)
    assert 'href="/touchpoints/support-chat?since=2025-07-01&amp;until=2026-06-01"' in html


def test_touchpoint_page_escapes_comments(client, demo_store):
    with demo_store.begin() as conn:
        tp = conn.execute(touchpoints.select().where(touchpoints.c.key == "support-chat")).one()
        conn.execute(
            responses.insert().values(
                touchpoint_id=tp.id,
                channel="chat",
                metric="csat",
                score=1,
                scale_min=1,
                scale_max=5,
                submitted_at=datetime(2026, 5, 30, tzinfo=UTC),
                comment="<script>alert('x')</script> & more",
            )
        )
    html = client.get(f"/touchpoints/support-chat?{VIEW}").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in html
    assert 'data-metric="csat"' in html and "By segment" in html
    assert client.get(f"/touchpoints/no-such?{VIEW}").status_code == 404


def test_explorer_table_equals_the_kpi_api_and_downloads_as_csv(client, demo_store):
    q = f"/explorer?metric=csat&by=segment&trend=0&{VIEW}"
    html = client.get(q).text
    rows = cxlens.kpi(demo_store).compute("csat", by=["segment"], since="2025-07-01", until="2026-06-01").rows
    for r in rows:
        assert f'<td>{r["segment"]}</td>\n      <td class="n">{format_value("csat", r["value"])}</td>' in html
    body = client.get(q.replace("/explorer?", "/explorer.csv?"))
    assert body.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(body.text)))
    assert [t["segment"] for t in table] == [r["segment"] for r in rows]
    assert [float(t["value"]) for t in table] == pytest.approx([r["value"] for r in rows])


def test_explorer_says_what_is_wrong_with_a_view(client):
    r = client.get("/explorer?metric=churn_rate&by=channel")
    assert r.status_code == 422 and "cannot be split by channel; it can by: segment, plan, persona" in r.text
    r = client.get("/?grain=fortnight")
    assert r.status_code == 422 and "grain=&#39;fortnight&#39; is not known" in r.text
    r = client.get("/?since=2026-05-01&until=2026-01-01")
    assert r.status_code == 422 and "is not before" in r.text


def test_a_viewer_reads_but_cannot_download(demo_store):
    create_user(demo_store, "v@example.com", PASSWORD, role="viewer")
    c = TestClient(create_app(demo_store))
    login(c, "v@example.com")
    assert c.get(f"/explorer?{VIEW}").status_code == 200
    r = c.get(f"/explorer.csv?{VIEW}")
    assert r.status_code == 403 and "analyst" in r.text


def test_static_files_are_vendored_with_their_licences(client):
    for lib, name in (
        ("htmx", "htmx.min.js"),
        ("vega", "vega.min.js"),
        ("vega-lite", "vega-lite.min.js"),
        ("vega-embed", "vega-embed.min.js"),
    ):
        assert client.get(f"/static/vendor/{lib}/{name}").status_code == 200
        assert client.get(f"/static/vendor/{lib}/LICENSE").status_code == 200


def test_new_answers_show_up_without_a_restart(client, demo_store, monkeypatch):
    from cxlens.web import kpi_engine

    monkeypatch.setattr(kpi_engine, "SYNC_EVERY", 0.0)
    first = client.get(f"/?{VIEW}").text
    n_before = int(re.search(r'data-n="(\d+)"', tile_html(first, "nps")).group(1))
    again = client.get(f"/?{VIEW}").text  # asked again, nothing new: the same answer
    assert re.search(r'data-n="(\d+)"', tile_html(again, "nps")).group(1) == str(n_before)
    with demo_store.begin() as conn:
        tp = conn.execute(touchpoints.select().where(touchpoints.c.key == "checkout")).one()
        conn.execute(
            responses.insert(),
            [
                dict(
                    touchpoint_id=tp.id,
                    channel="web",
                    metric="nps",
                    score=10,
                    scale_min=0,
                    scale_max=10,
                    submitted_at=datetime(2026, 5, 20, tzinfo=UTC),
                )
            ]
            * 3,
        )
    after = client.get(f"/?{VIEW}").text
    assert int(re.search(r'data-n="(\d+)"', tile_html(after, "nps")).group(1)) == n_before + 3


def test_support_page_equals_the_kpi_api_per_team(client, demo_store):
    html = client.get(f"/support?split=team&{VIEW}").text
    k = cxlens.kpi(demo_store)
    for metric in ("ticket_volume", "first_response_median", "first_contact_resolution"):
        total = k.compute(metric, since="2025-07-01", until="2026-06-01").rows[0]
        tile = tile_html(html, metric)
        assert f'<span class="value">{format_value(metric, total["value"])}</span>' in tile
        for r in k.compute(metric, by=["team"], since="2025-07-01", until="2026-06-01").rows:
            row = re.search(rf"<tr><td>{re.escape(r['team'])}</td>(.*?)</tr>", html, re.S).group(1)
            assert f'data-value="{r["value"]}"' in row, (metric, r["team"])
    assert client.get("/support?split=planet").status_code == 422


def test_churn_page_shows_the_rate_reasons_cohorts_and_survival(client, demo_store):
    html = client.get(f"/churn?{VIEW}&segment=smb").text
    rates = (
        cxlens.kpi(demo_store)
        .compute("churn_rate", grain="month", since="2025-07-01", until="2026-06-01", where={"segment": ["smb"]})
        .rows
    )
    assert f'data-value="{rates[-1]["value"]}"' in html
    assert "Why customers left" in html and "Cohort retention heatmap" in html and "Survival curve" in html
    assert html.count("data-chart") >= 4


def _add_feedback(store):
    from cxlens.store.schema import mentions, text_results, text_themes

    with store.begin() as conn:
        tp = conn.execute(touchpoints.select().where(touchpoints.c.key == "checkout")).one()
        conn.execute(
            responses.insert().values(
                touchpoint_id=tp.id,
                channel="web",
                metric="nps",
                score=2,
                scale_min=0,
                scale_max=10,
                submitted_at=datetime(2026, 5, 31, 10, tzinfo=UTC),
                comment="Where is my ZORBLAX refund? <b>angry</b>",
                language="en",
            )
        )
        rid = conn.execute(sa.select(sa.func.max(responses.c.id))).scalar_one()
        conn.execute(
            mentions.insert().values(
                source="app-store",
                kind="review",
                rating=1,
                rating_max=5,
                title="<i>bad</i>",
                text="<script>alert(1)</script> zorblax never came",
                posted_at=datetime(2026, 5, 31, 11, tzinfo=UTC),
            )
        )
        conn.execute(
            text_themes.insert().values(number=0, label="refund · money", created_at=datetime(2026, 6, 1, tzinfo=UTC))
        )
        theme = conn.execute(sa.select(sa.func.max(text_themes.c.id))).scalar_one()
        conn.execute(
            text_results.insert().values(
                source="response",
                source_id=rid,
                sentiment="negative",
                theme_id=theme,
                analyzed_at=datetime(2026, 6, 1, tzinfo=UTC),
            )
        )


def test_feedback_streams_comments_and_mentions_escaped_and_searchable(client, demo_store):
    _add_feedback(demo_store)
    html = client.get(f"/feedback?{VIEW}&q=zorblax").text
    items = re.findall(r'<li class="item kind-(\w+)', html)
    assert items == ["mention", "response"]  # newest first; only texts with the word
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; zorblax never came" in html
    assert "&lt;i&gt;bad&lt;/i&gt;" in html and "Where is my ZORBLAX refund? &lt;b&gt;angry&lt;/b&gt;" in html
    assert "theme: refund · money" in html and '<span class="sentiment">negative</span>' in html
    negative = client.get(f"/feedback?{VIEW}&sentiment=negative").text
    assert re.findall(r'<li class="item kind-(\w+)', negative) == ["response"]
    only_comments = client.get(f"/feedback?{VIEW}&q=zorblax&channel=web").text  # mentions have no channel
    assert re.findall(r'<li class="item kind-(\w+)', only_comments) == ["response"]
    assert client.get(f"/feedback?{VIEW}&kind=tweet").status_code == 422


def test_feedback_pages_through_everything(client, demo_store):
    first = client.get(f"/feedback?{VIEW}").text
    assert len(re.findall(r'<li class="item', first)) == 50 and ">Older</a>" in first
    second = client.get(f"/feedback?{VIEW}&page=1").text
    assert ">Newer</a>" in second


def test_surveys_show_answers_and_response_rates_from_the_kpi_api(client, demo_store):
    from cxlens.store.schema import customers, invitations, surveys

    with demo_store.begin() as conn:
        survey = conn.execute(surveys.select().where(surveys.c.key == "support-csat")).one()
        ids = conn.execute(sa.select(customers.c.id).limit(40)).scalars().all()
        conn.execute(
            invitations.insert(),
            [
                dict(
                    survey_id=survey.id,
                    customer_id=c,
                    channel="email" if i % 2 else "sms",
                    due_at=datetime(2026, 3, 1, tzinfo=UTC),
                    sent_at=datetime(2026, 3, 1, tzinfo=UTC),
                    status="answered" if i % 3 == 0 else "sent",
                )
                for i, c in enumerate(ids)
            ],
        )
    html = client.get(f"/surveys?{VIEW}").text
    block = re.search(r'data-survey="support-csat">(.*?)</section>', html, re.S).group(1)
    rates = (
        cxlens.kpi(demo_store)
        .compute("response_rate", by=["survey", "channel"], since="2025-07-01", until="2026-06-01")
        .rows
    )
    rates = [r for r in rates if r["survey"] == "support-csat"]  # the demo invites to the other surveys too
    assert {r["channel"] for r in rates} == {"email", "sms"}
    for r in rates:
        assert f'data-value="{r["value"]}">{format_value("response_rate", r["value"])}' in block
    n = (
        cxlens.kpi(demo_store)
        .compute("response_count", where={"survey": ["support-csat"]}, since="2025-07-01", until="2026-06-01")
        .rows[0]["n"]
    )
    assert f'data-answers="{n}"' in block


def test_customers_are_for_analysts_and_show_a_timeline(client, demo_store):
    from cxlens.store.schema import customers

    with demo_store.begin() as conn:
        person = conn.execute(sa.select(customers).order_by(customers.c.id).limit(1)).one()
        conn.execute(
            responses.insert().values(
                customer_id=person.id,
                channel="web",
                metric="nps",
                score=0,
                scale_min=0,
                scale_max=10,
                submitted_at=datetime(2026, 7, 15, tzinfo=UTC),
                comment="<img src=x onerror=alert(1)> never again",
            )
        )
        conn.execute(customers.update().where(customers.c.id == person.id).values(name="Zelda <b>Q</b>"))
    found = client.get("/customers?q=zelda").text
    assert found.count('<a href="/customers/') == 1 and "Zelda &lt;b&gt;Q&lt;/b&gt;" in found
    page = client.get(f"/customers/{person.id}").text
    kinds = re.findall(r'<li class="kind-([\w-]+)">', page)
    assert kinds[0] == "response" and "signed-up" in kinds
    assert "&lt;img src=x onerror=alert(1)&gt; never again" in page and "<img src=x" not in page
    assert client.get("/customers/987654321").status_code == 404
    create_user(demo_store, "v@example.com", PASSWORD, role="viewer")
    viewer = TestClient(create_app(demo_store))
    login(viewer, "v@example.com")
    assert viewer.get("/customers").status_code == 403
    assert 'href="/customers"' not in viewer.get(f"/?{VIEW}").text


def test_a_missing_page_says_so_as_a_page_and_the_api_keeps_json(client):
    page = client.get("/touchpoints/nope", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text and "the journey map lists them" in page.text
    assert 'href="/journeys' in page.text  # still inside the dashboard, logged in
    api = client.get("/api/kpi/nps")
    assert api.status_code == 401 and api.headers["content-type"] == "application/json"


def test_a_significant_drop_is_flagged_and_only_then(client, demo_store):
    before = tile_html(client.get(f"/?{VIEW}&grain=month").text, "nps")
    k = cxlens.kpi(demo_store)
    assert ('data-significant="true"' in before) == bool(
        k.compute("nps", **tile_query("nps", FILTERS)).rows[-1]["significant"]
    )
    with demo_store.begin() as conn:
        tp = conn.execute(touchpoints.select().where(touchpoints.c.key == "checkout")).one()
        conn.execute(
            responses.insert(),
            [
                dict(
                    touchpoint_id=tp.id,
                    channel="web",
                    metric="nps",
                    score=0,
                    scale_min=0,
                    scale_max=10,
                    submitted_at=datetime(2026, 5, 10, tzinfo=UTC),
                )
            ]
            * 300,
        )
    fresh = TestClient(create_app(demo_store))  # a new app: its engine copies the store anew
    login(fresh)
    after = tile_html(fresh.get(f"/?{VIEW}").text, "nps")
    latest = k.compute("nps", **tile_query("nps", FILTERS)).rows[-1]
    assert latest["significant"] and latest["change"] < 0
    assert 'data-significant="true"' in after and "significant (worse" in after and "▼" in after


def test_explorer_downloads_an_excel_workbook(client, demo_store):
    from openpyxl import load_workbook

    r = client.get(f"/explorer.xlsx?metric=nps&by=segment&trend=0&{VIEW}")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    rows = list(load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0][:2]) == ["segment", "value"]
    expected = cxlens.kpi(demo_store).compute("nps", by=["segment"], since="2025-07-01", until="2026-06-01").rows
    assert [r[0] for r in rows[1:]] == [e["segment"] for e in expected]
    assert [r[1] for r in rows[1:]] == pytest.approx([e["value"] for e in expected])


def test_workbook_keeps_what_customers_type_as_text():
    from openpyxl import load_workbook

    from cxlens.web.dashboard import xlsx_workbook

    data = xlsx_workbook("nps", ["comment", "n"], [['=HYPERLINK("x")<script>\x07', 3], [None, 2.5]])
    sheet = load_workbook(io.BytesIO(data)).active
    (head, first, second) = sheet.iter_rows(values_only=True)
    assert head == ("comment", "n") and first == ('=HYPERLINK("x")<script>', 3) and second == (None, 2.5)
    assert sheet["A2"].data_type == "s"  # text, not a formula Excel would run


def test_tiles_equal_the_rest_api_too(client, demo_store):
    from cxlens.access import create_api_key

    key = create_api_key(demo_store, "dashboard test", ["kpi:read"]).secret
    html = client.get(f"/?{VIEW}&segment=smb").text
    for metric in ("nps", "csat", "churn_rate"):
        body = client.get(
            f"/api/kpi/{metric}?grain=month&since=2025-07-01&until=2026-06-01&where=segment=smb&compare=previous",
            headers={"Authorization": f"Bearer {key}"},
        ).json()
        latest = body["rows"][-1]
        tile = tile_html(html, metric)
        assert float(re.search(r'data-value="([^"]+)"', tile).group(1)) == pytest.approx(latest["value"], rel=1e-12)
        assert f"n = {latest['n']:,}" in tile


def test_journey_map_still_shows_when_health_cannot_be_computed(client, monkeypatch):
    from ibis.common.exceptions import TableNotFound

    from cxlens.web.kpi_engine import KPIEngine

    real = KPIEngine.compute

    def compute(self, name, **options):
        if name == "touchpoint_health":
            raise TableNotFound("text_results")
        return real(self, name, **options)

    monkeypatch.setattr(KPIEngine, "compute", compute)
    html = client.get(f"/journeys?{VIEW}").text
    assert "its copy lacks the table text_results" in html
    assert 'data-touchpoint="support-chat"' in html and 'class="touchpoint health-unknown"' in html
