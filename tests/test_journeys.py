"""Journeys as code: the YAML format, its errors with paths, and the upsert by key."""

import pytest
import sqlalchemy as sa
import yaml
from conftest import DEMO_JOURNEYS, count

from cxlens.errors import JourneyFileError
from cxlens.ingest import load_journeys, read_journey_map
from cxlens.ingest.journeys import journey_tree, parse_journeys


def small(**touchpoint):
    tp = {"key": "chat", "name": "Chat", **touchpoint}
    return {"journeys": [{"key": "help", "name": "Get help", "stages": [{"key": "ask", "name": "Ask", "touchpoints": [tp]}]}]}


def test_demo_file_is_valid():
    jmap = read_journey_map(DEMO_JOURNEYS)
    assert len(jmap.journeys) >= 4
    assert {"support-chat", "support-email", "support-phone", "webinar", "checkout"} <= set(jmap.touchpoint_keys())
    kinds = {m for j in jmap.journeys for s in j.stages for t in s.touchpoints for m in t.targets}
    assert {"nps", "first_response_time", "churn_rate"} <= kinds


def test_error_names_the_path_in_the_file():
    data = small(targets={"nps": 120})
    data["journeys"].insert(0, small()["journeys"][0] | {"key": "first"})
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(data, "j.yaml")
    assert "journeys[1].stages[0].touchpoints[0].targets.nps: 120 is outside -100..100" in str(info.value)


@pytest.mark.parametrize(
    ("touchpoint", "expected"),
    [
        ({"targets": {"first_response_time": "soon"}}, "targets.first_response_time: 'soon' is not a duration"),
        ({"targets": {"happiness": 3}}, "targets.happiness: 'happiness' is not a metric cxlens knows"),
        ({"targets": {"csat": 101}}, "targets.csat: 101 is outside 0..100"),
        ({"key": "Support Chat"}, "touchpoints[0].key: 'Support Chat' is not a key"),
        ({"colour": "red"}, "touchpoints[0].colour: is not a known field"),
        ({"name": None}, "touchpoints[0].name: is missing"),
    ],
)
def test_each_problem_is_reported(touchpoint, expected):
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(small(**touchpoint), "j.yaml")
    assert expected in str(info.value)


def test_every_problem_is_listed_at_once():
    data = small(targets={"nps": 120, "csat": -1})
    data["journeys"].append({"key": "help", "name": "Duplicate"})
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(data, "j.yaml")
    assert len(info.value.problems) == 4  # nps, csat, duplicate key, missing stages


def test_duplicate_touchpoint_keys_across_journeys_are_refused():
    a, b = small()["journeys"][0], small()["journeys"][0] | {"key": "other"}
    with pytest.raises(JourneyFileError, match="'chat' is used twice"):
        parse_journeys({"journeys": [a, b]})


def test_survey_scale_and_touchpoint_are_checked():
    data = small()
    data["surveys"] = [
        {"key": "s1", "name": "S", "metric": "csat", "scale": "1-4", "touchpoint": "chat"},
        {"key": "s2", "name": "S", "metric": "nps", "touchpoint": "nowhere"},
    ]
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(data)
    text = str(info.value)
    assert "surveys[0].scale: '1-4' is not a csat scale" in text
    assert "surveys[1].touchpoint: 'nowhere' is not a touchpoint" in text


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("journeys:\n  - key: a\n    name: [unclosed\n")
    with pytest.raises(JourneyFileError, match="line"):
        read_journey_map(path)


def test_load_is_an_upsert_by_key(mapped_store, tmp_path):
    before = {t: count(mapped_store, t) for t in ("journeys", "stages", "touchpoints", "touchpoint_targets", "surveys")}
    assert before["touchpoints"] == len(read_journey_map(DEMO_JOURNEYS).touchpoint_keys())
    load_journeys(mapped_store, DEMO_JOURNEYS)
    assert {t: count(mapped_store, t) for t in before} == before
    # Renaming a touchpoint and changing its targets updates the row in place.
    data = yaml.safe_load(DEMO_JOURNEYS.read_text())
    tp = data["journeys"][2]["stages"][1]["touchpoints"][0]
    assert tp["key"] == "support-chat"
    tp["name"] = "Live chat"
    tp["targets"] = {"csat": 90}
    path = tmp_path / "j.yaml"
    path.write_text(yaml.safe_dump(data))
    load_journeys(mapped_store, path)
    tree = journey_tree(mapped_store)
    chat = [t for j in tree for s in j["stages"] for t in s["touchpoints"] if t["key"] == "support-chat"][0]
    assert chat["name"] == "Live chat"
    assert chat["targets"] == {"csat": 90.0}
    assert count(mapped_store, "touchpoints") == before["touchpoints"]


def test_invalid_file_writes_nothing(store, tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text(yaml.safe_dump(small(targets={"nps": 500})))
    with pytest.raises(JourneyFileError):
        load_journeys(store, path)
    assert count(store, "journeys") == 0


def test_tree_keeps_the_order_of_the_file(mapped_store):
    tree = journey_tree(mapped_store)
    assert [j["key"] for j in tree] == [j.key for j in read_journey_map(DEMO_JOURNEYS).journeys]
    buy = tree[0]
    assert [s["key"] for s in buy["stages"]] == ["discover", "evaluate", "purchase"]
    assert buy["stages"][2]["touchpoints"][0]["targets"]["ces"] == 80
    with mapped_store.engine.connect() as conn:
        kinds = dict(conn.execute(sa.text("SELECT metric, kind FROM touchpoint_targets")).all())
    assert kinds["nps"] == "perception" and kinds["first_response_time"] == "interaction" and kinds["churn_rate"] == "outcome"


def test_targets_are_shown_as_written():
    from cxlens.metrics import format_target, parse_duration

    assert [format_target("first_response_time", parse_duration(x)) for x in ("90s", "2m", "4h", "2d")] == ["90s", "2m", "4h", "2d"]
    assert format_target("csat", 85) == "85%"
    assert format_target("nps", -10) == "-10"
