"""Survey definitions: what a survey asks, in which languages, and when it is sent.

The survey's basics (key, name, metric, scale, touchpoint) live in the ``surveys`` table and are
loaded by the journeys file (:mod:`cxlens.ingest.journeys`), which keeps the rest of the YAML in
``surveys.definition``. This module reads that definition into a :class:`SurveyDefinition` and
checks the parts collection gives meaning to::

    surveys:
      - key: support-csat
        name: Support satisfaction
        metric: csat                     # the scored question; nps | csat | ces | text
        touchpoint: support-chat
        languages: [en, fi]              # the first is the fallback
        texts:                           # override any built-in text (see collect/wording.yaml)
          en: {thank_you: "Thanks, we read every answer."}
        questions:                       # asked after the score (default: one open follow-up)
          - key: comment                 # "comment" fills the response's comment column
            type: text
            text: {en: "What could we do better?", fi: "Mitä voisimme tehdä paremmin?"}
            low_text: {en: "What went wrong?", fi: "Mikä meni vikaan?"}   # for low scores
          - key: topic
            type: single                 # single | multiple | text | nps | csat | ces
            when: 1-3                    # only for these scores
            options: [{key: speed, text: {en: Speed, fi: Nopeus}}]
        trigger: {touchpoint: support-chat, after: 1h, channel: email}
        channels: [email, widget]
        fatigue_days: 30                 # overrides the global contact limit for this survey
        sampling: 0.5
        widget: {origins: ["https://shop.example.com"]}   # the origins the widget answers

The journeys loader checks all of that (:mod:`.survey_checks` registers the checks with it), so
a survey file is a journeys file: :func:`load_surveys` is :func:`cxlens.ingest.load_journeys`,
which ``cxlens surveys load``, ``cxlens journeys load`` and ``POST /api/surveys`` go through.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..errors import UnknownSurvey
from ..ingest.journeys import load_journey_data, load_journeys
from ..metrics import SCALES, parse_duration
from ..store import Store
from ..store import schema as s
from .survey_checks import QUESTION_TYPES, quiet_hours, score_range
from .wording import BUILTIN_TEXTS

__all__ = [
    "QUESTION_TYPES",
    "Option",
    "Question",
    "SurveyCatalog",
    "SurveyDefinition",
    "Trigger",
    "choose_language",
    "load_survey_data",
    "load_surveys",
    "low_scores",
    "survey_definition",
]


@dataclass(frozen=True)
class Option:
    key: str
    text: dict[str, str]


@dataclass(frozen=True)
class Question:
    """One question after the scored one. ``when`` limits it to a score range (inclusive);
    ``low_text`` replaces ``text`` for low scores (the detractor's "what went wrong?")."""

    key: str
    type: str
    text: dict[str, str]
    low_text: dict[str, str] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    when: tuple[int, int] | None = None
    scale: tuple[int, int] | None = None

    def applies(self, score: int | None) -> bool:
        if self.when is None:
            return True
        return score is not None and self.when[0] <= score <= self.when[1]


@dataclass(frozen=True)
class Trigger:
    """When an event happens at ``touchpoint``, invite after ``after_seconds`` on ``channel``."""

    touchpoint: str
    after_seconds: float = 0.0
    channel: str = "email"
    quiet_hours: tuple[int, int] | None = None  # None: the policy's default


@dataclass(frozen=True)
class SurveyDefinition:
    id: int
    key: str
    name: str
    metric: str
    scale: tuple[int, int] | None
    touchpoint_id: int | None
    questions: tuple[Question, ...]
    languages: tuple[str, ...]
    texts: dict[str, dict[str, str]]
    trigger: Trigger | None
    channels: tuple[str, ...]
    fatigue_days: int | None
    sampling: float
    origins: tuple[str, ...]

    @property
    def scored(self) -> bool:
        return self.metric in SCALES

    def title(self, language: str) -> str:
        """The survey's heading in ``language``: its own ``title`` text, else its name when that
        is the survey's first language (the name is written in it), else the built-in title."""
        own = self.texts.get(language, {}).get("title")
        if own:
            return own
        if language == self.languages[0]:
            return self.name
        return BUILTIN_TEXTS.get(language.split("-")[0], {}).get("title") or self.name

    def text(self, text_key: str, language: str, **values: Any) -> str:
        """A text in ``language``: the survey's own, else built-in, else the fallback language's.
        ``{subject}`` is the survey's title in ``language``, never its name in another language."""
        for lang in (language, self.languages[0], "en"):
            found = self.texts.get(lang, {}).get(text_key) or BUILTIN_TEXTS.get(lang, {}).get(text_key)
            if found:
                # str.replace, not format(): survey authors' own braces must not break a page.
                for name_, value in {"subject": self.title(language), **values}.items():
                    found = found.replace("{" + name_ + "}", str(value))
                return found
        return text_key

    def question_text(self, language: str) -> str:
        """The scored question: the survey's own in ``language``, else the built-in one in it.
        (The loader refuses an own question missing a language the survey lists; a survey stored
        before that check gets the built-in wording rather than another language's.)"""
        own = self.texts.get(language, {}).get("question")
        return own or self.text(f"question.{self.metric}", language)

    def wording(self, texts: dict[str, str], language: str) -> str:
        """A question's or option's own text in ``language`` (``*``: one text for all)."""
        for lang in (language, "*", self.languages[0], "en"):
            if texts.get(lang):
                return texts[lang]
        return next(iter(texts.values()), "")

    def question_wording(self, question: Question, language: str, score: int | None) -> str:
        """What ``question`` asks in ``language`` after ``score`` (its low text for a low score)."""
        low = self.is_low(score) and bool(question.low_text)
        return self.wording(question.low_text if low else question.text, language)

    def follow_ups(self, score: int | None) -> list[Question]:
        return [q for q in self.questions if q.applies(score)]

    def is_low(self, score: int | None) -> bool:
        if score is None or not self.scored:
            return False
        low, high = low_scores(self.metric, self.scale)
        return low <= score <= high

    def language_for(self, *wanted: str | None) -> str:
        return choose_language([w for w in wanted if w], self.languages)


def low_scores(metric: str, scale: tuple[int, int] | None) -> tuple[int, int]:
    """The scores that count as bad news (DESIGN.md §5): NPS detractors 0–6; CSAT below the
    top two boxes; CES below "agree" (5–7 of 1–7, 4–5 of 1–5)."""
    low, high = scale or SCALES[metric][0]
    if metric == "nps":
        return (0, 6)
    if metric == "csat":
        return (low, max(low, high - 2))
    return (low, 4 if high == 7 else 3)


def choose_language(wanted: list[str], available: tuple[str, ...] | list[str]) -> str:
    """The first of ``wanted`` (locales such as ``fi-FI`` or Accept-Language tags) that the survey
    speaks, matching the exact tag first, then its primary language; else the survey's first."""
    for tag in wanted:
        tag = tag.strip().replace("_", "-")
        if not tag:
            continue
        if tag in available:
            return tag
        primary = tag.split("-")[0].lower()
        if primary in available:
            return primary
    return available[0]


def _default_questions(metric: str) -> tuple[Question, ...]:
    if metric == "text":
        return (Question("comment", "text", {k: v["question.text"] for k, v in BUILTIN_TEXTS.items()}),)
    return (
        Question(
            "comment",
            "text",
            {k: v["follow_up"] for k, v in BUILTIN_TEXTS.items()},
            {k: v["follow_up_low"] for k, v in BUILTIN_TEXTS.items()},
        ),
    )


def survey_definition(row: Any) -> SurveyDefinition:
    """A stored survey (a ``surveys`` row mapping) as a definition. Assumes the definition was
    checked on load; falls back to defaults for anything missing."""
    d = row["definition"] or {}
    metric = row["metric"]
    scale = (row["scale_min"], row["scale_max"]) if row["scale_min"] is not None else None
    questions = tuple(_question(q) for q in d.get("questions") or ()) or _default_questions(metric)
    trig = d.get("trigger") or None
    trigger = None
    if trig and trig.get("touchpoint"):
        trigger = Trigger(
            touchpoint=trig["touchpoint"],
            after_seconds=parse_duration(trig.get("after", 0)) or 0.0,
            channel=trig.get("channel", "email"),
            quiet_hours=quiet_hours(trig.get("quiet_hours")),
        )
    return SurveyDefinition(
        id=row["id"],
        key=row["key"],
        name=row["name"],
        metric=metric,
        scale=scale,
        touchpoint_id=row["touchpoint_id"],
        questions=questions,
        languages=tuple(d.get("languages") or ("en",)),
        texts=d.get("texts") or {},
        trigger=trigger,
        channels=tuple(d.get("channels") or ("email", "web")),
        fatigue_days=d.get("fatigue_days"),
        sampling=float(d.get("sampling", 1.0)),
        origins=tuple((d.get("widget") or {}).get("origins") or ()),
    )


def _question(q: dict) -> Question:
    return Question(
        key=q["key"],
        type=q.get("type", "text"),
        text=_localised(q.get("text")),
        low_text=_localised(q.get("low_text")),
        options=tuple(Option(o["key"], _localised(o.get("text", o["key"]))) for o in q.get("options") or ()),
        when=score_range(q.get("when")),
        scale=score_range(q.get("scale")) or (SCALES[q["type"]][0] if q.get("type") in SCALES else None),
    )


def _localised(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"*": str(value)}  # one text for every language


#: The journeys loader: a surveys file is a journeys file, and every check applies to both.
load_surveys = load_journeys

#: The journeys loader for parsed data (what a surveys file or ``POST /api/surveys`` holds).
load_survey_data = load_journey_data


class SurveyCatalog:
    """Survey definitions by key and id, read once and re-read after ``ttl`` seconds (or on a
    miss), so a survey page costs no query for its definition."""

    def __init__(self, store: Store, ttl: float = 30.0):
        self.store = store
        self.ttl = ttl
        self._by_key: dict[str, SurveyDefinition] = {}
        self._by_id: dict[int, SurveyDefinition] = {}
        self._loaded = 0.0
        self._lock = threading.Lock()

    def reload(self) -> None:
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(s.surveys)).mappings().all()
        defs = [survey_definition(r) for r in rows]
        with self._lock:
            self._by_key = {d.key: d for d in defs}
            self._by_id = {d.id: d for d in defs}
            self._loaded = time.monotonic()

    def _fresh(self) -> None:
        if time.monotonic() - self._loaded > self.ttl:
            self.reload()

    def all(self) -> list[SurveyDefinition]:
        self._fresh()
        return list(self._by_key.values())

    def by_key(self, key: str) -> SurveyDefinition:
        self._fresh()
        if key not in self._by_key:
            self.reload()
        try:
            return self._by_key[key]
        except KeyError:
            known = ", ".join(sorted(self._by_key)) or "(none: load a surveys file with `cxlens surveys load FILE`)"
            raise UnknownSurvey(f"no survey has the key {key!r}; known surveys: {known}") from None

    def by_id(self, survey_id: int) -> SurveyDefinition:
        self._fresh()
        if survey_id not in self._by_id:
            self.reload()
        try:
            return self._by_id[survey_id]
        except KeyError:
            raise UnknownSurvey(f"no survey has the id {survey_id}") from None
