"""Command blocks of the project's Markdown docs, as the docs test runs them.

A fenced block labelled ``sh`` or ``console``, or not labelled at all, is a command block.
In a ``console`` block (or any block with ``$ `` lines) only the ``$ `` lines are commands,
the rest is output (output that starts with ``error:`` or ``file:line:col:`` says that the
command exits 1); elsewhere every line is a command (``\\`` continues a line, ``#`` starts a
comment). The line directly before the opening fence may say
``<!-- docs-test: skip REASON -->`` (not run; REASON is reported) or
``<!-- docs-test: exit N -->`` (the last command exits N, e.g. to show an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

COMMAND_LANGS = ("sh", "console", "")
_FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)\s*$")
_FAILURE = re.compile(r"^(error: |[^\s:]+:\d+:\d+: )")
_MARK = re.compile(r"<!--\s*docs-test:\s*(skip|exit)\s*(.*?)\s*-->")


@dataclass(frozen=True)
class Block:
    file: Path
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    skip: str | None = None  # the reason
    exit_code: int = 0

    @property
    def where(self) -> str:
        return f"{self.file.name}:{self.line}"

    def commands(self) -> list[str]:
        """The shell commands, continuation lines joined."""
        return [command for command, _ in self.steps()]

    def steps(self) -> list[tuple[str, int]]:
        """(command, expected exit code) pairs. In a prompt block a command whose shown output
        begins with ``error:`` or a located diagnostic (``file:line:col: ...``) is expected to
        exit 1; the block's last command exits ``exit_code`` (the ``exit`` mark)."""
        lines = self.text.splitlines()
        prompt = self.lang == "console" or any(line.startswith("$ ") for line in lines)
        steps: list[tuple[str, int]] = []
        pending = ""
        for raw in lines:
            line = raw
            if not pending:
                if prompt and not line.startswith("$ "):
                    if steps and steps[-1][1] == 0 and _FAILURE.match(line):
                        steps[-1] = (steps[-1][0], 1)
                    continue
                line = line[2:] if prompt else line
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            steps.append(((pending + line).strip(), 0))
            pending = ""
        if pending:
            steps.append((pending.strip(), 0))
        if steps and self.exit_code:
            steps[-1] = (steps[-1][0], self.exit_code)
        return steps


def command_blocks(path: Path) -> list[Block]:
    """Every command block of the Markdown file ``path``, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, lang = opening.group(2), opening.group(3)
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        if lang in COMMAND_LANGS:
            previous = next((lines[k] for k in range(index - 1, -1, -1) if lines[k].strip()), "")
            mark = _MARK.search(previous)
            skip = mark.group(2) or "no reason given" if mark and mark.group(1) == "skip" else None
            code = int(mark.group(2)) if mark and mark.group(1) == "exit" else 0
            text = "\n".join(lines[index + 1 : end])
            blocks.append(Block(path, index + 1, lang, text, skip, code))
        index = end + 1
    return blocks
