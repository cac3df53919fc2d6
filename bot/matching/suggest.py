"""Suggestions among the consenting entities: the best candidates for each, never a declined pair nor one
already introduced, never an entity that did not opt in or was erased (only match_profile rows are read)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching.reasons import reasons
from bot.matching.rules import Rules
from bot.matching.scoring import Matrices, Pair, Profile, pair_of, score_all, top_for
from bot.store import matching as store


def profile_of(row: store.ProfileRow) -> Profile:
    return Profile(id=row.entity_id, name=row.name, field=row.field, territory=row.territory,
                   size_staff=row.size_staff, objective=row.objective, motivation=row.motivation,
                   readiness=row.readiness, fear_power=row.fear_power, offers=tuple(row.offers),
                   seeks=tuple(row.seeks), groups_served=tuple(row.groups_served), language=row.language)


@dataclass
class Suggestions:
    """Every consenting entity's best candidates (indexes into `matrices.profiles`), best first."""

    matrices: Matrices
    best: dict[int, list[int]]          # entity id -> indexes of its candidates
    index: dict[int, int]               # entity id -> index

    def pair(self, i: int, j: int, rules: Rules) -> Pair:
        return pair_of(self.matrices, i, j, rules)

    def pairs(self, rules: Rules) -> list[Pair]:
        """Every suggested pair once (as the first of the two that has it among its best), best first."""
        seen: set[frozenset[int]] = set()
        out: list[Pair] = []
        for i, row in enumerate(self.matrices.profiles):
            for j in self.best.get(row.id, []):
                key = frozenset((i, j))
                if key not in seen:
                    seen.add(key)
                    out.append(self.pair(i, j, rules))
        return sorted(out, key=lambda p: (-p.score, p.a.id, p.b.id))

    def for_entity(self, entity_id: int, rules: Rules) -> list[Pair]:
        i = self.index.get(entity_id)
        return [] if i is None else [self.pair(i, j, rules) for j in self.best.get(entity_id, [])]


async def suggest(*, session: AsyncSession, rules: Rules, per_entity: int, min_score: float) -> Suggestions:
    """Score every consenting pair and keep each entity's best `per_entity` (≥ min_score)."""
    profiles = [profile_of(r) for r in await store.load_profiles(session=session)]
    blocked = await store.blocked_pairs(session=session)
    return rank(profiles, rules, per_entity=per_entity, min_score=min_score, blocked=set(blocked))


def rank(profiles: list[Profile], rules: Rules, *, per_entity: int, min_score: float,
         blocked: set[frozenset[int]] | None = None) -> Suggestions:
    m = score_all(profiles, rules)
    index = {p.id: i for i, p in enumerate(m.profiles)}
    excluded: dict[int, set[int]] = {}
    for pair in blocked or set():
        ids = list(pair)
        if len(ids) == 2 and ids[0] in index and ids[1] in index:
            excluded.setdefault(index[ids[0]], set()).add(index[ids[1]])
            excluded.setdefault(index[ids[1]], set()).add(index[ids[0]])
    best = {p.id: top_for(m, i, per_entity, min_score=min_score, excluded=excluded.get(i))
            for i, p in enumerate(m.profiles)}
    return Suggestions(matrices=m, best=best, index=index)


def as_json(pair: Pair, rules: Rules, lang: str) -> dict[str, Any]:
    """`aliat matches` (and the dashboard's data): a and b with id and name, score 0-1, aim, reasons."""
    return {"a": {"id": pair.a.id, "name": pair.a.name}, "b": {"id": pair.b.id, "name": pair.b.name},
            "score": round(max(0.0, min(1.0, pair.score)), 3), "aim": pair.aim,
            "reasons": reasons(pair, rules, lang)}
