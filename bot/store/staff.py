"""The programme's staff on the dashboard: coordinators, one-time login links and sessions.

A person's role is read from the database on every request (an active facilitator, an active
coordinator, or both), so removing someone ends their sessions at once, with nothing to revoke by hand.
Login links and session cookies are random 256-bit tokens of which only a SHA-256 hash is stored: a copy
of the database does not let anyone in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.db import changed
from bot.store.models import Coordinator, Facilitator, Trainer, WebLogin, WebSession

LOGIN_MINUTES = 10


def now_utc() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ------------------------------------------------------------------ coordinators
async def add_coordinator(*, session: AsyncSession, telegram_user_id: int, name: str,
                          language: str | None = None) -> Coordinator:
    """Register (or re-activate and update) a coordinator."""
    row = await session.scalar(select(Coordinator).where(Coordinator.telegram_user_id == telegram_user_id))
    if row is None:
        row = Coordinator(telegram_user_id=telegram_user_id, name=name, language=language, active=True,
                          created_at=now_utc())
        session.add(row)
    else:
        row.name, row.language, row.active = name, language, True
    await session.flush()
    return row


async def list_coordinators(*, session: AsyncSession) -> list[Coordinator]:
    return list(await session.scalars(select(Coordinator).where(Coordinator.active.is_(True))
                                      .order_by(Coordinator.id)))


async def get_coordinator(*, session: AsyncSession, telegram_user_id: int) -> Coordinator | None:
    """The active coordinator with this Telegram id, or None."""
    return await session.scalar(select(Coordinator).where(Coordinator.telegram_user_id == telegram_user_id,
                                                          Coordinator.active.is_(True)))


async def remove_coordinator(*, session: AsyncSession, telegram_user_id: int) -> bool:
    """Deactivate a coordinator (the name stays for history); their sessions end now."""
    result = await session.execute(update(Coordinator).where(Coordinator.telegram_user_id == telegram_user_id,
                                                             Coordinator.active.is_(True)).values(active=False))
    await end_access(session=session, telegram_user_id=telegram_user_id)
    return changed(result) == 1


async def end_access(*, session: AsyncSession, telegram_user_id: int) -> None:
    """Someone removed from a roster: their dashboard sessions and unused login links end now. The role is
    read on every request, but a person removed and added again got the old session and the old links back
    (issue 27): they log in anew instead."""
    await session.execute(delete(WebSession).where(WebSession.telegram_user_id == telegram_user_id))
    await session.execute(delete(WebLogin).where(WebLogin.telegram_user_id == telegram_user_id))


# ------------------------------------------------------------------ who is this
async def is_coordinator(*, session: AsyncSession, telegram_user_id: int) -> bool:
    found = await session.scalar(select(Coordinator.id).where(Coordinator.telegram_user_id == telegram_user_id,
                                                             Coordinator.active.is_(True)))
    return found is not None


@dataclass(frozen=True)
class StaffMember:
    telegram_user_id: int
    name: str
    language: str | None
    facilitator: Facilitator | None
    coordinator: bool
    trainer: bool = False  # a trainer sees their own workshops on the dashboard

    @property
    def role(self) -> str:
        return "coordinator" if self.coordinator else ("facilitator" if self.facilitator else "trainer")


async def staff_member(*, session: AsyncSession, telegram_user_id: int) -> StaffMember | None:
    """The active facilitator, coordinator and/or trainer with this Telegram id, or None (not staff)."""
    facilitator = await session.scalar(select(Facilitator).where(Facilitator.telegram_user_id == telegram_user_id,
                                                                 Facilitator.active.is_(True)))
    coordinator = await session.scalar(select(Coordinator).where(Coordinator.telegram_user_id == telegram_user_id,
                                                                 Coordinator.active.is_(True)))
    trainer = await session.scalar(select(Trainer).where(Trainer.telegram_user_id == telegram_user_id))
    person = coordinator or facilitator or trainer
    if person is None:
        return None
    return StaffMember(telegram_user_id=telegram_user_id, name=person.name,
                       language=(coordinator.language if coordinator else None)
                       or (facilitator.language if facilitator else None),
                       facilitator=facilitator, coordinator=coordinator is not None, trainer=trainer is not None)


# ------------------------------------------------------------------ login links and sessions
async def create_login(*, session: AsyncSession, telegram_user_id: int, now: datetime | None = None) -> str:
    """A new one-time login token for this person (valid LOGIN_MINUTES); the token itself is returned once."""
    now = now or now_utc()
    token = secrets.token_urlsafe(32)
    await session.execute(delete(WebLogin).where(WebLogin.expires_at < now - timedelta(days=1)))
    session.add(WebLogin(token_hash=token_hash(token), telegram_user_id=telegram_user_id,
                         expires_at=now + timedelta(minutes=LOGIN_MINUTES)))
    await session.flush()
    return token


async def use_login(*, session: AsyncSession, token: str, now: datetime | None = None) -> int | None:
    """Spend a login token: its person's Telegram id if it was unused and in time, else None.

    One conditional UPDATE, so two tabs opening the same link get one session between them."""
    now = now or now_utc()
    digest = token_hash(token)
    result = await session.execute(update(WebLogin).where(
        WebLogin.token_hash == digest, WebLogin.used_at.is_(None), WebLogin.expires_at > now).values(used_at=now))
    if changed(result) != 1:
        return None
    return await session.scalar(select(WebLogin.telegram_user_id).where(WebLogin.token_hash == digest))


@dataclass(frozen=True)
class OpenSession:
    token: str
    csrf: str


async def open_session(*, session: AsyncSession, telegram_user_id: int, language: str | None = None,
                       now: datetime | None = None) -> OpenSession:
    now = now or now_utc()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(WebSession(token_hash=token_hash(token), telegram_user_id=telegram_user_id, csrf=csrf,
                           language=language, created_at=now, last_seen_at=now))
    await session.flush()
    return OpenSession(token=token, csrf=csrf)


async def touch_session(*, session: AsyncSession, token: str, idle: timedelta,
                        now: datetime | None = None) -> WebSession | None:
    """The session for this cookie if it was used within `idle` (its clock restarts); else it is ended."""
    now = now or now_utc()
    row = await session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
    if row is None:
        return None
    seen = row.last_seen_at if row.last_seen_at.tzinfo else row.last_seen_at.replace(tzinfo=UTC)
    if now - seen > idle:
        await session.delete(row)
        await session.flush()
        return None
    row.last_seen_at = now
    await session.flush()
    return row


async def end_session(*, session: AsyncSession, token: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


async def end_sessions_of(*, session: AsyncSession, telegram_user_id: int) -> int:
    result = await session.execute(delete(WebSession).where(WebSession.telegram_user_id == telegram_user_id))
    return changed(result)


async def set_session_language(*, session: AsyncSession, token: str, language: str) -> None:
    await session.execute(update(WebSession).where(WebSession.token_hash == token_hash(token))
                          .values(language=language))
