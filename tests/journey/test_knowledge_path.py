"""Actions read knowledge from config.yml's paths.knowledge, not from the folder beside the code."""

from __future__ import annotations

import shutil
from dataclasses import replace

from actions import base, classifier, services
from bot.config import load_settings


def test_actions_read_the_configured_knowledge_folder(tmp_path, monkeypatch) -> None:
    settings = load_settings(env={})
    folder = tmp_path / "kb"
    shutil.copytree(settings.knowledge_dir, folder)
    (folder / "objectives.yml").write_text("marker: from the configured folder\n", encoding="utf-8")
    cues = (folder / "motivation_cues.yml").read_text(encoding="utf-8")
    assert "\n  window: 4\n" in cues
    (folder / "motivation_cues.yml").write_text(cues.replace("\n  window: 4\n", "\n  window: 7\n", 1), encoding="utf-8")
    moved = replace(settings, paths=replace(settings.paths, knowledge=str(folder)))
    monkeypatch.setitem(services._bound, "settings", moved)
    assert base.knowledge("objectives") == {"marker": "from the configured folder"}
    assert classifier.knowledge().negation_window == 7
    monkeypatch.setitem(services._bound, "settings", settings)
    assert "marker" not in base.knowledge("objectives") and classifier.knowledge().negation_window == 4
