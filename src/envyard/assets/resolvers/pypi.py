"""``{{latest-pypi-version}}`` / ``{{latest-pypi-version:pre}}``: the package is the
requirement on the same line (``pkg==``, ``pkg[extra]==``, conda ``pkg=``)."""

from __future__ import annotations

from typing import ClassVar

from envyard.assets.resolvers.base import Resolution, ResolveContext
from envyard.assets.tags.scan import Tag, pypi_requirement


class LatestPypiVersion:
    name: ClassVar[str] = "latest-pypi-version"
    kind: ClassVar[str] = "pypi"

    def subject(self, tag: Tag) -> str:
        if tag.arg not in (None, "pre"):
            raise tag.error(
                f"unknown option '{tag.arg}'", "the only option is :pre (allow pre-releases)"
            )
        return pypi_requirement(tag)[0]

    def skip_reason(self, tag: Tag, ctx: ResolveContext) -> str | None:
        self.subject(tag)
        return None if ctx.has_index else "no package index configured"

    async def resolve(self, tag: Tag, ctx: ResolveContext) -> Resolution:
        package = self.subject(tag)
        version, index = await ctx.index.latest(package, pre=tag.arg == "pre")
        return Resolution(version, package, index)
