"""Held-out evaluation of the motivation classifier (actions/classifier.py).

``tests/data/motivation_heldout.yml`` was written without looking at the cue file
or at ``motivation_eval.yml``: phone-style sentences (typos, no accents, mixed
languages, negations) labelled from the workshop's definitions.  It measures how
well the cues generalise; do not tune cues to its exact sentences.
"""

from __future__ import annotations

from collections import Counter

from actions.classifier import classify
from tests.auxil.paths import DATA, cases

HELDOUT_PATH = DATA / "motivation_heldout.yml"
MIN_ACCURACY = 0.85
LABELS = {"reactive", "proactive", "mixed", "unclear"}


def _cases() -> list[dict]:
    return cases("motivation_heldout.yml")


def test_heldout_set_shape():
    cases = _cases()
    per_lang = Counter(c["lang"] for c in cases)
    for lang in ("ca", "es", "en"):
        assert per_lang[lang] >= 35, lang
        labels = {c["expected"] for c in cases if c["lang"] == lang}
        assert labels == LABELS, lang
    assert all(c["expected"] in LABELS and c.get("text") for c in cases)


def test_heldout_accuracy_per_language(capsys):
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: list[str] = []
    for case in _cases():
        result = classify(case["text"], lang=case["lang"])
        total[case["lang"]] += 1
        if result.motivation == case["expected"]:
            right[case["lang"]] += 1
        else:
            misses.append(
                f"  [{case['lang']}] expected {case['expected']}, got {result.motivation}: {case['text']!r}"
            )
    accuracy = {lang: right[lang] / total[lang] for lang in sorted(total)}
    with capsys.disabled():
        print("\nmotivation classifier held-out accuracy per language:")
        for lang, acc in accuracy.items():
            print(f"  {lang}: {acc:.3f} ({right[lang]}/{total[lang]})")
        for miss in misses:
            print(miss)
    low = {lang: acc for lang, acc in accuracy.items() if acc < MIN_ACCURACY}
    assert not low, f"held-out accuracy below {MIN_ACCURACY}: {low}\n" + "\n".join(misses)
