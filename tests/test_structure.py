"""The package's shape stays what docs/architecture.md says: no import cycles between modules
(imports inside functions and under TYPE_CHECKING count too), YAML read and written only by
``envyard.yamlio``, small modules, and a package docstring that names every file."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
MAX_LINES = 400
YAML_LIBRARIES = ("yaml", "ruamel", "_ruamel_yaml")


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path) -> set[str]:
    """Every dotted name ``module`` imports, anywhere in the file (relative imports resolved)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*kept, base] if base else kept)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module, path in modules.items():
        for imported in _imported(module, path):
            name = imported
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(name + "."):
                graph[module].add(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root, targets_of_root in graph.items():
        if root in index:
            continue
        work = [(root, iter(sorted(targets_of_root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import cycles (move what both sides use into its own module):\n" + (
        "\n".join(" ".join(group) for group in cycles)
    )


def test_yaml_is_read_and_written_only_by_yamlio() -> None:
    users = sorted(
        module
        for module, path in _modules().items()
        if any(name.split(".")[0] in YAML_LIBRARIES for name in _imported(module, path))
    )
    assert users, "the YAML library is imported somewhere (yamlio)"
    assert all(module.startswith("envyard.yamlio.") for module in users), users


def test_modules_stay_small() -> None:
    big = {
        module: lines
        for module, path in _modules().items()
        if (lines := path.read_text(encoding="utf-8").count("\n")) > MAX_LINES
    }
    assert not big, f"modules over {MAX_LINES} lines (split them by what they do): {big}"


def test_every_package_docstring_names_its_files() -> None:
    """A package's docstring maps its modules and subpackages (a subpackage may defer to its
    parent's map by naming it: "see :mod:`envyard.assets` for the map")."""
    missing = {}
    for init in SRC.rglob("__init__.py"):
        package = init.parent
        text = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if "for the map" in text:
            parent = package.parent / "__init__.py"
            text = ast.get_docstring(ast.parse(parent.read_text(encoding="utf-8"))) or ""
        names = [p.stem for p in package.glob("*.py") if p.stem != "__init__"]
        names += [d.name for d in package.iterdir() if (d / "__init__.py").is_file()]
        absent = sorted(name for name in names if name not in text)
        if absent:
            missing[str(package.relative_to(SRC))] = absent
    assert not missing, f"package docstrings that do not name these files: {missing}"
