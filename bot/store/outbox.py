"""The outbox: every message leaving the bot, written with its cause, delivered, marked sent or retried.

A row is leased (locked_until) in a short transaction, delivered outside it, then marked. A deliverer
that dies mid-delivery leaves a lease that expires, so another one (or the same after a restart)
takes the row again: at least once. On PostgreSQL several deliverers share the table with
`FOR UPDATE SKIP LOCKED`. Whoever sends a row (the deliverer, or the Telegram channel's fast path for the
replies of a turn) records a failure through `record_failure`: one retry policy for every kind.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Literal, Self

from sqlalchemy import ARRAY, Integer, any_, bindparam, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.store.clock import now_utc
from bot.store.db import changed
from bot.store.models import Outbox
from bot.store.retry import DeliveryError as DeliveryError  # what a failed delivery raises, and the one
from bot.store.retry import RetrySettings, retry_policy  # retry policy (re-exported: callers say outbox.*)


# ---------------------------------------------------------------------------- the vocabulary
class OutboxKind(StrEnum):
    """What a row is; the stored value is the string (a str enum: rows written before it read the same)."""

    REPLY = "reply"                                # a turn's answer in its chat (bot/telegram/channel.py)
    LEAD_CARD = "lead_card"                        # a new lead's card, to the facilitators (bot/notifier)
    LEAD_REMINDER = "lead_reminder"                # ... again, while nobody holds it
    LEAD_REFRESH = "lead_refresh"                  # the card edited to what the lead is now
    ASSIGNEE_REMINDER = "assignee_reminder"        # its facilitator, when no contact was recorded
    COORDINATOR_ALERT = "coordinator_alert"        # the coordinators, when a lead waits too long
    FOLLOW_UP_REMINDER = "follow_up_reminder"      # its facilitator, on the day they chose
    RELAY = "relay"                                # words between an entity and its facilitator
    ENTITY_MESSAGE = "entity_message"              # the facilitator's words (or a notice) to the entity
    MATCH_INTRO = "match_intro"                    # partner matching: an introduction (bot/notifier/introductions.py)
    MATCH_CONTACTS = "match_contacts"              # ... both accepted: the contacts
    MATCH_NOTICE = "match_notice"                  # ... declined or expired, for the facilitator


@dataclass(kw_only=True)
class Payload:
    """A row's payload, typed per kind (`KIND`); stored as the dict `to_dict()` makes. A field left at its
    default is not written (unless `keep`), and keys this version does not know are kept in `extra`, so
    a row read and written back loses nothing."""

    KIND: ClassVar[OutboxKind]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if not f.metadata.get("keep") and value == _default(f):
                continue
            out[f.metadata.get("key", f.name)] = value
        return {**out, **self.extra}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Self:
        """The typed payload of a stored dict; TypeError when a field the kind needs is missing."""
        data = dict(data or {})
        known = {f.metadata.get("key", f.name): f.name for f in fields(cls) if f.name != "extra"}
        return cls(**{known[k]: v for k, v in data.items() if k in known},
                   extra={k: v for k, v in data.items() if k not in known})


def _default(f: Any) -> Any:
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else MISSING


def _keep(default: Any = None) -> Any:
    """A field written even at its default (what a reader of the stored row counts on)."""
    return field(default=default, metadata={"keep": True})


@dataclass(kw_only=True)
class Progress(Payload):
    """What part went of a message to several chats, or in several pieces (bot/notifier: `_send_each`):
    saved after each, so a retry sends only the rest."""

    delivered: list[dict[str, Any]] = field(default_factory=list)  # {"to", "message_id", "lang"[, "refused"]}
    pieces_sent: dict[str, list[Any]] = field(default_factory=dict)  # address -> ids of the pieces that went


@dataclass(kw_only=True)
class LeadCard(Progress):
    KIND = OutboxKind.LEAD_CARD
    lead_id: int


@dataclass(kw_only=True)
class LeadReminder(Progress):
    KIND = OutboxKind.LEAD_REMINDER
    lead_id: int
    why: Literal["unclaimed", "released", "reopened"] | None = None


@dataclass(kw_only=True)
class LeadRefresh(Payload):
    KIND = OutboxKind.LEAD_REFRESH
    lead_id: int


@dataclass(kw_only=True)
class AssigneeReminder(Progress):
    KIND = OutboxKind.ASSIGNEE_REMINDER
    lead_id: int


@dataclass(kw_only=True)
class CoordinatorAlert(Progress):
    KIND = OutboxKind.COORDINATOR_ALERT
    lead_id: int
    why: str | None = None  # "no_contact", else unclaimed


@dataclass(kw_only=True)
class FollowUpReminder(Progress):
    KIND = OutboxKind.FOLLOW_UP_REMINDER
    lead_id: int


@dataclass(kw_only=True)
class Relay(Progress):
    """Words to a person (`to`, an address): a text, or a response and its values rendered by the notifier
    in `lang` (an action renders nothing); for a photo, file or voice note, `copy` of it after the text."""

    KIND = OutboxKind.RELAY
    to: str
    text: str | None = None
    response: str | None = None
    values: dict[str, Any] | None = None
    lang: str | None = None
    text_response: str | None = None  # an attachment or a sticker: the line saying what came instead of words
    lead_id: int | None = None
    copy: dict[str, int] | None = None  # {"from_chat_id", "message_id"}: see `copy_request`
    copy_failed_text: str | None = None  # sent instead when the copy can no longer be made
    copied: bool = False
    # a facilitator's words: whom to tell, in their language, if they never arrive (notifier: `_reply_failed`)
    from_address: str | None = field(default=None, metadata={"key": "from"})
    from_lang: str | None = None
    entity_name: str | None = None


@dataclass(kw_only=True)
class EntityMessage(Relay):
    KIND = OutboxKind.ENTITY_MESSAGE


@dataclass(kw_only=True)
class MatchIntro(Progress):
    KIND = OutboxKind.MATCH_INTRO
    intro_id: int
    side: Literal["a", "b"]
    reminder: bool = False


@dataclass(kw_only=True)
class MatchContacts(Progress):
    KIND = OutboxKind.MATCH_CONTACTS
    intro_id: int


@dataclass(kw_only=True)
class MatchNotice(Progress):
    KIND = OutboxKind.MATCH_NOTICE
    intro_id: int
    what: Literal["declined", "expired"]


@dataclass(kw_only=True)
class Reply(Payload):
    """A turn's answer: its messages (BotMessage dicts), the edit of the button pressed; `done` and
    `edit_done` say how far it went."""

    KIND = OutboxKind.REPLY
    chat_id: int = _keep(0)
    update_id: int = _keep(0)
    edit: dict[str, Any] | None = _keep(None)  # {"message_id", "text"}; text None: only the keyboard goes
    done: int = _keep(0)
    edit_done: bool = _keep(False)
    messages: list[dict[str, Any]] = field(default_factory=list, metadata={"keep": True})
    reply_to: int | None = None  # the first message answers this one (a refusal in a group)


PAYLOADS: dict[OutboxKind, type[Payload]] = {cls.KIND: cls for cls in (
    Reply, LeadCard, LeadReminder, LeadRefresh, AssigneeReminder, CoordinatorAlert, FollowUpReminder, Relay,
    EntityMessage, MatchIntro, MatchContacts, MatchNotice)}


def payload_of(row: Outbox) -> Payload:
    """A stored row's payload, typed by its kind (ValueError: a kind this version does not know)."""
    return PAYLOADS[OutboxKind(row.kind)].from_dict(row.payload)


def copy_request(from_chat_id: int, message_id: int) -> dict[str, int]:
    """A relay's or entity_message's `copy`: a photo, file or voice note to pass on; the line sent instead
    when it can no longer be copied is rendered by the notifier, in the row's `lang`."""
    return {"from_chat_id": from_chat_id, "message_id": message_id}


# Kinds addressed to a person by `to` (relays and notices): kept in order per person across deliverers
# (`lease_due`).
PERSON_KINDS = (OutboxKind.RELAY, OutboxKind.ENTITY_MESSAGE)
# A lead's card row stays while the lead does: its edits (lead_refresh) read where the card went, and its
# dedup key keeps the card to one per lead. The lead's own purge (bot/store/privacy.py) takes it.
KEEP_SENT_KINDS = (OutboxKind.LEAD_CARD,)


def lead_card_key(lead_id: int) -> str:
    """The dedup key of a lead's card: one card per lead, found again by its edits."""
    return f"{OutboxKind.LEAD_CARD}:{lead_id}"


# The deliverers running in this process wait on these between polls. Whoever writes a row (an action,
# a facilitator's button) calls `wake()` after its commit; the writer needs to know nothing of who
# delivers (an action running on an action server wakes no one, and the notifier finds the row at
# its next poll).
_waiting: set[asyncio.Event] = set()


def subscribe(event: asyncio.Event) -> None:
    """Have `wake()` set this event (a deliverer's loop)."""
    _waiting.add(event)


def unsubscribe(event: asyncio.Event) -> None:
    _waiting.discard(event)


def wake() -> None:
    """Tell the deliverers running in this process that there is something new (else they poll)."""
    for event in list(_waiting):
        event.set()


# ---------------------------------------------------------------------------- writing
async def add_outbox(*, session: AsyncSession, payload: Payload, dedup_key: str | None = None,
                     delay_seconds: float = 0) -> Outbox:
    """Queue a message for the deliverer, in the caller's transaction (`wake()` after the commit); its kind
    is its payload's."""
    kind = payload.KIND.value
    row = Outbox(kind=kind, dedup_key=dedup_key or f"{kind}:{uuid.uuid4().hex}", payload=payload.to_dict(),
                 status="pending", attempts=0, next_attempt_at=now_utc() + timedelta(seconds=delay_seconds))
    session.add(row)
    await session.flush()
    return row


# A turn's reply, written by the channel in the turn's transaction (Core, on its connection: no ORM unit of
# work), already claimed by the worker that delivers it from memory right after commit.
_CLAIMED_REPLY = insert(Outbox).returning(Outbox.id)


async def add_claimed_reply(connection: AsyncConnection, *, payload: Reply, dedup_key: str, grace: timedelta,
                            claim_for: timedelta) -> int:
    """Write a reply claimed by this worker for `claim_for` (it renews the claim while it holds the row),
    due for the deliverer only after `grace`: the deliverer takes it if this delivery fails or the worker
    dies. Returns the row's id; IntegrityError when `dedup_key` was written already."""
    now = now_utc()
    return (await connection.execute(_CLAIMED_REPLY, {
        "kind": OutboxKind.REPLY.value, "dedup_key": dedup_key[:128], "payload": payload.to_dict(),
        "status": "pending", "attempts": 0, "next_attempt_at": now + grace, "locked_until": now + claim_for,
        "created_at": now})).scalar_one()


# ---------------------------------------------------------------------------- delivering


def _values(kinds: Collection[str]) -> list[str]:
    return [str(kind) for kind in kinds]


async def lease_due(*, sessionmaker: async_sessionmaker[AsyncSession], kinds: Collection[str], limit: int = 20,
                    lease_seconds: float = 60, skip: Collection[int] = ()) -> list[Outbox]:
    """Take up to `limit` due rows of these kinds, oldest first, and commit the lease. Only the kinds the
    caller can deliver (a deliverer without Telegram leaves the conversation's replies to the bot); `skip`:
    rows this process is sending already."""
    now = now_utc()
    # A message to a person waits while an earlier one to them is out with a deliverer (this one's lane, or
    # another worker's): two deliverers never send one chat's messages side by side, out of order.
    earlier = aliased(Outbox)
    busy_before = (select(earlier.id).where(
        earlier.status == "pending", earlier.id < Outbox.id, earlier.kind.in_(_values(PERSON_KINDS)),
        earlier.locked_until > now, earlier.payload["to"].as_string() == Outbox.payload["to"].as_string())
        .exists())
    async with sessionmaker() as session, session.begin():
        query = (select(Outbox).where(Outbox.status == "pending", Outbox.next_attempt_at <= now,
                                      Outbox.kind.in_(_values(kinds)),
                                      or_(Outbox.locked_until.is_(None), Outbox.locked_until <= now),
                                      or_(Outbox.kind.not_in(_values(PERSON_KINDS)), ~busy_before))
                 .order_by(Outbox.id).limit(limit))
        if skip:
            query = query.where(Outbox.id.not_in(list(skip)))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(await session.scalars(query))
        until = now + timedelta(seconds=lease_seconds)
        for row in rows:
            row.locked_until = until
        return rows


async def save_progress(*, sessionmaker: async_sessionmaker[AsyncSession], row_id: int, payload: Payload) -> None:
    """Remember what part of a row was delivered (a card that reached one chat of two)."""
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id == row_id).values(payload=payload.to_dict()))


async def mark_sent(*, sessionmaker: async_sessionmaker[AsyncSession], row_id: int,
                    payload: Payload | None = None) -> None:
    now = now_utc()
    values: dict[str, Any] = {"status": "sent", "sent_at": now, "locked_until": None, "last_error": None}
    if payload is not None:
        values["payload"] = payload.to_dict()
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))


_MARK_SENT = (update(Outbox).where(Outbox.id.in_(bindparam("ids", expanding=True)))
              .values(status="sent", sent_at=bindparam("b_sent_at"), locked_until=None))
# PostgreSQL: the ids as one array, so one statement text whatever the batch's size (an IN list is a new
# statement, prepared again on each pooled connection, for every size)
_MARK_SENT_ANY = (update(Outbox).where(Outbox.id == any_(bindparam("ids", type_=ARRAY(Integer))))
                  .values(status="sent", sent_at=bindparam("b_sent_at"), locked_until=None))


async def mark_all_sent(*, sessionmaker: async_sessionmaker[AsyncSession], row_ids: Collection[int]) -> None:
    """Record rows delivered as they were written (the replies of several turns) in one statement. On
    PostgreSQL the statement commits by itself (autocommit): one round trip, not BEGIN, UPDATE, COMMIT."""
    params = {"ids": list(row_ids), "b_sent_at": now_utc()}
    async with sessionmaker() as session:
        if session.get_bind().dialect.name == "postgresql":
            connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            await connection.execute(_MARK_SENT_ANY, params)
            return
        connection = await session.connection()
        await connection.execute(_MARK_SENT, params)
        await session.commit()


async def mark_failed(*, sessionmaker: async_sessionmaker[AsyncSession], row_id: int, attempts: int,
                      error: str, retry_in: float, give_up: bool = False, payload: Payload | None = None) -> None:
    """Count the attempt and try again after `retry_in` seconds (or stop); `payload`: what part went."""
    now = now_utc()
    values: dict[str, Any] = {"attempts": attempts, "last_error": error[:500], "locked_until": None,
                              "status": "failed" if give_up else "pending",
                              "next_attempt_at": now + timedelta(seconds=retry_in)}
    if payload is not None:
        values["payload"] = payload.to_dict()
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))


async def record_failure(*, sessionmaker: async_sessionmaker[AsyncSession], policy: RetrySettings, row_id: int,
                         attempts: int, error: Exception, payload: Payload | None = None) -> tuple[bool, float]:
    """Row `row_id` failed its attempt number `attempts`: the retry policy says when to try again, or to
    give up; returns (given up?, delay). Only the error's type and reason are kept, never a text sent."""
    permanent = isinstance(error, DeliveryError) and error.permanent
    retry_after = error.retry_after if isinstance(error, DeliveryError) else None
    give_up, delay = retry_policy(policy, attempts, permanent=permanent, retry_after=retry_after)
    await mark_failed(sessionmaker=sessionmaker, row_id=row_id, attempts=attempts, retry_in=delay,
                      error=f"{type(error).__name__}: {error}", give_up=give_up, payload=payload)
    return give_up, delay


async def renew_leases(*, sessionmaker: async_sessionmaker[AsyncSession], row_ids: Collection[int],
                       lease_seconds: float) -> None:
    """Extend the leases of rows this process still holds (queued to be sent), so no other deliverer
    takes them meanwhile."""
    if not row_ids:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id.in_(list(row_ids)), Outbox.status == "pending")
                              .values(locked_until=now_utc() + timedelta(seconds=lease_seconds)))


async def release_leases(*, sessionmaker: async_sessionmaker[AsyncSession], row_ids: Collection[int]) -> None:
    """Give back rows this process leased and will not deliver (it is stopping): the next deliverer takes
    them at once instead of when the lease ends."""
    if not row_ids:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id.in_(list(row_ids)), Outbox.status == "pending")
                              .values(locked_until=None))


async def purge_sent(*, sessionmaker: async_sessionmaker[AsyncSession], older_than_days: float,
                     now: datetime | None = None) -> int:
    """Delete the rows sent more than `older_than_days` ago: a delivered message has nothing left to do,
    and its payload holds what was said."""
    cutoff = (now or now_utc()) - timedelta(days=older_than_days)
    async with sessionmaker() as session, session.begin():
        result = await session.execute(delete(Outbox).where(Outbox.status == "sent", Outbox.sent_at < cutoff,
                                                            Outbox.kind.not_in(_values(KEEP_SENT_KINDS))))
        return changed(result)
