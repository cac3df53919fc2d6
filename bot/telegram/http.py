"""python-telegram-bot's requests to the Bot API made with aiohttp instead of httpx.

PTB lets a bot bring its own HTTP client (a `BaseRequest`). Profiling the bot at full load
(`make bench`, ceiling) showed httpx and httpcore taking more than half of the process's CPU: the
connection pool checks every pooled connection on each request. aiohttp's client does the same job in
a fraction of that, and aiohttp is already here for the webhook server. The bodies are the ones PTB's
own client sends (urlencoded fields, multipart with files), the errors the ones PTB expects (TimedOut,
NetworkError), so the rest of PTB (retries, RetryAfter, Forbidden...) works unchanged.
`telegram.http_client: httpx` in config.yml goes back to PTB's default client.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from urllib.request import getproxies

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DefaultValue = type(BaseRequest.DEFAULT_NONE)  # "not given by the caller": use this request's own timeout


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `connection_pool_size` connections to the Bot API."""

    __slots__ = ("_connect", "_media_write", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(self, connection_pool_size: int = 1, *, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._read, self._write, self._connect = read_timeout, write_timeout, connect_timeout
        self._pool, self._media_write = pool_timeout, media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                # certifi's CA bundle, as httpx uses: a minimal system may have none of its own.
                connector=aiohttp.TCPConnector(limit=self._pool_size,
                                               ssl=ssl.create_default_context(cafile=certifi.where())),
                headers={"User-Agent": self.USER_AGENT}, skip_auto_headers=("Accept-Encoding",),
                # HTTPS_PROXY / NO_PROXY from the environment, as httpx does; aiohttp would read the
                # environment again on every request, so only when a proxy is set at all.
                trust_env=bool(getproxies()))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
                         write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
                         connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
                         pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        write = (self._media_write if files else self._write) if isinstance(write_timeout, DefaultValue) \
            else write_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no write timeout of its own: `total` bounds the whole request instead.
        total = None if read is None or write is None else read + write + (connect or 0) + (pool or 0)
        timeout = aiohttp.ClientTimeout(total=total, connect=None if connect is None or pool is None
                                        else connect + pool, sock_connect=connect, sock_read=read)
        kwargs: dict[str, Any] = {}
        if request_data is not None:
            if files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mimetype) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                kwargs["data"] = form
            else:
                kwargs["data"] = urlencode(request_data.json_parameters)
                kwargs["headers"] = _FORM
        try:
            async with session.request(method, url, timeout=timeout, **kwargs) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
