"""Each interview objective counts towards one of the programme's four aims (programme.objective_aims): a
wrong aim stops start-up naming the key; an objective content editors add without an aim is named by
`aliat check`."""

from __future__ import annotations

import shutil

import pytest
import yaml

from bot.commands.content_check import check_content
from bot.config import ConfigError, load_settings
from tests.auxil.cli import ROOT

CONFIG = ROOT / "config.yml"


def test_the_four_aims_and_a_wrong_one_named() -> None:
    aims = load_settings(CONFIG, env={}).programme.objective_aims
    assert aims.competitiveness == "efficiency" and aims.saving_money == "efficiency"
    assert set(vars(aims).values()) == {"innovation", "public_contracting", "integral_attention", "efficiency"}
    with pytest.raises(ConfigError, match=r"programme\.objective_aims\.voice"):
        load_settings(CONFIG, env={"ALIAT_PROGRAMME__OBJECTIVE_AIMS__VOICE": "lobbying"})


def test_aliat_check_names_an_objective_without_an_aim(tmp_path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    path = knowledge / "objectives.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    new = dict(data["objectives"][0], id="networking")
    data["objectives"].insert(-1, new)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    settings = load_settings(CONFIG, env={})
    problems = check_content(settings, knowledge=knowledge)
    assert any("'networking' counts towards none of the programme's aims" in p for p in problems), problems
    assert not any("counts towards none" in p for p in check_content(settings))
