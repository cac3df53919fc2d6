"""`aliat leads list --json`, `show`, `export`, `stats` and `aliat facilitators` on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

from bot.cli import main
from tests.auxil.runtime import ask_for_a_facilitator, make_runtime


async def test_leads_cli(database_url, tmp_path, monkeypatch, capsys) -> None:
    rt = await make_runtime(database_url)
    try:
        await ask_for_a_facilitator(rt, "tg:901")
    finally:
        await rt.close()
    monkeypatch.setenv("ALIAT_DATABASE_URL", database_url)
    monkeypatch.delenv("ALIAT_CONFIG", raising=False)

    async def cli(*argv: str) -> str:
        capsys.readouterr()
        assert await asyncio.to_thread(main, list(argv)) == 0
        return capsys.readouterr().out

    assert "registered" in await cli("facilitators", "add", "7001", "--name", "Laia", "--territory", "Girona")
    assert "Laia" in await cli("facilitators", "list")
    rows = json.loads(await cli("leads", "list", "--json"))
    assert len(rows) == 1
    row = rows[0]
    assert row["entity_name"] == "Coop Sud" and row["status"] == "new" and row["priority"] == "normal"
    assert {"id", "assignee_id", "assignee_name", "created_at", "updated_at"} <= set(row)
    assert json.loads(await cli("leads", "list", "--json", "--status", "closed")) == []
    assert "Marta" in await cli("leads", "show", str(row["id"]))
    out = tmp_path / "leads.csv"
    await cli("leads", "export", "--csv", str(out))
    assert "Coop Sud" in out.read_text(encoding="utf-8")
    stats = json.loads(await cli("leads", "stats"))
    assert stats["total"] == 1 and stats["by_status"] == {"new": 1}
    assert "removed" in await cli("facilitators", "remove", "7001")
