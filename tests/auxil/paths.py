"""Where things are, for every test folder: one place, so a test file can move between folders freely."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # the repository
DATA = ROOT / "tests" / "data"  # evaluation sets shared by the classifier and NLU tests
CONVERSATIONS = ROOT / "tests" / "journey" / "conversations"  # the YAML conversation scripts


def cases(name: str) -> list[dict]:
    """The `cases` of an evaluation set in tests/data (e.g. "motivation_heldout.yml")."""
    import yaml

    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)["cases"]
