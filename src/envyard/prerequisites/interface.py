"""The prerequisite plugin interface: a prerequisite in, shell fragments per lifecycle event out.

A plugin is any object with a ``name`` and a ``fragments(prerequisite, context)`` method (a
:class:`PrerequisitePlugin`); it is found by the entry point ``envyard.prerequisites`` of the
prerequisite's ``plugin`` name. The renderer orders the fragments and writes one bootstrap:

======================== ================================================================
event                    when
======================== ================================================================
``containerStart``       before the kernel is activated, prerequisites in start order
``kernelReady``          right after kernel activation (``pip`` installs into the kernel)
``onSuccess``            on the way out, when the user's commands succeeded
``onFailure``            on the way out, after a failure or a signal
``containerExit``        last, always, in reverse start order
======================== ================================================================

Plugins render text through :meth:`RenderContext.render`, which applies the strict template
language and quotes every value for the shell; they never build shell words by hand without
``shlex.quote``. Optional capabilities are separate protocols: :class:`ProvidesImage` (the
``docker`` plugin) and :class:`ProvidesPipRequirements` (``pip``; the Ray backend turns them
into its runtime_env).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from envyard.spec.job import Prerequisite

__all__ = [
    "EVENTS",
    "Fragment",
    "PrerequisitePlugin",
    "ProvidesImage",
    "ProvidesPipRequirements",
    "RenderContext",
]

Phase = Literal["containerStart", "kernelReady", "onSuccess", "onFailure", "containerExit"]
EVENTS: tuple[Phase, ...] = (
    "containerStart",
    "kernelReady",
    "onSuccess",
    "onFailure",
    "containerExit",
)


@dataclass(frozen=True)
class Fragment:
    """Shell lines a prerequisite contributes to one event, run with one failure policy."""

    event: Phase
    lines: tuple[str, ...]
    failure_policy: Literal["fail", "ignore"]
    label: str  # what it is, for messages and comments: "callbacks[0]", "download"


@dataclass(frozen=True)
class RenderContext:
    """What a plugin may use while rendering one prerequisite for one task role.

    ``render(text, field)`` substitutes ``<% %>`` references in ``text`` (``field`` is the path
    shown in errors, e.g. ``callbacks[0].commands[1]``) and returns shell-safe text.
    ``quote(value)`` quotes a plain value as one shell word. ``base_dir`` is the job file's
    folder (relative local paths are confined to it). ``reads(path)`` declares a path of this
    machine the prerequisite reads when it runs (a local data folder, a local repository): a
    container backend mounts it read-only, a backend whose hosts cannot see it refuses the job.
    """

    job_name: str
    task_role: str
    base_dir: Path
    render: Callable[[str, str], str]
    quote: Callable[[str], str]
    reads: Callable[[Path], None] = field(default=lambda _path: None)
    render_lines: Callable[[Sequence[str], Sequence[str]], list[str]] | None = None
    """``render_lines(texts, fields)``: items that run joined with newlines (a callback's
    commands), each rendered where it lands in the joined text, so a value is quoted for a
    construct that spans items (a here-document). None: render each with ``render``."""


class PrerequisitePlugin(Protocol):
    """Turns one prerequisite into ordered shell fragments."""

    name: str

    def fragments(self, prerequisite: Prerequisite, context: RenderContext) -> Sequence[Fragment]:
        """The fragments for every event; raise PluginError/TemplateError on bad parameters."""
        ...


@runtime_checkable
class ProvidesImage(Protocol):
    def image(self, prerequisite: Prerequisite) -> str | None:
        """The container image this prerequisite stands for."""
        ...


@runtime_checkable
class ProvidesPipRequirements(Protocol):
    def pip_requirements(self, prerequisite: Prerequisite) -> list[str]:
        """Requirements this prerequisite installs into the kernel."""
        ...
