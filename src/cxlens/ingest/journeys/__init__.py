"""Journeys as code: a YAML file of journeys → ordered stages → touchpoints (with targets),
plus the surveys that ask about them.

    journeys:
      - key: get-help
        name: Get help
        goal: Solve a problem with our help
        stages:
          - key: ask
            name: Ask for help
            touchpoints:
              - key: support-chat
                name: Support chat
                channel: chat
                team: support
                targets: {first_response_time: {median: 2m}, csat: 85, first_contact_resolution: 70}
    surveys:
      - key: support-csat
        name: Support satisfaction
        metric: csat
        scale: 1-5
        touchpoint: support-chat

A file may hold journeys, surveys or both. Loading validates the whole file first and reports
every problem with its path (``journeys[1].stages[2].touchpoints[0].targets.nps: 120 is outside
-100..100``); only a valid file is written, in one transaction, as an upsert by key. A survey may
name a touchpoint loaded earlier from another file: that reference is checked against the store
when loading. Nothing is ever deleted: touchpoints missing from the file are kept and reported.

One loader, :func:`load_journeys`, checks everything a file may hold, including what other parts
of cxlens register (collection's checks of surveys; further sections: see ``sections.py``).
The modules: ``model`` (what a file holds), ``checker`` and ``parse`` (its structure),
``sections`` (the registry), ``load`` (the checks that need the store, and the writes).
"""

from .load import check_journey_data, journey_tree, load_journey_data, load_journeys
from .model import Journey, JourneyMap, LoadResult, Stage, Survey, Touchpoint
from .parse import parse_journeys, read_journey_data, read_journey_map
from .sections import register_check, register_section

__all__ = [
    "Journey",
    "JourneyMap",
    "LoadResult",
    "Stage",
    "Survey",
    "Touchpoint",
    "check_journey_data",
    "journey_tree",
    "load_journey_data",
    "load_journeys",
    "parse_journeys",
    "read_journey_data",
    "read_journey_map",
    "register_check",
    "register_section",
]
