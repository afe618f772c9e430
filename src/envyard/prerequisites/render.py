"""Render one bootstrap shell script per task role (pure: nothing runs, nothing is written).

Order inside the script: the ``containerStart`` fragments of the prerequisites in start order
(``require``d first), kernel activation, ``kernelReady`` fragments (pip), the user's commands;
then, from an EXIT trap that also runs after a failure or a signal: ``onSuccess`` or
``onFailure`` fragments in start order, and ``containerExit`` fragments in reverse order. Only
prerequisites whose start was reached get their exit fragments. The script exits with the
user's command status (or the status of the prerequisite that aborted the job).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from envyard import plugins
from envyard.errors import Diagnostic, PluginError, SpecError
from envyard.prerequisites.bootstrap import Bootstrap
from envyard.prerequisites.commands import command_lines
from envyard.prerequisites.graph import SLOT_FIELDS, start_order
from envyard.prerequisites.interface import (
    Fragment,
    ProvidesImage,
    ProvidesPipRequirements,
    RenderContext,
)
from envyard.prerequisites.kernel import KernelMode, kernel_plan
from envyard.prerequisites.runtime_plugins import (
    RuntimePluginError,
    RuntimePrerequisite,
    runtime_prerequisites,
)
from envyard.prerequisites.script import ScriptParts, assemble
from envyard.prerequisites.shellsub import substitute
from envyard.spec.environment import Environment
from envyard.spec.job import JobSpec, Prerequisite
from envyard.spec.template import (
    Literal,
    MissingValueError,
    Ref,
    Scope,
    SecretRef,
    TemplateError,
    ValueRef,
    parse,
    resolve,
)
from envyard.yamlio import Document

__all__ = ["prerequisite_view", "render_bootstrap"]

Path_ = tuple[str | int, ...]


def prerequisite_view(pre: Prerequisite) -> dict[str, Any]:
    """What ``this.`` and ``$data.`` see of a prerequisite: every field written (OpenPAI's
    ``$script.version``), its free parameters also under ``parameters``."""
    view: dict[str, Any] = pre.model_dump(exclude_none=True, exclude={"callbacks"})
    view.update(
        name=pre.name, type=pre.type, plugin=pre.plugin, uri=pre.uri, parameters=pre.parameters
    )
    return view


def plugin_name(pre: Prerequisite) -> str:
    if pre.plugin:
        return plugins.prerequisite_plugin(pre.plugin)
    return "docker" if pre.type == "dockerimage" else "cmd"


def load_plugin(pre: Prerequisite) -> Any:
    name = plugin_name(pre)
    try:
        factory = plugins.load("prerequisite", name)
    except PluginError as exc:
        raise PluginError(
            f"prerequisite '{pre.name}' plugin: {exc.message}", hint=exc.hint
        ) from None
    return factory() if isinstance(factory, type) else factory


def _unexpanded(at: Diagnostic, written: str, env: str, program: str) -> Diagnostic:
    """A value from outside the file where ``program`` parses the text: it gets ``${env}``."""
    how = {
        "ssh": "the remote shell does not have that variable",
        "sudo": "sudo does not pass that variable on",
        "su": "su does not pass that variable on",
    }.get(program, f"{program} does not expand it")
    read = "os.environ['{0}']" if program.startswith("python") else "the environment variable {0}"
    return Diagnostic(
        at.file,
        at.line,
        at.col,
        at.field,
        f"{written} comes from outside the file (a secret, --param or catalogue value) and "
        f"never becomes code: {program} gets the text ${{{env}}} instead of the value ({how})",
        f"read {read.format(env)} in the program, or pass it as an argument or on stdin; "
        "a value that is not secret can be written in the file's parameters",
        severity="warning",
    )


class _Renderer:
    def __init__(
        self,
        job: JobSpec,
        role_name: str,
        document: Document | None,
        outside: frozenset[str],
        catalogue: frozenset[str],
    ) -> None:
        self.job = job
        self.role_name = role_name
        self.role = job.taskRoles[role_name]
        self.document = document
        self.outside = outside
        self.catalogue = catalogue  # names of prerequisites from the registry catalogue
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.secrets: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.numeric: set[str] = set()
        self.index = {p.name: i for i, p in reversed(list(enumerate(job.prerequisites)))}
        self.runtime: dict[str, RuntimePrerequisite] = {}  # extras' runtime cmd plugins
        self.host_paths: dict[str, None] = {}  # paths of this machine read at run time

    def where(self, path: Path_) -> Diagnostic:
        from envyard.spec.diagnose import format_path

        if self.document is None:
            return Diagnostic("<job>", 0, 0, format_path(path), "")
        line, col = self.document.position(path)
        return Diagnostic(self.document.file, line, col, format_path(path), "")

    def pre_path(self, pre: Prerequisite, sub: str) -> tuple[Path_, str]:
        """(document path, label) of a prerequisite field; catalogue ones are not in the file."""
        if pre.name in self.index:
            return ("prerequisites", self.index[pre.name]), f"prerequisite '{pre.name}' {sub}"
        if pre.name in self.runtime:
            where = self.runtime[pre.name].where
            return where, f"{format_path(where)} (OpenPAI's cmd runtime plugin) {sub}"
        return (), f"prerequisite '{pre.name}' (from the registry catalogue) {sub}"

    def plugin_error(self, pre: Prerequisite, exc: PluginError) -> None:
        """A plugin's complaint about a prerequisite of this file, located at its field."""
        if pre.name in self.runtime:
            at = self.where(self.runtime[pre.name].where)
            message, hint = exc.message, exc.hint
            self.errors.append(Diagnostic(at.file, at.line, at.col, at.field, message, hint))
            return
        if pre.name not in self.index:
            raise exc  # a catalogue prerequisite: not in this file
        prefix = f"prerequisite '{pre.name}' "
        message = exc.message
        key = "plugin"
        if message.startswith(prefix) and ": " in message:
            key, message = message[len(prefix) :].split(": ", 1)
        at = self.where(("prerequisites", self.index[pre.name], key))
        self.errors.append(
            Diagnostic(at.file, at.line, at.col, at.field, f"{prefix}{message}", exc.hint)
        )

    def render_text(self, text: str, scope: Scope, path: Path_, label: str) -> str:
        return self.render_lines([text], scope, [path], [label])[0]

    def render_lines(
        self, texts: list[str], scope: Scope, paths: list[Path_], labels: list[str]
    ) -> list[str]:
        """Items that run joined with newlines (a role's commands, a callback's), each rendered
        where it lands in the joined script: a value is quoted for the construct it is in, also
        when the construct spans items (a here-document read by bash). One text per item."""
        parts: list[str | Ref] = []
        owner: list[int] = []  # the item of each part; -1 for the newline between items
        for k, text in enumerate(texts):
            try:
                mine: list[str | Ref] = list(parse(text))
            except TemplateError as exc:
                at = self.where(paths[k])
                message = f"{exc}" if labels[k] == at.field else f"{labels[k]}: {exc}"
                self.errors.append(Diagnostic(at.file, at.line, at.col, at.field, message))
                mine = [text]  # as written: the error stops the render anyway
            if k:
                parts.append("\n")
                owner.append(-1)
            parts += mine
            owner += [k] * len(mine)
        item = {id(p): owner[i] for i, p in enumerate(parts) if isinstance(p, Ref)}

        def value_of(ref: Ref) -> Any:
            try:
                value = resolve(ref, scope)
            except MissingValueError as exc:  # OpenPAI leaves it as written: so do we, and warn
                at = self.where(paths[item[id(ref)]])
                self.warnings.append(
                    Diagnostic(at.file, at.line, at.col, at.field,
                               f"{exc}; left in the command as written (as OpenPAI does)",
                               severity="warning")
                )  # fmt: skip
                return Literal(ref.text)
            except TemplateError as exc:
                k = item[id(ref)]
                at = self.where(paths[k])
                message = f"{exc}" if labels[k] == at.field else f"{labels[k]}: {exc}"
                self.errors.append(Diagnostic(at.file, at.line, at.col, at.field, message))
                return Literal(ref.text)
            if isinstance(value, SecretRef):
                self.secrets[value.env] = value.key
            elif isinstance(value, ValueRef):
                self.values[value.env] = value.value
            return value

        done = substitute(parts, value_of)
        self.numeric |= done.numeric
        for written, env, program, at_part in done.foreign:
            where = self.where(paths[owner[at_part]])
            self.warnings.append(_unexpanded(where, written, env, program))
        out = [""] * len(texts)
        for piece, k in zip(done.pieces, owner, strict=True):
            if k >= 0:
                out[k] += piece
        return out

    def scope(self, this: Prerequisite | None, slots: Mapping[str, Any]) -> Scope:
        secrets = self.job.secrets
        return Scope(
            parameters=self.job.parameters,
            secrets=frozenset(secrets) if isinstance(secrets, dict) else None,
            this=prerequisite_view(this) if this else None,
            this_name=this.name if this else "",
            slots=slots,
            outside=self.outside,
            outside_this=this is not None and this.name in self.catalogue,
            outside_slots=frozenset(
                s for s in SLOT_FIELDS if getattr(self.role, s) in self.catalogue
            ),
        )

    def context(self, pre: Prerequisite, slots: Mapping[str, Any], base_dir: Path) -> RenderContext:
        scope = self.scope(pre, slots)
        base, _ = self.pre_path(pre, "")

        runtime = self.runtime.get(pre.name)

        def render(text: str, sub: str) -> str:
            path: Path_ = (*base, *_split(sub)) if base else ()
            if runtime is not None:
                path = runtime.path_of(_split(sub))
            return self.render_text(text, scope, path, self.pre_path(pre, sub)[1])

        def render_lines(texts: Sequence[str], subs: Sequence[str]) -> list[str]:
            where = [runtime.path_of(_split(s)) if runtime else (*base, *_split(s)) for s in subs]
            labels = [self.pre_path(pre, s)[1] for s in subs]
            return self.render_lines(list(texts), scope, where, labels)

        def reads(path: Path) -> None:
            self.host_paths[str(path)] = None

        return RenderContext(
            self.job.name,
            self.role_name,
            base_dir,
            render,
            shlex.quote,
            reads=reads,
            render_lines=render_lines,
        )


def format_path(path: Path_) -> str:
    from envyard.spec.diagnose import format_path as fmt

    return fmt(path)


def _split(sub: str) -> Path_:
    out: list[str | int] = []
    for piece in sub.replace("]", "").split("."):
        name, _, idx = piece.partition("[")
        out.append(name)
        if idx:
            out.append(int(idx))
    return tuple(out)


def render_bootstrap(
    job: JobSpec,
    task_role: str,
    *,
    catalogue: Mapping[str, Prerequisite] | None = None,
    environment: Environment | None = None,
    kernel_mode: KernelMode = "activate",
    base_dir: Path = Path(),
    document: Document | None = None,
    outside: frozenset[str] = frozenset(),
    deployment: str | None = None,
) -> Bootstrap:
    """The bootstrap of ``task_role``; SpecError lists every template problem at once.

    ``outside`` names the parameters whose values were given at submission (not written in
    the file); ``deployment`` chooses one of ``deployments`` (default: ``defaults.deployment``),
    whose ``preCommands`` and ``postCommands`` for this task role surround its commands.
    """
    if task_role not in job.taskRoles:
        raise SpecError.at(
            document.file if document else "<job>",
            f"no task role '{task_role}'",
            field="taskRoles",
            hint="task roles: " + ", ".join(job.taskRoles),
        )
    try:
        runtime = runtime_prerequisites(job, task_role)
    except RuntimePluginError as exc:
        line, col = document.position(exc.where) if document else (0, 0)
        file = document.file if document else "<job>"
        field = format_path(exc.where)
        raise SpecError.at(file, str(exc), line=line, col=col, field=field) from None
    known = {**(catalogue or {}), **{p.name: p for p in reversed(job.prerequisites)}}
    in_file = {p.name for p in job.prerequisites}
    r = _Renderer(job, task_role, document, outside, frozenset(set(known) - in_file))
    r.runtime = {rp.prerequisite.name: rp for rp in runtime}
    role = r.role
    order = start_order(task_role, role, known) + [rp.prerequisite for rp in runtime]
    slots = {
        s: prerequisite_view(known[getattr(role, s)])
        for s in SLOT_FIELDS
        if getattr(role, s) in known
    }
    image = environment.image if environment and environment.image else None
    per_pre: list[tuple[Prerequisite, list[Fragment]]] = []
    pip: list[str] = []
    for pre in order:
        try:
            plugin = load_plugin(pre)
            frags = list(plugin.fragments(pre, r.context(pre, slots, base_dir)))
            if isinstance(plugin, ProvidesPipRequirements):
                pip += plugin.pip_requirements(pre)
            if image is None and isinstance(plugin, ProvidesImage) and role.dockerImage == pre.name:
                image = plugin.image(pre)
        except PluginError as exc:
            r.plugin_error(pre, exc)
            continue
        per_pre.append((pre, frags))
    if image is None and role.dockerImage and role.dockerImage not in known:
        image = role.dockerImage  # an inline image reference
    lines = command_lines(job, task_role, deployment, document)
    paths = [path for _, path in lines]
    labels = [format_path(path) for path in paths]
    commands = r.render_lines([text for text, _ in lines], r.scope(None, slots), paths, labels)
    if r.errors:
        raise SpecError(r.errors)
    plan = kernel_plan(environment) if environment else None
    script = assemble(
        ScriptParts(
            job=job.name,
            role=task_role,
            instances=role.instances,
            prerequisites=per_pre,
            commands=commands,
            kernel=plan,
            kernel_mode=kernel_mode,
            secrets=r.secrets,
            values=r.values,
            numeric=frozenset(r.numeric),
        )
    )
    kernel_pip = list(plan.pip) if plan else []
    return Bootstrap(
        job=job.name,
        task_role=task_role,
        instances=role.instances,
        script=script,
        prerequisites=tuple(p.name for p in order),
        image=image,
        kernel=plan,
        pip_requirements=tuple(kernel_pip + pip),
        secrets=dict(sorted(r.secrets.items())),
        values=dict(sorted(r.values.items())),
        warnings=tuple(r.warnings),
        host_paths=tuple(r.host_paths),
    )
