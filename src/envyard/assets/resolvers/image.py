"""``{{latest-image-tag}}`` and ``{{latest-image-tag:REGEX}}`` against OCI registries.

- no argument: the newest tag (natural order) whose digest equals ``latest``'s; when none
  does, the digest itself (``image@sha256:...``);
- ``REGEX``: the newest tag that *fully* matches; numbers in tags compare as numbers.
With ``pin_digest`` the value is ``tag@sha256:...``.
"""

from __future__ import annotations

import re
from typing import ClassVar

from envyard.assets.resolvers.base import Resolution, ResolveContext
from envyard.assets.tags.ordering import sort_tags
from envyard.assets.tags.scan import Tag, image_reference
from envyard.errors import NotFoundError
from envyard.regexes import compile_user_regex

LATEST = "latest"


class LatestImageTag:
    name: ClassVar[str] = "latest-image-tag"
    kind: ClassVar[str] = "image"

    def subject(self, tag: Tag) -> str:
        return image_reference(tag)

    def pattern(self, tag: Tag) -> re.Pattern[str] | None:
        if tag.arg is None:
            return None
        try:
            return compile_user_regex(tag.arg)
        except re.error as exc:
            raise tag.error(f"'{tag.arg}' is not a valid regular expression: {exc}") from None

    def skip_reason(self, tag: Tag, ctx: ResolveContext) -> str | None:
        image = self.subject(tag)
        if ctx.online or ctx.oci.configured(image):
            return None
        host = ctx.oci.endpoint(image).host
        return f"no registry configured for {host}"

    async def resolve(self, tag: Tag, ctx: ResolveContext) -> Resolution:
        image = self.subject(tag)
        pattern = self.pattern(tag)
        oci = ctx.oci
        where = oci.endpoint(image)
        tags = await oci.tags(image)
        if pattern is not None:
            matching = [t for t in tags if pattern.fullmatch(t)]
            if not matching:
                raise NotFoundError(
                    f"no tag of {where.display} fully matches '{tag.arg}' "
                    f"({len(tags)} tags on {where.base})",
                    hint="the regex must match the whole tag",
                )
            chosen = sort_tags(matching)[-1]
            digest = await oci.digest(image, chosen)
            return self._pinned(chosen, digest, image, where.base, ctx)
        if LATEST not in tags:
            raise NotFoundError(
                f"{where.display} has no '{LATEST}' tag on {where.base}",
                hint="use {{latest-image-tag:REGEX}} to pick a tag by pattern",
            )
        latest = await oci.digest(image, LATEST)
        candidates = sort_tags((t for t in tags if t != LATEST), reverse=True)
        step = max(1, ctx.settings.concurrency)
        for start in range(0, len(candidates), step):
            batch = candidates[start : start + step]
            import asyncio  # not at import: validation loads resolvers, never runs them

            digests = await asyncio.gather(*(oci.digest(image, t) for t in batch))
            for candidate, digest in zip(batch, digests, strict=True):
                if digest == latest:
                    return self._pinned(candidate, digest, image, where.base, ctx)
        return Resolution(latest, image, where.base, digest=latest, at_digest=True)

    @staticmethod
    def _pinned(
        chosen: str, digest: str, image: str, source: str, ctx: ResolveContext
    ) -> Resolution:
        value = f"{chosen}@{digest}" if ctx.settings.pin_digest else chosen
        return Resolution(value, image, source, digest=digest)
