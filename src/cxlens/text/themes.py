"""Themes: the recurring things customers write about, found without a list given in advance.

These are the themes below the taxonomy's topics (:mod:`cxlens.text.topics`): what the
texts no topic takes are about. Per language (a theme's words are that language's words),
texts are turned into TF-IDF vectors of their lemmas without stop-words, Chinese and Thai
segmented into words (:mod:`cxlens.text.words`); languages too small for a model of their
own share one over words and character n-grams (:func:`terms_of`). Non-negative matrix factorisation (NMF, scikit-learn) splits them
into ``k`` themes; a theme's label is its top three terms. A text belongs to the theme whose
term vector is most similar to it (cosine), if that similarity exceeds ``min_similarity`` (by
default any shared term: the similarity is stored with the text, so a reader can ask for more);
new texts are assigned the same way, incrementally, without refitting.

Languages with fewer than ``min_texts`` texts share one model fitted on them all together.
A user can rename, merge (into a topic too) and pin themes in the store
(:mod:`cxlens.text.analysis`); a discovered theme found in two languages appears once per
language, until the user merges it or adds it to the taxonomy.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from .words import key_terms

__all__ = ["ThemeModel", "Theme", "analyzer_for", "terms_of"]

_SPACELESS = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_WORD = re.compile(r"[^\W\d_]{3,}")
# Words too common to name a theme, in the demo's languages.
STOPWORDS = frozenset(
    """the and for with was were that this have has had not but you your our are all just very
    too only from they them then than there their what when will would could been into its it's
    out about after again also can did does don't didn't get got one two more most much some
    any nothing still even really again ago

    und der die das ist war nicht mit ein eine einen dem den des auch aber sehr noch nur wie
    sich ich wir ihr sie für auf aus bei nach von zum zur hat habe hatte wurde wird schon mal

    los las el la que con por para una uno del fue muy pero más sin sus ser está nos

    это как что был была было были очень уже еще ещё так все всё для при они мне меня нас без
    или его она оно

    oli on ei että kun mutta niin myös vielä jo ole olisi tämä sen sitä kuin koko mitä
    """.split()
)


def terms_of(text: str) -> list[str]:
    """A text's terms: lower-case words of three or more letters; inside runs of CJK script,
    character bigrams; inside runs of Thai, character trigrams that start on a base letter
    (Thai writes vowels and tones as combining marks: a term starting on one means nothing)."""
    text = text.lower()
    terms = [w for w in _WORD.findall(_SPACELESS.sub(" ", text)) if w not in STOPWORDS]
    for run in _SPACELESS.findall(text):
        n = 3 if "\u0e00" <= run[0] <= "\u0e7f" else 2
        terms.extend(run[i : i + n] for i in range(len(run) - n + 1) if unicodedata.category(run[i]) != "Mn")
    return terms


def analyzer_for(group: str):
    """The terms of a language's texts: lemmas without stop-words (:func:`key_terms`) where the
    language is known; for the shared group of small languages, :func:`terms_of`."""
    return terms_of if group == "*" else partial(key_terms, language=group)


@dataclass
class Theme:
    number: int
    label: str
    language: str
    terms: list[tuple[str, float]]


class ThemeModel:
    """NMF themes per language, and assignment of texts to them."""

    def __init__(
        self,
        *,
        themes_per_language: int = 12,
        min_texts: int = 200,
        min_similarity: float = 0.0,
        sample: int = 20_000,
        seed: int = 0,
    ):
        self.themes_per_language = themes_per_language
        self.min_texts = min_texts
        self.min_similarity = min_similarity
        self.sample = sample
        self.seed = seed
        self.vectorizers: dict[str, object] = {}  # language ("*" for the rest) -> TfidfVectorizer
        self.components: dict[str, np.ndarray] = {}  # language -> (k, terms), rows of unit length
        self.offsets: dict[str, int] = {}  # language -> number of its first theme
        self.themes: list[Theme] = []

    def fit(self, texts: Sequence[str | None], languages: Sequence[str | None]) -> ThemeModel:
        """Find themes in ``texts`` (each with its language; None is fine). At most ``sample``
        texts per language are used to fit: themes are about what recurs."""
        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfVectorizer

        rng = np.random.default_rng(self.seed)
        groups = self._groups(texts, languages)
        self.vectorizers, self.components, self.offsets, self.themes = {}, {}, {}, []
        for group, idx in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            if len(idx) > self.sample:
                idx = rng.choice(idx, self.sample, replace=False)
            docs = [texts[i] for i in idx]
            vec = TfidfVectorizer(
                analyzer=analyzer_for(group), min_df=2, max_df=0.5, sublinear_tf=True, dtype=np.float32
            )
            try:
                X = vec.fit_transform(docs)
            except ValueError:  # no term occurs twice: nothing recurs
                continue
            k = min(self.themes_per_language, X.shape[0] // 10, X.shape[1])
            if k < 1:
                continue
            nmf = NMF(n_components=k, init="nndsvda", random_state=self.seed, max_iter=300)
            with warnings.catch_warnings():  # 300 iterations give stable top terms; more only polish weights
                warnings.simplefilter("ignore", ConvergenceWarning)
                nmf.fit(X)
            H = nmf.components_
            H = H / np.maximum(np.linalg.norm(H, axis=1, keepdims=True), 1e-12)
            vocab = np.asarray(vec.get_feature_names_out())
            self.offsets[group] = len(self.themes)
            for j, row in enumerate(H):
                top = np.argsort(row)[::-1][:8]
                terms = [(str(vocab[t]), round(float(row[t]), 4)) for t in top if row[t] > 0]
                label = " · ".join(t for t, _ in terms[:3]) or f"theme {len(self.themes) + 1}"
                self.themes.append(Theme(len(self.themes), label, group, terms))
            self.vectorizers[group], self.components[group] = vec, H.astype(np.float32)
        return self

    def _groups(self, texts: Sequence[str | None], languages: Sequence[str | None]) -> dict[str, np.ndarray]:
        lang = np.array([(l or "*") if t else "" for t, l in zip(texts, languages)], dtype=object)
        values, counts = np.unique(lang[lang != ""], return_counts=True)
        small = {str(v) for v, c in zip(values, counts) if c < self.min_texts}
        lang = np.where(np.isin(lang, list(small)), "*", lang)
        return {str(g): np.flatnonzero(lang == g) for g in np.unique(lang[lang != ""])}

    def assign(self, texts: Sequence[str | None], languages: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """(theme number or -1, similarity) per text: the most similar theme of its language
        (or of the shared model, for a language that has none)."""
        theme = np.full(len(texts), -1, dtype=np.int64)
        score = np.zeros(len(texts))
        lang = np.array([l if l in self.components else "*" for l in languages], dtype=object)
        for group in self.components:
            idx = np.flatnonzero((lang == group) & np.array([bool(t) for t in texts]))
            if not len(idx):
                continue
            X = self.vectorizers[group].transform([texts[i] for i in idx])
            sim = np.asarray(X @ self.components[group].T)
            best = sim.argmax(axis=1)
            value = sim[np.arange(len(idx)), best]
            ok = value > self.min_similarity
            theme[idx[ok]] = best[ok] + self.offsets[group]
            score[idx] = value
        return theme, score

    # -- persistence ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        arrays = {}
        meta = {
            "settings": [self.themes_per_language, self.min_texts, self.min_similarity, self.sample, self.seed],
            "offsets": self.offsets,
            "themes": [[t.number, t.label, t.language, t.terms] for t in self.themes],
            "vocab": {},
        }
        for group, vec in self.vectorizers.items():
            vocab = vec.get_feature_names_out()
            meta["vocab"][group] = [str(v) for v in vocab]
            arrays[f"idf:{group}"] = vec.idf_.astype(np.float32)
            arrays[f"H:{group}"] = self.components[group]
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ThemeModel:
        from sklearn.feature_extraction.text import TfidfVectorizer

        with np.load(io.BytesIO(data)) as z:
            meta = json.loads(z["meta"].tobytes().decode())
            k, min_texts, min_similarity, sample, seed = meta["settings"]
            model = cls(
                themes_per_language=int(k),
                min_texts=int(min_texts),
                min_similarity=float(min_similarity),
                sample=int(sample),
                seed=int(seed),
            )
            model.offsets = {g: int(o) for g, o in meta["offsets"].items()}
            model.themes = [
                Theme(int(n), label, lang, [tuple(t) for t in terms]) for n, label, lang, terms in meta["themes"]
            ]
            for group, vocab in meta["vocab"].items():
                vec = TfidfVectorizer(
                    analyzer=analyzer_for(group),
                    sublinear_tf=True,
                    dtype=np.float32,
                    vocabulary={v: i for i, v in enumerate(vocab)},
                )
                vec.idf_ = z[f"idf:{group}"].astype(np.float64)
                model.vectorizers[group] = vec
                model.components[group] = z[f"H:{group}"]
        return model
