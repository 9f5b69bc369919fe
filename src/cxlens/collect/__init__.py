"""collect/ — feedback collection: survey definitions, signed links, invitations, triggers and
channels (DESIGN.md §3, the survey part of the ingest layer). The web pages in
``cxlens.web.survey_pages`` and the CLI call these functions."""

from .channels import (
    EmailSender,
    RecordingEmailSender,
    RecordingSmsSender,
    SentSms,
    SmsSender,
    compose_email,
    compose_sms,
)
from .invitations import Collection, InvitationView
from .policy import CollectionPolicy, ManualClock, SmtpSettings, policy_from_env, system_clock
from .surveys import (
    Question,
    SurveyCatalog,
    SurveyDefinition,
    Trigger,
    choose_language,
    load_surveys,
    survey_definition,
)
from .tokens import InvitationClaim, OpenFormClaim, Signer, load_secret
from .triggers import REASONS, SendReport, plan_invitations, response_rates, send_due

__all__ = [
    "REASONS",
    "Collection",
    "CollectionPolicy",
    "EmailSender",
    "InvitationClaim",
    "InvitationView",
    "ManualClock",
    "OpenFormClaim",
    "Question",
    "RecordingEmailSender",
    "RecordingSmsSender",
    "SendReport",
    "SentSms",
    "Signer",
    "SmsSender",
    "SmtpSettings",
    "SurveyCatalog",
    "SurveyDefinition",
    "Trigger",
    "choose_language",
    "compose_email",
    "compose_sms",
    "load_secret",
    "load_surveys",
    "plan_invitations",
    "policy_from_env",
    "response_rates",
    "send_due",
    "survey_definition",
    "system_clock",
]
