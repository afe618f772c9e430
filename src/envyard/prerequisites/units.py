"""Command items grouped into complete shell commands, as OpenPAI runs them.

OpenPAI joins a task role's ``commands`` (and a ``cmd`` prerequisite's callback commands) with
newlines into one script, so a construct may span items: a here-document, a trailing ``\\``,
``|``, ``||`` or ``&&``, a quote, ``case ... esac``, ``if ... fi``, ``for ... done``,
``{ ... }``. :func:`units` groups consecutive items until the group is a complete command; the
bootstrap checks the status after each group (Envyard stops at the first failing command).

The cheap check follows the quoting with :class:`~.shellctx.Lexer` and looks at the code outside
quotes: open quoting (a quote, a parenthesis, ``${``, a pending here-document) or a trailing
``\\``, ``|``, ``||``, ``&&`` continues the group; a reserved word in command position (``if``,
``case``, ``for``, ``{``, ``name()``...) that does not balance within one item asks ``bash -n``,
as does a single item the lexer finds open. Plain commands start no process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from envyard.prerequisites.shellctx import Lexer

__all__ = ["Unit", "units"]

_OPEN = {"if": "fi", "case": "esac", "for": "done", "select": "done", "while": "done",
         "until": "done", "{": "}"}  # fmt: skip
_WORD = re.compile(  # a reserved word in command position, in code outside quotes
    r"(?:^|[;&|()\n]|(?:^|\s)(?:then|do|else|elif|!|time)\s)[ \t]*"
    r"(if|elif|fi|case|esac|for|select|while|until|done|function|coproc|\{|\})(?=[\s;&|()<>]|$)"
    r"|\w[ \t]*\([ \t]*\)"  # name (): a function definition
)
_ESCAPED_END = re.compile(r"(?<!\\)(?:\\\\)*\\$")
_QUOTING = re.compile(r"[\"'`(){}\\<]|[|&]\s*$")  # what the lexer or the tail check must see

Verdict = Literal["complete", "continues", "open", "unsure"]


def _code(text: str) -> str:
    """The code of ``text`` outside quotes (the lexer's top level, and the ``(`` of a
    subshell), kept as written; quoted text is masked with ``_``, comments with spaces."""
    lexer = Lexer()
    stack = lexer.stack
    out = []
    for ch in text:
        depth = len(stack)
        lexer.feed(ch)
        if len(stack) == 1 or (depth == 1 and stack[-1] == "p") or ch == "\n":
            out.append(ch)
        else:
            out.append(" " if "m" in stack else "_")
    return "".join(out)


class _Scan:
    """A growing group of items: its quoting, and a closer look when the text asks for one."""

    def __init__(self) -> None:
        self.lexer = Lexer()
        self.items: list[str] = []

    def feed(self, item: str) -> None:
        self.items.append(item)
        self.lexer.feed(item + "\n")

    def verdict(self) -> Verdict:
        if len(self.lexer.stack) > 1:
            return "open"
        text = "\n".join(self.items)
        if not text.rstrip().endswith(("\\", "|", "&")) and not _WORD.search(text):
            return "complete"  # the common case: no continuation, no reserved word
        code = _code(text)
        tail = code[len(code) - len(self.items[-1]) :]  # the last item's (same length as text)
        if _ESCAPED_END.search(tail):
            return "continues"  # a trailing backslash joins the next line
        end = tail.rstrip()
        if end.endswith(("|", "&&", "|&")) and not end.rstrip("|&").endswith("\\"):
            return "continues"
        found = [m.group(1) for m in _WORD.finditer(code)]
        if not found:
            return "complete"
        words = [w for w in found if w is not None]  # None: a function definition
        if len(self.items) == 1 and len(words) == len(found) and _balanced(words):
            return "complete"  # a one-line if/case/loop/group
        return "unsure"


def _balanced(words: list[str]) -> bool:
    depth: dict[str, int] = {}
    for word in words:
        if word in _OPEN:
            depth[_OPEN[word]] = depth.get(_OPEN[word], 0) + 1
        elif word in depth:
            depth[word] -= 1
        elif word in _OPEN.values():
            return False
    return not any(depth.values())


@dataclass(frozen=True)
class Unit:
    """Consecutive items that form one shell command: ``text`` is what the bootstrap runs
    (the items joined with newlines, and for a last group the end OpenPAI's script gives it:
    a here-document's delimiter, a line after a trailing ``\\``). ``complete`` is False for a
    last group no end completes (an unclosed quote): it cannot run, in OpenPAI either."""

    items: tuple[str, ...]
    text: str
    complete: bool = True


@lru_cache(maxsize=512)  # bounded: the service renders many jobs
def _bash_errors(text: str) -> str | None:
    """What ``bash -n`` says about ``text`` (None without a usable bash)."""
    bash = shutil.which("bash")
    if bash is None:
        return None
    try:
        result = subprocess.run(
            [bash, "-n"], input=text, capture_output=True, text=True, env={"LC_ALL": "C"},
            timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stderr


def _open_at_end(errors: str) -> bool:
    return ("unexpected end of file" in errors or "unexpected EOF" in errors
            or "delimited by end-of-file" in errors)  # fmt: skip


def _bash_says_complete(text: str, fallback: bool) -> bool:
    """``bash -n``: incomplete when it reaches the end of the text inside a construct
    (``fallback`` without a usable bash)."""
    errors = _bash_errors(text)
    return fallback if errors is None else not _open_at_end(errors)


def _last(group: list[str], verdict: Verdict) -> Unit:
    """The items left at the end, never completed: the end of OpenPAI's script ends them."""
    lines = [*group, ""] if verdict == "continues" else list(group)  # `echo a \` at the end
    errors = _bash_errors("\n".join(lines))
    if errors is None:
        return Unit(tuple(group), "\n".join(lines))
    wanted = re.findall(r"delimited by end-of-file \(wanted `(.*)'\)", errors)
    if wanted:  # a here-document's body runs to the end of the script
        lines += wanted
        errors = _bash_errors("\n".join(lines)) or ""
    return Unit(tuple(group), "\n".join(lines), not _open_at_end(errors))


def units(items: Sequence[str]) -> list[Unit]:
    """``items`` in order, grouped so that each group joined with newlines is one complete
    shell command (see :class:`Unit` for the last group)."""
    out: list[Unit] = []
    group: list[str] = []
    scan = _Scan()
    verdict: Verdict = "complete"
    for item in items:
        if not group and not _QUOTING.search(item) and not _WORD.search(item):
            out.append(Unit((item,), item))  # plain words: complete without a closer look
            continue
        group.append(item)
        scan.feed(item)
        verdict = scan.verdict()
        if verdict == "complete":
            done = True
        elif verdict == "continues" or (verdict == "open" and len(group) > 1):
            done = False
        else:
            done = _bash_says_complete("\n".join(group), verdict == "unsure")
        if done:
            out.append(Unit(tuple(group), "\n".join(group)))
            group = []
            scan = _Scan()
    if group:
        out.append(_last(group, verdict))
    return out
