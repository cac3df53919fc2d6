"""Channel-neutral messages in and out of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class UserMessage:
    """What a channel hands the engine: text, or a button payload, from one sender."""

    sender_id: str
    text: str | None = None
    payload: str | None = None
    button_seq: int | None = None
    channel: str = "console"
    language_hint: str | None = None
    kind: str = "text"  # text, payload, sticker, photo, voice, contact, ...
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class BotMessage:
    """One reply: text with optional buttons (title, payload), an image, or channel-specific data."""

    text: str = ""
    buttons: list[tuple[str, str]] = field(default_factory=list)
    image: str | None = None
    custom: dict[str, Any] | None = None
    seq: int = 0
    response: str | None = None
    slot: str | None = None  # the form slot this message asks for (a typed number answers it)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "seq": self.seq}
        if self.buttons:
            data["buttons"] = [list(b) for b in self.buttons]
        if self.image:
            data["image"] = self.image
        if self.custom:
            data["custom"] = self.custom
        if self.response:
            data["response"] = self.response
        if self.slot:
            data["slot"] = self.slot
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BotMessage:
        return cls(text=data.get("text", ""), buttons=[tuple(b) for b in data.get("buttons", [])],
                   image=data.get("image"), custom=data.get("custom"), seq=data.get("seq", 0),
                   response=data.get("response"), slot=data.get("slot"))
