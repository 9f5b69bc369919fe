"""One language per survey page: a survey that lists a language must write every text of its
own in it (the loader names the survey, question and language), names are never pasted into
translated sentences, and the widget asks the survey's own questions."""

from __future__ import annotations

import textwrap

import pytest
import sqlalchemy as sa

from cxlens.collect import load_surveys
from cxlens.collect.wording import BUILTIN_TEXTS
from cxlens.errors import JourneyFileError
from cxlens.store import schema as s


def _keys(store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(sa.select(s.surveys.c.key)).scalars())


def _load(store, tmp_path, yaml_text: str):
    path = tmp_path / "surveys.yaml"
    path.write_text(textwrap.dedent(yaml_text), encoding="utf-8")
    return load_surveys(store, path)


def test_a_question_without_a_listed_languages_text_is_refused_naming_survey_question_and_language(
    mapped_store, tmp_path
):
    with pytest.raises(JourneyFileError) as err:
        _load(
            mapped_store,
            tmp_path,
            """
            surveys:
              - key: chat-csat
                name: Chat satisfaction
                metric: csat
                touchpoint: support-chat
                languages: [en, fi, de]
                texts:
                  en: {question: "How was the chat?"}
                  fi: {question: "Miten chat sujui?"}
                questions:
                  - key: comment
                    type: text
                    text: {en: "What did you like?", fi: "Mistä pidit?"}
                    low_text: {en: "What went wrong?", fi: "Mikä meni vikaan?", de: "Was lief schief?"}
                  - key: topic
                    type: single
                    text: {en: Topic, fi: Aihe, de: Thema}
                    options:
                      - {key: speed, text: {en: Speed, fi: Nopeus}}
                      - {key: price}
                  - {key: other, type: text, text: "Anything else?"}
            """,
        )
    text = str(err.value)
    for expected in [
        "surveys[0].questions[0].text.de: survey 'chat-csat', question 'comment' has no 'de' text",
        "surveys[0].questions[1].options[0].text.de: survey 'chat-csat', question 'topic', option 'speed' has no 'de'",
        "surveys[0].questions[1].options[1].text: survey 'chat-csat', question 'topic', option 'price' has one text",
        "surveys[0].questions[2].text: survey 'chat-csat', question 'other' has one text for languages en, fi, de",
        "surveys[0].texts.de.question: survey 'chat-csat' lists language 'de' but writes its question only in en, fi",
    ]:
        assert expected in text, (expected, text)
    assert "questions[0].low_text" not in text  # written in every language
    assert "chat-csat" not in _keys(mapped_store)  # nothing written


def test_a_single_language_survey_may_write_plain_texts(mapped_store, tmp_path):
    _load(
        mapped_store,
        tmp_path,
        """
        surveys:
          - key: chat-csat
            name: Chat satisfaction
            metric: csat
            touchpoint: support-chat
            languages: [fi]
            questions: [{key: comment, type: text, text: "Mistä pidit?"}]
        """,
    )
    assert "chat-csat" in _keys(mapped_store)


def test_the_name_is_the_title_in_the_first_language_only(collection):
    survey = collection.catalog.by_key("support-csat")  # name in English, languages [en, fi]
    assert survey.title("en") == "Support <satisfaction> & more"
    assert survey.title("fi") == BUILTIN_TEXTS["fi"]["title"]
    assert survey.question_text("fi") == BUILTIN_TEXTS["fi"]["question.csat"]
    assert survey.text("email_subject", "fi") == "Palautteesi: yksi kysymys, yksi klikkaus"


def test_an_own_title_per_language_heads_the_page(mapped_store, tmp_path):
    from cxlens.collect import SurveyCatalog

    _load(
        mapped_store,
        tmp_path,
        """
        surveys:
          - key: chat-csat
            name: Chat satisfaction
            metric: csat
            touchpoint: support-chat
            languages: [en, fi]
            texts:
              en: {title: Chat with us}
              fi: {title: Chat-palvelumme, email_subject: "Miten chat sujui?"}
        """,
    )
    survey = SurveyCatalog(mapped_store).by_key("chat-csat")
    assert (survey.title("en"), survey.title("fi")) == ("Chat with us", "Chat-palvelumme")
    assert survey.text("sms", "fi", link="L") == "Chat-palvelumme: miten meni? Vastaa tästä: L"


def test_the_widget_asks_the_surveys_own_comment_question(collection, client):
    js = client.get("/w/relationship-nps.js").text
    # relationship-nps has no own questions: the built-in follow-ups, in each language.
    assert BUILTIN_TEXTS["de"]["follow_up_low"] in js and BUILTIN_TEXTS["de"]["title"] in js
    js = client.get("/w/support-csat.js").text
    for text in ("What did you like?", "Mistä pidit?", "What went wrong?", "Mikä meni vikaan?", "Palautteesi"):
        assert text in js, text
    assert BUILTIN_TEXTS["fi"]["follow_up"] not in js and BUILTIN_TEXTS["en"]["follow_up_low"] not in js
