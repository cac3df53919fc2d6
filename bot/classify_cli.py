"""``aliat classify``: run the motivation classifier from the command line.

    aliat classify [--lang ca|es|en] [--json] [TEXT...]

With TEXT, classify it (the words joined by spaces) and print one human-readable
line, or one JSON object with ``--json``.  Without TEXT, read stdin, one text per
line (blank lines skipped), and print one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import sys

from actions.classifier import LANGS, PROACTIVE, Classification, classify


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aliat classify",
        description="Classify the motivation behind a text: reactive, proactive, mixed or unclear.",
    )
    parser.add_argument("--lang", choices=LANGS, default=None, help="language hint (cues of all languages are matched)")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of a readable line")
    parser.add_argument("text", nargs="*", metavar="TEXT", help="text to classify; without it, read stdin line by line")
    return parser


def _as_json(result: Classification) -> str:
    data = result.to_dict()
    return json.dumps(
        {
            "motivation": data["motivation"],
            "confidence": data["confidence"],
            "evidence": data["evidence"],
            "scores": data["scores"],
            "dominant": data["dominant"],
        },
        ensure_ascii=False,
    )


def _as_line(result: Classification) -> str:
    head = f"{result.motivation} ({result.confidence:.2f})"
    if result.motivation == "mixed" and result.dominant:
        head += f" [{result.dominant} weighs more]"
    parts = []
    for ev in result.evidence:
        sign = "+" if ev.direction == PROACTIVE else "-"
        tag = "P" if ev.direction == PROACTIVE else "R"
        item = f"{sign}{tag} {ev.key} \"{ev.value}\""
        if ev.negated:
            item += " (negated)"
        else:
            item += f" ({ev.weight:g})"
        parts.append(item)
    scores = f"R={result.scores['reactive']:g} P={result.scores['proactive']:g}"
    return f"{head}: " + ("; ".join(parts) if parts else "no evidence") + f"  [{scores}]"


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or bad arguments (2)
        return int(exc.code) if isinstance(exc.code, int) else 2
    if args.text:
        result = classify(" ".join(args.text), lang=args.lang)
        print(_as_json(result) if args.json else _as_line(result))
        return 0
    for line in sys.stdin:
        text = line.strip()
        if not text:
            continue
        print(_as_json(classify(text, lang=args.lang)), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
