"""The Words page: over HTTP (numbers from the library, customer text escaped) and in
Debian's Chromium at desktop and phone widths, with screenshots under test-artifacts/words/."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)
from test_dashboard import PASSWORD, login

from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.store.schema import responses, text_results, text_themes, touchpoints
from cxlens.text import analyze, rename_theme, taxonomy_themes, themes
from cxlens.text.insights import OTHER, topic_insights, topic_trend
from cxlens.web import create_app
from cxlens.web.kpi_engine import KPIEngine

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


def _charts(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/json">(.*?)</script>', html, re.S)]


def _section(html: str, anchor: str) -> str:
    return re.search(rf'<section class="kpi-section" id="{anchor}">.*?</section>', html, re.S).group(0)


def test_sentiment_by_touchpoint_and_channel_carry_n_and_intervals(analysed):
    client = TestClient(create_app(analysed))
    assert login(client).status_code == 303
    html = client.get(f"/words?{VIEW}&grain=quarter").text
    kpis = KPIEngine(analysed)
    for split in ("language", "touchpoint", "channel"):
        section = _section(html, f"sentiment-{split}")
        assert f"Sentiment per quarter by {split}" in section
        rows = kpis.compute(
            "sentiment", by=[split], grain="quarter", since=date(2025, 7, 1), until=date(2026, 6, 1)
        ).rows
        rows = [r for r in rows if r["value"] is not None]
        assert rows and all(r["low"] <= r["value"] <= r["high"] and r["n"] > 0 for r in rows)
        cells = re.findall(r'<td class="n">([^<]+)</td></tr>', section)  # the n column ends each row
        assert sorted(int(c.replace(",", "")) for c in cells) == sorted(r["n"] for r in rows)
        spec = _charts(section)[0]
        groups = {d[split] for d in spec["data"]["values"]}
        assert None not in groups and len(groups) <= 9


def test_topics_per_period_add_up_to_the_analysed_texts(analysed):
    rows = topic_trend(analysed, "quarter", date(2025, 7, 1), date(2026, 6, 1), limit=5)
    assert len({r["topic"] for r in rows} - {OTHER}) == 5 and OTHER in {r["topic"] for r in rows}
    with analysed.engine.connect() as conn:
        named = conn.execute(
            sa.select(sa.func.count())
            .select_from(text_results)
            .where(text_results.c.theme_id.is_not(None))
            .where(text_results.c.occurred_at >= datetime(2025, 7, 1, tzinfo=UTC))
            .where(text_results.c.occurred_at < datetime(2026, 6, 1, tzinfo=UTC))
        ).scalar_one()
    assert sum(r["n"] for r in rows) == named
    assert all(r["low"] <= r["value"] <= r["high"] and r["n"] <= r["total"] for r in rows)
    client = TestClient(create_app(analysed))
    assert login(client).status_code == 303
    section = _section(client.get(f"/words?{VIEW}&grain=quarter").text, "topic-trend")
    spec = _charts(section)[0]
    assert spec["mark"]["type"] == "line" and OTHER in {d["topic"] for d in spec["data"]["values"]}
    assert section.count("<tr>") - 1 == len(topic_trend(analysed, "quarter", date(2025, 7, 1), date(2026, 6, 1)))


def test_recurring_support_issues_per_team_match_the_ticket_counts_and_the_support_page_links_them(analysed):
    client = TestClient(create_app(analysed))
    assert login(client).status_code == 303
    support = client.get(f"/support?{VIEW}&grain=quarter").text
    link = re.search(r'href="(/words\?[^"]*#support-issues)"', support)
    assert link, "the Support page links the recurring issues"
    html = client.get(link.group(1).replace("&amp;", "&")).text
    section = _section(html, "support-issues")
    rows = (
        KPIEngine(analysed)
        .compute("ticket_volume", by=["team", "theme"], grain="quarter", since=date(2025, 7, 1), until=date(2026, 6, 1))
        .rows
    )
    total = {}
    for r in rows:
        if r["team"] and r["theme"]:
            total[(r["team"], r["theme"])] = total.get((r["team"], r["theme"]), 0) + int(r["value"])
    shown = re.findall(
        r"<tr[^>]*>\s*<td>([^<]+)</td><td>([^<]+?)(?: <strong[^>]*>recurring</strong>)?</td>\s*<td class=\"n\">([\d,]+)</td>",
        section,
    )
    assert shown and len({team for team, _, _ in shown}) == len({t for t, _ in total})
    for team, topic, n in shown:
        assert total[(team, topic.replace("&amp;", "&"))] == int(n.replace(",", ""))
    assert "recurring" in section and "4 of 4" in section


def test_the_explorer_theme_split_draws_top_topics_and_other_never_null(analysed):
    client = TestClient(create_app(analysed))
    assert login(client).status_code == 303
    html = client.get(f"/explorer?metric=nps&by=theme&{VIEW}&grain=quarter").text
    spec = next(c for c in _charts(html) if c.get("encoding", {}).get("color", {}).get("field") == "theme")
    groups = {d["theme"] for d in spec["data"]["values"]}
    assert "other" in groups and None not in groups and "null" not in groups
    assert len(groups) <= 9
    other = [d for d in spec["data"]["values"] if d["theme"] == "other"]
    assert all(d["n"] > 0 and d["low"] <= d["value"] <= d["high"] for d in other)
    assert 'other"; the table lists all' in html or "other&#34;; the table lists all" in html


def _admin_client(store, role="admin", email="admin@example.com"):
    if role != "admin":
        create_user(store, email, PASSWORD, role=role)
    client = TestClient(create_app(store))
    assert login(client, email).status_code == 303
    return client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_admins_name_merge_and_ignore_discovered_themes(analysed):
    discovered = [t for t in themes(analysed) if t.topic is None]
    assert len(discovered) >= 3
    first, second, third = discovered[:3]
    rename_theme(analysed, third.id, "<b>loud</b> theme")  # what customers wrote comes back escaped
    client = _admin_client(analysed)
    page = client.get("/admin/themes")
    assert page.status_code == 200 and "<b>loud</b>" not in page.text and "&lt;b&gt;loud" in page.text
    token = _csrf(page.text)

    done = client.post(f"/admin/themes/{first.id}/name", data={"name": "Mobile payments", "csrf_token": token})
    assert done.status_code == 200 and f"Theme {first.id} is now called “Mobile payments”" in done.text
    named = next(t for t in themes(analysed) if t.id == first.id)
    assert named.name == "Mobile payments" and named.pinned

    topic_id, topic_name = taxonomy_themes(analysed)[0]
    before = next((t.count for t in themes(analysed) if t.id == topic_id), 0)
    done = client.post(f"/admin/themes/{second.id}/merge", data={"into": str(topic_id), "csrf_token": token})
    assert done.status_code == 200 and f"merged into “{topic_name}”" in done.text
    after = next(t.count for t in themes(analysed) if t.id == topic_id)
    assert after == before + second.count and second.id not in {t.id for t in themes(analysed)}

    done = client.post(f"/admin/themes/{third.id}/ignore", data={"csrf_token": token})
    assert done.status_code == 200 and "ignored" in done.text
    assert third.id not in {t.id for t in themes(analysed)}
    assert "loud" not in client.get(f"/words?{VIEW}").text
    done = client.post(f"/admin/themes/{third.id}/ignore", data={"ignored": "0", "csrf_token": token})
    assert third.id in {t.id for t in themes(analysed)}

    bad = client.post(f"/admin/themes/{first.id}/merge", data={"into": "999999", "csrf_token": token})
    assert bad.status_code == 422 and "not a taxonomy topic" in bad.text
    with analysed.engine.connect() as conn:
        assert conn.execute(sa.select(text_themes.c.ignored).where(text_themes.c.id == topic_id)).scalar_one() is False
    refused = client.post(f"/admin/themes/{topic_id}/ignore", data={"csrf_token": token})
    assert refused.status_code == 422 and "taxonomy" in refused.text


def test_theme_edits_need_an_admin_and_the_form_token(analysed):
    theme = next(t for t in themes(analysed) if t.topic is None)
    admin = _admin_client(analysed)
    forged = admin.post(f"/admin/themes/{theme.id}/name", data={"name": "x", "csrf_token": "not-it"})
    assert forged.status_code == 403 and "security token" in forged.text
    viewer = _admin_client(analysed, role="viewer", email="viewer@example.com")
    assert viewer.get("/admin/themes").status_code == 403
    token = _csrf(viewer.get(f"/words?{VIEW}").text) if 'name="csrf_token"' in viewer.get(f"/words?{VIEW}").text else ""
    assert viewer.post(f"/admin/themes/{theme.id}/ignore", data={"csrf_token": token}).status_code == 403
    assert next(t for t in themes(analysed) if t.id == theme.id).name == theme.name


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
            assert page.locator("h2", has_text="Topics").count() == 2  # the table and the per-period chart
            for anchor in ("sentiment-language", "sentiment-touchpoint", "sentiment-channel", "topic-trend"):
                assert (
                    page.locator(
                        f"#{anchor} [data-chart][data-ready] svg, #{anchor} [data-chart][data-ready] canvas"
                    ).count()
                    == 1
                ), anchor
            assert page.locator("#support-issues table.support-issues tbody tr").count() > 0
            assert page.locator("#support-issues .recurring").count() > 0
            # Nothing wider than the phone: tables scroll inside themselves.
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"words-{name}.png"), full_page=True)
            page.close()
        assert not errors, errors


def test_an_admin_names_merges_and_ignores_themes_in_a_browser(analysed, backend, browser):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the HTTP test covers PostgreSQL")
    first, second, third = [t for t in themes(analysed) if t.topic is None][:3]
    topic_id, topic_name = taxonomy_themes(analysed)[1]
    with LiveServer(create_app(analysed), free_port()) as server:
        page = browser.new_page(viewport={"width": 390, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server.url}/words?{VIEW}")
        page.fill("input[name=email]", "admin@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.click("text=Name, merge or ignore the discovered themes")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/admin/themes")
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "themes-phone.png"), full_page=True)

        page.fill(f"#name-{first.id}", "Paying by phone")
        page.click(f"#theme-{first.id} form[action$='/name'] button")
        page.wait_for_load_state("networkidle")
        assert "is now called “Paying by phone”" in page.locator(".done").inner_text()

        page.select_option(f"#into-{second.id}", str(topic_id))
        page.click(f"#theme-{second.id} form[action$='/merge'] button")
        page.wait_for_load_state("networkidle")
        assert f"merged into “{topic_name}”" in page.locator(".done").inner_text()
        assert page.locator(f"#theme-{second.id}").count() == 0

        page.click(f"#theme-{third.id} form[action$='/ignore'] button")
        page.wait_for_load_state("networkidle")
        assert "is ignored" in page.locator(".done").inner_text()
        assert page.locator(f"#theme-{third.id}.ignored").count() == 1
        page.close()
        assert not errors, errors
    found = {t.id: t for t in themes(analysed, include_ignored=True)}
    assert found[first.id].name == "Paying by phone" and second.id not in found and found[third.id].ignored
