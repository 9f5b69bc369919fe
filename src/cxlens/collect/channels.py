"""How invitations reach people: e-mail over SMTP, SMS through a sender interface.

E-mail carries a text and an HTML part in the customer's language; for a scored survey each
score is a link (``/s/TOKEN?score=N``), so answering is one click. ``List-Unsubscribe`` (with
RFC 8058 one-click ``List-Unsubscribe-Post``) points at ``/u/TOKEN``.

SMS has no gateway built in: anything with ``send(to, text)`` is an :class:`SmsSender`.
:class:`RecordingSmsSender` is the documented test double: it keeps what would have been sent,
so a test (or a dry run) can read the messages back::

    sms = RecordingSmsSender()
    send_due(collection, {"sms": sms})
    sms.messages[0].to, sms.messages[0].text
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol, runtime_checkable

import jinja2

from ..errors import SendFailed
from .policy import SmtpSettings
from .surveys import SurveyDefinition

__all__ = [
    "EmailSender",
    "RecordingEmailSender",
    "RecordingSmsSender",
    "Sender",
    "SentSms",
    "SmsSender",
    "compose_email",
    "compose_sms",
]


@dataclass(frozen=True)
class Recipient:
    name: str | None
    email: str | None
    phone: str | None


@runtime_checkable
class Sender(Protocol):
    """Something that delivers one composed invitation (an e-mail or a text)."""

    def send(self, to: str, message) -> None: ...


@runtime_checkable
class SmsSender(Protocol):
    def send(self, to: str, message: str) -> None: ...


class EmailSender:
    """Sends over SMTP, one connection per call (invitations go out in small batches)."""

    def __init__(self, settings: SmtpSettings, timeout: float = 30.0):
        self.settings = settings
        self.timeout = timeout

    def send(self, to: str, message: EmailMessage) -> None:
        st = self.settings
        try:
            with smtplib.SMTP(st.host, st.port, timeout=self.timeout) as smtp:
                if st.starttls:
                    smtp.starttls()
                if st.username:
                    smtp.login(st.username, st.password or "")
                smtp.send_message(message, to_addrs=[to])
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(
                f"SMTP {st.host}:{st.port} did not take the e-mail to {to}: {exc}; "
                "check CXLENS_SMTP_HOST/PORT and that the server accepts mail from cxlens"
            ) from exc


@dataclass(frozen=True)
class SentSms:
    to: str
    text: str


@dataclass
class RecordingSmsSender:
    """The SMS test double: records instead of sending. ``fail_for`` lists numbers to refuse
    (raising :class:`SendFailed`), to exercise failure handling."""

    messages: list[SentSms] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)

    def send(self, to: str, message: str) -> None:
        if to in self.fail_for:
            raise SendFailed(f"the SMS gateway refused {to}")
        self.messages.append(SentSms(to, message))


@dataclass
class RecordingEmailSender:
    """Keeps composed e-mails instead of sending them (for dry runs and fast tests)."""

    messages: list[EmailMessage] = field(default_factory=list)

    def send(self, to: str, message: EmailMessage) -> None:
        self.messages.append(message)


_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

_HTML = _env.from_string("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ subject }}</title></head>
<body style="margin:0;padding:16px;font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1a1a1a;background:#ffffff">
<p style="font-size:16px;line-height:1.5">{{ intro }}</p>
<p style="font-size:18px;font-weight:600;line-height:1.4">{{ question }}</p>
{% if scores %}
<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:separate;border-spacing:4px"><tr>
{% for n, url in scores %}<td><a href="{{ url }}" style="display:inline-block;min-width:36px;padding:10px 0;text-align:center;border:1px solid #1f4e79;border-radius:6px;color:#1f4e79;text-decoration:none;font-size:16px;font-weight:600" aria-label="{{ n }}">{{ n }}</a></td>{% endfor %}
</tr></table>
<p style="font-size:13px;color:#444">{{ low }} ← → {{ high }}</p>
{% else %}
<p><a href="{{ link }}" style="display:inline-block;padding:12px 20px;background:#1f4e79;color:#ffffff;border-radius:6px;text-decoration:none">{{ question }}</a></p>
{% endif %}
<hr style="border:none;border-top:1px solid #ddd;margin:24px 0 8px">
<p style="font-size:12px;color:#444">{{ footer }} <a href="{{ unsubscribe }}" style="color:#1f4e79">{{ unsubscribe_text }}</a></p>
</body></html>""")


def compose_email(
    survey: SurveyDefinition,
    language: str,
    recipient: Recipient,
    sender: str,
    link: str,
    score_links: list[tuple[int, str]],
    unsubscribe: str,
) -> EmailMessage:
    """The invitation e-mail: text and HTML parts, localised, with one link per score."""
    t = survey.text
    subject = t("email_subject", language)
    name = recipient.name or ""
    intro = t("email_intro", language, name=name).replace(" ,", ",").replace("  ", " ")
    question = survey.question_text(language)
    low, high = t(f"low.{survey.metric}", language), t(f"high.{survey.metric}", language)
    lines = [intro, "", question, ""]
    if score_links:
        lines += [f"  {n}: {url}" for n, url in score_links]
        lines += ["", f"({score_links[0][0]} = {low}, {score_links[-1][0]} = {high})"]
    else:
        lines.append(link)
    lines += ["", "--", t("email_footer", language), f"{t('unsubscribe', language)}: {unsubscribe}"]
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = formataddr((name, recipient.email or ""))
    msg["Message-ID"] = make_msgid(domain="cxlens")
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content("\n".join(lines))
    html = _HTML.render(
        lang=language,
        subject=subject,
        intro=intro,
        question=question,
        scores=score_links,
        low=low,
        high=high,
        link=link,
        footer=t("email_footer", language),
        unsubscribe=unsubscribe,
        unsubscribe_text=t("unsubscribe", language),
    )
    msg.add_alternative(html, subtype="html")
    msg["Content-Language"] = language  # after the parts: set_content() drops Content-* headers
    return msg


def compose_sms(survey: SurveyDefinition, language: str, link: str) -> str:
    return survey.text("sms", language, link=link)
