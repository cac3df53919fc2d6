"""knowledge/matching.yml, read once per folder: the lists, the aims with their weights, the thresholds.
(The words people type for resources and groups are the profile form's synonyms, read by the engine.)"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.shared import yamlio

INDICATORS = ("complementarities", "gains", "duplications", "conflicts", "readiness")
KINDS = ("resources", "groups", "services")


def fold(text: str) -> str:
    """Lower case, no accents, letters and digits only, single spaces: how typed words are compared."""
    text = unicodedata.normalize("NFKD", str(text or "").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass(frozen=True)
class Item:
    __hash__ = object.__hash__  # cached by identity: the rules are read once per folder

    id: str
    label: dict[str, str]
    words: tuple[str, ...]  # folded; one ending in a space is a whole word, any other a word's start


@dataclass(frozen=True)
class Rules:
    resources: tuple[Item, ...]
    groups: tuple[Item, ...]
    services: tuple[Item, ...]
    aims: dict[str, dict[str, Any]]
    aim_of_objective: dict[str, str]
    settings: dict[str, Any]
    reasons: dict[str, Any]
    ids: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def weights(self, aim: str | None) -> dict[str, float]:
        spec = self.aims.get(aim or "")
        return dict(spec["weights"] if spec else self.settings["default_weights"])

    def label(self, kind: str, item_id: str, lang: str) -> str:
        item = next((i for i in getattr(self, kind) if i.id == item_id), None)
        if item is None:
            return item_id
        return item.label.get(lang) or item.label.get("ca") or item_id


def _words(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, dict):
        raw = [w for words in raw.values() for w in (words or [])]
    out = []
    for word in raw or []:
        word = str(word)
        folded = fold(word)
        if folded:
            out.append(folded + (" " if word.endswith(" ") else ""))
    return tuple(dict.fromkeys(out))


def _items(raw: list[dict[str, Any]]) -> tuple[Item, ...]:
    return tuple(Item(id=str(i["id"]), label=dict(i.get("label") or {}), words=_words(i.get("words")))
                 for i in raw or [])


@lru_cache(maxsize=8)
def load_rules(knowledge_dir: str) -> Rules:
    data = yamlio.safe_load((Path(knowledge_dir) / "matching.yml").read_text(encoding="utf-8")) or {}
    aims = dict(data.get("aims") or {})
    aim_of_objective = {str(o): aim for aim, spec in aims.items() for o in spec.get("objectives") or []}
    rules = Rules(resources=_items(data.get("resources")), groups=_items(data.get("groups")),
                  services=_items(data.get("services")), aims=aims, aim_of_objective=aim_of_objective,
                  settings=dict(data.get("rules") or {}), reasons=dict(data.get("reasons") or {}))
    object.__setattr__(rules, "ids", {kind: tuple(i.id for i in getattr(rules, kind)) for kind in KINDS})
    return rules


def _mentions(padded: str, item: Item) -> bool:
    return any(f" {w}" in padded for w in item.words)


def services_of(field_text: str | None, rules: Rules) -> list[str]:
    """The services an entity's field names, in its own words ("pisos d'inclusió" → housing)."""
    return list(_services_of(field_text or "", rules.services))


@lru_cache(maxsize=4096)
def _services_of(field_text: str, services: tuple[Item, ...]) -> tuple[str, ...]:
    padded = f" {fold(field_text)} "
    return tuple(item.id for item in services if _mentions(padded, item))
