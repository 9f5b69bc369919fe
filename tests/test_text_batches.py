"""Text analysis at scale, on a small store (SQLite and PostgreSQL): it reads and commits in
batches (another writer gets in between them), a stopped run resumes without duplicates, and
the fits read a bounded, stratified sample."""

from datetime import date

import pytest
import sqlalchemy as sa

from cxlens.demo import generate_demo
from cxlens.store import schema as s
from cxlens.text import analysis, fitting, sampling
from cxlens.text.fitting import text_sources

BATCH = 40


@pytest.fixture
def small(store, monkeypatch):
    """A demo store of a few hundred texts, analysed BATCH texts at a time."""
    generate_demo(store, customers=100, responses=900, seed=3, end=date(2026, 6, 30))
    monkeypatch.setattr(analysis, "BATCH", BATCH)
    return store


def _scalar(store, sql):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def _texts(store, source):
    table, cols, *_ = text_sources()[source]
    has_text = sa.or_(*[sa.and_(c.is_not(None), c != "") for c in cols])
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(has_text)).scalar_one()


class Stop(Exception):
    pass


def test_analysis_commits_batch_by_batch_and_another_writer_gets_in_between(small):
    """After each batch its results are committed (a reader on another connection sees them)
    and another writer with a short busy timeout commits at once: no write lock is held
    between batches (on SQLite, one transaction over the run made it fail 'database is
    locked')."""
    other = sa.create_engine(small.engine.url, connect_args={"timeout": 0.2} if small.dialect == "sqlite" else {})
    seen = []

    def progress(stage, done, total):
        if stage not in text_sources() or not done:
            return
        with other.begin() as conn:
            conn.execute(sa.text("INSERT INTO customers (external_id) VALUES (:id)"), {"id": f"side-{len(seen)}"})
        with other.connect() as conn:
            stored = conn.execute(
                sa.select(sa.func.count()).select_from(s.text_results).where(s.text_results.c.source == stage)
            ).scalar_one()
        seen.append((stage, done, stored))

    try:
        summary = analysis.analyze(small, progress=progress)
    finally:
        other.dispose()
    responses = [x for x in seen if x[0] == "response"]
    assert len(responses) >= 4 and responses[0][1] <= BATCH  # BATCH ids a page, those with text
    assert all(done == stored for _, done, stored in seen)  # each batch committed before the next
    assert summary.analyzed["response"] == _texts(small, "response") == responses[-1][1]
    assert _scalar(small, "SELECT count(*) FROM customers WHERE external_id LIKE 'side-%'") == len(seen)


def test_a_run_stopped_after_some_batches_resumes_without_duplicates(small):
    batches = []

    def stop_after_three(stage, done, total):
        if stage == "response" and done:
            batches.append(done)
            if len(batches) == 3:
                raise Stop

    with pytest.raises(Stop):
        analysis.analyze(small, progress=stop_after_three)
    assert _scalar(small, "SELECT count(*) FROM text_results") == batches[-1] > 0
    summary = analysis.analyze(small)
    assert not summary.sentiment_fitted and not summary.themes_fitted  # the first run's models
    assert summary.analyzed["response"] == _texts(small, "response") - batches[-1]
    for source in text_sources():
        assert _texts(small, source) == _scalar(
            small, f"SELECT count(DISTINCT source_id) FROM text_results WHERE source = '{source}'"
        )
    assert _scalar(small, "SELECT count(*) FROM text_results") == sum(_texts(small, x) for x in text_sources())
    assert set(analysis.analyze(small).analyzed.values()) == {0}


def test_a_stopped_refit_is_finished_by_the_next_run_with_the_new_models(small):
    analysis.analyze(small)

    first = []

    def stop_at_first_batch(stage, done, total):
        if stage == "response" and done:
            first.append(done)
            raise Stop

    with pytest.raises(Stop):
        analysis.analyze(small, refit=True, progress=stop_at_first_batch)
    assert _scalar(small, "SELECT count(*) FROM text_results") == first[0]  # the rest were deleted first
    summary = analysis.analyze(small)
    assert not summary.sentiment_fitted and summary.analyzed["response"] == _texts(small, "response") - first[0]
    newest = _scalar(small, "SELECT max(id) FROM text_models WHERE kind = 'themes'")
    old_themes = _scalar(
        small,
        f"SELECT count(*) FROM text_results r JOIN text_themes t ON t.id = r.theme_id WHERE t.model_id <> {newest}",
    )
    assert old_themes == 0  # every result from the refit's models


def test_two_runs_at_once_leave_one_result_per_text(small, monkeypatch):
    """A second `text analyze` that analyses everything while the first holds a batch it read
    but has not written: the first writes nothing over the second's rows, and fails on no
    unique key (each text keeps one result, each topic one row)."""
    analysis.analyze(small)  # the models both runs use
    with small.begin() as conn:
        conn.execute(sa.delete(s.text_topics))
        conn.execute(sa.delete(s.text_results))
    results_of, calls = analysis._results_of, []

    def the_other_run_goes_first(source, batch, *args):
        out = results_of(source, batch, *args)
        calls.append(len(batch))
        if len(calls) == 2:  # in the middle of the first run's responses
            monkeypatch.setattr(analysis, "_results_of", results_of)
            analysis.analyze(small)
        return out

    monkeypatch.setattr(analysis, "_results_of", the_other_run_goes_first)
    summary = analysis.analyze(small)
    assert summary.analyzed["response"] == calls[0]  # its first batch; the other run wrote the rest
    total = sum(_texts(small, x) for x in text_sources())
    assert _scalar(small, "SELECT count(*) FROM text_results") == total
    assert _scalar(small, "SELECT count(DISTINCT source || ':' || source_id) FROM text_results") == total
    assert _scalar(small, "SELECT count(*) FROM text_topics") == _scalar(
        small, "SELECT count(DISTINCT source || ':' || source_id || ':' || theme_id) FROM text_topics"
    )


def test_edited_texts_are_found_batch_by_batch(small):
    analysis.analyze(small)
    with small.begin() as conn:
        ids = conn.execute(
            sa.select(s.responses.c.id).where(s.responses.c.comment.is_not(None)).order_by(s.responses.c.id)
        ).scalars()
        edited = list(ids)[:: BATCH // 2][:6]  # spread over several batches
        conn.execute(sa.update(s.responses).where(s.responses.c.id.in_(edited)).values(comment="Never again. Awful."))
    summary = analysis.analyze(small)
    assert summary.changed["response"] == len(edited) == summary.analyzed["response"]
    hashed = _scalar(
        small,
        "SELECT count(*) FROM text_results WHERE source = 'response' AND source_id IN "
        f"({','.join(map(str, edited))}) AND text_hash = '{analysis.text_hash('Never again. Awful.')}'",
    )
    assert hashed == len(edited)


def test_quotas_keep_small_strata_whole_and_share_the_rest():
    assert sampling.quotas({"fi": 5, "en": 100, "de": 100}, 60) == {"fi": 5, "en": 28, "de": 27}
    assert sampling.quotas({"fi": 5, "en": 10}, 60) == {"fi": 5, "en": 10}
    assert sum(sampling.quotas({i: 1000 for i in range(7)}, 100).values()) == 100


RATED = {
    "response": "SELECT language, count(*) FROM responses WHERE comment IS NOT NULL AND score IS NOT NULL "
    "AND metric IN ('nps', 'csat', 'ces') GROUP BY language",
    "mention": "SELECT language, count(*) FROM mentions WHERE text IS NOT NULL AND rating BETWEEN 1 AND 5 "
    "GROUP BY language",
}


def test_the_fits_read_a_bounded_sample_stratified_by_language_in_pages(small, monkeypatch):
    cap = 250  # of the demo's 362 rated texts: its four rarest languages keep all of theirs
    monkeypatch.setattr(fitting, "SAMPLE_CAP", cap)
    monkeypatch.setattr(fitting, "READ_BATCH", 25)
    read = []
    pages = sampling.pages

    def counted(engine, query, size):
        for page in pages(engine, query, size):
            read.append(len(page))
            yield page

    monkeypatch.setattr(sampling, "pages", counted)
    with small.engine.connect() as conn:
        counts = {(src, lang): n for src, sql in RATED.items() for lang, n in conn.execute(sa.text(sql))}
    quota = sampling.quotas(counts, cap)
    texts, labels, langs = fitting.rated_texts(small)
    assert len(texts) <= cap < sum(counts.values()) and len(read) >= len(texts) // 25 and max(read) <= 25
    again = fitting.rated_texts(small)
    assert again[0] == texts and list(again[1]) == list(labels)  # the same store, the same sample
    whole = 0
    for lang in {lang for _, lang in counts}:
        mine = [k for k in counts if k[1] == lang]
        got = langs.count(lang)
        if all(quota[k] == counts[k] for k in mine):
            assert got == sum(counts[k] for k in mine)
            whole += 1
        else:
            assert sum(quota[k] for k in mine) / 2 <= got <= sum(quota[k] for k in mine)
    assert whole >= 3
    _, metrics = fitting.fit_sentiment(small)
    assert metrics["n_rated_comments"] == len(texts) and metrics["n_rated_in_store"] == sum(counts.values())
    fitting.fit_themes(small)
    themes = _scalar(small, "SELECT n_texts FROM text_models WHERE kind = 'themes'")
    assert themes <= cap < sum(_texts(small, x) for x in ("response", "ticket", "mention"))
