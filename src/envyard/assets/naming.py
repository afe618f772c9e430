"""Environment naming convention (rule AST006), enforced token by token.

A name is lowercase ``[a-z0-9.-]``, split on ``-`` into parts that must come in this order::

    words and frameworks  ->  operating system  ->  python  ->  accelerator
    sklearn-1.5              ubuntu22.04             py3.11      cuda12.1 | gpu

A framework is followed by its version part (``pytorch-2.3``); an OS and an accelerator carry
their version (``ubuntu22.04``, ``cuda12.1``); ``gpu`` and a CUDA/NCCL version never appear
together; each of OS, python and accelerator appears at most once.
"""

from __future__ import annotations

import itertools
import re

from envyard.assets.config import NamingConfig

_CHARS = re.compile(r"^[a-z][a-z0-9.-]*[a-z0-9]$")
_VERSION = re.compile(r"^\d+(?:\.\d+)*$")
_PYTHON = re.compile(r"^py3(?:\.?\d+)?$")
_RANKS = {"word": 0, "os": 1, "python": 2, "accelerator": 3}
_ORDER = (
    "words/frameworks, then OS, then python, then accelerator "
    "(e.g. sklearn-1.5-ubuntu22.04-py3.11-cuda12.1)"
)


def _split_prefix(part: str, prefixes: list[str]) -> tuple[str, str] | None:
    for prefix in sorted(prefixes, key=len, reverse=True):
        rest = part[len(prefix) :]
        if part.startswith(prefix) and (not rest or rest[0].isdigit()):
            return prefix, rest
    return None


def check_environment_name(  # noqa: PLR0912 - one branch per kind of part
    name: str, config: NamingConfig
) -> list[tuple[str, str]]:
    """Problems with ``name`` as (message, hint) pairs; empty when the name is fine."""
    problems: list[tuple[str, str]] = []
    if not _CHARS.match(name) or "--" in name:
        problems.append(
            (
                f"'{name}' must be lowercase letters, digits, '.' and '-', starting with a letter",
                "e.g. sklearn-1.5-ubuntu22.04-py3.11",
            )
        )
        return problems
    for bad in config.invalid_strings:
        if re.search(rf"(?:^|-){re.escape(bad)}(?:-|$)", name):
            problems.append((f"'{name}' contains '{bad}'", f"remove '{bad}' from the name"))
    parts = name.split("-")
    ranks: list[tuple[int, str]] = []
    seen: set[str] = set()
    gpu_word = "gpu" in parts
    index = 0
    while index < len(parts):
        part = parts[index]
        kind = "word"
        if part in config.frameworks:
            following = parts[index + 1] if index + 1 < len(parts) else ""
            if not _VERSION.match(following):
                problems.append(
                    (f"framework '{part}' in '{name}' has no version", f"write '{part}-<version>'")
                )
            else:
                index += 1
        elif _VERSION.match(part):
            problems.append(
                (
                    f"version '{part}' in '{name}' does not follow a framework",
                    "versions follow the framework they belong to, e.g. pytorch-2.3",
                )
            )
        elif (found := _split_prefix(part, config.operating_systems)) is not None:
            kind = "os"
            if not _VERSION.match(found[1]):
                problems.append(
                    (f"operating system '{part}' in '{name}' has no version", "e.g. ubuntu22.04")
                )
        elif _PYTHON.match(part):
            kind = "python"
        elif part == "gpu":
            kind = "accelerator"
        elif (found := _split_prefix(part, config.accelerators)) is not None:
            kind = "accelerator"
            if not _VERSION.match(found[1]):
                problems.append((f"'{part}' in '{name}' has no version", f"e.g. {found[0]}12.1"))
            if gpu_word:
                problems.append(
                    (f"'{name}' has both 'gpu' and '{part}'", "keep the versioned driver only")
                )
        if kind != "word":
            if kind in seen:
                problems.append((f"'{name}' names more than one {kind}", "keep one"))
            seen.add(kind)
        ranks.append((_RANKS[kind], part))
        index += 1
    for (before, first), (after, second) in itertools.pairwise(ranks):
        if after < before:
            problems.append(
                (f"'{second}' comes after '{first}' in '{name}': parts are out of order", _ORDER)
            )
            break
    return problems
