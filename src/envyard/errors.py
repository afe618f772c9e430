"""Every error Envyard shows a user.

The tree::

    EnvyardError                  anything Envyard reports on purpose (CLI exit 1)
    ├── SpecError                 one or more problems in a user's file (file:line:col field: msg)
    ├── ConfigError               Envyard's own settings (envyard.toml, env vars) are wrong
    ├── NotFoundError             a named thing (environment, run, target, file) does not exist
    ├── ConflictError             the thing exists already / changed under you (HTTP 409/412)
    ├── AuthError                 missing or insufficient token (HTTP 401/403)
    ├── PluginError               an unknown or broken plugin/backend; lists the known ones
    ├── MissingDependencyError    an optional extra or a system tool is not installed
    ├── ResolveError              a network lookup (OCI registry, package index) failed
    └── ExecutionError            a process we started failed (installer, git, podman, kernel)

Anything that is not an ``EnvyardError`` is a bug: the CLI prints a short message, writes the
traceback to a log file and exits 3.

Each error carries a one-line ``message`` and an optional ``hint`` (what to do next).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "AuthError",
    "ConfigError",
    "ConflictError",
    "Diagnostic",
    "EnvyardError",
    "ExecutionError",
    "MissingDependencyError",
    "NotFoundError",
    "PluginError",
    "ResolveError",
    "SpecError",
    "escape",
]

Severity = Literal["error", "warning"]

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    return _NAMED.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def escape(text: str) -> str:
    """``text`` safe to print on one line: control, line-breaking and bidi characters (which
    could forge or hide diagnostic lines) become backslash escapes (``\\n``, ``\\x00``)."""
    return _UNSAFE.sub(_escaped, text)


class EnvyardError(Exception):
    """Base of every error Envyard reports on purpose (a user error, not a bug)."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return escape(f"{self.message} (hint: {self.hint})")
        return escape(self.message)


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place in one file: ``file:line:col field.path: message``.

    ``line`` and ``col`` are 1-based; 0 means "the whole file".
    """

    file: str
    line: int
    col: int
    field: str
    message: str
    hint: str | None = None
    severity: Severity = "error"
    rule: str | None = None
    extra: dict[str, str] = dataclasses.field(default_factory=dict, compare=False)

    def location(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"

    def render(self) -> str:
        """One line: ``file:line:col field: message (hint: ...)``; input text is escaped."""
        head = self.location()
        where = f" {self.field}:" if self.field else ""
        level = "" if self.severity == "error" else f" {self.severity}:"
        text = f"{head}:{level}{where} {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return escape(text)

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }
        if self.hint:
            data["hint"] = self.hint
        if self.rule:
            data["rule"] = self.rule
        return data


class SpecError(EnvyardError):
    """One or more problems in user files; ``str()`` renders one line per problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        if not diagnostics:
            raise ValueError("SpecError needs at least one diagnostic")
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))

    def __str__(self) -> str:
        return self.message

    @classmethod
    def at(
        cls,
        file: str,
        message: str,
        *,
        line: int = 0,
        col: int = 0,
        field: str = "",
        hint: str | None = None,
    ) -> SpecError:
        return cls([Diagnostic(file, line, col, field, message, hint)])

    @classmethod
    def merge(cls, errors: Iterable[SpecError]) -> SpecError:
        return cls([d for e in errors for d in e.diagnostics])


class ConfigError(EnvyardError):
    """Envyard's own configuration is wrong."""


class NotFoundError(EnvyardError):
    """A named object does not exist."""


class ConflictError(EnvyardError):
    """The object exists already, or changed since it was read."""


class AuthError(EnvyardError):
    """Authentication is missing (``status`` 401) or the token lacks a scope (403)."""

    def __init__(self, message: str, *, status: int = 401, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class PluginError(EnvyardError):
    """An unknown or broken plugin; the message lists the available ones."""


class MissingDependencyError(EnvyardError):
    """An optional Python extra or a system program is not installed."""


class ResolveError(EnvyardError):
    """A lookup against a registry or package index failed."""


class ExecutionError(EnvyardError):
    """A process Envyard started failed; ``output`` holds what it printed."""

    def __init__(self, message: str, *, output: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.output = output
