"""Introductions through a facilitator (double opt-in): a proposal scored and stored, and what each entity
reads about the other. The answers, reminders and expiry are bot/store/matching.py's conditional updates;
the messages are rendered and sent by the notifier (bot/notifier/introductions.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching.reasons import reasons
from bot.matching.rules import Rules
from bot.matching.scoring import Pair, explain
from bot.matching.suggest import profile_of
from bot.store import matching as store


async def pair_for(*, session: AsyncSession, rules: Rules, first: int, second: int) -> Pair | None:
    """The two consenting entities scored, `first` as a (None: one of them is not in matching)."""
    rows = {r.entity_id: r for r in await store.load_profiles(session=session, entity_ids=[first, second])}
    if first not in rows or second not in rows:
        return None
    return explain(profile_of(rows[first]), profile_of(rows[second]), rules)


async def propose(*, session: AsyncSession, rules: Rules, a_entity_id: int, b_entity_id: int,
                  proposed_by: int | None) -> store.Proposal:
    """A facilitator's proposal: only between consenting entities, never a declined pair, never twice."""
    pair = await pair_for(session=session, rules=rules, first=a_entity_id, second=b_entity_id)
    if pair is None:
        return store.Proposal(False, "not_consenting")
    return await store.propose(session=session, a_entity_id=a_entity_id, b_entity_id=b_entity_id,
                               proposed_by=proposed_by, score=pair.score, aim=pair.aim)


def about_the_other(pair: Pair, rules: Rules, lang: str) -> dict[str, Any]:
    """What `pair.a` reads about `pair.b` (only what the opt-in said is shared: no contact), with codes for the
    caller to put into words (territory, objective, size) and the reasons as bullet lines."""
    other = pair.b

    def items(kind: str, ids: tuple[str, ...]) -> str:
        labels = [rules.label(kind, i, lang) for i in ids]
        return ", ".join(labels[:1] + [label[:1].lower() + label[1:] for label in labels[1:]]) or "—"

    lines = reasons(pair, rules, lang)
    return {"other_name": other.name, "other_field": other.field or "—", "territory": other.territory,
            "objective": other.objective, "size_staff": other.size_staff,
            "other_offers": items("resources", other.offers), "other_seeks": items("resources", other.seeks),
            "reasons": "\n".join(f"• {line}" for line in lines.values())}
