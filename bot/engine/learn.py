"""A small text classifier trained from the YAML examples: Rasa's own recipe, rebuilt small.

Character n-grams within word boundaries (char_wb, 1-4) carry typos, missing accents and the three
languages at once; word unigrams and bigrams carry the phrases. A linear model (logistic regression,
fitted by SGD) gives a probability per label, so a caller can refuse when the best label is weak (fallback
threshold) or barely ahead of the second one (ambiguity threshold).

bot/text/textmodel.py trains it in a child process (`train` below) and predicts it in plain Python, with
`char_wb_ngrams` and `word_ngrams`, which read a text as scikit-learn's analyzers do. So `aliat chat`
starts without scikit-learn, a prediction costs a fraction of a millisecond, and the model is trained
once per change of the examples, not once per process: files live in config `paths.models` (default
data/models, filled by `aliat models` at install), named after a digest of the examples; a lost file is
trained again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.engine.textnorm import normalize
from bot.text import textmodel

log = logging.getLogger(__name__)

MAX_CHARS = 400  # a 10,000-character message is read by its beginning; the rest adds cost, not meaning
MODEL_VERSION = 2  # 2: the weights as bot/text/textmodel.py keeps them
CHAR_NGRAMS = (1, 4)
WORD_NGRAMS = (1, 2)
_WORD = re.compile(r"(?u)\b\w+\b")
_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True)
class Guess:
    label: str | None
    confidence: float
    margin: float  # best probability minus the second best


USED: set[str] = set()  # the digests of the models this process loaded or trained (`aliat models` keeps those)


def cache_dir() -> Path:
    return textmodel.models_dir()


class TextClassifier:
    """Labels -> example texts (any language); `guess(text)` the best label with its probability."""

    def __init__(self, examples: dict[str, list[str]]) -> None:
        self._raw = examples  # folded and hashed at first use: `aliat chat` starts without paying for it
        self._cleaned: dict[str, list[str]] | None = None
        self._model: textmodel.TextModel | None = None
        self._failed = False
        self._lock = threading.Lock()

    @property
    def _examples(self) -> dict[str, list[str]]:
        if self._cleaned is None:
            cleaned = {label: [normalize(str(t)) for t in texts if normalize(str(t))]
                       for label, texts in self._raw.items()}
            self._cleaned = {label: texts for label, texts in cleaned.items() if texts}
        return self._cleaned

    @property
    def digest(self) -> str:
        payload = json.dumps([MODEL_VERSION, self._examples], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:20]

    @property
    def labels(self) -> list[str]:
        return sorted(self._examples)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def warm(self) -> None:
        with self._lock:
            if self._model is None and not self._failed and len(self._examples) >= 2:
                try:
                    self._model = self._load()
                    USED.add(self.digest)
                except (OSError, ValueError, KeyError, subprocess.SubprocessError):
                    # the bot goes on with exact phrases and option names; nothing is guessed
                    log.exception("could not train or load the understanding model %s", self.digest)
                    self._failed = True

    def _load(self) -> textmodel.TextModel:
        return textmodel.cached(cache_dir() / f"model-{self.digest}.json", "bot.engine.learn:train",
                                lambda: self._examples, (char_wb_ngrams, word_ngrams))

    def probabilities(self, norm: str) -> list[float]:
        """What the fitted pipeline's predict_proba gives, per label in sorted order."""
        assert self._model is not None
        return self._model.probabilities(norm)

    def guess(self, text: str) -> Guess:
        norm = normalize(text[:MAX_CHARS])
        if not norm or len(self._examples) < 2:
            return Guess(None, 0.0, 0.0)
        if self._model is None:
            self.warm()
        if self._model is None:
            return Guess(None, 0.0, 0.0)
        ranked = sorted(zip(self.probabilities(norm), self._model.labels, strict=True), reverse=True)
        best, label = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        return Guess(label, round(best, 3), round(best - second, 3))


def char_wb_ngrams(text: str) -> list[str]:
    """scikit-learn's char_wb analyzer: n-grams of each word padded with one space on each side."""
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for word in _SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset:offset + n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset:offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return grams


def word_ngrams(text: str) -> list[str]:
    """scikit-learn's word analyzer with token_pattern \\b\\w+\\b: words, then pairs of words."""
    tokens = _WORD.findall(text.lower())
    low, high = WORD_NGRAMS
    grams = list(tokens) if low == 1 else []
    for n in range(max(2, low), high + 1):
        grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def train(examples: dict[str, list[str]]) -> dict[str, Any]:
    """Fit the pipeline with scikit-learn (in bot/text/textmodel.py's child process); return what prediction
    needs (and the pipeline, for tests)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    texts = [t for group in examples.values() for t in group]
    labels = [label for label, group in examples.items() for _ in group]
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True,
                                  token_pattern=_WORD.pattern)),
    ])
    # logistic regression fitted by SGD: the same model as LogisticRegression, trained in a tenth of the
    # time (0.3 s against 6-9 s with lbfgs for dialogues/ on this machine); seeded, so the same examples
    # always give the same model
    linear = SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=50, tol=None, random_state=0,
                           class_weight="balanced")
    pipeline = Pipeline([("features", features), ("linear", linear)])
    pipeline.fit(texts, labels)
    model = textmodel.export([v for _name, v in features.transformer_list], linear, link="ovr")
    return {**model, "pipeline": pipeline}
