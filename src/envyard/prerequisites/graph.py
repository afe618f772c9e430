"""The prerequisites of a task role in start order: ``require``d ones first (topological).

A task role's prerequisites are its old-style slots (``dockerImage``, ``data``, ``script``,
``output``) then its ``prerequisites`` list, each preceded by what it requires, depth first,
each once. Exit callbacks later run in the reverse of this order.
"""

from __future__ import annotations

from collections.abc import Mapping

from envyard.errors import NotFoundError, SpecError
from envyard.spec.job import Prerequisite, TaskRole

__all__ = ["SLOT_FIELDS", "start_order"]

SLOT_FIELDS = ("dockerImage", "data", "script", "output")


def role_references(role: TaskRole, known: Mapping[str, Prerequisite]) -> list[str]:
    """Names the role refers to; an inline image reference in ``dockerImage`` is not one."""
    names: list[str] = []
    for slot in SLOT_FIELDS:
        ref = getattr(role, slot)
        if ref is None or (slot == "dockerImage" and ref not in known):
            continue
        names.append(ref)
    return names + list(role.prerequisites)


def start_order(
    role_name: str, role: TaskRole, known: Mapping[str, Prerequisite]
) -> list[Prerequisite]:
    """Prerequisites of ``role`` in start order; a cycle or an unknown name is an error."""
    order: list[Prerequisite] = []
    state: dict[str, int] = {}

    def visit(name: str, stack: list[str], where: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = [*stack[stack.index(name) :], name]
            raise SpecError.at(
                "<job>",
                "require forms a cycle: " + " -> ".join(cycle),
                field=where,
                hint="remove one of these requirements",
            )
        if name not in known:
            raise NotFoundError(
                f"{where}: prerequisite '{name}' is defined neither in the job nor in the "
                "registry catalogue",
                hint="define it under `prerequisites`, or publish it with `envyard prereq create`",
            )
        state[name] = 1
        for req in known[name].require:
            visit(req, [*stack, name], f"prerequisite '{name}' require")
        state[name] = 2
        order.append(known[name])

    for name in role_references(role, known):
        visit(name, [], f"taskRoles.{role_name}")
    return order
