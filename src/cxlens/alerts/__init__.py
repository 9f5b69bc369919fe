"""alerts/ — rules and anomaly tests on analytics results, and their notifiers (DESIGN.md §3).

Empty until alerting lands; the ``alert_rules`` and ``alerts`` tables exist in the store.
"""

__all__: list[str] = []
