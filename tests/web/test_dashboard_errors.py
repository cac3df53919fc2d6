"""A dashboard page that fails (the database away) or does not exist gets the dashboard's own page in the
reader's language, never aiohttp's bare "500 Server got itself in trouble"."""

from __future__ import annotations

import logging

from bot.web.dashboard import reader_language
from tests.auxil.dashboard import LAIA, dashboard_client, login_link, seed


class _DatabaseAway:
    def __call__(self):
        raise ConnectionRefusedError("connection refused")


async def test_a_failing_page_is_a_friendly_one_in_the_readers_language(runtime, caplog) -> None:
    await seed(runtime)
    async with dashboard_client(runtime) as client:
        link = await login_link(runtime, LAIA)
        assert (await client.get(link)).status == 200  # logged in; the next pages fail
        runtime.sessionmaker = _DatabaseAway()  # type: ignore[assignment]
        caplog.set_level(logging.INFO, "bot.web.dashboard")
        for header, words in [("es-ES,es;q=0.9,ca;q=0.8", "Algo ha fallado por nuestra parte"),
                              ("ca", "Alguna cosa ha fallat per part nostra"),
                              ("fr-FR,fr;q=0.9,en;q=0.5", "Something went wrong on our side"),
                              ("", "Alguna cosa ha fallat per part nostra")]:  # no header: the default language
            response = await client.get("/leads", headers={"Accept-Language": header})
            body = await response.text()
            assert response.status == 500 and words in body, (header, body[:300])
            assert response.content_type == "text/html" and "Server got itself in trouble" not in body
    failed = [r for r in caplog.records if "dashboard page failed" in r.getMessage()]
    assert len(failed) == 1 and "ConnectionRefusedError" in failed[0].getMessage()  # once, not per page


async def test_a_page_that_does_not_exist_says_so_in_the_readers_language(runtime) -> None:
    async with dashboard_client(runtime) as client:
        response = await client.get("/no-such-page", headers={"Accept-Language": "es"})
        assert response.status == 404 and "No lo encuentro." in await response.text()


def test_the_readers_language_is_the_first_the_programme_speaks() -> None:
    languages = ("ca", "es", "en")
    assert reader_language("en-GB,en;q=0.9", languages, "ca") == "en"
    assert reader_language("de;q=1, es;q=0.4, en;q=0.7", languages, "ca") == "en"
    assert reader_language("de, fr", languages, "ca") == "ca"
    assert reader_language("es;q=nonsense, en", languages, "ca") == "en"
