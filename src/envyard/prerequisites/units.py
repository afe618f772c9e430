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
from functools import lru_cache
from typing import Literal

from envyard.prerequisites.shellctx import Lexer

__all__ = ["units"]

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


@lru_cache(maxsize=512)  # bounded: the service renders many jobs
def _bash_says_complete(text: str, fallback: bool) -> bool:
    """``bash -n``: incomplete when it reaches the end of the text inside a construct
    (``fallback`` without a usable bash)."""
    bash = shutil.which("bash")
    if bash is None:
        return fallback
    try:
        result = subprocess.run(
            [bash, "-n"], input=text, capture_output=True, text=True, env={"LC_ALL": "C"},
            timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return fallback
    err = result.stderr
    return not ("unexpected end of file" in err or "unexpected EOF" in err
                or "delimited by end-of-file" in err)  # fmt: skip


def units(items: Sequence[str]) -> list[list[str]]:
    """``items`` in order, grouped so that each group joined with newlines is one complete
    shell command (or, for the last group, whatever is left)."""
    out: list[list[str]] = []
    group: list[str] = []
    scan = _Scan()
    for item in items:
        if not group and not _QUOTING.search(item) and not _WORD.search(item):
            out.append([item])  # plain words: complete without a closer look
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
            out.append(group)
            group = []
            scan = _Scan()
    if group:
        out.append(group)
    return out
