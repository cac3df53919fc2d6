"""Button payloads are written by the client: `/intent{json}` may carry only what the domain's own buttons do.

Telegram sends back whatever callback data the client puts in a press, so `q3:/human{"assessment_id": 1}`
or `q0:/start{"entity_name": "\\u001b]0;..."}` arrive as easily as the buttons we sent. An intent payload's
entities become slots (the engine sets them), so they are checked against the domain: the intent must be
one the domain handles, and each (intent, key, value) must be offered by one of its buttons (today only
`/set_language{"language": "ca"|"es"|"en"}`). Anything else is dropped before the engine sees it, counted in
the log by intent name only.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.content.domain import Domain
from bot.engine.nlu import Parse, parse_intent_payload

log = logging.getLogger(__name__)

_offered: dict[int, tuple[frozenset[str], frozenset[tuple[str, str, str]]]] = {}


def _what_the_domain_offers(domain: Domain) -> tuple[frozenset[str], frozenset[tuple[str, str, str]]]:
    """(intents, (intent, key, value) triples of the domain's buttons), computed once per domain."""
    cached = _offered.get(id(domain))
    if cached is not None:
        return cached
    intents = {rule.intent for rule in domain.rules.values()} | set(domain.commands.values()) | set(domain.intents)
    triples: set[tuple[str, str, str]] = set()
    for response in domain.responses.values():
        for button in response.buttons:
            parse = parse_intent_payload(button.payload)
            if parse is None or parse.intent is None:
                continue
            intents.add(parse.intent)
            triples.update((parse.intent, key, _key(value)) for key, value in parse.entities.items())
    cached = (frozenset(intents), frozenset(triples))
    _offered[id(domain)] = cached
    return cached


def _key(value: Any) -> str:
    return f"{type(value).__name__}:{value}"


def checked(domain: Domain, parse: Parse) -> Parse:
    """The pressed payload with only the entities the domain's buttons offer; an intent the domain does not
    know becomes "unknown_command" (answered like a mistyped command)."""
    intents, triples = _what_the_domain_offers(domain)
    if parse.intent not in intents:
        log.info("button payload with an unknown intent dropped")
        return Parse(intent="unknown_command", confidence=1.0)
    kept = {key: value for key, value in parse.entities.items()
            if isinstance(key, str) and (parse.intent, key, _key(value)) in triples}
    if len(kept) != len(parse.entities):
        log.info("button payload for %s: %s entity(ies) not offered by any button dropped", parse.intent,
                 len(parse.entities) - len(kept))
    return replace(parse, entities=kept)
