"""What every command shares: the consoles, the store, error printing, progress bars, table cells.

Light on purpose: every command module imports this, and ``cxlens --help`` imports every command
module, so the library (SQLAlchemy, the collection, the importer) loads inside the functions here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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
    "print_fitted",
    "print_table",
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


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    wide: bool = False,
    drop: Sequence[str | tuple[str, ...]] | None = None,
    markup: bool = False,
) -> None:
    """Rows of strings under ``columns``, printed by :func:`print_fitted`."""
    from rich.table import Table

    table = Table(*columns)
    for row in rows:
        table.add_row(*row)
    print_fitted(table, wide=wide, drop=drop, markup=markup)


def print_fitted(
    table,
    *,
    wide: bool = False,
    drop: Sequence[str | tuple[str, ...]] | None = None,
    markup: bool | None = None,
) -> None:
    """A rich table that fits the terminal without cutting a cell to "co…": cells wrap (a word
    longer than its column folds onto the next line), and when the columns' longest words do
    not fit side by side, columns are left out, ``drop`` first (default: from the right, never
    the first; a tuple of headers goes together), and named under the table; ``wide`` shows
    every column at its natural width, however wide the lines. The console is made here, so the terminal's width (COLUMNS) is read now."""
    console = Console()
    for col in table.columns:
        col.overflow = "fold"
    headers = [str(c.header) for c in table.columns]
    groups = [g if isinstance(g, tuple) else (g,) for g in (drop if drop is not None else reversed(headers[1:]))]
    groups = [g for g in groups if all(h in headers for h in g)]

    def needed() -> int:
        mins, _ = _column_sizes(console, table)
        return sum(mins) + _frame(len(mins))

    if wide:  # every column at its natural width: lines may run past the terminal (less -S)
        _, maxs = _column_sizes(console, table)
        console = Console(width=max(console.width, sum(maxs) + _frame(len(maxs))))
    hidden: list[str] = []
    while not wide and groups and needed() > console.width:
        for header in groups.pop(0):
            table.columns = [c for c in table.columns if str(c.header) != header]
            hidden.append(header)
    _share_width(console, table)
    console.print(table, highlight=False, **({} if markup is None else {"markup": markup}))
    if hidden:
        console.print(
            f"Not shown at {console.width} columns: {', '.join(h for h in headers if h in hidden)} "
            "(--wide shows every column).",
            style="dim",
            markup=False,
            highlight=False,
        )


# A word longer than this (a URL, a sentence in a script without spaces) folds rather than
# claiming a column this wide for itself.
LONGEST_WORD = 30


def _frame(columns: int) -> int:
    """Padding (one space each side) and the box's rules: one between columns, one at each edge."""
    return 3 * columns + 1


def _column_sizes(console: Console, table) -> tuple[list[int], list[int]]:
    """Each column's narrowest and widest width: its header or longest word (at most
    LONGEST_WORD) and its longest cell. Measured as if the terminal had no edge: rich's own is capped at it."""
    unbounded = console.options.update_width(100_000)
    mins, maxs = [], []
    for col in table.columns:
        sizes = [console.measure(c, options=unbounded) for c in (col.header, *col.cells)]
        # A header stays on one line when it can: "CLV at stake", not "CLV at" over "stake".
        mins.append(min(max(sizes[0].maximum, *(m.minimum for m in sizes)), LONGEST_WORD))
        maxs.append(max(m.maximum for m in sizes))
    return mins, maxs


def _share_width(console: Console, table) -> None:
    """Fix each column's width: its longest word at least, the rest of the terminal shared in
    proportion to what each column would add. Rich's own squeeze narrows the widest column
    first, below its longest word (an e-mail address folded in two)."""
    mins, maxs = _column_sizes(console, table)
    room = console.width - _frame(len(mins))
    if sum(maxs) <= room or sum(mins) > room:
        return  # it fits as it is, or nothing but folding can make it fit
    spare, wants = room - sum(mins), [hi - lo for lo, hi in zip(mins, maxs)]
    widths = [lo + spare * want // sum(wants) for lo, want in zip(mins, wants)]
    for col, w in zip(table.columns, widths):
        col.width = w
