"""The resolver interface and the per-run context resolvers share (one HTTP session, caches)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from envyard.assets.config import AssetSettings
from envyard.assets.httpsession import HttpSession
from envyard.assets.oci import OciClient
from envyard.assets.pypi_index import IndexClient
from envyard.assets.templates import Tag

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
        self.oci = OciClient(session, settings)
        self._index: IndexClient | None = None

    @property
    def index_urls(self) -> list[str]:
        if self.settings.index_urls:
            return list(self.settings.index_urls)
        return [PUBLIC_INDEX] if self.online else []

    @property
    def index(self) -> IndexClient:
        if self._index is None:
            self._index = IndexClient(self.session, self.index_urls)
        return self._index


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
