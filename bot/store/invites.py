"""Invite links: a coordinator (or `aliat invite`) makes one for a role; the person opens it in Telegram
and is registered as a facilitator, trainer or coordinator under their Telegram name, with no shell and
no numeric id to look up.

A link carries a random token (128 bits) of which only a SHA-256 hash is stored, works once and expires
(`HOURS`). Opening it is `/start inv_<token>`: Telegram sends that when the person taps the t.me link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.clock import aware, now_utc
from bot.store.db import changed
from bot.store.facilitators import add_facilitator
from bot.store.models import Invite
from bot.store.staff import add_coordinator, token_hash
from bot.store.workshops import add_trainer

ROLES = ("facilitator", "trainer", "coordinator")
PREFIX = "inv_"
HOURS = 72


def start_parameter(token: str) -> str:
    """What the t.me link passes to /start (letters, digits, _ and -: Telegram's alphabet for it)."""
    return f"{PREFIX}{token}"


def link(token: str, bot_username: str) -> str:
    """The link to send the person, or "" when the bot's username is not known."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={start_parameter(token)}" if bot_username else ""


def token_of(start_argument: str | None) -> str | None:
    """The token in /start's argument, if it is an invite's."""
    if start_argument and start_argument.startswith(PREFIX) and 10 <= len(start_argument) <= 64:
        return start_argument[len(PREFIX):]
    return None


async def create_invite(*, session: AsyncSession, role: str, name: str | None = None,
                        created_by: int | None = None, hours: float = HOURS) -> str:
    """A new invite for `role`; returns its token (shown once, never stored)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    token = secrets.token_urlsafe(16)
    now = now_utc()
    session.add(Invite(token_hash=token_hash(token), role=role, name=(name or "").strip()[:200] or None,
                       created_by=created_by, created_at=now, expires_at=now + timedelta(hours=hours)))
    await session.flush()
    return token


@dataclass
class Joined:
    role: str
    name: str


async def use_invite(*, session: AsyncSession, token: str, telegram_user_id: int, name: str,
                     language: str | None = None, now: datetime | None = None) -> Joined | None:
    """Register the person who opened the link (once, before it expires); None when it does not work."""
    now = now or now_utc()
    invite = await session.scalar(select(Invite).where(Invite.token_hash == token_hash(token)))
    if invite is None or invite.used_at is not None or (aware(invite.expires_at) or now) <= now:
        return None
    result = await session.execute(update(Invite).where(Invite.token_hash == invite.token_hash,
                                                        Invite.used_at.is_(None))
                                   .values(used_at=now, used_by=telegram_user_id))
    if changed(result) != 1:
        return None  # opened twice at once: the first one counts
    name = (invite.name or name or str(telegram_user_id)).strip()[:200]
    if invite.role == "facilitator":
        await add_facilitator(session=session, telegram_user_id=telegram_user_id, name=name, language=language)
    elif invite.role == "trainer":
        await add_trainer(session=session, telegram_user_id=telegram_user_id, name=name)
    else:
        await add_coordinator(session=session, telegram_user_id=telegram_user_id, name=name, language=language)
    return Joined(role=invite.role, name=name)


async def roles_of(*, session: AsyncSession, telegram_user_id: int) -> list[str]:
    """Every role this person has now (/whoami)."""
    from bot.store.models import Coordinator, Facilitator, Trainer

    roles = []
    for role, model in (("facilitator", Facilitator), ("trainer", Trainer), ("coordinator", Coordinator)):
        query = select(model.id).where(model.telegram_user_id == telegram_user_id)
        if hasattr(model, "active"):
            query = query.where(model.active.is_(True))
        if await session.scalar(query) is not None:
            roles.append(role)
    return roles
