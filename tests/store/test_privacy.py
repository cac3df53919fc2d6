"""Erasure and retention, verified by scanning every table for what the person told us."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from bot.store.models import Assessment, Base, Conversation, Entity, Lead, LeadEvent, Outbox
from bot.store.privacy import forget_sender, purge_expired
from tests.auxil.runtime import Chat

SECRETS = ("Associació Secreta del Clot", "marta.secret@example.org", "+34611222333", "Marta Secretària")


async def _dump_all_tables(runtime) -> str:
    chunks = []
    async with runtime.db.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            chunks.extend(repr(tuple(row)) for row in rows)
    return "\n".join(chunks)


async def _seed_personal_data(runtime, sender_id: str, *, lead_status: str = "claimed") -> None:
    async with runtime.sessionmaker() as session:
        conversation = await session.scalar(select(Conversation).where(Conversation.sender_id == sender_id))
        entity = Entity(conversation_id=conversation.id, name=SECRETS[0], contact_email=SECRETS[1],
                        contact_phone=SECRETS[2], contact_name=SECRETS[3], telegram_chat_id=555123)
        session.add(entity)
        await session.flush()
        session.add(Assessment(conversation_id=conversation.id, entity_id=entity.id, language="ca",
                               content_version="t", answers={"why_partner": "ens ofeguem", "name": SECRETS[0]}))
        lead = Lead(entity_id=entity.id, language="ca", status=lead_status,
                    dossier={"entity": SECRETS[0], "email": SECRETS[1], "phone": SECRETS[2]})
        session.add(lead)
        await session.flush()
        session.add(LeadEvent(lead_id=lead.id, actor="fac:1", action="note", note=f"called {SECRETS[3]}"))
        # the entity's words on their way to its facilitator: the row names the lead (erased by owner, issue 27)
        session.add(Outbox(kind="relay", dedup_key=f"relay:{lead.id}",
                           payload={"to": "telegram:7001", "lead_id": lead.id,
                                    "values": {"text": f"{SECRETS[0]} {SECRETS[1]}"}}))
        session.add(Outbox(kind="other", dedup_key="unrelated", payload={"text": "nothing personal"}))
        await session.commit()


async def test_forget_erases_everything_personal(any_runtime) -> None:
    chat = Chat(any_runtime, sender_id="tg:555123", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send(SECRETS[0])
    await _seed_personal_data(any_runtime, "tg:555123")
    assert SECRETS[0] in await _dump_all_tables(any_runtime)

    await chat.send("/forget")
    replies = await chat.send(payload="/forget_confirm")
    assert [r.response for r in replies] == ["utter_forgotten"]

    dump = await _dump_all_tables(any_runtime)
    for secret in SECRETS:
        assert secret not in dump, f"{secret!r} still stored"
    async with any_runtime.sessionmaker() as session:
        lead = await session.scalar(select(Lead))
        assert lead.dossier == {"erased": True} and lead.entity_id is None
        assert (await session.scalar(select(Outbox).where(Outbox.dedup_key == "unrelated"))) is not None
        actions = (await session.scalars(select(LeadEvent.action))).all()
        assert "erased" in actions
    tracker = await chat.tracker()
    assert tracker.slots == {} and tracker.active_form is None
    # The conversation goes on afterwards.
    replies = await chat.send("/start")
    assert replies[0].response == "utter_greet"


async def test_forget_needs_confirmation(runtime) -> None:
    chat = Chat(runtime, sender_id="tg:7", language="en")
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send("Coop Verd")
    await chat.send("/forget")
    await chat.send(payload="/menu")  # "No, leave it"
    assert (await chat.tracker()).slots["entity_name"] == "Coop Verd"


async def test_purge_removes_idle_conversations_but_keeps_open_leads(any_runtime) -> None:
    for sender in ("tg:1", "tg:2", "tg:3"):
        await Chat(any_runtime, sender_id=sender).send("/start")
    await _seed_personal_data(any_runtime, "tg:2", lead_status="claimed")
    old = datetime.now(UTC) - timedelta(days=400)
    async with any_runtime.sessionmaker() as session:
        await session.execute(update(Conversation).where(Conversation.sender_id.in_(["tg:1", "tg:2"]))
                              .values(updated_at=old))
        await session.commit()
    async with any_runtime.sessionmaker() as session:
        purged = await purge_expired(session=session, older_than_days=365)
        await session.commit()
    assert purged == 1
    async with any_runtime.sessionmaker() as session:
        senders = set((await session.scalars(select(Conversation.sender_id))).all())
    assert senders == {"tg:2", "tg:3"}  # tg:1 purged; tg:2 has an open lead; tg:3 is recent


async def test_forget_unknown_sender_is_harmless(runtime) -> None:
    async with runtime.sessionmaker() as session:
        assert await forget_sender(session=session, sender_id="tg:nobody") == {
            "entities": 0, "assessments": 0, "leads": 0, "outbox": 0}
        await session.execute(text("SELECT 1"))


def test_db_purge_command(sqlite_url) -> None:
    from tests.auxil.cli import aliat

    result = aliat("db", "purge", "--days", "30", database_url=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "purged 0 conversation(s)" in result.stdout


async def test_forget_deletes_the_entitys_chart_and_old_charts_are_purged(runtime, tmp_path) -> None:
    import os
    import time

    from bot.shared.chart_files import chart_dir, purge_charts

    # the charts folder is the machine's: names of this process's own, so parallel runs never meet
    chart = chart_dir() / f"journey-test-forget-{os.getpid()}.png"
    chart.write_bytes(b"\x89PNG fake")
    outside = tmp_path / "not-a-chart.png"
    outside.write_bytes(b"keep")
    chat = Chat(runtime, sender_id="tg:8080", language="ca")
    await chat.send("/start")
    # The slots a finished journey leaves (set here directly: button data can no longer set slots, issue 13).
    store = runtime.engine.store
    async with store.turn("tg:8080") as session:
        tracker = await store.load(session, "tg:8080")
        tracker.slots.update({"journey_chart": str(chart), "entity_name": str(outside)})
        await store.save(session, tracker, channel="test")
        await session.commit()
    assert (await chat.tracker()).slots["journey_chart"] == str(chart)
    await chat.send("/forget")
    await chat.send(payload="/forget_confirm")
    assert not chart.exists()
    assert outside.exists()  # only files in the charts folder are ever deleted

    old = chart_dir() / f"journey-test-old-{os.getpid()}.png"
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 3 * 86400, time.time() - 3 * 86400))
    fresh = chart_dir() / f"journey-test-fresh-{os.getpid()}.png"
    fresh.write_bytes(b"fresh")
    purge_charts(older_than_seconds=86400)  # its count includes whatever else was old in the shared folder
    assert not old.exists() and fresh.exists()
    fresh.unlink()


# Issue 13, item 9: erasure reaches the disk. SQLite keeps old pages in the -wal file (and in free pages
# of the main file unless secure_delete is on): the files themselves are scanned, not the tables.
def _on_disk(url: str, needle: str) -> list[str]:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    database = Path(make_url(url).database)
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
    return [p.name for p in files if needle.encode() in p.read_bytes()]


async def _erased_everywhere(url: str, needle: str) -> list[str]:
    import asyncio

    for _ in range(50):  # the checkpoint runs right after the commit
        found = _on_disk(url, needle)
        if not found:
            return []
        await asyncio.sleep(0.05)
    return found


async def test_forget_leaves_no_copy_in_the_sqlite_files(runtime, sqlite_url) -> None:
    secret = "Zorglub Cooperativa de Proves"
    chat = Chat(runtime, sender_id="tg:31337", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send(secret)
    await _seed_personal_data(runtime, "tg:31337")
    assert _on_disk(sqlite_url, secret), "the test needs the text on disk first"
    await chat.send("/forget")
    await chat.send(payload="/forget_confirm")
    assert await _erased_everywhere(sqlite_url, secret) == []
    assert await _erased_everywhere(sqlite_url, SECRETS[0]) == []


async def test_purge_leaves_no_copy_in_the_sqlite_files(runtime, sqlite_url) -> None:
    from bot.app.maintenance import run_maintenance

    chat = Chat(runtime, sender_id="tg:31338", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send("Zorglub Fundacio Antiga")
    old = datetime.now(UTC) - timedelta(days=400)
    async with runtime.sessionmaker() as session:
        await session.execute(update(Conversation).values(updated_at=old))
        await session.commit()
    assert _on_disk(sqlite_url, "Zorglub Fundacio Antiga")
    assert (await run_maintenance(runtime))["conversations"] == 1
    assert await _erased_everywhere(sqlite_url, "Zorglub Fundacio Antiga") == []
