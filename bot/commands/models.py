"""aliat models: build the language models under `paths.models` ahead of any start (make install and the
Docker image run it), so the bot's first person never waits for a training. A model already built from
the same examples is kept as it is; a model the examples changed is trained again; files no current
model uses are removed."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.app.runtime import configure_logging
from bot.config import Settings, load_settings
from bot.text import textmodel

NAME = "models"
HELP = "build the language models under paths.models (make install and the image run it; the bot checks them at start)"
log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="build nothing: exit 1 when a model is missing or out of date with its examples")


def build(settings: Settings) -> dict[str, int]:
    """Load every model the bot uses from `paths.models`, training those missing; remove the rest there.
    Returns how many were loaded, trained and removed."""
    from actions import motivation_model
    from bot.content.domain import load_domain
    from bot.engine import Engine, learn

    textmodel.use_models_dir(settings.models_dir)
    before = dict(textmodel.STATS)
    learn.USED.clear()
    domain = load_domain(settings.dialogues_dir, settings.knowledge_dir)
    engine = Engine(settings=settings, domain=domain, store=None, actions=None)  # type: ignore[arg-type]
    motivation_model.model.cache_clear()
    # each training runs in a child process of its own: a few at once use the machine's cores
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        jobs = [pool.submit(c.warm) for c in _classifiers(engine, learn.TextClassifier)]
        jobs.append(pool.submit(motivation_model.model))
        for job in jobs:
            job.result()
    engine.warm()  # every understanding model the engine reads with (loaded above, unless one was missed)
    keep = {f"model-{digest}.json" for digest in learn.USED} | {motivation_model._cache_path().name}
    removed = 0
    for old in (*settings.models_dir.glob("model-*.json"), *settings.models_dir.glob("motivation_model-*.json")):
        if old.name not in keep:
            try:
                old.unlink(missing_ok=True)
                removed += 1
            except OSError as exc:  # a read-only folder (an image's, run as its user): left as it is
                log.warning("old model %s not removed (%s)", old.name, exc.strerror)
    return {"loaded": textmodel.STATS["loaded"] - before.get("loaded", 0),
            "trained": textmodel.STATS["trained"] - before.get("trained", 0), "removed": removed}


def missing(settings: Settings) -> list[str]:
    """The model files the bot would have to train at start (nothing is trained here)."""
    from actions import motivation_model
    from bot.content.domain import load_domain
    from bot.engine import Engine, learn

    textmodel.use_models_dir(settings.models_dir)
    domain = load_domain(settings.dialogues_dir, settings.knowledge_dir)
    engine = Engine(settings=settings, domain=domain, store=None, actions=None)  # type: ignore[arg-type]
    wanted = [f"model-{c.digest}.json" for c in _classifiers(engine, learn.TextClassifier)]
    wanted.append(motivation_model._cache_path().name)
    return [name for name in wanted if not (settings.models_dir / name).is_file()]


def _classifiers(engine: object, kind: type) -> list:
    """The TextClassifiers the engine's parts hold (found by walking them: a new reader needs no list here)."""
    found: list = []
    seen: set[int] = set()

    def walk(obj: object, depth: int) -> None:
        if id(obj) in seen or depth > 4:
            return
        seen.add(id(obj))
        if isinstance(obj, kind):
            found.append(obj)
        elif isinstance(obj, dict):
            for value in obj.values():
                walk(value, depth + 1)
        elif type(obj).__module__.startswith("bot.engine") and hasattr(obj, "__dict__"):
            for value in vars(obj).values():
                walk(value, depth + 1)

    walk(engine, 0)
    return found


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings)
    where = _shown(settings.models_dir, settings.base_dir)
    if args.check:
        absent = missing(settings)
        if absent:
            print(f"aliat models: {len(absent)} model(s) missing or out of date in {where}: run `aliat models`",
                  file=sys.stderr)
            return 1
        print(f"models in {where} are up to date")
        return 0
    started = time.monotonic()
    done = build(settings)
    print(f"models in {where}: {done['loaded']} up to date, {done['trained']} trained, {done['removed']} old "
          f"removed ({time.monotonic() - started:.1f} s)")
    return 0


def _shown(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
