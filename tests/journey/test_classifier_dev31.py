"""Development batches of issue #31's fifth pass (helper m31): ``tests/data/motivation_dev31{,b,c,d,e}.yml``.

117 cases (ca 37, es 36, en 44; 37 reactive, 28 proactive, 26 mixed, 26 unclear) written by the pass's author
before any change to the reading, from the issue's patterns and the classes of misses the coordinator listed for
the fourth blind set (none of its sentences), with the emphasis on English and reactive; committed before it was
scored (bf50a83). Scored once on the unchanged reading: 94.0 % (110/117): ca 97.3, es 94.4, en 90.9; reactive 94.6,
proactive 92.9, mixed 100, unclear 88.5. It was then used as development data (its misses were looked at): the
floors below are the figures reached at the end of the pass, optimistic by construction.

The second batch (92 cases: ca 30, es 30, en 32; 32 reactive, 22 proactive, 18 mixed, 20 unclear) was written after
the first round of changes (ef8ad49) with new wordings and committed before it was scored; scored once on ef8ad49:
82.6 % (76/92): ca 73.3, es 80.0, en 93.8; reactive 65.6, proactive 90.9, mixed 83.3, unclear 100 (the honest
estimate at that point: threats in words the corpus and cues did not have yet, in Catalan and Spanish most). Then
used as development data too.

The third batch (90 cases, 30 per language; 30 reactive, 21 proactive, 21 mixed, 18 unclear) was written after the
second round landed (19fd806), with new situations and styles, and committed before it was scored; scored once on
19fd806: 83.3 % (75/90): ca 76.7, es 83.3, en 90.0; reactive 73.3, proactive 81.0, mixed 95.2, unclear 88.9. So
each new batch has read about 83 % when first scored: new wordings of threats keep turning up that neither the
corpus nor the cues hold. Then used as development data too.

The fourth batch (90 cases, 30 per language; 27 reactive, 21 proactive, 21 mixed, 21 unclear: short phone messages,
'X = Y' shorthand, capitals for emphasis) was written after the third round landed (6b2a235) and committed before it
was scored; scored once on 6b2a235: 86.7 % (78/90): ca 80.0, es 86.7, en 93.3; reactive 88.9, proactive 76.2, mixed
81.0, unclear 100. Then used as development data too.

The fifth batch (60 cases, 20 per language; 18 reactive, 15 proactive, 15 mixed, 12 unclear: formal e-mails, bullet
lists, '+' shorthand) was written after the fourth round landed (fcf5544), committed before it was scored, and scored
once on fcf5544: 100 % (60/60). Nothing was tuned to it (a small batch, and its style states drivers plainly: read
it beside the 82.6 / 83.3 / 86.7 % of the batches before).

The sixth batch (``motivation_dev31f.yml``, helper m31b; 90 cases, 30 per language; 33 reactive, 24 mixed, 18
proactive, 15 unclear: staff burnout, inspections and audits, tax debts, a founder with no successor, building
certificates, frozen public prices, insurance, loans, energy bills, a federation that drops them, a municipal
re-organisation, a required digital platform, each with counterparts) was committed before it was scored (51f4d5c)
and scored once on 3b29b6c: 87.8 % (79/90): ca 90.0, es 86.7, en 86.7; reactive 100, proactive 83.3, mixed 79.2,
unclear 80.0. Then used as development data (its misses were looked at): the floors are the figures reached.
"""

from __future__ import annotations

from fractions import Fraction

from tests.auxil.motivation_sets import assert_floors, assert_shape

FLOORS = {"ca": Fraction(37, 37), "es": Fraction(36, 36), "en": Fraction(44, 44), "reactive": Fraction(37, 37),
          "proactive": Fraction(28, 28), "mixed": Fraction(26, 26), "unclear": Fraction(26, 26)}


def test_dev_batch_shape():
    assert_shape("motivation_dev31.yml", per_language=36, per_label=8)


def test_dev_batch_accuracy_per_language_and_label(capsys):
    assert_floors("motivation_dev31.yml", "dev31", FLOORS, capsys)


FLOORS_B = {"ca": Fraction(30, 30), "es": Fraction(30, 30), "en": Fraction(32, 32), "reactive": Fraction(32, 32),
            "proactive": Fraction(22, 22), "mixed": Fraction(18, 18), "unclear": Fraction(20, 20)}


def test_second_dev_batch_shape():
    assert_shape("motivation_dev31b.yml", per_language=30, per_label=6)


def test_second_dev_batch_accuracy_per_language_and_label(capsys):
    assert_floors("motivation_dev31b.yml", "dev31b", FLOORS_B, capsys)


FLOORS_C = {"ca": Fraction(30, 30), "es": Fraction(29, 30), "en": Fraction(30, 30), "reactive": Fraction(29, 30),
            "proactive": Fraction(21, 21), "mixed": Fraction(21, 21), "unclear": Fraction(18, 18)}


def test_third_dev_batch_shape():
    assert_shape("motivation_dev31c.yml", per_language=30, per_label=6)


def test_third_dev_batch_accuracy_per_language_and_label(capsys):
    assert_floors("motivation_dev31c.yml", "dev31c", FLOORS_C, capsys)


FLOORS_D = {"ca": Fraction(29, 30), "es": Fraction(29, 30), "en": Fraction(30, 30), "reactive": Fraction(25, 27),
            "proactive": Fraction(21, 21), "mixed": Fraction(21, 21), "unclear": Fraction(21, 21)}


def test_fourth_dev_batch_shape():
    assert_shape("motivation_dev31d.yml", per_language=30, per_label=7)


def test_fourth_dev_batch_accuracy_per_language_and_label(capsys):
    assert_floors("motivation_dev31d.yml", "dev31d", FLOORS_D, capsys)


FLOORS_E = {key: Fraction(1) for key in ("ca", "es", "en", "reactive", "proactive", "mixed", "unclear")}


def test_fifth_dev_batch_shape():
    assert_shape("motivation_dev31e.yml", per_language=20, per_label=4)


def test_fifth_dev_batch_accuracy_per_language_and_label(capsys):
    assert_floors("motivation_dev31e.yml", "dev31e", FLOORS_E, capsys)


FLOORS_F = {"ca": Fraction(30, 30), "es": Fraction(29, 30), "en": Fraction(27, 30), "reactive": Fraction(33, 33),
            "proactive": Fraction(17, 18), "mixed": Fraction(21, 24), "unclear": Fraction(15, 15)}


def test_sixth_dev_batch_shape():
    assert_shape("motivation_dev31f.yml", per_language=30, per_label=5)


def test_sixth_dev_batch_accuracy_per_language_and_label(capsys):
    assert_floors("motivation_dev31f.yml", "dev31f", FLOORS_F, capsys)
