"""analytics/ — KPIs as Ibis expressions returning sufficient statistics (DESIGN.md §3).

Empty until the KPI engine lands: the store's tables and indexes are already shaped for it
(by time, by touchpoint and time, by customer).
"""

__all__: list[str] = []
