"""aliat nlu: what the assistant understands from each line on stdin, one JSON object per line."""

from __future__ import annotations

import argparse
import sys

import orjson

from bot.config import load_settings
from bot.content.domain import load_domain
from bot.engine.acts import ANSWER, ActReader
from bot.engine.answers import AnswerReader, Refused, find_slot
from bot.engine.nlu import IntentMatcher
from bot.engine.values import read_answer
from bot.text import textmodel
from bot.text.languages import SUPPORTED_LANGUAGES

NAME = "nlu"
HELP = ("read lines on stdin as the conversation does; print the intent (or, with --slot, the act and the answer) "
        "as JSON")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=SUPPORTED_LANGUAGES,
                        help="the conversation's language (every language is understood at once)")
    parser.add_argument("--slot", help="read each line as the answer to this form question (e.g. financial_situation)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    textmodel.use_models_dir(settings.models_dir)
    domain = load_domain(settings.dialogues_dir, settings.knowledge_dir)
    out = sys.stdout
    if args.slot:
        found = find_slot(domain, args.slot)
        if found is None:
            print(f"aliat nlu: no form asks for a slot named {args.slot!r}", file=sys.stderr)
            return 2
        slot, question = found
        reader = AnswerReader(domain)
        acts = ActReader(domain, reader)
        for line in sys.stdin:
            text = line.rstrip("\n")
            # what the conversation does: the act first; only an answer is read for a value
            act = acts.read(slot, question, text)
            row = {"text": text, "act": act.kind, "value": None, "confidence": 0.0}
            if act.kind != ANSWER:
                row["confidence"] = act.confidence
                if act.topic:
                    row["about"] = act.topic
            else:
                try:
                    reading = read_answer(slot, question, text, from_button=False,
                                          max_text_length=settings.conversation.max_text_length, reader=reader)
                    row.update(value=reading.value, confidence=reading.confidence)
                except Refused:
                    pass
            out.write(orjson.dumps(row).decode() + "\n")
            out.flush()
        return 0
    matcher = IntentMatcher(domain.intents)
    for line in sys.stdin:
        text = line.rstrip("\n")
        parse = matcher.match(text)
        out.write(orjson.dumps({"text": text, "intent": parse.intent, "confidence": parse.confidence}).decode() + "\n")
        out.flush()
    return 0
