"""A linear text classifier over TF-IDF features: fitted by scikit-learn in a child process, cached as JSON,
predicted in plain Python. Both trained models are one of these: the understanding layer's
(bot/engine/learn.py) and the motivation model (actions/motivation_model.py); each says what it learns
from, how it names its cache file and which scikit-learn learner it fits.

The bot process never imports scikit-learn, SciPy or NumPy (about 120 MB at peak with the training):
`python -m bot.text.textmodel MODULE:FUNCTION` runs the model's trainer on what it reads from stdin and writes
the fitted weights to stdout; the parent keeps them in the cache file (written aside and renamed, so a
process reading at the same time sees the whole file or none), and later processes only read that file.
A prediction is a dictionary lookup per feature. Imports nothing from the project, so the engine and the
actions may both use it.

The cache files live in one folder, `models_dir()`: config `paths.models` (default data/models), set at
start-up by the runtime. `aliat models` fills it ahead (make install, the Docker image), so a bot starts by
reading files; a model is trained at start only when its examples changed since, and says so in the log.
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

log = logging.getLogger(__name__)

Analyzer = Callable[[str], list[str]]
KEYS = ("labels", "intercept", "link", "blocks")  # what a trainer returns and the cache file holds
TRAIN_TIMEOUT_SECONDS = 300
DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[2] / "data" / "models"  # config's default, paths.models
_models_dir: Path | None = None
STATS: Counter[str] = Counter()  # models "loaded" from their file and "trained" in this process


def models_dir() -> Path:
    """Where the trained models are kept: `paths.models` once the runtime has said so, else its default."""
    return _models_dir or DEFAULT_MODELS_DIR


def use_models_dir(path: Path) -> None:
    """Set at start-up from `paths.models` (bot/app/runtime.py, `aliat models`, `aliat nlu`)."""
    global _models_dir
    _models_dir = Path(path)


class TextModel:
    """Labels, an intercept per decision, and per block of features (one analyzer each) a table
    term -> [idf, weight per decision]. `link` turns decisions into probabilities: "softmax" for a
    multinomial logistic regression, "ovr" for one-vs-rest sigmoids (SGD's log loss), normalised."""

    def __init__(self, data: dict[str, Any], analyzers: Sequence[Analyzer]) -> None:
        self.labels: list[str] = list(data["labels"])
        self.intercept: list[float] = list(data["intercept"])
        self.blocks: list[dict[str, list[float]]] = data["blocks"]
        self.link: str = data["link"]
        self.analyzers = tuple(analyzers)
        if len(self.blocks) != len(self.analyzers) or self.link not in ("softmax", "ovr"):
            raise ValueError("the cached model does not fit its analyzers")

    def probabilities(self, text: str) -> list[float]:
        """What the fitted pipeline's predict_proba gives, per label (in `labels` order)."""
        return self._link(self._decision(text)[0])

    def predict(self, text: str) -> dict[str, float]:
        """Probabilities by label; an empty dict when the text has no feature the model knows."""
        decision, known = self._decision(text)
        return dict(zip(self.labels, self._link(decision), strict=True)) if known else {}

    def _decision(self, text: str) -> tuple[list[float], int]:
        """The linear decision over TF-IDF per block (sublinear tf, idf, l2 norm), and how many terms it knew."""
        decision = list(self.intercept)
        known = 0
        for analyze, block in zip(self.analyzers, self.blocks, strict=True):
            counts = Counter(t for t in analyze(text) if t in block)
            known += len(counts)
            weights = {t: (1.0 + math.log(n)) * block[t][0] for t, n in counts.items()}
            length = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for t, w in weights.items():
                row = block[t]
                for c in range(len(decision)):
                    decision[c] += (w / length) * row[c + 1]
        return decision, known

    def _link(self, decision: list[float]) -> list[float]:
        if self.link == "softmax":
            top = max(decision)
            exps = [math.exp(z - top) for z in decision]
            total = sum(exps)
            return [e / total for e in exps]
        if len(decision) == 1:  # two labels: one sigmoid
            positive = _sigmoid(decision[0])
            return [1.0 - positive, positive]
        scores = [_sigmoid(d) for d in decision]
        total = sum(scores)
        return [s / total for s in scores] if total > 0 else [1.0 / len(scores)] * len(scores)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def export(vectorizers: Sequence[Any], linear: Any, *, link: str, decimals: int | None = None) -> dict[str, Any]:
    """Training side: the weights of fitted TfidfVectorizers (one per block, stacked in this order) and a
    fitted linear classifier, as plain data. `decimals` rounds the weights (a smaller file)."""
    coef = linear.coef_
    blocks, offset = [], 0
    for vectorizer in vectorizers:
        idf = vectorizer.idf_
        block = {}
        for term, column in vectorizer.vocabulary_.items():
            weights = [float(coef[k, offset + column]) for k in range(coef.shape[0])]
            if decimals is not None:
                weights = [round(w, decimals) for w in weights]
            block[str(term)] = [float(idf[column]), *weights]
        blocks.append(block)
        offset += len(vectorizer.vocabulary_)
    return {"labels": [str(label) for label in linear.classes_], "intercept": [float(x) for x in linear.intercept_],
            "link": link, "blocks": blocks}


def cached(path: Path, trainer: str, given: Callable[[], Any], analyzers: Sequence[Analyzer], *,
           stale: str | None = None) -> TextModel:
    """The model kept at `path`; else trained now by `trainer` ("module:function", in a child process, on
    what `given()` returns) and kept there. `stale`: a pattern of older files beside it to remove."""
    try:
        model = TextModel(orjson.loads(path.read_bytes()), analyzers)
        STATS["loaded"] += 1
        return model
    except FileNotFoundError:
        # The file is named after a digest of what the model learns from: none by that name means new or
        # changed examples (or models never built: `aliat models` builds them ahead of a start).
        log.info("model %s: its examples changed or it was never built (not in %s); training it now",
                 path.name, path.parent)
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("model %s unreadable; training it again", path.name)
    started = time.monotonic()
    data = train_apart(trainer, given())
    model = TextModel(data, analyzers)
    STATS["trained"] += 1
    log.info("model %s trained in %.1f s", path.name, time.monotonic() - started)
    try:
        write_atomically(path, orjson.dumps(data))
    except OSError:
        log.warning("model %s not cached (%s not writable); kept in memory", path.name, path.parent)
        return model
    if stale:
        for old in path.parent.glob(stale):
            if old != path:
                old.unlink(missing_ok=True)
    return model


def train_apart(trainer: str, given: Any) -> dict[str, Any]:
    """Run `trainer` in a child process; its weights as plain data."""
    result = subprocess.run([sys.executable, "-m", "bot.text.textmodel", trainer], input=orjson.dumps(given),
                            capture_output=True, check=True, timeout=TRAIN_TIMEOUT_SECONDS)
    return orjson.loads(result.stdout)


def write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        # mkstemp makes it 0600: a model is no secret, and an image's models, built by root, are read by its user
        os.chmod(part, 0o644)
        os.replace(part, path)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def main(argv: list[str]) -> int:
    """python -m bot.text.textmodel MODULE:FUNCTION < GIVEN.json > MODEL.json (run by `train_apart`)."""
    module, function = argv[0].split(":")
    data = getattr(importlib.import_module(module), function)(orjson.loads(sys.stdin.buffer.read()))
    sys.stdout.buffer.write(orjson.dumps({key: data[key] for key in KEYS}))
    return 0


if __name__ == "__main__":  # pragma: no cover - run in a child process by train_apart
    sys.exit(main(sys.argv[1:]))
