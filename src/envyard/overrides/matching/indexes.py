"""``remove_polymer_pkg_idx``: drop private package-index lines for a tenant that cannot reach them.

shrike 2.0.2 removes every line holding one of its two feeds (``POLYMER_FEED``, ``O365_FEED``)
from the conda file (``environment.conda.conda_dependencies_file``, or ``environment.conda_file``
for spark) and the ``pip_requirements_file`` a component references, and the equal items from
the component's inline ``conda_dependencies`` pip lists. Envyard does the same on the staged
copies, generalised: ``true`` means shrike's two feeds; a string or a list of strings names the
lines to drop (a line is dropped when it contains one of them). In YAML files the items are
removed from the ``pip`` lists of ``dependencies`` (:data:`PLACES`; so the file stays valid
YAML); in other package files (requirements), the lines are removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envyard.overrides.matching.apply import Copy
from envyard.overrides.matching.rules import MISSING, Change, Location, Rule

SHRIKE_FEEDS = (
    "--index-url https://o365exchange.pkgs.visualstudio.com/_packaging/PolymerPythonPackages/pypi/simple/",
    "--index-url https://o365exchange.pkgs.visualstudio.com/_packaging/O365PythonPackagesV2/pypi/simple/",
)


@dataclass(frozen=True)
class IndexRemoval:
    """The lines to drop and the profile entry asking for it (named in reports)."""

    lines: tuple[str, ...]
    rule: Rule

    def drops(self, line: str) -> bool:
        return any(feed in line for feed in self.lines)


PLACES: tuple[tuple[str, ...], ...] = (
    (),  # a conda file: its own dependencies
    ("environment", "conda", "conda_dependencies"),  # a component's inline conda
    ("conda_dependencies",),  # a spark component's
    ("environment", "conda_dependencies"),
)
"""Where a ``dependencies`` list with ``pip`` entries is looked for."""


def drop_index_items(new: Copy, removal: IndexRemoval) -> list[Change]:
    """Remove matching items from the ``pip`` lists of the ``dependencies`` in ``new.data``."""
    changes: list[Change] = []
    for place in PLACES:
        node = new.data
        for part in place:
            node = node.get(part) if isinstance(node, dict) else None
        deps = node.get("dependencies") if isinstance(node, dict) else None
        if not isinstance(deps, list):
            continue
        for i, item in enumerate(deps):
            pip = item.get("pip") if isinstance(item, dict) else None
            if isinstance(pip, list):
                _drop(new, pip, (*place, "dependencies", i, "pip"), removal, changes)
    return changes


def _drop(
    new: Copy, pip: list[Any], where: Location, removal: IndexRemoval, out: list[Change]
) -> None:
    dropped = [i for i, item in enumerate(pip) if isinstance(item, str) and removal.drops(item)]
    if not dropped:
        return
    pip = new.container(where)
    for i in reversed(dropped):
        out.append(Change((*where, i), pip[i], MISSING, removal.rule, removal.rule.line))
        del pip[i]


def drop_index_lines(raw: bytes, removal: IndexRemoval) -> bytes:
    """A text package file without the lines ``removal`` drops (undecodable: unchanged)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    kept = [line for line in text.splitlines(keepends=True) if not removal.drops(line)]
    return "".join(kept).encode("utf-8")
