"""Launch engines by name, and :func:`launch`, the one entry point the CLI calls.

An engine plans a launch (pure enough for ``--dry-run``) and runs it, returning the command's
exit code. Built-in engines: ``local`` (uv kernel on this machine), ``podman``, ``docker``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from envyard.errors import PluginError
from envyard.launch.container import ContainerEngine
from envyard.launch.kernelspec import kernel_spec
from envyard.launch.local import (
    kernel_env,
    materialise,
    plan,
    run_command,
    with_activation_hooks,
)
from envyard.launch.request import LaunchPlan, LaunchRequest
from envyard.launch.steps import Log, Step

__all__ = ["ENGINES", "Engine", "LocalEngine", "get_engine", "launch", "plan_launch"]


class Engine(Protocol):
    name: str

    def plan(self, request: LaunchRequest) -> LaunchPlan: ...

    def run(self, request: LaunchRequest, log: Log) -> int: ...


class LocalEngine:
    """Materialise the kernel with uv (cached by content hash) and run the command in it."""

    name = "local"

    def plan(self, request: LaunchRequest) -> LaunchPlan:
        spec = kernel_spec(request.environment)
        run = Step("running the command", request.command)
        if spec is None:
            return LaunchPlan(self.name, (run,), ("no kernel: the command runs as is",))
        planned = plan(spec, request.cache_root, request.env, rebuild=request.rebuild)
        note = f"kernel {spec.name}: " + (
            f"cached at {planned.prefix}" if planned.cached else f"to build ({planned.key})"
        )
        return LaunchPlan(self.name, (*planned.steps, run), (note,))

    def run(self, request: LaunchRequest, log: Log) -> int:
        spec = kernel_spec(request.environment)
        env = dict(request.env)
        command = list(request.command)
        if spec is not None:
            kernel = materialise(
                spec, request.cache_root, env=env, log=log, rebuild=request.rebuild
            )
            env = kernel_env(kernel, env)
            command = with_activation_hooks(command, kernel.prefix)
        env["ENVYARD_ENVIRONMENT"] = request.ref
        return run_command(command, env, cwd=None)


ENGINES: dict[str, Callable[[], Engine]] = {
    "local": LocalEngine,
    "podman": lambda: ContainerEngine("podman"),
    "docker": lambda: ContainerEngine("docker"),
}


def get_engine(name: str) -> Engine:
    factory = ENGINES.get(name)
    if factory is None:
        raise PluginError(f"unknown launch engine '{name}'; known: {', '.join(sorted(ENGINES))}")
    return factory()


def plan_launch(request: LaunchRequest, engine: str = "local") -> LaunchPlan:
    """What :func:`launch` would run (nothing is installed or started)."""
    return get_engine(engine).plan(request)


def launch(request: LaunchRequest, engine: str = "local", log: Log = lambda _l: None) -> int:
    """Run ``request.command`` in its environment with *engine*; return the exit code."""
    return get_engine(engine).run(request, log)
