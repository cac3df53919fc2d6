"""Scoring a motivation evaluation set (tests/data/motivation_*.yml) against the floors it reached.

The hard and blind sets' tests share this: each case is read with ``classify(text, lang=…)`` and counted
right or wrong per language and per expected label; only the totals are printed, never the misses.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from actions.classifier import classify
from tests.auxil.paths import cases

LABELS = ("reactive", "proactive", "mixed", "unclear")
LANGUAGES = ("ca", "es", "en")


def assert_shape(file: str, *, per_language: int = 30, per_label: int = 1) -> None:
    """At least ``per_language`` cases in each language, each label at least ``per_label`` times in each."""
    data = cases(file)
    per = Counter((c["lang"], c["expected"]) for c in data)
    for lang in LANGUAGES:
        assert sum(n for (lg, _), n in per.items() if lg == lang) >= per_language, lang
        assert all(per[(lang, label)] >= per_label for label in LABELS), lang
    assert all(c.get("text") for c in data)


def assert_floors(file: str, name: str, floors: dict[str, Fraction], capsys) -> None:
    """Score ``file`` per language and per label; fail naming each figure below its floor."""
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for case in cases(file):
        ok = classify(case["text"], lang=case["lang"]).motivation == case["expected"]
        for key in (case["lang"], case["expected"]):
            total[key] += 1
            right[key] += ok
    accuracy = {key: Fraction(right[key], total[key]) for key in total}
    with capsys.disabled():
        print(f"\nmotivation classifier {name} accuracy:",
              ", ".join(f"{key} {float(acc):.3f} ({right[key]}/{total[key]})" for key, acc in accuracy.items()))
    low = {key: f"{right[key]}/{total[key]}" for key, floor in floors.items() if accuracy[key] < floor}
    assert not low, f"{name} accuracy below the figures reached: {low}"
