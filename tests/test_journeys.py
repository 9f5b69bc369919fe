"""Journeys as code: the YAML format, its errors with paths, and the upsert by key."""

import pytest
import sqlalchemy as sa
import yaml
from conftest import DEMO_JOURNEYS, count

from cxlens.errors import JourneyFileError
from cxlens.ingest import journeys as journeys_module
from cxlens.ingest import load_journeys, read_journey_map
from cxlens.ingest.journeys import journey_tree, parse_journeys
from cxlens.store import schema


def small(**touchpoint):
    tp = {"key": "chat", "name": "Chat", **touchpoint}
    return {
        "journeys": [
            {"key": "help", "name": "Get help", "stages": [{"key": "ask", "name": "Ask", "touchpoints": [tp]}]}
        ]
    }


def test_demo_file_is_valid():
    jmap = read_journey_map(DEMO_JOURNEYS)
    assert len(jmap.journeys) >= 4
    assert {"support-chat", "support-email", "support-phone", "webinar", "checkout"} <= set(jmap.touchpoint_keys())
    kinds = {m for j in jmap.journeys for s in j.stages for t in s.touchpoints for m in t.targets}
    assert {"nps", "first_response_median", "churn_rate", "retention"} <= kinds


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


def test_survey_scale_and_touchpoint_are_checked(store):
    data = small()
    data["surveys"] = [
        {"key": "s1", "name": "S", "metric": "csat", "scale": "1-4", "touchpoint": "chat"},
        {"key": "s2", "name": "S", "metric": "nps", "touchpoint": "nowhere"},
    ]
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(data)
    text = str(info.value)
    assert "surveys[0].scale: '1-4' is not a csat scale" in text
    # A touchpoint may have been loaded from another file: only the store can tell, on load.
    assert "nowhere" not in text
    data["surveys"][0]["scale"] = "1-5"
    with pytest.raises(JourneyFileError) as info:
        load_journeys(store, parse_journeys(data))
    assert "surveys[1].touchpoint: 'nowhere' is not a touchpoint" in str(info.value)
    assert count(store, "journeys") == 0


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
    assert (
        kinds["nps"] == "perception"
        and kinds["first_response_median"] == "interaction"
        and kinds["churn_rate"] == "outcome"
    )
    assert buy["stages"][1]["optional"] and buy["stages"][2]["sequential"] and not buy["stages"][0]["optional"]


@pytest.mark.parametrize(
    ("targets", "stored"),
    [
        ({"first_response_time": {"median": "2m"}}, {"first_response_median": 120}),
        ({"resolution_time": {"p90": "2d"}}, {"resolution_p90": 172800}),
        ({"first_response_time": {"mean": "90s"}}, {"first_response_time": 90}),
        ({"handle_time": "10m"}, {"handle_time": 600}),  # the mean is handle time's definition
        ({"first_response_median": "2m"}, {"first_response_median": 120}),
    ],
)
def test_a_target_names_the_statistic_it_is_for(targets, stored):
    jmap = parse_journeys(small(targets=targets))
    assert jmap.journeys[0].stages[0].touchpoints[0].targets == stored


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"first_response_time": "2m"}, "targets.first_response_time: '2m': say which statistic the target is for"),
        ({"first_response_time": {"mode": "2m"}}, "does not name a statistic of first_response_time; write one of"),
        ({"first_response_time": {"median": "soon"}}, "targets.first_response_time.median: 'soon' is not a duration"),
        ({"csat": {"median": 80}}, "does not name a statistic of csat; write the target as a plain value"),
        ({"net_revenue_retention": 105}, "a touchpoint cannot carry a net_revenue_retention target: it is measured"),
        ({"rating": 4}, "a touchpoint cannot carry a rating target: reviews and posts belong to no touchpoint"),
        ({"response_rate": 30}, "cannot carry a response_rate target: invitations belong to surveys"),
    ],
)
def test_targets_no_touchpoint_can_measure_are_refused_with_the_reason(targets, message):
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(small(targets=targets), "j.yaml")
    assert message in str(info.value)


def test_targets_are_shown_as_written():
    from cxlens.metrics import format_target, parse_duration

    assert [format_target("first_response_time", parse_duration(x)) for x in ("90s", "2m", "4h", "2d")] == [
        "90s",
        "2m",
        "4h",
        "2d",
    ]
    assert format_target("csat", 85) == "85%"
    assert format_target("nps", -10) == "-10"


# -- surveys may name touchpoints loaded from another file -------------------------------------


def survey(**fields):
    return {"key": "later", "name": "Later", "metric": "csat", **fields}


def write_yaml(tmp_path, data, name="j.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def survey_touchpoint(store, key):
    with store.engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT t.key FROM surveys s LEFT JOIN touchpoints t ON t.id = s.touchpoint_id WHERE s.key = :k"),
            {"k": key},
        ).scalar_one()


def test_survey_may_name_a_touchpoint_already_in_the_store(mapped_store, tmp_path):
    before = count(mapped_store, "surveys")
    data = {"surveys": [survey(touchpoint="support-chat", trigger={"after": "1h", "touchpoint": "support-email"})]}
    jmap = parse_journeys(data, "surveys.yaml")  # a file of surveys only, naming no touchpoint of its own
    assert jmap.journeys == [] and jmap.surveys[0].touchpoint == "support-chat"
    result = load_journeys(mapped_store, write_yaml(tmp_path, data))
    assert (result.journeys, result.surveys) == (0, 1)
    assert count(mapped_store, "surveys") == before + 1
    assert survey_touchpoint(mapped_store, "later") == "support-chat"


def test_survey_naming_an_unknown_touchpoint_writes_nothing(mapped_store, tmp_path):
    data = small()  # a new journey, which must not be written either
    data["surveys"] = [
        survey(touchpoint="chat"),
        survey(key="lost", touchpoint="nowhere", trigger={"touchpoint": "gone"}),
    ]
    before = {t: count(mapped_store, t) for t in ("journeys", "touchpoints", "surveys")}
    path = write_yaml(tmp_path, data)
    with pytest.raises(JourneyFileError) as info:
        load_journeys(mapped_store, path)
    assert info.value.source == str(path)
    assert info.value.problems == [
        "surveys[1].touchpoint: 'nowhere' is not a touchpoint: it is neither in this file nor in the store "
        "(load the file that defines it first, or correct the key)",
        "surveys[1].trigger.touchpoint: 'gone' is not a touchpoint: it is neither in this file nor in the store "
        "(load the file that defines it first, or correct the key)",
    ]
    assert {t: count(mapped_store, t) for t in before} == before


def test_survey_touchpoint_in_the_same_file_wins(store):
    data = small()
    data["surveys"] = [survey(touchpoint="chat")]
    load_journeys(store, parse_journeys(data))
    assert survey_touchpoint(store, "later") == "chat"


@pytest.mark.parametrize("ref", [{"touchpoint": "Support Chat"}, {"touchpoint": 7}, {"trigger": {"touchpoint": "a b"}}])
def test_survey_touchpoint_must_look_like_a_key(ref):
    with pytest.raises(JourneyFileError, match="is not a touchpoint key: use lower-case letters"):
        parse_journeys({"surveys": [survey(**ref)]})


# -- a file holds journeys, surveys or both ------------------------------------------------------


@pytest.mark.parametrize("data", [{}, {"surveys": []}, {"journeys": None, "surveys": None}, {"journeys": []}])
def test_a_file_needs_journeys_or_surveys(data):
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(data, "j.yaml")
    assert info.value.problems == [
        "(top): has neither journeys nor surveys; write journeys:, surveys: or both (see the README)"
    ]


def test_an_empty_file_is_refused_plainly(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text("# nothing yet\n")
    with pytest.raises(JourneyFileError) as info:
        read_journey_map(path)
    assert info.value.problems == ["(top): the file is empty; write journeys:, surveys: or both (see the README)"]


def test_journeys_alone_and_surveys_alone_are_both_files():
    assert parse_journeys(small()).surveys == []
    assert [s.key for s in parse_journeys({"surveys": [survey()]}).surveys] == ["later"]


# -- survey settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"sampling": 7}, "surveys[0].sampling: 7 is not a share of events between 0 and 1; write e.g. 0.25"),
        ({"sampling": "25%"}, "surveys[0].sampling: '25%' is not a share of events between 0 and 1"),
        ({"sampling": True}, "surveys[0].sampling: True is not a share"),
        ({"sampling": float("nan")}, "surveys[0].sampling: nan is not a share"),
        (
            {"fatigue_days": "banana"},
            "surveys[0].fatigue_days: 'banana' is not a whole number of days (0 or more); write e.g. 30",
        ),
        ({"fatigue_days": -1}, "surveys[0].fatigue_days: -1 is not a whole number"),
        ({"fatigue_days": 1.5}, "surveys[0].fatigue_days: 1.5 is not a whole number"),
        (
            {"trigger": {"after": "forever"}},
            "surveys[0].trigger.after: 'forever' is not a duration; write e.g. 1h or 1d",
        ),
        ({"trigger": {"after": -60}}, "surveys[0].trigger.after: -60 is not a duration"),
        ({"trigger": "after purchase"}, "surveys[0].trigger: expected a mapping"),
        ({"languages": "en"}, "surveys[0].languages: 'en' is not a list of language codes; write e.g. [en, fi]"),
        ({"languages": ["en", 3]}, "surveys[0].languages: ['en', 3] is not a list of language codes"),
        (
            {"channels": ["email", "fax"]},
            "surveys[0].channels[1]: 'fax' is not a survey channel; use one of email, sms, web, widget, api",
        ),
        ({"channels": "email"}, "surveys[0].channels: 'email' is not a list of channels; write e.g. [email, web]"),
        (
            {"metric": "text", "scale": "1-5"},
            "surveys[0].scale: '1-5': a text survey has no scale; remove scale, or use metric nps",
        ),
    ],
)
def test_survey_settings_are_checked(fields, expected):
    with pytest.raises(JourneyFileError) as info:
        parse_journeys({"surveys": [survey(**fields)]})
    assert expected in str(info.value)
    assert len(info.value.problems) == 1


def test_valid_survey_settings_are_kept(store):
    settings = {
        "sampling": 0.25,
        "fatigue_days": 30,
        "trigger": {"after": "1d", "touchpoint": "chat"},
        "languages": ["en", "fi"],
        "channels": ["email", "web"],
        "questions": [{"key": "more", "text": {"en": "Anything else?", "fi": "Jotain muuta?"}}],  # checked too
    }
    data = small()
    data["surveys"] = [survey(**settings), survey(key="words", metric="text", sampling=1, fatigue_days=0)]
    jmap = parse_journeys(data)
    assert jmap.surveys[0].definition == settings
    assert jmap.surveys[1].scale is None and jmap.surveys[1].definition == {"sampling": 1.0, "fatigue_days": 0}
    load_journeys(store, jmap)
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.select(schema.surveys.c.definition).where(schema.surveys.c.key == "later")
        ).scalar_one()
    assert stored == settings


# -- targets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        (
            "csat: 0.85",
            "targets.csat: 0.85 looks like a fraction: write 85 for 85% (or '0.85%' if you mean less than one percent)",
        ),
        ("retention: 0.9", "targets.retention: 0.9 looks like a fraction: write 90 for 90%"),
        ("ces_mean: .inf", "targets.ces_mean: inf is not a finite number; write a number"),
        ("sentiment: -.inf", "targets.sentiment: -inf is not a finite number"),
        ("nps: .nan", "targets.nps: nan is not a finite number"),
        ("first_response_time: .inf", "targets.first_response_time: inf is not a finite number; write a duration"),
        ("ticket_volume: .inf", "targets.ticket_volume: inf is not a finite number"),
    ],
)
def test_implausible_targets_are_refused(targets, expected):
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(small(targets=yaml.safe_load(f"{{{targets}}}")))
    assert expected in str(info.value)


def test_small_targets_that_mean_what_they_say_are_kept():
    # A written-out % is meant; lower-is-better percents and non-percent metrics may be small.
    targets = {"conversion": "0.5%", "reopen_rate": 0.5, "churn_rate": 0.8, "sentiment": 0.2, "csat": 1, "retention": 0}
    tp = parse_journeys(small(targets=targets)).journeys[0].stages[0].touchpoints[0]
    assert tp.targets == {
        "conversion": 0.5,
        "reopen_rate": 0.5,
        "churn_rate": 0.8,
        "sentiment": 0.2,
        "csat": 1.0,
        "retention": 0.0,
    }


# -- touchpoints the file no longer lists ------------------------------------------------------


def test_touchpoints_missing_from_the_file_are_kept_and_reported(mapped_store, tmp_path):
    demo = sorted(read_journey_map(DEMO_JOURNEYS).touchpoint_keys())
    before = count(mapped_store, "touchpoints")
    result = load_journeys(mapped_store, write_yaml(tmp_path, small()))
    assert result.not_in_file == demo
    assert count(mapped_store, "touchpoints") == before + 1
    assert result.summary().endswith(
        f"; touchpoint(s) kept: {', '.join(demo)} (not in this file; they keep their data)"
    )
    # Loading the whole demo again: the new one is the only one missing from it.
    again = load_journeys(mapped_store, DEMO_JOURNEYS)
    assert again.not_in_file == ["chat"]


def test_nothing_is_reported_missing_when_all_is_in_the_file_or_it_has_no_journeys(mapped_store, tmp_path):
    full = load_journeys(mapped_store, DEMO_JOURNEYS)
    assert full.not_in_file == [] and "kept" not in full.summary()
    only_surveys = load_journeys(mapped_store, write_yaml(tmp_path, {"surveys": [survey(touchpoint="checkout")]}))
    assert only_surveys.not_in_file == [] and "kept" not in only_surveys.summary()


# -- reading the file --------------------------------------------------------------------------


def test_a_directory_is_not_a_journeys_file(tmp_path):
    with pytest.raises(JourneyFileError) as info:
        read_journey_map(tmp_path)
    assert info.value.problems == ["(file): is a directory; give the path of a YAML file"]


def test_a_file_that_is_not_utf8_is_refused_plainly(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_bytes("journeys:\n  - key: cafe\n    name: Café\n".encode("latin-1"))
    with pytest.raises(JourneyFileError) as info:
        read_journey_map(path)
    assert info.value.problems == ["(file): not UTF-8 text; save it as UTF-8"]


def test_an_unreadable_file_is_refused_plainly(tmp_path, monkeypatch):
    path = write_yaml(tmp_path, small())

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "read_text", denied)
    with pytest.raises(JourneyFileError) as info:
        read_journey_map(path)
    assert info.value.problems == ["(file): cannot be read (Permission denied)"]


def test_all_lists_the_public_names():
    exported = set(journeys_module.__all__)
    assert {
        "journey_tree",
        "LoadResult",
        "JourneyMap",
        "load_journeys",
        "parse_journeys",
        "read_journey_map",
    } <= exported
    assert all(hasattr(journeys_module, name) for name in exported)
    namespace: dict = {}
    exec("from cxlens.ingest.journeys import *", namespace)
    assert namespace["journey_tree"] is journey_tree and namespace["LoadResult"] is journeys_module.LoadResult


# -- one loader --------------------------------------------------------------------------------


def test_the_one_loader_applies_collections_checks_to_files_and_parsed_maps(store, tmp_path):
    bad = {"surveys": [survey(languages=["en", "xx"], trigger={"touchpoint": "chat", "channel": "pigeon"})]}
    expected = [
        "surveys[0].texts.xx: cxlens has no built-in 'xx' wording",
        "surveys[0].trigger.channel: 'pigeon' cannot send invitations",
    ]
    for source in (write_yaml(tmp_path, bad), parse_journeys(bad)):
        with pytest.raises(JourneyFileError) as info:
            load_journeys(store, source)
        assert all(any(e in p for p in info.value.problems) for e in expected), info.value.problems
    assert count(store, "surveys") == 0


def test_a_registered_section_is_parsed_checked_and_saved_by_the_same_loader(store, monkeypatch):
    from cxlens.ingest.journeys import load_journey_data, register_section, sections

    monkeypatch.setitem(sections.SECTIONS, "rules", None)  # removed again after the test
    saved = []

    def parse(checker, value):
        for n, item in enumerate(checker.items(value, "rules")):
            if not isinstance(item, str):
                checker.problem(f"rules[{n}]", f"{item!r} is not a rule name")
        return value

    register_section("rules", parse, lambda conn, parsed: saved.append(parsed) or len(parsed))
    with pytest.raises(JourneyFileError, match=r"rules\[1\]: 7 is not a rule name"):
        load_journey_data(store, {**small(), "rules": ["nps-drop", 7]})
    assert saved == [] and count(store, "journeys") == 0
    load_journey_data(store, {"rules": ["nps-drop"]})
    assert saved == [["nps-drop"]]
    with pytest.raises(ValueError, match="built-in section"):
        register_section("surveys", parse)


# -- teams: which helpdesk teams each journey team covers ---------------------------------------


def test_the_demo_maps_its_journey_teams_to_the_helpdesk_teams(mapped_store):
    from cxlens.ingest.journeys.teams import covered_teams, read_teams

    with mapped_store.engine.connect() as conn:
        mapping = read_teams(conn)
    assert mapping["support"] == ["support-tier1", "support-tier2"]
    assert covered_teams(mapping, "support") == ["support", "support-tier1", "support-tier2"]
    assert covered_teams(mapping, "sales") == ["sales"]


def test_a_helpdesk_team_listed_twice_is_refused_with_its_path(store, tmp_path):
    data = small(team="support") | {"teams": {"billing": ["tier1", "tier1"], "support": ["tier1", "tier2"]}}
    with pytest.raises(JourneyFileError) as info:
        load_journeys(store, write_yaml(tmp_path, data))
    message = str(info.value)
    assert "j.yaml" in message
    assert "teams.billing[1]: 'tier1' is listed twice here" in message
    assert "teams.support[0]: 'tier1' is listed under teams.billing too" in message
    assert "(remove one)" in message


def test_a_journey_team_no_touchpoint_has_is_refused_and_nothing_is_written(store, tmp_path):
    data = small(team="support") | {"teams": {"suport": ["support-tier1"]}}
    with pytest.raises(JourneyFileError) as info:
        load_journeys(store, write_yaml(tmp_path, data))
    message = str(info.value)
    assert str(tmp_path / "j.yaml") in message
    assert "teams.suport: no touchpoint has team 'suport' (known: support)" in message
    assert count(store, schema.touchpoints) == 0  # one transaction: the journeys are not kept either


def test_a_team_mapping_must_be_a_mapping_of_lists_of_names(store, tmp_path):
    data = small(team="support") | {"teams": {"Support Team": ["x"], "support": [3]}}
    with pytest.raises(JourneyFileError) as info:
        load_journeys(store, write_yaml(tmp_path, data))
    message = str(info.value)
    assert "teams.Support Team: 'Support Team' is not a team key" in message
    assert "teams.support[0]: expected a helpdesk team's name, got 3" in message
