"""Survey wording in Russian, Thai and Chinese: the demo's customers speak en, de, es, fi, ru, th
and zh, and each gets the survey page, the thanks and the e-mail in their own language."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import DEMO_JOURNEYS
from fastapi.testclient import TestClient
from test_collect_fixtures import T0, responses

from cxlens.collect import Collection, CollectionPolicy, ManualClock, Signer, compose_email, load_surveys
from cxlens.collect.channels import Recipient
from cxlens.collect.wording import BUILTIN_TEXTS
from cxlens.store import schema as s
from cxlens.web import create_app

FORM = {"content-type": "application/x-www-form-urlencoded"}
CUSTOMERS = {"c-ru": "ru-RU", "c-th": "th-TH", "c-zh": "zh-CN", "c-pt": "pt-BR"}


@pytest.fixture
def collection(store):
    load_surveys(store, DEMO_JOURNEYS)  # the demo's surveys pass the collection checks
    with store.begin() as conn:
        conn.execute(
            s.customers.insert(),
            [
                {"external_id": c, "name": f"Name {c}", "email": f"{c}@example.com", "locale": loc}
                for c, loc in CUSTOMERS.items()
            ],
        )
    return Collection(
        store,
        policy=CollectionPolicy(public_url="http://testserver"),
        signer=Signer(b"test-secret-of-32-bytes-or-more!"),
        clock=ManualClock(T0),
    )


@pytest.fixture
def client(collection):
    app = create_app(collection.store)
    app.state.collection = collection
    return TestClient(app)


def test_every_built_in_language_has_every_text():
    assert {"ru", "th", "zh"} <= set(BUILTIN_TEXTS)
    for lang, texts in BUILTIN_TEXTS.items():
        assert set(texts) == set(BUILTIN_TEXTS["en"]), lang
        assert all(value.strip() for value in texts.values()), lang
        # Placeholders survive translation; the survey's title is only ever a label before a
        # colon, never pasted into a translated sentence.
        for key, value in texts.items():
            if key in ("email_subject", "sms"):
                assert value.startswith("{subject}") and value[len("{subject}")] in ":：", (lang, key)
            else:
                assert "{subject}" not in value, (lang, key)
        assert "{link}" in texts["sms"] and "{name}" in texts["email_intro"], lang


@pytest.mark.parametrize(
    "customer, lang, question, submit, thanks",
    [
        (
            "c-ru",
            "ru",
            "Насколько вы довольны доставкой вашего заказа?",
            "Отправить",
            "Спасибо! Ваш ответ помогает нам стать лучше.",
        ),
        ("c-th", "th", "คุณพึงพอใจกับการจัดส่งคำสั่งซื้อของคุณมากน้อยเพียงใด", "ส่ง", "ขอบคุณ! คำตอบของคุณช่วยให้เราพัฒนาให้ดียิ่งขึ้น"),
        ("c-zh", "zh", "您对本次订单的配送服务满意程度如何？", "提交", "谢谢！您的反馈能帮助我们做得更好。"),
        (
            "c-pt",
            "en",
            "How satisfied are you with the delivery of your order?",
            "Send",
            "Thank you! Your answer helps us do better.",
        ),
    ],
)
def test_the_customer_gets_the_survey_in_their_language(collection, client, customer, lang, question, submit, thanks):
    token = collection.token(collection.invite("delivery-csat", customer))
    page = client.get(f"/s/{token}").text
    assert f'<html lang="{lang}">' in page and question in page and f">{submit}</button>" in page
    follow_up = client.get(f"/s/{token}?score=2").text
    assert BUILTIN_TEXTS[lang]["follow_up_low"] in follow_up
    done = client.post(f"/s/{token}", content=f"lang={lang}&step=2&score=2&q.comment=ok", headers=FORM)
    assert thanks in done.text
    assert [r["language"] for r in responses(collection.store)] == [lang]


@pytest.mark.parametrize("lang", ["ru", "th", "zh"])
def test_the_invitation_e_mail_is_in_their_language(collection, lang):
    survey = collection.catalog.by_key("relationship-nps")
    message = compose_email(
        survey,
        lang,
        Recipient("Ира", "x@example.com", None),
        "cx@example.com",
        "http://l",
        [(n, f"http://l?score={n}") for n in range(11)],
        "http://u",
    )
    assert message["Subject"] == BUILTIN_TEXTS[lang]["email_subject"].replace("{subject}", BUILTIN_TEXTS[lang]["title"])
    text = message.get_body(("plain",)).get_content()
    assert BUILTIN_TEXTS[lang]["email_intro"].replace("{name}", "Ира") in text
    assert BUILTIN_TEXTS[lang]["unsubscribe"] in text


def test_an_open_link_follows_the_browsers_language(client):
    page = client.get("/s/open/relationship-nps", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert '<html lang="zh">' in page and BUILTIN_TEXTS["zh"]["question.nps"] in page
    page = client.get("/s/open/renewal-nps", headers={"accept-language": "th"}).text
    assert BUILTIN_TEXTS["th"]["low.nps"] in page and BUILTIN_TEXTS["th"]["high.nps"] in page


def test_the_demo_surveys_store_their_languages(collection):
    with collection.store.engine.connect() as conn:
        rows = conn.execute(sa.select(s.surveys.c.key, s.surveys.c.definition)).all()
    assert rows and all(d["languages"] == ["en", "de", "es", "fi", "ru", "th", "zh"] for _, d in rows)
