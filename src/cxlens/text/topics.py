"""Topics of the CX taxonomy, assigned to texts in any language by weak supervision.

The taxonomy (``data/taxonomy.yaml``, or a file of the user's) names about 25 topics, each
with seed phrases in several languages. :class:`TopicModel` learns from them:

1. every text that contains a seed phrase of its language (a lower-case substring: stems
   catch inflections, Chinese and Thai need no segmentation) is labelled with that topic,
   and each seed phrase is a labelled text of its own;
2. a one-vs-rest logistic regression over the texts' character n-grams (the features of
   the sentiment model) learns each topic from those labels, so that texts without any
   seed, in words the taxonomy never listed, are assigned too;
3. a text gets every topic whose probability reaches ``threshold`` (several topics are
   fine), each with that probability as its confidence; its main topic is the most
   probable one, if at least ``threshold``. Texts with no topic are left to the discovered
   themes (:mod:`cxlens.text.themes`).

One topic is one theme in every language: the Finnish and the English "invoice layout"
complaints land in the same topic.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..errors import InputError
from .features import hashed_ngrams, linear_scores

__all__ = ["DEFAULT_TAXONOMY", "Taxonomy", "TopicModel", "load_taxonomy"]

DEFAULT_TAXONOMY = Path(__file__).parent / "data" / "taxonomy.yaml"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
N_FEATURES = 2**17
# Share of seed matches that are about their topic, measured on the demo's phrase bank (0.91
# of the phrases a seed matches): a seed alone makes a topic that likely.
SEED_CONFIDENCE = 0.8
NGRAMS = (1, 4)


@dataclass
class Taxonomy:
    keys: list[str]
    names: dict[str, str]
    phrases: dict[str, dict[str, list[str]]]  # topic -> language -> seeds (lower case)

    def seeds(self, language: str | None) -> list[tuple[int, str]]:
        """(topic index, seed) of a language; every language's seeds when it is unknown."""
        out = []
        for i, key in enumerate(self.keys):
            by_lang = self.phrases[key]
            langs = [language] if language in by_lang else list(by_lang)
            out.extend((i, seed) for lang in langs for seed in by_lang.get(lang, []))
        return out


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and check a taxonomy file; errors name the file, the topic and the field."""
    path = Path(path or DEFAULT_TAXONOMY)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"{path}: cannot read the taxonomy: {e}") from None
    topics = (data or {}).get("topics")
    if not isinstance(topics, dict) or not topics:
        raise InputError(f"{path}: needs a 'topics:' mapping of topic key -> name and phrases")
    keys, names, phrases = [], {}, {}
    for key, topic in topics.items():
        where = f"{path}: topic {key!r}"
        if not isinstance(key, str) or not _KEY.match(key):
            raise InputError(f"{where}: a key is lower-case letters, digits and underscores")
        if not isinstance(topic, dict) or not str(topic.get("name") or "").strip():
            raise InputError(f"{where}: needs a 'name:' to show people")
        by_lang = topic.get("phrases")
        if not isinstance(by_lang, dict) or not by_lang:
            raise InputError(f"{where}: needs 'phrases:' per language, e.g. en: [arrived late, delayed]")
        cleaned = {}
        for lang, seeds in by_lang.items():
            if not isinstance(seeds, list) or not all(isinstance(x, str) and x.strip() for x in seeds):
                raise InputError(f"{where}, phrases.{lang}: give a list of non-empty phrases")
            cleaned[str(lang)] = [x.strip().lower() for x in seeds]
        keys.append(key)
        names[key] = str(topic["name"]).strip()
        phrases[key] = cleaned
    return Taxonomy(keys, names, phrases)


def seed_labels(taxonomy: Taxonomy, texts: Sequence[str | None], languages: Sequence[str | None]) -> np.ndarray:
    """(n, topics) booleans: which topics' seed phrases each text contains."""
    out = np.zeros((len(texts), len(taxonomy.keys)), dtype=bool)
    patterns: dict[str | None, list[tuple[int, re.Pattern]]] = {}
    for row, (text, lang) in enumerate(zip(texts, languages)):
        if not text:
            continue
        base = (lang or "").split("-")[0].lower() or None
        if base not in patterns:
            by_topic: dict[int, list[str]] = {}
            for i, seed in taxonomy.seeds(base):
                by_topic.setdefault(i, []).append(re.escape(seed))
            patterns[base] = [(i, re.compile("|".join(seeds))) for i, seeds in by_topic.items()]
        lower = text.lower()
        for i, pattern in patterns[base]:
            if pattern.search(lower):
                out[row, i] = True
    return out


class TopicModel:
    """Weakly supervised multi-label topics of a taxonomy (see the module's docstring)."""

    def __init__(self, taxonomy: Taxonomy | None = None, *, threshold: float = 0.5, alpha: float = 2e-5):
        self.taxonomy = taxonomy or load_taxonomy()
        self.threshold = threshold
        self.alpha = alpha
        self.weights: np.ndarray | None = None  # (topics + 1, N_FEATURES)
        self.intercept: np.ndarray | None = None
        self.seed_counts: dict[str, int] = {}

    @property
    def names(self) -> list[str]:
        return [self.taxonomy.names[k] for k in self.taxonomy.keys]

    def fit(self, texts: Sequence[str | None], languages: Sequence[str | None]) -> TopicModel:
        """Learn every topic from the texts that contain its seeds, and from the seeds."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import SGDClassifier

        labels = seed_labels(self.taxonomy, texts, languages)
        labelled = np.flatnonzero(labels.any(axis=1))
        docs = [texts[i] for i in labelled]
        y = labels[labelled]
        seed_docs, seed_y = [], []
        for i, key in enumerate(self.taxonomy.keys):
            for seeds in self.taxonomy.phrases[key].values():
                for seed in seeds:
                    seed_docs.append(seed)
                    row = np.zeros(len(self.taxonomy.keys), bool)
                    row[i] = True
                    seed_y.append(row)
        docs += seed_docs
        y = np.vstack([y, np.array(seed_y)]) if len(y) else np.array(seed_y)
        self.seed_counts = {k: int(labels[:, i].sum()) for i, k in enumerate(self.taxonomy.keys)}
        X, idf = _features(docs)
        k = len(self.taxonomy.keys)
        coef = np.zeros((k + 1, N_FEATURES), dtype=np.float32)
        intercept = np.full(k, -30.0)
        for i in range(k):
            target = y[:, i]
            if target.all() or not target.any():
                continue
            clf = SGDClassifier(
                loss="log_loss", alpha=self.alpha, max_iter=30, tol=1e-4, random_state=0, class_weight="balanced"
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X, target)
            coef[i] = clf.coef_[0] * idf
            intercept[i] = clf.intercept_[0]
        coef[k] = idf**2
        self.weights, self.intercept = coef, intercept
        return self

    def probabilities(self, texts: Sequence[str | None], languages: Sequence[str | None] | None = None) -> np.ndarray:
        """(n, topics) probability of each topic per text: the model's, and, where the text
        contains a seed of the topic, at least ``SEED_CONFIDENCE`` (a seed is direct
        evidence; the model adds the texts that hold none)."""
        if self.weights is None:
            raise InputError("the topic model is not fitted: call fit() with the store's texts first")
        k = len(self.taxonomy.keys)
        sums, _ = linear_scores(texts, self.weights, NGRAMS)
        z = sums[:, :k] / np.sqrt(np.maximum(sums[:, k], 1e-12))[:, None] + self.intercept
        p = 1 / (1 + np.exp(-np.clip(z, -50, 50)))
        if languages is not None:
            seeded = seed_labels(self.taxonomy, texts, languages)
            p = 1 - (1 - p) * np.where(seeded, 1 - SEED_CONFIDENCE, 1.0)
        empty = np.fromiter((not t for t in texts), bool, len(texts))
        p[empty] = 0.0
        return p

    def assign(
        self, texts: Sequence[str | None], languages: Sequence[str | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[list[tuple[int, float]]]]:
        """Main topic per text (-1: none reaches the threshold), its confidence, and every
        topic at or above the threshold with its confidence, most confident first."""
        p = self.probabilities(texts, languages)
        best = p.argmax(axis=1) if p.size else np.zeros(len(texts), np.int64)
        confidence = p[np.arange(len(texts)), best] if p.size else np.zeros(len(texts))
        main = np.where(confidence >= self.threshold, best, -1)
        every = []
        for row in p:
            hits = np.flatnonzero(row >= self.threshold)
            every.append(sorted(((int(i), float(row[i])) for i in hits), key=lambda x: -x[1]))
        return main, confidence, every

    # -- persistence ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        meta: dict[str, Any] = {
            "keys": self.taxonomy.keys,
            "names": self.taxonomy.names,
            "phrases": self.taxonomy.phrases,
            "threshold": self.threshold,
            "alpha": self.alpha,
            "seed_counts": self.seed_counts,
        }
        arrays = {"meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)}
        if self.weights is not None:
            arrays |= {"weights": self.weights, "intercept": self.intercept}
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TopicModel:
        with np.load(io.BytesIO(data)) as z:
            meta = json.loads(z["meta"].tobytes().decode())
            model = cls(
                Taxonomy(meta["keys"], meta["names"], meta["phrases"]),
                threshold=float(meta["threshold"]),
                alpha=float(meta["alpha"]),
            )
            model.seed_counts = meta["seed_counts"]
            if "weights" in z:
                model.weights, model.intercept = z["weights"], z["intercept"]
        return model


def _features(docs: list[str]):
    """TF-IDF rows scaled as :meth:`TopicModel.probabilities` scales them: by the square root
    of Σ idf² over the text's n-gram occurrences, a norm prediction computes without a matrix."""
    X, _ = hashed_ngrams(docs, NGRAMS, N_FEATURES)
    df = np.bincount(X.indices, minlength=N_FEATURES)
    idf = (np.log((1 + X.shape[0]) / (1 + df)) + 1).astype(np.float32)
    idf[0] = 0
    norms = np.sqrt(np.maximum(np.asarray(X @ (idf.astype(float) ** 2)).ravel(), 1e-12))
    return X.multiply(idf[None, :]).multiply(1 / norms[:, None]).tocsr(), idf
