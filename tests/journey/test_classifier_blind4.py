"""Fourth blind evaluation of the motivation classifier (issue #31, fourth pass).

``tests/data/motivation_blind4.yml`` (108 cases, 36 per language: 9 reactive, 9 proactive, 9 mixed, 9 unclear
each) was written by a helper who wrote nothing else this session, from the issue's list of patterns, the
seed and knowledge/motivations.yml only, without opening the corpus, the cues, the reading code or the
other sets' cases, and without running the classifier on it; committed alone first (4b5d4f5), before the
fourth pass landed anything. It was scored once, when the pass was finished, by the coordinator: on the
model before the pass (7c37a2c, in a temporary worktree) and on the model after it (87f0368), with
``classify(text, lang=…)``:

- before: 85.2 % (92/108): ca 88.9, es 86.1, en 80.6; reactive 77.8, proactive 92.6, mixed 85.2, unclear 85.2;
- after:  88.0 % (95/108): ca 91.7, es 91.7, en 80.6; reactive 81.5, proactive 88.9, mixed 88.9, unclear 92.6.

The issue asks for 90 % per language and 85 % per label: English (29/36) and reactive (22/27) fall short.
The floors below are the figures reached, not the targets. After scoring, the coordinator read the misses
to report them (README, "Motivation classifier"): from then on the set is seen by the coordinator, not by
anyone who changed the model; nothing was fitted to it this session.

The fifth pass (issue #31, helper m31) used it as development data, seen: its misses were printed while the pass
worked (the classes above were worked on with sentences of the pass's own, in all three languages, none from the
set). After that pass it reads 99.1 % (107/108): ca 100, es 100, en 97.2; reactive 96.3, proactive 100, mixed
100, unclear 100: the floors below, and the issue's bar is met (no longer an estimate for new people: the fifth
blind set, tests/data/motivation_blind5.yml, is).
"""

from __future__ import annotations

from fractions import Fraction

from tests.auxil.motivation_sets import assert_floors, assert_shape

FLOOR_PER_LANGUAGE = {"ca": Fraction(36, 36), "es": Fraction(36, 36), "en": Fraction(35, 36)}
FLOOR_PER_LABEL = {"reactive": Fraction(26, 27), "proactive": Fraction(27, 27), "mixed": Fraction(27, 27),
                   "unclear": Fraction(27, 27)}
TARGET = {**{lang: Fraction(9, 10) for lang in ("ca", "es", "en")},
          **{label: Fraction(85, 100) for label in ("reactive", "proactive", "mixed", "unclear")}}


def test_blind_set_shape():
    assert_shape("motivation_blind4.yml", per_language=36, per_label=9)


def test_blind_set_accuracy_per_language_and_label(capsys):
    assert_floors("motivation_blind4.yml", "blind-set-4", {**FLOOR_PER_LANGUAGE, **FLOOR_PER_LABEL}, capsys)


def test_blind_set_reaches_the_issues_bar(capsys):
    assert_floors("motivation_blind4.yml", "blind-set-4 (issue's bar)", TARGET, capsys)
