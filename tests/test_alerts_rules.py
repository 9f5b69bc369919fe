"""Alert rules: parsed with path-named errors, stored idempotently, loadable from a file."""

import copy

import pytest
import sqlalchemy as sa
import yaml

from cxlens.alerts.rules import load_rules_file, parse_alerts, read_rules, store_alerts
from cxlens.errors import JourneyFileError
from cxlens.store import schema as s

GOOD = yaml.safe_load("""
q: 0.1
every_minutes: 30
rules:
  - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], grain: month, min_n: 30, notify: [cx-slack]}
  - {name: csat-target, kind: below_target, kpi: csat, by: [touchpoint]}
  - {name: frt-target, kind: below_target, kpi: first_response_time, by: [team], target: 3600}
  - {name: nps-drift, kind: drift, kpi: nps, method: cusum, K: 0.5, H: 4}
  - {name: ticket-surge, kind: volume, source: tickets, by: [team], baseline_periods: 3, grain: week}
  - {name: billing-theme, kind: volume, source: theme, theme: billing error}
  - {name: angry, kind: answer, score_at_most: 3, words: urgent, open_case: true, priority: high}
""")


def problems(value):
    with pytest.raises(JourneyFileError) as info:
        parse_alerts(value, "journeys.yaml")
    return info.value.problems


def test_a_good_section_parses_with_defaults_filled_in():
    parsed = parse_alerts(GOOD, "journeys.yaml")
    assert parsed.q == 0.1 and parsed.every_minutes == 30
    rules = {r.name: r for r in parsed.rules}
    assert rules["nps-drop"]["baseline"] == "previous" and rules["nps-drop"]["direction"] == "worse"
    assert rules["nps-drift"]["lambda"] == 0.2 and rules["nps-drift"]["L"] == 3.0 and rules["nps-drift"]["H"] == 4
    assert rules["nps-drift"]["baseline_days"] == 28
    assert rules["frt-target"]["direction"] == "lower" and rules["csat-target"]["direction"] == "higher"
    assert rules["ticket-surge"].kpi is None and rules["angry"]["match"] == "any"
    assert parse_alerts(None).rules == ()


def test_errors_name_the_path_and_the_fix():
    found = problems(
        {
            "q": 2,
            "rules": [
                {"name": "a", "kind": "change", "kpi": "nsp"},
                {"name": "b", "kind": "change", "kpi": "nps", "by": ["agent"], "grain": "hour", "min_n": 0},
                {"name": "c", "kind": "drift", "kpi": "nps", "lambda": 1.5, "method": "shewhart"},
                {"name": "d", "kind": "below_target", "kpi": "nps"},
                {"name": "d", "kind": "volume", "source": "calls"},
                {"name": "e", "kind": "answer", "words": "rude"},
                {"name": "f", "kind": "spike", "kpi": "nps"},
                {"name": "g", "kind": "change", "kpi": "nps", "threshold": 3},
                {"name": "h", "kind": "change", "kpi": "ticket_volume"},
                {"name": "i", "kind": "below_target", "kpi": "first_response_median", "target": 60},
            ],
        }
    )
    text = "\n".join(found)
    assert "alerts.q: 2 must be at most 0.5" in text
    assert "alerts.rules[0].kpi: 'nsp' is not a KPI alerts can watch; known: nps, csat" in text
    assert "alerts.rules[1].by[0]: nps cannot be sliced by 'agent'; dimensions: journey" in text
    assert "alerts.rules[1].grain: 'hour' is not one of: day, week, month, quarter" in text
    assert "alerts.rules[1].min_n: 0 must be at least 1" in text
    assert "alerts.rules[2].lambda: 1.5 must be at most 1" in text
    assert "alerts.rules[2].method: 'shewhart' is not one of: ewma, cusum" in text
    assert "alerts.rules[3]: a below_target rule compares with the touchpoint's target" in text
    assert "alerts.rules[4].name: 'd' is used twice" in text
    assert "alerts.rules[4].source: 'calls' is not one of: tickets, mentions, responses, theme" in text
    assert "alerts.rules[5].words: 'rude' is not a word list; lists: urgent" in text
    assert "alerts.rules[5]: an answer rule needs a condition" not in text  # words is one
    assert "alerts.rules[6].kind: 'spike' is not one of" in text
    assert "alerts.rules[7].threshold: is not a field of a change rule" in text
    assert "alerts.rules[8].kpi: 'ticket_volume' has no comparison test of sums" in text
    assert "alerts.rules[9].kpi: 'first_response_median' is not a KPI of counts and sums" in text


def test_where_must_use_the_kpis_dimensions():
    found = problems({"rules": [{"name": "x", "kind": "change", "kpi": "ticket_volume", "where": {"survey": "s"}}]})
    assert any("alerts.rules[0].where.survey: ticket_volume cannot be filtered by 'survey'" in p for p in found)


def test_store_is_idempotent_disables_vanished_rules_and_keeps_ui_rules(store):
    parsed = parse_alerts(GOOD, "journeys.yaml")
    with store.engine.begin() as conn:
        store_alerts(conn, parsed)
        store_alerts(conn, parsed)
        conn.execute(
            s.alert_rules.insert().values(
                name="mine", kind="change", kpi="nps", definition={"grain": "month"}, origin="ui"
            )
        )
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.alert_rules)).scalar_one() == 8
        stored = {r.name: r for r in conn.execute(sa.select(s.alert_rules))}
    assert stored["nps-drop"].definition["notify"] == ["cx-slack"] and stored["nps-drop"].kpi == "nps"
    fewer = parse_alerts({"rules": GOOD["rules"][:2]}, "journeys.yaml")
    with store.engine.begin() as conn:
        store_alerts(conn, fewer)
        enabled = {rule.name for _, rule in read_rules(conn)}
        from cxlens.alerts.settings import read_setting

        assert read_setting(conn, "alerts.q") == 0.05
    assert enabled == {"nps-drop", "csat-target", "mine"}


def test_rules_load_from_a_standalone_file(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"alerts": GOOD}))
    assert len(load_rules_file(path).rules) == 7
    path.write_text(yaml.safe_dump({"rules": [{"name": "x", "kind": "change", "kpi": "nope"}]}))
    with pytest.raises(JourneyFileError, match=r"rules.yaml: 1 problem"):
        load_rules_file(path)


@pytest.mark.parametrize(
    "module",
    ["rules", "measure", "judging", "lifecycle", "evaluation"]
    + ["cases", "case_views", "answers", "answer_rules", "answer_conditions"],
)
def test_every_alerts_module_lists_what_exists(module):
    import importlib

    mod = importlib.import_module(f"cxlens.alerts.{module}")
    assert [name for name in mod.__all__ if not hasattr(mod, name)] == []
    from cxlens.analytics import detection

    assert [name for name in detection.__all__ if not hasattr(detection, name)] == []


def test_the_journeys_loader_checks_and_stores_the_alerts_section(store, tmp_path):
    from conftest import DEMO_JOURNEYS

    from cxlens.ingest import load_journeys

    data = yaml.safe_load(DEMO_JOURNEYS.read_text())
    data["alerts"] = {"q": 0.1, "rules": copy.deepcopy(GOOD["rules"][:2])}
    path = tmp_path / "journeys.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    load_journeys(store, path)
    load_journeys(store, path)
    with store.engine.connect() as conn:
        assert sorted(rule.name for _, rule in read_rules(conn)) == ["csat-target", "nps-drop"]
    data["alerts"]["rules"][0]["kpi"] = "nsp"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(JourneyFileError) as info:
        load_journeys(store, path)
    assert any(p.startswith("alerts.rules[0].kpi: 'nsp' is not a KPI") for p in info.value.problems)
    assert str(path) in str(info.value)
