"""Fifth blind evaluation of the motivation classifier (issue #31, fifth pass).

``tests/data/motivation_blind5.yml`` (120 cases, 40 per language: 10 reactive, 10 proactive, 10 mixed, 10 unclear
each) was written by helper b5m, who wrote nothing else this session, from the issue's patterns, the seed and
knowledge/motivations.yml only, without running the classifier on it; committed alone first (0fbaca0) before
the pass landed anything. The coordinator scored it once at the end (01:45 UTC), with
``classify(text, lang=…)``, on the model before the session (7bafa51) and after it (74c6d4b):

- before: 86.7 % (104/120): ca 87.5, es 90.0, en 82.5; reactive 86.7, proactive 80.0, mixed 93.3, unclear 86.7;
- after:  93.3 % (112/120): ca 95.0, es 95.0, en 90.0; reactive 93.3, proactive 90.0, mixed 100, unclear 90.0.

The issue's bar (90 % per language, 85 % per label) is reached. The floors are the figures reached; the
set is seen from that scoring on (its misses were read to report them, nothing was fitted to it).
"""

from __future__ import annotations

from fractions import Fraction

from tests.auxil.motivation_sets import assert_floors, assert_shape

FLOOR_PER_LANGUAGE = {"ca": Fraction(38, 40), "es": Fraction(38, 40), "en": Fraction(36, 40)}
FLOOR_PER_LABEL = {"reactive": Fraction(28, 30), "proactive": Fraction(27, 30), "mixed": Fraction(30, 30),
                   "unclear": Fraction(27, 30)}
TARGET = {**{lang: Fraction(9, 10) for lang in ("ca", "es", "en")},
          **{label: Fraction(85, 100) for label in ("reactive", "proactive", "mixed", "unclear")}}


def test_blind_set_shape():
    assert_shape("motivation_blind5.yml", per_language=40, per_label=10)


def test_blind_set_accuracy_per_language_and_label(capsys):
    assert_floors("motivation_blind5.yml", "blind-set-5", {**FLOOR_PER_LANGUAGE, **FLOOR_PER_LABEL}, capsys)


def test_blind_set_reaches_the_issues_bar(capsys):
    assert_floors("motivation_blind5.yml", "blind-set-5 (issue's bar)", TARGET, capsys)
