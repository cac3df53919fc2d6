"""A long-running bot loads its models at start-up, not during somebody's first turn."""

from __future__ import annotations


async def test_the_models_are_loaded_before_anyone_types(runtime) -> None:
    from actions import motivation_model

    motivation_model.model.cache_clear()
    engine = runtime.engine
    assert not engine.matcher.classifier.loaded  # `aliat chat` starts without them
    runtime.actions.preload()
    engine.warm()
    assert engine.matcher.classifier.loaded
    assert engine.reader._is_answer.loaded and all(c.loaded for c in engine.reader._kinds.values())
    assert motivation_model.model.cache_info().currsize == 1
