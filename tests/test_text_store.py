"""Text analytics on the store (SQLite and PostgreSQL): analyse, themes, requests, drivers, CLI, API."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cxlens.access import create_api_key
from cxlens.cli import app
from cxlens.demo import generate_demo
from cxlens.errors import InputError
from cxlens.store import schema as s
from cxlens.text import analysis, findings
from cxlens.web import create_app


@pytest.fixture
def demo(store):
    generate_demo(store, customers=300, responses=3000, seed=5, end=date(2026, 6, 30))
    return store


def _counts(store, sql):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql)).all()


def test_every_text_gets_language_sentiment_and_a_theme_once(demo):
    summary = analysis.analyze(demo)
    assert summary.sentiment_fitted and summary.themes_fitted
    texts = {
        "response": _counts(demo, "SELECT count(*) FROM responses WHERE comment IS NOT NULL")[0][0],
        "ticket": _counts(demo, "SELECT count(*) FROM tickets")[0][0],
        "mention": _counts(demo, "SELECT count(*) FROM mentions")[0][0],
        "feature_request": _counts(demo, "SELECT count(*) FROM feature_requests")[0][0],
    }
    assert summary.analyzed == texts
    missing = _counts(
        demo,
        "SELECT count(*) FROM text_results WHERE language IS NULL OR sentiment IS NULL "
        "OR sentiment_score < -1 OR sentiment_score > 1",
    )[0][0]
    assert missing == 0
    themed = _counts(demo, "SELECT count(*) FROM text_results WHERE theme_id IS NOT NULL")[0][0]
    assert themed / sum(texts.values()) > 0.5
    # The stored language of a comment is kept; the demo writes the customer's language.
    agree = _counts(
        demo,
        "SELECT count(*) FROM text_results r JOIN responses p ON r.source = 'response' "
        "AND r.source_id = p.id WHERE r.language = p.language",
    )[0][0]
    assert agree == texts["response"]
    # Incremental: nothing new, nothing done; the stored models are reused.
    again = analysis.analyze(demo)
    assert set(again.analyzed.values()) == {0} and not again.sentiment_fitted
    assert _counts(demo, "SELECT count(*) FROM text_models")[0][0] == 3  # sentiment, topics, themes


def test_a_model_older_than_the_schedule_allows_is_refitted(demo):
    analysis.analyze(demo)
    assert not analysis.analyze(demo, max_model_age_days=30).refitted
    with demo.begin() as conn:
        conn.execute(sa.update(s.text_models).values(created_at=datetime.now(timezone.utc) - timedelta(days=40)))
    again = analysis.analyze(demo, max_model_age_days=30)
    assert again.refitted and again.sentiment_fitted and again.analyzed["response"] > 0
    assert not analysis.analyze(demo, max_model_age_days=30).refitted


def test_sentiment_follows_the_score_of_rated_comments(demo):
    analysis.analyze(demo)
    rows = _counts(
        demo,
        "SELECT r.sentiment, count(*) FROM text_results r JOIN responses p ON r.source = 'response' "
        "AND r.source_id = p.id WHERE p.metric = 'nps' AND p.score <= 6 GROUP BY r.sentiment",
    )
    by = dict(rows)
    assert by.get("negative", 0) > 0.8 * sum(by.values())
    held = analysis.analyze(demo).evaluation["heldout"]
    assert held["accuracy"] > 0.5 and set(held["groups"]) >= {"en", "de", "zh"}


def test_new_texts_are_analysed_incrementally_with_the_stored_models(demo):
    analysis.analyze(demo)
    with demo.begin() as conn:
        conn.execute(sa.delete(s.text_results).where(s.text_results.c.source == "mention"))
    summary = analysis.analyze(demo)
    assert summary.analyzed["mention"] == _counts(demo, "SELECT count(*) FROM mentions")[0][0]
    assert summary.analyzed["response"] == 0 and not summary.themes_fitted


def test_themes_can_be_renamed_merged_pinned_and_survive_a_refit(demo):
    analysis.analyze(demo)
    found = analysis.themes(demo)
    assert found and all(t.count > 0 and 0 <= t.share_negative <= 1 and t.examples for t in found)
    a, b = found[0], found[1]
    analysis.rename_theme(demo, a.id, "Late parcels")
    analysis.pin_theme(demo, a.id)
    moved = analysis.merge_themes(demo, b.id, a.id)
    assert moved == b.count
    after = {t.id: t for t in analysis.themes(demo)}
    assert b.id not in after and after[a.id].count == a.count + b.count and after[a.id].name == "Late parcels"
    with pytest.raises(InputError, match="theme 999999 does not exist"):
        analysis.rename_theme(demo, 999999, "x")
    analysis.analyze(demo, refit=True)
    names = {t.name for t in analysis.themes(demo)}
    pinned = _counts(demo, f"SELECT name, pinned FROM text_themes WHERE id = {a.id}")[0]
    assert pinned[0] == "Late parcels" and pinned[1]
    assert names


def test_feature_requests_are_grouped_with_requesters_and_revenue(demo):
    analysis.analyze(demo)
    groups = analysis.feature_requests(demo)
    n_requests = _counts(demo, "SELECT count(*) FROM feature_requests")[0][0]
    assert sum(len(g.feature_request_ids) for g in groups) == n_requests
    top = groups[0]
    assert top.requesters >= 1 and top.revenue >= 0 and top.count >= top.requesters
    assert len(groups) < n_requests  # duplicates were grouped


def test_key_drivers_explain_nps_and_give_the_gain_per_theme(demo):
    analysis.analyze(demo)
    result, gains = findings.key_drivers(demo, "nps", min_count=10)
    assert 0 < result.r2 < 1 and result.drivers
    assert sum(d.weight for d in result.drivers) == pytest.approx(result.r2)
    assert all(v >= 0 for v in gains.values())
    with pytest.raises(InputError, match="nps, csat or ces"):
        findings.key_drivers(demo, "rating")


def test_key_drivers_leave_out_ignored_themes(demo):
    from cxlens.text import ignore_theme

    analysis.analyze(demo)
    result, gains = findings.key_drivers(demo, "nps", min_count=10)
    drivers = {d.name for d in result.drivers}
    t = s.text_themes
    with demo.engine.connect() as conn:
        discovered = {
            f"theme: {row.name or row.label}": row.id
            for row in conn.execute(sa.select(t.c.id, t.c.name, t.c.label, t.c.terms))
            if not (row.terms or {}).get("topic")  # taxonomy topics cannot be ignored
        }
    name = next(n for n in sorted(drivers) if n in discovered)
    ignore_theme(demo, discovered[name])
    result, gains = findings.key_drivers(demo, "nps", min_count=10)
    assert name not in {d.name for d in result.drivers}
    assert name[len("theme: ") :] not in gains
    assert {d.name for d in result.drivers} - {name} <= drivers  # the rest as before


def test_cli_analyze_themes_requests_drivers(demo, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", demo.url)
    runner = CliRunner()
    result = runner.invoke(app, ["text", "analyze"])
    assert result.exit_code == 0, result.output
    assert "response" in result.output and "held out" in result.output
    result = runner.invoke(app, ["text", "themes", "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert "negative" in result.output
    first = analysis.themes(demo)[0]
    result = runner.invoke(app, ["text", "themes", "--rename", f"{first.id}=Parcels late", "--pin", str(first.id)])
    assert result.exit_code == 0, result.output
    renamed = {t.id: t for t in analysis.themes(demo)}[first.id]
    assert renamed.name == "Parcels late" and renamed.pinned
    assert runner.invoke(app, ["text", "themes", "--rename", "Parcels"]).exit_code == 1
    result = runner.invoke(app, ["text", "requests"])
    assert result.exit_code == 0 and "requesters" in result.output
    result = runner.invoke(app, ["text", "drivers"])
    assert result.exit_code == 0 and "R²" in result.output


def test_api_needs_text_read_and_answers_what_the_library_does(demo):
    analysis.analyze(demo)
    client = TestClient(create_app(demo))
    assert client.get("/api/text/themes").status_code == 401
    key = create_api_key(demo, "bi", ["text:read"])
    headers = {"Authorization": f"Bearer {key.secret}"}
    themes = client.get("/api/text/themes?limit=3", headers=headers).json()
    assert [t["id"] for t in themes] == [t.id for t in analysis.themes(demo)[:3]]
    drivers = client.get("/api/text/drivers?metric=nps", headers=headers).json()
    assert drivers["outcome"] == "nps" and drivers["drivers"]
    assert client.get("/api/text/requests", headers=headers).status_code == 200
    assert client.get("/api/text/spikes", headers=headers).status_code == 200
    evaluation = client.get("/api/text/sentiment/evaluation", headers=headers).json()
    assert evaluation["metrics"]["heldout"]["accuracy"] > 0.5


def test_a_text_changed_since_it_was_analysed_is_analysed_again(demo):
    analysis.analyze(demo)
    with demo.begin() as conn:
        rid, before = conn.execute(
            sa.text(
                "SELECT r.id, t.sentiment FROM responses r JOIN text_results t ON t.source = 'response' "
                "AND t.source_id = r.id WHERE r.comment IS NOT NULL ORDER BY r.id LIMIT 1"
            )
        ).one()
        # What `import --update` does to a row whose comment was rewritten.
        conn.execute(
            sa.update(s.responses)
            .where(s.responses.c.id == rid)
            .values(comment="The parcel arrived broken and nobody answers. Very angry.")
        )
    summary = analysis.analyze(demo)
    assert summary.changed["response"] == 1 and summary.analyzed["response"] == 1
    assert summary.analyzed["ticket"] == 0 and not summary.sentiment_fitted
    again = _counts(
        demo, f"SELECT sentiment, text_hash FROM text_results WHERE source = 'response' AND source_id = {rid}"
    )
    assert again[0][1] == analysis.text_hash("The parcel arrived broken and nobody answers. Very angry.")
    assert analysis.analyze(demo).changed["response"] == 0
