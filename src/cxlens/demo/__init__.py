"""The demo company (Northwind Gear): journeys, customers, feedback, tickets, churn, revenue."""

from .generator import JOURNEYS_FILE, DemoSummary, generate_demo

__all__ = ["JOURNEYS_FILE", "DemoSummary", "generate_demo"]
