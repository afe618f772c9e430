"""``envyard.assets`` is split into subpackages that import only those before them (the map in
its package docstring): no import cycle, at module level, between them or inside one."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import envyard.assets

BASE = Path(envyard.assets.__file__).parent
ORDER = ["discovery", "tags", "resolvers", "pinning", "rules", "release", "build"]
TOP = {"config", "settings_schema", "fsutil", "report", "progress"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in BASE.rglob("*.py"):
        parts = path.relative_to(BASE).with_suffix("").parts
        name = ".".join(p for p in parts if p != "__init__")
        out[name] = path
    return out


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules of envyard.assets it imports when it is imported."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # not TYPE_CHECKING/lazy
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "envyard.assets"
            ):
                target = (node.module or "").removeprefix("envyard.assets").lstrip(".")
                for alias in node.names:
                    full = f"{target}.{alias.name}".lstrip(".")
                    graph[name].add(full if full in modules else target)
    return graph


def test_every_module_is_in_a_documented_place() -> None:
    for name in _modules():
        if not name:
            continue  # the package itself
        top = name.split(".")[0]
        assert top in ORDER or top in TOP or name == "", name
        assert f"``{top}/``" in (envyard.assets.__doc__ or "") or top in TOP, top


def test_subpackages_import_only_those_before_them() -> None:
    graph = _imports(_modules())
    for module, targets in graph.items():
        source = module.split(".")[0]
        for target in targets:
            dest = target.split(".")[0]
            if source in ORDER and dest in ORDER and source != dest:
                assert ORDER.index(dest) < ORDER.index(source), f"{module} imports {target}"
            if source in ORDER and dest in TOP - {"config", "fsutil", "settings_schema"}:
                raise AssertionError(f"{module} imports the command output module {target}")


def test_no_import_cycle() -> None:
    graph = _imports(_modules())
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != 1, " -> ".join([*path, node, nxt])
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for module in list(graph):
        if module not in state:
            visit(module, [])
