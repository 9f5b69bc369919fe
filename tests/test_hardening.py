"""Smaller hardening: formula prefixes in CSV exports, and the CLI naming its store."""

from __future__ import annotations

from typer.testing import CliRunner

from cxlens.web.dashboard.export import csv_cell


def test_csv_cells_starting_like_a_formula_stay_text():
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1"):
        assert csv_cell(cell) == "'" + cell
    assert csv_cell("fine") == "fine" and csv_cell(None) == ""


def test_a_data_command_refuses_to_create_a_store_silently(tmp_path, monkeypatch):
    from cxlens.cli import app

    monkeypatch.delenv("CXLENS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CXLENS_DATA_DIR", str(tmp_path / "nowhere"))
    answer = CliRunner().invoke(app, ["customers", "export", "c-1"])
    assert answer.exit_code == 1 and "no store" in str(answer.exception)
    assert not (tmp_path / "nowhere").exists()


def test_an_answer_can_be_changed_for_a_day_only(collection):
    import pytest
    from test_collect_fixtures import invitations

    from cxlens.collect.events import check_events, record_events, touchpoint_ids
    from cxlens.errors import AnswerClosed

    rows, _ = check_events(
        [{"customer": "c-fi", "touchpoint": "support-chat", "occurred_at": "2026-03-02T10:00:00Z"}],
        touchpoint_ids(collection.store),
    )
    record_events(collection, rows, 0, None, b"")
    [inv] = invitations(collection.store)
    token = collection.token(inv["id"])
    collection.answer(token, score=2)
    collection.clock.advance(hours=23)
    collection.answer(token, score=3)  # still theirs to change
    collection.clock.advance(hours=2)
    with pytest.raises(AnswerClosed, match="could be changed for 24 hours"):
        collection.answer(token, score=5)


def test_the_unsubscribe_link_has_a_token_of_its_own(collection, client):
    from conftest import count

    token = collection.token(collection.invite("support-csat", "c-de"))
    link = collection.unsubscribe_link(token)
    unsubscribe = link.rsplit("/u/", 1)[1]
    assert unsubscribe != token
    assert client.get(f"/s/{unsubscribe}").status_code == 400  # it cannot answer the survey
    assert client.post(f"/s/{unsubscribe}", data={"score": "1"}).status_code == 400
    assert client.get(f"/u/{unsubscribe}").status_code == 200
    assert client.post(f"/u/{unsubscribe}").status_code == 200 and count(collection.store, "opt_outs") == 1
    assert count(collection.store, "responses") == 0
