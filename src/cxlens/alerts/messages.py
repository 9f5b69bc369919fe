"""Rendering one outbox payload (see :mod:`cxlens.alerts.outbox`) for each kind of notifier.

* :func:`webhook_body`: the generic webhook's JSON (``type``, ``topic``, ``title``, ``summary``,
  ``link``, ``items``, ``sent_at``), links made absolute;
* :func:`slack_body`: a Slack-compatible incoming-webhook body, ``text`` (the fallback shown in
  notifications) plus ``blocks``;
* :func:`email_message`: an e-mail with a plain-text and an HTML part.

Titles and summaries can carry what customers typed (an angry answer's comment), so nothing is
trusted: HTML is escaped by Jinja2's autoescape; Slack text goes out as ``plain_text`` where it
is free text and with ``&``, ``<``, ``>`` escaped where it is mrkdwn (so a comment cannot ping
``<!channel>`` or forge a link); e-mail headers lose line breaks. Links are paths of the web
app made absolute with the public base URL (``CXLENS_PUBLIC_URL``); anything else that is not
an http(s) URL is dropped.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import jinja2

__all__ = ["absolute_link", "describe_item", "email_message", "slack_body", "webhook_body"]

MAX_ITEMS = 20  # in Slack and e-mail; the webhook body carries them all
_TOPIC_WORDS = {
    "alert": "Alert",
    "answer": "Feedback",
    "case_assigned": "Case assigned",
    "case_overdue": "Case overdue",
}


def absolute_link(link: Any, base_url: str) -> str | None:
    """``/alerts/12`` → ``{base_url}/alerts/12``; an http(s) URL as it is; anything else None."""
    if not isinstance(link, str) or not link:
        return None
    if link.startswith("/") and not link.startswith("//"):
        return base_url.rstrip("/") + link
    if re.match(r"https?://", link, re.I):
        return link
    return None


def _text(value: Any, limit: int | None = None) -> str:
    text = "" if value is None else str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _one_line(value: Any, limit: int) -> str:
    return _text(re.sub(r"\s+", " ", _text(value)).strip(), limit)


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def describe_item(item: dict[str, Any]) -> str:
    """The numbers of an alert item in one line: value (interval), n, baseline, p, q."""
    parts = []
    if item.get("value") is not None:
        value = _number(item["value"])
        if item.get("low") is not None and item.get("high") is not None:
            value += f" (95% CI {_number(item['low'])} to {_number(item['high'])})"
        parts.append(f"value {value}")
    for key in ("n", "baseline", "p", "q"):
        if item.get(key) is not None:
            parts.append(f"{key} {_number(item[key])}")
    if item.get("state"):
        parts.insert(0, str(item["state"]))
    return ", ".join(parts)


def _items(payload: dict[str, Any]) -> list[dict[str, Any]]:
    items = payload.get("items") or []
    return [i for i in items if isinstance(i, dict)]


def webhook_body(topic: str, payload: dict[str, Any], base_url: str, sent_at: datetime | None = None) -> dict[str, Any]:
    """The generic webhook's JSON: the payload with absolute links, its topic and the send time."""
    sent_at = sent_at or datetime.now(timezone.utc)
    items = []
    for item in _items(payload):
        item = dict(item)
        if "link" in item:
            item["link"] = absolute_link(item["link"], base_url)
        items.append(item)
    return {
        "type": f"cxlens.{topic}",
        "topic": topic,
        "title": _text(payload.get("title")),
        "summary": _text(payload.get("summary")),
        "link": absolute_link(payload.get("link"), base_url),
        "items": items,
        "sent_at": sent_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
    }


def slack_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn gives a meaning (links, mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(topic: str, payload: dict[str, Any], base_url: str) -> dict[str, Any]:
    """``text`` (the notification fallback) and ``blocks``: header, summary, one section per
    item (at most :data:`MAX_ITEMS`), and a button to the web app."""
    title = _one_line(payload.get("title") or _TOPIC_WORDS.get(topic, topic), 150)
    summary = _text(payload.get("summary"), 2900)
    link = absolute_link(payload.get("link"), base_url)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title, "emoji": False}}]
    if summary:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": summary, "emoji": False}})
    items = _items(payload)
    for item in items[:MAX_ITEMS]:
        item_title = slack_escape(_one_line(item.get("title") or item.get("rule") or "", 200))
        item_link = absolute_link(item.get("link"), base_url)
        if item_link and item_title:
            head = f"*<{slack_escape(item_link).replace('|', '%7C')}|{item_title}>*"
        else:
            head = f"*{item_title}*" if item_title else ""
        lines = [head] if head else []
        detail = describe_item(item)
        if item.get("summary"):
            lines.append(slack_escape(_text(item["summary"], 1500)))
        if detail:
            lines.append(slack_escape(detail))
        if lines:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _text("\n".join(lines), 2900)}})
    if len(items) > MAX_ITEMS:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "plain_text", "text": f"… and {len(items) - MAX_ITEMS} more", "emoji": False}],
            }
        )
    if link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Open in cxlens"}, "url": link[:3000]}
                ],
            }
        )
    text = title + (f": {_one_line(summary, 300)}" if summary else "")
    return {"text": slack_escape(text), "blocks": blocks}


_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

_HTML = _env.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ title }}</title></head>
<body style="margin:0;padding:16px;font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1a1a1a;background:#ffffff">
<p style="font-size:12px;color:#444;text-transform:uppercase;letter-spacing:.05em">{{ topic_word }}</p>
<h1 style="font-size:20px;line-height:1.3;margin:0 0 12px">{{ title }}</h1>
{% if summary %}<p style="font-size:15px;line-height:1.5;white-space:pre-wrap">{{ summary }}</p>{% endif %}
{% if items %}
<ul style="padding-left:20px">
{% for item in items %}
<li style="margin-bottom:10px">{% if item.link %}<a href="{{ item.link }}" style="color:#1f4e79;font-weight:600">{{ item.title }}</a>{% else %}<strong>{{ item.title }}</strong>{% endif %}
{% if item.summary %}<br><span style="white-space:pre-wrap">{{ item.summary }}</span>{% endif %}
{% if item.detail %}<br><span style="font-size:13px;color:#444">{{ item.detail }}</span>{% endif %}
</li>
{% endfor %}
</ul>
{% if more %}<p style="font-size:13px;color:#444">… and {{ more }} more</p>{% endif %}
{% endif %}
{% if link %}<p><a href="{{ link }}" style="display:inline-block;padding:10px 18px;background:#1f4e79;color:#ffffff;border-radius:6px;text-decoration:none">Open in cxlens</a></p>{% endif %}
<hr style="border:none;border-top:1px solid #ddd;margin:24px 0 8px">
<p style="font-size:12px;color:#444">Sent by cxlens. Admins see every notification and its delivery attempts under Alerts.</p>
</body></html>""")


def email_message(
    topic: str, payload: dict[str, Any], base_url: str, *, sender: str, to: list[str], msg_id: str | None = None
) -> EmailMessage:
    """The e-mail for one payload: subject ``[cxlens] title``, a text part and an HTML part."""
    title = _one_line(payload.get("title") or _TOPIC_WORDS.get(topic, topic), 200)
    summary = _text(payload.get("summary"), 10000)
    link = absolute_link(payload.get("link"), base_url)
    all_items = _items(payload)
    items = [
        {
            "title": _one_line(i.get("title") or i.get("rule") or "", 300),
            "summary": _text(i.get("summary"), 2000),
            "detail": describe_item(i),
            "link": absolute_link(i.get("link"), base_url),
        }
        for i in all_items[:MAX_ITEMS]
    ]
    more = max(0, len(all_items) - MAX_ITEMS)
    lines = [title, ""]
    if summary:
        lines += [summary, ""]
    for item in items:
        lines.append(f"- {item['title']}")
        lines += [f"  {line}" for line in (item["summary"].splitlines() if item["summary"] else [])]
        if item["detail"]:
            lines.append(f"  {item['detail']}")
        if item["link"]:
            lines.append(f"  {item['link']}")
    if more:
        lines.append(f"... and {more} more")
    if link:
        lines += ["", f"Open in cxlens: {link}"]
    lines += ["", "--", "Sent by cxlens."]
    msg = EmailMessage()
    msg["Subject"] = f"[cxlens] {title}"
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Message-ID"] = msg_id or make_msgid(domain="cxlens")
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Cxlens-Topic"] = topic
    msg.set_content("\n".join(lines))
    html = _HTML.render(
        title=title, summary=summary, items=items, more=more, link=link, topic_word=_TOPIC_WORDS.get(topic, topic)
    )
    msg.add_alternative(html, subtype="html")
    return msg
