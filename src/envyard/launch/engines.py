""":func:`launch` and :func:`plan_launch`, what ``envyard env launch`` calls, and the local engine.

An engine is any backend with the ``launch`` capability (:mod:`envyard.backends.interface`),
found by name through :func:`envyard.plugins.backend`: built-in ``local`` (the uv kernel on
this machine, :class:`LocalEngine`), ``podman``, ``docker`` and ``container`` (the image with
Envyard's bootstrap), or a third-party entry point. An engine plans a launch (pure enough for
``--dry-run``) and runs it, returning the command's exit code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from envyard.backends.interface import Backend

__all__ = ["LocalEngine", "get_engine", "launch", "plan_launch"]


class LocalEngine:
    """Materialise the kernel with uv (cached by content hash) and run the command in it."""

    name = "local"

    def plan(self, request: LaunchRequest) -> LaunchPlan:
        spec = kernel_spec(request.environment)
        run = Step("running the command", request.command)
        if spec is None:
            return LaunchPlan(self.name, (run,), ("no kernel: the command runs as is",))
        planned = plan(
            spec, request.cache_root, request.env, rebuild=request.rebuild, lock=request.lock
        )
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
                spec,
                request.cache_root,
                env=env,
                log=log,
                rebuild=request.rebuild,
                lock=request.lock,
            )
            env = kernel_env(kernel, env)
            command = with_activation_hooks(command, kernel.prefix)
        env["ENVYARD_ENVIRONMENT"] = request.ref
        return run_command(command, env, cwd=None)


def get_engine(name: str) -> Backend:
    """The backend ``name``, refused (naming the ones that can) when it cannot launch."""
    from envyard import plugins

    return plugins.backend(name, "launch")


def plan_launch(request: LaunchRequest, engine: str = "local") -> LaunchPlan:
    """What :func:`launch` would run (nothing is installed or started)."""
    return get_engine(engine).plan_launch(request)


def launch(request: LaunchRequest, engine: str = "local", log: Log = lambda _l: None) -> int:
    """Run ``request.command`` in its environment with *engine*; return the exit code."""
    return get_engine(engine).launch(request, log)
