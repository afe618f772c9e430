"""One async HTTP session per run: bounded concurrency, retries with backoff, request count.

Concurrency is bounded overall (``concurrency``) and per host (``per_host``, 6 like browsers):
small servers such as pypiserver answer one request at a time with a short listen backlog,
and flooding them only adds TCP retransmission delays.

Retried: transport errors (connection refused, timeouts) and HTTP 429 / 5xx, with exponential
backoff and jitter, honouring ``Retry-After``. ``requests`` counts every request sent, so a
run can prove it made none (``envyard asset release`` prints it).

The httpx client (and with it httpx's import and its TLS context, ~0.1-0.2 s together) is made
on the first request: a release whose tags are all pinned in the lock file never pays for it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from envyard.errors import ResolveError

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class HttpSession:
    def __init__(
        self,
        *,
        concurrency: int = 16,
        per_host: int = 6,
        retries: int = 4,
        timeout: float = 30.0,
        backoff: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._limit = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.retries = retries
        self.backoff = backoff
        self.requests = 0

    async def __aenter__(self) -> HttpSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=self._timeout, follow_redirects=True, transport=self._transport
            )
        return self._client

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            after = response.headers.get("Retry-After", "")
            if after.isdigit():
                return min(float(after), 30.0)
        return float(self.backoff * (2**attempt) * (0.5 + random.random()))  # noqa: S311

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: Any = None,
        what: str = "",
    ) -> httpx.Response:
        """Send with retries; raises ResolveError naming ``what`` when the server is unreachable."""
        import httpx

        client = self._http()
        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            response: httpx.Response | None = None
            host = httpx.URL(url).netloc.decode("ascii", "replace")
            host_limit = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host))
            try:
                async with self._limit, host_limit:
                    self.requests += 1
                    response = await client.request(
                        method, url, headers=dict(headers or {}), auth=auth
                    )
            except httpx.TransportError as exc:
                last_error = exc
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                last_error = None
            if attempt < self.retries:
                await asyncio.sleep(self._delay(attempt, response))
            elif response is not None:
                return response
        reason = f"{type(last_error).__name__}: {last_error}" if last_error else "no answer"
        host = httpx.URL(url).host
        raise ResolveError(
            f"cannot reach {host}{' for ' + what if what else ''} ({reason}; "
            f"{self.retries + 1} attempts)",
            hint="check the URL, the network, or configure a mirror ([assets.mirrors])",
        )
