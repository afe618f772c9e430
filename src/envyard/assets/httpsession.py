"""One async HTTP session per run: bounded concurrency, retries with backoff, request count.

Concurrency is bounded overall (``concurrency``) and per host (``per_host``, 6 like browsers):
small servers such as pypiserver answer one request at a time with a short listen backlog,
and flooding them only adds TCP retransmission delays.

Retried: transport errors (connection refused, timeouts) and HTTP 429 / 5xx, with exponential
backoff and jitter, honouring ``Retry-After``. ``requests`` counts every request sent, so a
run can prove it made none (``envyard asset release`` prints it).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from envyard.errors import ResolveError

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
        self._client = httpx.AsyncClient(
            timeout=timeout, follow_redirects=True, transport=transport
        )
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
        await self._client.aclose()

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
        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            response: httpx.Response | None = None
            host = httpx.URL(url).netloc.decode("ascii", "replace")
            host_limit = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host))
            try:
                async with self._limit, host_limit:
                    self.requests += 1
                    response = await self._client.request(
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
