"""Push and read tiny images over the Registry v2 HTTP API (what the registry fixtures use).

:class:`RegistryClient` uploads blobs (``POST /v2/<name>/blobs/uploads/`` then
``PUT <location>?digest=``), then manifests under tags or by digest, and reads them back.
:class:`RegistryAuth` answers both challenges a registry can send: ``Basic`` (credentials on the
retry) and ``Bearer`` (a token fetched from the challenge's ``realm`` for its ``service`` and
``scope``, with the credentials if any, then the retry)::

    with RegistryClient("http://127.0.0.1:5000", username="u", password="p") as client:
        pushed = client.push_image("team/app", ["1.0", "latest"], content_seed="v1")
        assert client.resolve("team/app", "latest") == pushed.digest
"""

from __future__ import annotations

import base64
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from types import TracebackType

import httpx

from envyard.testing.images import (
    MANIFEST_ACCEPT,
    OCI_INDEX,
    OCI_MANIFEST,
    Blob,
    ImageContent,
    build_image,
    build_index,
)

__all__ = ["PushedImage", "RegistryAuth", "RegistryClient", "parse_challenge"]

_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="r",service="s"`` -> ``("bearer", {"realm": "r", "service": "s"})``."""
    scheme, _, params = header.strip().partition(" ")
    return scheme.lower(), dict(_CHALLENGE_PARAM.findall(params))


class RegistryAuth(httpx.Auth):
    """httpx auth for registries: Basic or Bearer token, chosen by the server's challenge."""

    requires_response_body = True

    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        self._basic: str | None = None
        if username is not None:
            credentials = f"{username}:{password or ''}".encode()
            self._basic = f"Basic {base64.b64encode(credentials).decode('ascii')}"
        self._header: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._header is not None:
            request.headers["Authorization"] = self._header
        response = yield request
        if response.status_code != 401 or "WWW-Authenticate" not in response.headers:
            return
        scheme, params = parse_challenge(response.headers["WWW-Authenticate"])
        if scheme == "basic" and self._basic is not None:
            self._header = self._basic
        elif scheme == "bearer" and "realm" in params:
            query = {k: v for k, v in params.items() if k in ("service", "scope")}
            token_request = httpx.Request("GET", params["realm"], params=query)
            if self._basic is not None:
                token_request.headers["Authorization"] = self._basic
            token_response = yield token_request
            if token_response.status_code != 200:
                return
            body = token_response.json()
            self._header = f"Bearer {body.get('token') or body['access_token']}"
        else:
            return
        request.headers["Authorization"] = self._header
        yield request


@dataclass(frozen=True)
class PushedImage:
    """What was pushed: repository, tags, manifest digest and media type, and any children."""

    registry: str
    repository: str
    tags: tuple[str, ...]
    digest: str
    media_type: str
    size: int
    children: tuple[PushedImage, ...] = ()

    @property
    def reference(self) -> str:
        """``HOST:PORT/repository@sha256:...``, pinned by digest."""
        return f"{self.registry}/{self.repository}@{self.digest}"

    def tagged(self, tag: str | None = None) -> str:
        """``HOST:PORT/repository:TAG`` (the first pushed tag by default)."""
        return f"{self.registry}/{self.repository}:{tag or self.tags[0]}"


class RegistryClient:
    """A Registry v2 API client over :class:`httpx.Client` (closed by :meth:`close`)."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = httpx.URL(self.base_url).netloc.decode("ascii")
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=RegistryAuth(username, password),
            timeout=timeout,
            trust_env=False,
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------
    def upload_blob(self, repository: str, blob: Blob) -> str:
        """Upload *blob* unless the repository has it; return its digest."""
        url = f"/v2/{repository}/blobs/{blob.digest}"
        if self._http.head(url).status_code == 200:
            return blob.digest
        started = self._http.post(f"/v2/{repository}/blobs/uploads/")
        started.raise_for_status()
        location = self._http.base_url.join(started.headers["Location"])
        done = self._http.put(
            location.copy_merge_params({"digest": blob.digest}),
            content=blob.data,
            headers={"Content-Type": "application/octet-stream"},
        )
        done.raise_for_status()
        return blob.digest

    def put_manifest(self, repository: str, reference: str, manifest: Blob) -> str:
        """PUT *manifest* under *reference* (a tag or its digest); return the digest."""
        response = self._http.put(
            f"/v2/{repository}/manifests/{reference}",
            content=manifest.data,
            headers={"Content-Type": manifest.media_type},
        )
        response.raise_for_status()
        digest = str(response.headers.get("Docker-Content-Digest", manifest.digest))
        if digest != manifest.digest:
            msg = f"registry stored {repository}:{reference} as {digest}, not {manifest.digest}"
            raise RuntimeError(msg)
        return digest

    def push(
        self, repository: str, tags: str | Sequence[str], content: ImageContent
    ) -> PushedImage:
        """Push *content* (children, blobs, then the manifest under every tag or by digest)."""
        tag_list = (tags,) if isinstance(tags, str) else tuple(tags)
        children = tuple(self.push(repository, (), child) for child in content.children)
        for blob in content.blobs:
            self.upload_blob(repository, blob)
        for reference in tag_list or (content.manifest.digest,):
            self.put_manifest(repository, reference, content.manifest)
        return PushedImage(
            registry=self.host,
            repository=repository,
            tags=tag_list,
            digest=content.manifest.digest,
            media_type=content.manifest.media_type,
            size=len(content.manifest.data),
            children=children,
        )

    def push_image(
        self,
        repository: str,
        tags: str | Sequence[str] = "latest",
        *,
        media_type: str = OCI_MANIFEST,
        content_seed: str = "envyard",
        architecture: str = "amd64",
    ) -> PushedImage:
        """Push a one-layer image; the same seed, media type and architecture give one digest."""
        image = build_image(content_seed, media_type=media_type, architecture=architecture)
        return self.push(repository, tags, image)

    def push_index(
        self,
        repository: str,
        tags: str | Sequence[str] = "latest",
        *,
        media_type: str = OCI_INDEX,
        content_seed: str = "envyard",
        platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64"),
    ) -> PushedImage:
        """Push a multi-platform index (OCI index or Docker manifest list) and its images."""
        index = build_index(content_seed, media_type=media_type, platforms=platforms)
        return self.push(repository, tags, index)

    def tag(self, repository: str, reference: str, tags: Sequence[str]) -> str:
        """Point every tag in *tags* at the manifest *reference* already names; return digest."""
        media_type, digest, data = self.get_manifest(repository, reference)
        for tag in tags:
            self.put_manifest(repository, tag, Blob(media_type, data))
        return digest

    def delete_manifest(self, repository: str, digest: str) -> None:
        """Delete the manifest *digest* (the registry must allow deletes)."""
        self._http.delete(f"/v2/{repository}/manifests/{digest}").raise_for_status()

    # -- reading ---------------------------------------------------------------------------
    def get_manifest(self, repository: str, reference: str) -> tuple[str, str, bytes]:
        """Return ``(media type, digest, raw bytes)`` of a manifest, asking for every kind."""
        response = self._http.get(
            f"/v2/{repository}/manifests/{reference}", headers={"Accept": MANIFEST_ACCEPT}
        )
        response.raise_for_status()
        return (
            response.headers["Content-Type"],
            response.headers["Docker-Content-Digest"],
            response.content,
        )

    def resolve(self, repository: str, reference: str) -> str:
        """Return the digest a tag points to (``HEAD`` with the manifest ``Accept`` header)."""
        response = self._http.head(
            f"/v2/{repository}/manifests/{reference}", headers={"Accept": MANIFEST_ACCEPT}
        )
        response.raise_for_status()
        return str(response.headers["Docker-Content-Digest"])

    def _paginate(self, path: str, key: str, page_size: int | None) -> list[str]:
        items: list[str] = []
        response = self._http.get(path, params={"n": str(page_size)} if page_size else None)
        while True:
            response.raise_for_status()
            items.extend(response.json().get(key) or [])
            next_url = response.links.get("next", {}).get("url")
            if next_url is None:
                return items
            response = self._http.get(next_url)

    def list_tags(self, repository: str, page_size: int | None = None) -> list[str]:
        """Every tag of *repository*, asking for *page_size* per page and following ``Link``.

        distribution 2.8 (Debian's ``docker-registry``) ignores ``n`` here and returns every
        tag at once; newer registries page.
        """
        return self._paginate(f"/v2/{repository}/tags/list", "tags", page_size)

    def catalog(self, page_size: int | None = None) -> list[str]:
        """Every repository name, asking for *page_size* per page and following ``Link``."""
        return self._paginate("/v2/_catalog", "repositories", page_size)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """Send an authenticated request to *path* (relative to the registry root)."""
        return self._http.request(method, path, params=params, headers=headers, content=content)
