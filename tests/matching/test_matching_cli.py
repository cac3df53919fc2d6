"""`aliat matches list --json` and `aliat matches for NAME --json`: the contract of issue 26."""

from __future__ import annotations

import json

from bot.store.privacy import forget_sender
from tests.auxil.cli import aliat
from tests.auxil.matching import seed_entity, two_that_fit
from tests.auxil.runtime import make_runtime


async def test_matches_list_and_for_name(sqlite_url) -> None:
    rt = await make_runtime(sqlite_url)
    try:
        a, b = await two_that_fit(rt)
        await seed_entity(rt, "tg:9301", "Casal Callat", consent=False, offers=("back_office",), seeks=("premises",))
        await seed_entity(rt, "tg:9302", "Ateneu Esborrat", offers=("back_office",), seeks=("premises", "volunteers"))
        async with rt.sessionmaker() as session, session.begin():
            await forget_sender(session=session, sender_id="tg:9302")
    finally:
        await rt.close()
    listed = aliat("matches", "list", "--json", database_url=sqlite_url)
    assert listed.returncode == 0, listed.stderr
    pairs = json.loads(listed.stdout)
    assert len(pairs) == 1
    pair = pairs[0]
    assert {pair["a"]["id"], pair["b"]["id"]} == {a, b}
    assert {pair["a"]["name"], pair["b"]["name"]} == {"Esplai La Fletxa", "Serveis Compartits SCCL"}
    assert 0 <= pair["score"] <= 1 and pair["aim"] == "integral_attention"
    assert {"complementarities", "gains", "duplications", "conflicts"} <= set(pair["reasons"])
    assert "Gestió administrativa" in listed.stdout or "gestió administrativa" in pair["reasons"]["complementarities"]

    one = aliat("matches", "for", "esplai la fletxa", "--json", "--lang", "en", database_url=sqlite_url)
    assert one.returncode == 0, one.stderr
    rows = json.loads(one.stdout)
    assert [r["b"]["name"] for r in rows] == ["Serveis Compartits SCCL"] and rows[0]["a"]["id"] == a
    assert "back office" in rows[0]["reasons"]["complementarities"]
    # never a non-consenting or erased entity, even by name
    for name in ("Casal Callat", "Ateneu Esborrat"):
        refused = aliat("matches", "for", name, "--json", database_url=sqlite_url)
        assert refused.returncode == 1 and "opted in" in refused.stderr and refused.stdout == ""
