"""Collection as a library: survey files, signed links, answers, triggers, fatigue, quiet hours,
opt-outs and response rates, on SQLite and PostgreSQL, under a controlled clock."""

from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest
from conftest import count
from hypothesis import given, settings
from hypothesis import strategies as st
from test_collect_fixtures import T0, add_event, invitations, responses, setup_collection

from cxlens.collect import (
    CollectionPolicy,
    InvitationClaim,
    RecordingEmailSender,
    RecordingSmsSender,
    Signer,
    choose_language,
    load_surveys,
    plan_invitations,
    response_rates,
    send_due,
)
from cxlens.collect.triggers import sampled
from cxlens.errors import InvalidAnswer, InvalidToken, JourneyFileError, TokenExpired


def plan(collection, *event_ids):
    with collection.store.begin() as conn:
        return plan_invitations(collection, conn, list(event_ids))


def test_survey_file_problems_are_all_listed_and_nothing_is_written(store, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        textwrap.dedent("""
        surveys:
          - key: s1
            name: One
            metric: text
            languages: [en, xx]
            questions:
              - {key: q1, type: rating, text: Hi}
              - {key: q1, type: single, text: Pick}
              - {key: q3, text: Later, when: 0-6}
            trigger: {touchpoint: checkout, channel: pigeon, quiet_hours: late}
            widget: {origins: ["https://shop.example.com/path"]}
    """)
    )
    with pytest.raises(JourneyFileError) as err:
        load_surveys(store, path)
    text = str(err.value)
    for expected in [
        "surveys[0].texts.xx: cxlens has no built-in 'xx' wording",
        "surveys[0].questions[0].type: 'rating' is not a question type",
        "surveys[0].questions[1].key: 'q1' is used twice",
        "surveys[0].questions[1].options: a single question needs a list of options",
        "surveys[0].questions[2].when: a text survey has no score to depend on",
        "surveys[0].trigger.channel: 'pigeon' cannot send invitations",
        "surveys[0].trigger.quiet_hours: 'late' is not hours",
        "surveys[0].widget.origins[0]: 'https://shop.example.com/path' is not an origin",
    ]:
        assert expected in text, expected
    assert count(store, "surveys") == 0


def test_definition_reads_back_with_languages_questions_trigger_and_widget(collection):
    survey = collection.catalog.by_key("support-csat")
    assert survey.languages == ("en", "fi") and survey.scale == (1, 5)
    assert survey.trigger.after_seconds == 3600 and survey.trigger.channel == "email"
    assert [q.key for q in survey.follow_ups(2)] == ["comment", "topic"]
    assert [q.key for q in survey.follow_ups(5)] == ["comment"]
    assert survey.is_low(3) and not survey.is_low(4)
    assert survey.text("thank_you", "fi") == "Kiitos palautteestasi!"
    assert survey.text("thank_you", "sv").startswith("Thank you")  # fallback: the first language
    nps = collection.catalog.by_key("relationship-nps")
    assert nps.origins == ("http://127.0.0.1:5555",)
    assert nps.is_low(6) and not nps.is_low(7)


@pytest.mark.parametrize(
    "wanted, expected",
    [
        (["fi-FI"], "fi"),
        (["pt-BR", "fi"], "fi"),
        (["de"], "en"),
        ([], "en"),
        (["FI"], "fi"),
        (["en_GB"], "en"),
    ],
)
def test_language_is_the_customers_with_a_fallback(wanted, expected):
    assert choose_language(wanted, ("en", "fi")) == expected


def test_a_replayed_link_updates_the_same_response(collection):
    inv = collection.invite("support-csat", "c-fi")
    token = collection.token(inv)
    collection.answer(token, score=2, language="fi")
    collection.answer(token, score=2)
    collection.answer(token, answers={"comment": "Hidas vastaus", "topic": "speed"})
    collection.answer(token, score=4)  # changed their mind: same row
    rows = responses(collection.store)
    assert len(rows) == 1
    row = rows[0]
    assert (row["score"], row["comment"], row["answers"], row["language"]) == (
        4,
        "Hidas vastaus",
        {"topic": "speed"},
        "fi",
    )
    assert (row["metric"], row["scale_min"], row["scale_max"], row["channel"]) == ("csat", 1, 5, "email")
    assert invitations(collection.store)[0]["status"] == "answered"


def test_the_score_is_kept_when_the_follow_up_never_comes(collection):
    token = collection.token(collection.invite("support-csat", "c-fi"))
    collection.answer(token, score=1)
    assert [(r["score"], r["comment"]) for r in responses(collection.store)] == [(1, None)]


def test_a_tampered_token_writes_nothing(collection):
    token = collection.token(collection.invite("support-csat", "c-fi"))
    body, mac = token.split(".")
    # Another invitation id under the same signature; a flipped signature character; another secret.
    claim = InvitationClaim.read(collection.signer, token, T0)
    forged_other = InvitationClaim(
        claim.invitation_id + 1, claim.survey_id, claim.customer_id, claim.expires_at, claim.nonce
    )
    tampered = [
        forged_other.token(collection.signer).split(".")[0] + "." + mac,
        body + "." + ("A" if mac[0] != "A" else "B") + mac[1:],
        forged_other.token(Signer(b"another-secret-another-secret!!!")),
        token[:-5],
        "not-a-token",
    ]
    for bad in tampered:
        with pytest.raises(InvalidToken):
            collection.answer(bad, score=5)
    assert count(collection.store, "responses") == 0


def test_a_correctly_signed_token_for_another_invitation_is_refused(collection):
    token = collection.token(collection.invite("support-csat", "c-fi"))
    claim = InvitationClaim.read(collection.signer, token, T0)
    other = InvitationClaim(claim.invitation_id, claim.survey_id, claim.customer_id + 1, claim.expires_at, claim.nonce)
    with pytest.raises(InvalidToken, match="does not match any invitation"):
        collection.answer(other.token(collection.signer), score=5)
    assert count(collection.store, "responses") == 0


def test_an_expired_token_writes_nothing(collection):
    token = collection.token(collection.invite("support-csat", "c-fi"))
    collection.clock.advance(days=collection.policy.link_days, seconds=1)
    with pytest.raises(TokenExpired):
        collection.answer(token, score=5)
    assert count(collection.store, "responses") == 0


@pytest.mark.parametrize(
    "score, answers, field",
    [
        (6, {}, "score"),
        ("x", {}, "score"),
        (None, {"topic": "price"}, "topic"),
        (None, {"nope": "1"}, "nope"),
        (None, {"comment": "x" * 5001}, "comment"),
    ],
)
def test_answers_that_do_not_fit_name_their_field(collection, score, answers, field):
    token = collection.token(collection.invite("support-csat", "c-fi"))
    with pytest.raises(InvalidAnswer) as err:
        collection.answer(token, score=score, answers=answers)
    assert err.value.field == field
    assert count(collection.store, "responses") == 0


def test_a_trigger_with_a_delay_fires_when_the_clock_gets_there(collection):
    event = add_event(collection, "c-fi", "support-chat", T0)
    assert len(plan(collection, event)) == 1
    assert plan(collection, event) == []  # planning the same event again adds nothing
    mail = RecordingEmailSender()
    collection.clock.advance(minutes=59)
    assert send_due(collection, {"email": mail}).sent == 0
    collection.clock.advance(minutes=1)
    report = send_due(collection, {"email": mail})
    assert report.sent == 1 and len(mail.messages) == 1
    message = mail.messages[0]
    assert message["To"].addresses[0].addr_spec == "aino@example.fi"
    assert message["Content-Language"] == "fi"
    assert message["List-Unsubscribe"].startswith("<http://testserver/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    assert "Hei Aino <Korhonen>" in text and "?score=1" in text and "?score=5" in text
    html = message.get_body(("html",)).get_content()
    assert "Aino &lt;Korhonen&gt;" in html and "<Korhonen>" not in html
    # The Finnish e-mail is headed in Finnish, not by the survey's (English) name.
    assert message["Subject"] == "Palautteesi: yksi kysymys, yksi klikkaus" and "satisfaction" not in html
    [row] = invitations(collection.store)
    assert (row["status"], row["sent_at"], row["due_at"]) == ("sent", T0 + timedelta(hours=1), T0 + timedelta(hours=1))
    assert send_due(collection, {"email": mail}).sent == 0  # sends nothing twice


def test_a_fatigue_rule_blocks_the_second_invitation_and_records_why(collection):
    mail, sms = RecordingEmailSender(), RecordingSmsSender()
    first = add_event(collection, "c-fi", "support-chat", T0)
    plan(collection, first)
    collection.clock.advance(hours=2)
    assert send_due(collection, {"email": mail, "sms": sms}).sent == 1
    # Another survey, another channel, ten days later: still inside support-csat's 14 days? The
    # NPS survey has no own window, so the global 30 days apply across surveys and channels.
    second = add_event(collection, "c-fi", "first-use", collection.now())
    plan(collection, second)
    collection.clock.advance(days=1, hours=1)
    report = send_due(collection, {"email": mail, "sms": sms})
    assert report.sent == 0 and report.skipped == {"fatigue": 1}
    assert sms.messages == []
    assert [(r["status"], r["reason"]) for r in invitations(collection.store)] == [
        ("sent", None),
        ("skipped", "fatigue"),
    ]
    # support-csat's own 14-day window lets it ask again after 15 days.
    collection.clock.advance(days=15)
    third = add_event(collection, "c-fi", "support-chat", collection.now())
    plan(collection, third)
    collection.clock.advance(hours=1)
    assert send_due(collection, {"email": mail, "sms": sms}).sent == 1


def test_quiet_hours_postpone_to_the_customers_morning(collection):
    # 20:30 UTC is 22:30 in Helsinki: inside 21-8; the e-mail waits until 08:00 Helsinki (06:00 UTC).
    late = T0.replace(hour=19, minute=30)
    plan(collection, add_event(collection, "c-fi", "support-chat", late))
    collection.clock.now = late + timedelta(hours=1)
    mail = RecordingEmailSender()
    report = send_due(collection, {"email": mail})
    assert (report.sent, report.postponed) == (0, 1)
    [row] = invitations(collection.store)
    assert (row["status"], row["due_at"]) == ("pending", T0.replace(day=3, hour=6, minute=0))
    collection.clock.now = T0.replace(day=3, hour=6)
    assert send_due(collection, {"email": mail}).sent == 1


def test_opt_out_sampling_and_missing_addresses_are_skipped_with_their_reason(store, tmp_path):
    collection = setup_collection(store, tmp_path)
    token = collection.token(collection.invite("support-csat", "c-de"))
    collection.unsubscribe(token)
    collection.unsubscribe(token)  # honoured once, recorded once
    assert count(store, "opt_outs") == 1
    events = [add_event(collection, c, "support-chat", T0) for c in ("c-de", "c-none")]
    plan(collection, *events)
    skipped = [(r["status"], r["reason"]) for r in invitations(store)][1:]
    assert skipped == [("skipped", "opted_out"), ("skipped", "no_address")]
    collection.clock.advance(hours=2)
    report = send_due(collection, {"email": RecordingEmailSender()})
    assert report.skipped == {"opted_out": 1}  # the hand-made invitation, checked again at send time
    rates = {r["survey"]: r for r in response_rates(collection)}
    assert rates["support-csat"]["skipped"] == {"opted_out": 2, "no_address": 1}
    assert rates["support-csat"]["invited"] == 3 and rates["support-csat"]["sent"] == 0


def test_sms_goes_through_the_sender_interface_and_failures_are_recorded(collection):
    sms = RecordingSmsSender(fail_for={"+4915112345678"})
    for customer in ("c-fi", "c-de"):
        plan(collection, add_event(collection, customer, "first-use", T0))
    collection.clock.advance(days=1)
    report = send_due(collection, {"sms": sms})
    assert (report.sent, report.failed) == (1, 1)
    [message] = sms.messages
    assert message.to == "+358401234567" and "http://testserver/s/" in message.text
    statuses = sorted((r["status"], r["reason"] or "") for r in invitations(collection.store))
    assert statuses[0][0] == "failed" and "refused" in statuses[0][1]


def test_response_rate_per_survey_channel_and_touchpoint(collection):
    mail = RecordingEmailSender()
    for customer in ("c-fi", "c-de"):
        plan(collection, add_event(collection, customer, "support-chat", T0))
    collection.clock.advance(hours=1)
    send_due(collection, {"email": mail})
    [first] = [r for r in invitations(collection.store) if r["status"] == "sent"][:1]
    collection.answer(collection.token(first["id"]), score=5)
    [rate] = response_rates(collection)
    assert rate | {"skipped": {}} == {
        "survey": "support-csat",
        "channel": "email",
        "touchpoint": "support-chat",
        "invited": 2,
        "sent": 2,
        "answered": 1,
        "failed": 0,
        "pending": 0,
        "skipped": {},
        "link_scans": 0,
        "response_rate": 0.5,
    }


def test_a_sender_that_dies_mid_way_never_sends_twice(collection):
    plan(collection, add_event(collection, "c-fi", "support-chat", T0))
    collection.clock.advance(hours=1)

    class Crash:
        def send(self, to, message):
            raise KeyboardInterrupt  # the process is killed after the claim, before "sent"

    with pytest.raises(KeyboardInterrupt):
        send_due(collection, {"email": Crash()})
    mail = RecordingEmailSender()
    assert send_due(collection, {"email": mail}).sent == 0 and mail.messages == []
    assert invitations(collection.store)[0]["status"] == "sending"


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 10**9), st.integers(1, 10**9), st.floats(0, 1))
def test_sampling_decides_the_same_way_every_time(survey_id, event_id, rate):
    assert sampled(survey_id, event_id, rate) == sampled(survey_id, event_id, rate)
    assert sampled(survey_id, event_id, 1.0) and not sampled(survey_id, event_id, 0.0)


def test_sampling_keeps_about_the_share_asked_for():
    kept = sum(sampled(7, e, 0.25) for e in range(20000))
    assert 0.23 < kept / 20000 < 0.27  # binomial sd is 0.003: five sd either side


def test_policy_reads_the_environment():
    from cxlens.collect import policy_from_env
    from cxlens.errors import ConfigError

    policy = policy_from_env(
        {"CXLENS_FATIGUE_DAYS": "7", "CXLENS_QUIET_HOURS": "off", "CXLENS_PUBLIC_URL": "https://x.example/"}
    )
    assert (policy.fatigue_days, policy.quiet_hours, policy.public_url) == (7, None, "https://x.example")
    with pytest.raises(ConfigError, match="CXLENS_QUIET_HOURS"):
        policy_from_env({"CXLENS_QUIET_HOURS": "night"})
    assert CollectionPolicy().quiet_hours == (21, 8)


def test_the_readme_survey_example_loads(store, tmp_path):
    import re
    from pathlib import Path

    from conftest import DEMO_JOURNEYS

    from cxlens.ingest import load_journeys

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Collecting feedback") :]
    block = re.search(r"```yaml\n(surveys:.*?)```", section, re.S).group(1)
    (tmp_path / "surveys.yaml").write_text(block, encoding="utf-8")
    load_journeys(store, DEMO_JOURNEYS)
    assert load_surveys(store, tmp_path / "surveys.yaml").surveys == 1


def test_simultaneous_first_clicks_make_one_response(collection):
    """A mail scanner and the person click at once: both are written to the same row."""
    from concurrent.futures import ThreadPoolExecutor

    token = collection.token(collection.invite("support-csat", "c-fi"))
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda n: collection.answer(token, score=1 + n % 5).response_id, range(16)))
    assert len(ids) == 1
    assert count(collection.store, "responses") == 1
