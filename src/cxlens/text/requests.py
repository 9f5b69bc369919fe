"""Feature requests: which texts ask the product to do something, and which ask the same.

Detection is by phrase patterns per language ("please add …", "it would be great if …",
"добавьте …", "toivoisin …", "希望 …", "อยากให้ …"): requests are formulaic, and a pattern
says why a text was taken, which a user can check. Languages without patterns fall back on
the English ones.

Requests the taxonomy names (``requests:`` in ``data/taxonomy.yaml``: dark mode, export to
Excel, …, with seed phrases per language) are grouped under that name whatever their
language: "export reports to Excel" in English, Chinese and Spanish is one request. The rest
are grouped by the cosine similarity of their character n-grams (the same request is worded a
little differently each time): each text joins the first group whose first text it resembles
by at least ``threshold``, else starts a group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from .features import hashed_ngrams

__all__ = ["REQUEST_PATTERNS", "group_requests", "is_feature_request", "known_requests", "name_requests"]

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
    r"\btoivoisin\b|\bvoisitteko\b|\bvoisi (?:laittaa|saada)\b|"
    # "…, kiitos." closes a request, and thanks for something good too: not after praise.
    r"^(?!.*\b(?:mukava|hyvä|kiva|helppo|loistava|kätevä)).*, kiitos\.?$",
    "ru": r"добавьте|было бы (?:здорово|хорошо|удобно|классно|неплохо|идеально|отлично)|хотелось бы|сделайте|"
    r"пригодил(?:ся|ась|ось|ись)|просьба|^хочу\b",
    "zh": r"请加|请增加|请支持|希望(?:可以|能)|如果能|能不能|要是有.{0,12}就好了|就太好了|就完美了|建议增加",
    "th": r"ขอ.{0,20}หน่อย|ขอให้|ถ้า.{0,60}จะดี|(?<!ไม่)อยาก(?!ให้ทุก)|ได้ไหม|จะมีประโยชน์",
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


TAXONOMY = Path(__file__).parent / "data" / "taxonomy.yaml"


@lru_cache(maxsize=4)
def known_requests(path: str | None = None) -> tuple[tuple[str, str, dict[str, tuple[str, ...]]], ...]:
    """(key, name, language -> seed phrases) of the requests a taxonomy file names."""
    data = yaml.safe_load(Path(path or TAXONOMY).read_text(encoding="utf-8")) or {}
    out = []
    for key, entry in (data.get("requests") or {}).items():
        phrases = {str(lang): tuple(x.lower() for x in seeds) for lang, seeds in (entry.get("phrases") or {}).items()}
        out.append((str(key), str(entry.get("name") or key), phrases))
    return tuple(out)


def name_requests(texts: Sequence[str], languages: Sequence[str | None], path: str | None = None) -> list[str | None]:
    """The name of the known request each text asks for (its language's seeds, or every
    language's when it has none), else None."""
    catalogue = known_requests(path)
    out: list[str | None] = []
    for text, lang in zip(texts, languages):
        lower = (text or "").lower()
        base = (lang or "").split("-")[0].lower()
        found = None
        for _, name, phrases in catalogue:
            seeds = phrases.get(base) or tuple(x for v in phrases.values() for x in v)
            if any(seed in lower for seed in seeds):
                found = name
                break
        out.append(found)
    return out


def group_requests(
    texts: Sequence[str], threshold: float = 0.5, languages: Sequence[str | None] | None = None
) -> np.ndarray:
    """Group number per text: with ``languages``, the texts asking for one known request
    share a group whatever their language; the others, and all without ``languages``, by
    near-duplicates (cosine ≥ ``threshold`` over character 2–4-grams with the first text of a
    group). Groups are numbered by first appearance."""
    if not len(texts):
        return np.zeros(0, dtype=np.int64)
    if languages is not None:
        names = name_requests(texts, languages)
        rest = [i for i, n in enumerate(names) if n is None]
        number: dict[str, int] = {}
        out = np.empty(len(texts), dtype=np.int64)
        for i, n in enumerate(names):
            if n is not None:
                out[i] = number.setdefault(n, len(number))
        if rest:
            out[rest] = group_requests([texts[i] for i in rest], threshold) + len(number)
        return out
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
