"""Issue 13, items 5 and 6: exports safe in spreadsheets, CLI output safe in a terminal."""

from __future__ import annotations

import asyncio
import csv

import pytest

from bot.cli import main
from bot.text.export_safe import spreadsheet_safe, terminal_safe
from tests.auxil.runtime import ask_for_a_facilitator, make_runtime

FORMULAS = ["=HYPERLINK(\"http://x\",\"clic\")", "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(1)",
            "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_is_shown_as_text(text) -> None:
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Coop Sud", "", "3 = 3", "l'Avenç", None, 42])
def test_ordinary_cells_are_unchanged(text) -> None:
    assert spreadsheet_safe(text) == ("" if text is None else str(text))


def test_terminal_output_has_no_escape_sequences() -> None:
    assert terminal_safe("\x1b]0;PWNED\x07Coop\u202eSud\n2") == "]0;PWNEDCoopSud\n2"


async def test_leads_export_and_list_are_safe(sqlite_url, tmp_path, monkeypatch, capsys) -> None:
    rt = await make_runtime(sqlite_url)
    try:
        await ask_for_a_facilitator(rt, "tg:901", entity_name="=cmd|' /C calc'!A0")
        await ask_for_a_facilitator(rt, "tg:902", entity_name="@SUM(1)")
    finally:
        await rt.close()
    monkeypatch.setenv("ALIAT_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("ALIAT_CONFIG", raising=False)
    for form, entity_column in ((["--codes"], "entity_name"), ([], "Entitat")):  # the machine form and the words
        out = tmp_path / "leads.csv"
        assert await asyncio.to_thread(main, ["leads", "export", "--csv", str(out), *form]) == 0
        with out.open(encoding="utf-8", newline="") as fh:
            names = sorted(row[entity_column] for row in csv.DictReader(fh))
        assert names == ["'=cmd|' /C calc'!A0", "'@SUM(1)"]
        with out.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
