"""Runs rasa-sdk actions: in process through ActionExecutor, or over HTTP to an action server."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from bot.shared.backoff import Backoff

if TYPE_CHECKING:
    import aiohttp
    from rasa_sdk.executor import ActionExecutor

# rasa-sdk (with sanic) and aiohttp are imported when first needed: together they were about half of
# `aliat chat`'s start-up, and a greeting needs neither.
log = logging.getLogger(__name__)
UNREACHABLE_BACKOFF = Backoff(0.2, 0.6)  # an action server not listening (yet): tried after 0.2, 0.4, 0.6 s


class ActionError(Exception):
    """An action could not be run; the turn goes on with a polite message."""


class ActionRunner:
    """Same JSON in both modes: {next_action, sender_id, tracker, domain, version}."""

    def __init__(self, *, endpoint: str = "", timeout: float = 10, package: str = "actions") -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._executor: ActionExecutor | None = None
        self._package = package
        self._session: aiohttp.ClientSession | None = None
        self._names: set[str] | None = None
        # rasa-sdk warns for every slot without a validate_<slot> method; that is expected here.
        logging.getLogger("rasa_sdk.forms").setLevel(logging.ERROR)

    def _local(self) -> ActionExecutor:
        if self._executor is None:
            from rasa_sdk.executor import ActionExecutor

            executor = ActionExecutor()
            executor.register_package(self._package)
            self._executor = executor
        return self._executor

    def preload(self) -> None:
        """Load the actions now (a long-running bot), not during somebody's first turn, and, when they run
        in this process, the motivation model they read free text with."""
        self.known("")
        if not self.endpoint and self._package == "actions":
            from actions.motivation_model import model

            model()

    def known(self, name: str) -> bool:
        """Whether an action of that name exists (always asked of the local package)."""
        if self._names is None:
            self._names = {a.name for a in self._local().list_actions()}
        return name in self._names

    async def run(self, name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
        call = {"next_action": name, "sender_id": tracker["sender_id"], "tracker": tracker,
                "domain": domain, "version": "3.1.0"}
        if self.endpoint:
            return await self._remote(call)
        result = await self._local().run(call)
        if result is None:
            raise ActionError(name)
        return result.model_dump() if hasattr(result, "model_dump") else dict(result)

    async def _remote(self, call: dict[str, Any]) -> dict[str, Any]:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        # Retried only when the call never reached the server: an action that ran (and failed, or
        # timed out) may have written something, and is not run twice.
        for attempt in range(3):
            try:
                async with self._session.post(self.endpoint, json=call) as resp:
                    if resp.status == 200:
                        answer: dict[str, Any] = await resp.json()
                        return answer
                    log.warning("action server answered %s for %s", resp.status, call["next_action"])
                    raise ActionError(f"{call['next_action']}: action server answered {resp.status}")
            except aiohttp.ClientConnectorError as exc:
                log.warning("action server unreachable (%s), attempt %s", type(exc).__name__, attempt + 1)
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise ActionError(f"{call['next_action']}: {type(exc).__name__}") from exc
            await asyncio.sleep(UNREACHABLE_BACKOFF.delay(attempt + 1))
        raise ActionError(f"{call['next_action']}: action server unreachable")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
