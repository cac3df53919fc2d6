"""The Dockerfile's install steps, run for real (Docker cannot run here): in a clean folder laid out as the
image's /app, its RUN steps that build the Python environment, in order, with its ENV. The result must
hold the runtime only (none of the `dev` extra's tools), run `aliat`, and have its models built.

Two liberties, for the test's time and not the image's: pip may use its wheel cache (`--no-cache-dir` is
dropped here; tests/cli/test_deploy_files.py checks the image keeps it), and the models folder starts
with this checkout's current models, so `aliat models` checks them by digest instead of training them for
a minute (tests/engine/test_models.py covers the training)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from bot.commands import models
from bot.config import load_settings
from tests.auxil.dockerfile import dockerfile, dockerignored, env_instructions
from tests.auxil.paths import ROOT

BUILT_FROM = "3f9c2a7be1d04c55a9e8f0b7c6d5e4f3a2b1c0d9"  # a commit given as the build argument


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


@pytest.mark.timeout(900)
def test_the_images_install_steps_give_a_runtime_without_dev_tools(tmp_path) -> None:
    instructions = dockerfile()
    assert dict(instructions)["WORKDIR"] == "/app"
    app = tmp_path / "app"
    app.mkdir()

    def here(text: str) -> str:  # the image's paths, in this test's folder
        return text.replace("/app", str(app)).replace("/tmp/", f"{tmp_path}/")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIAT_", "TELEGRAM_", "VIRTUAL_ENV"))}
    env.update({k: here(v) for k, v in env_instructions(instructions).items()})
    current = load_settings()
    if models.missing(current):
        models.build(current)
    ran = []
    for kind, args in instructions:
        if kind == "COPY":
            *sources, _target = args.split()
            if sources == ["."]:
                shutil.copytree(ROOT, app, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*dockerignored()))
            else:
                for source in sources:
                    shutil.copy2(ROOT / source, app / source)
        elif kind == "RUN" and "ALIAT_COMMIT" in args:  # `docker build --build-arg ALIAT_COMMIT=...`
            done = subprocess.run(["sh", "-c", args.replace("/app", str(app))], cwd=app,
                                  env={**env, "ALIAT_COMMIT": BUILT_FROM}, capture_output=True, text=True)
            assert done.returncode == 0, (args, done.stderr)
        elif kind == "RUN" and ".venv/bin" in args:  # the Python steps (apt-get, useradd, chown need root)
            if "aliat models" in args:
                shutil.copytree(current.models_dir, env["ALIAT_PATHS__MODELS"], dirs_exist_ok=True)
            command = here(args).replace("--no-cache-dir", "")
            done = subprocess.run(["sh", "-c", command], cwd=app, env=env, capture_output=True, text=True,
                                  timeout=800)
            assert done.returncode == 0, (command, done.stderr[-3000:])
            ran.append(command)
    assert len(ran) == 2  # the dependencies, then the code and its models

    venv = app / ".venv"
    listed = subprocess.run([venv / "bin" / "pip", "list", "--format=json"], capture_output=True, text=True,
                            env=env, check=True)
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dev = {re.split(r"[\[<>=~! ]", r, maxsplit=1)[0].lower() for r in pyproject["project"]["optional-dependencies"]["dev"]}
    assert dev and not dev & installed, dev & installed
    assert not {"pytest", "ruff", "lint-imports", "playwright"} & {p.name for p in (venv / "bin").iterdir()}
    runtime = {re.split(r"[\[<>=~! ]", r, maxsplit=1)[0].lower() for r in pyproject["project"]["dependencies"]}
    assert {r.replace("_", "-") for r in runtime} <= installed
    # It runs, and its models are current: `aliat run` in it would train nothing.
    version = subprocess.run([venv / "bin" / "aliat", "--version"], cwd=app, env=env, capture_output=True,
                             text=True, check=True)
    assert version.stdout.startswith("aliat ")
    assert f"(commit {BUILT_FROM[:12]}," in version.stdout  # no .git in the image: the commit it was built from
    check = subprocess.run([venv / "bin" / "aliat", "models", "--check"], cwd=app, env=env, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr
    print(f"\nruntime venv: {_size_mb(venv):.0f} MB; models: {_size_mb(Path(env['ALIAT_PATHS__MODELS'])):.1f} MB")
