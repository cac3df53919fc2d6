"""What each entity reads of an introduction, in its own language, and the contacts once both said yes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.matching.introductions import propose
from bot.matching.rules import load_rules
from bot.notifier import Notifier
from bot.shared import callbacks
from bot.store import matching as store
from bot.store.models import Introduction
from tests.auxil.matching import seed_entity


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, list | None]] = []

    async def send(self, address, text, buttons=None):
        self.sent.append((address, text, buttons))
        return len(self.sent)

    async def edit(self, address, message_id, text, buttons=None):
        raise AssertionError("nothing is edited")


async def _introduce(rt, first_lang: str, second_lang: str) -> tuple[Recorder, Notifier, int]:
    a = await seed_entity(rt, f"tg:94{first_lang}1", "Esplai La Fletxa", language=first_lang,
                          offers=("premises", "volunteers"), seeks=("back_office",),
                          contact={"contact_name": "Núria Puig", "contact_role": "coordinadora",
                                   "contact_email": "nuria@fletxa.cat"})
    b = await seed_entity(rt, f"tg:94{second_lang}2", "Serveis Compartits SCCL", language=second_lang,
                          field="gestio administrativa i comptabilitat per a entitats", territory="catalonia",
                          size_staff="6_20", objective="efficiency", offers=("back_office", "digital"),
                          seeks=("volunteers",), groups_served=())
    async with rt.sessionmaker() as session, session.begin():
        intro = (await propose(session=session, rules=load_rules(str(rt.settings.knowledge_dir)), a_entity_id=a,
                               b_entity_id=b, proposed_by=None)).intro
    recorder = Recorder()
    notifier = Notifier(settings=rt.settings, domain=rt.domain, sessionmaker=rt.sessionmaker, sender=recorder)
    await notifier.run_once()
    return recorder, notifier, intro.id


EXPECTED = {  # (what the esplai reads, the Accept title) in each language
    "ca": ("Un facilitador del programa creu que us aniria bé conèixer Serveis Compartits SCCL",
           "• Territori: Tota Catalunya", "Ofereix: Gestió administrativa, eines digitals",
           "Esplai La Fletxa busca gestió administrativa, i Serveis Compartits SCCL ho ofereix", "✅ Vull conèixer-la"),
    "es": ("Un facilitador del programa cree que os iría bien conocer a Serveis Compartits SCCL",
           "• Territorio: Toda Cataluña", "Ofrece: Gestión administrativa, herramientas digitales",
           "Esplai La Fletxa busca gestión administrativa, y Serveis Compartits SCCL lo ofrece", "✅ Quiero conocerla"),
    "en": ("A programme facilitator thinks you'd do well to meet Serveis Compartits SCCL",
           "• Area: All of Catalonia", "Offers: Back office, digital tools",
           "Esplai La Fletxa is looking for back office, which Serveis Compartits SCCL offers", "✅ I'd like to meet them"),
}


@pytest.mark.parametrize("lang", list(EXPECTED))
async def test_the_introduction_in_each_language(runtime, lang) -> None:
    opening, area, offers, reason, accept = EXPECTED[lang]
    recorder, _notifier, intro_id = await _introduce(runtime, lang, "ca")
    to_esplai = next(text for address, text, _b in recorder.sent if address.endswith(f"94{lang}1") and opening in text)
    for expected in (area, offers, reason, "(3,0 i 3,0 de 4)" if lang == "ca" else "3"):
        assert expected in to_esplai, (lang, expected, to_esplai)
    assert "nuria@" not in " ".join(t for _a, t, _b in recorder.sent)  # no contact before both say yes
    buttons = next(b for address, _t, b in recorder.sent if address.endswith(f"94{lang}1"))
    assert buttons[0] == [(accept, callbacks.match(intro_id, "accept"))]
    assert callbacks.parse_match(buttons[1][0][1]).answer == callbacks.IntroAnswer.DECLINE


async def test_both_yes_sends_each_the_others_contact_once(runtime) -> None:
    recorder, notifier, intro_id = await _introduce(runtime, "ca", "es")
    recorder.sent.clear()
    for sender in ("tg:94ca1", "tg:94es2"):
        async with runtime.sessionmaker() as session, session.begin():
            await store.answer(session=session, intro_id=intro_id, sender_id=sender, accept=True)
    await notifier.run_once()
    await notifier.run_once()
    texts = {address: text for address, text, _b in recorder.sent}
    assert len(recorder.sent) == 2  # no facilitator to tell here (none proposed it, no group set)
    assert "Núria Puig · coordinadora" in texts["tg:94es2"] and "nuria@fletxa.cat" in texts["tg:94es2"]
    assert texts["tg:94es2"].startswith("🎉 ¡Esplai La Fletxa también quiere conoceros!")
    # the cooperative left no contact: the esplai is told the facilitator will put them in touch
    assert "el facilitador del programa us posarà en contacte" in texts["tg:94ca1"]


async def test_the_one_reminder_goes_to_who_has_not_answered(runtime) -> None:
    recorder, notifier, intro_id = await _introduce(runtime, "ca", "en")
    recorder.sent.clear()
    async with runtime.sessionmaker() as session, session.begin():
        await store.answer(session=session, intro_id=intro_id, sender_id="tg:94ca1", accept=True)
        await session.execute(update(Introduction).values(proposed_at=store.now_utc() - timedelta(days=4)))
    assert await notifier.schedule_introduction_reminders() == {"reminded": 1, "expired": 0}
    await notifier.run_once()
    assert [(address, text.split("\n")[0]) for address, text, _b in recorder.sent] == [
        ("tg:94en2", "⏰ A reminder about this introduction: you haven't told us yet whether you'd like it.")]
    assert "A programme facilitator thinks you'd do well to meet Esplai La Fletxa" in recorder.sent[0][1]
