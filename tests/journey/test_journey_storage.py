"""The journey stores its assessment and the entity (no personal data), linked to the conversation."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.shared.chart_files import wait_for_chart
from bot.store.models import Assessment, Conversation, Entity
from tests.auxil.runtime import Chat

# entity name, field, territory, staff, collaboration, why, then the cue buttons: the why text answers
# "services at risk" (closing), so the finances are confirmed in one line (2 = serious) and that one is skipped
INTERVIEW = ["Associació Riu Viu", "lleure educatiu amb infants", "5", "2", "2",
             "Ens han retallat la subvenció i si no ens aliem haurem de tancar",
             "2", "1", "2", "2", "6", "1"]


async def run_journey(chat: Chat, *, feedback: list[str], factors: list[int], relationship: list[int] | None) -> None:
    await chat.send("/start")
    await chat.send(payload="/explore")
    for answer in INTERVIEW + feedback + [str(v) for v in factors] + [str(v) for v in relationship or []]:
        await chat.send(answer)


async def test_assessment_and_entity_are_stored_and_linked(any_runtime) -> None:
    chat = Chat(any_runtime, sender_id="test:journey-store", language="ca")
    await run_journey(chat, feedback=["2", "2"], factors=[3, 2, 2, 1, 2], relationship=[1, 2, 3, 3, 4, 4, 3, 4])
    tracker = await chat.tracker()
    assert tracker.active_form is None
    assert isinstance(tracker.slots["assessment_id"], int)
    async with any_runtime.sessionmaker() as session:
        conversation = await session.scalar(select(Conversation).where(Conversation.sender_id == chat.sender_id))
        row = await session.get(Assessment, tracker.slots["assessment_id"])
        entity = await session.get(Entity, row.entity_id)
    assert row.conversation_id == conversation.id
    assert row.motivation == "reactive" and 0.5 < row.confidence <= 1
    assert {e["direction"] for e in row.evidence} == {"reactive"}
    assert any(e["source"] == "text" for e in row.evidence)
    assert row.readiness == {"clear_objective": 3, "trust": 2, "commitment": 2, "investment": 1, "sharing": 2}
    assert row.readiness_overall == 2.0
    assert row.flags == ["competition_risk"]
    assert row.disagreement == "proactive"
    assert row.language == "ca"
    assert row.content_version == any_runtime.domain.version
    assert row.answers["financial_situation"] == "serious" and row.answers["rel_duplications_services"] == 4
    assert row.answers["why_partner"].startswith("Ens han retallat")
    assert entity.conversation_id == conversation.id
    assert (entity.name, entity.field, entity.territory) == ("Associació Riu Viu", "lleure educatiu amb infants",
                                                             "terres_ebre")
    # a typed count, as on Telegram: "2" staff is in the band 1-5; volunteers and budget are asked in the handoff only
    assert (entity.size_staff, entity.size_volunteers, entity.budget_band) == ("1_5", None, None)
    assert entity.contact_name is None and entity.contact_email is None and entity.contact_phone is None
    assert entity.consent_at is None


async def test_a_second_journey_adds_an_assessment_and_updates_the_same_entity(runtime) -> None:
    chat = Chat(runtime, sender_id="test:journey-twice", language="en")
    await run_journey(chat, feedback=["1"], factors=[4, 4, 4, 4, 4], relationship=[1, 1, 4, 4, 1, 1, 4, 4])
    first = (await chat.tracker()).slots["assessment_id"]
    replies = await chat.send(payload="/explore")
    assert [r.response for r in replies] == ["utter_interview_intro", "utter_ask_entity_name"]
    assert (await chat.tracker()).slots.get("motivation") is None
    await chat.send("Open Doors Foundation")
    await chat.send("/skip")
    for answer in ["1", "/skip", "/skip", "/skip", "/skip", "/skip", "1", "3", "3", "1", "1", "1", "2"]:
        await chat.send(answer)
    await chat.send("1")  # agree with the reading
    for value in (2, 3, 3, 2, 3):
        await chat.send(str(value))
    tracker = await chat.tracker()
    second = tracker.slots["assessment_id"]
    assert second != first
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Entity)) == 1
        entity = await session.scalar(select(Entity))
        rows = list(await session.scalars(select(Assessment).order_by(Assessment.id)))
    assert [r.id for r in rows] == [first, second]
    assert entity.name == "Open Doors Foundation" and entity.territory == "barcelona"
    assert entity.field == "lleure educatiu amb infants"  # a skipped answer keeps what was known
    assert rows[1].motivation == "proactive" and rows[1].flags == [] and rows[1].disagreement is None
    assert rows[1].answers["field"] == "skipped"


def picture_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    assert path.read_bytes()[:3] == b"\xff\xd8\xff", "not a JPEG"
    with Image.open(path) as image:
        image.load()  # the whole file decodes
        return image.size


async def test_the_summary_sends_a_chart_readable_on_a_phone(runtime) -> None:
    chat = Chat(runtime, sender_id="test:journey-chart", language="es")
    await run_journey(chat, feedback=["1"], factors=[3, 3, 3, 3, 3], relationship=[1, 1, 4, 4, 1, 1, 4, 4])
    images = [r for r in chat.last if r.image]
    assert len(images) == 1 and images[0].response == "utter_summary_chart"
    path = Path(images[0].image)
    assert await wait_for_chart(path)  # drawn in the background, as the channels wait for it
    width, height = picture_size(path)
    assert 700 <= width <= 1600 and 700 <= height <= 1800
    assert path.stat().st_size > 20_000  # bars and labels, not an empty canvas
    assert (await chat.tracker()).slots["journey_chart"] == str(path)
    # one closing menu after the summary, here offering a facilitator (the answers qualify)
    keyboards = [r for r in chat.last if r.buttons]
    assert [r.response for r in keyboards] == ["utter_summary_close_offer"]
    assert ("/human" in [p for _, p in keyboards[0].buttons]) and ("/restart" in [p for _, p in keyboards[0].buttons])
    path.unlink()


async def test_the_summary_is_given_even_when_the_database_refuses(runtime, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import actions.summary as summary

    async def broken(**_kwargs):
        raise OperationalError("insert", {}, Exception("disk full"))

    monkeypatch.setattr(summary, "save_assessment", broken)
    chat = Chat(runtime, sender_id="test:journey-db-down", language="ca")
    await run_journey(chat, feedback=["1"], factors=[2, 2, 2, 2, 2], relationship=[2, 2, 3, 3, 2, 2, 3, 3])
    names = [r.response for r in chat.last]
    assert "utter_summary" in names and "utter_something_went_wrong" not in names
    assert (await chat.tracker()).slots["assessment_id"] is None


async def test_very_long_answers_are_cut_and_the_interview_goes_on(runtime) -> None:
    chat = Chat(runtime, sender_id="test:journey-long", language="es")
    await chat.send(payload="/explore")
    await chat.send("Asociación " + "muy " * 30 + "larga")
    await chat.send("acompañamiento a personas mayores " * 40)
    tracker = await chat.tracker()
    assert len(tracker.slots["field"]) == 300 and tracker.requested_slot == "territory"
    for answer in ["1", "/skip", "/skip"]:
        await chat.send(answer)
    await chat.send("No llegamos a final de mes y tememos cerrar. " * 200)
    tracker = await chat.tracker()
    assert len(tracker.slots["why_partner"]) <= runtime.settings.conversation.max_text_length
    assert tracker.requested_slot == "financial_situation"
