"""Issue 24: lead lists in the queue's order (urgent first, then the longest waiting), overdue leads marked
and counted, and `aliat leads list --json` / `aliat leads show` giving what a facilitator acts on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.engine import UserMessage
from bot.store import leads as store
from bot.store.models import Lead
from tests.auxil.cli import aliat
from tests.auxil.runtime import make_runtime

NOW = datetime.now(UTC)


async def _lead(rt, n: int, *, urgent: bool, hours_ago: float, readiness: float | None = 2.6) -> int:
    sender = f"tg:90{n}"
    await rt.engine.handle(UserMessage(sender_id=sender, text="/start"))
    urgency = {"level": "urgent", "quote": "haurem de tancar a l'estiu"} if urgent else {"level": "normal", "quote": ""}
    async with rt.sessionmaker() as s, s.begin():
        lead_id = (await store.create_or_update_lead(
            session=s, sender_id=sender, entity={"name": f"Entitat {n}"}, contact={"contact_name": "Marta"},
            consent_at=NOW, consent_version="v1",
            dossier={"entity": {"name": f"Entitat {n}"}, "answers": {"objective": "impact"}, "motivation": "reactive",
                     "readiness_overall": readiness, "urgency": urgency},
            priority="high" if urgent else "normal", priority_reasons=["urgent"] if urgent else [],
            language="ca")).lead.id
        await s.execute(update(Lead).where(Lead.id == lead_id).values(created_at=NOW - timedelta(hours=hours_ago)))
    return lead_id


async def test_urgent_first_then_the_longest_waiting_and_overdue_marked(database_url) -> None:
    rt = await make_runtime(database_url)
    try:
        fresh = await _lead(rt, 1, urgent=False, hours_ago=2)
        old = await _lead(rt, 2, urgent=False, hours_ago=120)  # five days: past the 24 h to claim it
        urgent_new = await _lead(rt, 3, urgent=True, hours_ago=1)
        urgent_old = await _lead(rt, 4, urgent=True, hours_ago=30, readiness=None)
        async with rt.sessionmaker() as s:
            rows = await store.list_leads(session=s, claim_hours=24, contact_days=3)
            counts = await store.count_overdue(session=s, claim_hours=24, contact_days=3)
        assert [r["id"] for r in rows] == [urgent_old, urgent_new, old, fresh]
        by_id = {r["id"]: r for r in rows}
        assert by_id[urgent_old]["urgency"] == "urgent" and by_id[urgent_old]["urgency_reason"] == \
            "haurem de tancar a l'estiu"
        assert by_id[fresh]["urgency"] == "normal" and by_id[fresh]["urgency_reason"] is None
        assert by_id[fresh]["readiness"] == 2.6 and by_id[urgent_old]["readiness"] is None
        assert 119.9 <= by_id[old]["waiting_hours"] <= 120.2
        assert by_id[old]["overdue"] == "unclaimed" and by_id[urgent_old]["overdue"] == "unclaimed"
        assert by_id[fresh]["overdue"] is None
        assert counts == {"unclaimed": 2, "no_contact": 0}
        # taken four days ago and nobody in touch since: past the 3 days to contact
        async with rt.sessionmaker() as s, s.begin():
            fac = await store.add_facilitator(session=s, telegram_user_id=7101, name="Laia")
            assert (await store.claim_lead(session=s, lead_id=fresh, facilitator=fac)).ok
            await s.execute(update(Lead).where(Lead.id == fresh).values(claimed_at=NOW - timedelta(days=4)))
        async with rt.sessionmaker() as s:
            counts = await store.count_overdue(session=s, claim_hours=24, contact_days=3)
        assert counts == {"unclaimed": 2, "no_contact": 1}
    finally:
        await rt.close()


async def test_the_facilitators_list_on_telegram_is_in_the_queues_order(sqlite_url) -> None:
    from bot.leads import LeadDesk

    rt = await make_runtime(sqlite_url)
    try:
        normal = await _lead(rt, 1, urgent=False, hours_ago=100)
        urgent = await _lead(rt, 2, urgent=True, hours_ago=3)
        async with rt.sessionmaker() as s, s.begin():
            fac = await store.add_facilitator(session=s, telegram_user_id=7102, name="Pau")
        text = await LeadDesk(rt).leads(fac)
        lines = text.split("\n")
        assert lines[1].startswith(f"#{urgent} · Entitat 2 · 🔴 urgent · 2,6/4 · espera 3 h")
        assert lines[2].startswith(f"⏰ #{normal} · Entitat 1 · normal · 2,6/4 · espera 4 d 4 h")
        assert lines[2].endswith("(ningú no l'ha agafat a temps)")
        assert "ha demanat una persona" not in text
    finally:
        await rt.close()


async def test_aliat_leads_list_json_and_show(sqlite_url) -> None:
    rt = await make_runtime(sqlite_url)
    try:
        urgent = await _lead(rt, 1, urgent=True, hours_ago=5)
    finally:
        await rt.close()
    done = aliat("leads", "list", "--json", database_url=sqlite_url)
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert row["id"] == urgent and row["urgency"] == "urgent" and row["urgency_reason"] == "haurem de tancar a l'estiu"
    assert row["readiness"] == 2.6 and 4.9 <= row["waiting_hours"] <= 5.2 and row["overdue"] is None
    shown = aliat("leads", "show", str(urgent), "--lang", "en", database_url=sqlite_url)
    assert shown.returncode == 0, shown.stderr
    assert "Urgency: 🔴 urgent — said: \"haurem de tancar a l'estiu\"" in shown.stdout
    assert "Readiness: 2.6/4" in shown.stdout and "Contact: Marta" in shown.stdout


async def test_when_will_they_call_names_who_has_the_case(sqlite_url) -> None:
    from tests.auxil.runtime import ask_for_a_facilitator

    rt = await make_runtime(sqlite_url)
    try:
        chat = await ask_for_a_facilitator(rt, "tg:950")
        async with rt.sessionmaker() as s, s.begin():
            fac = await store.add_facilitator(session=s, telegram_user_id=7103, name="Laia")
            lead = await store.open_lead_for_sender(session=s, sender_id="tg:950")
            assert (await store.claim_lead(session=s, lead_id=lead.id, facilitator=fac)).ok
        await chat.send("/bot")  # back to the assistant while Laia holds the case
        replies = await chat.send("i quan em trucaran?")
        assert [r.response for r in replies] == ["utter_when_contact_claimed"]
        assert replies[0].text.startswith("Laia, de l'equip de facilitadors") and "3 dies" in replies[0].text
    finally:
        await rt.close()


async def test_the_dashboard_marks_and_counts_overdue_leads(sqlite_url) -> None:
    from bot.store import staff
    from tests.auxil.dashboard import dashboard_client, login_link

    rt = await make_runtime(sqlite_url)
    try:
        late = await _lead(rt, 1, urgent=False, hours_ago=50)
        urgent = await _lead(rt, 2, urgent=True, hours_ago=1)
        async with rt.sessionmaker() as s, s.begin():
            await staff.add_coordinator(session=s, telegram_user_id=7303, name="Núria")
        async with dashboard_client(rt) as client:
            assert (await client.get(await login_link(rt, 7303), allow_redirects=False)).status == 303
            overview = await (await client.get("/overview?period=all")).text()
            assert "Fora de termini: 1 sense agafar i 0 sense contacte" in overview
            page = await (await client.get("/leads")).text()
            assert page.index(f'data-lead="{urgent}"') < page.index(f'data-lead="{late}"')  # urgent first
            assert f"⏰ #{late}" in page and f"⏰ #{urgent}" not in page
            assert "ningú no l&#39;ha agafat a temps" in page or "ningú no l'ha agafat a temps" in page
    finally:
        await rt.close()
