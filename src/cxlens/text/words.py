"""The words of a text that can name a theme: lemmas without stop-words, in its language.

Each language's tools ship their data inside their packages, so nothing is downloaded at run
time: simplemma (lemmas for 50+ languages, MIT; de, en, es, fi, ru here), stopwordsiso
(stop-word lists by ISO 639-1 code, MIT), jieba (Chinese word segmentation, its dictionary in
the package, MIT) and PyThaiNLP (Thai word segmentation and stop-words, newmm with its
bundled dictionary, Apache-2.0). A language none of them knows is split into lower-case words.
Loading a language's lemma table takes a few seconds the first time (measured 0.6–8 s per
language on a busy two-core machine), which only theme fitting pays.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["LEMMA_LANGUAGES", "key_terms", "stop_words"]

LEMMA_LANGUAGES = frozenset({"de", "en", "es", "fi", "ru", "fr", "it", "nl", "pt", "sv", "da", "pl"})
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:[-'][^\W\d_]+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")


@cache
def stop_words(language: str) -> frozenset[str]:
    """The language's stop-words (empty when no list knows the language)."""
    import stopwordsiso

    words = set(stopwordsiso.stopwords(language)) if stopwordsiso.has_lang(language) else set()
    if language == "th":
        from pythainlp.corpus import thai_stopwords

        words |= set(thai_stopwords())
    return frozenset(w.lower() for w in words)


def _segment(text: str, language: str) -> list[str]:
    if language == "zh" or (language not in ("th",) and _HAN.search(text)):
        import jieba

        jieba.setLogLevel(60)  # its "building prefix dict" notes are not for our users
        return [w for w in jieba.lcut(text) if w.strip()]
    if language == "th" or _THAI.search(text):
        from pythainlp.tokenize import word_tokenize

        return [w for w in word_tokenize(text, engine="newmm", keep_whitespace=False) if w.strip()]
    return _WORD.findall(text)


def _lemma(word: str, language: str) -> str:
    if language not in LEMMA_LANGUAGES:
        return word
    import simplemma

    return simplemma.lemmatize(word, lang=language).lower()


def key_terms(text: str | None, language: str | None = None) -> list[str]:
    """Lower-case lemmas of the text's words, stop-words and one-letter words left out."""
    if not text:
        return []
    language = (language or "").split("-")[0].lower()
    stops = stop_words(language) if language else frozenset()
    out = []
    for word in _segment(text.lower(), language):
        if not any(ch.isalpha() for ch in word) or word in stops:
            continue
        lemma = _lemma(word, language)
        if lemma in stops or (len(lemma) < 2 and not _HAN.search(lemma)):
            continue
        out.append(lemma)
    return out
