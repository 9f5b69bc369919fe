"""The ``notifiers:`` section: path-named errors, secrets by variable name only, the store's copy,
and the refusal of private, loopback and link-local targets."""

from __future__ import annotations

import ipaddress

import pytest
import sqlalchemy as sa

from cxlens.alerts.notifiers import (
    Notifier,
    check_url,
    enable_notifier,
    load_notifier,
    parse_notifiers,
    refused_reason,
    store_notifiers,
)
from cxlens.errors import ConfigError, JourneyFileError
from cxlens.store import schema as s

GOOD = [
    {"name": "cx-slack", "kind": "slack", "url_env": "CX_SLACK_URL"},
    {"name": "ops-hook", "kind": "webhook", "url": "https://hooks.example.com/cxlens", "secret_env": "OPS_SECRET"},
    {"name": "cx-mail", "kind": "email", "to": ["cx@example.com", "lead@example.com"]},
]


def test_a_valid_section_parses_to_frozen_notifiers():
    parsed = parse_notifiers(GOOD, "journeys.yaml")
    assert parsed.names() == ["cx-slack", "ops-hook", "cx-mail"]
    slack, hook, mail = parsed
    assert slack.url_env == "CX_SLACK_URL" and slack.url is None and not slack.allow_private
    assert hook.config() == {
        "url": "https://hooks.example.com/cxlens",
        "secret_env": "OPS_SECRET",
        "allow_private": False,
    }
    assert mail.to == ("cx@example.com", "lead@example.com")
    with pytest.raises(AttributeError):
        slack.name = "x"  # frozen
    assert parse_notifiers(None, "journeys.yaml").names() == []


def test_every_problem_is_named_by_its_path():
    bad = [
        {"name": "owner", "kind": "email", "to": ["a@example.com"]},
        {"name": "hook", "kind": "webhook", "url": "https://h.example.com/x"},  # no secret_env
        {"name": "hook", "kind": "pager", "colour": "red"},
        {"name": "s", "kind": "slack", "url": "https://x.example.com", "url_env": "X"},
        {"name": "m", "kind": "email", "to": ["not-an-address"], "url": "https://x.example.com"},
        {"name": "p", "kind": "webhook", "url": "http://10.1.2.3/hook", "secret_env": "lower-case bad"},
        {"name": "q", "kind": "webhook", "url": "ftp://x.example.com", "secret_env": "S", "allow_private": "yes"},
        "just a string",
    ]
    with pytest.raises(JourneyFileError) as caught:
        parse_notifiers(bad, "journeys.yaml")
    message = str(caught.value)
    assert message.startswith("journeys.yaml: ")
    problems = caught.value.problems
    expected = [
        "notifiers[0].name: 'owner' is reserved",
        "notifiers[1].secret_env: missing",
        "notifiers[2].colour: unknown field",
        "notifiers[2].name: 'hook' is declared twice",
        "notifiers[2].kind: 'pager' is not a notifier kind; known: webhook, slack, email",
        "notifiers[3]: give the target as url: or url_env:",
        "notifiers[4].url: an e-mail notifier sends through the SMTP settings",
        "notifiers[4].to[0]: 'not-an-address' is not an e-mail address",
        "notifiers[5].secret_env: 'lower-case bad' is not an environment variable name",
        "notifiers[5].url: 10.1.2.3 resolves to 10.1.2.3, a private address",
        "notifiers[6].allow_private: 'yes' is not true or false",
        "notifiers[6].url: 'ftp://x.example.com' is not an http:// or https:// URL",
        "notifiers[7]: 'just a string' is not a mapping",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    with pytest.raises(JourneyFileError, match=r"notifiers: .* is not a list"):
        parse_notifiers({"name": "x"}, "journeys.yaml")


def test_secrets_are_read_at_send_time_and_a_missing_one_names_notifier_and_variable():
    hook = parse_notifiers(GOOD, "j.yaml").items[1]
    slack = parse_notifiers(GOOD, "j.yaml").items[0]
    assert hook.secret({"OPS_SECRET": "whsec_abc"}) == "whsec_abc"
    with pytest.raises(
        ConfigError, match=r"notifier 'ops-hook': environment variable OPS_SECRET \(secret_env\) is not set"
    ):
        hook.secret({})
    with pytest.raises(ConfigError, match=r"notifier 'cx-slack': environment variable CX_SLACK_URL \(url_env\)"):
        slack.target_url({"CX_SLACK_URL": ""})
    assert slack.target_url({"CX_SLACK_URL": "https://hooks.slack.example/T1"}) == "https://hooks.slack.example/T1"


def test_stored_without_secrets_idempotently_and_vanished_ones_are_disabled(store, monkeypatch):
    monkeypatch.setenv("OPS_SECRET", "whsec_c2VjcmV0LXZhbHVlLW5ldmVyLXN0b3JlZA==")
    with store.begin() as conn:
        store_notifiers(conn, parse_notifiers(GOOD, "j.yaml"))
        store_notifiers(conn, parse_notifiers(GOOD, "j.yaml"))
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(s.notifiers).order_by(s.notifiers.c.name)).all()
    assert [r.name for r in rows] == ["cx-mail", "cx-slack", "ops-hook"]
    assert "c2VjcmV0" not in repr([r.config for r in rows])  # only the variable's name is stored
    assert all(r.disabled_at is None for r in rows)
    with store.begin() as conn:
        store_notifiers(conn, parse_notifiers(GOOD[:2], "j.yaml"))
        gone = load_notifier(conn, "cx-mail")
        assert gone.disabled_at is not None and gone.disabled_reason == "removed from the journeys file"
        store_notifiers(conn, parse_notifiers(GOOD, "j.yaml"))  # declared again: back
        assert load_notifier(conn, "cx-mail").disabled_at is None
        assert load_notifier(conn, "nope") is None
        # A notifier disabled by a 410 stays disabled while its definition is unchanged …
        conn.execute(
            s.notifiers.update()
            .where(s.notifiers.c.name == "ops-hook")
            .values(disabled_at=sa.func.now(), disabled_reason="the receiver answered 410 Gone")
        )
        store_notifiers(conn, parse_notifiers(GOOD, "j.yaml"))
        assert load_notifier(conn, "ops-hook").disabled_at is not None
        # … and is enabled again by a new target, or by hand.
        changed = [GOOD[0], {**GOOD[1], "url": "https://hooks.example.com/v2"}, GOOD[2]]
        store_notifiers(conn, parse_notifiers(changed, "j.yaml"))
        assert load_notifier(conn, "ops-hook").disabled_at is None
        assert enable_notifier(conn, "ops-hook") is False


@pytest.mark.parametrize(
    "address, why",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("224.0.0.1", "multicast"),
    ],
)
def test_non_public_addresses_are_refused(address, why):
    assert refused_reason(ipaddress.ip_address(address)) == why
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(ConfigError, match=f"a {why} address; cxlens does not post to private"):
        check_url(f"http://{host}:8080/hook")
    assert check_url(f"http://{host}:8080/hook", allow_private=True)[2] == [str(ipaddress.ip_address(address))]


def test_public_addresses_pass_and_names_are_resolved_then_checked():
    assert refused_reason(ipaddress.ip_address("93.184.216.34")) is None
    assert refused_reason(ipaddress.ip_address("2606:4700::1111")) is None
    with pytest.raises(ConfigError, match="localhost resolves to .*loopback"):
        check_url("http://localhost:9/hook")  # resolved through the system resolver
    host, port, addresses = check_url("http://localhost:9/hook", allow_private=True)
    assert (host, port) == ("localhost", 9) and addresses
    with pytest.raises(ConfigError, match="not an http:// or https:// URL"):
        check_url("javascript:alert(1)")


def test_from_row_round_trips(store):
    with store.begin() as conn:
        store_notifiers(conn, parse_notifiers(GOOD, "j.yaml"))
        assert load_notifier(conn, "ops-hook") == Notifier(
            "ops-hook", "webhook", url="https://hooks.example.com/cxlens", secret_env="OPS_SECRET"
        )


@pytest.mark.parametrize(
    "module",
    ["alerts.notifiers", "alerts.webhooks", "alerts.messages", "alerts.delivery", "alerts.worker", "cli.notifications"],
)
def test_every_name_in_all_exists(module):
    import importlib

    mod = importlib.import_module(f"cxlens.{module}")
    assert [name for name in mod.__all__ if not hasattr(mod, name)] == []


def test_the_journeys_loader_checks_and_stores_the_section(store, tmp_path):
    import cxlens.alerts.notifiers  # noqa: F401 (registers the section, as the loader's extensions do)
    from cxlens.ingest import load_journeys

    head = (
        "journeys:\n  - key: buy\n    name: Buy\n    stages:\n      - key: s1\n        name: S1\n"
        "        touchpoints:\n          - key: t1\n            name: T1\n"
    )
    good = tmp_path / "journeys.yaml"
    good.write_text(head + "notifiers:\n  - name: cx-slack\n    kind: slack\n    url_env: CX_SLACK_URL\n")
    load_journeys(store, good)
    with store.engine.connect() as conn:
        assert load_notifier(conn, "cx-slack").url_env == "CX_SLACK_URL"
    bad = tmp_path / "bad.yaml"
    bad.write_text(head + "notifiers:\n  - name: cx-slack\n    kind: slack\n    url: http://192.168.0.10/x\n")
    with pytest.raises(JourneyFileError) as caught:
        load_journeys(store, bad)
    assert any(
        p.startswith("notifiers[0].url: 192.168.0.10 resolves to 192.168.0.10, a private address")
        for p in caught.value.problems
    ), caught.value.problems
