"""A lead card that grows past Telegram's 4,096 characters still reaches the facilitators (issue 27's gap).

The card is one message with the buttons, edited as the lead moves on; an edit cannot be split. Before, a card
just under the limit that grew on an edit (a long urgency quote, then "taken by <a long name>") was refused by
the Bot API ("message is too long") and the group kept showing it unassigned, with the old buttons. Now a card
too long is cut where people typed (the quote, the name) and says where the whole is: `/lead N`, and the
dashboard's page when there is one. The fake Bot API refuses a text over 4,096 as Telegram does.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import update

from bot.engine.render import Renderer
from bot.leads.cards import card_text, card_values
from bot.notifier import Notifier
from bot.store import leads as store
from bot.store.models import Lead
from bot.telegram.deliver import TelegramTransport
from bot.telegram.sender import Sender
from bot.text.textsplit import MAX_MESSAGE
from tests.auxil.runtime import ask_for_a_facilitator
from tests.auxil.telegram_bot import deliver_until
from tests.auxil.updates import make_callback

GROUP = -100779
ENTITY = 1102
LAIA = 7102
NAME = "Laia Soler i Martí"
QUOTE_WORDS = "si no trobem una entitat sòcia abans del juny haurem de tancar l'esplai del barri; "



async def _started(fake, bots, quote, *, base_url: str = ""):
    """The bot (and its own notifier) started once lead 1 carries `quote(runtime)` as its urgency quote."""
    runtime = await bots.runtime()
    s = runtime.settings
    settings = replace(s, telegram_token=fake.token, telegram_api_base_url=fake.base_url,
                       telegram=replace(s.telegram, rate_limit=False, polling_timeout_seconds=1,
                                        flood_max_per_minute=0),
                       handoff=replace(s.handoff, facilitator_chat_id=str(GROUP)),
                       web=replace(s.web, enabled=bool(base_url), base_url=base_url))
    runtime.settings = settings
    async with runtime.sessionmaker() as session, session.begin():
        await store.add_facilitator(session=session, telegram_user_id=LAIA, name=NAME)
    await ask_for_a_facilitator(runtime, f"tg:{ENTITY}", "Esplai del Barri")
    await _set_quote(runtime, await quote(runtime))
    app = await bots.start(settings, runtime)
    notifier = Notifier(settings=settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker,
                        sender=TelegramTransport(app.bot, Sender(max_retries=2, pace=False)))
    return runtime, notifier


async def _set_quote(runtime, quote: str) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        lead = await session.get(Lead, 1)
        dossier = {**(lead.dossier or {}), "urgency": {"level": "urgent", "quote": quote}}
        await session.execute(update(Lead).where(Lead.id == 1).values(dossier=dossier))


async def _view(runtime):
    async with runtime.sessionmaker() as session:
        return await store.show_lead(session=session, lead_id=1, with_events=False)


def _full_card(r: Renderer, view) -> str:
    """The card as its template gives it, uncut."""
    return r.text("utter_lead_card", "ca", {**card_values(r, view, "ca"), "header": ""})


async def test_a_card_that_grows_past_the_limit_on_an_edit_still_shows_the_claim(fake, bots) -> None:
    quote = ""

    async def just_under_the_limit(runtime) -> str:
        # A quote that makes the new card 4,090 characters: it fits, and goes as one message with its buttons.
        nonlocal quote
        renderer = Renderer(runtime.domain, "ca")
        await _set_quote(runtime, QUOTE_WORDS)
        short = len(card_text(renderer, await _view(runtime), "ca"))
        quote = (QUOTE_WORDS * 100)[:len(QUOTE_WORDS) + MAX_MESSAGE - 6 - short]
        return quote

    runtime, notifier = await _started(fake, bots, just_under_the_limit)
    r = notifier.renderer

    def group_cards():
        return [c for c in fake.sent_messages(GROUP) if "Esplai del Barri" in (c.text or "")]

    await deliver_until(notifier, lambda: bool(group_cards()))
    [card] = group_cards()
    assert card.params.get("reply_markup") and len(card.text) == MAX_MESSAGE - 6 and "✂️" not in card.text
    message_id = card.result["message_id"]

    # Laia takes it from the group: the card now says who has it, which makes it longer than a message.
    since = len(fake.calls)
    await fake.push_update(make_callback("lead:1:claim", chat_id=GROUP, user_id=LAIA, message_id=message_id))
    await fake.wait_for("answerCallbackQuery", since=since)
    view = await _view(runtime)
    assert view.lead.status == "claimed"
    assert len(_full_card(r, view)) > MAX_MESSAGE  # what the edit would have been, uncut

    def shown() -> str:
        return fake.messages[(GROUP, message_id)].get("text") or ""

    await deliver_until(notifier, lambda: NAME in shown())
    edits = [c for c in fake.calls[since:] if c.method == "editMessageText" and c.chat_id == GROUP]
    assert edits and all(c.ok for c in edits), [c.description for c in edits]
    text = shown()
    assert NAME in text and len(text) <= MAX_MESSAGE
    assert text.startswith("Lead #1 · Esplai del Barri") and quote[:200] in text  # the start of the quote kept
    assert text.rstrip().endswith("✂️ Fitxa escurçada perquè càpiga a Telegram. Sencera: /lead 1")
    buttons = [b["callback_data"] for row in fake.messages[(GROUP, message_id)]["reply_markup"]["inline_keyboard"]
               for b in row]
    assert "lead:1:release" in buttons and "lead:1:claim" not in buttons  # the claimed card's buttons
    assert not [c for c in fake.calls if c.chat_id == GROUP and not c.ok]


async def test_a_card_longer_than_a_message_goes_as_one_with_the_dashboards_link(fake, bots) -> None:
    quote = QUOTE_WORDS * 80  # 6,800 characters: before, the card went in two messages, and no edit fitted

    async def long(_runtime) -> str:
        return quote

    runtime, notifier = await _started(fake, bots, long, base_url="https://aliat.example.org/")
    await deliver_until(notifier, lambda: bool(fake.sent_messages(GROUP)))
    [card] = fake.sent_messages(GROUP)
    assert len(card.text) <= MAX_MESSAGE and card.params.get("reply_markup")
    assert card.text.rstrip().endswith("/lead 1 o https://aliat.example.org/leads/1")
    assert "…" in card.text and quote[:500] in card.text


def test_a_card_in_each_language_says_where_the_whole_is() -> None:
    from bot.content.domain import load_domain
    from bot.store.models import Entity
    from tests.auxil.paths import ROOT

    domain = load_domain(ROOT / "dialogues", ROOT / "knowledge")
    r = Renderer(domain, "ca")
    lead = Lead(id=7, status="notified", priority="high", priority_reasons=[], language="es",
                dossier={"urgency": {"level": "urgent", "quote": QUOTE_WORDS * 60}})
    view = store.LeadView(lead=lead, entity=Entity(name="N" * 3000, territory=None), assignee=None)
    for lang, where in (("ca", "Sencera: /lead 7"), ("es", "Entera: /lead 7"), ("en", "In full: /lead 7")):
        text = card_text(r, view, lang)
        assert len(text) <= MAX_MESSAGE and text.endswith(where), (lang, len(text), text[-80:])
        assert text.count("…") == 2  # both the name and the quote were cut, each kept in part
    assert card_text(r, view, "en", limit=10_000) == _full_card_in(r, view, "en")


def _full_card_in(r: Renderer, view, lang: str) -> str:
    return r.text("utter_lead_card", lang, {**card_values(r, view, lang), "header": ""})
