"""Seeding leads and staff for the dashboard's tests, and serving the dashboard on a free port."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app.runtime import Runtime
from bot.store import funnel, staff
from bot.store import leads as store
from bot.store.models import Conversation
from bot.web.server import create_app

LAIA, PAU, NURIA, STRANGER = 7001, 7002, 7003, 4242


def with_web(runtime: Runtime, port: int = 0, base_url: str = "") -> Runtime:
    """The runtime with the dashboard switched on."""
    runtime.settings = replace(runtime.settings, web=replace(runtime.settings.web, enabled=True, port=port,
                                                             base_url=base_url))
    return runtime


async def seed(runtime: Runtime, leads: int = 3) -> list[int]:
    """Two facilitators (Laia, Pau), a coordinator (Núria) and `leads` leads from entities in Telegram."""
    ids = []
    async with runtime.sessionmaker() as session, session.begin():
        await store.add_facilitator(session=session, telegram_user_id=LAIA, name="Laia", language="ca")
        await store.add_facilitator(session=session, telegram_user_id=PAU, name="Pau", language="es")
        await staff.add_coordinator(session=session, telegram_user_id=NURIA, name="Núria")
        for i in range(leads):
            # the entity's conversation first, as through the bot: the funnel counts conversations
            conversation = await session.scalar(select(Conversation).where(Conversation.sender_id == f"tg:{1001 + i}"))
            if conversation is None:  # (a test may have made it already)
                conversation = Conversation(sender_id=f"tg:{1001 + i}", channel="telegram", language="ca", state={},
                                            version=1)
                session.add(conversation)
                await session.flush()
            await funnel.reach(session=session, step="first_contact", conversation_id=conversation.id,
                               language="ca")
            result = await store.create_or_update_lead(
                session=session, sender_id=f"tg:{1001 + i}",
                entity={"name": f"Coop {i + 1}", "territory": "girona" if i % 2 == 0 else "lleida"},
                contact={"contact_name": f"Marta {i + 1}", "contact_telegram": True, "telegram_chat_id": 1001 + i},
                consent_at=datetime.now(UTC), consent_version="2026-11",
                dossier={"motivation": "proactive", "answers": {"objective": "innovation", "territory": "girona"},
                         "entity": {"name": f"Coop {i + 1}"}},
                priority="high" if i == 0 else "normal", priority_reasons=[], language="ca")
            ids.append(result.lead.id)
    return ids


async def login_link(runtime: Runtime, user_id: int) -> str:
    async with runtime.sessionmaker() as session, session.begin():
        return f"/login?t={await staff.create_login(session=session, telegram_user_id=user_id)}"


@contextlib.asynccontextmanager
async def dashboard_client(runtime: Runtime) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(create_app(with_web(runtime))))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
