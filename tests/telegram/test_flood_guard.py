"""The flood guard's token bucket (bot/telegram/flood.py): a third of the minute's allowance at once, then
the rest spread over the minute; the first update over the limit is answered, the others dropped."""

from __future__ import annotations

from bot.telegram.flood import FloodGuard


def test_a_burst_then_one_warning_then_drops() -> None:
    guard = FloodGuard(30)
    verdicts = [guard.admit((1, 1), now=0.0) for _ in range(15)]
    assert verdicts == ["ok"] * 10 + ["warn"] + ["drop"] * 4


def test_the_allowance_comes_back_over_the_minute_and_the_next_flood_is_told_again() -> None:
    guard = FloodGuard(30)
    for _ in range(12):
        guard.admit((1, 1), now=0.0)
    assert guard.admit((1, 1), now=2.0) == "ok"  # 30 a minute: one every 2 s
    assert guard.admit((1, 1), now=2.1) == "drop"
    assert [guard.admit((1, 1), now=60.0) for _ in range(11)] == ["ok"] * 10 + ["warn"]


def test_each_person_in_a_group_has_a_bucket_of_their_own() -> None:
    guard = FloodGuard(3)
    assert all(guard.admit((-100, user), now=0.0) == "ok" for user in range(200))
    assert guard.admit((-100, 5), now=0.0) == "warn"


def test_zero_means_no_limit() -> None:
    guard = FloodGuard(0)
    assert {guard.admit((1, 1), now=0.0) for _ in range(1000)} == {"ok"}
