"""Cross-reference checks of a job spec, with the path of each problem.

Unique prerequisite names; every reference exists and has the right type; the ``require``
graph is acyclic (the error names the cycle); referenced parameters and secrets exist.
Names that are not defined in the file may come from the registry's catalogue: those are
warnings here and are resolved (or rejected) at submission.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator

from envyard import plugins
from envyard.spec.findings import Finding
from envyard.spec.job import JobSpec, Prerequisite
from envyard.spec.job_runtime import runtime_gaps
from envyard.spec.template import Ref, TemplateError, references

_SLOTS = {"dockerImage": "dockerimage", "data": "data", "output": "output", "script": "script"}


def check_job(job: JobSpec) -> list[Finding]:
    return [
        *_unique(job),
        *_references(job),
        *_cycles(job),
        *_template_refs(job),
        *_deployments(job),
        *_shell_in_values(job),
        *_near_misses(job),
        *_plugins(job),
        *runtime_gaps(job),
    ]


def _plugins(job: JobSpec) -> Iterator[Finding]:
    """A prerequisite's ``plugin`` names an installed prerequisite plugin (as rendering needs)."""
    named = [(i, p.name, p.plugin) for i, p in enumerate(job.prerequisites) if p.plugin]
    if not named:
        return
    known = plugins.available("prerequisite")
    for i, name, plugin in named:
        wanted = plugins.prerequisite_plugin(plugin)
        if wanted not in known:
            close = difflib.get_close_matches(wanted, known, 1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            yield Finding(
                ("prerequisites", i, "plugin"),
                f"prerequisite '{name}': unknown prerequisite plugin '{plugin}'",
                f"{hint}known prerequisite plugins: {', '.join(known)}",
            )


_SHELL_SYNTAX = re.compile(r"\$\(|`|;|\||&&")


def _shell_in_values(job: JobSpec) -> Iterator[Finding]:
    """In-file values are inserted into commands as written (OpenPAI's behaviour): warn when
    one that a command uses holds command substitution or a separator."""
    used: set[str] = set()
    for text, _ in _all_commands(job):
        with contextlib.suppress(TemplateError):
            used |= {str(r.path[0]) for r in references(text) if r.group == "parameters" and r.path}
    for key in sorted(used):
        value = job.parameters.get(key)
        if isinstance(value, str) and (found := _SHELL_SYNTAX.search(value)):
            yield Finding(
                ("parameters", key),
                f"parameter '{key}' holds shell syntax ({found.group(0)!r}) and is inserted into "
                "the commands as written",
                f"if it is data, not shell code, give it at submission (--param {key}=...): "
                "it then reaches the commands as an environment variable",
                severity="warning",
            )


def _all_commands(job: JobSpec) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    for name, role in job.taskRoles.items():
        for i, command in enumerate(role.commands):
            yield command, ("taskRoles", name, "commands", i)
    for d, deployment in enumerate(job.deployments):
        for name, extra in deployment.taskRoles.items():
            for field in ("preCommands", "postCommands"):
                for i, command in enumerate(getattr(extra, field)):
                    yield command, ("deployments", d, "taskRoles", name, field, i)


def _deployments(job: JobSpec) -> Iterator[Finding]:
    """OpenPAI's checks: unique names, an existing default, task roles that exist."""
    seen: set[str] = set()
    for d, deployment in enumerate(job.deployments):
        if deployment.name in seen:
            yield Finding(("deployments", d, "name"), f"duplicate deployment '{deployment.name}'")
        seen.add(deployment.name)
        for name in deployment.taskRoles:
            if name not in job.taskRoles:
                yield Finding(
                    ("deployments", d, "taskRoles", name),
                    f"deployment '{deployment.name}' names task role '{name}', which does not "
                    "exist",
                    "task roles: " + ", ".join(job.taskRoles) + " (OpenPAI ignores it too)",
                    severity="warning",
                    key=True,
                )
    chosen = job.defaults.deployment
    if chosen is not None and chosen not in seen:
        yield Finding(
            ("defaults", "deployment"),
            f"default deployment '{chosen}' does not exist",
            "deployments: " + (", ".join(sorted(seen)) or "none defined"),
        )


def _near_misses(job: JobSpec) -> Iterator[Finding]:
    """Free parameters that look like misspelt protocol fields (``requires``, ``callback``):
    accepted, since plugins may want any key, but they would otherwise fail silently."""
    fields = [n for n in Prerequisite.model_fields if n != "parameters"]
    for i, pre in enumerate(job.prerequisites):
        for key in pre.parameters:
            close = difflib.get_close_matches(key, fields, n=1, cutoff=0.8)
            if close:
                yield Finding(
                    ("prerequisites", i, key),
                    f"'{key}' is kept as a free plugin parameter, but looks like '{close[0]}'",
                    f"rename it to '{close[0]}' if that is what you meant",
                    severity="warning",
                    key=True,
                )


def _unique(job: JobSpec) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for i, pre in enumerate(job.prerequisites):
        if pre.name in seen:
            yield Finding(
                ("prerequisites", i, "name"),
                f"prerequisite name '{pre.name}' is already used by "
                f"prerequisites[{seen[pre.name]}]",
                "names are unique across all types; rename one of them",
            )
        else:
            seen[pre.name] = i


def _references(job: JobSpec) -> Iterator[Finding]:
    types: dict[str, str] = {}
    for pre in job.prerequisites:
        types.setdefault(pre.name, pre.type)
    for role_name, role in job.taskRoles.items():
        base = ("taskRoles", role_name)
        for slot, wanted in _SLOTS.items():
            ref = getattr(role, slot)
            if ref is None:
                continue
            if ref not in types:
                if slot == "dockerImage" and ("/" in ref or ":" in ref):
                    continue  # an image reference written inline, not a prerequisite name
                yield _missing((*base, slot), ref)
            elif types[ref] != wanted:
                yield Finding(
                    (*base, slot),
                    f"'{ref}' is a {types[ref]} prerequisite; {slot} needs a {wanted} one",
                )
        for i, ref in enumerate(role.prerequisites):
            if ref not in types:
                yield _missing((*base, "prerequisites", i), ref)
    for i, pre in enumerate(job.prerequisites):
        for j, ref in enumerate(pre.require):
            if ref not in types:
                yield _missing(("prerequisites", i, "require", j), ref)


def _missing(path: tuple[str | int, ...], ref: str) -> Finding:
    return Finding(
        path,
        f"prerequisite '{ref}' is not defined in this file",
        "define it under `prerequisites`, or publish it to the registry catalogue "
        "(`envyard prereq create`) before submitting",
        severity="warning",
    )


def _cycles(job: JobSpec) -> Iterator[Finding]:
    graph: dict[str, list[str]] = {}
    index: dict[str, int] = {}
    for i, pre in enumerate(job.prerequisites):  # the first definition of a name wins
        graph.setdefault(pre.name, list(pre.require))
        index.setdefault(pre.name, i)
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> Iterator[Finding]:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield Finding(
                        ("prerequisites", index[node], "require"),
                        "require forms a cycle: " + " -> ".join(cycle),
                        "remove one of these requirements",
                    )
            elif nxt in graph and state.get(nxt) is None:
                yield from visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for name in graph:
        if state.get(name) is None:
            yield from visit(name, [])


def _template_refs(job: JobSpec) -> Iterator[Finding]:
    """Every ``<% %>`` reference parses and names something that exists (statically)."""
    known = {
        "parameters": set(job.parameters),
        "secrets": set(job.secrets) if isinstance(job.secrets, dict) else None,
    }
    for name, role in job.taskRoles.items():
        slots = {s for s in _SLOTS if getattr(role, s)}
        for i, command in enumerate(role.commands):
            path: tuple[str | int, ...] = ("taskRoles", name, "commands", i)
            yield from _check_text(command, path, known, None, slots)
    for d, deployment in enumerate(job.deployments):
        for name, extra in deployment.taskRoles.items():
            owner = job.taskRoles.get(name)
            slots = {s for s in _SLOTS if owner is not None and getattr(owner, s)}
            for field in ("preCommands", "postCommands"):
                for i, command in enumerate(getattr(extra, field)):
                    path = ("deployments", d, "taskRoles", name, field, i)
                    yield from _check_text(command, path, known, None, slots)
    for i, pre in enumerate(job.prerequisites):
        for j, cb in enumerate(pre.callbacks):
            for k, command in enumerate(cb.commands):
                path = ("prerequisites", i, "callbacks", j, "commands", k)
                yield from _check_text(command, path, known, pre, set(_SLOTS))


def _check_text(
    text: str,
    path: tuple[str | int, ...],
    known: dict[str, set[str] | None],
    this: Prerequisite | None,
    slots: set[str],
) -> Iterator[Finding]:
    try:
        refs = references(text)
    except TemplateError as exc:
        yield Finding(path, str(exc), "write <% $parameters.NAME %> or <% this.parameters.KEY %>")
        return
    for ref in refs:
        key = ref.path[0] if ref.path else None
        if ref.root == "this":
            yield from _check_this(ref, path, this)
        elif ref.group in known:
            names = known[ref.group]
            if names is not None and key not in names:
                as_openpai = ref.group == "parameters"  # OpenPAI leaves it as written
                yield Finding(
                    path,
                    f"'${ref.group}.{key}' is not defined"
                    + ("; it stays in the command as written (as OpenPAI does)" * as_openpai),
                    f"add '{key}' under `{ref.group}`"
                    + (" or give it at submission with --param" * as_openpai),
                    severity="warning" if as_openpai else "error",
                )
        elif ref.group in _SLOTS:
            if ref.group not in slots:
                yield Finding(
                    path,
                    f"{ref.text}: this task role has no `{ref.group}:` prerequisite; it stays "
                    "in the command as written (as OpenPAI does)",
                    f"add `{ref.group}: NAME` to the task role",
                    severity="warning",
                )
        else:
            yield Finding(path, f"{ref.text}: unknown reference '{ref.root}'",
                          "known: this, $parameters, $secrets, $data, $script, $output, "
                          "$dockerImage")  # fmt: skip


def _check_this(
    ref: Ref, path: tuple[str | int, ...], this: Prerequisite | None
) -> Iterator[Finding]:
    if this is None:
        yield Finding(path, f"{ref.text}: 'this' only exists in a prerequisite's callbacks")
        return
    key = ref.path[0] if ref.path else None
    if key == "parameters" and len(ref.path) > 1:
        param = ref.path[1]
        if param not in this.parameters:
            have = ", ".join(sorted(this.parameters)) or "none"
            yield Finding(
                path,
                f"{ref.text}: prerequisite '{this.name}' has no parameter '{param}'",
                f"its parameters: {have}",
            )
    elif key == "uri" and this.uri is None:
        yield Finding(path, f"{ref.text}: prerequisite '{this.name}' has no uri")
    elif key not in ("name", "type", "uri", "plugin", "parameters"):
        yield Finding(
            path,
            f"{ref.text}: prerequisite '{this.name}' has no field '{key}'",
            "use this.name, this.uri or this.parameters.KEY",
        )
