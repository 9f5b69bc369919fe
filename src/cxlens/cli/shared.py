"""What every command shares: the consoles, the store, error printing, progress bars, table cells.

Light on purpose: every command module imports this, and ``cxlens --help`` imports every command
module, so the library (SQLAlchemy, the collection, the importer) loads inside the functions here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from ..collect import Collection
    from ..store import Store

__all__ = [
    "PROGRESS_BYTES",
    "FreshConsole",
    "cell",
    "err",
    "open_collection",
    "open_store",
    "out",
    "print_error",
    "progress_bar",
]

out = Console()
err = Console(stderr=True)

# Files above this size take more than about a second: they get a progress bar.
PROGRESS_BYTES = 5_000_000


class FreshConsole:
    """A console made per print, so the terminal width (COLUMNS) is read when printing."""

    def print(self, *args, **kwargs) -> None:
        Console().print(*args, **kwargs)


def print_error(exc: Exception) -> None:
    """A :class:`~cxlens.errors.CxlensError` as the user reads it: its message, no traceback."""
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)


def open_store(create: bool = False) -> Store:
    """The store that CXLENS_DATABASE_URL names (or the embedded SQLite file), said on a
    terminal's standard error. Only commands that fill a store (``create``) make one: a data
    command run with the settings missing would otherwise work on a new, empty store."""
    import sqlalchemy as sa

    from ..config import settings
    from ..errors import StoreError
    from ..store import open_store as open_configured_store

    url = settings().database_url
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    if not create and not _store_exists(url):
        raise StoreError(
            f"there is no store at {shown}: set CXLENS_DATABASE_URL (or CXLENS_DATA_DIR) to yours, "
            "or create one with `cxlens db upgrade` (empty) or `cxlens demo`"
        )
    if err.is_terminal:
        err.print(f"store: {shown}", style="dim", highlight=False)
    return open_configured_store(url)


def _store_exists(url: str) -> bool:
    import sqlalchemy as sa

    from ..store import Store

    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if not path or path == ":memory:":
            return True
        from pathlib import Path

        if not Path(path).expanduser().exists():
            return False
    store = Store(url)
    try:
        return store.current_revision() is not None
    finally:
        store.dispose()


def open_collection() -> Collection:
    """The store with the collection's settings from the environment (CXLENS_PUBLIC_URL, CXLENS_SMTP_*, …)."""
    from ..collect import Collection, policy_from_env

    return Collection(open_store(), policy=policy_from_env())


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A callback ``(stage, done, total)`` drawing one rich progress bar per stage."""
    if not enabled or not err.is_terminal:
        yield lambda stage, done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield update


def cell(value) -> str:
    """A value as a table cell: floats to 3 significant digits (or thousands), times as their date."""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    return "" if value is None else str(value)
