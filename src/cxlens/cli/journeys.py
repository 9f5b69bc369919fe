"""``cxlens journeys …``: journeys, stages and touchpoints as code (a YAML file)."""

from __future__ import annotations

from pathlib import Path

import typer

from .shared import open_store, out

__all__ = ["app"]

app = typer.Typer(name="journeys", help="Journeys, stages and touchpoints as code.", no_args_is_help=True)


@app.command("load")
def journeys_load(file: Path = typer.Argument(..., help="a journeys YAML file")) -> None:
    """Validate FILE and upsert its journeys, stages, touchpoints, targets and surveys."""
    from ..collect.surveys import load_surveys  # checks the surveys' collection settings (texts, trigger, widget) too

    result = load_surveys(open_store(create=True), file)
    out.print(result.summary())


@app.command("show")
def journeys_show() -> None:
    """Print the journey map: journeys → stages → touchpoints with their targets."""
    from rich.tree import Tree

    from ..ingest.journeys import journey_tree
    from ..metrics import format_target, written_target

    tree = journey_tree(open_store())
    if not tree:
        out.print("No journeys yet. Load some: cxlens journeys load FILE (see the README for the format)")
        return
    root = Tree("[bold]Journeys")
    for j in tree:
        jn = root.add(f"[bold]{j['name']}[/] ({j['key']})" + (f" — {j['goal']}" if j["goal"] else ""))
        for st in j["stages"]:
            sn = jn.add(f"{st['name']} ({st['key']})")
            for tp in st["touchpoints"]:
                targets = ", ".join(f"{written_target(m)} {format_target(m, v)}" for m, v in tp["targets"].items())
                where = " · ".join(x for x in (tp["channel"], tp["team"]) if x)
                sn.add(f"{tp['name']} ({tp['key']}) [dim]{where}[/]" + (f"  targets: {targets}" if targets else ""))
    out.print(root)
