"""Template tags: ``{{name}}`` / ``{{name:argument}}`` found in text with their line and column.

The argument may itself hold braces (``{{latest-image-tag:monthly\\.\\d{6}}}``): the scanner
counts them, so the tag ends at the first ``}}`` outside the argument's own braces. A tag is
*unknown* unless a resolver plugin (``latest-image-tag``, ``latest-pypi-version``) or a spec
tag (``asset.*``, ``image.*``) has its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from envyard.errors import Diagnostic, SpecError

_NAME = re.compile(r"[A-Za-z][\w.-]*")
_PYPI_REQ = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?P<extras>\[[^\]]*\])?\s*"
    r"(?P<op>===|==|~=|>=|<=|=)\s*$"
)
_IMAGE_REF = re.compile(r"(?P<ref>[^\s\"'=]+):$")
MAX_TAG_LENGTH = 512


@dataclass(frozen=True)
class Tag:
    """One tag occurrence: ``start``/``end`` are offsets in the text; line/col are 1-based."""

    file: str
    line: int
    col: int
    start: int
    end: int
    name: str
    arg: str | None
    line_text: str

    @property
    def text(self) -> str:
        return "{{" + self.name + (f":{self.arg}" if self.arg is not None else "") + "}}"

    @property
    def before(self) -> str:
        """The text of the tag's line before the tag."""
        return self.line_text[: self.col - 1]

    def error(self, message: str, hint: str | None = None) -> SpecError:
        return SpecError([self.diagnostic(message, hint)])

    def diagnostic(self, message: str, hint: str | None = None) -> Diagnostic:
        return Diagnostic(self.file, self.line, self.col, self.text, message, hint)


def _end_of_arg(text: str, pos: int) -> int | None:
    depth = 0
    limit = min(len(text), pos + MAX_TAG_LENGTH)
    i = pos
    while i < limit:
        ch = text[i]
        if ch == "\n":
            return None
        if ch == "}" and depth == 0 and text.startswith("}}", i):
            return i
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1
    return None


def scan(text: str, file: str) -> Iterator[Tag]:
    """Every ``{{...}}`` tag in ``text``; a malformed one raises SpecError at its position."""
    pos = 0
    line, counted = 1, 0  # newlines are counted once, left to right (str.count: C speed)
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return
        line += text.count("\n", counted, start)
        counted = start
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_text = text[line_start : line_end if line_end >= 0 else len(text)]
        col = start - line_start + 1
        match = _NAME.match(text, start + 2)
        if match is None:
            raise SpecError.at(
                file,
                "'{{' does not start a template tag",
                line=line,
                col=col,
                hint="tags look like {{latest-image-tag}} or {{asset.version}}",
            )
        name = match.group(0)
        after = match.end()
        arg = None
        if text.startswith(":", after):
            end = _end_of_arg(text, after + 1)
            if end is None:
                raise SpecError.at(
                    file,
                    f"template tag '{{{{{name}:...' is not closed on its line",
                    line=line,
                    col=col,
                    hint="close it with '}}'",
                )
            arg = text[after + 1 : end]
        elif text.startswith("}}", after):
            end = after
        else:
            raise SpecError.at(
                file,
                f"template tag '{{{{{name}' is not closed",
                line=line,
                col=col,
                hint="close it with '}}'",
            )
        yield Tag(file, line, col, start, end + 2, name, arg, line_text)
        pos = end + 2


def pypi_requirement(tag: Tag) -> tuple[str, str]:
    """(package, extras) of the requirement the tag stands in (``pkg[x]==``, conda ``pkg=``)."""
    before = tag.before.split("#")[-1]
    match = _PYPI_REQ.search(before.lstrip("- \t\"'"))
    if match is None:
        raise tag.error(
            "cannot tell which package this version is for",
            "write the requirement on the same line: pkg=={{latest-pypi-version}}",
        )
    return match.group("name"), match.group("extras") or ""


def image_reference(tag: Tag) -> str:
    """The image the tag is a tag of: the reference right before ``:{{...}}``."""
    match = _IMAGE_REF.search(tag.before)
    if match is None:
        raise tag.error(
            "cannot tell which image this tag is for",
            "write it right after the image name: registry/name:{{latest-image-tag}}",
        )
    return match.group("ref")


def substitute(text: str, file: str, values: Mapping[str, str], *, only: str = "") -> str:
    """Replace tags whose names start with ``only`` using ``values``; unknown ones error."""
    out: list[str] = []
    pos = 0
    problems: list[Diagnostic] = []
    for tag in scan(text, file):
        if not tag.name.startswith(only):
            continue
        if tag.name not in values or tag.arg is not None:
            known = ", ".join(sorted(values))
            problems.append(tag.diagnostic(f"unknown tag {tag.text}", f"known tags: {known}"))
            continue
        out.append(text[pos : tag.start])
        out.append(values[tag.name])
        pos = tag.end
    if problems:
        raise SpecError(problems)
    out.append(text[pos:])
    return "".join(out)
