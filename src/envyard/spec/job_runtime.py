"""What OpenPAI's runtime gives a job that Envyard does not: each use is a warning at its line.

- runtime plugins in ``extras.com.microsoft.pai.runtimeplugin`` other than ``cmd`` (``ssh``,
  ``teamwise_storage``, ``tensorboard``): the job runs without them;
- a ``dockerimage`` prerequisite's ``auth``: images are pulled with the engine's own login;
- ``PAI_*`` variables that OpenPAI's runtime sets and Envyard does not (``PAI_WORK_DIR``,
  ``PAI_TASK_ROLE_<role>_HOST_LIST``, ``PAI_PORT_LIST_...``): they are empty here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from envyard.spec.findings import Finding
from envyard.spec.job import JobSpec

RUNTIME_PLUGINS = "com.microsoft.pai.runtimeplugin"
PAI_VARIABLES = frozenset(
    {
        "PAI_JOB_NAME",
        "PAI_CURRENT_TASK_ROLE_NAME",
        "PAI_CURRENT_TASK_ROLE_CURRENT_TASK_INDEX",
        "PAI_TASK_ROLE_INSTANCE_COUNT",
    }
)
"""The ``PAI_*`` variables every bootstrap sets (prerequisites/script.py)."""
_PAI_REFERENCE = re.compile(r"\$\{?(PAI_[A-Za-z0-9_]+)")


def runtime_gaps(job: JobSpec) -> Iterator[Finding]:
    yield from _runtime_plugins(job)
    yield from _registry_auth(job)
    yield from _pai_variables(job)


def _runtime_plugins(job: JobSpec) -> Iterator[Finding]:
    entries = job.extras.get(RUNTIME_PLUGINS)
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        plugin = entry.get("plugin") if isinstance(entry, dict) else None
        if plugin != "cmd":
            where = ("extras", RUNTIME_PLUGINS, i)
            yield Finding(
                (*where, "plugin") if plugin else where,
                f"OpenPAI's runtime plugin '{plugin or '(no name)'}' is not provided by Envyard: "
                "the job runs without it",
                "Envyard runs the cmd runtime plugin (preCommands, postCommands); mount storage "
                "and open ssh through the backend or the image instead",
                severity="warning",
            )


def _registry_auth(job: JobSpec) -> Iterator[Finding]:
    for i, pre in enumerate(job.prerequisites):
        if pre.type == "dockerimage" and "auth" in pre.parameters:
            yield Finding(
                ("prerequisites", i, "auth"),
                f"prerequisite '{pre.name}': auth is not used; the image is pulled with the "
                "container engine's own login",
                "log in once where the job runs (podman login / docker login REGISTRY); on "
                "Kubernetes give the namespace an imagePullSecret",
                severity="warning",
            )


def _pai_variables(job: JobSpec) -> Iterator[Finding]:
    for text, path in _texts(job):
        for name in dict.fromkeys(_PAI_REFERENCE.findall(text)):
            if name not in PAI_VARIABLES:
                yield Finding(
                    path,
                    f"${name} is set by OpenPAI's runtime, not by Envyard: it is empty here",
                    "Envyard sets " + ", ".join(sorted(PAI_VARIABLES)) + " and ENVYARD_* "
                    "(ENVYARD_RUN_DIR, ENVYARD_TASK_ROLE, ENVYARD_TASK_INDEX...)",
                    severity="warning",
                )


def _texts(job: JobSpec) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    for name, role in job.taskRoles.items():
        for i, command in enumerate(role.commands):
            yield command, ("taskRoles", name, "commands", i)
    for p, pre in enumerate(job.prerequisites):
        for c, callback in enumerate(pre.callbacks):
            for i, command in enumerate(callback.commands):
                yield command, ("prerequisites", p, "callbacks", c, "commands", i)
