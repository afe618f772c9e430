"""``cmd`` (the default): a prerequisite's callbacks are shell commands, run as written."""

from __future__ import annotations

from collections.abc import Sequence

from envyard.prerequisites.interface import Fragment, RenderContext
from envyard.prerequisites.plugins.base import callback_fragments
from envyard.spec.job import Prerequisite


class CmdPlugin:
    name = "cmd"

    def fragments(self, prerequisite: Prerequisite, context: RenderContext) -> Sequence[Fragment]:
        return callback_fragments(prerequisite, context)
