"""Registers ``cases:`` as a section of journeys files: list ``cxlens.alerts.case_section`` in
:data:`cxlens.ingest.journeys.sections.EXTENSIONS` and the one loader checks and stores it
(:func:`~cxlens.alerts.case_settings.parse_cases_section`, ``save_cases_section``).

A module of its own because the loader imports it, not the write path: the answer hooks import
:mod:`cxlens.alerts.case_settings` while :mod:`cxlens.ingest` is still being imported."""

from __future__ import annotations

from ..ingest.journeys.sections import register_section
from .case_settings import parse_cases_section, save_cases_section

__all__: list[str] = []

register_section("cases", parse_cases_section, save_cases_section)
