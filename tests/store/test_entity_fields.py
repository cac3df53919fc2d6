"""The entity's fields are cut to their column's size, the same way by the journey and by the handoff
(one list, sizes from the table): a long territory is stored, on PostgreSQL too, never refused."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.store import leads as store
from bot.store.models import ENTITY_FIELDS, Entity


async def test_a_long_territory_fits_its_column(any_runtime) -> None:
    assert ENTITY_FIELDS["territory"] == Entity.__table__.c.territory.type.length == 64
    long = "Comarca " * 40  # 320 characters
    async with any_runtime.sessionmaker() as s, s.begin():
        await store.create_or_update_lead(
            session=s, sender_id="tg:4242", entity={"name": "Coop Llarga", "territory": long},
            contact={"contact_name": "Marta", "contact_email": "m@coop.cat"}, consent_at=datetime.now(UTC),
            consent_version="v1", dossier={"entity": {"name": "Coop Llarga"}}, priority="normal",
            priority_reasons=[], language="ca")
    async with any_runtime.sessionmaker() as s:
        entity = await s.scalar(select(Entity).where(Entity.name == "Coop Llarga"))
    assert entity.territory == long[:64]
