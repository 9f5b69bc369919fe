"""Personas: named, versioned segment definitions in YAML, applied to the store's customers.

A definition names itself, carries a version (kept with each customer it sets, so a KPI sliced
by persona can say which definition made the slices) and lists personas in order; the first
persona whose every condition a customer meets names them::

    name: support personas
    version: 2
    personas:
      - name: frustrated regular
        about: buys often, unhappy with support
        when:
          rfm_segment: [champions, loyal]       # one of these
          latest_nps: {max: 6}                  # a behaviour feature, inclusive range
      - name: quiet newcomer
        when:
          cluster: cluster 1                    # a k-means cluster (``cxlens segments cluster``)
          tenure_years: {max: 0.5}

Conditions read the customer's fields (``FIELDS``) and the behaviour features of the churn
model (``churn_features.NUMERIC``, as of now). Customers no persona matches keep the persona
they had (their import's): a definition adds to what a company imports, it does not erase it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError
from .churn_features import NUMERIC

__all__ = [
    "FIELDS",
    "Persona",
    "PersonaDefinition",
    "apply_definition",
    "assign",
    "customer_table",
    "load_definition",
    "parse_definition",
]

FIELDS = ("segment", "plan", "locale", "persona", "rfm_segment", "rfm_code", "cluster")


@dataclass(frozen=True)
class Condition:
    field: str
    values: tuple[str, ...] = ()  # one of these (a customer field)
    low: float | None = None  # a behaviour feature in [low, high]
    high: float | None = None

    def test(self, table: pd.DataFrame) -> np.ndarray:
        column = table[self.field]
        if self.values:
            return column.astype("string").isin(self.values).fillna(False).to_numpy(dtype=bool)
        x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        ok = ~np.isnan(x)
        if self.low is not None:
            ok &= x >= self.low
        if self.high is not None:
            ok &= x <= self.high
        return ok


@dataclass(frozen=True)
class Persona:
    name: str
    about: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class PersonaDefinition:
    name: str
    version: str
    personas: tuple[Persona, ...]
    source: dict | None = None  # the parsed YAML, kept with the stored model

    @property
    def label(self) -> str:
        """What each customer's ``persona_version`` holds: the definition's name and version."""
        return f"{self.name} v{self.version}"[:100]

    @property
    def features(self) -> set[str]:
        """The behaviour features the conditions read (computing them costs a pass each)."""
        return {c.field for p in self.personas for c in p.conditions if c.field in NUMERIC}


def load_definition(path: str | Path) -> PersonaDefinition:
    """The definition in a YAML file; an InputError names the file and the place in it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the persona definition ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    return parse_definition(data, str(path))


def parse_definition(data, where: str = "personas") -> PersonaDefinition:
    """A definition from its parsed YAML; errors say ``where``, the path in it, the value and
    what would do."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: a persona definition is a mapping with name, version and personas")
    unknown = set(data) - {"name", "version", "personas"}
    if unknown:
        raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r}; the keys are name, version, personas")
    name = _text(data.get("name"), f"{where}: name")
    version = data.get("version")
    if not isinstance(version, (int, str)) or isinstance(version, bool) or not str(version).strip():
        raise InputError(f"{where}: version: {version!r} is not a version; give a number or a short text (e.g. 3)")
    items = data.get("personas")
    if not isinstance(items, list) or not items:
        raise InputError(f"{where}: personas: give a list of at least one persona")
    personas, seen = [], set()
    for i, item in enumerate(items):
        at = f"{where}: personas[{i}]"
        if not isinstance(item, dict):
            raise InputError(f"{at}: {item!r} is not a persona; give a mapping with name and when")
        extra = set(item) - {"name", "about", "when"}
        if extra:
            raise InputError(f"{at}: unknown key {sorted(extra)[0]!r}; a persona has name, about, when")
        pname = _text(item.get("name"), f"{at}.name")
        if pname in seen:
            raise InputError(f"{at}.name: {pname!r} is named twice; each persona's name is its own")
        seen.add(pname)
        when = item.get("when") or {}
        if not isinstance(when, dict):
            raise InputError(f"{at}.when: {when!r} is not a mapping of field to condition")
        conditions = tuple(_condition(field, rule, f"{at}.when.{field}") for field, rule in when.items())
        personas.append(Persona(pname, str(item.get("about") or ""), conditions))
    return PersonaDefinition(name, str(version).strip(), tuple(personas), data)


def _text(value, at: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{at}: {value!r} is not a name; give a short text")
    if len(value) > 100:
        raise InputError(f"{at}: {value[:20]!r}… is {len(value)} characters; the most is 100")
    return value.strip()


def _condition(field, rule, at: str) -> Condition:
    if field in FIELDS:
        values = rule if isinstance(rule, list) else [rule]
        if not values or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
            raise InputError(f"{at}: {rule!r} is not a value or a list of values of {field}")
        return Condition(field, values=tuple(str(v) for v in values))
    if field in NUMERIC:
        if not isinstance(rule, dict) or not rule or set(rule) - {"min", "max"}:
            raise InputError(f"{at}: {rule!r} is not a range; give {{min: …}}, {{max: …}} or both")
        for key, value in rule.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise InputError(f"{at}.{key}: {value!r} is not a number")
        low, high = rule.get("min"), rule.get("max")
        if low is not None and high is not None and low > high:
            raise InputError(f"{at}: min {low} is above max {high}")
        return Condition(field, low=low, high=high)
    known = ", ".join((*FIELDS, *NUMERIC))
    raise InputError(f"{at}: {field!r} is not a customer field or behaviour feature; use one of {known}")


def customer_table(k, definition: PersonaDefinition, at: datetime | None = None) -> pd.DataFrame:
    """Every customer's fields, and the behaviour features the definition reads (``k``: KPIs)."""
    e = k.engine
    c = e.table("customers")
    table = e.execute(c.select("id", *FIELDS)).to_pandas().set_index("id")
    if definition.features:
        from .churn_features import customer_features

        features = customer_features(k, at or datetime.now(timezone.utc)).table
        table = table.join(features[sorted(definition.features)], how="left")
    return table


def assign(definition: PersonaDefinition, table: pd.DataFrame) -> pd.Series:
    """Each customer's persona (the first whose conditions they all meet), None if none."""
    named = pd.Series([None] * len(table), index=table.index, dtype=object)
    left = np.ones(len(table), dtype=bool)
    for persona in definition.personas:
        hit = left.copy()
        for condition in persona.conditions:
            hit &= condition.test(table)
        named[hit] = persona.name
        left &= ~hit
    return named


def apply_definition(store, definition: PersonaDefinition, *, at: datetime | None = None) -> dict[str, int]:
    """Assign and store every matched customer's persona with the definition's version (on
    the customer and in ``customer_predictions``); returns each persona's count."""
    from ..analytics.kpis import kpi
    from .stored import save_predictions

    named = assign(definition, customer_table(kpi(store), definition, at)).dropna()
    rows = [(cid, {"persona": name, "version": definition.label}) for cid, name in named.items()]
    summary = {
        "definition": definition.name,
        "version": definition.version,
        "personas": [{"name": p.name, "about": p.about} for p in definition.personas],
        "source": definition.source,  # what a scheduled recompute applies again
    }
    save_predictions(store, "persona", version=definition.label, summary=summary, rows=rows)
    counts = named.value_counts()
    return {p.name: int(counts.get(p.name, 0)) for p in definition.personas}
