"""Button data: one codec for the conversation (q:), the cards (lead:) and workshops (ws:); forged data is None."""

from __future__ import annotations

import pytest

from bot.shared import callbacks
from bot.shared.callbacks import CardAction, LeadButton, Pressed, WorkshopAct, WorkshopButton


def test_each_kind_round_trips() -> None:
    assert callbacks.parse_question(callbacks.question(7, "/set_language{\"language\":\"es\"}")) == Pressed(
        seq=7, payload="/set_language{\"language\":\"es\"}")
    assert callbacks.parse_lead(callbacks.lead(12, CardAction.CLAIM)) == LeadButton(lead_id=12, action=CardAction.CLAIM)
    data = callbacks.workshop(WorkshopAct.RATE, 3, 4, "5")
    assert data == "ws:r:3:4:5"
    pressed = callbacks.parse_workshop(data)
    assert pressed == WorkshopButton(act=WorkshopAct.RATE, args=("3", "4", "5")) and pressed.number(1) == 4


@pytest.mark.parametrize("data", [None, "", "q:yes", "qx:yes", "q٣:yes", "q²:yes", "q1234567890:yes", "lead:1:claim"])
def test_forged_question_data_is_refused(data) -> None:
    assert callbacks.parse_question(data) is None


@pytest.mark.parametrize("data", ["lead:1:steal", "lead:-1:claim", "lead:1234567890:claim", "lead: 1:claim",
                                  "lead:١:claim", "lead:1:claim:x", "q1:lead", "lead:1"])
def test_forged_lead_data_is_refused(data) -> None:
    assert callbacks.parse_lead(data) is None


def test_forged_workshop_data() -> None:
    assert callbacks.parse_workshop("ws:z:1") is None and callbacks.parse_workshop("lead:1:claim") is None
    with pytest.raises(ValueError):
        callbacks.parse_workshop("ws:n:x:1").number(0)
    with pytest.raises(IndexError):
        callbacks.parse_workshop("ws:e").number(0)


def test_lengths_are_checked() -> None:
    assert callbacks.question(1, "é" * 30) is not None and callbacks.question(1, "é" * 31) is None
    with pytest.raises(callbacks.CallbackDataTooLong):
        callbacks.workshop(WorkshopAct.PROGRAMME, "x" * 60, "ca")
