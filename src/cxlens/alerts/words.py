"""Word lists for ``answer`` rules, and finding their words in a text.

Matching ignores case and accents and respects word boundaries; ``refund*`` takes any ending;
phrases match with any spacing; terms in scripts written without spaces (Chinese, Thai) match
anywhere. The built-in lists are ``alerts/data/word_lists.yaml`` (the seven demo languages);
the journeys file's ``cases.word_lists`` adds lists or replaces them by name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import yaml

from .case_settings import DATA

__all__ = ["WordMatcher", "normalise_text", "word_lists"]


# Scripts written without spaces between words: their terms match anywhere in a text.
_UNSPACED = re.compile(r"[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]")
_MARKS = re.compile(r"[\u0300-\u036F]")  # Latin and Cyrillic accents once decomposed (Thai marks stay)


def normalise_text(text: str) -> str:
    """Case- and accent-folded text: ``Rückerstattung`` → ``ruckerstattung``, ``Отмена`` → ``отмена``."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


_TOKEN = re.compile(r"\w+")


class WordMatcher:
    """Finds any of ``terms`` in a text (see the module's docstring for the rules).

    The text is split into words once; a word is looked up in a set (exact terms), its
    prefixes in sets by length (``refund*``), and phrases are compared from their first word
    on. Terms in scripts without spaces are searched as substrings, only in texts that have
    such characters. One alternation regex with look-arounds did the same in 1.9 ms per
    comment; this takes a few microseconds."""

    def __init__(self, terms: Sequence[str]):
        self.terms = tuple(str(t).strip() for t in terms if t is not None and str(t).strip())
        self.exact: set[str] = set()
        self.prefixes: dict[int, set[str]] = {}
        self.phrases: dict[str, list[tuple[tuple[str, ...], bool]]] = {}  # first word -> (words, last is a prefix)
        self.unspaced: list[str] = []
        for term in dict.fromkeys(self.terms):
            star = term.endswith("*")
            body = normalise_text(term.rstrip("*").strip())
            if _UNSPACED.search(body):
                self.unspaced.append(body)
                continue
            words = tuple(_TOKEN.findall(body))
            if not words:
                continue
            if len(words) > 1:
                self.phrases.setdefault(words[0], []).append((words, star))
            elif star:
                self.prefixes.setdefault(len(words[0]), set()).add(words[0])
            else:
                self.exact.add(words[0])
        self._stems = [(n, self.prefixes[n]) for n in sorted(self.prefixes)]

    def _word(self, word: str) -> bool:
        if word in self.exact:
            return True
        size = len(word)
        for n, stems in self._stems:
            if n > size:
                return False
            if word[:n] in stems:
                return True
        return False

    def find(self, text: str | None) -> list[str]:
        """The matched words or phrases (case- and accent-folded), in order, each once."""
        if not text:
            return []
        folded = normalise_text(text)
        found: list[str] = []
        words = _TOKEN.findall(folded)
        for i, word in enumerate(words):
            if self._word(word):
                found.append(word)
            for phrase, star in self.phrases.get(word, ()):
                n = len(phrase)
                got = words[i : i + n]
                if (
                    len(got) == n
                    and got[:-1] == list(phrase[:-1])
                    and (got[-1] == phrase[-1] or (star and got[-1].startswith(phrase[-1])))
                ):
                    found.append(" ".join(got))
        if self.unspaced and _UNSPACED.search(folded):
            found += [term for term in self.unspaced if term in folded]
        return list(dict.fromkeys(found))


@lru_cache(maxsize=1)
def _builtin_lists() -> dict[str, Any]:
    return yaml.safe_load((DATA / "word_lists.yaml").read_text(encoding="utf-8"))


def word_lists(custom: dict[str, Sequence[str]] | None = None) -> dict[str, tuple[str, ...]]:
    """Every named list as its words: the built-in lists (all languages), with ``custom``
    lists (the journeys file's ``cases.word_lists``) added or replacing them by name."""
    raw: dict[str, Any] = {**_builtin_lists(), **(custom or {})}

    def words(name: str, seen: tuple[str, ...]) -> list[str]:
        value = raw.get(name)
        if isinstance(value, dict):
            return [w for ws in value.values() for w in ws or ()]
        out: list[str] = []
        for item in value or ():
            if item in raw and item not in seen and item != name:
                out += words(item, (*seen, name))  # a list of lists: their union
            else:
                out.append(item)
        return out

    return {name: tuple(words(name, ())) for name in raw}
