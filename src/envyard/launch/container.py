"""The ``podman`` and ``docker`` engines: the environment's image, Envyard's bootstrap inside.

The command run is the seed design's ``IMAGE --kernel K -- CMD``::

    podman run --rm --network none \\
        -v <cache>/bootstrap/<h>/envyard-bootstrap.sh:/envyard/bootstrap.sh:ro \\
        -v <cache>/container-specs/<key>:/envyard/kernel-spec:ro \\
        -e ENVYARD_KERNEL_SPEC=/envyard/kernel-spec \\
        --entrypoint /envyard/bootstrap.sh IMAGE --kernel K -- CMD...

With ``use_image_entrypoint`` the image's own ENTRYPOINT (the bootstrap, installed by the
Dockerfile lines in ``docs/launch.md``) is used and only the kernel spec is mounted. The
network is ``none`` unless ``host`` is asked for; the default bridge is never used.
"""

from __future__ import annotations

import secrets
import shutil
import sys
from pathlib import Path

from envyard.errors import ConfigError, ExecutionError, MissingDependencyError
from envyard.launch.bootstrap import bootstrap_path, installed_bootstrap
from envyard.launch.foreground import run_foreground
from envyard.launch.kernelspec import KernelSpec, kernel_spec
from envyard.launch.local import cache_key
from envyard.launch.request import LaunchPlan, LaunchRequest
from envyard.launch.steps import Log, Step

__all__ = ["ContainerEngine", "kernel_spec_dir", "locked_kernel_spec", "write_kernel_spec"]

BOOTSTRAP_IN_CONTAINER = "/envyard/bootstrap.sh"
SPEC_IN_CONTAINER = "/envyard/kernel-spec"


def kernel_spec_dir(spec: KernelSpec, cache_root: Path) -> Path:
    """Where :func:`write_kernel_spec` puts *spec*'s files (nothing is written)."""
    return cache_root / "container-specs" / cache_key(spec)


def write_kernel_spec(spec: KernelSpec, cache_root: Path) -> Path:
    """The files the bootstrap creates a kernel from, in a directory published atomically."""
    target = kernel_spec_dir(spec, cache_root)
    if target.is_dir():
        return target
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
    tmp.mkdir(parents=True)
    (tmp / "requirements.txt").write_text(spec.requirements_txt(), encoding="utf-8")
    (tmp / "conda-packages.txt").write_text("".join(f"{p}\n" for p in spec.conda), "utf-8")
    (tmp / "environment.yml").write_text(spec.environment_yml(), encoding="utf-8")
    try:
        tmp.rename(target)
    except OSError:  # a concurrent launch published the same content first
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def locked_kernel_spec(request: LaunchRequest) -> KernelSpec | None:
    """The kernel the bootstrap creates: the environment's, pinned to its lock (the version's
    stored lock, else the spec's own, made once and kept like the local engine's)."""
    from envyard.backends.locks import lock_of, locked_spec

    spec = kernel_spec(request.environment)
    lock = request.lock or lock_of(
        request.environment, request.env, cache_root=request.cache_root, rebuild=request.rebuild
    )
    return None if spec is None or lock is None else locked_spec(spec, lock)


class ContainerEngine:
    """Runs launches with ``tool`` (``podman`` or ``docker``)."""

    def __init__(self, tool: str) -> None:
        self.name = tool

    def _tool_path(self, request: LaunchRequest) -> str:
        found = shutil.which(self.name, path=request.env.get("PATH"))
        if found is None:
            raise MissingDependencyError(
                f"{self.name} is not installed (needed by --engine {self.name})",
                hint=f"install {self.name} (Debian: apt-get install {self.name}), "
                "or use --engine local",
            )
        return found

    def plan(self, request: LaunchRequest) -> LaunchPlan:
        environment = request.environment
        if environment.image is None:
            raise ConfigError(
                f"environment {request.ref} has no image; --engine {self.name} needs one",
                hint="add `image:` to the environment, or use --engine local",
            )
        argv = [self._tool_path(request), "run", "--rm", "--network", request.network]
        if sys.stdin.isatty() and sys.stdout.isatty():
            argv += ["--interactive", "--tty"]
        spec = locked_kernel_spec(request)
        if not request.use_image_entrypoint:
            boot = bootstrap_path(request.cache_root)
            argv += ["--volume", f"{boot}:{BOOTSTRAP_IN_CONTAINER}:ro"]
            argv += ["--entrypoint", BOOTSTRAP_IN_CONTAINER]
        if spec is not None:
            spec_dir = kernel_spec_dir(spec, request.cache_root)
            argv += ["--volume", f"{spec_dir}:{SPEC_IN_CONTAINER}:ro"]
            argv += ["--env", f"ENVYARD_KERNEL_SPEC={SPEC_IN_CONTAINER}"]
        argv += ["--env", f"ENVYARD_ENVIRONMENT={request.ref}"]
        for key, value in spec.variables if spec is not None else ():
            argv += ["--env", f"{key}={value}"]  # the kernel's conda `variables:`
        for volume in request.volumes:
            argv += ["--volume", volume]
        for var in request.env_vars:
            argv += ["--env", var]
        if request.workdir:
            argv += ["--workdir", request.workdir]
        argv.append(environment.image)
        if spec is not None:
            argv += ["--kernel", spec.name]
        argv += ["--", *request.command]
        what = f"kernel {spec.name}" if spec else "the image's own environment"
        step = Step(f"running the command in {environment.image} with {what}", tuple(argv))
        return LaunchPlan(self.name, (step,), (f"network: {request.network}",))

    def prepare(self, request: LaunchRequest) -> None:
        """Write the bootstrap and the kernel spec files the planned command mounts."""
        if not request.use_image_entrypoint:
            installed_bootstrap(request.cache_root)
        spec = locked_kernel_spec(request)
        if spec is not None:
            write_kernel_spec(spec, request.cache_root)

    def run(self, request: LaunchRequest, log: Log) -> int:
        (step,) = self.plan(request).steps
        self.prepare(request)
        log(step.description)
        try:
            return run_foreground(step.argv, request.env)
        except OSError as exc:
            raise ExecutionError(f"cannot run {self.name}: {exc}") from None
