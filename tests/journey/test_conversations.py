"""Conversation tests: YAML scripts in tests/journey/conversations/ say what the user sends and what must follow.

Each file: `name`, optional `lang` (first-contact language, default ca) and `steps`. A step sends
`user: TEXT` (a number picks a button of the last keyboard, like the terminal) or `payload: /intent...`,
optionally `stale: true` to press with an old question number, then checks any of:
  responses: [utter_a, utter_b]     exact sequence of response names in the replies ("text" for plain text)
  includes: [utter_a]               these responses appear among the replies
  excludes: [utter_a]               these do not
  contains: "text" | [texts]        the replies' text or button titles contain each (case-insensitive); the
                                    lead card the terminal previews for a new lead counts as text too
  not_contains: ...                 the replies' text contains none
  buttons: N                        the last keyboard has N buttons
  slots: {name: value}              slot values afterwards (null for empty)
  form: name | null                 the active form afterwards
  requested_slot: name | null
  language: ca
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.auxil.paths import CONVERSATIONS
from tests.auxil.runtime import Chat

SCRIPTS = sorted(CONVERSATIONS.glob("*.yml"))


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
async def test_conversation(script: Path, runtime) -> None:
    spec = yaml.safe_load(script.read_text(encoding="utf-8"))
    chat = Chat(runtime, sender_id=f"test:{script.stem}", language=spec.get("lang", "ca"))
    for number, step in enumerate(spec["steps"], 1):
        where = f"{script.name} step {number} ({step.get('user', step.get('payload'))!r})"
        seq = chat.seq - 1 if step.get("stale") else None
        if "payload" in step:
            replies = await chat.send(payload=step["payload"], seq=seq)
        else:
            replies = await chat.send(str(step["user"]) if step.get("user") is not None else None,
                                      kind=step.get("kind", "text"), seq=seq)
        names = [r.response or "text" for r in replies]
        text = "\n".join([r.text for r in replies] + [t for r in replies for t, _ in r.buttons]
                         + [str((r.custom or {}).get("console", "")) for r in replies]).lower()
        if "responses" in step:
            assert names == step["responses"], f"{where}: responses {names}"
        for name in _as_list(step.get("includes", [])):
            assert name in names, f"{where}: {name} not in {names}"
        for name in _as_list(step.get("excludes", [])):
            assert name not in names, f"{where}: {name} unexpectedly in {names}"
        for fragment in _as_list(step.get("contains", [])):
            assert str(fragment).lower() in text, f"{where}: {fragment!r} not in {text!r}"
        for fragment in _as_list(step.get("not_contains", [])):
            assert str(fragment).lower() not in text, f"{where}: {fragment!r} unexpectedly in {text!r}"
        if "buttons" in step:
            assert len(chat.buttons) == step["buttons"], f"{where}: buttons {chat.buttons}"
        tracker = await chat.tracker()
        for slot, value in (step.get("slots") or {}).items():
            assert tracker.slots.get(slot) == value, f"{where}: slot {slot} = {tracker.slots.get(slot)!r}"
        if "form" in step:
            assert tracker.active_form == step["form"], f"{where}: form {tracker.active_form!r}"
        if "requested_slot" in step:
            assert tracker.requested_slot == step["requested_slot"], f"{where}: requested {tracker.requested_slot!r}"
        if "language" in step:
            assert tracker.language == step["language"], f"{where}: language {tracker.language!r}"
