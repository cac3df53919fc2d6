"""Reading the Dockerfile as Docker does, for the tests that check it (tests/cli/test_deploy_files.py,
tests/cli/test_image_install.py): instructions with continuation lines joined and comments dropped."""

from __future__ import annotations

import re
import shlex

from tests.auxil.paths import ROOT


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()) for line in text.splitlines()
            if line.strip()]


def env_instructions(instructions: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for kind, args in instructions:
        if kind == "ENV":
            for pair in shlex.split(args):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def dockerignored() -> list[str]:
    """The .dockerignore patterns, as names (`**/x` is x anywhere)."""
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().removeprefix("**/") for line in lines if line.strip() and not line.startswith("#")]
