"""Substitute template values into shell text so that every value stays one inert word.

The command around a reference is the user's shell code; the value is data. We track the
quoting state of the text before each reference (unquoted, '...', "...", $'...', $(...),
backticks) and insert the value quoted for that state: ``shlex.quote`` when unquoted, and
inside quotes we close them, insert the quoted value and reopen them. A value that only has
safe characters is inserted as is. Secrets are never inserted: the script expands the
environment variable that carries them (``"${ENVYARD_SECRET_KEY}"``).

Refused (a :class:`DangerousValueError`): a value with a NUL byte (bash cannot hold it), and a value
with shell syntax substituted where the shell parses the text again (inside backticks or a
here-document, or in a command run through ``eval``, ``sh -c``, ``ssh`` or ``su``), where no
quoting can keep it inert.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from envyard.spec.template import Literal, Ref, SecretRef, TemplateError

__all__ = ["DangerousValueError", "substitute"]

_SAFE = re.compile(r"^[\w@%+=:,./-]+$", re.ASCII)
_SEPARATORS = re.compile(r"(?:;|&&|\|\||\||\n|&)")
_REPARSE = re.compile(
    r"(?:^|[\s/])(?:eval|ssh|su)\s|(?:^|[\s/])(?:ba|da|z|k)?sh\s+(?:-\S+\s+)*-c\s"
)


class DangerousValueError(TemplateError):
    """A value that quoting cannot keep inert at the place it is used."""


class _Quoting:
    """A tiny shell lexer that only tracks the quoting context, character by character."""

    def __init__(self) -> None:
        self.stack = ["u"]  # u plain, s '..', d "..", a $'..', c $(..), p (..), b `..`
        self._escape = False
        self._prev = ""
        self.heredoc = False

    def feed(self, text: str) -> None:
        for ch in text:
            escaped = self._escape
            self._step(ch)
            self._prev = "" if escaped or self._escape else ch

    def _step(self, ch: str) -> None:
        top = self.stack[-1]
        if self._escape:
            self._escape = False
            return
        if top == "s":
            if ch == "'":
                self.stack.pop()
            return
        if ch == "\\":
            self._escape = True
            return
        if top == "a":
            if ch == "'":
                self.stack.pop()
        elif top == "b":
            if ch == "`":
                self.stack.pop()
        elif top == "d":
            self._in_double(ch)
        else:
            if ch == "<" and self._prev == "<":
                self.heredoc = True  # a here-document body expands $(...) again
            self._in_code(ch)

    def _in_double(self, ch: str) -> None:
        if ch == '"':
            self.stack.pop()
        elif ch == "`":
            self.stack.append("b")
        elif ch == "(" and self._prev == "$":
            self.stack.append("c")

    def _in_code(self, ch: str) -> None:
        top = self.stack[-1]
        if ch == "'":
            self.stack.append("a" if self._prev == "$" else "s")
        elif ch == '"':
            self.stack.append("d")
        elif ch == "`":
            self.stack.append("b")
        elif ch == "(":
            self.stack.append("c" if self._prev == "$" else "p")
        elif ch == ")" and top in ("c", "p"):
            self.stack.pop()

    @property
    def context(self) -> str:
        return self.stack[-1]

    @property
    def reparsed(self) -> bool:
        return "b" in self.stack or self.heredoc


def _quote_literal(value: str, context: str) -> str:
    if _SAFE.match(value):
        return value
    quoted = shlex.quote(value)
    return {
        "d": f'"{quoted}"',
        "s": f"'{quoted}'",
        "a": f"'{quoted}$'",
    }.get(context, quoted)


def _quote_secret(env: str, context: str) -> str:
    return {
        "d": f"${{{env}}}",
        "s": f"'\"${{{env}}}\"'",
        "a": f"'\"${{{env}}}\"$'",
    }.get(context, f'"${{{env}}}"')


def substitute(
    parts: list[str | Ref],
    value_of: Callable[[Ref], Literal | SecretRef],
) -> str:
    """Join ``parts`` (from :func:`template.parse`) with each reference quoted in place."""
    lexer = _Quoting()
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            lexer.feed(part)
            out.append(part)
            continue
        value = value_of(part)
        current = _SEPARATORS.split("".join(out))[-1]
        reparsed = lexer.reparsed or bool(_REPARSE.search(current))
        if isinstance(value, SecretRef):
            if reparsed:
                raise DangerousValueError(
                    f"{part.text}: a secret cannot be used where the shell parses text again "
                    f"(backticks, here-documents, eval, sh -c, ssh); read ${value.env} instead"
                )
            text = _quote_secret(value.env, lexer.context)
        else:
            if "\x00" in value.value:
                raise DangerousValueError(f"{part.text}: the value contains a NUL byte")
            if reparsed and not _SAFE.match(value.value):
                raise DangerousValueError(
                    f"{part.text}: the value {value.value!r} contains shell syntax and is used "
                    "where the shell parses text again (backticks, here-documents, eval, sh -c, "
                    "ssh), where quoting cannot keep it inert; pass it in an environment variable"
                )
            text = _quote_literal(value.value, lexer.context)
        out.append(text)
    return "".join(out)
