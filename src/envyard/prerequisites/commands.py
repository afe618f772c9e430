"""A task role's command lines as OpenPAI runs them: the chosen deployment's ``preCommands``,
the role's ``commands``, the deployment's ``postCommands``, each trimmed, with its place in
the file (for messages)."""

from __future__ import annotations

import contextlib

from envyard.errors import SpecError
from envyard.spec.diagnose import format_path
from envyard.spec.job import JobSpec
from envyard.yamlio import Document

__all__ = ["command_lines"]

Path_ = tuple[str | int, ...]


def command_lines(
    job: JobSpec, task_role: str, deployment: str | None, document: Document | None
) -> list[tuple[str, Path_]]:
    """The task role's commands with its deployment's pre- and post-commands, as OpenPAI runs
    them (``preCommands + commands + postCommands``), each with its place in the file."""
    chosen = deployment or job.defaults.deployment
    lines: list[tuple[str, Path_]] = []
    pre: list[tuple[str, Path_]] = []
    post: list[tuple[str, Path_]] = []
    if chosen is not None:
        names = [d.name for d in job.deployments]
        if chosen not in names:
            where: Path_ = ("defaults", "deployment") if deployment is None else ("deployments",)
            file = document.file if document else "<job>"
            line, col = 0, 0
            if document is not None:
                with contextlib.suppress(KeyError, IndexError, ValueError):
                    line, col = document.position(where)
            raise SpecError.at(
                file,
                f"no deployment '{chosen}'",
                line=line,
                col=col,
                field=format_path(where),
                hint="deployments: " + (", ".join(names) or "none defined"),
            )
        i = names.index(chosen)
        mine = job.deployments[i].taskRoles.get(task_role)
        base: Path_ = ("deployments", i, "taskRoles", task_role)
        if mine is not None:
            pre = [(c, (*base, "preCommands", j)) for j, c in enumerate(mine.preCommands)]
            post = [(c, (*base, "postCommands", j)) for j, c in enumerate(mine.postCommands)]
    lines += [(c, ("taskRoles", task_role, "commands", j))
              for j, c in enumerate(job.taskRoles[task_role].commands)]  # fmt: skip
    return [(text.strip(), path) for text, path in (*pre, *lines, *post)]  # OpenPAI trims
