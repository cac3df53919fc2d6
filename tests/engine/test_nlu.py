"""The understanding layer as people meet it: typos, accents, hedges, negation, don't-know, bad input; and the
`aliat nlu` and `aliat chat --json` contracts."""

from __future__ import annotations

import json

import pytest

from bot.content.domain import load_domain
from bot.engine.answers import AnswerReader, Refused, find_slot
from bot.engine.nlu import IntentMatcher
from bot.engine.values import read_answer
from tests.auxil.cli import aliat
from tests.auxil.paths import ROOT


@pytest.fixture(scope="module")
def domain():
    return load_domain(ROOT / "dialogues", ROOT / "knowledge")


@pytest.fixture(scope="module")
def matcher(domain) -> IntentMatcher:
    return IntentMatcher(domain.intents)


@pytest.fixture(scope="module")
def reader(domain) -> AnswerReader:
    return AnswerReader(domain)


def read(domain, reader, slot_name: str, text: str):
    slot, question = find_slot(domain, slot_name)
    try:
        return read_answer(slot, question, text, from_button=False, max_text_length=2000, reader=reader).value
    except Refused as refusal:
        return f"refused:{refusal.reason}"


@pytest.mark.parametrize(("text", "intent"), [
    ("estem pensant en ajuntar-nos amb una altra associacio", "explore"),
    ("ESTEM PENSANT EN AJUNTAR-NOS AMB UNA ALTRA ASSOCIACIÓ!!", "explore"),
    ("buenas, queremos presentarnos a un concurso publico con otra entidad", "explore"),
    ("hi, we run a food bank and want to open in two more towns", "explore"),
    ("what is alia't?", "about_programme"),
    ("qui hi ha darrere d'aquest programa?", "about_programme"),
    ("es gratuit?", "about_programme"),
    ("vull parlar amb una persna", "human"),        # a typo
    ("moltes grasies", "thanks"),                  # another
    ("hola, bon dia", "greet"),
])
def test_intents_from_free_text(matcher, text, intent) -> None:
    assert matcher.match(text).intent == intent


@pytest.mark.parametrize("text", ["asdf qwer zxcv", "🙂🙂🙂", "", "!!!", "blorp"])
def test_gibberish_is_not_an_intent(matcher, text) -> None:
    assert matcher.match(text).intent is None


@pytest.mark.parametrize(("slot", "text", "value"), [
    ("financial_situation", "anem justets", "tight"),
    ("financial_situation", "con el agua al cuello", "serious"),
    ("financial_situation", "we're ok for now", "stable"),
    ("services_threatened", "home, una mica si", "some"),
    ("services_threatened", "no gaire", "no"),
    ("services_threatened", "not really", "no"),
    ("need_voice", "muchisimo, es lo principal", "yes"),
    ("need_voice", "depèn", "somewhat"),
    ("factor_trust", "un 3", 3),
    ("factor_trust", "3/4", 3),
    ("factor_trust", "tres", 3),
    ("factor_trust", "gens", 1),
    ("factor_trust", "del tot", 4),
    ("factor_trust", "no, gens", 1),
    ("factor_trust", "not at all", 1),
    ("factor_trust", "no ho sé", "dont_know"),
    ("factor_trust", "no tenemos socio aún así que no sé", "dont_know"),
    ("factor_trust", "no partner yet, so I can't say", "dont_know"),
    ("rel_gains_own", "idk", "dont_know"),
    ("services_threatened", "ni idea", "dont_know"),
    ("partner_in_mind", "no ho sé", "not_sure"),
    ("size_staff", "ninguno", "none"),
    ("size_staff", "3", "1_5"),
    ("size_volunteers", "12 persones", "6_20"),
    ("territory", "sabadell", "barcelona"),
    ("territory", "al penedès", "barcelona"),
    ("territory", "taragona", "tarragona"),          # a typo
    ("contact_channel", "correu", "email"),
    ("handoff_consent", "vale", "yes"),
    ("handoff_consent", "no, gracias", "no"),
    ("motivation_alternative", "no estamos en una situacion dificil, solo queremos crecer", "proactive"),
    ("motivation_alternative", "no estem en una situació difícil", "proactive"),
    ("motivation_alternative", "una situació difícil", "reactive"),
])
def test_everyday_answers(domain, reader, slot, text, value) -> None:
    assert read(domain, reader, slot, text) == value


@pytest.mark.parametrize(("slot", "text", "reason"), [
    ("factor_trust", "5", "scale"),              # outside the range: refused with the range, not a button
    ("factor_trust", "🙂", "unclear"),           # emoji only: not "empty"
    ("factor_trust", "   ", "empty"),
    ("territory", "12", "range"),
    ("handoff_consent", "no ho sé", "dont_know"),  # consent needs a yes or a no
    ("financial_situation", "asdf qwer", "choice"),
    ("new_idea", "42", "range"),                 # a number where a word is expected
    ("handoff_consent", "Carmen", "choice"),     # a name is not a yes: never a silent guess
    ("services_threatened", "presidenta", "choice"),
    ("services_threatened", "contractacio publica", "choice"),  # the next question's answer, typed ahead
    ("need_voice", "public contracting", "choice"),
])
def test_answers_refused_kindly(domain, reader, slot, text, reason) -> None:
    assert read(domain, reader, slot, text) == f"refused:{reason}"


@pytest.mark.parametrize("text", ["contractacio publica", "Contratación pública", "public contracting"])
def test_an_option_whose_title_is_a_knowledge_text_is_read_by_that_text(domain, reader, text) -> None:
    assert read(domain, reader, "objective", text) == "public_contracting"


@pytest.mark.parametrize(("text", "said"), [
    ("sí, esborra-ho", "yes"), ("vale", "yes"), ("ok", "yes"), ("no, deixa-ho", "no"), ("nah", "no"),
    ("Carmen", None), ("asdf", None), ("hola", None), ("no ho sé", None), ("612345678", None),
])
def test_typed_confirmations(reader, text, said) -> None:
    assert reader.yes_or_no(text) == said


def test_long_and_mixed_language_text(domain, reader, matcher) -> None:
    assert isinstance(read(domain, reader, "financial_situation", "anem justos " + "a" * 10_000), str)
    assert matcher.match("x" * 10_000).intent is None
    assert read(domain, reader, "services_threatened", "sí, some of them") in ("yes", "some")
    assert matcher.match("hola, we want to find partners per un projecte").intent == "explore"


def test_aliat_nlu_contract(sqlite_url) -> None:
    result = aliat("nlu", "--lang", "ca", database_url=sqlite_url, stdin="hola\nasdf qwer\nés gratuït?\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["intent"] for r in rows] == ["greet", None, "about_programme"]
    assert all(set(r) == {"text", "intent", "confidence"} and 0 <= r["confidence"] <= 1 for r in rows)
    result = aliat("nlu", "--slot", "factor_trust", database_url=sqlite_url,
                   stdin="un 3\nno ho se\nblorp\nque vol dir confiança?\npuc parlar amb algu?\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["value"] for r in rows] == [3, "dont_know", None, None, None]
    # issue 23: the act a line is, read before any value (only an answer has one)
    assert [r["act"] for r in rows] == ["answer", "answer", "answer", "question", "human"]
    assert all({"text", "act", "value", "confidence"} <= set(r) <= {"text", "act", "value", "confidence", "about"}
               for r in rows)
    assert aliat("nlu", "--slot", "no_such_slot", database_url=sqlite_url).returncode == 2


def test_aliat_chat_json_contract(sqlite_url) -> None:
    stdin = '{"payload": "/explore"}\nCasal del Barri\nlleure\n{"payload": "girona"}\n'
    result = aliat("chat", "--json", "--lang", "ca", "--user", "j", database_url=sqlite_url, stdin=stdin)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    turns, current = [], []
    for row in rows:
        if "slots" in row:
            turns.append((current, row["slots"]))
            current = []
        else:
            assert set(row) == {"text", "buttons", "image", "slot"}
            current.append(row)
    assert len(turns) == 5  # the greeting is a turn of its own, then one per line
    greeting, _ = turns[0]
    assert {"title": "🤝 Explorar una aliança", "payload": "/explore"} in greeting[0]["buttons"]
    assert turns[1][0][-1]["slot"] == "entity_name"
    assert turns[3][0][-1]["slot"] == "territory"
    assert turns[4][1]["territory"] == "girona" and turns[4][1]["entity_name"] == "Casal del Barri"


def test_terminal_typed_counts_and_language_mid_question(sqlite_url) -> None:
    # "3" staff is the band 1-5 (not the third button); /language mid-question: "2" is Castellano,
    # not an answer; on the collaboration question "9" is refused with the range and "2" is the option
    # (volunteers and budget are asked in the handoff: their typed counts, in handoff_consent_contact_ca)
    stdin = "\n".join(["1", "Casal", "/skip", "/skip", "3", "/language", "2", "9", "2"]) + "\n"
    result = aliat("chat", "--lang", "ca", "--user", "t", database_url=sqlite_url, stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Perfecto, hablaremos en castellano." in out
    assert "¿Cómo colaboráis hoy" in out.split("Perfecto, hablaremos en castellano.")[1]
    assert "escribe un número del 1 al 5" in out
    result = aliat("chat", "--json", "--user", "t", database_url=sqlite_url, stdin="")
    slots = [json.loads(line) for line in result.stdout.splitlines() if '"slots"' in line][-1]["slots"]
    assert slots["size_staff"] == "1_5" and slots["collaboration_today"] == "information"


def test_dont_know_is_never_a_score() -> None:
    from actions.journey import score_of
    from actions.readiness import score_readiness

    assert score_of("dont_know") is None
    readiness = score_readiness({"factor_clear_objective": "dont_know", "factor_trust": 1, "factor_commitment": 3,
                                 "factor_investment": "dont_know", "factor_sharing": 2})
    assert readiness.overall == 2.0 and readiness.scores["clear_objective"] is None
    assert "clear_objective" not in readiness.weakest


def test_prediction_in_plain_python_is_the_pipelines(matcher, reader) -> None:
    """learn.py predicts without scikit-learn from what the trained pipeline wrote; it must give the
    pipeline's own probabilities, and its analyzers must be scikit-learn's."""
    import numpy as np

    from bot.engine.learn import char_wb_ngrams, train, word_ngrams

    for classifier in (matcher.classifier, reader._is_answer, reader._kinds["scale"]):
        classifier.warm()
        pipeline = train(classifier._examples)["pipeline"]
        chars, words = (v for _name, v in pipeline.named_steps["features"].transformer_list)
        for text in ("anem justets la veritat", "we want to grow with another charity", "asdf", "3", "a  b"):
            assert np.allclose(pipeline.predict_proba([text])[0], classifier.probabilities(text))
            assert char_wb_ngrams(text) == chars.build_analyzer()(text)
            assert word_ngrams(text) == words.build_analyzer()(text)


def test_the_bot_never_imports_scikit_learn(tmp_path) -> None:
    """Training runs in a child process: the bot keeps its memory (scikit-learn and SciPy are ~120 MB)."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from bot.content.domain import load_domain; "
            f"from bot.text import textmodel; textmodel.use_models_dir(Path({str(tmp_path)!r})); "
            "from bot.engine.nlu import IntentMatcher; "
            "m = IntentMatcher(load_domain(Path('dialogues'), Path('knowledge')).intents); "
            "assert m.match('we run a food bank and want to grow into two towns').intent == 'explore'; "
            "assert not [n for n in sys.modules if n.split('.')[0] in ('sklearn', 'scipy', 'numpy')]")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert list(tmp_path.glob("model-*.json"))  # trained once, kept for the next process


def test_a_model_that_cannot_be_trained_is_no_answer_not_a_crash(tmp_path, monkeypatch, caplog) -> None:
    from bot.engine import learn
    from bot.text import textmodel

    monkeypatch.setattr(textmodel, "_models_dir", tmp_path)
    monkeypatch.setattr(textmodel.sys, "executable", str(tmp_path / "no-python-here"))  # training runs there
    classifier = learn.TextClassifier({"a": ["hola que tal"], "b": ["adeu siau"]})
    assert classifier.guess("hola") == learn.Guess(None, 0.0, 0.0)
    assert "could not train" in caplog.text


@pytest.mark.parametrize("text", ["home, una mica", "home, bastant greu", "home si", "home"])
def test_a_catalan_home_is_a_hedge_not_the_menu(matcher, text) -> None:
    """"Home, …" opens half the answers typed in Catalan: it must not take anyone out of a question."""
    assert matcher.match(text, threshold=0.7).intent != "menu"


@pytest.mark.parametrize("text", ["si", "sí", "vale", "ok", "yes", "d'acord", "si, clar"])
def test_a_nod_is_not_the_organisations_name(domain, reader, text) -> None:
    """After the intro people often answer "sí" before the first question: it is not a name."""
    assert read(domain, reader, "entity_name", text) == "refused:text"


@pytest.mark.parametrize("text", ["Esplai Els Pinyols", "Sí Se Puede Cooperativa", "Casal Sí", "Arrels"])
def test_names_are_still_names(domain, reader, text) -> None:
    assert read(domain, reader, "entity_name", text) == text


@pytest.mark.parametrize(("slot", "text", "expected"), [
    ("motivation_feedback", "👍", "agree"),          # "👍 Sí, és així"
    ("motivation_feedback", "🤔", "disagree"),       # "🤔 No ho crec"
    ("motivation_feedback", "👍️", "agree"),          # with a variation selector
    ("motivation_feedback", "🙂", "refused:unclear"),  # no button starts with it
    ("territory", "👍", "refused:unclear"),
])
def test_the_emoji_a_button_starts_with_presses_it(domain, reader, slot, text, expected) -> None:
    assert read(domain, reader, slot, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("si", "yes"), ("d'acord", "yes"), ("home, si", "yes"), ("vale, adelante", "yes"), ("sure", "yes"),
    ("no, gracies", "no"), ("nop", "no"),
    # asking again for a person is not an agreement to keep their data
    ("vull parlar amb una persona", "refused:choice"), ("i want to talk to someone", "refused:choice"),
    ("no ho se", "refused:dont_know"),
])
def test_consent_is_taken_only_when_said_outright(domain, reader, text, expected) -> None:
    assert read(domain, reader, "handoff_consent", text) == expected


def test_the_bot_loads_its_actions_and_channels_without_numpy() -> None:
    """Partner matching scores with NumPy on the dashboard and the CLI; the bot's own path (every action,
    the Telegram application, the notifier) must not load it at start (README: memory)."""
    import subprocess
    import sys

    code = ("import sys, pkgutil, importlib, actions; "
            "[importlib.import_module(f'actions.{m.name}') for m in pkgutil.iter_modules(actions.__path__)]; "
            "import bot.channels, bot.notifier, bot.matching.introductions; "
            "assert not [n for n in sys.modules if n.split('.')[0] in ('sklearn', 'scipy', 'numpy')], "
            "[n for n in sys.modules if n.split('.')[0] in ('sklearn', 'scipy', 'numpy')][:3]")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
