"""Content checks for the knowledge/*.yml files edited by content editors.

Every user-visible text is a mapping with exactly the keys ca, es, en (all non-empty),
ids are the ones the bot expects, and texts respect Telegram's length limits.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
import yaml

from tests.auxil.paths import ROOT

KNOWLEDGE = ROOT / "knowledge"
LANGS = {"ca", "es", "en"}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")

BUTTON_MAX = 30  # inline-keyboard labels (clarify options)
OBJECTIVE_LABEL_MAX = 28
SCALE_LABEL_MAX = 20
POLL_OPTION_MAX = 25  # our own limit; Telegram allows 100
TELEGRAM_POLL_OPTION_MAX = 100
QUIZ_QUESTION_MAX = 250  # our own limit; Telegram allows 300
TELEGRAM_POLL_QUESTION_MAX = 300
QUIZ_EXPLANATION_MAX = 200  # Telegram limit
TEXT_MAX = 400  # generous cap on any single text (target ~350)

FILES = [
    "motivations.yml",
    "success_factors.yml",
    "relationship_indicators.yml",
    "objectives.yml",
    "scenarios.yml",
    "programme.yml",
]


def load(name: str) -> Any:
    with (KNOWLEDGE / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def is_text(node: Any) -> bool:
    return isinstance(node, dict) and set(node) == LANGS


def assert_text(node: Any, where: str, max_len: int = TEXT_MAX) -> None:
    assert isinstance(node, dict), f"{where}: expected a {{ca, es, en}} mapping, got {node!r}"
    assert set(node) == LANGS, f"{where}: keys {sorted(node)} != {sorted(LANGS)}"
    for lang in sorted(LANGS):
        value = node[lang]
        assert isinstance(value, str), f"{where}.{lang}: not a string"
        assert value.strip(), f"{where}.{lang}: empty"
        assert value == value.strip(), f"{where}.{lang}: leading/trailing whitespace"
        assert len(value) <= max_len, f"{where}.{lang}: {len(value)} chars > {max_len}"


def assert_text_list(node: Any, where: str, lo: int, hi: int) -> None:
    assert isinstance(node, list), f"{where}: expected a list"
    assert lo <= len(node) <= hi, f"{where}: {len(node)} items, expected {lo}..{hi}"
    for i, item in enumerate(node):
        assert_text(item, f"{where}[{i}]")


def assert_scale(node: Any, where: str) -> None:
    assert isinstance(node, dict), f"{where}: expected a mapping"
    assert sorted(node) == [1, 2, 3, 4], f"{where}: keys {sorted(node, key=str)} != 1..4"
    for key, label in node.items():
        assert_text(label, f"{where}.{key}", SCALE_LABEL_MAX)


def walk_leaves(node: Any, where: str = "") -> list[tuple[str, Any]]:
    """Return every (path, value) that is a text mapping or a bare string outside known id fields."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        if LANGS & set(node):
            found.append((where, node))
            return found
        for key, value in node.items():
            found.extend(walk_leaves(value, f"{where}.{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(walk_leaves(value, f"{where}[{i}]"))
    elif isinstance(node, str):
        found.append((where, node))
    return found


# Bare-string fields that are identifiers or enum values, not user-visible text.
NON_TEXT_FIELDS = {"id", "answer", "risk_when"}


@pytest.mark.parametrize("name", FILES)
def test_file_loads_and_every_text_is_trilingual(name: str) -> None:
    data = load(name)
    assert isinstance(data, dict) and data, f"{name}: empty or not a mapping"
    leaves = walk_leaves(data, name)
    assert leaves, f"{name}: no texts found"
    for where, value in leaves:
        if isinstance(value, str):
            field = re.sub(r"\[\d+\]$", "", where).rsplit(".", 1)[-1]
            assert field in NON_TEXT_FIELDS, f"{where}: bare string {value!r}; use a {{ca, es, en}} mapping"
            assert ID_RE.match(value), f"{where}: {value!r} is not a snake_case id"
        else:
            assert_text(value, where)


@pytest.mark.parametrize("name", FILES)
def test_file_starts_with_a_comment(name: str) -> None:
    first = (KNOWLEDGE / name).read_text(encoding="utf-8").lstrip().splitlines()[0]
    assert first.startswith("#"), f"{name}: add a comment at the top for content editors"


# --- motivations ------------------------------------------------------------


def test_motivations() -> None:
    data = load("motivations.yml")
    assert set(data) == {"motivations"}
    motivations = data["motivations"]
    assert set(motivations) == {"reactive", "proactive", "mixed", "unclear"}
    for key, m in motivations.items():
        where = f"motivations.{key}"
        assert_text(m["label"], f"{where}.label", BUTTON_MAX)
        for lang in LANGS:
            assert len(m["label"][lang].split()) <= 2, f"{where}.label.{lang}: one or two words"
        assert_text(m["meaning"], f"{where}.meaning")
        assert_text_list(m["risks"], f"{where}.risks", 1, 3)
        assert_text_list(m["advice"], f"{where}.advice", 2, 4)

    mixed = motivations["mixed"]
    assert_text(mixed["meaning_dominant_reactive"], "mixed.meaning_dominant_reactive")
    assert_text(mixed["meaning_dominant_proactive"], "mixed.meaning_dominant_proactive")

    unclear = motivations["unclear"]
    assert_text(unclear["clarify_question"], "unclear.clarify_question", TELEGRAM_POLL_QUESTION_MAX)
    options = unclear["clarify_options"]
    assert [o["id"] for o in options] == ["reactive", "proactive", "both", "not_sure"]
    for o in options:
        assert set(o) == {"id", "label"}
        assert_text(o["label"], f"clarify_options.{o['id']}", BUTTON_MAX)
    for key in ("reactive", "proactive"):
        assert "clarify_question" not in motivations[key]


# --- success factors ----------------------------------------------------------

FACTOR_IDS = ["clear_objective", "trust", "commitment", "investment", "sharing"]


def test_success_factors() -> None:
    data = load("success_factors.yml")
    assert set(data) == {"scale", "factors"}  # the overall verdict is knowledge/verdict.yml's
    assert_scale(data["scale"], "success_factors.scale")

    factors = data["factors"]
    assert [f["id"] for f in factors] == FACTOR_IDS
    for f in factors:
        where = f"factors.{f['id']}"
        assert set(f) - {"advice_urgent"} == {"id", "title", "explanation", "question", "advice", "strength"}, where
        assert_text(f["title"], f"{where}.title", 40)
        assert_text(f["explanation"], f"{where}.explanation")
        assert_text(f["question"], f"{where}.question", TELEGRAM_POLL_QUESTION_MAX)
        for lang in LANGS:
            assert f["question"][lang].rstrip().endswith("?"), f"{where}.question.{lang}: not a question"
        assert_text(f["advice"], f"{where}.advice")
        assert_text(f["strength"], f"{where}.strength")

    verdicts = load("verdict.yml")["readiness"]["verdicts"]
    assert set(verdicts) == {"crisis", "unknown", "early", "held", "ready", "on_track"}
    for code, text in verdicts.items():
        assert_text(text, f"verdict.readiness.verdicts.{code}")


# --- relationship indicators -----------------------------------------------------

INDICATOR_IDS = ["conflicts", "gains", "duplications", "complementarities"]
FLAG_IDS = {"power_risk", "competition_risk", "conflict_risk", "unbalanced_gains", "low_complementarity", "good_fit"}


def test_relationship_indicators() -> None:
    data = load("relationship_indicators.yml")
    assert set(data) == {"scale", "indicators", "flags"}
    assert_scale(data["scale"], "relationship_indicators.scale")

    indicators = data["indicators"]
    assert [i["id"] for i in indicators] == INDICATOR_IDS
    question_ids: list[str] = []
    for ind in indicators:
        where = f"indicators.{ind['id']}"
        assert set(ind) == {"id", "title", "explanation", "questions"}, where
        assert_text(ind["title"], f"{where}.title", 40)
        assert_text(ind["explanation"], f"{where}.explanation")
        assert len(ind["questions"]) == 2, f"{where}: expected 2 questions"
        for q in ind["questions"]:
            assert set(q) == {"id", "text", "short", "risk_when"}, where
            assert_text(q["short"], f"{where}.{q['id']}.short", 40)
            assert ID_RE.match(q["id"]), q["id"]
            assert q["id"].startswith(ind["id"] + "_"), f"{q['id']}: prefix it with {ind['id']}_"
            assert q["risk_when"] in {"high", "low"}, q["id"]
            assert_text(q["text"], f"{where}.{q['id']}", TELEGRAM_POLL_QUESTION_MAX)
            question_ids.append(q["id"])
    dupes = [qid for qid, n in Counter(question_ids).items() if n > 1]
    assert not dupes, f"duplicate question ids: {dupes}"

    flags = data["flags"]
    assert set(flags) == FLAG_IDS
    for flag_id, flag in flags.items():
        assert set(flag) == {"short", "text"}, flag_id
        assert_text(flag["text"], f"flags.{flag_id}.text")


def test_question_ids_unique_across_knowledge() -> None:
    """Self-check question ids (factors and indicator questions) never collide."""
    factor_ids = [f["id"] for f in load("success_factors.yml")["factors"]]
    indicator_qids = [
        q["id"] for ind in load("relationship_indicators.yml")["indicators"] for q in ind["questions"]
    ]
    all_ids = factor_ids + indicator_qids
    assert len(all_ids) == len(set(all_ids))


# --- objectives -------------------------------------------------------------------

# the seed's targets (innovation, public contracting, integral attention, efficiency, competitiveness),
# then voice before the administration, impact and saving money; "other" asks what
OBJECTIVE_IDS = [
    "innovation",
    "public_contracting",
    "integral_attention",
    "efficiency",
    "competitiveness",
    "voice",
    "impact",
    "saving_money",
    "other",
]


def test_objectives() -> None:
    data = load("objectives.yml")
    assert set(data) == {"objectives"}
    objectives = data["objectives"]
    assert [o["id"] for o in objectives] == OBJECTIVE_IDS
    for o in objectives:
        assert set(o) == {"id", "label", "description"}, o["id"]
        assert_text(o["label"], f"objectives.{o['id']}.label", OBJECTIVE_LABEL_MAX)
        assert_text(o["description"], f"objectives.{o['id']}.description")


# --- scenarios ----------------------------------------------------------------------

ANSWERS = ("reactive", "proactive", "mixed")


def test_scenarios() -> None:
    data = load("scenarios.yml")
    assert set(data) == {"question", "options", "scenarios"}
    assert_text(data["question"], "scenarios.question", QUIZ_QUESTION_MAX)
    assert QUIZ_QUESTION_MAX <= TELEGRAM_POLL_QUESTION_MAX

    options = data["options"]
    assert set(options) == set(ANSWERS)
    for key, label in options.items():
        assert_text(label, f"options.{key}", POLL_OPTION_MAX)
        assert_text(label, f"options.{key}", TELEGRAM_POLL_OPTION_MAX)
    for lang in LANGS:
        labels = [options[a][lang] for a in ANSWERS]
        assert len(set(labels)) == len(labels), f"options.{lang}: labels must differ"

    scenarios = data["scenarios"]
    assert len(scenarios) >= 14
    ids = [s["id"] for s in scenarios]
    assert len(ids) == len(set(ids)), "duplicate scenario ids"
    for s in scenarios:
        where = f"scenarios.{s['id']}"
        assert set(s) == {"id", "answer", "text", "explanation"}, where
        assert ID_RE.match(s["id"]), where
        assert s["answer"] in ANSWERS, where
        assert_text(s["text"], f"{where}.text", TELEGRAM_POLL_QUESTION_MAX)
        assert_text(s["explanation"], f"{where}.explanation", QUIZ_EXPLANATION_MAX)

    counts = Counter(s["answer"] for s in scenarios)
    assert counts["reactive"] >= 5, counts
    assert counts["proactive"] >= 5, counts
    assert counts["mixed"] >= 3, counts


# --- programme --------------------------------------------------------------------------

URL_OR_CONTACT = re.compile(r"https?://|www\.|@|\+?\d[\d .-]{7,}\d")


def test_programme() -> None:
    data = load("programme.yml")
    assert set(data) == {"programme"}
    programme = data["programme"]
    assert set(programme) == {"name", "about", "behind", "facilitator", "free", "why_neutral", "resources"}
    assert_text(programme["name"], "programme.name", 40)
    for lang in LANGS:
        assert programme["name"][lang] == "Alia't"
    assert_text(programme["about"], "programme.about")
    for key in ("behind", "facilitator", "free"):  # what "what is Alia't?" and "is it free?" are answered with
        assert_text(programme[key], f"programme.{key}")
    assert_text(programme["why_neutral"], "programme.why_neutral")

    resources = programme["resources"]
    assert 3 <= len(resources) <= 4
    ids = [r["id"] for r in resources]
    assert len(ids) == len(set(ids))
    for r in resources:
        assert set(r) == {"id", "title", "text"}, r["id"]
        assert ID_RE.match(r["id"]), r["id"]
        assert_text(r["title"], f"resources.{r['id']}.title", 40)
        assert_text(r["text"], f"resources.{r['id']}.text")


@pytest.mark.parametrize("name", FILES)
def test_no_invented_urls_phones_or_emails(name: str) -> None:
    for where, value in walk_leaves(load(name), name):
        texts = value.values() if isinstance(value, dict) else [value]
        for text in texts:
            assert not URL_OR_CONTACT.search(text), f"{where}: remove URLs, phone numbers or emails: {text!r}"
