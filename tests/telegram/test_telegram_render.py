"""Rendering pieces: escaping, splitting, callback data."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram import markup as render


def test_escape_leaves_nothing_as_markup() -> None:
    assert render.escape("<b>A & B</b> *x* _y_") == "&lt;b&gt;A &amp; B&lt;/b&gt; *x* _y_"


@given(st.text(alphabet=st.sampled_from("ab \n<&"), max_size=12000))
def test_split_keeps_every_piece_within_the_limit(text: str) -> None:
    pieces = render.split_text(text, limit=500)
    assert all(0 < len(p) <= 500 for p in pieces)
    squash = lambda s: "".join(s.split())  # noqa: E731 - whitespace at cuts may go
    assert squash("".join(pieces)) == squash(text)


def test_split_prefers_paragraphs() -> None:
    text = "a" * 300 + "\n\n" + "b" * 300
    assert render.split_text(text, limit=400) == ["a" * 300, "b" * 300]


def test_callback_data_fits_64_bytes_or_is_refused() -> None:
    assert render.callback_data(12, "green") == "q12:green"
    assert render.parse_callback("q12:/set_language{\"language\":\"es\"}") == render.Pressed(
        12, '/set_language{"language":"es"}')
    assert render.parse_callback("w:vote") is None
    assert render.callback_data(1, "é" * 31) is None  # 62 bytes of payload + "q1:"
    markup = render.keyboard([("Sí", "yes"), ("Massa llarg", "x" * 70)], seq=3)
    assert [row[0].callback_data for row in markup.inline_keyboard] == ["q3:yes"]


def test_chosen_text_shows_the_choice_escaped() -> None:
    assert render.chosen_text("Color?", "<Verd>") == "Color?\n\n✅ <b>&lt;Verd&gt;</b>"
    assert render.chosen_text("x" * 4090, "Verd") is None
    assert render.chosen_text("Color?", None) is None
