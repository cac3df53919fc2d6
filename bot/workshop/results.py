"""A workshop's results from the database: used at the end of a session and by `aliat workshop report`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store import workshops as store
from bot.store.models import Workshop
from bot.workshop.chart import render_chart
from bot.workshop.session import Results, answer_options, build_results
from bot.workshop.texts import WorkshopTexts


async def load_results(*, session: AsyncSession, workshop: Workshop, texts: WorkshopTexts,
                       language: str | None = None) -> Results:
    """Results of the items the room saw, in the workshop's language (or the one given)."""
    tallies = await store.workshop_tallies(session=session, workshop_id=workshop.id)
    participants = await store.participant_count(session=session, workshop_id=workshop.id)
    return build_results(workshop_id=workshop.id, language=language or workshop.language,
                         state=workshop.state or {}, tallies=tallies, participants=participants,
                         options=answer_options(texts.knowledge))


def report(results: Results, texts: WorkshopTexts) -> tuple[bytes, str]:
    """(PNG chart, text summary)."""
    return render_chart(results, texts), texts.summary(results)
