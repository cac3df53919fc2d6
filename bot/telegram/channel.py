"""One Telegram turn: skip a handled update, run the engine, store the replies with the conversation,
deliver them right after commit.

The replies of a turn are written to the outbox (kind "reply") in the same transaction as the tracker
and the processed_update row. They are delivered at once from memory and marked sent; if the process dies
between commit and delivery, or Telegram stays unreachable, the outbox's one deliverer (bot/notifier, with
"reply" registered by `deliver_replies_with`) sends them later, under the same retry policy. A reply is
never dropped silently: a failure is logged with the update id (never the text) and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Update
from telegram.constants import ChatType

from bot.app.runtime import Runtime
from bot.engine import BotMessage, UserMessage
from bot.engine.tracker import Tracker
from bot.notifier import OutboxDeliverer
from bot.notifier.notifier import chat_lane
from bot.shared.backoff import Backoff
from bot.store import outbox, updates
from bot.store.models import Outbox
from bot.store.outbox import DeliveryError, OutboxKind, Reply
from bot.telegram import markup as render
from bot.telegram.messages import ReplySending
from bot.telegram.sender import Sender

log = logging.getLogger(__name__)

SWEEP_GRACE = timedelta(seconds=5)  # the deliverer leaves fresh rows to the turn that wrote them
CLAIM_FOR = timedelta(seconds=30)  # a dead worker's claim lapses after this; live ones renew and skip their own
MARK_SENT_AFTER = 0.05  # seconds: the "sent" marks of replies delivered meanwhile go in one statement
MARK_SENT_BACKOFF = Backoff(1.0, 10.0)  # recording them failed (the database away): tried again after 1, 2, 4... s


@dataclass(frozen=True)
class Press:
    """The message whose button was pressed: edited after the turn to show the choice."""

    message_id: int
    text_html: str | None  # None: a photo or a message without text; only its keyboard goes
    title: str | None


class TelegramChannel(ReplySending):
    """Everything a handler needs: the runtime, the bot, the sender and the counters; how a reply is put on
    Telegram is in bot/telegram/messages.py."""

    def __init__(self, runtime: Runtime, bot: Bot, sender: Sender) -> None:
        self.runtime = runtime
        self.bot = bot
        self.sender = sender
        self.counters: Counter[str] = sender.counters
        # Delivery runs after the turn commits, one chain per chat so a chat's replies keep their
        # order, while the poller already fetches the next updates (a chat waiting out a 429 holds
        # back only itself).
        self._deliveries: dict[int, asyncio.Task[None]] = {}
        self._in_flight: set[int] = set()
        # Rows waiting in this process's delivery chains (a chat's replies go about one a second): the
        # deliverer leaves them alone and renews their claims, or a reply queued for longer than
        # CLAIM_FOR would be sent twice, by another worker's deliverer and by the chain.
        self._queued: set[int] = set()
        self._sent: list[int] = []  # delivered, not yet recorded as sent
        self._marker: asyncio.Task[None] | None = None

    @property
    def bot_id(self) -> int:
        return self.bot.id

    def language_of(self, tracker: Tracker | None, hint: str | None) -> str:
        if tracker is not None:
            return tracker.language
        code = (hint or "").lower()[:2]
        settings = self.runtime.settings
        return code if code in settings.languages else settings.default_language

    def text(self, name: str, language: str) -> str:
        return self.runtime.engine.renderer.text(name, language)

    # ------------------------------------------------------------------ the turn
    async def turn(self, *, update_id: int, chat_id: int, message: UserMessage, press: Press | None = None) -> None:
        """Handle one update once: engine turn, replies stored with it, then delivered."""
        duplicate = False
        # the turn's actions key their writes by the update (bot/engine/turn.py: effect_key)
        message.metadata.setdefault("update_id", f"{self.bot_id}:{update_id}")

        async def handled_before(session: AsyncSession) -> bool:
            # Claimed in the turn's transaction (one statement): recorded now, or handled before and skipped.
            nonlocal duplicate
            duplicate = not await updates.claim(await session.connection(), bot_id=self.bot_id, update_id=update_id)
            return duplicate
        rows: list[tuple[int, Reply]] = []

        async def in_transaction(session: AsyncSession, tracker: Tracker, replies: list[BotMessage]) -> None:
            rows.clear()
            connection = await session.connection()
            await updates.record(connection, bot_id=self.bot_id, update_id=update_id)  # SQLite: written now
            payload = self._payload(chat_id, update_id, replies, press)
            if payload.messages or payload.edit:
                # Written already claimed by this worker: it is delivered from memory right after commit,
                # with no second round trip; the deliverer takes it only if this delivery fails or the worker dies.
                rows.append(await self._reply_row(connection, f"reply:{self.bot_id}:{update_id}", payload))

        try:
            await self.runtime.engine.handle(message, in_transaction=in_transaction, skip_if=handled_before,
                                             channel="telegram")
        except IntegrityError:
            # Another worker recorded this update first: its turn stands, this one was rolled back.
            self.counters["duplicate_updates"] += 1
            log.info("update %s handled elsewhere meanwhile; skipped", update_id)
            return
        if duplicate:
            self.counters["duplicate_updates"] += 1
            log.info("update %s already handled; skipped", update_id)
            return
        if rows:
            self._deliver_in_order(chat_id, list(rows))

    # ------------------------------------------------------------------ other handlers' answers
    async def once(self, *, update_id: int, chat_id: int,
                   work: Callable[[AsyncSession], Awaitable[list[BotMessage] | None]],
                   reply_to: int | None = None) -> bool:
        """For handlers outside the conversation (facilitators, workshops, group commands): `work(session)`
        makes its changes and returns the replies; processed_update, those changes and the replies commit
        in one transaction, so a redelivered update changes nothing twice. The replies then go out through
        the chat's delivery chain: the handler never waits for a paced send. False: a duplicate."""
        rows: list[tuple[int, Reply]] = []
        try:
            async with self.runtime.sessionmaker() as session, session.begin():
                connection = await session.connection()
                if not await updates.claim(connection, bot_id=self.bot_id, update_id=update_id):
                    self.counters["duplicate_updates"] += 1
                    log.info("update %s already handled; skipped", update_id)
                    return False
                await updates.record(connection, bot_id=self.bot_id, update_id=update_id)
                replies = await work(session) or []
                if replies:
                    payload = self._payload(chat_id, update_id, replies, None, reply_to=reply_to)
                    rows.append(await self._reply_row(connection, f"reply:{self.bot_id}:{update_id}", payload))
        except IntegrityError:
            self.counters["duplicate_updates"] += 1
            log.info("update %s handled elsewhere meanwhile; skipped", update_id)
            return False
        if rows:
            self._deliver_in_order(chat_id, rows)
        return True

    async def queue(self, chat_id: int, replies: list[BotMessage], *, key: str, update_id: int | None = None,
                    reply_to: int | None = None) -> bool:
        """Replies that are no update's effect (an apology, a flood notice), sent like every reply; `key`
        makes them once (False: already queued)."""
        try:
            async with self.runtime.sessionmaker() as session, session.begin():
                payload = self._payload(chat_id, update_id or 0, replies, None, reply_to=reply_to)
                row = await self._reply_row(await session.connection(), f"{key}:{self.bot_id}", payload)
        except IntegrityError:
            return False
        self._deliver_in_order(chat_id, [row])
        return True

    async def flood_notice(self, update: Update) -> None:
        """The one answer to someone over the flood limit (bot/telegram/flood.py): wait a moment."""
        chat = update.effective_chat
        if chat is None:
            return
        user = update.effective_user
        language = self.language_of(None, user.language_code if user else None)
        in_group = chat.type != ChatType.PRIVATE and update.message is not None
        await self.queue(chat.id, [BotMessage(text=self.text("utter_too_many_messages", language))],
                         key=f"flood:{update.update_id}", update_id=update.update_id,
                         reply_to=update.message.message_id if in_group else None)

    @staticmethod
    async def _reply_row(connection: Any, dedup_key: str, payload: Reply) -> tuple[int, Reply]:
        """The reply written claimed by this worker, which delivers it from memory right after commit."""
        row_id = await outbox.add_claimed_reply(connection, payload=payload, dedup_key=dedup_key, grace=SWEEP_GRACE,
                                                claim_for=CLAIM_FOR)
        return row_id, payload

    def _deliver_in_order(self, chat_id: int, rows: list[tuple[int, Reply]]) -> None:
        previous = self._deliveries.get(chat_id)
        self._queued.update(row_id for row_id, _payload in rows)

        async def chain() -> None:
            try:
                if previous is not None:
                    with contextlib.suppress(Exception):
                        await previous
                for row_id, payload in rows:
                    try:
                        await self.deliver_claimed(row_id, payload, attempts=1)
                    except Exception:  # the row stays pending: the deliverer sends it once its claim lapses
                        log.exception("delivery of outbox row %s failed", row_id)
                    finally:
                        self._queued.discard(row_id)
            finally:  # cancelled at shutdown: what is left is released for the deliverer (see drain)
                self._queued.difference_update(row_id for row_id, _payload in rows)

        task = asyncio.get_running_loop().create_task(chain(), name=f"aliat-deliver-{chat_id}")
        self._deliveries[chat_id] = task
        task.add_done_callback(lambda t: self._deliveries.get(chat_id) is t and self._deliveries.pop(chat_id))

    async def settled(self, chat_id: int, *, timeout: float) -> bool:
        """Wait until the replies queued for this chat so far have gone (or failed back to the outbox), at
        most `timeout` seconds; False when they had not."""
        task = self._deliveries.get(chat_id)
        if task is None:
            return True
        done, _pending = await asyncio.wait({task}, timeout=timeout)
        return bool(done)

    def deliver_replies_with(self, deliverer: OutboxDeliverer) -> None:
        """Register the "reply" kind on the outbox's deliverer: it sends the replies left pending (a failed
        delivery, a crash, a stop before the queue was empty), and leaves alone and keeps claimed those
        this process is sending."""
        deliverer.register(OutboxKind.REPLY, self.deliver_leased, held=lambda: self._queued | self._in_flight,
                           hold_seconds=CLAIM_FOR.total_seconds(), on_failure=self._failed,
                           lane=lambda row: chat_lane(Reply.from_dict(row.payload).chat_id))

    async def drain(self, timeout: float | None = None) -> int:
        """At shutdown, with the HTTP client still open: wait for the deliveries under way (at most `timeout`
        seconds), record them as sent, and release the claims of the rest so that the deliverer of the next
        start sends them at once. Returns how many replies were left."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._deliveries:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                break
            await asyncio.wait(list(self._deliveries.values()), timeout=remaining)
        left = sorted(self._queued)
        for task in list(self._deliveries.values()):
            task.cancel()
        if self._deliveries:
            await asyncio.gather(*list(self._deliveries.values()), return_exceptions=True)
        if self._marker is not None:
            self._marker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._marker
            self._marker = None
        await self.flush_sent(retries=0)
        if left:
            log.warning("%s replies not sent before stopping; they go after the restart", len(left))
            try:
                await outbox.release_leases(sessionmaker=self.runtime.sessionmaker, row_ids=left)
            except Exception:  # their claims lapse after CLAIM_FOR anyway
                log.warning("claims of unsent replies not released", exc_info=True)
        return len(left)

    # ------------------------------------------------------------------ "sent" marks
    def _mark_sent(self, row_id: int) -> None:
        """Record a delivered reply as sent, with the others delivered in the next few milliseconds.

        One UPDATE for a batch instead of a transaction per reply. Until it is written, the row's claim
        (CLAIM_FOR) keeps the deliverer away from it; a crash in between means that reply may go twice
        (replies are at-least-once, see README)."""
        self._sent.append(row_id)
        if self._marker is None or self._marker.done():
            self._marker = asyncio.get_running_loop().create_task(self._flush_sent_soon(), name="aliat-mark-sent")

    async def _flush_sent_soon(self) -> None:
        await asyncio.sleep(MARK_SENT_AFTER)
        await self.flush_sent()

    async def flush_sent(self, *, retries: int = 5) -> None:
        attempt = 0
        while self._sent:
            ids, self._sent = self._sent, []
            try:
                await outbox.mark_all_sent(sessionmaker=self.runtime.sessionmaker, row_ids=ids)
                attempt = 0
            except asyncio.CancelledError:  # drain() stops the batch under way and writes it itself
                self._sent[:0] = ids
                raise
            except Exception:
                self._sent[:0] = ids
                attempt += 1
                if attempt > retries:
                    log.exception("%s delivered replies could not be recorded as sent", len(ids))
                    self._sent.clear()
                    return
                log.warning("recording %s delivered replies as sent failed; retried", len(ids), exc_info=True)
                await asyncio.sleep(MARK_SENT_BACKOFF.delay(attempt))

    @staticmethod
    def _payload(chat_id: int, update_id: int, replies: list[BotMessage], press: Press | None, *,
                 reply_to: int | None = None) -> Reply:
        edit = None
        if press is not None:
            closed = bool(replies) and replies[0].response == "utter_question_closed"
            text = None if closed or press.text_html is None else render.chosen_text(press.text_html, press.title)
            edit = {"message_id": press.message_id, "text": text}
        return Reply(chat_id=chat_id, update_id=update_id, edit=edit, messages=[r.to_dict() for r in replies],
                     reply_to=reply_to)

    # ------------------------------------------------------------------ delivery
    async def deliver_claimed(self, row_id: int, payload: Reply, *, attempts: int) -> bool:
        """Send what is left of a reply this worker has claimed (the fast path, right after commit), and
        record the outcome: a failure under the outbox's one retry policy."""
        self._in_flight.add(row_id)
        try:
            progress = replace(payload)
            try:
                await self._send_payload(progress)
            except DeliveryError as exc:
                give_up, _delay = await outbox.record_failure(
                    sessionmaker=self.runtime.sessionmaker, policy=self.runtime.settings.delivery, row_id=row_id,
                    attempts=attempts, error=exc, payload=progress)
                self._failed(row_id, progress, give_up, exc)
                return False
            self._mark_sent(row_id)
            self.counters["replies_sent"] += 1
            return True
        finally:
            self._in_flight.discard(row_id)

    async def deliver_leased(self, row: Outbox, payload: Reply) -> None:
        """The deliverer's handler of "reply" rows: send what is left (`payload` keeps the progress); the
        deliverer records the outcome."""
        self._in_flight.add(row.id)
        try:
            await self._send_payload(payload)
        finally:
            self._in_flight.discard(row.id)
        self.counters["replies_sent"] += 1
        self.counters["replies_swept"] += 1

    def _failed(self, row: Outbox | int, progress: Reply, give_up: bool, exc: Exception) -> None:
        update_id = progress.update_id
        self.counters["replies_undelivered" if give_up else "replies_delayed"] += 1
        if give_up:
            log.error("reply to update %s not delivered (%s); given up", update_id, exc)
        else:
            log.warning("reply to update %s not delivered yet (%s); retried later", update_id, exc)
