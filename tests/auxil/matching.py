"""Partner matching helpers: entities that did the journey and opted in, written straight to the store."""

from __future__ import annotations

from typing import Any

from bot.store import matching as store
from bot.store.models import Assessment, Conversation, Entity


async def seed_entity(runtime, sender_id: str, name: str, *, consent: bool = True, language: str = "ca",
                      field: str = "lleure per a infants i joves", territory: str = "barcelona",
                      size_staff: str = "1_5", objective: str = "integral_attention", readiness: float = 3.0,
                      offers: tuple[str, ...] = (), seeks: tuple[str, ...] = (),
                      groups_served: tuple[str, ...] = ("children_youth",), contact: dict[str, Any] | None = None,
                      fear_power: int | None = None) -> int:
    """A conversation, its entity and journey and, with `consent`, its matching profile; the entity's id."""
    async with runtime.sessionmaker() as session, session.begin():
        conversation = Conversation(sender_id=sender_id, channel="telegram", language=language, state={})
        session.add(conversation)
        await session.flush()
        entity = Entity(conversation_id=conversation.id, name=name, field=field, territory=territory,
                        size_staff=size_staff, contact_telegram=False, **(contact or {}))
        session.add(entity)
        await session.flush()
        answers: dict[str, Any] = {"objective": objective}
        if fear_power is not None:
            answers["rel_conflicts_power"] = fear_power
        session.add(Assessment(conversation_id=conversation.id, entity_id=entity.id, language=language,
                               content_version="t", answers=answers, motivation="proactive",
                               readiness_overall=readiness))
        await session.flush()
        if consent:
            journey = await store.journey_of(session=session, entity_id=entity.id)
            await store.save_profile(session=session, sender_id=sender_id, consent_version=runtime.settings.matching.consent_version,
                                     language=language, offers=list(offers), seeks=list(seeks),
                                     groups_served=list(groups_served), **journey)
        return entity.id


async def two_that_fit(runtime) -> tuple[int, int]:
    """An esplai with premises and volunteers that needs a back office, and a cooperative that offers one."""
    a = await seed_entity(runtime, "tg:9101", "Esplai La Fletxa", offers=("premises", "volunteers"),
                          seeks=("back_office", "funders"), contact={"contact_name": "Núria",
                                                                      "contact_email": "nuria@fletxa.cat"})
    b = await seed_entity(runtime, "tg:9102", "Serveis Compartits SCCL", language="es",
                          field="gestio administrativa i comptabilitat per a entitats", offers=("back_office", "digital"),
                          seeks=("volunteers", "premises"), groups_served=(),
                          contact={"contact_name": "Jordi", "contact_phone": "+34600111222"})
    return a, b
