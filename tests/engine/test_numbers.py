import pytest

from bot.text.numbers import parse_int


@pytest.mark.parametrize("text, expected", [
    ("3", 3), (" 12 ", 12), ("０７", 7), ("007", 7), ("123456789", 123456789),
])
def test_ascii_and_fullwidth_digits_are_read(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", [
    "", " ", "፩", "٣", "-1", "+1", "1.5", "1e3", "12a", "99999999999999999999999", "1234567890", None, 3,
])
def test_anything_else_is_none(text):
    assert parse_int(text) is None


def test_signed_when_asked():
    assert parse_int("-4", signed=True) == -4
    assert parse_int("+4", signed=True) == 4
    assert parse_int("--4", signed=True) is None


def test_length_is_bounded_by_the_caller():
    assert parse_int("12345", max_digits=4) is None
    assert parse_int("1234", max_digits=4) == 1234
