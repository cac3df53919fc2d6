"""The language models live under `paths.models`, are built ahead by `aliat models` (make install, the
image), and are trained again only when their examples change, with a log line saying so."""

from __future__ import annotations

import logging
import shutil

import pytest

from bot.commands import models
from bot.config import load_settings
from bot.engine import learn
from bot.text import textmodel

TRAINING = "its examples changed or it was never built"


def _refuse_training(*_args, **_kwargs):
    raise AssertionError("a model was trained")


def test_a_model_is_trained_once_per_change_of_its_examples_and_the_log_says_why(tmp_path, monkeypatch,
                                                                                caplog) -> None:
    monkeypatch.setattr(textmodel, "_models_dir", tmp_path)
    caplog.set_level(logging.INFO, "bot.text.textmodel")
    examples = {"a": ["hola que tal", "bon dia"], "b": ["adeu siau", "fins aviat"]}
    first = learn.TextClassifier(examples)
    first.warm()
    assert first.loaded and TRAINING in caplog.text and "trained in" in caplog.text
    assert [p.name for p in tmp_path.glob("model-*.json")] == [f"model-{first.digest}.json"]

    caplog.clear()
    with monkeypatch.context() as patched:  # the same examples in a new process: read, never trained
        patched.setattr(textmodel, "train_apart", _refuse_training)
        again = learn.TextClassifier({k: list(v) for k, v in examples.items()})
        again.warm()
    assert again.loaded and again.probabilities("bon dia") == first.probabilities("bon dia")
    assert TRAINING not in caplog.text

    changed = learn.TextClassifier({**examples, "b": [*examples["b"], "a reveure"]})
    changed.warm()
    assert changed.digest != first.digest and TRAINING in caplog.text
    assert len(list(tmp_path.glob("model-*.json"))) == 2


@pytest.fixture
def models_dir(tmp_path):
    """A copy of the project's models (built now if missing), so the test trains nothing of its own."""
    settings = load_settings()
    if models.missing(settings):
        models.build(settings)
    target = tmp_path / "models"
    shutil.copytree(settings.models_dir, target)
    return target


def test_aliat_models_keeps_what_is_current_and_removes_the_rest(models_dir, monkeypatch) -> None:
    settings = load_settings(env={"ALIAT_PATHS__MODELS": str(models_dir)})
    assert settings.models_dir == models_dir and models.missing(settings) == []
    (models_dir / "model-0123456789abcdef0123.json").write_text("{}")  # from examples since changed
    (models_dir / "motivation_model-0123456789abcdef.json").write_text("{}")
    monkeypatch.setattr(textmodel, "train_apart", _refuse_training)
    done = models.build(settings)
    assert done["trained"] == 0 and done["removed"] == 2 and done["loaded"] >= 2
    assert models.missing(settings) == []
    (next(models_dir.glob("model-*.json"))).unlink()
    assert len(models.missing(settings)) == 1  # `aliat models --check` exits 1


async def test_a_bot_starting_with_its_models_built_trains_nothing(models_dir, sqlite_url, monkeypatch) -> None:
    """What `aliat run` does before anyone types (the Application's post_init), with the models there."""
    from actions import motivation_model
    from bot.app.runtime import build_runtime

    settings = load_settings(env={"ALIAT_PATHS__MODELS": str(models_dir), "ALIAT_DATABASE_URL": sqlite_url})
    monkeypatch.setattr(textmodel, "train_apart", _refuse_training)
    motivation_model.model.cache_clear()
    runtime = await build_runtime(settings)
    try:
        assert textmodel.models_dir() == models_dir
        runtime.actions.preload()
        runtime.engine.warm()
        assert runtime.engine.matcher.classifier.loaded
        assert motivation_model.model().predict("ens han retallat la subvenció")
    finally:
        motivation_model.model.cache_clear()
        textmodel.use_models_dir(textmodel.DEFAULT_MODELS_DIR)
        await runtime.close()
