"""Typed answers to form questions: a count picks its band on the size and budget questions (where the
buttons are bands, so "3" means three people, not the third button); other choices keep their numbers."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.content.domain import ContentError, load_domain
from bot.engine import UserMessage
from bot.engine.values import Refused, coerce, read_amount
from tests.auxil.runtime import ROOT

SETTINGS = load_settings(ROOT / "config.yml", env={})
DOMAIN = load_domain(SETTINGS.dialogues_dir, SETTINGS.knowledge_dir)
SLOTS = {slot.name: slot for form in DOMAIN.forms.values() for slot in form.slots}


def answer(slot_name: str, text: str):
    slot = SLOTS[slot_name]
    return coerce(slot, DOMAIN.responses[slot.question], text, from_button=False, max_text_length=100)


@pytest.mark.parametrize("text, amount", [
    ("3", 3), ("uns 12", 12), ("250.000 €", 250_000), ("250,000", 250_000), ("1 200", 1200),
    ("1,5 milions", 1_500_000), ("300k", 300_000), ("2M", 2_000_000), ("200 mil", 200_000),
    ("€1.2 million", 1_200_000), ("100.000-500.000", 100_000), ("3 mesos", 3), ("cap", None), ("", None),
])
def test_amounts_are_read_with_separators_and_scale_words(text, amount) -> None:
    assert read_amount(text) == amount


@pytest.mark.parametrize("slot, text, option", [
    ("size_staff", "3", "1_5"),  # the third button would be 6_20
    ("size_staff", "12 persones", "6_20"),
    ("size_staff", "0", "none"),
    ("size_staff", "ningú", "none"),
    ("size_staff", "més de 50 persones", "over_50"),  # a title still wins over the number in it
    ("size_staff", "unos 60", "over_50"),
    ("size_volunteers", "about 25", "21_50"),
    ("budget_band", "250.000 €", "100k_500k"),
    ("budget_band", "1,5 milions", "500k_2m"),
    ("budget_band", "3M", "over_2m"),
    ("budget_band", "ni idea", "not_sure"),
])
def test_a_typed_count_picks_its_band(slot, text, option) -> None:
    assert answer(slot, text) == option


def test_a_banded_question_still_refuses_what_is_not_an_answer() -> None:
    with pytest.raises(Refused):
        answer("size_staff", "hola")


def test_other_choices_keep_numbers_as_positions() -> None:
    slot = next(s for s in SLOTS.values() if s.type == "choice" and not s.bands)
    options = [b.payload for b in DOMAIN.responses[slot.question].buttons if not b.payload.startswith("/")]
    assert answer(slot.name, "2") == options[1]


async def test_typed_on_telegram_the_count_is_stored(runtime) -> None:
    """Through the engine, as a Telegram user types it (no numbered buttons there)."""
    engine = runtime.engine
    sender = "tg:4242"
    await engine.handle(UserMessage(sender_id=sender, text="/start", channel="telegram"))
    await engine.handle(UserMessage(sender_id=sender, payload="/explore", channel="telegram"))
    await engine.handle(UserMessage(sender_id=sender, text="Casal del Barri", channel="telegram"))
    tracker = await engine.peek(sender)
    for _ in range(20):
        if tracker.requested_slot == "size_staff":
            break
        await engine.handle(UserMessage(sender_id=sender, text="/skip", channel="telegram"))
        tracker = await engine.peek(sender)
    assert tracker.requested_slot == "size_staff"
    await engine.handle(UserMessage(sender_id=sender, text="som 3", channel="telegram"))
    tracker = await engine.peek(sender)
    assert tracker.slots["size_staff"] == "1_5" and tracker.requested_slot == "collaboration_today"


def test_bands_must_be_numbers(tmp_path) -> None:
    (tmp_path / "dialogues").mkdir()
    (tmp_path / "dialogues" / "f.yml").write_text(
        "forms:\n  f_form:\n    slots:\n      - {name: n, type: choice, bands: {a: lots}}\n")
    with pytest.raises(ContentError, match="bands"):
        load_domain(tmp_path / "dialogues", SETTINGS.knowledge_dir)


# Issue 13: digits of other scripts ("፩", "٣") pass str.isdigit() but not int(); a turn must refuse
# them like any other wrong answer, never crash; so are endless digits and a negative count or amount.
@pytest.mark.parametrize("slot", ["factor_trust", "territory", "size_staff", "budget_band"])
@pytest.mark.parametrize("text", ["፩", "٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣", "9" * 400, "-" + "9" * 30])
def test_exotic_or_endless_digits_are_refused_not_a_crash(slot, text) -> None:
    with pytest.raises(Refused):
        answer(slot, text)


# Superscript and subscript digits are compatibility forms of ASCII ones (NFKC): read as those digits.
@pytest.mark.parametrize(("slot", "text", "same_as"), [
    ("factor_trust", "²", "2"), ("territory", "²", "2"), ("size_staff", "³₂", "32"), ("budget_band", "²", "2")])
def test_compatibility_digits_read_as_their_ascii_digits(slot, text, same_as) -> None:
    assert answer(slot, text) == answer(slot, same_as)


def test_full_width_digits_still_answer_a_scale() -> None:
    assert answer("factor_trust", "３") == 3
