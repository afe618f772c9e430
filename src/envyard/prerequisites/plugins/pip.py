"""``pip``: install packages into the task role's kernel, right after it is activated.

Parameters: ``packages`` (a list of requirements; ``uri`` works too), ``index_url`` and
``extra_index_url``. On Ray the requirements join the job's runtime_env instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from envyard.errors import PluginError
from envyard.prerequisites.interface import Fragment, RenderContext
from envyard.prerequisites.plugins.base import callback_fragments, param, uris
from envyard.spec.job import Prerequisite


class PipPlugin:
    name = "pip"

    def pip_requirements(self, prerequisite: Prerequisite) -> list[str]:
        packages = param(prerequisite, "packages", list, None)
        found = [str(p) for p in packages] if packages is not None else uris(prerequisite)
        if not found:
            raise PluginError(
                f"prerequisite '{prerequisite.name}' packages: the pip plugin needs packages",
                hint="e.g. packages: [requests==2.32.3]",
            )
        for requirement in found:
            if requirement.startswith("-"):
                raise PluginError(
                    f"prerequisite '{prerequisite.name}' packages: '{requirement}' is an option, "
                    "not a requirement",
                    hint="use the index_url / extra_index_url parameters",
                )
        return found

    def fragments(self, prerequisite: Prerequisite, context: RenderContext) -> Sequence[Fragment]:
        words = [context.quote(r) for r in self.pip_requirements(prerequisite)]
        options = []
        for key, flag in (("index_url", "--index-url"), ("extra_index_url", "--extra-index-url")):
            value = param(prerequisite, key, str)
            if value:
                options += [flag, context.quote(value)]
        line = " ".join(["envyard_pip_install", *options, "--", *words])
        install = Fragment("kernelReady", (line,), prerequisite.failurePolicy, "pip install")
        return [install, *callback_fragments(prerequisite, context)]
