"""A statistical reading of the free text: reactive, proactive, mixed or unclear, learnt from a corpus.

The cues of ``knowledge/motivation_cues.yml`` say *what* to quote back; they cannot cover the long tail
of ways people put things ("the bank closed our credit line", "payments arrive eight months late").
This model is trained from ``corpus/motivation/{ca,es,en}.txt`` (sentences written as staff type, one
label per section): TF-IDF over words, word pairs and character n-grams of the normalised text, and a
multinomial logistic regression (scikit-learn).

Training takes a few seconds, so it happens once, in a child process (bot/text/textmodel.py, which
also predicts the understanding layer's models): the weights are saved as JSON under config
``paths.models`` (default ``data/models``; `aliat models` builds it at install) with the corpus's hash in
the name, and later processes only read that file. Prediction is plain Python (a
dictionary lookup per feature), so the bot's process never imports scikit-learn or numpy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from actions.reading.cues import knowledge
from actions.reading.text import tokenize
from bot.text import textmodel

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus" / "motivation"
CACHE_DIR: Path | None = None  # None: config paths.models (bot/text/textmodel.py's models_dir()); tests set their own
LABELS = ("reactive", "proactive", "mixed", "unclear")
# Change when the features or the learner change, so that an old cached model is not reused.
MODEL_VERSION = "4"  # 3: the weights as bot/text/textmodel.py keeps them; 4: phone shorthand read whole
C = 10.0  # inverse regularisation, chosen by cross-validation on the corpus (see corpus_cv below)


def features(text: str) -> list[str]:
    """Words, word pairs and 3-5 character n-grams of the normalised text (accents and case ignored).

    Words within a negation's reach (the cue file's negation words, same clause, up to its window) also
    give an ``n:`` feature, so that "no tenim problemes econòmics" can be told from "tenim problemes".
    """
    kb = knowledge()
    toks = tokenize(text or "")
    words = [t.text for t in toks]
    out = [f"w:{w}" for w in words]
    out += [f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    reach = -1
    for i, tok in enumerate(toks):
        if tok.text in kb.negators:
            reach = i + kb.negation_window
            continue
        if tok.text in kb.clause_breakers or (i and tok.clause != toks[i - 1].clause):
            reach = -1
        if i <= reach:
            out.append(f"n:{tok.text}")
    for w in words:
        padded = f" {w} "
        for n in (3, 4, 5):
            if len(padded) < n:
                break
            out += [f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    return out


def read_corpus(directory: Path | None = None) -> list[tuple[str, str, str]]:
    """(lang, label, text) for every sentence of the corpus files."""
    directory = directory or CORPUS_DIR
    rows: list[tuple[str, str, str]] = []
    for path in sorted(directory.glob("*.txt")):
        label = None
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                label = line[1:-1].strip()
                if label not in LABELS:
                    raise ValueError(f"{path.name}: unknown label [{label}]")
                continue
            if label is None:
                raise ValueError(f"{path.name}: a sentence before any [label]")
            rows.append((path.stem, label, line))
    return rows


def corpus_hash(directory: Path | None = None) -> str:
    directory = directory or CORPUS_DIR
    digest = hashlib.sha256(MODEL_VERSION.encode())
    digest.update(str(C).encode())
    kb = knowledge()  # the negation words shape the features
    digest.update(" ".join(sorted(kb.negators | kb.clause_breakers)).encode() + str(kb.negation_window).encode())
    for path in sorted(directory.glob("*.txt")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _fit(docs: list[list[str]], labels: list[str], c: float = C):
    """TF-IDF over the features each sentence already has (`features`, computed where the knowledge is)
    and a multinomial logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=_as_given, sublinear_tf=True, lowercase=False)
    matrix = vectorizer.fit_transform(docs)
    learner = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    learner.fit(matrix, labels)
    return vectorizer, learner


def _as_given(doc: list[str]) -> list[str]:
    return doc


def train(given: dict[str, Any]) -> dict[str, Any]:
    """Fit on {"docs": features per sentence, "labels": ...} and return the weights as plain data (run by
    bot/text/textmodel.py in a child process)."""
    vectorizer, learner = _fit(given["docs"], given["labels"])
    return textmodel.export([vectorizer], learner, link="softmax", decimals=5)


def _corpus_features(rows: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    rows = rows if rows is not None else read_corpus()
    return {"docs": [features(t) for _, _, t in rows], "labels": [label for _, label, _ in rows]}


def corpus_cv(folds: int = 5, c: float = C) -> float:
    """Cross-validated accuracy on the corpus itself (for choosing C; not a measure of generalisation)."""
    from sklearn.model_selection import StratifiedKFold

    rows = read_corpus()
    docs = [features(t) for _, _, t in rows]
    labels = [f"{lang}:{label}" for lang, label, _ in rows]
    right = 0
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=0).split(docs, labels):
        vectorizer, learner = _fit([docs[i] for i in train_idx], [rows[i][1] for i in train_idx], c)
        predicted = learner.predict(vectorizer.transform([docs[i] for i in test_idx]))
        right += sum(p == rows[i][1] for p, i in zip(predicted, test_idx, strict=True))
    return right / len(rows)


@dataclass(frozen=True)
class Model:
    linear: textmodel.TextModel

    def predict(self, text: str) -> dict[str, float]:
        """Probabilities per label; an empty dict when the text has no known feature."""
        return self.linear.predict(text or "")


def _cache_path() -> Path:
    return (CACHE_DIR or textmodel.models_dir()) / f"motivation_model-{corpus_hash()}.json"


@lru_cache(maxsize=1)
def model() -> Model:
    """The trained model: read from data/ when the corpus has not changed, else trained and saved."""
    return Model(textmodel.cached(_cache_path(), "actions.motivation_model:train", _corpus_features, (features,),
                                  stale="motivation_model-*.json"))


def predict(text: str | None) -> dict[str, float]:
    return model().predict(text or "") if (text or "").strip() else {}


if __name__ == "__main__":  # pragma: no cover - `python -m actions.motivation_model`: build the cache ahead
    import sys

    model.cache_clear()
    built = model()
    print(f"motivation model: {len(built.linear.blocks[0])} features, cached in {_cache_path()}")
    if "--cv" in sys.argv:
        print(f"cross-validated accuracy on the corpus: {corpus_cv():.3f}")
