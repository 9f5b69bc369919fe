"""Built-in wording of surveys, pages and invitations, per language.

The words are data, in ``wording.yaml`` next to this module: language → text key → text. A
survey's own ``texts`` override any of these; a language a survey offers must either be here or
give every text itself (the survey loader says which ones are missing). Keys:

* ``question.nps|csat|ces`` — the scored question (``{subject}`` is the survey's name);
* ``follow_up`` / ``follow_up_low`` — the open question after a score, the second for low scores
  (detractors, dissatisfied, "it was hard");
* page and e-mail wording, ``low``/``high`` labels of the scale.
"""

from __future__ import annotations

from pathlib import Path

import yaml

__all__ = ["BUILTIN_LANGUAGES", "BUILTIN_TEXTS", "TEXT_KEYS"]

WORDING_FILE = Path(__file__).with_name("wording.yaml")

BUILTIN_TEXTS: dict[str, dict[str, str]] = yaml.load(
    WORDING_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
)
BUILTIN_LANGUAGES: tuple[str, ...] = tuple(BUILTIN_TEXTS)
TEXT_KEYS: tuple[str, ...] = tuple(BUILTIN_TEXTS["en"])
