"""Where a template reference sits in shell text: its quoting and how the shell will use it.

:class:`Lexer` follows the quoting of the text written before a reference, character by
character (plain code, ``'...'``, ``"..."``, ``$'...'``, ``$(...)``, ``(...)``, backticks,
``${...}``, comments, here-documents). :func:`place` then says, for the text around one
reference, what the shell does with it:

- ``quote``: the innermost quoting at the reference;
- ``reparsed``: the text is handed to something that parses it again as code (``bash -c``,
  ``eval``, ``trap``, ``su``, ``ssh``, ``python -c``, ``perl -e``, ``awk``, ``sed -e``, ``find
  -exec``, ``xargs``, a here-document read by a shell);
- ``numeric``: bash evaluates the value as arithmetic or as a variable name (``(( ))``,
  ``$(( ))``, ``$[ ]``, ``[[ -lt ]]``, ``${a[...]}``, ``${s:off}``, ``a[...]=``, ``let``,
  ``declare -i``, ``unset``, ``read``, ``printf -v``, ``-v``), where a value such as
  ``a[$(cmd)]`` runs ``cmd`` however it is quoted.

Over-approximations are deliberate: a wrong "reparsed" or "numeric" only makes a value from
outside the file stricter, never executable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Lexer", "Place", "place"]

_REPARSERS = re.compile(
    r"(?:^|[\s;&|(`/])(?:eval|trap|su|sudo|ssh|watch|xargs|parallel|awk|gawk|mawk|nawk|sed|"
    r"busybox|script|source|\.)(?=\s)"
    r"|(?:^|\s)-exec(?:dir)?\s"
    r"|(?:^|[\s/])(?:(?:ba|da|z|k|a)?sh|python\d*(?:\.\d+)?|perl|ruby|node|nodejs|php|lua|"
    r"Rscript|julia|pwsh|tclsh|osascript)\s+(?:(?:-[A-Za-z]+|--[a-z-]+)\s+(?:(?!-)\S+\s+)?)*?"
    r"(?:-[A-Za-z]*[ce]|--command|--eval)(?=\s|$)"  # an option before the program's arguments
)
_INTERPRETER = (
    r"(?:\S*/)?(?:(?:ba|da|z|k|a)?sh|python\d*(?:\.\d+)?|perl|ruby|node|nodejs|php|lua|Rscript|"
    r"julia|pwsh|tclsh|osascript|at|batch)\b"
)
_FEEDS_INTERPRETER = re.compile(  # the text ends up as the program of a shell or interpreter
    r"\|\s*(?:[A-Za-z_]\w*=\S*\s+)*(?:(?:sudo|env|exec|nohup|command)\s+(?:-\S+\s+)*)*"
    + _INTERPRETER
)
_FOREIGN = re.compile(  # reparsers that do not expand ${V}, or run where it is not set
    r"(?:^|[\s;&|(`/])(python\d*(?:\.\d+)?|perl|ruby|node|nodejs|php|lua|Rscript|julia|pwsh|"
    r"tclsh|osascript|awk|gawk|mawk|nawk|sed|ssh|sudo|su)(?=\s|$)"
)
_SHELL_STDIN = re.compile(r"(?:^|[\s;&|(/])(?:ba|da|z|k|a)?sh\b|python\d*(?:\.\d+)?\b|perl\b")
_ARITH_ANYWHERE = re.compile(r"\(\(|\$\[|(?:^|[\s;&|(])let\s")
_DBL_BRACKET_NUM = re.compile(r"\[\[.*\s-(?:eq|ne|lt|le|gt|ge|v|R)\s", re.S)
_NAME_COMMANDS = re.compile(
    r"(?:^|[\s;&|(])(?:unset|read|mapfile|readarray|printf\s+-v|test\s+-[vR]|\[\s+-[vR])\s"
    r"|\s-[vR]\s+$"
)
_DECLARE = re.compile(r"(?:^|[\s;&|(])(?:declare|typeset|local|export|readonly)\s+([^;&|]*)$")
_SUBSCRIPT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\[[^\]]*$")
_PARAM_NUMERIC = re.compile(r"^[#!]|^[A-Za-z_][A-Za-z0-9_]*(?:\[|:(?![-=?+]))|^[@*0-9]:")


class Lexer:
    """Tracks the quoting context while shell text is fed to it."""

    def __init__(self) -> None:
        # u plain, s '..', d "..", a $'..', c $(..), p (..), b `..`, v ${..}, m comment,
        # h here-document body (expanded), H here-document body with a quoted delimiter
        self.stack = ["u"]
        self.text = ""
        self._delims: list[tuple[str, bool]] = []  # pending here-documents on this line
        self._line = 0  # offset where the current line starts
        self.opened: list[int] = [0]  # offset where each frame opened
        self.pos = 0
        self._escape = False
        self._prev = ""
        self.heredoc_at = -1  # offset of the last `<<` in code
        self.heredoc_line = ""  # the logical line that started the current here-documents

    def feed(self, text: str) -> None:
        for ch in text:
            self.text += ch
            escaped = self._escape
            self._step(ch)
            self._prev = "" if escaped or self._escape else ch
            self.pos += 1
            if ch == "\n" and not escaped:  # `\` + newline continues the logical line
                self._line = self.pos

    def _heredoc_line(self) -> None:
        """At the end of a line of a here-document body: its delimiter ends it."""
        line = self.text[self._line : self.pos]
        if line.lstrip("\t") == self._delims[0][0]:
            self._delims.pop(0)
            self._pop()
            if self._delims:
                self._push("H" if self._delims[0][1] else "h")

    def _push(self, frame: str) -> None:
        self.stack.append(frame)
        self.opened.append(self.pos)

    def _pop(self) -> None:
        if len(self.stack) > 1:
            self.stack.pop()
            self.opened.pop()

    def _step(self, ch: str) -> None:
        top = self.stack[-1]
        if self._escape:
            self._escape = False
        elif top in "hHms":
            self._in_literal(ch, top)
        elif ch == "\\":
            self._escape = True
        elif top in "ab":
            if ch == ("'" if top == "a" else "`"):
                self._pop()
        elif top == "d":
            self._in_double(ch)
        else:
            self._in_code(ch, top)

    def _in_literal(self, ch: str, top: str) -> None:
        """Here-document bodies, comments and '...': only their end matters."""
        if top in "hH" and ch == "\n":
            self._heredoc_line()
        elif top == "m" and ch == "\n":
            self._pop()
            self._start_heredocs()
        elif top == "s" and ch == "'":
            self._pop()

    def _in_double(self, ch: str) -> None:
        if ch == '"':
            self._pop()
        elif ch == "`":
            self._push("b")
        elif ch in "({" and self._prev == "$":
            self._push("c" if ch == "(" else "v")

    def _in_code(self, ch: str, top: str) -> None:
        prev = self._prev
        if ch == "#" and prev in ("", " ", "\t", "\n", ";", "&", "|", "(") and top != "v":
            self._push("m")
        elif ch == "<" and prev == "<":
            self.heredoc_at = self.pos
        elif ch == "'":
            self._push("a" if prev == "$" else "s")
        elif ch == '"':
            self._push("d")
        elif ch == "`":
            self._push("b")
        elif ch == "(":
            self._push("c" if prev == "$" else "p")
        elif ch == "{" and prev == "$":
            self._push("v")
        elif (ch == ")" and top in ("c", "p")) or (ch == "}" and top == "v"):
            self._pop()
        elif ch == "\n" and top == "u":
            self._start_heredocs()

    def _start_heredocs(self) -> None:
        line = self.text[self._line : self.pos]
        self.heredoc_line = line
        found = re.findall(r"(?<!<)<<-?(?!<)\s*(['\"]?)([A-Za-z0-9_.-]+)\1", line)
        self._delims = [(word, bool(q)) for q, word in found]
        if self._delims:
            self._push("H" if self._delims[0][1] else "h")

    @property
    def quote(self) -> str:
        return self.stack[-1]


@dataclass(frozen=True)
class Place:
    quote: str  # the Lexer frame at the reference
    reparsed: bool
    numeric: bool
    foreign: str = ""
    """When ``reparsed`` by a program that does not expand a shell variable reference (``python
    -c``, ``awk``, ``sed``) or runs where it is not set (``ssh``, ``sudo``): its name."""


def _command(before: str) -> str:
    """The simple command the reference belongs to (text after the last separator)."""
    return re.split(r"[;\n]|&&|\|\||(?<![|>])\|(?!\|)", before)[-1]


def place(before: str, after: str, lexer: Lexer) -> Place:
    """How the shell uses a reference written between ``before`` and ``after``."""
    quote = lexer.quote
    quoted = [i for i, frame in enumerate(lexer.stack) if frame in "sdab" and i > 0]
    if quoted:  # a command line inside quotes is one argument of the command around it
        start = lexer.opened[quoted[0]]
        command = _command(before[:start]) + before[start:]
    else:
        command = _command(before)
    tail = re.split(r"[;\n]|&&|\|\|", after, maxsplit=1)[0]
    whole = before + after
    reparsed = bool(_REPARSERS.search(command)) or bool(_FEEDS_INTERPRETER.search(after))
    if ("<<<" in command or "<(" in command) and re.search(
        r"(?:^|[\s;&|(])" + _INTERPRETER, command.split("<(")[0].split("<<<")[0]
    ):
        reparsed = True  # bash <<< "TEXT", bash <(echo TEXT)
    reader = command
    if quote in "hH" and lexer.heredoc_at >= 0:  # a here-document body: who reads it?
        reader = lexer.heredoc_line  # the whole logical line: `cat <<EOF \` then `| bash`
        reparsed = bool(_SHELL_STDIN.search(reader)) or bool(_REPARSERS.search(reader))
    numeric = bool(_ARITH_ANYWHERE.search(whole)) or bool(_DBL_BRACKET_NUM.search(whole))
    numeric = numeric or bool(_NAME_COMMANDS.search(command))
    if "v" in lexer.stack:
        inner = before[lexer.opened[lexer.stack.index("v")] + 1 :]
        numeric = numeric or bool(_PARAM_NUMERIC.match(inner))
    if quote in ("u", "c", "p", "d") and _SUBSCRIPT.search(before.rsplit(" ", 1)[-1]):
        numeric = True  # a[<ref>]=... or "${a[<ref>]}"
    declare = _DECLARE.search(command)
    if declare is not None:
        args = declare.group(1)
        word = args.rsplit(" ", 1)[-1]
        numeric = numeric or "=" not in word or bool(re.search(r"(?:^|\s)-\w*i", args))
    if quote in ("s", "a", "d") and re.search(r"\s-[vR]\s*$", tail):
        numeric = True
    foreign = _FOREIGN.search(reader) if reparsed else None
    return Place(quote, reparsed, numeric, foreign.group(1) if foreign else "")
