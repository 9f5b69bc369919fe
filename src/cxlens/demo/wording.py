"""Varied wording for the demo's comments, so that a model measured on them meets wording it
has not seen.

A comment picked from the phrase bank is kept as written, or gets a closing remark of its
sentiment (some negated: "No complaints at all.", "Not happy at all."), and a neutral one may
instead be mixed: praise of its topic joined to blame of another topic ("Arrived a day early,
but the agent was rude"). The draws come from a random generator of their own, so the rest
of the demo (scores, customers, times) is the same with or without them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .phrases import CLOSERS, CONNECTORS

__all__ = ["CLOSER_SHARE", "MIXED_SHARE", "Wording"]

CLOSER_SHARE = 0.35  # comments that get a closing remark
MIXED_SHARE = 0.3  # neutral comments that praise one thing and blame another
# Languages that write no space between sentences.
_NO_SPACE = {"zh"}


def _bare(text: str) -> str:
    return text.rstrip(" .!?。！？")


def _lower_first(text: str, language: str) -> str:
    if language in _NO_SPACE or not text:
        return text
    first = text.split(" ", 1)[0]
    # Keep acronyms, names and order numbers as they are ("VAT", "Anna", "#4411").
    if len(first) > 1 and (first[1:].islower() is False or first[0] in "#\"'«"):
        return text
    return text[0].lower() + text[1:]


class Wording:
    """Varies picks of the flat phrase array of the demo generator (``flat``, with the language
    code of each phrase); ``offset`` and ``size`` [topic, sentiment, language] say where each
    group of phrases lies in it, as the generator indexes them, by language position in
    ``locales``."""

    def __init__(
        self,
        flat: list[str],
        languages: list[str],
        locales: list[str],
        offset: np.ndarray,
        size: np.ndarray,
        seed: int,
    ):
        self.rng = np.random.default_rng([seed, 7])
        self.flat = pa.array(flat, pa.string())
        self.first = pa.array([_bare(t) for t in flat], pa.string())
        self.second = pa.array([_lower_first(t, lang) for t, lang in zip(flat, languages)], pa.string())
        self.offset, self.size = offset, size
        lang_order = list(locales)
        closers, self.closer_offset = [], np.zeros((3, len(lang_order)), np.int64)
        self.closer_size = np.zeros_like(self.closer_offset)
        for si, sentiment in enumerate(("negative", "neutral", "positive")):
            for li, lang in enumerate(lang_order):
                options = CLOSERS.get(lang, CLOSERS["en"])[sentiment]
                self.closer_offset[si, li], self.closer_size[si, li] = len(closers), len(options)
                closers.extend(options)
        self.closers = pa.array(closers, pa.string())
        self.separator = pa.array(["" if lang in _NO_SPACE else " " for lang in lang_order], pa.string())
        self.connector = pa.array([CONNECTORS.get(lang, CONNECTORS["en"]) for lang in lang_order], pa.string())

    def vary(self, pick: np.ndarray, topic: np.ndarray, sentiment: np.ndarray, lang: np.ndarray) -> pa.Array:
        """The comments at flat positions ``pick`` (of these topics, sentiments and generator
        language indices), varied."""
        n = len(pick)
        rng = self.rng
        base = self.flat.take(pa.array(pick))
        if n == 0:
            return base
        draw = rng.random((3, n))
        closer_at = self.closer_offset[sentiment, lang] + np.floor(draw[0] * self.closer_size[sentiment, lang]).astype(
            np.int64
        )
        closer = self.closers.take(pa.array(closer_at, mask=draw[1] >= CLOSER_SHARE))
        text = pc.binary_join_element_wise(base, closer, self.separator.take(pa.array(lang)), null_handling="skip")
        mixed = (sentiment == 1) & (draw[2] < MIXED_SHARE)
        if not mixed.any():
            return text
        other = rng.integers(0, self.size.shape[0], n)
        other = np.where(other == topic, (other + 1) % self.size.shape[0], other)
        praise = self.offset[topic, 2, lang] + np.floor(rng.random(n) * self.size[topic, 2, lang]).astype(np.int64)
        blame = self.offset[other, 0, lang] + np.floor(rng.random(n) * self.size[other, 0, lang]).astype(np.int64)
        joined = pc.binary_join_element_wise(
            self.first.take(pa.array(praise)), self.second.take(pa.array(blame)), self.connector.take(pa.array(lang))
        )
        return pc.if_else(pa.array(mixed), joined, text)
