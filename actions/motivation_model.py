"""A statistical reading of the free text: reactive, proactive, mixed or unclear, learnt from a corpus.

The cues of ``knowledge/motivation_cues.yml`` say *what* to quote back; they cannot cover the long tail
of ways people put things ("the bank closed our credit line", "payments arrive eight months late").
This model is trained from ``corpus/motivation/{ca,es,en}.txt`` (sentences written as staff type, one
label per section): TF-IDF over words, word pairs and character n-grams of the normalised text, and a
multinomial logistic regression (scikit-learn).

Training takes a few seconds, so it happens lazily, once: the weights are saved as JSON under ``data/``
with the corpus's hash in the name, and later processes only read that file. Prediction is plain Python
(a dictionary lookup per feature), so neither scikit-learn nor numpy is imported on the hot path.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import orjson

from actions.classifier import _tokenize, knowledge

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus" / "motivation"
CACHE_DIR = ROOT / "data"
LABELS = ("reactive", "proactive", "mixed", "unclear")
# Change when the features or the learner change, so that an old cached model is not reused.
MODEL_VERSION = "2"
C = 10.0  # inverse regularisation, chosen by cross-validation on the corpus (see corpus_cv below)


def features(text: str) -> list[str]:
    """Words, word pairs and 3-5 character n-grams of the normalised text (accents and case ignored).

    Words within a negation's reach (the cue file's negation words, same clause, up to its window) also
    give an ``n:`` feature, so that "no tenim problemes econòmics" can be told from "tenim problemes".
    """
    kb = knowledge()
    toks = _tokenize(text or "")
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


def _fit(texts: list[str], labels: list[str], c: float = C):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, lowercase=False)
    matrix = vectorizer.fit_transform(texts)
    learner = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    learner.fit(matrix, labels)
    return vectorizer, learner


def train(rows: list[tuple[str, str, str]] | None = None) -> dict:
    """Fit on the corpus and return the weights as plain data (what is cached as JSON)."""
    rows = rows if rows is not None else read_corpus()
    vectorizer, learner = _fit([t for _, _, t in rows], [label for _, label, _ in rows])
    classes = [str(c) for c in learner.classes_]
    coef = learner.coef_
    weights = {}
    idf = vectorizer.idf_
    for feature, column in vectorizer.vocabulary_.items():
        weights[feature] = [float(idf[column]), *(round(float(coef[k, column]), 5) for k in range(len(classes)))]
    return {"classes": classes, "intercept": [float(v) for v in learner.intercept_], "weights": weights}


def corpus_cv(folds: int = 5, c: float = C) -> float:
    """Cross-validated accuracy on the corpus itself (for choosing C; not a measure of generalisation)."""
    from sklearn.model_selection import StratifiedKFold

    rows = read_corpus()
    texts = [t for _, _, t in rows]
    labels = [f"{lang}:{label}" for lang, label, _ in rows]
    right = 0
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
        vectorizer, learner = _fit([texts[i] for i in train_idx], [rows[i][1] for i in train_idx], c)
        predicted = learner.predict(vectorizer.transform([texts[i] for i in test_idx]))
        right += sum(p == rows[i][1] for p, i in zip(predicted, test_idx, strict=True))
    return right / len(rows)


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: dict[str, list[float]]  # feature -> [idf, weight per class]

    def predict(self, text: str) -> dict[str, float]:
        """Probabilities per label; an empty dict when the text has no known feature."""
        counts = Counter(f for f in features(text or "") if f in self.weights)
        if not counts:
            return {}
        values = {f: (1.0 + math.log(n)) * self.weights[f][0] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        logits = list(self.intercept)
        for f, v in values.items():
            row = self.weights[f]
            for k in range(len(logits)):
                logits[k] += v / norm * row[k + 1]
        top = max(logits)
        exps = [math.exp(z - top) for z in logits]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.classes, exps, strict=True)}


def _cache_path() -> Path:
    return CACHE_DIR / f"motivation_model-{corpus_hash()}.json"


@lru_cache(maxsize=1)
def model() -> Model:
    """The trained model: read from data/ when the corpus has not changed, else trained and saved."""
    path = _cache_path()
    data = None
    if path.exists():
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            data = None
    if data is None:
        data = train()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # written aside and renamed: a process reading at the same time sees the whole file or none
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".motivation_model-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(orjson.dumps(data))
            os.replace(tmp, path)
            for old in path.parent.glob("motivation_model-*.json"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:
            log.warning("motivation model not cached (data/ not writable); trained in memory")
    return Model(tuple(data["classes"]), tuple(data["intercept"]), data["weights"])


def predict(text: str | None) -> dict[str, float]:
    return model().predict(text or "") if (text or "").strip() else {}


if __name__ == "__main__":  # pragma: no cover - `python -m actions.motivation_model`: build the cache ahead
    import sys

    model.cache_clear()
    built = model()
    print(f"motivation model: {len(built.weights)} features, cached in {_cache_path()}")
    if "--cv" in sys.argv:
        print(f"cross-validated accuracy on the corpus: {corpus_cv():.3f}")
