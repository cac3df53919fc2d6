"""An action's writes done once per turn, in process and on an action server alike (bot/store/effects.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy.ext.asyncio import AsyncSession

from actions import services
from bot.store import effects


@dataclass
class Effect:
    """The transaction of an action's writes. `done`: this turn wrote them already; `result` is what it
    kept (ids), and nothing is to be written again. Else write with `session` and fill `result`."""

    session: AsyncSession
    done: bool = False
    result: dict[str, Any] = field(default_factory=dict)


def effect_key(tracker: Tracker, name: str) -> str | None:
    """The turn's key (set by the engine in the tracker it sends) with the action's name; None without one
    (an engine that sets none: the writes are then only transactional)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    key = metadata.get("effect_key")
    return f"{key}:{name}" if isinstance(key, str) and key else None


@asynccontextmanager
async def once(tracker: Tracker, name: str) -> AsyncIterator[Effect]:
    """`async with once(tracker, self.name()) as effect:` — the claim, the writes and `effect.result` commit
    together, or none of them does."""
    key = effect_key(tracker, name)
    async with services.sessionmaker()() as session, session.begin():
        kept = await effects.claim(session=session, key=key, action=name) if key else None
        effect = Effect(session=session, done=kept is not None, result=dict(kept or {}))
        yield effect
        if key and not effect.done and effect.result:  # the claim stored {} already: no second statement
            await effects.keep(session=session, key=key, result=effect.result)
