"""The commit inside the image (issue 28's gap): `aliat --version` and /metrics said commit "unknown" in the
container, whose /app has no .git. The Dockerfile now writes its build argument ALIAT_COMMIT to
/app/BUILD_COMMIT, which bot/app/version.py reads when there is no .git. Images cannot be built here: the
Dockerfile's own step is run in a folder laid out as /app, with the argument as Docker gives it to RUN
(an environment variable), and the version read from there. (tests/cli/test_image_install.py runs it too,
then the installed `aliat --version`.)"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from bot.app import version
from tests.auxil.dockerfile import dockerfile, dockerignored
from tests.auxil.paths import ROOT

SHA = "3f9c2a7be1d04c55a9e8f0b7c6d5e4f3a2b1c0d9"


def _commit_step() -> tuple[str, str]:
    """The ARG's default and the RUN that writes it, checked to come after the code and its models."""
    instructions = dockerfile()
    args = [a for kind, a in instructions if kind == "ARG" and a.split("=", 1)[0] == "ALIAT_COMMIT"]
    assert len(args) == 1, "the Dockerfile takes no ALIAT_COMMIT build argument"
    runs = [i for i, (kind, a) in enumerate(instructions) if kind == "RUN" and "ALIAT_COMMIT" in a]
    assert len(runs) == 1, "no RUN step writes the commit"
    models = next(i for i, (kind, a) in enumerate(instructions) if kind == "RUN" and "aliat models" in a)
    assert runs[0] > models  # a new commit never rebuilds the code's layer or retrains the models
    default = args[0].partition("=")[2].strip().strip('"')
    return default, instructions[runs[0]][1]


def _built(tmp_path, monkeypatch, build_args: dict[str, str]) -> str:
    """Run the Dockerfile's step in `tmp_path/app` as `docker build [--build-arg ...]` would, and read the
    version as the code in that /app reads it (no .git there)."""
    default, step = _commit_step()
    app = tmp_path / "app"
    app.mkdir()
    env = {"PATH": "/usr/bin:/bin", "ALIAT_COMMIT": build_args.get("ALIAT_COMMIT", default)}
    done = subprocess.run(["sh", "-c", step.replace("/app", str(app))], cwd=app, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert (app / version.BUILD_COMMIT).is_file()
    monkeypatch.setattr(version, "ROOT", app)
    version.commit.cache_clear()
    try:
        return version.describe()
    finally:
        version.commit.cache_clear()


def test_an_image_built_with_its_commit_says_it(tmp_path, monkeypatch) -> None:
    described = _built(tmp_path, monkeypatch, {"ALIAT_COMMIT": SHA})
    assert f"(commit {SHA[:12]}," in described


@pytest.mark.parametrize("given", [None, "", "release 0.1 (beta)"])
def test_unknown_only_when_truly_unknown(tmp_path, monkeypatch, given) -> None:
    described = _built(tmp_path, monkeypatch, {} if given is None else {"ALIAT_COMMIT": given})
    assert "(commit unknown," in described


def test_a_checkout_reads_its_own_git_and_a_stale_file_stays_out_of_the_image(tmp_path, monkeypatch) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    version.commit.cache_clear()
    assert version.commit() == head.stdout.strip()[:12]
    assert version.BUILD_COMMIT in dockerignored()  # the image writes its own, never a developer's copy
    compose = yaml.safe_load((ROOT / "compose.yml").read_text(encoding="utf-8"))
    assert "ALIAT_COMMIT" in compose["services"]["bot"]["build"]["args"]  # compose passes it to the build
