"""`cxlens journeys load` takes the surveys' collection settings (widget origins, texts,
trigger) and checks them; a bad one is refused naming the file, the field and the value."""

from __future__ import annotations

import textwrap

import pytest
import sqlalchemy as sa
from conftest import DEMO_JOURNEYS, count
from typer.testing import CliRunner

from cxlens.cli import app
from cxlens.collect import SurveyCatalog
from cxlens.store import schema as s

runner = CliRunner()

JOURNEY = textwrap.dedent("""
    journeys:
      - key: buy
        name: Buying
        stages:
          - key: order
            name: Order
            touchpoints:
              - {key: checkout, name: Checkout}
    surveys:
      - key: checkout-ces
        name: Checkout effort
        metric: ces
        touchpoint: checkout
        languages: [en, th]
        trigger: {touchpoint: checkout, after: 1d, channel: email}
        channels: [email, widget]
        widget: {origins: ["https://shop.example.com"]}
""")


@pytest.fixture
def env(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    monkeypatch.setenv("CXLENS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    return store_url


def load(tmp_path, text: str):
    path = tmp_path / "journeys.yaml"
    path.write_text(text, encoding="utf-8")
    return path, runner.invoke(app, ["journeys", "load", str(path)])


def test_a_journeys_file_with_a_widget_loads_it(env, store, tmp_path):
    _, result = load(tmp_path, JOURNEY)
    assert result.exit_code == 0, result.output
    survey = SurveyCatalog(store).by_key("checkout-ces")
    assert survey.origins == ("https://shop.example.com",)
    assert survey.trigger.touchpoint == "checkout" and survey.languages == ("en", "th")


@pytest.mark.parametrize(
    "change, problem",
    [
        (
            ('https://shop.example.com"]}', 'shop.example.com/cart"]}'),
            "surveys[0].widget.origins[0]: 'shop.example.com/cart' is not an origin",
        ),
        (
            ("trigger: {touchpoint: checkout,", "trigger: {touchpoint: check-out,"),
            "surveys[0].trigger.touchpoint: 'check-out' is not a touchpoint",
        ),
        (
            ("channel: email}", "channel: fax}"),
            "surveys[0].trigger.channel: 'fax' cannot send invitations; use email or sms",
        ),
        (("languages: [en, th]", "languages: [en, xx]"), "surveys[0].texts.xx: cxlens has no built-in 'xx' wording"),
    ],
)
def test_a_bad_collection_setting_names_file_field_and_value(env, store, tmp_path, change, problem):
    path, result = load(tmp_path, JOURNEY.replace(*change))
    assert result.exit_code != 0
    message = str(result.exception)
    assert message.startswith(f"{path}: ") and "nothing was loaded" in message, message
    assert problem in message
    assert count(store, "surveys") == 0 and count(store, "touchpoints") == 0


def test_the_demo_journeys_still_load_through_the_command(env, store):
    result = runner.invoke(app, ["journeys", "load", str(DEMO_JOURNEYS)])
    assert result.exit_code == 0, result.output
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.surveys)).scalar() >= 8
