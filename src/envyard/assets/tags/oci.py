"""An async OCI Registry (Distribution v2) client: tags and manifest digests, nothing more.

- Auth: anonymous first; on ``401`` the ``WWW-Authenticate`` challenge decides — ``Basic``
  (credentials from ``[assets.registries."HOST"]``) or ``Bearer`` (a token fetched from the
  challenge's ``realm`` for its ``service`` and ``scope``, with the credentials if any).
  Tokens are cached per registry and repository for the run.
- ``Link`` pagination of ``/tags/list``; manifests asked for with the OCI and Docker manifest
  and index media types, digests read from ``Docker-Content-Digest`` (or hashed).
- Mirrors: ``[assets.mirrors]`` maps a registry host to another (``mcr.microsoft.com`` ->
  ``127.0.0.1:5000``); Docker Hub names get ``library/`` and ``registry-1.docker.io``.
- One cache per client (create one client per run): each repository's tags and each digest
  are fetched once, even when many tags ask concurrently.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode, urljoin

import httpx

from envyard.assets.config import AssetSettings, RegistryConfig
from envyard.assets.tags.http import HttpSession
from envyard.errors import AuthError, ResolveError
from envyard.spec.refs import parse_image_ref

MANIFEST_ACCEPT = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')
_LOOPBACK = ("127.", "localhost", "[::1]")
T = TypeVar("T")


@dataclass(frozen=True)
class Endpoint:
    """Where to ask about an image: ``base`` URL, ``repository`` and the host as written."""

    host: str
    base: str
    repository: str

    @property
    def display(self) -> str:
        return f"{self.host}/{self.repository}"


def base_url(host: str) -> str:
    """``https://HOST``, or ``http://`` for this machine; full URLs are kept."""
    if host.startswith(("http://", "https://")):
        return host.rstrip("/")
    scheme = "http" if host.startswith(_LOOPBACK) else "https"
    return f"{scheme}://{host}"


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="r",service="s"`` -> ``("bearer", {"realm": "r", "service": "s"})``."""
    scheme, _, params = header.strip().partition(" ")
    return scheme.lower(), dict(_CHALLENGE_PARAM.findall(params))


class OciClient:
    def __init__(self, session: HttpSession, settings: AssetSettings) -> None:
        self.session = session
        self.settings = settings
        self._cache: dict[tuple[str, ...], asyncio.Future[Any]] = {}
        self._auth: dict[tuple[str, str], str] = {}

    # --- where ------------------------------------------------------------------------
    def endpoint(self, image: str) -> Endpoint:
        try:
            ref = parse_image_ref(image)
        except ValueError as exc:
            raise ResolveError(f"'{image}' is not an image reference: {exc}") from None
        host = ref.host or "docker.io"
        repository = ref.repository
        if host in ("docker.io", "index.docker.io") and "/" not in repository:
            repository = f"library/{repository}"
        target = self.settings.mirrors.get(host, host)
        config = self.registry_config(host)
        if host not in self.settings.mirrors and config.url:
            target = config.url
        elif target in ("docker.io", "index.docker.io"):
            target = "registry-1.docker.io"
        return Endpoint(host=host, base=base_url(target), repository=repository)

    def registry_config(self, host: str) -> RegistryConfig:
        mirror = self.settings.mirrors.get(host)
        for key in (mirror, host):
            if key and key in self.settings.registries:
                return self.settings.registries[key]
        return RegistryConfig()

    def configured(self, image: str) -> bool:
        """True when the registry of ``image`` is mirrored, configured or on this machine."""
        try:
            host = parse_image_ref(image).host or "docker.io"
        except ValueError:
            return False
        return (
            host in self.settings.mirrors
            or host in self.settings.registries
            or host.startswith(_LOOPBACK)
        )

    # --- cache ------------------------------------------------------------------------
    async def _once(self, key: tuple[str, ...], make: Callable[[], Awaitable[T]]) -> T:
        future = self._cache.get(key)
        if future is None:
            future = asyncio.ensure_future(make())
            self._cache[key] = future
        result: T = await asyncio.shield(future)
        return result

    # --- API --------------------------------------------------------------------------
    async def tags(self, image: str) -> list[str]:
        """Every tag of the image's repository, following ``Link`` pagination."""
        ep = self.endpoint(image)
        return await self._once(("tags", ep.base, ep.repository), lambda: self._tags(ep))

    async def digest(self, image: str, tag: str) -> str:
        """The manifest (or index) digest ``tag`` points to."""
        ep = self.endpoint(image)
        return await self._once(
            ("digest", ep.base, ep.repository, tag), lambda: self._digest(ep, tag)
        )

    async def repositories(self, registry: str) -> list[str]:
        """Every repository of a registry (``/v2/_catalog``), following ``Link`` pagination."""
        ep = self.endpoint(f"{registry}/catalog")
        ep = Endpoint(host=ep.host, base=ep.base, repository="")
        return await self._once(
            ("catalog", ep.base), lambda: self._paginate(ep, "/v2/_catalog", "repositories")
        )

    async def _tags(self, ep: Endpoint) -> list[str]:
        return await self._paginate(ep, f"/v2/{ep.repository}/tags/list", "tags")

    async def _paginate(self, ep: Endpoint, path: str, key: str) -> list[str]:
        """Follow ``Link: <...>; rel="next"`` (distribution 2.8 pages ``_catalog`` but not
        ``tags/list``; newer registries page both)."""
        query = urlencode({"n": self.settings.tag_page_size})
        url: str | None = f"{ep.base}{path}?{query}"
        found: list[str] = []
        pages = 0
        while url is not None and pages < 10_000:
            pages += 1
            response = await self._get(ep, url)
            if response.status_code == 404:
                raise ResolveError(
                    f"repository '{ep.display}' does not exist on {ep.base}",
                    hint="check the image name (and the mirror for its registry)",
                )
            _raise_for(response, ep, "listing " + key)
            found.extend(response.json().get(key) or [])
            match = _LINK_NEXT.search(response.headers.get("Link", ""))
            url = urljoin(ep.base + "/", match.group(1)) if match else None
        return found

    async def _digest(self, ep: Endpoint, tag: str) -> str:
        url = f"{ep.base}/v2/{ep.repository}/manifests/{tag}"
        headers = {"Accept": MANIFEST_ACCEPT}
        response = await self._get(ep, url, method="HEAD", headers=headers)
        if response.status_code == 404:
            raise ResolveError(f"tag '{tag}' of '{ep.display}' does not exist on {ep.base}")
        _raise_for(response, ep, f"reading the manifest of '{tag}'")
        digest = str(response.headers.get("Docker-Content-Digest") or "")
        if digest:
            return digest
        response = await self._get(ep, url, headers=headers)
        _raise_for(response, ep, f"reading the manifest of '{tag}'")
        return "sha256:" + hashlib.sha256(response.content).hexdigest()

    # --- auth -------------------------------------------------------------------------
    async def _get(
        self,
        ep: Endpoint,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        key = (ep.base, ep.repository)
        what = f"image {ep.display}"
        sent = dict(headers or {})
        if key in self._auth:
            sent["Authorization"] = self._auth[key]
        response = await self.session.request(method, url, headers=sent, what=what)
        if response.status_code != 401:
            return response
        challenge = response.headers.get("WWW-Authenticate", "")
        cache_key = ("auth", ep.base, ep.repository, challenge)
        if "Authorization" in sent:  # a cached token expired: fetch a new one
            self._cache.pop(cache_key, None)
        self._auth[key] = await self._once(cache_key, lambda: self._authorize(ep, challenge))
        sent["Authorization"] = self._auth[key]
        response = await self.session.request(method, url, headers=sent, what=what)
        if response.status_code in (401, 403):
            raise AuthError(
                f"registry {ep.base} refused the credentials for {ep.repository}",
                status=response.status_code,
                hint=f'check [assets.registries."{ep.host}"]',
            )
        return response

    async def _authorize(self, ep: Endpoint, challenge: str) -> str:
        config = self.registry_config(ep.host)
        scheme, params = parse_challenge(challenge)
        user, password, token = config.username, config.password(), config.token()
        basic = None
        if user is not None:
            raw = f"{user}:{password or ''}".encode()
            basic = "Basic " + base64.b64encode(raw).decode("ascii")
        if token:
            return f"Bearer {token}"
        if scheme == "basic":
            if basic is None:
                raise AuthError(
                    f"registry {ep.base} needs credentials for {ep.repository}",
                    hint=f'set username and password_env in [assets.registries."{ep.host}"]',
                )
            return basic
        if scheme != "bearer" or "realm" not in params:
            raise AuthError(f"registry {ep.base} sent an unsupported challenge: {challenge!r}")
        query = {"service": params.get("service", "")}
        query["scope"] = params.get("scope") or f"repository:{ep.repository}:pull"
        url = f"{params['realm']}?{urlencode(query)}"
        headers = {"Authorization": basic} if basic else {}
        answer = await self.session.request("GET", url, headers=headers, what="a registry token")
        if answer.status_code in (401, 403):
            raise AuthError(
                f"the token service of {ep.base} refused "
                f"{'the credentials' if basic else 'anonymous access'} for {ep.repository}",
                status=answer.status_code,
                hint=f'set username and password_env in [assets.registries."{ep.host}"]',
            )
        if answer.status_code != 200:
            raise ResolveError(f"token service {params['realm']} answered {answer.status_code}")
        body = answer.json()
        value = str(body.get("token") or body.get("access_token") or "")
        if not value:
            raise ResolveError(f"token service {params['realm']} sent no token")
        return f"Bearer {value}"


def _raise_for(response: httpx.Response, ep: Endpoint, doing: str) -> None:
    if response.status_code in (401, 403):
        raise AuthError(
            f"registry {ep.base} denied {doing} for {ep.repository}",
            status=response.status_code,
            hint=f'configure credentials in [assets.registries."{ep.host}"]',
        )
    if response.status_code >= 400:
        raise ResolveError(
            f"registry {ep.base} answered {response.status_code} when {doing} of {ep.display}"
        )
