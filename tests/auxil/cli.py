"""Running the `aliat` command in a subprocess with a chosen database and clean environment."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.auxil.paths import ROOT


def cli_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIAT_", "TELEGRAM_"))}
    env.update({"ALIAT_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def aliat(*args: str, database_url: str, stdin: str = "", timeout: float = 60, **extra: str):
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=cli_env(database_url, **extra), timeout=timeout)
