"""Issue #31, sixth development batch (helper m31b): threat families the earlier batches did not hold, tested with
sentences written for these tests (none from an evaluation or development set): a federation, a network or an
agreement that puts the entity out is a threat ("kicked us out", "ens han fet fora", "nos han echado"), and "that's
not all" joins a second driver; being sent the link or told to have a look gives no reason. 4 of the 8 cases fail on
the reading before this pass (3b29b6c); the others are guards (said so).
"""

from __future__ import annotations

import pytest

from actions.classifier import classify


def test_being_kicked_out_then_not_all_is_a_mix():
    text = "the league kicked us out over fees; that's not all though, we want to run a coaching school with two other clubs"
    assert classify(text, lang="en").motivation == "mixed"


@pytest.mark.parametrize("lang, text", [
    # guards (read right before this pass): the new cue and the 'not all' joiners keep them
    ("ca", "ens han fet fora de la coordinadora, aixo no es tot, tb volem fer una trobada de colles amb altres grups"),
    ("es", "la coordinadora nos ha echado por no pagar las cuotas, y además queremos crear una escuela de entrenadores "
           "con otros clubes"),
    ("es", "el banco no nos renueva el crédito, pero no todo es eso, llevamos tiempo hablando con la parroquia de "
           "montar una tienda solidaria"),
])
def test_being_put_out_beside_a_project_stays_a_mix(lang, text):
    assert classify(text, lang=lang).motivation == "mixed"


@pytest.mark.parametrize("lang, text", [
    ("es", "la concejala nos pasó el enlace de la sesión y aquí estamos"),
    ("en", "a council officer forwarded us the link to this, so here we are"),
    ("es", "en el ayuntamiento nos dijeron que lo miráramos"),
    ("ca", "la regidora ens va dir que ho miressim"),  # a guard
])
def test_being_sent_here_gives_no_reason(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"
