"""The demo company's numbers: who its customers are, how its touchpoints feel, how support
answers, and how its surveys are sent and answered. The generator draws around these."""

from __future__ import annotations

import numpy as np

from .phrases import LANGUAGES

DAY_US = 86_400 * 1_000_000

# Customers' languages: every language the phrase bank writes, English the most common.
LOCALE_SHARE = {"en": 0.38, "de": 0.12, "es": 0.12, "fi": 0.09, "ru": 0.09, "zh": 0.12, "th": 0.08}
assert set(LOCALE_SHARE) == set(LANGUAGES)
LOCALES = np.array(list(LOCALE_SHARE))
LOCALE_P = np.array(list(LOCALE_SHARE.values()))
TIMEZONES = {
    "en": "America/New_York",
    "de": "Europe/Berlin",
    "es": "Europe/Madrid",
    "fi": "Europe/Helsinki",
    "ru": "Europe/Moscow",
    "zh": "Asia/Shanghai",
    "th": "Asia/Bangkok",
}
SEGMENTS = np.array(["smb", "mid-market", "enterprise", "consumer"])
SEGMENT_P = np.array([0.30, 0.15, 0.05, 0.50])
PLANS = np.array(["free", "basic", "pro", "team"])
PLAN_PRICE = np.array([0.0, 9.0, 19.0, 49.0])  # monthly Trail+ subscription
PERSONAS = np.array(["weekend-hiker", "climber", "family-camper", "pro-guide"])
CHURN_REASONS_BAD = np.array(["poor support", "product quality", "late deliveries", "app too slow", "billing problems"])
CHURN_REASONS_OTHER = np.array(["too expensive", "switched to a competitor", "no longer needed"])

# Perception by touchpoint, on the latent scale (0 = average experience).
TOUCHPOINT_EFFECT = {
    "delivery": -0.15,
    "support-phone": 0.25,
    "support-chat": 0.1,
    "support-email": -0.2,
    "checkout": 0.2,
    "account-setup": -0.1,
    "webinar": 0.15,
    "onboarding-call": 0.3,
    "renewal-payment": -0.25,
    "first-use": 0.0,
}
SURVEY_WEIGHTS = {
    "relationship-nps": 0.26,
    "checkout-ces": 0.14,
    "delivery-csat": 0.14,
    "support-csat": 0.2,
    "onboarding-csat": 0.06,
    "setup-ces": 0.08,
    "webinar-csat": 0.04,
    "renewal-nps": 0.08,
}
SUPPORT_CHANNELS = {"support-chat": "chat", "support-email": "email", "support-phone": "phone"}
# First reply and resolution: log-normal medians in seconds per channel (skewed, as in life).
FIRST_REPLY_MEDIAN = {"chat": 90.0, "email": 3 * 3600.0, "phone": 45.0}
RESOLUTION_MEDIAN = {"chat": 1800.0, "email": 20 * 3600.0, "phone": 900.0}
TEAMS = np.array(["support-tier1", "support-tier2", "billing"])
REVIEW_SOURCES = np.array(["trustpilot", "app-store", "google-play", "g2"])
SOCIAL_SOURCES = np.array(["x", "reddit", "facebook"])
SUPPORT_SHARE = np.array([0.45, 0.35, 0.2])  # of support contacts, by SUPPORT_CHANNELS
# How long after the thing it is about an answer comes: log-normal, median seconds and sigma.
ANSWER_LAG = (20 * 3600.0, 1.0)  # after a journey event: mostly a few hours to a few days
SUPPORT_ANSWER_LAG = (2 * 3600.0, 1.2)  # after a ticket was solved (the CSAT mail goes out then)
# An answer that would come after the customer's active life (churn or ``end``) does not exist
# yet: it is redrawn (another event, another lag) this many times, then squeezed into the room.
REDRAWS = 20
# The store's data: what the demo writes, and what ``reset`` deletes (children first). Kept:
# the journey map (load_surveys upserts it), users, API keys, the import log, and the alerting
# set-up (alert rules, notifiers, settings). Alerts, checks, notifications, cases and teams go.
LOOP_TABLES = (
    "cases",
    "case_events",
    "team_members",
    "alerts",
    "alert_events",
    "alert_checks",
    "notifications",
    "deliveries",
)
DATA_TABLES = (
    "customers",
    "events",
    "invitations",
    "responses",
    "tickets",
    "mentions",
    "revenue",
    "feature_requests",
    "opt_outs",
    *LOOP_TABLES,
)
COLLECTION_DAYS = 60
# Answered ÷ sent per survey: short transactional surveys get more answers than relationship NPS.
RESPONSE_RATE = {
    "relationship-nps": 0.22,
    "checkout-ces": 0.35,
    "delivery-csat": 0.31,
    "support-csat": 0.42,
    "onboarding-csat": 0.48,
    "setup-ces": 0.33,
    "webinar-csat": 0.27,
    "renewal-nps": 0.2,
}
# Invitations skipped, per reason, as a share of those sent; pending ones as a share too.
SKIPPED_SHARE = {"fatigue": 0.08, "opted_out": 0.015, "too_late": 0.004}
PENDING_SHARE = 0.01
TRIGGER_DELAY = {"support-csat": 3600.0}  # seconds after the event; the others: a day
DEFAULT_DELAY = 86_400.0
