"""The overrides package: no import cycles, and dependencies point down its documented order."""

from __future__ import annotations

import ast
from pathlib import Path

import envyard.overrides

ROOT = Path(envyard.overrides.__file__).parent
ORDER = ["matching", "editing", "profiles", "staging", "report"]
"""A part may import only parts listed before it (``report`` and ``__init__`` come last)."""


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return "envyard." + ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (``from pkg import submodule`` counts as
    the submodule: a package's ``__init__`` runs first whatever is imported)."""
    trees = {_module(p): ast.parse(p.read_text(encoding="utf-8")) for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, tree in trees.items():
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in trees:
                subs = {f"{node.module}.{a.name}" for a in node.names} & trees.keys()
                found |= subs or {node.module}
        found.discard(module)
        graph[module] = found
    return graph


def _part(module: str) -> str:
    rest = module.removeprefix("envyard.overrides").lstrip(".")
    return rest.split(".")[0] if rest else "__init__"


def test_no_import_cycles() -> None:
    graph = _imports()
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in graph[module]:
            assert state.get(dep) != 1, " -> ".join([*path, module, dep])
            if dep not in state:
                visit(dep, [*path, module])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [])


def test_dependencies_point_down_the_documented_order() -> None:
    rank = {name: i for i, name in enumerate([*ORDER, "__init__"])}
    for module, deps in _imports().items():
        part = _part(module)
        for dep in deps:
            other = _part(dep)
            if other != part and not (part == "__init__" or other == "__init__"):
                assert rank[other] < rank[part], f"{module} imports {dep}"
