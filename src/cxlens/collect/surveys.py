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

:func:`load_surveys` checks all of that and then loads the file through the journeys loader, so a
survey file is also a valid journeys file. ``cxlens surveys load`` and ``cxlens journeys load``
both load through it; only the Python ``cxlens.ingest.load_journeys``, which knows nothing of
collection, refuses ``widget`` and skips these checks.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from ..errors import JourneyFileError, UnknownSurvey
from ..ingest.journeys import LoadResult, load_journeys, parse_journeys
from ..metrics import SCALES, parse_duration
from ..store import Store
from ..store import schema as s
from .wording import BUILTIN_TEXTS, TEXT_KEYS

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

QUESTION_TYPES = ("text", "single", "multiple", "nps", "csat", "ces")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
_TRIGGER_CHANNELS = ("email", "sms")


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

    def text(self, text_key: str, language: str, **values: Any) -> str:
        """A text in ``language``: the survey's own, else built-in, else the fallback language's."""
        for lang in (language, self.languages[0], "en"):
            found = self.texts.get(lang, {}).get(text_key) or BUILTIN_TEXTS.get(lang, {}).get(text_key)
            if found:
                # str.replace, not format(): survey authors' own braces must not break a page.
                for name_, value in {"subject": self.name, **values}.items():
                    found = found.replace("{" + name_ + "}", str(value))
                return found
        return text_key

    def question_text(self, language: str) -> str:
        own = self.texts.get(language, {}).get("question") or self.texts.get(self.languages[0], {}).get("question")
        return own or self.text(f"question.{self.metric}", language)

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
            quiet_hours=_hours(trig.get("quiet_hours")),
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
        when=_range(q.get("when")),
        scale=_range(q.get("scale")) or (SCALES[q["type"]][0] if q.get("type") in SCALES else None),
    )


def _localised(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"*": str(value)}  # one text for every language


def _range(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    found = re.fullmatch(r"\s*(\d+)\s*(?:-|\.\.)\s*(\d+)\s*", str(value))
    if not found:
        return None
    low, high = int(found.group(1)), int(found.group(2))
    return (low, high) if low <= high else None


def _hours(value: Any) -> tuple[int, int] | None:
    found = _range(value) if value is not None else None
    if value is not None and found is None:
        # "21-8" wraps past midnight, which _range refuses as low > high.
        m = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", str(value))
        found = (int(m.group(1)), int(m.group(2))) if m else None
    if found and all(0 <= h <= 24 for h in found):
        return found
    return None


# -- checking -------------------------------------------------------------------------------


def check_collection(obj: dict, path: str) -> list[str]:
    """Problems (``path: message``) in the collection fields of one survey's YAML."""
    problems: list[str] = []
    metric = obj.get("metric")
    languages = obj.get("languages") or ["en"]
    if isinstance(languages, list):
        for n, lang in enumerate(languages):
            if not isinstance(lang, str) or not _LANG.match(lang):
                problems.append(f"{path}.languages[{n}]: {lang!r} is not a language code; write e.g. en, fi or pt-BR")
    else:
        languages = ["en"]  # the journeys checker reports it
    texts = obj.get("texts")
    if texts is not None:
        problems += _check_texts(texts, languages, f"{path}.texts")
    for lang in languages:
        if isinstance(lang, str) and lang.split("-")[0] not in BUILTIN_TEXTS:
            given = (texts or {}).get(lang) if isinstance(texts, dict) else None
            missing = [k for k in _REQUIRED_OWN if not (isinstance(given, dict) and given.get(k))]
            if missing:
                problems.append(
                    f"{path}.texts.{lang}: cxlens has no built-in {lang!r} wording; give {', '.join(missing)} "
                    f"(built-in languages: {', '.join(BUILTIN_TEXTS)})"
                )
    questions = obj.get("questions")
    if questions is not None:
        problems += _check_questions(questions, metric, f"{path}.questions")
    trigger = obj.get("trigger")
    if isinstance(trigger, dict):
        problems += _check_trigger(trigger, f"{path}.trigger")
    widget = obj.get("widget")
    if widget is not None:
        problems += _check_widget(widget, f"{path}.widget")
    return problems


# Without built-in wording, a language needs at least what every page and e-mail shows.
_REQUIRED_OWN = ("question", "follow_up", "submit", "thank_you", "email_subject", "email_intro", "unsubscribe")


def _check_texts(texts: Any, languages: list, path: str) -> list[str]:
    if not isinstance(texts, dict):
        return [f"{path}: expected languages mapped to texts, e.g. en: {{thank_you: Thanks!}}"]
    problems = []
    for lang, entries in texts.items():
        if lang not in languages:
            problems.append(f"{path}.{lang}: {lang!r} is not in the survey's languages {languages}; add it there or remove these texts")
        if not isinstance(entries, dict):
            problems.append(f"{path}.{lang}: expected text names mapped to texts, e.g. thank_you: Thanks!")
            continue
        known = set(TEXT_KEYS) | {"question", "title", "intro"}
        for name, value in entries.items():
            if name not in known:
                problems.append(f"{path}.{lang}.{name}: is not a text cxlens shows; known: {', '.join(sorted(known))}")
            elif not isinstance(value, str):
                problems.append(f"{path}.{lang}.{name}: expected text, got {value!r}")
    return problems


def _check_questions(questions: Any, metric: Any, path: str) -> list[str]:
    if not isinstance(questions, list):
        return [f"{path}: expected a list of questions"]
    problems: list[str] = []
    seen: set[str] = set()
    for n, q in enumerate(questions):
        where = f"{path}[{n}]"
        if not isinstance(q, dict):
            problems.append(f"{where}: expected a mapping with key, type and text")
            continue
        unknown = set(q) - {"key", "type", "text", "low_text", "options", "when", "scale"}
        problems += [f"{where}.{u}: is not a question field (known: key, type, text, low_text, options, when, scale)" for u in sorted(unknown)]
        key = q.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(f"{where}.key: {key!r} is not a key; use lower-case letters, digits, - and _")
        elif key in seen or key == "score":
            problems.append(f"{where}.key: {key!r} is used twice (or is the reserved 'score'); keys must be unique")
        else:
            seen.add(key)
        qtype = q.get("type", "text")
        if qtype not in QUESTION_TYPES:
            problems.append(f"{where}.type: {qtype!r} is not a question type; use one of {', '.join(QUESTION_TYPES)}")
        if not isinstance(q.get("text"), (str, dict)) or not q.get("text"):
            problems.append(f"{where}.text: is missing; write the question, or one per language (en: ..., fi: ...)")
        if qtype in ("single", "multiple"):
            options = q.get("options")
            if not isinstance(options, list) or not options:
                problems.append(f"{where}.options: a {qtype} question needs a list of options, e.g. [{{key: price, text: Price}}]")
            else:
                for m, o in enumerate(options):
                    if not isinstance(o, dict) or not isinstance(o.get("key"), str) or not _KEY.match(o["key"]):
                        problems.append(f"{where}.options[{m}]: expected {{key: a-key, text: ...}}")
        elif "options" in q:
            problems.append(f"{where}.options: only single and multiple questions have options")
        if "when" in q and _range(q["when"]) is None:
            problems.append(f"{where}.when: {q['when']!r} is not a score range; write e.g. 0-6 or 9-10")
        elif "when" in q and metric not in SCALES:
            problems.append(f"{where}.when: a {metric} survey has no score to depend on; remove when")
        if "scale" in q and (qtype not in SCALES or _range(q["scale"]) not in SCALES[qtype]):
            problems.append(f"{where}.scale: {q['scale']!r} is not a scale of a {qtype} question")
    return problems


def _check_trigger(trigger: dict, path: str) -> list[str]:
    problems = []
    if "touchpoint" not in trigger:
        problems.append(f"{path}.touchpoint: is missing; a trigger says which touchpoint's events invite")
    channel = trigger.get("channel", "email")
    if channel not in _TRIGGER_CHANNELS:
        problems.append(f"{path}.channel: {channel!r} cannot send invitations; use email or sms")
    if "quiet_hours" in trigger and _hours(trigger["quiet_hours"]) is None:
        problems.append(f"{path}.quiet_hours: {trigger['quiet_hours']!r} is not hours; write e.g. 21-8 (21:00 to 08:00)")
    unknown = set(trigger) - {"touchpoint", "after", "channel", "quiet_hours"}
    problems += [f"{path}.{u}: is not a trigger field (known: touchpoint, after, channel, quiet_hours)" for u in sorted(unknown)]
    return problems


def _check_widget(widget: Any, path: str) -> list[str]:
    if not isinstance(widget, dict) or set(widget) - {"origins"}:
        return [f"{path}: expected {{origins: [https://shop.example.com]}}"]
    origins = widget.get("origins") or []
    if not isinstance(origins, list):
        return [f"{path}.origins: expected a list of origins such as https://shop.example.com"]
    return [
        f"{path}.origins[{n}]: {o!r} is not an origin; write scheme://host[:port] with no path, e.g. https://shop.example.com"
        for n, o in enumerate(origins)
        if not isinstance(o, str) or not _ORIGIN.match(o)
    ]


# -- loading --------------------------------------------------------------------------------


def load_surveys(store: Store, path: str | Path) -> LoadResult:
    """Check a surveys (or journeys) YAML file, collection fields included, and load it.

    Every problem of the file is reported at once; nothing is written unless all is valid."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        from ..ingest.journeys import read_journey_map

        read_journey_map(path)  # raises the journeys loader's clear error for the file
        raise
    return load_survey_data(store, data, str(path))


def load_survey_data(store: Store, data: Any, source: str = "(surveys)") -> LoadResult:
    """Check and load parsed survey data (what a surveys file or ``POST /api/surveys`` holds)."""
    problems: list[str] = []
    widgets: dict[str, Any] = {}
    if isinstance(data, dict) and isinstance(data.get("surveys"), list):
        data = {**data, "surveys": [dict(raw) if isinstance(raw, dict) else raw for raw in data["surveys"]]}
        for n, raw in enumerate(data["surveys"]):
            if isinstance(raw, dict):
                problems += check_collection(raw, f"surveys[{n}]")
                if "widget" in raw:
                    widgets[str(raw.get("key"))] = raw.pop("widget")
    try:
        jmap = parse_journeys(data, source)
    except JourneyFileError as exc:
        raise JourneyFileError(source, exc.problems + problems) from None
    if problems:
        raise JourneyFileError(source, problems)
    for survey in jmap.surveys:
        if survey.key in widgets:
            survey.definition["widget"] = widgets[survey.key]
    try:
        return load_journeys(store, jmap)
    except JourneyFileError as exc:
        # The loader names a parsed map "(journeys)"; say which file the bad reference is in.
        raise JourneyFileError(source, exc.problems) from None


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
