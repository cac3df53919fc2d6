"""Workshop data: pseudonyms, one answer per participant, changeable ratings, results, retention, CLI."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import func, select

from bot.cli import main
from bot.store import workshops as store
from bot.store.models import Workshop, WorkshopVote
from bot.workshop.chart import render_chart
from bot.workshop.results import load_results
from bot.workshop.session import initial_state
from bot.workshop.texts import WorkshopTexts
from tests.auxil.runtime import make_runtime


def texts_of(runtime) -> WorkshopTexts:
    s = runtime.settings
    return WorkshopTexts(runtime.domain, s.languages, s.default_language)


async def seeded(session, knowledge, *, chat_id: int = -100555, language: str = "ca") -> Workshop:
    """A workshop shown up to the first factor card, with votes on two cases and that factor. Its cases in
    the order knowledge lists them (a workshop shuffles them; these votes are written for that order)."""
    state = initial_state("both", knowledge)
    listed = [f"s:{s['id']}" for s in knowledge["scenarios"]["scenarios"]]
    state["items"].sort(key=lambda item: listed.index(item["id"]) if item["id"] in listed else len(listed))
    state["step"] = 16
    workshop = await store.create_workshop(session=session, chat_id=chat_id, trainer_user_id=7001,
                                           programme="both", language=language, state=state)
    salt = workshop.state["salt"]
    items = [i["id"] for i in state["items"]]
    for user in range(1, 11):
        who = store.pseudonym(salt=salt, workshop_id=workshop.id, user_id=user)
        await store.record_answer(session=session, workshop_id=workshop.id, item_id=items[0], participant=who,
                                  value="reactive" if user <= 9 else "mixed")
        await store.record_answer(session=session, workshop_id=workshop.id, item_id=items[1], participant=who,
                                  value="reactive" if user <= 3 else "proactive")
        await store.record_rating(session=session, workshop_id=workshop.id, item_id=items[16], participant=who,
                                  value="2" if user <= 5 else "3")
    return workshop


async def test_votes_pseudonyms_results_and_retention(any_runtime) -> None:
    rt = any_runtime
    texts = texts_of(rt)
    async with rt.sessionmaker() as session:
        workshop = await seeded(session, rt.domain.knowledge)
        other = await store.create_workshop(session=session, chat_id=-100556, trainer_user_id=7001,
                                            programme="scenarios", language="es",
                                            state=initial_state("scenarios", rt.domain.knowledge))
        salt = workshop.state["salt"]
        me = store.pseudonym(salt=salt, workshop_id=workshop.id, user_id=1)
        assert me == store.pseudonym(salt=salt, workshop_id=workshop.id, user_id=1)
        assert me != store.pseudonym(salt=other.state["salt"], workshop_id=other.id, user_id=1)
        assert len(me) == 32

        first = workshop.state["items"][0]["id"]
        factor = workshop.state["items"][16]["id"]
        # One answer per participant: a second quiz answer does not count; a new rating replaces the old one.
        assert not await store.record_answer(session=session, workshop_id=workshop.id, item_id=first,
                                             participant=me, value="proactive")
        await store.record_rating(session=session, workshop_id=workshop.id, item_id=factor, participant=me, value="4")
        assert await store.item_tally(session=session, workshop_id=workshop.id, item_id=first) == {"reactive": 9, "mixed": 1}
        assert await store.item_tally(session=session, workshop_id=workshop.id, item_id=factor) == {"2": 4, "3": 5, "4": 1}

        results = await load_results(session=session, workshop=workshop, texts=texts)
        assert results.participants == 10
        assert [s.total for s in results.scenarios] == [10, 10] + [0] * 14
        assert results.scenarios[1].right_share == 0.3
        assert len(results.factors) == 1 and results.factors[0].mean == 2.7
        summary = texts.summary(results)
        assert "Persones participants: 10" in summary
        assert "60% de respostes encertades en 2 casos" in summary and "el cas 2 (30% d'encerts)" in summary
        assert "«Objectiu clar» (2,7 de 4)" in summary

        await store.end_workshop(session=session, workshop=workshop)
        assert "salt" not in workshop.state and workshop.status == "ended" and workshop.ended_at
        await session.commit()

        # Retention: only workshops older than the period go, with their votes.
        workshop.created_at = datetime.now(UTC) - timedelta(days=31)
        await session.commit()
        assert await store.purge_workshops(session=session, older_than_days=rt.settings.retention.workshop_days) == 1
        await session.commit()
        assert await session.scalar(select(func.count()).select_from(WorkshopVote)) == 0
        assert [w.id for w in (await session.scalars(select(Workshop))).all()] == [other.id]


async def test_chart_is_a_real_png_in_every_language(runtime) -> None:
    texts = texts_of(runtime)
    async with runtime.sessionmaker() as session:
        workshop = await seeded(session, runtime.domain.knowledge)
        for language in ("ca", "es", "en"):
            results = await load_results(session=session, workshop=workshop, texts=texts, language=language)
            image = Image.open(io.BytesIO(render_chart(results, texts)))
            assert image.format == "PNG" and image.width > 600
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 50
        empty = await store.create_workshop(session=session, chat_id=-1, trainer_user_id=7001, programme="factors",
                                            language="en", state=initial_state("factors", runtime.domain.knowledge))
        results = await load_results(session=session, workshop=empty, texts=texts)
        assert Image.open(io.BytesIO(render_chart(results, texts))).format == "PNG"
        assert "No answers were recorded." in texts.summary(results)


async def test_cli_trainers_and_workshops(database_url, tmp_path, monkeypatch, capsys) -> None:
    rt = await make_runtime(database_url)
    try:
        async with rt.sessionmaker() as session:
            workshop = await seeded(session, rt.domain.knowledge, language="en")
            await store.end_workshop(session=session, workshop=workshop)
            await session.commit()
    finally:
        await rt.close()
    monkeypatch.setenv("ALIAT_DATABASE_URL", database_url)
    monkeypatch.delenv("ALIAT_CONFIG", raising=False)

    async def cli(*argv: str, code: int = 0) -> str:
        capsys.readouterr()
        assert await asyncio.to_thread(main, list(argv)) == code
        return capsys.readouterr().out

    assert "no trainers yet" in await cli("trainers", "list")
    assert "can now run workshops" in await cli("trainers", "add", "7001", "--name", "Núria")
    await cli("trainers", "add", "7001", "--name", "Núria P.")
    assert (await cli("trainers", "list")).strip() == "7001\tNúria P."
    assert "removed" in await cli("trainers", "remove", "7001")
    assert "no trainer" in await cli("trainers", "remove", "7001", code=1)

    listing = await cli("workshop", "list")
    assert f"{workshop.id}\t" in listing and "\tended\tboth\ten\t10\t30" in listing
    png = tmp_path / "out" / "chart.png"
    out = await cli("workshop", "report", str(workshop.id), "--png", str(png))
    assert "Participants: 10" in out and "Clear objective" in out
    with Image.open(png) as image:
        assert image.format == "PNG" and image.height > 400
    assert "Casos:" in await cli("workshop", "report", str(workshop.id), "--language", "es")
    await cli("workshop", "report", "99999", code=1)
    assert "purged 0 workshop(s)" in await cli("workshop", "purge")
