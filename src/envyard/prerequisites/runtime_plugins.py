"""OpenPAI's ``extras.com.microsoft.pai.runtimeplugin``: runtime plugins listed beside the
prerequisites.

OpenPAI's runtime (openpai-runtime ``initializer.py``) runs, for each task role, the runtime
plugins of its prerequisites and then those of this list whose ``taskroles`` name it (all roles
when absent). Its ``cmd`` plugin runs ``parameters.preCommands`` before the role's commands and
``parameters.postCommands`` after they succeed (or, instead, ``parameters.callbacks`` on
``taskStarts``/``taskSucceeds``), under the entry's ``failurePolicy``. Here such an entry becomes
a ``cmd`` prerequisite of the role, started after the role's own prerequisites, so it runs
exactly like one. The other runtime plugins (``ssh``, ``teamwise_storage``, ``tensorboard``...)
are not provided: ``envyard validate`` warns about each (:mod:`envyard.spec.jobchecks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from envyard.spec.job import JobSpec, Prerequisite

KEY = "com.microsoft.pai.runtimeplugin"
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class RuntimePrerequisite:
    """A ``cmd`` entry as a prerequisite; ``where`` is the entry's place in the file and
    ``callbacks`` the place of each callback's commands (for messages)."""

    prerequisite: Prerequisite
    where: Path_
    callbacks: tuple[Path_, ...]

    def path_of(self, sub: Path_) -> Path_:
        """The place in the file of a field of the prerequisite (``callbacks``, k, ...)."""
        if len(sub) >= 3 and sub[0] == "callbacks" and sub[2] == "commands":
            k = sub[1]
            if isinstance(k, int) and 0 <= k < len(self.callbacks):
                return (*self.callbacks[k], *sub[3:])
        return self.where


class RuntimePluginError(ValueError):
    """An entry that cannot be read as a ``cmd`` plugin: ``where`` says which."""

    def __init__(self, where: Path_, message: str) -> None:
        super().__init__(message)
        self.where = where


def runtime_entries(job: JobSpec) -> list[tuple[int, dict[str, Any]]]:
    """(index, entry) of every mapping in ``extras.com.microsoft.pai.runtimeplugin``."""
    entries = job.extras.get(KEY)
    if not isinstance(entries, list):
        return []
    return [(i, e) for i, e in enumerate(entries) if isinstance(e, dict)]


def runtime_prerequisites(job: JobSpec, task_role: str) -> list[RuntimePrerequisite]:
    """The ``cmd`` entries that apply to ``task_role``, in the list's order."""
    out = []
    for i, entry in runtime_entries(job):
        roles = entry.get("taskroles")
        roles = [roles] if isinstance(roles, str) else roles  # one role written as a string
        if entry.get("plugin") != "cmd" or (isinstance(roles, list) and task_role not in roles):
            continue
        where: Path_ = ("extras", KEY, i)
        parameters = entry.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise RuntimePluginError((*where, "parameters"), "parameters: expected a mapping")
        callbacks, paths = _callbacks(parameters, (*where, "parameters"))
        data: dict[str, Any] = {
            "name": f"openpai-runtime-cmd-{i}",
            "type": "script",
            "plugin": "cmd",
            "callbacks": callbacks,
        }
        if "failurePolicy" in entry:
            policy = entry["failurePolicy"]
            data["failurePolicy"] = policy.lower() if isinstance(policy, str) else policy
        try:
            pre = Prerequisite.model_validate(data)
        except ValidationError as exc:
            problem = exc.errors()[0]
            field = ".".join(str(p) for p in problem["loc"])
            raise RuntimePluginError(where, f"{field}: {problem['msg']}") from None
        out.append(RuntimePrerequisite(pre, where, paths))
    return out


def _callbacks(parameters: dict[str, Any], where: Path_) -> tuple[list[Any], tuple[Path_, ...]]:
    """The cmd plugin's callbacks: ``callbacks`` as written, else pre- and post-commands."""
    if "callbacks" in parameters:
        written = parameters["callbacks"]
        if not isinstance(written, list):
            raise RuntimePluginError((*where, "callbacks"), "callbacks: expected a list")
        return written, tuple((*where, "callbacks", k, "commands") for k in range(len(written)))
    callbacks, paths = [], []
    for key, event in (("preCommands", "taskStarts"), ("postCommands", "taskSucceeds")):
        if key in parameters:
            callbacks.append({"event": event, "commands": parameters[key]})
            paths.append((*where, key))
    return callbacks, tuple(paths)
