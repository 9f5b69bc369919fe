"""``cxlens surveys …``: survey definitions, their links and the widget (thin over :mod:`cxlens.collect`)."""

from __future__ import annotations

from pathlib import Path

import typer

from .shared import FreshConsole, open_collection, open_store, print_fitted

__all__ = ["app"]

app = typer.Typer(name="surveys", help="Surveys: definitions, links and the widget.", no_args_is_help=True)
out = FreshConsole()


@app.command("load")
def surveys_load(file: Path = typer.Argument(..., help="a surveys (or journeys) YAML file")) -> None:
    """Check FILE, collection settings included (questions, texts, trigger, widget), and load it."""
    from ..collect.surveys import load_surveys

    out.print(load_surveys(open_store(create=True), file).summary())


@app.command("list")
def surveys_list(
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """The surveys with their languages, channels and trigger."""
    from rich.table import Table

    collection = open_collection()
    table = Table("key", "metric", "languages", "channels", "trigger", "sampling", "fatigue")
    for sv in sorted(collection.catalog.all(), key=lambda d: d.key):
        trig = sv.trigger
        trigger = f"{trig.touchpoint} +{trig.after_seconds / 3600:g}h → {trig.channel}" if trig else "-"
        table.add_row(
            sv.key,
            f"{sv.metric} {sv.scale[0]}-{sv.scale[1]}" if sv.scale else sv.metric,
            ", ".join(sv.languages),
            ", ".join(sv.channels),
            trigger,
            f"{sv.sampling:g}",
            f"{sv.fatigue_days}d" if sv.fatigue_days is not None else "default",
        )
    print_fitted(table, wide=wide)


@app.command("links")
def surveys_links(survey: str = typer.Argument(..., help="the survey's key")) -> None:
    """The anonymous link (for a web page or QR code) and the widget's script tag."""
    collection = open_collection()
    sv = collection.catalog.by_key(survey)
    base = collection.policy.public_url
    out.print(f"open link: {base}/s/open/{sv.key}", markup=False)
    out.print(f'widget:    <script src="{base}/w/{sv.key}.js" async></script>', markup=False)
    if not sv.origins:
        out.print("(the widget answers only from the origins in the survey's widget: {origins: [...]})")
