"""``docker`` (default for ``dockerimage``): the image a task role's container runs.

The image itself is used by the container and Kubernetes backends (:meth:`image`); in the
bootstrap it only exports ``ENVYARD_IMAGE`` so commands can tell where they run, plus any
callbacks, run like ``cmd``'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from envyard.errors import PluginError
from envyard.prerequisites.interface import Fragment, RenderContext
from envyard.prerequisites.plugins.base import callback_fragments, uris
from envyard.spec.job import Prerequisite
from envyard.spec.refs import parse_image_ref


class DockerPlugin:
    name = "docker"

    def image(self, prerequisite: Prerequisite) -> str | None:
        found = uris(prerequisite)
        if len(found) > 1:
            raise PluginError(
                f"prerequisite '{prerequisite.name}' uri: a docker image has one uri, "
                f"got {len(found)}"
            )
        if not found:
            return None
        try:
            parse_image_ref(found[0])
        except ValueError as exc:
            raise PluginError(f"prerequisite '{prerequisite.name}' uri: {exc}") from None
        return found[0]

    def fragments(self, prerequisite: Prerequisite, context: RenderContext) -> Sequence[Fragment]:
        image = self.image(prerequisite)
        out: list[Fragment] = []
        if image:
            line = f"export ENVYARD_IMAGE={context.quote(image)}"
            out.append(Fragment("containerStart", (line,), prerequisite.failurePolicy, "image"))
        return [*out, *callback_fragments(prerequisite, context)]
