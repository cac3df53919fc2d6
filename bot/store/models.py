"""Typed SQLAlchemy models. Tables come from the Alembic migrations, never from create_all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.columns import FreeText as FreeText
from bot.store.columns import text_size


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Conversation(Base):
    """One tracker per sender (a Telegram private chat, a terminal user)."""

    __tablename__ = "conversation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)  # the engine's tracker; the store never reads it
    # a human (a facilitator) is on the conversation: the assistant relays instead of answering
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)


class Entity(Base):
    """An organisation that talked to the assistant; personal fields only after consent."""

    __tablename__ = "entity"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str | None] = mapped_column(FreeText(200))
    field: Mapped[str | None] = mapped_column(FreeText(300))
    territory: Mapped[str | None] = mapped_column(FreeText(64))
    size_staff: Mapped[str | None] = mapped_column(String(32))
    size_volunteers: Mapped[str | None] = mapped_column(String(32))
    budget_band: Mapped[str | None] = mapped_column(String(32))
    contact_name: Mapped[str | None] = mapped_column(FreeText(200))
    contact_role: Mapped[str | None] = mapped_column(FreeText(200))
    contact_email: Mapped[str | None] = mapped_column(FreeText(254))
    contact_phone: Mapped[str | None] = mapped_column(FreeText(32))
    contact_telegram: Mapped[bool] = mapped_column(Boolean, default=False)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_version: Mapped[str | None] = mapped_column(FreeText(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# The entity's columns the journey fills (contact details are the handoff's, after consent), with the
# longest text each takes: one list, sizes read from the table (a longer value is cut, never refused).
ENTITY_FIELDS: dict[str, int] = {name: text_size(Entity, name) for name in (
    "name", "field", "territory", "size_staff", "size_volunteers", "budget_band")}


class Assessment(Base):
    """The result of one journey: answers, motivation with its evidence, readiness, flags."""

    __tablename__ = "assessment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id", ondelete="SET NULL"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    motivation: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    readiness: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    readiness_overall: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    disagreement: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    content_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StaffMember:
    """A person of the programme known by their Telegram account: the columns every roster has
    (facilitators, trainers, coordinators; `aliat <roster> add|list|remove`). `sort_order`: these come first
    in the table, as the migrations made them."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-4)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True, sort_order=-3)
    name: Mapped[str] = mapped_column(FreeText(200), sort_order=-2)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Facilitator(StaffMember, Base):
    __tablename__ = "facilitator"
    territory: Mapped[str | None] = mapped_column(FreeText(64))
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Lead(Base):
    """A qualified entity handed to the facilitators. Status moves only by conditional updates."""

    __tablename__ = "lead"
    __table_args__ = (Index("ix_lead_status_updated", "status", "updated_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id", ondelete="SET NULL"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="new")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    priority_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    dossier: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("facilitator.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(32))
    card_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    follow_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # its facilitator is reminded then


class LeadEvent(Base):
    """Audit trail of a lead: who did what, when."""

    __tablename__ = "lead_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(FreeText(64))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Outbox(Base):
    """Messages to deliver (lead cards, notices); written in the same transaction as their cause."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    dedup_key: Mapped[str] = mapped_column(String(128), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(FreeText(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SendBudget(Base):
    """Telegram's sending budgets shared by the workers (bot/store/send_budget.py): when each is next free."""

    __tablename__ = "send_budget"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    tat: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActionEffect(Base):
    """The writes of one action in one turn, done once: a turn re-run after a crash between the action's
    commit and the turn's (or by a second worker given the same update) finds its key here and its result,
    and writes nothing again (bot/store/effects.py, actions/effects.py)."""

    __tablename__ = "action_effect"
    effect_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)


class ProcessedUpdate(Base):
    """Telegram update ids already handled, so a redelivered update is never handled twice."""

    __tablename__ = "processed_update"
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)


class Trainer(StaffMember, Base):
    __tablename__ = "trainer"


class Workshop(Base):
    __tablename__ = "workshop"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    trainer_user_id: Mapped[int] = mapped_column(BigInteger)
    programme: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running")
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkshopVote(Base):
    """One answer per participant and item; participant is a pseudonym valid for one workshop."""

    __tablename__ = "workshop_vote"
    __table_args__ = (UniqueConstraint("workshop_id", "item_id", "participant"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    participant: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FunnelCount(Base):
    """The funnel as it was counted until migration 0007: anonymous monthly counts of events (a redone
    journey counted twice). No longer written or read; kept, not dropped, as the record of what was
    reported then. The funnel is now `FunnelJourney`, one row per conversation.
    """

    __tablename__ = "funnel_count"
    __table_args__ = (UniqueConstraint("period", "step", "territory", "language", "motivation", "aim",
                                       name="uq_funnel_count_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM in the programme's time zone
    step: Mapped[str] = mapped_column(String(24))
    territory: Mapped[str] = mapped_column(FreeText(64), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    motivation: Mapped[str] = mapped_column(String(16), default="")
    aim: Mapped[str] = mapped_column(String(32), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class FunnelJourney(Base):
    """One row per conversation: how far it got in the programme's funnel, and its coarse dimensions.

    Counted once per conversation, in the cohort of its first contact (YYYY-MM in the programme's time
    zone); a redone journey moves the same row, never adds one. `stage` is the index of the furthest step
    reached (bot.store.funnel.STEPS). The link to the conversation is cut when the person asks to be
    forgotten (or the conversation is purged): the row then says nothing about anyone and stays counted.
    """

    __tablename__ = "funnel_journey"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), unique=True)
    cohort: Mapped[str] = mapped_column(String(7), index=True)  # month of the first contact
    stage: Mapped[int] = mapped_column(Integer, default=0)
    territory: Mapped[str] = mapped_column(FreeText(64), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    motivation: Mapped[str] = mapped_column(String(16), default="")
    aim: Mapped[str] = mapped_column(String(32), default="")


class Alliance(Base):
    """An alliance formed, as the programme counts it: once per pair of partners, with its aim.

    `pair` is the pair's key (the two entities' ids, or an entity and an outside partner's name folded),
    unique. Entity and lead links are set to NULL when an entity is erased; the row, its aim and its
    date stay, so the count against the programme's target outlives erasure.
    """

    __tablename__ = "alliance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair: Mapped[str] = mapped_column(String(96), unique=True)
    aim: Mapped[str] = mapped_column(String(32))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"), index=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id", ondelete="SET NULL"))
    partner_lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"))
    partner_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id", ondelete="SET NULL"))
    partner_name: Mapped[str | None] = mapped_column(FreeText(200))  # an entity outside the programme
    formed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Invite(Base):
    """A one-time invite link for a role (bot/store/invites.py): only its token's SHA-256 hash is kept."""

    __tablename__ = "invite"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(FreeText(200))  # the name to register under, if given
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[int | None] = mapped_column(BigInteger)


class Coordinator(StaffMember, Base):
    """Programme coordinators: see and report everything on the dashboard."""

    __tablename__ = "coordinator"
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebLogin(Base):
    """A one-time login link for the dashboard: only its hash is kept; used once, within minutes."""

    __tablename__ = "web_login"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A dashboard session (cookie holds the token; only its hash is kept)."""

    __tablename__ = "web_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MatchProfile(Base):
    """An entity that agreed to be suggested to other entities of the programme (partner matching), with
    its partner profile and what the scoring reads of its journey. No contact details: those are shared
    only once both sides of an introduction accept. Deleted on withdrawal and with the entity (/forget)."""

    __tablename__ = "match_profile"
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    consent_version: Mapped[str] = mapped_column(String(32))
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    language: Mapped[str] = mapped_column(String(8))
    offers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    seeks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    groups_served: Mapped[list[Any]] = mapped_column(JSON, default=list)
    objective: Mapped[str | None] = mapped_column(String(32))
    motivation: Mapped[str | None] = mapped_column(String(16))
    readiness: Mapped[float | None] = mapped_column(Float)
    fear_power: Mapped[int | None] = mapped_column(Integer)  # "worried about losing power?" 1-4
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Introduction(Base):
    """A facilitator's proposal that two entities meet (double opt-in), and what came of it:
    proposed → accepted (both said yes; contacts exchanged once) → met → alliance_formed, or declined
    (never proposed again), expired, withdrawn. Rows go with either entity (/forget)."""

    __tablename__ = "introduction"
    __table_args__ = (Index("ix_introduction_pair", "a_entity_id", "b_entity_id"),
                      Index("ix_introduction_status", "status", "proposed_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"))
    b_entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    a_answer: Mapped[str | None] = mapped_column(String(16))
    b_answer: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    aim: Mapped[str | None] = mapped_column(String(32))
    proposed_by: Mapped[int | None] = mapped_column(BigInteger)  # the facilitator's Telegram user id
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
