"""Insert template values into shell text: the file's own values as written, others as data.

The rule (docs/jobs.md, "Parameters and the shell"):

- A value **written in the job file** (``parameters``, a prerequisite's ``uri`` or free
  parameters) is inserted as written, as OpenPAI does: the author writes both the command and
  the value, so ``nccl: -x A=1 -x B=2`` reaches ``mpirun`` as four words. ``envyard validate``
  warns when such a value holds command substitution or a separator.
- A value **from outside the file** (a submit-time ``--param``, a secret, a prerequisite from the
  registry catalogue) never becomes shell text. It reaches the process as an environment
  variable, and the reference expands to a quoted reference of that variable, written for the
  place it lands (:mod:`.shellctx`): ``"${V}"`` in code, ``${V}`` inside ``"..."``, and the
  reference itself, unexpanded, where the text is parsed again (``bash -c '...'``, ``trap``,
  ``eval``, ``python -c "..."``), so the shell that parses it expands it as one quoted word.
  Where bash evaluates a value as arithmetic or as a variable name (``(( ))``, ``[[ -lt ]]``,
  ``${a[...]}``, ``let``, ``unset``...), the bootstrap checks before anything runs that the
  variable holds a plain integer (or a plain name where a name is expected) and stops otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from envyard.prerequisites.shellctx import Lexer, place
from envyard.spec.template import Literal, Ref, SecretRef, ValueRef

__all__ = ["Substituted", "substitute"]


@dataclass
class Substituted:
    """The text, and the variables it reads that the bootstrap must check first."""

    text: str
    numeric: set[str] = field(default_factory=set)  # env vars used as arithmetic or names
    foreign: list[tuple[str, str, str, int]] = field(default_factory=list)
    """(reference as written, variable, program, index of the part) of values from outside the
    file that land in code another program parses without expanding the variable (``python -c
    "..."``): that program receives the reference, not the value."""
    pieces: list[str] = field(default_factory=list)
    """The text of each part, in order (``text`` is their concatenation)."""


def _reference(env: str, quote: str, reparsed: bool, inner: str) -> str:
    """The text that makes the shell expand ``$env`` as one word, never as code."""
    if quote == "m":
        return f"${{{env}}}"  # a comment: nothing expands
    if quote == "h":  # a here-document body: expanded, quotes are literal
        return f'"\\${{{env}}}"' if reparsed else f"${{{env}}}"
    if quote in ("s", "H"):  # kept as written: whoever parses the text expands it quoted
        return f"${{{env}}}" if inner == "d" else f'"${{{env}}}"'
    if quote == "a":
        return f'"${{{env}}}"' if reparsed else f"'\"${{{env}}}\"$'"
    if quote == "d":
        return f'\\"\\${{{env}}}\\"' if reparsed else f"${{{env}}}"
    if reparsed:
        return f"'\"${{{env}}}\"'"  # eval/bash -c VALUE: the reparsing shell expands it
    return f'"${{{env}}}"'


def _inner_quote(lexer: Lexer) -> str:
    """Inside '...' (or a quoted here-document): the quoting that the shell which later
    parses that text will be in at the reference."""
    if lexer.quote not in ("s", "H"):
        return ""
    inner = Lexer()
    inner.feed(lexer.text[lexer.opened[-1] + 1 :])
    return inner.quote


def substitute(
    parts: list[str | Ref],
    value_of: Callable[[Ref], Literal | SecretRef | ValueRef],
) -> Substituted:
    """Join ``parts`` (from :func:`template.parse`), each reference replaced by the rule above."""
    lexer = Lexer()
    out: list[str] = []
    fed: list[str] = []  # what the lexer saw: a reference reads as one word, "x"
    result = Substituted("")
    for i, part in enumerate(parts):
        if isinstance(part, str):
            lexer.feed(part)
            out.append(part)
            fed.append(part)
            continue
        value = value_of(part)
        if isinstance(value, Literal):
            out.append(value.value)  # the file's own value, as written (OpenPAI's behaviour)
            lexer.feed(value.value)
            fed.append(value.value)
            continue
        before = "".join(fed)
        after = "".join(p if isinstance(p, str) else "x" for p in parts[i + 1 :])
        where = place(before, after, lexer)
        if where.numeric:
            result.numeric.add(value.env)
        if where.foreign:
            result.foreign.append((part.text, value.env, where.foreign, i))
        text = _reference(value.env, where.quote, where.reparsed, _inner_quote(lexer))
        out.append(text)
        lexer.feed("x")
        fed.append("x")
    result.text = "".join(out)
    result.pieces = out
    return result
