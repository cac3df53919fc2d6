"""Every text people type is checked against its column, on SQLite and PostgreSQL (issue 27, item 1).

PostgreSQL refuses a value longer than its VARCHAR; SQLite keeps it. Before, a 300-character contact role
made every handoff of that entity fail on PostgreSQL (no lead, the entity stuck), and a 240-character
facilitator name stopped `aliat facilitators add` with a traceback. Free-text columns are `FreeText`:
cut to their size when written, the same on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import String, func, select

from bot.config import ConfigError, load_settings
from bot.store import leads as store
from bot.store import staff
from bot.store.models import Base, Coordinator, Entity, Facilitator, FreeText, Lead, Trainer
from tests.auxil.paths import ROOT
from tests.auxil.runtime import Chat

# String columns that only the code writes (codes, keys, hashes, ids): nothing a person types lands there.
# A new String column must be added here or be a FreeText: the test below makes that choice explicit.
WRITTEN_BY_CODE = {
    "conversation": {"sender_id", "channel", "language"},
    "entity": {"size_staff", "size_volunteers", "budget_band"},
    "assessment": {"motivation", "disagreement", "language", "content_version"},
    "lead": {"status", "priority", "language", "outcome"},
    "lead_event": {"action"},
    "outbox": {"kind", "dedup_key", "status"},
    "facilitator": {"language"},
    "coordinator": {"language"},
    "workshop": {"programme", "status", "language"},
    "workshop_vote": {"item_id", "participant", "value"},
    "funnel_count": {"period", "step", "language", "motivation", "aim"},
    "funnel_journey": {"cohort", "language", "motivation", "aim"},
    "alliance": {"pair", "aim"},
    "invite": {"token_hash", "role"},
    "web_login": {"token_hash"},
    "web_session": {"token_hash", "csrf", "language"},
    "alembic_version": {"version_num"},
    "send_budget": {"key"},
    # partner matching (issue 26): codes, and the matching consent's version (config, at most 32: checked)
    "match_profile": {"consent_version", "language", "objective", "motivation"},
    "introduction": {"status", "a_answer", "b_answer", "aim"},
    "action_effect": {"effect_key", "action"},
}


def test_every_string_column_is_free_text_or_written_by_code() -> None:
    undecided = []
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, FreeText) or not isinstance(column.type, String) or column.type.length is None:
                continue
            if column.name not in WRITTEN_BY_CODE.get(table.name, set()):
                undecided.append(f"{table.name}.{column.name}")
    assert undecided == []


async def test_long_contact_details_still_make_the_lead(any_runtime) -> None:
    long = "coordinadora de projectes i de relacions amb l'administració " * 6  # 372 characters
    async with any_runtime.sessionmaker() as s, s.begin():
        result = await store.create_or_update_lead(
            session=s, sender_id="tg:4243", entity={"name": "N" * 250, "field": "F" * 400, "territory": "T" * 90},
            contact={"contact_name": "M" * 260, "contact_role": long, "contact_email": "e" * 300 + "@coop.cat",
                     "contact_phone": "6" * 40},
            consent_at=datetime.now(UTC), consent_version="v" * 40, dossier={"entity": {"name": "Coop"}},
            priority="normal", priority_reasons=[], language="ca")
        assert result.created
    async with any_runtime.sessionmaker() as s:
        entity = await s.scalar(select(Entity))
        assert await s.scalar(select(func.count()).select_from(Lead)) == 1
    assert entity.contact_role == long[:200]
    assert (len(entity.name), len(entity.field), len(entity.territory)) == (200, 300, 64)
    assert (len(entity.contact_name), len(entity.contact_email), len(entity.contact_phone)) == (200, 254, 32)
    assert len(entity.consent_version) == 32


async def test_long_staff_names_are_stored_cut(any_runtime) -> None:
    async with any_runtime.sessionmaker() as s, s.begin():
        await store.add_facilitator(session=s, telegram_user_id=71, name="Núria " * 40, territory="Terres " * 20)
        await staff.add_coordinator(session=s, telegram_user_id=72, name="Coordinadora " * 30)
        s.add(Trainer(telegram_user_id=73, name="Formadora " * 30))
        await s.flush()
    async with any_runtime.sessionmaker() as s:
        facilitator = await s.scalar(select(Facilitator))
        assert (len(facilitator.name), len(facilitator.territory)) == (200, 64)
        assert len(await s.scalar(select(Coordinator.name))) == 200
        assert len(await s.scalar(select(Trainer.name))) == 200


async def test_a_long_role_in_the_conversation_still_hands_over(any_runtime) -> None:
    """Through the engine, as the entity types it: the role is as long as a text answer may be."""
    chat = Chat(any_runtime, "tg:4244")
    await chat.send("/start")
    await chat.send("/facilitator")
    await chat.send("1")  # yes
    await chat.send("Coop Llarga")
    await chat.send("Marta")
    await chat.send("sóc la coordinadora de l'entitat i també porto la comunicació " * 20)  # ~1,240 characters
    await chat.send("/skip")  # volunteers
    await chat.send("/skip")  # budget
    await chat.send("2")  # email
    replies = await chat.send("marta@coop.cat")
    assert replies[0].response == "utter_handoff_done"
    async with any_runtime.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Lead)) == 1
        assert len(await s.scalar(select(Entity.contact_role))) == 200


def test_a_consent_version_longer_than_its_column_stops_start_up() -> None:
    for key in ("ALIAT_HANDOFF__CONSENT_VERSION", "ALIAT_MATCHING__CONSENT_VERSION"):
        try:
            load_settings(ROOT / "config.yml", env={key: "v" * 33})
        except ConfigError as exc:
            assert "consent_version" in str(exc)
        else:
            raise AssertionError(f"{key} of 33 characters was accepted")
