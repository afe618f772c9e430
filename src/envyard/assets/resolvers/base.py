"""The resolver interface and the per-run context resolvers share (one HTTP session, caches)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from envyard.assets.config import AssetSettings
from envyard.assets.tags.scan import Tag

if TYPE_CHECKING:
    from envyard.assets.tags.http import HttpSession
    from envyard.assets.tags.oci import OciClient
    from envyard.assets.tags.pypi_index import IndexClient

PUBLIC_INDEX = "https://pypi.org/simple/"


@dataclass(frozen=True)
class Resolution:
    """What a tag becomes. ``at_digest``: the ``:`` before the tag becomes ``@`` (a digest)."""

    value: str
    subject: str
    source: str
    digest: str | None = None
    at_digest: bool = False


class ResolveContext:
    """Everything resolvers share during one run; create one per run (one cache per run)."""

    def __init__(
        self, settings: AssetSettings, session: HttpSession, *, online: bool = False
    ) -> None:
        self.settings = settings
        self.session = session
        self.online = online
        self._oci: OciClient | None = None
        self._index: IndexClient | None = None

    @property
    def oci(self) -> OciClient:
        if self._oci is None:
            from envyard.assets.tags.oci import OciClient

            self._oci = OciClient(self.session, self.settings)
        return self._oci

    @property
    def index_urls(self) -> list[str]:
        if self.settings.no_index:
            return []
        if self.settings.index_urls:
            return list(self.settings.index_urls)
        return [PUBLIC_INDEX] if self.online and not self.settings.find_links else []

    @property
    def has_index(self) -> bool:
        """True when {{latest-pypi-version}} has somewhere to look."""
        return bool(self.index_urls or self.settings.find_links)

    @property
    def index(self) -> IndexClient:
        if self._index is None:
            from envyard.assets.tags.pypi_index import IndexClient

            self._index = IndexClient(
                self.session,
                self.index_urls,
                find_links=self.settings.find_links,
                no_index=self.settings.no_index,
            )
        return self._index


def load_resolvers() -> dict[str, Resolver]:
    """Every installed resolver by tag name (entry points read once per process)."""
    return dict(_load())


@functools.cache
def _load() -> tuple[tuple[str, Resolver], ...]:
    from envyard import plugins

    return tuple((n, plugins.load("resolver", n)()) for n in plugins.available("resolver"))


class Resolver(Protocol):
    """A build-file tag: ``{{<name>}}`` / ``{{<name>:<arg>}}``."""

    name: ClassVar[str]
    kind: ClassVar[str]
    """What the tag needs: ``image`` (a registry) or ``pypi`` (a package index)."""

    def subject(self, tag: Tag) -> str:
        """What is looked up (an image, a package); SpecError at the tag if unclear."""

    def skip_reason(self, tag: Tag, ctx: ResolveContext) -> str | None:
        """Why this tag cannot be resolved in this run (nothing configured), or None."""

    async def resolve(self, tag: Tag, ctx: ResolveContext) -> Resolution:
        """Look the value up; raise an EnvyardError (never return a made-up value)."""
