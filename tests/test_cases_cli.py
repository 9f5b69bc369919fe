"""cxlens cases …: list, show, assign, contacted, close, note (the sub-app the lead wires into cxlens)."""

from __future__ import annotations

import json

import pytest
from test_cases_fixtures import T0, add_customer, add_response, setup_cases
from typer.testing import CliRunner

from cxlens.alerts import cases as c
from cxlens.cli.cases import app
from cxlens.errors import InputError

runner = CliRunner()


@pytest.fixture
def env(mapped_store, store_url, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    monkeypatch.setenv("COLUMNS", "200")
    return setup_cases(mapped_store)


def run(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_a_case_is_listed_shown_worked_and_closed_from_the_command_line(env):
    with env.begin() as conn:
        customer = add_customer(conn, "c-9", name="Pat <Lee>", email="pat@example.com")
        response = add_response(conn, customer, 1, "Never again", touchpoint="support-chat")
        case_id = c.open_case(conn, source="response", title="NPS 1: Never again", response_id=response, now=T0)
    listed = json.loads(run("list", "--json"))
    assert [r["id"] for r in listed] == [case_id] and listed[0]["owner"] == "ana@example.com" and listed[0]["overdue"]
    assert "NPS 1: Never again" in run("list", "--mine", "ana@example.com")
    assert "no cases" in run("list", "--mine", "ben@example.com")
    assert "no cases" in run("list", "--status", "closed")
    assert str(case_id) in run("list", "--overdue", "--team", "support")
    assert "assigned to ben@example.com" in run("assign", str(case_id), "ben@example.com", "--by", "lead@example.com")
    assert "first contact recorded" in run("contacted", str(case_id), "--channel", "phone", "--by", "ben@example.com")
    assert "note added" in run("note", str(case_id), "Sent a voucher", "--by", "ben@example.com")
    assert "closed: recovered" in run(
        "close", str(case_id), "--outcome", "recovered", "--resolution", "apology", "--root-cause", "other"
    )
    shown = run("show", str(case_id))
    assert (
        "Pat <Lee>" in shown
        and "score 1: Never again" in shown
        and "outcome recovered" in shown
        and "Sent a voucher" in shown
    )
    detail = json.loads(run("show", str(case_id), "--json"))
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "assigned", "assigned", "contacted", "note", "closed"]
    assert detail["timeline"][2]["actor"] == "lead@example.com"


def test_bad_input_is_an_error_that_names_it(env):
    with env.begin() as conn:
        case_id = c.open_case(conn, source="manual", title="x", now=T0)
    result = runner.invoke(app, ["close", str(case_id), "--outcome", "recovered", "--resolution", "refnd"])
    assert isinstance(result.exception, InputError) and "did you mean 'refund'" in str(result.exception)
    result = runner.invoke(app, ["assign", str(case_id), "nobody@example.com"])
    assert isinstance(result.exception, InputError) and "nobody@example.com" in str(result.exception)
    result = runner.invoke(app, ["show", "999"])
    assert isinstance(result.exception, InputError) and "case 999 does not exist" in str(result.exception)
