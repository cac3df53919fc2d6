"""Mixed is two committed drivers, not project words (issue #31, third pass).

The model learnt from the corpus's mixed lines that project words often come with a threat, so it reads
"mixed" for a single project; its p(mixed) now counts for both sides in full only when the text itself shows
two drivers (cues of both directions, or a marker that joins a second one: "de pas", "aparte", "plus",
"separately"…). A plain wish to collaborate states no driver and stays unclear.
"""

from __future__ import annotations

import pytest

from actions.classifier import classify, knowledge, text_model_scores
from actions.motivation_model import predict

ONE_PROJECT = [
    ("ca", "tenim ganes de fer coses noves"),
    ("es", "tenemos ganas de hacer cosas nuevas"),
    ("en", "we're keen to try new things"),
]


@pytest.mark.parametrize(("lang", "text"), ONE_PROJECT)
def test_a_single_project_is_not_a_mix(lang: str, text: str) -> None:
    assert classify(text, lang=lang).motivation == "proactive"


def test_the_models_mixed_counts_in_full_only_for_two_drivers() -> None:
    text = "tenim ganes de fer coses noves"
    kb = knowledge()
    probs = predict(text)
    r, p, m = probs["reactive"], probs["proactive"], probs["mixed"]
    assert p > r and m > 0
    two = text_model_scores(text, two_sided=True)
    assert two["reactive"] == pytest.approx(kb.model_weight * (r + m))
    one = text_model_scores(text, two_sided=False)
    # only a share of p(mixed) goes to each side; the rest goes to the side the model leans to
    share = kb.model_mixed_share
    assert 0 < share < 1
    assert one["reactive"] == pytest.approx(kb.model_weight * (r + share * m + (1 - share) * m * r / (r + p)))
    assert one["proactive"] == pytest.approx(kb.model_weight * (p + share * m + (1 - share) * m * p / (r + p)))
    assert one["reactive"] < two["reactive"]


JOINED = [
    ("ca", "ens han retallat la subvenció, i de pas volem muntar una botiga solidària amb una altra entitat"),
    ("es", "el banco nos ha cerrado el credito; aparte, queremos abrir un comedor social con otra asociacion"),
    ("en", "the council cut our grant, plus we want to launch a repair cafe with another group"),
    ("en", "we lost the meals contract. Separately, we want to start a youth choir with the school"),
]


@pytest.mark.parametrize(("lang", "text"), JOINED)
def test_a_marker_that_joins_a_second_driver_makes_it_mixed(lang: str, text: str) -> None:
    assert classify(text, lang=lang).motivation == "mixed"


def test_separately_inside_a_clause_joins_nothing() -> None:
    text = "we want to run the summer camps with another club instead of each of us doing them separately"
    assert classify(text, lang="en").motivation == "proactive"


PLAIN_WISH = [
    ("ca", "volem col·laborar amb altres entitats del barri"),
    ("es", "queremos trabajar con otras entidades"),
    ("en", "we'd like to partner with other charities"),
]


@pytest.mark.parametrize(("lang", "text"), PLAIN_WISH)
def test_a_plain_wish_to_collaborate_stays_unclear(lang: str, text: str) -> None:
    assert classify(text, lang=lang).motivation == "unclear"


def test_a_wish_to_collaborate_with_a_reason_is_read() -> None:
    assert classify("volem col·laborar amb altres entitats perquè ens han retallat la subvenció",
                    lang="ca").motivation == "reactive"
