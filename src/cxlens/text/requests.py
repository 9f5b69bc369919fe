"""Feature requests: which texts ask the product to do something, and which ask the same.

Detection is by phrase patterns per language ("please add …", "it would be great if …",
"добавьте …", "toivoisin …", "希望 …", "อยากให้ …"): requests are formulaic, and a pattern
says why a text was taken, which a user can check. Languages without patterns fall back on
the English ones.

Duplicates are grouped by the cosine similarity of their character n-grams (the same request
is worded a little differently each time): each text joins the first group whose first text
it resembles by at least ``threshold``, else starts a group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .features import hashed_ngrams

__all__ = ["REQUEST_PATTERNS", "is_feature_request", "group_requests"]

REQUEST_PATTERNS: dict[str, str] = {
    "en": r"\bplease (?:add|let|make|allow|support|bring|consider)\b|\b(?:would|'d) be (?:super |really |so |very )?"
    r"(?:great|nice|awesome|perfect|ideal|helpful|useful|handy)\b|\bwould love\b|\b(?:can|could) you "
    r"(?:please )?(?:add|make|support|let)\b|\bi wish\b|^wish i\b|\bfeature request\b|\bi'd like to be able\b",
    "de": r"^bitte\b|\bbitte (?:eine?n?|um)\b|\bes wäre (?:toll|super|schön|gut|praktisch)|\bschön wäre\b|"
    r"\bich würde gerne?\b|\bkönntet ihr\b|\bkönnt ihr\b|"
    r"\bwären? (?:super |sehr |echt )?(?:hilfreich|praktisch|toll|perfekt|super)\b|\bwünsche mir\b",
    "es": r"\bpor favor,? (?:añad|agreg|pon|incluy)|^añadid\b|\bestaría (?:genial|bien)|\bme gustaría\b|"
    r"\b(?:podéis|podrían|podrías|pueden) (?:añadir|agregar|incluir)|\bdejad\b|\bojalá pudiera\b|"
    r"\bsería (?:muy )?(?:útil|práctico|perfecto|genial|ideal)\b",
    "fi": r"\blisätkää\b|\bolisi (?:tosi |todella |hyvin )?(?:kätevää|kätevä|hyvä|hienoa|hyödyllinen|kiva|täydellinen|mahtava)|"
    r"\btoivoisin\b|\bvoisitteko\b|\bvoisi (?:laittaa|saada)\b|, kiitos\.?$",
    "ru": r"добавьте|было бы (?:здорово|хорошо|удобно|классно|неплохо|идеально|отлично)|хотелось бы|сделайте|"
    r"пригодил(?:ся|ась|ось|ись)|просьба|^хочу\b",
    "zh": r"请加|请增加|请支持|希望(?:可以|能)|如果能|能不能|要是有.{0,12}就好了|就太好了|就完美了|建议增加",
    "th": r"ขอ.{0,20}หน่อย|ขอให้|ถ้า.{0,60}จะดี|(?<!ไม่)อยาก|ได้ไหม|จะมีประโยชน์",
}
_COMPILED = {lang: re.compile(p, re.IGNORECASE) for lang, p in REQUEST_PATTERNS.items()}


def is_feature_request(texts: Sequence[str | None], languages: Sequence[str | None]) -> np.ndarray:
    """True per text that asks for a feature, by its language's patterns (English otherwise)."""
    out = np.zeros(len(texts), dtype=bool)
    for i, (text, lang) in enumerate(zip(texts, languages)):
        if text:
            pattern = _COMPILED.get((lang or "en").split("-")[0].lower(), _COMPILED["en"])
            out[i] = pattern.search(text) is not None
    return out


def group_requests(texts: Sequence[str], threshold: float = 0.5) -> np.ndarray:
    """Group number per text: near-duplicates (cosine ≥ ``threshold`` over character 2–4-grams
    with the first text of a group) share one. Groups are numbered by first appearance."""
    if not len(texts):
        return np.zeros(0, dtype=np.int64)
    X, _ = hashed_ngrams(list(texts), (2, 4), 2**18)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = X.multiply(1 / np.maximum(norms, 1e-12)[:, None]).tocsr()
    # Identical texts first: one vector per distinct text keeps the greedy pass short.
    distinct, first, inverse = np.unique(
        np.asarray(texts, dtype=object).astype(str), return_index=True, return_inverse=True
    )
    order = np.argsort(first)
    leaders: list[int] = []
    group_of_distinct = np.empty(len(distinct), dtype=np.int64)
    for d in order:
        row = X[first[d]]
        if leaders:
            sims = (X[[first[l] for l in leaders]] @ row.T).toarray().ravel()
            best = int(sims.argmax())
            if sims[best] >= threshold:
                group_of_distinct[d] = group_of_distinct[leaders[best]]
                continue
        group_of_distinct[d] = len(leaders)
        leaders.append(d)
    return group_of_distinct[inverse]
