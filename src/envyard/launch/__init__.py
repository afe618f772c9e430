"""Launching a command in an environment: materialise its kernel, then run.

``local``: the kernel becomes a uv venv (or a conda env) cached by content hash under
``load_settings().kernel_cache``. ``podman``/``docker``: the environment's image runs with
Envyard's bootstrap as entrypoint (``IMAGE --kernel K -- CMD``), which creates or activates the
kernel inside the container. See ``docs/launch.md``.
"""

from envyard.launch.engines import get_engine, launch, plan_launch
from envyard.launch.kernelspec import KernelSpec, kernel_spec
from envyard.launch.local import Kernel, materialise
from envyard.launch.request import LaunchPlan, LaunchRequest

__all__ = [
    "Kernel",
    "KernelSpec",
    "LaunchPlan",
    "LaunchRequest",
    "get_engine",
    "kernel_spec",
    "launch",
    "materialise",
    "plan_launch",
]
