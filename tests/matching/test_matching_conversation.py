"""The opt-in and the partner profile in the conversation: separate from the handoff's consent, three questions
whose buttons tick several answers and whose typed lists are understood in the three languages, /nomatch."""

from __future__ import annotations

import pytest

from bot.store import matching as store
from bot.store.models import MatchProfile
from tests.auxil.matching import seed_entity
from tests.auxil.runtime import Chat


def _responses(replies) -> list[str]:
    return [r.response for r in replies]


async def _profile(rt, sender: str) -> MatchProfile | None:
    async with rt.sessionmaker() as session:
        return await store.profile_for_sender(session=session, sender_id=sender)


async def test_opt_in_profile_with_buttons_and_typed_lists_then_withdraw(runtime) -> None:
    await seed_entity(runtime, "tg:9201", "Esplai La Fletxa", consent=False)
    chat = Chat(runtime, "tg:9201", "ca")
    assert "utter_ask_matching_consent" in _responses(await chat.send("/partner"))
    assert "/nomatch" in chat.texts() and "contacte" in chat.texts()  # what is shared, how to withdraw
    assert "utter_ask_offers" in _responses(await chat.send("sí, d'acord"))
    assert "utter_ask_seeks" in _responses(await chat.send("local i voluntaris"))
    # buttons tick (several), ✅ keeps them
    replies = await chat.send(payload="back_office")
    assert replies[-1].slot == "seeks" and ("✓ 🗂 Gestió administrativa", "back_office") in replies[-1].buttons
    await chat.send(payload="funders")
    await chat.send(payload="back_office")  # pressed again: unticked
    await chat.send(payload="digital")
    assert "utter_ask_groups_served" in _responses(await chat.send(payload="done"))
    assert "utter_matching_saved" in _responses(await chat.send("nens i joves, famílies"))
    profile = await _profile(runtime, "tg:9201")
    assert (profile.offers, profile.seeks, profile.groups_served) == (
        ["premises", "volunteers"], ["funders", "digital"], ["children_youth", "families"])
    assert profile.consent_version == runtime.settings.matching.consent_version
    assert profile.objective == "integral_attention" and profile.readiness == 3.0  # from the journey
    # already in: change or leave
    assert "utter_matching_already" in _responses(await chat.send("/partner"))
    # one command withdraws
    assert "utter_matching_withdrawn" in _responses(await chat.send("/nomatch"))
    assert await _profile(runtime, "tg:9201") is None
    assert "utter_matching_not_in" in _responses(await chat.send("/nomatch"))


@pytest.mark.parametrize(("lang", "yes", "offers", "expected"), [
    ("es", "sí, de acuerdo", "locales y voluntarios", ["premises", "volunteers"]),
    ("en", "yes", "premises, volunteers and a website", ["premises", "volunteers", "digital"]),
    ("ca", "si", "1 i 7", ["premises", "back_office"]),
    ("en", "ok", "premisses and volunters", ["premises", "volunteers"]),  # a letter or two wrong
    ("ca", "d'acord", "tenim un local, gent voluntaria / experiencia en licitacions", ["premises", "volunteers", "tenders"]),
])
async def test_typed_lists_in_each_language(runtime, lang, yes, offers, expected) -> None:
    await seed_entity(runtime, "tg:9202", "Coop", consent=False, language=lang)
    chat = Chat(runtime, "tg:9202", lang)
    await chat.send("/partner")
    await chat.send(yes)
    await chat.send(offers)
    tracker = await chat.tracker()
    assert tracker.slots.get("offers") == expected and tracker.requested_slot == "seeks"


async def test_a_typed_word_that_is_no_option_is_refused_and_nothing_is_lost(runtime) -> None:
    await seed_entity(runtime, "tg:9203", "Coop", consent=False)
    chat = Chat(runtime, "tg:9203", "ca")
    await chat.send("/partner")
    await chat.send("sí")
    await chat.send(payload="premises")
    replies = await chat.send("patates")
    assert "utter_wrong_offers" in _responses(replies) and replies[-1].slot == "offers"
    assert ("✓ 🏠 Local", "premises") in replies[-1].buttons  # the tick is still there
    await chat.send("fet")  # typed "done" keeps what is ticked
    assert (await chat.tracker()).slots.get("offers") == ["premises"]


async def test_saying_no_keeps_nothing_and_no_journey_means_journey_first(runtime) -> None:
    await seed_entity(runtime, "tg:9204", "Coop", consent=False)
    chat = Chat(runtime, "tg:9204", "ca")
    await chat.send("/partner")
    assert "utter_matching_not_now" in _responses(await chat.send("no, gràcies"))
    assert await _profile(runtime, "tg:9204") is None
    stranger = Chat(runtime, "tg:9205", "ca")
    await stranger.send("/start")
    assert _responses(await stranger.send(payload="/find_partner")) == ["utter_matching_needs_journey"]


async def test_a_new_wording_of_the_opt_in_asks_again(runtime) -> None:
    await seed_entity(runtime, "tg:9206", "Coop", offers=("premises",), seeks=("volunteers",))  # opted in
    chat = Chat(runtime, "tg:9206", "ca")
    assert _responses(await chat.send("/partner")) == ["utter_matching_already"]
    async with runtime.sessionmaker() as session, session.begin():
        profile = await store.profile_for_sender(session=session, sender_id="tg:9206")
        profile.consent_version = "2025-01"  # agreed to an older text
    assert "utter_ask_matching_consent" in _responses(await chat.send("/partner"))
