"""cxlens surveys … and cxlens invitations …: thin commands over the collection library."""

from __future__ import annotations

import pytest
from conftest import DEMO_JOURNEYS, count
from test_collect_fixtures import SURVEYS
from typer.testing import CliRunner

from cxlens.cli import app
from cxlens.cli.testing import run as run_cxlens

runner = CliRunner()


@pytest.fixture
def env(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    monkeypatch.setenv("CXLENS_DATA_DIR", str(tmp_path / "data"))  # the link-signing secret lives here
    monkeypatch.setenv("CXLENS_PUBLIC_URL", "https://cx.example.com")
    monkeypatch.setenv("COLUMNS", "200")  # rich tables at full width
    return store_url


def run(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_surveys_load_list_and_links(env, store, tmp_path):
    run("journeys", "load", str(DEMO_JOURNEYS))
    path = tmp_path / "surveys.yaml"
    path.write_text(SURVEYS)
    assert "2 survey(s) loaded" in run("surveys", "load", str(path))
    assert "support-csat" in run("surveys", "list")
    links = run("surveys", "links", "relationship-nps")
    assert "https://cx.example.com/s/open/relationship-nps" in links
    assert '<script src="https://cx.example.com/w/relationship-nps.js" async></script>' in links


def test_a_bad_survey_file_is_refused_with_its_problems(env, store, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("surveys:\n  - {key: s, name: S, metric: nps, questions: [{key: q, type: maybe, text: Hi}]}\n")
    result = run_cxlens("surveys", "load", str(path))  # as the installed script: the error printed, exit status 1
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "surveys[0].questions[0].type: 'maybe' is not a question type" in result.stderr
    assert count(store, "surveys") == 0


def test_invite_send_dry_run_and_rates(env, store, tmp_path):
    from cxlens.store import schema as s

    run("journeys", "load", str(DEMO_JOURNEYS))
    path = tmp_path / "surveys.yaml"
    path.write_text(SURVEYS)
    run("surveys", "load", str(path))
    with store.begin() as conn:
        conn.execute(
            s.customers.insert().values(external_id="c1", email="c1@example.com", timezone="Pacific/Kiritimati")
        )
    created = run("invitations", "create", "support-csat", "c1")
    assert "https://cx.example.com/s/" in created
    sent = run("invitations", "send", "--dry-run")
    assert ("1 sent" in sent) or ("1 postponed" in sent)  # Kiritimati's night is someone's noon
    assert "support-csat" in run("invitations", "rates")
    unknown = runner.invoke(app, ["invitations", "create", "support-csat", "nobody"])
    assert unknown.exit_code != 0 and "no customer has this external_id" in str(unknown.exception)
