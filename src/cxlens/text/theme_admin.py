"""What an admin decides about discovered themes beyond the CLI's rename, merge and pin:
ignore one as noise, and which taxonomy topics one can be merged into."""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import InputError
from ..store import Store
from ..store import schema as s

__all__ = ["ignore_theme", "taxonomy_themes"]


def taxonomy_themes(store: Store) -> list[tuple[int, str]]:
    """(id, name) of every taxonomy topic's theme row, in taxonomy order: what a discovered
    theme can be merged into."""
    t = s.text_themes
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(t).where(t.c.merged_into_id.is_(None)).order_by(t.c.number, t.c.id)).all()
    return [(r.id, r.name or r.label) for r in rows if (r.terms or {}).get("topic")]


def ignore_theme(store: Store, theme_id: int, ignored: bool = True) -> None:
    """An ignored theme is noise to the admin: left out of the theme lists and the Words page.
    Ignoring pins it too, so that a refit keeps the row and the decision."""
    with store.begin() as conn:
        row = conn.execute(sa.select(s.text_themes).where(s.text_themes.c.id == theme_id)).first()
        if row is None:
            raise InputError(f"theme {theme_id} does not exist; the list of themes is current")
        if (row.terms or {}).get("topic"):
            raise InputError(
                f"theme {theme_id} is the taxonomy topic {row.terms['topic']!r}: remove it from the "
                "taxonomy YAML instead of ignoring it"
            )
        values = {"ignored": ignored, "pinned": True} if ignored else {"ignored": False}
        conn.execute(sa.update(s.text_themes).where(s.text_themes.c.id == theme_id).values(**values))
