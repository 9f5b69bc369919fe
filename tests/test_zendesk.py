"""Zendesk ticket exports: requesters, tickets and CSAT ratings, on SQLite and PostgreSQL.

Expected values are computed from the fixture export (tests/data/zendesk/tickets.json), so a
change to the fixture changes what is expected rather than breaking the tests.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from cxlens.errors import ImportRejected, InputError
from cxlens.ingest import zendesk
from cxlens.ingest.kinds import KINDS
from cxlens.ingest.zendesk import import_zendesk, read_zendesk
from cxlens.store import schema as s

DATA = Path(__file__).parent / "data" / "zendesk"
EXPORT = DATA / "tickets.json"
LINES = DATA / "tickets.jsonl"
MISSING_CREATED_AT = DATA / "missing_created_at.json"


def _doc() -> dict:
    return json.loads(EXPORT.read_text(encoding="utf-8"))


def _live(doc: dict) -> list[dict]:
    return [t for t in doc["tickets"] if t["status"] != "deleted"]


def _metric(doc: dict, ticket_id: int) -> dict:
    return next(m for m in doc["metric_sets"] if m["ticket_id"] == ticket_id)


def _rated(doc: dict) -> list[dict]:
    return [t for t in _live(doc) if (t.get("satisfaction_rating") or {}).get("score") in ("good", "bad")]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _by_external_id(store, table: sa.Table) -> dict[str, dict]:
    with store.engine.connect() as conn:
        return {r.external_id: r._asdict() for r in conn.execute(sa.select(table))}


def _write(tmp_path, doc: dict, name: str = "export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _counts(store) -> dict[str, int]:
    counts = store.row_counts()
    return {k: counts[k] for k in ("customers", "tickets", "responses")}


# -- reading -------------------------------------------------------------------------------


def test_public_api():
    assert sorted(zendesk.__all__) == ["CHANNELS", "import_zendesk", "read_zendesk"]
    assert all(hasattr(zendesk, name) for name in zendesk.__all__)


def test_reads_an_export_into_tables_of_the_import_kinds():
    doc = _doc()
    tables = read_zendesk(EXPORT)
    assert set(tables) == {"customers", "tickets", "responses"}
    for kind, table in tables.items():
        assert set(table.column_names) <= set(KINDS[kind].fields), kind
    live = _live(doc)
    assert len(live) < len(doc["tickets"])  # the fixture lists a deleted ticket
    assert sorted(tables["tickets"].column("external_id").to_pylist()) == sorted(f"zendesk:{t['id']}" for t in live)
    assert tables["customers"].num_rows == len({t["requester_id"] for t in live})
    assert tables["responses"].num_rows == len(_rated(doc))


def test_a_ticket_listed_twice_counts_once_in_its_latest_version(tmp_path):
    doc = _doc()
    older = copy.deepcopy(doc["tickets"][0])
    older["status"], older["updated_at"] = "open", "2024-03-04T08:12:00Z"
    doc["tickets"].append(older)  # time-based exports can repeat a ticket across pages
    tickets = read_zendesk(_write(tmp_path, doc))["tickets"].to_pylist()
    same = [t for t in tickets if t["external_id"] == f"zendesk:{older['id']}"]
    assert len(same) == 1
    assert same[0]["status"] == doc["tickets"][0]["status"] != "open"


# -- importing -----------------------------------------------------------------------------


def test_imports_requesters_tickets_and_csat_ratings(mapped_store):
    doc = _doc()
    live = _live(doc)
    results = import_zendesk(mapped_store, EXPORT)
    by_kind = {r.kind: r for r in results}
    assert [r.kind for r in results] == ["customers", "tickets", "responses"]
    expected = {
        "customers": len({t["requester_id"] for t in live}),
        "tickets": len(live),
        "responses": len(_rated(doc)),
    }
    assert {k: r.inserted for k, r in by_kind.items()} == expected
    assert all(r.rejected == 0 and r.updated == 0 for r in results)
    assert _counts(mapped_store) == expected
    customers = _by_external_id(mapped_store, s.customers)
    users = {u["id"]: u for u in doc["users"]}
    for t in live:
        c = customers[f"zendesk:user:{t['requester_id']}"]
        user = users[t["requester_id"]]
        assert (c["name"], c["email"], c["locale"]) == (user["name"], user["email"], user["locale"])


def test_a_ticket_is_mapped_field_by_field(store):
    doc = _doc()
    t = next(t for t in doc["tickets"] if t["via"]["channel"] == "voice")
    m = _metric(doc, t["id"])
    import_zendesk(store, EXPORT)
    row = _by_external_id(store, s.tickets)[f"zendesk:{t['id']}"]
    groups = {g["id"]: g["name"] for g in doc["groups"]}
    users = {u["id"]: u["name"] for u in doc["users"]}
    assert row["channel"] == "phone"
    assert row["team"] == groups[t["group_id"]]
    assert row["agent"] == users[t["assignee_id"]]
    assert row["status"] == t["status"]
    assert row["priority"] == t["priority"]
    assert row["subject"] == t["subject"]
    assert row["text"] == t["description"]
    assert row["tags"] == t["tags"]
    assert row["created_at"] == _at(t["created_at"])
    assert row["updated_at"] == _at(t["updated_at"])
    assert row["first_response_at"] == _at(t["created_at"]) + timedelta(minutes=m["reply_time_in_minutes"]["calendar"])
    assert row["first_response_seconds"] == m["reply_time_in_minutes"]["calendar"] * 60
    assert row["first_response_business_seconds"] == m["reply_time_in_minutes"]["business"] * 60
    assert row["solved_at"] == _at(m["solved_at"])
    assert row["resolution_business_seconds"] == m["full_resolution_time_in_minutes"]["business"] * 60
    assert (row["reopens"], row["replies"]) == (m["reopens"], m["replies"])
    # Business and calendar time differ for this overnight ticket: the fixture would not catch a mix-up otherwise.
    assert row["first_response_business_seconds"] != row["first_response_seconds"]
    customer = _by_external_id(store, s.customers)[f"zendesk:user:{t['requester_id']}"]
    assert row["customer_id"] == customer["id"]


def test_calendar_durations_agree_with_zendesk_minutes(store):
    doc = _doc()
    import_zendesk(store, EXPORT)
    tickets = _by_external_id(store, s.tickets)
    checked = 0
    for t in _live(doc):
        m, row = _metric(doc, t["id"]), tickets[f"zendesk:{t['id']}"]
        reply, full = m["reply_time_in_minutes"]["calendar"], m["full_resolution_time_in_minutes"]["calendar"]
        assert row["first_response_seconds"] == (None if reply is None else reply * 60)
        if full is None:
            assert row["resolution_seconds"] is None and row["solved_at"] is None
        else:
            # Zendesk rounds to whole minutes; cxlens derives seconds from solved_at - created_at.
            assert abs(row["resolution_seconds"] - full * 60) < 60
            checked += 1
    assert checked >= 2
    reopened = next(t for t in _live(doc) if _metric(doc, t["id"])["reopens"] > 0)
    assert tickets[f"zendesk:{reopened['id']}"]["reopens"] == _metric(doc, reopened["id"])["reopens"]


def test_channels_and_fallback_names(store):
    doc = _doc()
    import_zendesk(store, EXPORT)
    tickets = _by_external_id(store, s.tickets)
    group_ids = {g["id"] for g in doc["groups"]}
    user_ids = {u["id"] for u in doc["users"]}
    for t in _live(doc):
        row = tickets[f"zendesk:{t['id']}"]
        via = t["via"]["channel"]
        assert row["channel"] == zendesk.CHANNELS.get(via, via)
        if t["group_id"] is not None and t["group_id"] not in group_ids:
            assert row["team"] == f"group:{t['group_id']}"
        if t["assignee_id"] is None:
            assert row["agent"] is None
        elif t["assignee_id"] not in user_ids:
            assert row["agent"] == f"agent:{t['assignee_id']}"
    assert {zendesk.CHANNELS.get(t["via"]["channel"]) for t in _live(doc)} >= {"email", "web", "chat", "phone"}
    unanswered = next(t for t in _live(doc) if _metric(doc, t["id"])["reply_time_in_minutes"]["calendar"] is None)
    row = tickets[f"zendesk:{unanswered['id']}"]
    assert row["first_response_at"] is row["first_response_seconds"] is row["solved_at"] is None
    assert row["status"] == unanswered["status"] == "open"


def test_csat_good_is_2_and_bad_is_1_on_a_two_point_scale(store):
    doc = _doc()
    import_zendesk(store, EXPORT)
    responses = _by_external_id(store, s.responses)
    customers = {c["id"]: ext for ext, c in _by_external_id(store, s.customers).items()}
    rated = _rated(doc)
    assert {"good", "bad"} == {t["satisfaction_rating"]["score"] for t in rated}
    assert set(responses) == {f"zendesk:csat:{t['satisfaction_rating']['id']}" for t in rated}
    for t in rated:
        rating = t["satisfaction_rating"]
        r = responses[f"zendesk:csat:{rating['id']}"]
        assert r["score"] == {"good": 2, "bad": 1}[rating["score"]]
        assert (r["metric"], r["scale_min"], r["scale_max"]) == ("csat", 1, 2)
        assert r["comment"] == (rating["comment"] or None)
        assert r["submitted_at"] == _at(t["updated_at"])
        assert r["channel"] == zendesk.CHANNELS.get(t["via"]["channel"], t["via"]["channel"])
        assert customers[r["customer_id"]] == f"zendesk:user:{t['requester_id']}"
        assert r["survey_id"] is None and r["touchpoint_id"] is None


def test_importing_twice_changes_nothing(store):
    first = import_zendesk(store, EXPORT)
    before = store.row_counts()
    again = import_zendesk(store, EXPORT)
    assert [r.inserted for r in again] == [0, 0, 0]
    assert [r.updated for r in again] == [0, 0, 0]
    assert [r.unchanged for r in again] == [r.inserted for r in first]
    refreshed = import_zendesk(store, EXPORT, update=True)  # same values: nothing to update either
    assert [(r.inserted, r.updated) for r in refreshed] == [(0, 0)] * 3
    after = store.row_counts()
    assert after["import_runs"] > before["import_runs"]  # the runs are recorded; nothing else moved
    assert {k: v for k, v in after.items() if k != "import_runs"} == {
        k: v for k, v in before.items() if k != "import_runs"
    }


def test_json_lines_with_per_ticket_metric_sets(store):
    doc = _doc()
    results = import_zendesk(store, LINES)
    assert [r.inserted for r in results] == [
        len({t["requester_id"] for t in _live(doc)}),
        len(_live(doc)),
        len(_rated(doc)),
    ]
    tickets = _by_external_id(store, s.tickets)
    for t in _live(doc):
        row, m = tickets[f"zendesk:{t['id']}"], _metric(doc, t["id"])
        reply = m["reply_time_in_minutes"]["calendar"]
        assert row["first_response_seconds"] == (None if reply is None else reply * 60)
        # Without sideloads, teams and agents are known by id only.
        assert row["team"] == (None if t["group_id"] is None else f"group:{t['group_id']}")
        assert row["agent"] == (None if t["assignee_id"] is None else f"agent:{t['assignee_id']}")
    assert all(c["name"] is None for c in _by_external_id(store, s.customers).values())


def test_json_lines_saved_as_json_are_read_as_lines(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(LINES.read_text(encoding="utf-8"), encoding="utf-8")
    assert read_zendesk(path)["tickets"].num_rows == len(_live(_doc()))


def test_update_applies_a_changed_copy(store, tmp_path):
    doc = _doc()
    import_zendesk(store, EXPORT)
    changed = copy.deepcopy(doc)
    t = next(t for t in changed["tickets"] if t["status"] == "open")
    m = _metric(changed, t["id"])
    t["status"], t["updated_at"] = "solved", "2024-03-09T15:00:00Z"
    t["satisfaction_rating"] = {"id": 99001, "score": "bad", "comment": "Solved two days late."}
    m["solved_at"] = "2024-03-09T14:48:00Z"
    m["reply_time_in_minutes"] = {"calendar": 30, "business": 30}
    m["full_resolution_time_in_minutes"] = {"calendar": 2760, "business": 900}
    path = _write(tmp_path, changed)

    kept = {r.kind: r for r in import_zendesk(store, path)}
    assert [r.updated for r in kept.values()] == [0, 0, 0]
    assert kept["responses"].inserted == 1  # a new rating is new, update or not
    assert _by_external_id(store, s.tickets)[f"zendesk:{t['id']}"]["status"] == "open"

    results = {r.kind: r for r in import_zendesk(store, path, update=True)}
    assert (results["tickets"].updated, results["tickets"].inserted) == (1, 0)
    assert (results["responses"].inserted, results["responses"].updated) == (0, 0)
    row = _by_external_id(store, s.tickets)[f"zendesk:{t['id']}"]
    assert row["status"] == "solved"
    assert row["solved_at"] == _at(m["solved_at"])
    assert row["resolution_seconds"] == (_at(m["solved_at"]) - _at(t["created_at"])).total_seconds()
    assert row["resolution_business_seconds"] == 900 * 60
    assert row["first_response_seconds"] == 30 * 60
    assert _by_external_id(store, s.responses)["zendesk:csat:99001"]["score"] == 1


def test_update_keeps_profiles_the_file_does_not_carry(store, tmp_path):
    doc = _doc()
    import_zendesk(store, EXPORT)
    first, second = _live(doc)[0]["requester_id"], _live(doc)[1]["requester_id"]
    assert first != second
    changed = copy.deepcopy(doc)
    changed["users"] = [u for u in changed["users"] if u["id"] != first]
    renamed = next(u for u in changed["users"] if u["id"] == second)
    renamed["name"] = "Renamed In Zendesk"
    results = import_zendesk(store, _write(tmp_path, changed), update=True)
    assert results[0].kind == "customers" and results[0].updated == 1
    customers = _by_external_id(store, s.customers)
    original = next(u for u in doc["users"] if u["id"] == first)
    assert customers[f"zendesk:user:{first}"]["name"] == original["name"]
    assert customers[f"zendesk:user:{second}"]["name"] == "Renamed In Zendesk"


def test_touchpoint_applies_to_tickets_and_responses(mapped_store):
    import_zendesk(mapped_store, EXPORT, touchpoint="support-email")
    with mapped_store.engine.connect() as conn:
        tp = conn.execute(sa.select(s.touchpoints.c.id).where(s.touchpoints.c.key == "support-email")).scalar_one()
    assert {r["touchpoint_id"] for r in _by_external_id(mapped_store, s.tickets).values()} == {tp}
    assert {r["touchpoint_id"] for r in _by_external_id(mapped_store, s.responses).values()} == {tp}


def test_unknown_touchpoint_rejects_everything(mapped_store):
    with pytest.raises(ImportRejected) as info:
        import_zendesk(mapped_store, EXPORT, touchpoint="no-such-touchpoint")
    assert "no-such-touchpoint" in str(info.value) and "touchpoint" in str(info.value)
    assert _counts(mapped_store) == {"customers": 0, "tickets": 0, "responses": 0}


# -- bad input -----------------------------------------------------------------------------


def test_ticket_without_created_at_is_rejected_naming_file_ticket_and_field(store):
    bad = json.loads(MISSING_CREATED_AT.read_text(encoding="utf-8"))
    index = next(i for i, t in enumerate(bad["tickets"]) if "created_at" not in t)
    with pytest.raises(InputError) as info:
        import_zendesk(store, MISSING_CREATED_AT)
    text = str(info.value)
    assert str(MISSING_CREATED_AT) in text
    assert f"tickets[{index}]" in text and str(bad["tickets"][index]["id"]) in text
    assert "created_at" in text and "export the tickets again" in text
    assert _counts(store) == {"customers": 0, "tickets": 0, "responses": 0}
    assert store.row_counts()["import_runs"] == 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("garbage.json", "<html>502 Bad Gateway</html>", "not JSON"),
        ("users.json", '{"users": []}', 'no "tickets" list'),
        ("list.json", "[1, 2]", 'no "tickets" list'),
        ("broken.jsonl", '{"id": 1, "created_at": "2024-03-01T00:00:00Z"}\n{"id": 2,\n', "line 2"),
        (
            "no_id.json",
            '{"tickets": [{"created_at": "2024-03-01T00:00:00Z"}]}',
            'tickets[0] (ticket id: None) has no usable "id"',
        ),
        (
            "score.json",
            '{"tickets": [{"id": 7, "created_at": "2024-03-01T00:00:00Z", "satisfaction_rating": {"score": "great"}}]}',
            "satisfaction_rating.score",
        ),
    ],
)
def test_bad_files_say_what_is_wrong(store, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_zendesk(store, path)
    assert str(path) in str(info.value) and expected in str(info.value)
    assert _counts(store) == {"customers": 0, "tickets": 0, "responses": 0}


def test_a_rejected_ticket_takes_its_requesters_along(store, tmp_path):
    doc = _doc()
    index = 2
    doc["tickets"][index]["status"] = "escalated"
    with pytest.raises(ImportRejected) as info:
        import_zendesk(store, _write(tmp_path, doc))
    text = str(info.value)
    assert f"tickets[{index}], ticket id {doc['tickets'][index]['id']}" in text
    assert f"row {index + 1}, column 'status': 'escalated'" in text
    # Customers were written before the tickets were checked: the transaction undid them.
    assert _counts(store) == {"customers": 0, "tickets": 0, "responses": 0}


def test_skip_bad_rows_imports_the_rest_and_writes_each_kinds_rejects(store, tmp_path):
    doc = _doc()
    bad = doc["tickets"][0]
    bad["status"] = "escalated"
    results = {
        r.kind: r
        for r in import_zendesk(
            store, _write(tmp_path, doc), skip_bad_rows=True, rejected_file=tmp_path / "rejected.csv"
        )
    }
    assert results["tickets"].rejected == 1
    assert results["tickets"].inserted == len(_live(doc)) - 1
    written = tmp_path / "rejected.tickets.csv"
    assert results["tickets"].rejected_file == str(written)
    assert f"zendesk:{bad['id']}" in written.read_text(encoding="utf-8")
    assert f"zendesk:{bad['id']}" not in _by_external_id(store, s.tickets)
