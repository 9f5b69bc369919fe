"""alerts/ — acting on what was measured (DESIGN.md §3): alert rules judged over many slices with
one false-discovery rate, their lifecycle, notifications through an outbox, and follow-up cases
with owners, SLAs and outcomes."""

__all__: list[str] = []
