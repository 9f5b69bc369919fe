"""text/ — sentiment, themes, feature requests and key drivers over stored texts (DESIGN.md §3).

Empty until the text-analytics work lands; comments, ticket texts and mentions are stored with
their language so that it can start from the store.
"""

__all__: list[str] = []
