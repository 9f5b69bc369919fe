"""Names for the demo company's customers and agents, per language, drawn vectorised."""

from __future__ import annotations

import numpy as np

__all__ = ["agents", "handles", "names"]

FIRST = {
    "en": ["Olivia", "Liam", "Emma", "Noah", "Ava", "James", "Mia", "Lucas", "Grace", "Ethan"],
    "de": ["Lena", "Jonas", "Mia", "Felix", "Hannah", "Lukas", "Emilia", "Paul", "Marie", "Leon"],
    "es": ["Lucía", "Hugo", "Sofía", "Martín", "Carmen", "Pablo", "Elena", "Diego", "Valeria", "Mateo"],
    "fi": ["Aino", "Eetu", "Helmi", "Onni", "Venla", "Leevi", "Ella", "Väinö", "Siiri", "Elias"],
    "ru": ["Анна", "Иван", "Мария", "Дмитрий", "Ольга", "Сергей", "Елена", "Алексей", "Наталья", "Михаил"],
    "zh": ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳"],
    "th": ["Somchai", "Malee", "Niran", "Ploy", "Anan", "Kanya", "Chai", "Suda", "Wichai", "Nok"],
}
LAST = {
    "en": ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "O'Brien", "Clarke", "Walker", "Hall"],
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch"],
    "es": ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Díaz", "Ruiz", "Moreno"],
    "fi": [
        "Korhonen",
        "Virtanen",
        "Mäkinen",
        "Nieminen",
        "Hämäläinen",
        "Laine",
        "Heikkinen",
        "Koskinen",
        "Järvinen",
        "Lehtonen",
    ],
    "ru": ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров"],
    "zh": ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"],
    "th": [
        "Saetang",
        "Srisuk",
        "Wongsa",
        "Chaiyaporn",
        "Rattanakul",
        "Boonmee",
        "Kittisak",
        "Suwan",
        "Thongdee",
        "Phromma",
    ],
}
AGENTS = {
    "support-tier1": ["Maya Lindqvist", "Omar Haddad", "Julia Kowalski", "Ken Sato", "Priya Nair", "Tom Becker"],
    "support-tier2": ["Anna Virtanen", "Carlos Ruiz", "Wei Chen"],
    "billing": ["Sara Olsen", "David Cohen"],
}
HANDLE_WORDS = ["trail", "peak", "camp", "fjord", "summit", "forest", "river", "alpine", "wander", "north"]


def names(rng: np.random.Generator, locales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last names matching each customer's locale."""
    first = np.empty(len(locales), dtype=object)
    last = np.empty(len(locales), dtype=object)
    for code in FIRST:
        mask = locales == code
        k = int(mask.sum())
        first[mask] = np.array(FIRST[code], dtype=object)[rng.integers(0, 10, k)]
        last[mask] = np.array(LAST[code], dtype=object)[rng.integers(0, 10, k)]
    if np.any(locales == "zh"):  # Chinese names are written family name first, no space
        zh = locales == "zh"
        first[zh], last[zh] = last[zh], first[zh]
    return first, last


def agents(rng: np.random.Generator, teams: np.ndarray) -> np.ndarray:
    out = np.empty(len(teams), dtype=object)
    for team, people in AGENTS.items():
        mask = teams == team
        out[mask] = np.array(people, dtype=object)[rng.integers(0, len(people), int(mask.sum()))]
    return out


def handles(rng: np.random.Generator, n: int) -> np.ndarray:
    words = np.array(HANDLE_WORDS, dtype=object)
    return words[rng.integers(0, len(words), n)] + "_" + rng.integers(10, 9999, n).astype(str).astype(object)
