"""`aliat leads export --csv` (issue 24's gap): the staff's sheet in words, in their language, as the dashboard
exports it; `--codes` keeps the machine form (snake_case columns and the stored codes) for scripts."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime

from sqlalchemy import insert

from bot.cli import main
from bot.store.models import Entity, Lead

# what the lead below stores, none of which a member of staff should have to decode
CODES = {"notified", "claimed", "proactive", "reactive", "innovation", "public_contracting", "girona", "urgent"}


async def _two_leads(url: str) -> None:
    from bot.store.db import create_engine
    from bot.store.migrate import upgrade

    db = create_engine(url)
    await upgrade(db)
    created = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    async with db.begin() as conn:
        await conn.execute(insert(Entity.__table__), [
            {"id": 1, "name": "Coop Sud", "territory": "girona", "contact_telegram": True},
            {"id": 2, "name": "Esplai Nord", "territory": "girona", "contact_telegram": False}])
        await conn.execute(insert(Lead.__table__), [
            {"entity_id": 1, "status": "notified", "priority": "normal", "priority_reasons": [], "language": "ca",
             "dossier": {"motivation": "proactive", "answers": {"objective": "innovation"}},
             "created_at": created, "updated_at": created},
            {"entity_id": 2, "status": "notified", "priority": "high", "priority_reasons": ["urgent"], "language": "es",
             "dossier": {"motivation": "reactive", "answers": {"objective": "public_contracting"},
                         "urgency": {"level": "urgent", "quote": "tanquem al juny"}},
             "created_at": created, "updated_at": created}])
    await db.dispose()


def _export(tmp_path, *args: str) -> list[list[str]]:
    out = tmp_path / "leads.csv"
    assert main(["leads", "export", "--csv", str(out), *args]) == 0
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


async def test_leads_export_writes_words_in_the_staff_language(sqlite_url, tmp_path, monkeypatch) -> None:
    await _two_leads(sqlite_url)
    monkeypatch.setenv("ALIAT_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("ALIAT_CONFIG", raising=False)

    for lang, titles, words in [
            (None, ["Núm.", "Arribada", "Estat", "Prioritat", "Entitat"], {"Innovar", "Proactiva", "Girona", "català"}),
            ("es", ["Núm.", "Llegada", "Estado", "Prioridad", "Entidad"], {"Innovar", "Reactiva", "Girona", "castellano"})]:
        rows = await asyncio.to_thread(_export, tmp_path, *(["--lang", lang] if lang else []))
        assert rows[0][:5] == titles
        cells = {cell for row in rows[1:] for cell in row}
        assert words <= cells, (lang, cells)
        assert not cells & CODES, (lang, cells & CODES)
        assert [r[4] for r in rows[1:]] == ["Esplai Nord", "Coop Sud"]  # the queue's order: urgent first


async def test_leads_export_codes_keeps_the_machine_form(sqlite_url, tmp_path, monkeypatch) -> None:
    await _two_leads(sqlite_url)
    monkeypatch.setenv("ALIAT_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("ALIAT_CONFIG", raising=False)
    rows = await asyncio.to_thread(_export, tmp_path, "--codes")
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert header[:6] == ["id", "status", "outcome", "entity_name", "territory", "priority"]
    assert [(r["entity_name"], r["urgency"], r["motivation"], r["objective"], r["territory"]) for r in body] == [
        ("Esplai Nord", "urgent", "reactive", "public_contracting", "girona"),
        ("Coop Sud", "normal", "proactive", "innovation", "girona")]


async def test_leads_list_reads_in_words(sqlite_url, monkeypatch, capsys) -> None:
    """`aliat leads list`'s table, for staff at a terminal, in words too (`--json` keeps the codes)."""
    await _two_leads(sqlite_url)
    monkeypatch.setenv("ALIAT_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("ALIAT_CONFIG", raising=False)
    for lang, unassigned in ((None, "⏳ sense assignar"), ("en", "⏳ unassigned")):
        capsys.readouterr()
        assert await asyncio.to_thread(main, ["leads", "list", *(["--lang", lang] if lang else [])]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert [line.split("\t")[5] for line in lines] == ["Esplai Nord", "Coop Sud"]  # urgent first
        assert all(line.split("\t")[4] == unassigned for line in lines)
        assert "🔴 urgent" in lines[0] and "notified" not in "\n".join(lines)
