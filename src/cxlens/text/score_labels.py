"""The sentiment a score implies: NPS 0–6 negative, 7–8 neutral, 9–10 positive; other scales
by where the score falls on them (lowest 40 % negative, middle neutral, top 40 % positive).
Star ratings of reviews and survey scores are labels the store already has."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["labels_from_scores"]


def labels_from_scores(scores: Sequence[Any], scale: Any) -> np.ndarray:
    """Negative / neutral / positive for scores on a survey's scale.

    ``scale`` is ``"nps"`` (0–10: detractors 0–6 negative, passives 7–8 neutral, promoters
    positive), a ``"lo-hi"`` text or ``(lo, hi)`` pair (``"0-10"`` is NPS), or one such pair per
    score (two arrays ``(lo, hi)`` of the score's length). Any other scale is cut by its
    position f = (score − lo) / (hi − lo): below 0.4 negative, up to 0.6 neutral, above
    positive; on 1–5 that is 1–2 / 3 / 4–5, on 1–7 1–3 / 4 / 5–7, on 1–2 bad / good. A missing
    score gives an empty label ("").
    """
    s = np.asarray([np.nan if v is None else v for v in scores], dtype=float)
    lo, hi = _scale_bounds(scale, len(s))
    bad = np.isfinite(s) & ((s < lo) | (s > hi))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"score {s[i]:g} (item {i}) is outside its scale {lo[i]:g}-{hi[i]:g}; give the scale "
            "each score was asked on (scale='nps', '1-5', (lo, hi), or one pair per score)"
        )
    f = (s - lo) / np.where(hi > lo, hi - lo, 1)
    nps = (lo == 0) & (hi == 10)
    label = np.select(
        [np.isnan(s), nps & (s <= 6), nps & (s <= 8), nps, f < 0.4, f <= 0.6],
        ["", "negative", "neutral", "positive", "negative", "neutral"],
        "positive",
    )
    return label.astype(object)


def _scale_bounds(scale: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(scale, str):
        text = scale.strip().lower()
        named = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
        if text in named:
            pair = named[text]
        else:
            try:
                lo, hi = (float(x) for x in text.split("-"))
            except ValueError:
                raise InputError(
                    f"scale {scale!r} is not a scale: use 'nps', 'csat', 'ces' or 'lo-hi' such as '1-5'"
                ) from None
            pair = (lo, hi)
        return np.full(n, float(pair[0])), np.full(n, float(pair[1]))
    lo, hi = scale
    return np.broadcast_to(np.asarray(lo, dtype=float), (n,)), np.broadcast_to(np.asarray(hi, dtype=float), (n,))
