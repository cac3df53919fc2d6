"""What is running: the package's version and its commit.

The commit is read from the checkout's .git when there is one, else from BUILD_COMMIT beside the code, a file
the Dockerfile writes from its build argument ALIAT_COMMIT (.git is not copied into the image);
"unknown" only when neither says. `aliat --version` prints it; /metrics has it as `aliat_build_info`
(bot/web/metrics.py), so a dashboard or an alert can tell which release each worker runs.
"""

from __future__ import annotations

import platform
import re
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project (bot/app/ is two below)
DISTRIBUTION = "aliat-assistant"
BUILD_COMMIT = "BUILD_COMMIT"  # written by the Dockerfile (`--build-arg ALIAT_COMMIT=...`), read here
_HEX = re.compile(r"[0-9a-f]{7,40}")


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout without installing it
        return "unknown"


@cache
def commit() -> str:
    """The commit (12 hex digits): the checkout's, else the one the image was built from; "" when neither
    is known (a copy, an image built without ALIAT_COMMIT)."""
    return _git_commit() or _built_commit()


def _built_commit() -> str:
    """BUILD_COMMIT's commit, when it holds one (an image built without the argument has an empty file)."""
    try:
        text = (ROOT / BUILD_COMMIT).read_text(encoding="utf-8").strip().lower()
    except (OSError, UnicodeDecodeError):
        return ""
    return text[:12] if _HEX.fullmatch(text) else ""


def _git_commit() -> str:
    """The checkout's commit, read from .git without running git."""
    try:
        git = ROOT / ".git"
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head[:12]
        ref = head.split(":", 1)[1].strip()
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for folder in (git, common):
            if (folder / ref).is_file():
                return (folder / ref).read_text(encoding="utf-8").strip()[:12]
        for line in (common / "packed-refs").read_text(encoding="utf-8").splitlines():
            if line.endswith(" " + ref):
                return line.split()[0][:12]
    except (OSError, IndexError):
        pass
    return ""


def build_info() -> dict[str, str]:
    return {"version": version(), "commit": commit() or "unknown", "python": platform.python_version()}


def describe() -> str:
    info = build_info()
    return f"aliat {info['version']} (commit {info['commit']}, Python {info['python']})"
