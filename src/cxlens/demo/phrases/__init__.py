"""Demo comment phrase bank: what customers say, by topic, sentiment and language.

The demo-data generator picks a fake customer's comment from here, so that the words fit the
score they gave and the touchpoint they were at: a detractor at ``delivery`` complains about a
late or damaged parcel, a promoter after ``support-chat`` praises a quick, kind agent, and so on.
That keeps the demo dashboards believable and gives the text analytics (topics, sentiment,
languages) something real to find.

The words are data, in this package's YAML files: ``topics.yaml`` (the languages, sentiments,
touchpoints and topics) and one file per language (``en.yaml``, ``fi.yaml``, ...) holding its
comments and feature requests. They are read once, on import, into:

* :data:`TOPICS` names each topic and says in a few English words what it is about.
* :data:`PHRASES` ``[topic][sentiment][language]`` is a tuple of at least four distinct
  comments. Sentiment is ``"negative"``, ``"neutral"`` or ``"positive"``; every topic has all
  three, in every language of :data:`LANGUAGES`. Negative comments are plainly negative and
  positive ones plainly positive; neutral ones are mixed or matter-of-fact.
* :data:`TOPIC_TOUCHPOINTS` lists, per topic, the touchpoint keys (from :data:`TOUCHPOINTS`)
  where a customer would plausibly bring the topic up.
* :data:`FEATURE_REQUESTS` holds "please add ..." comments per language, for any touchpoint.
* :data:`CLOSERS` ``[language][sentiment]`` are closing remarks (some negated: "no complaints",
  "not happy") and :data:`CONNECTORS` ``[language]`` joins praise and blame in one mixed
  comment: :mod:`cxlens.demo.wording` varies the comments with them.
* :data:`TAXONOMY_TOPICS` maps each demo topic to the topic of cxlens's CX taxonomy it is
  about (``cxlens/text/data/taxonomy.yaml``), so that topic assignment can be measured.

Comments are written the way customers type them: short, sometimes informal, with the odd
order number or "three times". Some English ones contain quotes or ``&`` on purpose; whatever
shows them must escape them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CLOSERS",
    "CONNECTORS",
    "FEATURE_REQUESTS",
    "LANGUAGES",
    "PHRASES",
    "SENTIMENTS",
    "TAXONOMY_TOPICS",
    "TOPICS",
    "TOPIC_TOUCHPOINTS",
    "TOUCHPOINTS",
    "phrases_for",
]

HERE = Path(__file__).parent
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when PyYAML has it: 10x faster


def _read(name: str) -> Any:
    return yaml.load((HERE / name).read_text(encoding="utf-8"), Loader=_Loader)


_TOPICS_FILE = _read("topics.yaml")
_BY_LANGUAGE = {lang: _read(f"{lang}.yaml") for lang in _TOPICS_FILE["languages"]}

#: Language codes, English first (English is the fallback in :func:`phrases_for`).
LANGUAGES: tuple[str, ...] = tuple(_TOPICS_FILE["languages"])

#: Sentiment keys used in :data:`PHRASES`.
SENTIMENTS: tuple[str, ...] = tuple(_TOPICS_FILE["sentiments"])

#: Touchpoint keys of the demo journeys; :data:`TOPIC_TOUCHPOINTS` uses only these.
TOUCHPOINTS: tuple[str, ...] = tuple(_TOPICS_FILE["touchpoints"])

#: Topic key -> short English description.
TOPICS: dict[str, str] = {key: topic["about"] for key, topic in _TOPICS_FILE["topics"].items()}

#: Topic key -> touchpoints where customers plausibly mention it.
TOPIC_TOUCHPOINTS: dict[str, tuple[str, ...]] = {
    key: tuple(topic["touchpoints"]) for key, topic in _TOPICS_FILE["topics"].items()
}

#: ``PHRASES[topic][sentiment][language]`` -> customer comments.
PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    topic: {
        sentiment: {lang: tuple(_BY_LANGUAGE[lang]["comments"][topic][sentiment]) for lang in LANGUAGES}
        for sentiment in SENTIMENTS
    }
    for topic in TOPICS
}

#: Language -> "please add ..." comments, varied features; fit any touchpoint.
FEATURE_REQUESTS: dict[str, tuple[str, ...]] = {
    lang: tuple(_BY_LANGUAGE[lang]["feature_requests"]) for lang in LANGUAGES
}

#: Language -> sentiment -> closing remarks.
CLOSERS: dict[str, dict[str, tuple[str, ...]]] = {
    lang: {sentiment: tuple(_BY_LANGUAGE[lang]["closers"][sentiment]) for sentiment in SENTIMENTS} for lang in LANGUAGES
}

#: Language -> the words that join praise of one thing to blame of another (", but ").
CONNECTORS: dict[str, str] = {lang: _BY_LANGUAGE[lang]["connector"] for lang in LANGUAGES}

#: Demo topic -> taxonomy topic key.
TAXONOMY_TOPICS: dict[str, str] = {key: topic["taxonomy"] for key, topic in _TOPICS_FILE["topics"].items()}

del _TOPICS_FILE, _BY_LANGUAGE


def phrases_for(topic: str, sentiment: str, language: str) -> tuple[str, ...]:
    """Return the comments for ``topic`` and ``sentiment`` in ``language``.

    Falls back to the English comments when ``language`` has none. Raises :class:`KeyError`
    naming the topic or sentiment when either is unknown.
    """
    try:
        by_sentiment = PHRASES[topic]
    except KeyError:
        raise KeyError(f"unknown topic {topic!r}; known topics: {', '.join(TOPICS)}") from None
    try:
        by_language = by_sentiment[sentiment]
    except KeyError:
        raise KeyError(
            f"unknown sentiment {sentiment!r} for topic {topic!r}; known: {', '.join(by_sentiment)}"
        ) from None
    return by_language.get(language) or by_language["en"]
