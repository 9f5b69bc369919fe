"""The limits every way in shares (survey form, widget, REST API, imports), kept in one place
so that no path accepts what another refuses. Standard library only: ingest, collect and web
all read it.
"""

from __future__ import annotations

__all__ = ["MAX_BODY_BYTES", "MAX_COMMENT_CHARS", "MAX_JSON_DEPTH", "text_problem"]

# A customer's open answer: the survey form's textarea says the same. Longer is almost surely
# not a person typing, and one 10 MB comment made its customer's page weigh 11 MB.
MAX_COMMENT_CHARS = 5000
# A request body: a batch of 1,000 events with their properties fits in well under 1 MB.
MAX_BODY_BYTES = 2_000_000
# JSON nesting: properties a backend sends are a few levels deep; parsers recurse.
MAX_JSON_DEPTH = 32


def text_problem(text: str) -> str | None:
    """Why a text cannot be stored as it is, or None. PostgreSQL keeps no NUL character, and a
    lone UTF-16 surrogate (which JSON's ``\\ud800`` escapes can make) is no character at all."""
    if "\x00" in text:
        return "holds a NUL character (\\u0000), which text cannot hold; remove it"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (an unpaired \\ud800-\\udfff escape), which is not a character; fix the encoding"
    return None
