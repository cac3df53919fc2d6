"""bot/text/textmodel.py, the helper both trained models use: trained apart, cached, read back."""

from __future__ import annotations

import subprocess
import sys

from bot.text import textmodel
from tests.auxil.paths import ROOT

EXAMPLES = {"greet": ["hola que tal", "bon dia", "hello there"], "bye": ["adeu siau", "fins aviat", "goodbye now"]}


def _cached(path):
    from bot.engine.learn import char_wb_ngrams, word_ngrams

    return textmodel.cached(path, "bot.engine.learn:train", lambda: EXAMPLES, (char_wb_ngrams, word_ngrams))


def test_a_damaged_cache_file_is_trained_again_and_an_unwritable_one_is_kept_in_memory(tmp_path, caplog) -> None:
    path = tmp_path / "model-x.json"
    first = _cached(path)
    assert path.exists() and first.labels == ["bye", "greet"]
    path.write_bytes(b'{"labels": ')  # cut short
    again = _cached(path)
    assert again.probabilities("bon dia") == first.probabilities("bon dia") and "unreadable" in caplog.text
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert _cached(blocked / "model-y.json").probabilities("bon dia") == first.probabilities("bon dia")
    assert "not cached" in caplog.text


def test_the_motivation_model_is_trained_apart_too(tmp_path) -> None:
    """Asking for the motivation model with no cache trains it in a child: the bot keeps its memory."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ca.txt").write_text("[reactive]\nens han retallat la subvenció\n[proactive]\nvolem créixer\n"
                                   "[mixed]\nretallat però volem créixer\n[unclear]\nno ho sé\n", encoding="utf-8")
    code = ("import sys; from pathlib import Path; from actions import motivation_model as mm; "
            f"mm.CACHE_DIR, mm.CORPUS_DIR = Path({str(tmp_path)!r}), Path({str(corpus)!r}); "
            "assert mm.predict('ens han retallat la subvenció'); "
            "assert not [n for n in sys.modules if n.split('.')[0] in ('sklearn', 'scipy', 'numpy')]")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(list(tmp_path.glob("motivation_model-*.json"))) == 1
