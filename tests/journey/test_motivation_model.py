"""The statistical motivation model (actions/motivation_model.py) and its corpus (corpus/motivation/)."""

from __future__ import annotations

from collections import Counter

import yaml

from actions import motivation_model as mm
from actions.classifier import tokenized
from tests.auxil.paths import DATA


def test_the_corpus_has_at_least_300_sentences_per_language_and_every_label() -> None:
    rows = mm.read_corpus()
    per_lang = Counter(lang for lang, _, _ in rows)
    assert set(per_lang) == {"ca", "es", "en"}
    assert all(n >= 300 for n in per_lang.values()), per_lang
    for lang in per_lang:
        labels = Counter(label for lg, label, _ in rows if lg == lang)
        assert set(labels) == set(mm.LABELS), lang
        assert min(labels.values()) >= 40, (lang, labels)


# Written independently at the same time as the fresh batch, two corpus sentences came out word for word
# like two of its sentences (the seed's "credit line closed" said the plainest way). They were found after
# the fresh batch was scored, and left as they were so the model stays the one scored; the README gives the
# figure without them too. Nothing else may coincide.
KNOWN_FRESH_COINCIDENCES = {"el banc ens ha tancat la polissa de credit", "the bank closed our credit line"}
# The hard set (issue #31) was written before its author read the corpus; one of its sentences, the plainest
# way to say it, was already in the corpus word for word (an unclear "we want to collaborate"). Found when
# the corpus was read, after the set was committed; the README gives the figure without it too.
KNOWN_HARD_COINCIDENCES = {"volem collaborar amb altres entitats"}
# The third blind set (issue #31, third pass) was also written without reading the corpus; its plain "we want
# to collaborate with other organisations" turned out to be in the corpus word for word in all three languages
# (the Catalan one is the sentence above). Found after the set was committed; the README gives the figure
# without them too.
KNOWN_BLIND3_COINCIDENCES = {"queremos colaborar con otras entidades", "we want to collaborate with other organisations"}


def test_the_corpus_is_not_made_of_the_evaluation_sentences() -> None:
    # the evaluation, held-out and fresh sets measure generalisation: none of their sentences is in the corpus
    corpus = {tokenized(t) for _, _, t in mm.read_corpus()} - KNOWN_FRESH_COINCIDENCES - KNOWN_HARD_COINCIDENCES
    corpus -= KNOWN_BLIND3_COINCIDENCES
    for name in ("motivation_eval.yml", "motivation_heldout.yml", "motivation_fresh.yml", "motivation_hard.yml",
                 "motivation_blind2.yml", "motivation_blind3.yml", "motivation_blind4.yml", "motivation_dev31.yml",
                 "motivation_dev31b.yml", "motivation_dev31c.yml",
                 "motivation_dev31d.yml", "motivation_dev31e.yml", "motivation_dev31f.yml"):
        path = DATA / name
        if not path.exists():
            continue
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        shared = [c["text"] for c in cases  # a greeting ("hola") is not a sentence anyone wrote for the sets
                  if len(str(c.get("text") or "").split()) >= 3 and tokenized(c["text"]) in corpus]
        assert not shared, (name, shared)


def test_the_model_is_cached_under_data_by_corpus_hash(tmp_path, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ca.txt").write_text(
        "[reactive]\nens han retallat la subvenció\nno podem pagar les nòmines\n"
        "[proactive]\ntenim una idea nova\nvolem créixer a altres barris\n"
        "[mixed]\nens han retallat però volem créixer\nanem justos però tenim una idea nova\n"
        "[unclear]\nno ho sé\npotser\n", encoding="utf-8")
    monkeypatch.setattr(mm, "CORPUS_DIR", corpus)
    monkeypatch.setattr(mm, "CACHE_DIR", tmp_path / "data")
    mm.model.cache_clear()
    try:
        first = mm.model()
        cached = list((tmp_path / "data").glob("motivation_model-*.json"))
        assert [p.name for p in cached] == [f"motivation_model-{mm.corpus_hash(corpus)}.json"]
        probs = first.predict("ens han retallat la subvenció")
        assert max(probs, key=probs.get) == "reactive"
        # a changed corpus is a new model (and the stale file goes)
        with (corpus / "ca.txt").open("a", encoding="utf-8") as fh:
            fh.write("ni idea\n")
        mm.model.cache_clear()
        mm.model()
        cached_after = list((tmp_path / "data").glob("motivation_model-*.json"))
        assert len(cached_after) == 1 and cached_after != cached
    finally:
        mm.model.cache_clear()


def test_prediction_is_plain_python_and_sums_to_one() -> None:
    probs = mm.predict("el banc ens ha tancat la línia de crèdit")
    assert set(probs) == set(mm.LABELS)
    assert abs(sum(probs.values()) - 1.0) < 1e-6
    assert max(probs, key=probs.get) == "reactive"
    assert mm.predict("") == {} and mm.predict("   ") == {}
