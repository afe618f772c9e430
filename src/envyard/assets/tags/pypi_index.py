"""A package index client: PEP 691 JSON when the index offers it, else PEP 503 HTML.

Versions come from file names (wheels and sdists); a version whose files are all yanked
(PEP 592: ``yanked`` in JSON, ``data-yanked`` in HTML) is left out. Pre-releases count only
when asked for. With several index URLs the first that knows the package answers (no
merging across indexes: that is how dependency confusion happens). One cache per client.

``find_links`` (pip's ``--find-links``): flat HTML pages (such as pypiserver's
``/packages/``) or local folders of distribution files, read once per run and searched in
addition to the indexes; with ``no_index`` they are the only source, so a whole pin needs
one request per page instead of one per package.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from envyard.assets.tags.http import HttpSession
from envyard.errors import NotFoundError, ResolveError

ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.1"
)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: list[tuple[str, bool]] = []
        self._yanked: bool | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._yanked = any(k == "data-yanked" for k, _ in attrs)
            href = dict(attrs).get("href") or ""
            self._text = [href.split("#")[0].rsplit("/", 1)[-1]]

    def handle_data(self, data: str) -> None:
        if self._yanked is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._yanked is not None:
            text = "".join(self._text[1:]).strip() or self._text[0]
            self.files.append((text, self._yanked))
            self._yanked = None


def version_of(filename: str, project: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        if filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
            return version if canonicalize_name(name) == project else None
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return None


def project_of(filename: str) -> str | None:
    """The canonical project name in a wheel or sdist file name, or None."""
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[0])
        if filename.endswith((".tar.gz", ".zip")):
            return str(canonicalize_name(parse_sdist_filename(filename)[0]))
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return None


def releases(files: list[tuple[str, bool]], project: str) -> list[Version]:
    """Versions with at least one file that is not yanked."""
    yanked: dict[Version, list[bool]] = defaultdict(list)
    for filename, is_yanked in files:
        version = version_of(filename, project)
        if version is not None:
            yanked[version].append(is_yanked)
    return sorted(v for v, flags in yanked.items() if not all(flags))


class IndexClient:
    def __init__(
        self,
        session: HttpSession,
        index_urls: list[str],
        *,
        find_links: list[str] | None = None,
        no_index: bool = False,
    ) -> None:
        self.find_links = list(find_links or [])
        self.index_urls = [] if no_index else [u.rstrip("/") + "/" for u in index_urls]
        if not self.index_urls and not self.find_links:
            raise ResolveError("no package index configured")
        self.session = session
        self._cache: dict[str, asyncio.Future[tuple[str, list[Version]]]] = {}
        self._flat: asyncio.Future[dict[str, list[tuple[str, bool]]]] | None = None

    async def _flat_files(self) -> dict[str, list[tuple[str, bool]]]:
        """Files of every find-links page or folder, by project (fetched once)."""
        if self._flat is None:
            self._flat = asyncio.ensure_future(self._read_flat())
        return await asyncio.shield(self._flat)

    async def _read_flat(self) -> dict[str, list[tuple[str, bool]]]:
        by_project: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for location in self.find_links:
            files: list[tuple[str, bool]]
            if location.startswith(("http://", "https://")):
                response = await self.session.request("GET", location, what="find-links page")
                if response.status_code >= 400:
                    raise ResolveError(
                        f"find-links page {location} answered {response.status_code}"
                    )
                parser = _Anchors()
                parser.feed(response.text)
                files = parser.files
            else:
                folder = Path(location.removeprefix("file://"))
                if not folder.is_dir():
                    raise ResolveError(f"find-links folder {folder} does not exist")
                files = [(p.name, False) for p in sorted(folder.iterdir()) if p.is_file()]
            for filename, yanked in files:
                project = project_of(filename)
                if project:
                    by_project[project].append((filename, yanked))
        return by_project

    async def versions(self, package: str) -> tuple[str, list[Version]]:
        """(index URL that answered, non-yanked versions sorted ascending)."""
        project = canonicalize_name(package)
        future = self._cache.get(project)
        if future is None:
            future = asyncio.ensure_future(self._versions(project))
            self._cache[project] = future
        return await asyncio.shield(future)

    async def _versions(self, project: str) -> tuple[str, list[Version]]:
        flat = (await self._flat_files()).get(project, []) if self.find_links else []
        if flat and not self.index_urls:
            return ", ".join(self.find_links), releases(flat, project)
        for index in self.index_urls:
            url = f"{index}{project}/"
            response = await self.session.request(
                "GET", url, headers={"Accept": ACCEPT}, what=f"package {project}"
            )
            if response.status_code == 404:
                continue
            if response.status_code >= 400:
                raise ResolveError(f"index {index} answered {response.status_code} for {project}")
            kind = response.headers.get("Content-Type", "")
            if "json" in kind:
                files = _json_files(response.json())
            else:
                parser = _Anchors()
                parser.feed(response.text)
                files = parser.files
            return index, releases(files + flat, project)
        if flat:
            return ", ".join(self.find_links), releases(flat, project)
        raise NotFoundError(
            f"package '{project}' does not exist on {', '.join(self.index_urls + self.find_links)}",
            hint="check the package name, or the index URL ([assets] index_urls / --index-url)",
        )

    async def latest(self, package: str, *, pre: bool = False) -> tuple[str, str]:
        """(version, index URL) of the newest release; pre-releases only when ``pre``."""
        index, found = await self.versions(package)
        candidates = [v for v in found if pre or not v.is_prerelease]
        if not candidates:
            only_pre = bool(found) and not pre
            raise NotFoundError(
                f"package '{package}' has no {'final ' if only_pre else ''}release on {index}",
                hint="use {{latest-pypi-version:pre}} to allow pre-releases"
                if only_pre
                else "every release is yanked or the project has no files",
            )
        return str(candidates[-1]), index


def _json_files(body: Any) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for item in body.get("files", []) if isinstance(body, dict) else []:
        yanked = item.get("yanked", False)
        out.append((str(item.get("filename", "")), bool(yanked)))
    return out
