"""Collection's checks of the surveys in a journeys (or surveys) file: languages and wording,
questions, trigger and widget. They are registered with the journeys loader (one loader checks
everything a file holds), and report each problem as ``path: message``."""

from __future__ import annotations

import re
from typing import Any

from ..ingest.journeys import register_check
from ..metrics import SCALES
from .wording import BUILTIN_TEXTS, TEXT_KEYS

__all__ = ["QUESTION_TYPES", "check_collection", "quiet_hours", "score_range"]

QUESTION_TYPES = ("text", "single", "multiple", "nps", "csat", "ces")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
_TRIGGER_CHANNELS = ("email", "sms")


def score_range(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    found = re.fullmatch(r"\s*(\d+)\s*(?:-|\.\.)\s*(\d+)\s*", str(value))
    if not found:
        return None
    low, high = int(found.group(1)), int(found.group(2))
    return (low, high) if low <= high else None


def quiet_hours(value: Any) -> tuple[int, int] | None:
    found = score_range(value) if value is not None else None
    if value is not None and found is None:
        # "21-8" wraps past midnight, which score_range refuses as low > high.
        m = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", str(value))
        found = (int(m.group(1)), int(m.group(2))) if m else None
    if found and all(0 <= h <= 24 for h in found):
        return found
    return None


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
    listed = [lang for lang in languages if isinstance(lang, str)]
    problems += _missing_own_texts(obj.get("key"), texts, listed, path)
    if isinstance(questions, list):
        problems += _missing_question_texts(obj.get("key"), questions, listed, f"{path}.questions")
    trigger = obj.get("trigger")
    if isinstance(trigger, dict):
        problems += _check_trigger(trigger, f"{path}.trigger")
    widget = obj.get("widget")
    if widget is not None:
        problems += _check_widget(widget, f"{path}.widget")
    return problems


# Without built-in wording, a language needs at least what every page and e-mail shows.
_REQUIRED_OWN = ("title", "question", "follow_up", "submit", "thank_you", "email_subject", "email_intro", "unsubscribe")


# Own texts with no built-in counterpart of the same meaning: one given in a language must be
# given in every language, or the pages in the others would say something else.
_OWN_EVERYWHERE = ("question", "title", "intro")


def _missing_own_texts(survey: Any, texts: Any, languages: list[str], path: str) -> list[str]:
    if not isinstance(texts, dict):
        return []
    problems = []
    for name in _OWN_EVERYWHERE:
        given = [lang for lang in languages if isinstance(texts.get(lang), dict) and texts[lang].get(name)]
        for lang in languages:
            if given and lang not in given:
                problems.append(
                    f"{path}.texts.{lang}.{name}: survey {survey!r} lists language {lang!r} but writes its "
                    f"{name} only in {', '.join(given)}; write the {lang} {name} too, or remove {lang} from languages"
                )
    return problems


def _missing_question_texts(survey: Any, questions: list, languages: list[str], path: str) -> list[str]:
    """Every listed language needs its own text of every question and option: falling back to
    another language would put two languages on one page."""
    problems = []
    for n, q in enumerate(questions):
        if not isinstance(q, dict):
            continue
        name = q.get("key")
        parts = [(f"{path}[{n}]", "text", q.get("text"), f"question {name!r}")]
        if q.get("low_text") is not None:
            parts.append((f"{path}[{n}]", "low_text", q.get("low_text"), f"question {name!r}"))
        for m, o in enumerate(q.get("options") or ()):
            if isinstance(o, dict):
                option = f"question {name!r}, option {o.get('key')!r}"
                parts.append((f"{path}[{n}].options[{m}]", "text", o.get("text"), option))
        for where, field, value, what in parts:
            problems += _per_language(survey, what, value, languages, f"{where}.{field}")
    return problems


def _per_language(survey: Any, what: str, value: Any, languages: list[str], path: str) -> list[str]:
    if isinstance(value, dict):
        return [
            f"{path}.{lang}: survey {survey!r}, {what} has no {lang!r} text; write one for every language "
            f"the survey lists ({', '.join(languages)}), or remove {lang} from languages"
            for lang in languages
            if not value.get(lang)
        ]
    if len(languages) > 1 and (value is None or isinstance(value, str)):
        # A missing option text shows its key; one plain text is one language for all of them.
        return [
            f"{path}: survey {survey!r}, {what} has one text for languages {', '.join(languages)}; "
            f"write it per language, e.g. {{{languages[0]}: ..., {languages[1]}: ...}}"
        ]
    return []


def _check_texts(texts: Any, languages: list, path: str) -> list[str]:
    if not isinstance(texts, dict):
        return [f"{path}: expected languages mapped to texts, e.g. en: {{thank_you: Thanks!}}"]
    problems = []
    for lang, entries in texts.items():
        if lang not in languages:
            problems.append(
                f"{path}.{lang}: {lang!r} is not in the survey's languages {languages}; add it there or remove these texts"
            )
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
        problems += [
            f"{where}.{u}: is not a question field (known: key, type, text, low_text, options, when, scale)"
            for u in sorted(unknown)
        ]
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
                problems.append(
                    f"{where}.options: a {qtype} question needs a list of options, e.g. [{{key: price, text: Price}}]"
                )
            else:
                for m, o in enumerate(options):
                    if not isinstance(o, dict) or not isinstance(o.get("key"), str) or not _KEY.match(o["key"]):
                        problems.append(f"{where}.options[{m}]: expected {{key: a-key, text: ...}}")
        elif "options" in q:
            problems.append(f"{where}.options: only single and multiple questions have options")
        if "when" in q and score_range(q["when"]) is None:
            problems.append(f"{where}.when: {q['when']!r} is not a score range; write e.g. 0-6 or 9-10")
        elif "when" in q and metric not in SCALES:
            problems.append(f"{where}.when: a {metric} survey has no score to depend on; remove when")
        if "scale" in q and (qtype not in SCALES or score_range(q["scale"]) not in SCALES[qtype]):
            problems.append(f"{where}.scale: {q['scale']!r} is not a scale of a {qtype} question")
    return problems


def _check_trigger(trigger: dict, path: str) -> list[str]:
    problems = []
    if "touchpoint" not in trigger:
        problems.append(f"{path}.touchpoint: is missing; a trigger says which touchpoint's events invite")
    channel = trigger.get("channel", "email")
    if channel not in _TRIGGER_CHANNELS:
        problems.append(f"{path}.channel: {channel!r} cannot send invitations; use email or sms")
    if "quiet_hours" in trigger and quiet_hours(trigger["quiet_hours"]) is None:
        problems.append(
            f"{path}.quiet_hours: {trigger['quiet_hours']!r} is not hours; write e.g. 21-8 (21:00 to 08:00)"
        )
    unknown = set(trigger) - {"touchpoint", "after", "channel", "quiet_hours"}
    problems += [
        f"{path}.{u}: is not a trigger field (known: touchpoint, after, channel, quiet_hours)" for u in sorted(unknown)
    ]
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


register_check("surveys", check_collection)
