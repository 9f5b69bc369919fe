"""``cxlens text …``: analyse the store's texts, list themes and requests, explain scores.

Thin: each command calls :mod:`cxlens.text.analysis` (loaded when a command runs: scikit-learn
and the language model are heavy) and prints what it returns.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import typer
from rich.console import Console

from ..errors import InputError
from .shared import open_store, print_fitted, progress_bar

__all__ = ["app"]

app = typer.Typer(
    name="text",
    help="Text analytics: language, sentiment, themes, feature requests, key drivers.",
    no_args_is_help=True,
)
out = Console()


@app.command("analyze")
def analyze_cmd(
    refit: bool = typer.Option(False, "--refit", help="fit sentiment and themes again and analyse every text anew"),
    max_age: float = typer.Option(
        None, "--max-age", help="DAYS: refit when the sentiment model is older (run daily for a schedule)"
    ),
) -> None:
    """Give every comment, ticket, mention and feature request its language, sentiment and theme
    (only texts not analysed yet or edited since, e.g. by `import --update`, unless --refit or
    the model is older than --max-age days)."""
    from ..text import analysis

    store = open_store()
    with progress_bar() as progress:
        summary = analysis.analyze(store, refit=refit, max_model_age_days=max_age, progress=progress)
    for source, n in summary.analyzed.items():
        changed = summary.changed.get(source, 0)
        out.print(f"{source:16} {n:>10,} analysed" + (f" ({changed:,} of them edited since)" if changed else ""))
    held = (summary.evaluation or {}).get("heldout")
    if summary.sentiment_fitted and held:
        ev = summary.evaluation
        out.print(
            f"sentiment model fitted on {ev['n_rated_comments']:,} rated texts; held out ({ev['split']}): "
            f"accuracy {held['accuracy']:.3f}, macro-F1 {held['macro_f1']:.3f}"
        )
        out.print(f"  {'':4} {'n':>7}  {'cxlens acc / F1':>16}  {'VADER acc / F1':>15}  {'TF-IDF acc / F1':>16}")
        for lang, g in sorted(held.get("groups", {}).items()):
            vader = ev.get("vader", {}).get("groups", {}).get(lang)
            base = ev.get("tfidf_baseline", {}).get("groups", {}).get(lang)
            cells = [f"{x['accuracy']:.3f} / {x['macro_f1']:.3f}" if x else "-" for x in (g, vader, base)]
            out.print(f"  {lang:4} {g['n']:>7}  {cells[0]:>16}  {cells[1]:>15}  {cells[2]:>16}")
        if ev.get("lexicon_languages"):
            out.print(f"  VADER chosen (better on held-out texts) for: {', '.join(ev['lexicon_languages'])}")
    out.print(f"in {summary.seconds:.1f} s")


@app.command("themes")
def themes_cmd(
    rename: str = typer.Option(None, "--rename", help="ID=NAME: give theme ID a name"),
    merge: str = typer.Option(None, "--merge", help="ID=INTO: merge theme ID into theme INTO"),
    pin: int = typer.Option(None, "--pin", help="ID: keep this theme across refits"),
    unpin: int = typer.Option(None, "--unpin", help="ID: let a refit replace this theme"),
    limit: int = typer.Option(30, help="show this many themes"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """List themes (counts, share negative, trend, an example), or rename, merge, pin them."""
    from rich.table import Table

    from ..text import analysis

    store = open_store()
    if rename is not None:
        theme_id, name = parse_pair(rename, "--rename", "ID=NAME")
        analysis.rename_theme(store, int(theme_id), name)
    if merge is not None:
        theme_id, into = parse_pair(merge, "--merge", "ID=INTO")
        moved = analysis.merge_themes(store, int(theme_id), int(into))
        out.print(f"merged theme {theme_id} into {into}: {moved:,} texts moved")
    if pin is not None:
        analysis.pin_theme(store, pin, True)
    if unpin is not None:
        analysis.pin_theme(store, unpin, False)
    found = analysis.themes(store)[:limit]
    if as_json:
        out.print_json(json.dumps([asdict(t) for t in found], ensure_ascii=False))
        return
    table = Table("id", "theme", "lang", "texts", "negative", "trend (months)", "example")
    for t in found:
        table.add_row(
            str(t.id),
            ("📌 " if t.pinned else "") + t.name,
            t.language,
            f"{t.count:,}",
            f"{t.share_negative:.0%}",
            " ".join(str(v) for v in t.trend.values()),
            (t.examples[0] if t.examples else "")[:70],
        )
    print_fitted(table, wide=wide)


def parse_pair(value: str, option: str, form: str) -> tuple[str, str]:
    """``--rename ID=NAME`` or ``--merge ID=INTO`` as its two halves, checked."""
    left, sep, right = value.partition("=")
    if not sep or not left.strip().isdigit() or not right.strip():
        raise InputError(
            f"{option} {value!r}: write it as {form}, e.g. {option} 12=" + ("Late parcels" if "NAME" in form else "7")
        )
    if "INTO" in form and not right.strip().isdigit():
        raise InputError(f"{option} {value!r}: INTO must be a theme id (a number)")
    return left.strip(), right.strip()


@app.command("requests")
def requests_cmd(
    limit: int = typer.Option(20, help="show this many groups"),
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """Feature requests, grouped by near-duplicates, with requesters and their revenue."""
    from rich.table import Table

    from ..text import analysis

    store = open_store()
    table = Table("request", "texts", "requesters", "revenue (12 months)")
    for g in analysis.feature_requests(store)[:limit]:
        table.add_row(g.text[:80], f"{g.count:,}", f"{g.requesters:,}", f"{g.revenue:,.0f}")
    print_fitted(table, wide=wide)


@app.command("drivers")
def drivers_cmd(
    metric: str = typer.Option("nps", help="nps, csat or ces"),
    spikes: bool = typer.Option(True, help="also list themes whose share rose significantly in the last week"),
) -> None:
    """Key drivers of a score (Johnson's relative weights, R², p-values), NPS gain per theme,
    and spikes."""
    from ..text import findings

    store = open_store()
    result, gains = findings.key_drivers(store, metric)
    out.print(result.summary())
    if gains:
        out.print("NPS gain if each theme's detractors became passives:")
        for name, gain in list(gains.items())[:15]:
            out.print(f"  {name:40} +{gain:.2f}")
    if spikes:
        found = findings.text_spikes(store)
        out.print("spikes (last 7 days against the 12 weeks before): " + ("none" if not found else ""))
        for sp in found:
            out.print(
                f"  {sp.name:40} {sp.count} of {sp.total} ({sp.share:.1%} against {sp.baseline_share:.1%}), p={sp.p_value:.2g}"
            )
