"""The built-in backends, as the ``envyard.backends`` entry points name them.

Each class is one place where work runs and serves what its ``capabilities`` say, by composing
the modules that do the work (imported only when used, so ``env launch`` loads no job code):

============  =====================  ============================  ===========================
backend       job submit             env launch                    nb test
============  =====================  ============================  ===========================
local         :mod:`.local`          uv kernel (launch.engines)    kernels here (runner)
container     :mod:`.container`      the image, podman or docker   podman (notebooks.container)
podman        container, podman      the image with podman         podman
docker        container, docker      the image with docker         -
ray           :mod:`.ray`            -                             Ray jobs (ray_backend)
kubernetes    :mod:`.kubernetes`     -                             -
============  =====================  ============================  ===========================
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from envyard.backends.container import ContainerBackend
    from envyard.backends.interface import Capability, Handle, Submission
    from envyard.launch.request import LaunchPlan, LaunchRequest
    from envyard.launch.steps import Log
    from envyard.notebooks.job import Job, Listener, RunOptions
    from envyard.notebooks.results import NotebookResult

__all__ = ["Container", "Docker", "Kubernetes", "Local", "Podman", "Ray"]


class Local:
    """This machine: jobs under a supervisor, kernels from the uv cache."""

    name = "local"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({"job", "launch", "notebook"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def submit(self, submission: Submission) -> Handle:
        from envyard.backends.local import LocalBackend
        from envyard.backends.locks import with_locks

        return LocalBackend(self.settings).submit(with_locks(submission))

    def attach(self, data: Mapping[str, Any]) -> Handle:
        from envyard.backends.local import LocalBackend

        return LocalBackend(self.settings).attach(data)

    def plan_launch(self, request: LaunchRequest) -> LaunchPlan:
        from envyard.launch.engines import LocalEngine

        return LocalEngine().plan(request)

    def launch(self, request: LaunchRequest, log: Log) -> int:
        from envyard.launch.engines import LocalEngine

        return LocalEngine().run(request, log)

    async def run_notebooks(
        self, jobs: list[Job], options: RunOptions, listener: Listener | None
    ) -> list[NotebookResult]:
        from envyard.notebooks.runner import run_jobs

        return await run_jobs(jobs, options, listener)


class Container:
    """The environment's image with podman or docker (setting ``engine``; podman first)."""

    name = "container"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({"job", "launch", "notebook"})
    engine: ClassVar[str | None] = None  # fixed by the podman and docker backends

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})
        if self.engine is not None:
            self.settings["engine"] = self.engine

    def _jobs(self) -> ContainerBackend:
        from envyard.backends.container import ContainerBackend

        return ContainerBackend(self.settings)

    def _tool(self) -> str:
        wanted = self.settings.get("engine")
        if wanted:
            return str(wanted)
        return "podman" if shutil.which("podman") or not shutil.which("docker") else "docker"

    def preflight(self, plan: Any) -> None:
        self._jobs().preflight(plan)

    def submit(self, submission: Submission) -> Handle:
        from envyard.backends.locks import with_locks

        return self._jobs().submit(with_locks(submission))

    def attach(self, data: Mapping[str, Any]) -> Handle:
        return self._jobs().attach(data)

    def plan_launch(self, request: LaunchRequest) -> LaunchPlan:
        from envyard.launch.container import ContainerEngine

        return ContainerEngine(self._tool()).plan(request)

    def launch(self, request: LaunchRequest, log: Log) -> int:
        from envyard.launch.container import ContainerEngine

        return ContainerEngine(self._tool()).run(request, log)

    async def run_notebooks(
        self, jobs: list[Job], options: RunOptions, listener: Listener | None
    ) -> list[NotebookResult]:
        from envyard.errors import ConfigError
        from envyard.notebooks.container import run_in_containers

        if self._tool() != "podman":
            raise ConfigError(
                f"notebook kernels in containers need podman, not {self._tool()}",
                hint="install podman (apt-get install podman runc), or use --backend local",
            )
        return await run_in_containers(jobs, options, listener)


class Podman(Container):
    name = "podman"
    engine = "podman"


class Docker(Container):
    name = "docker"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({"job", "launch"})
    engine = "docker"


class Ray:
    """A Ray cluster (setting ``address``, else ``RAY_ADDRESS``): jobs and notebooks."""

    name = "ray"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({"job", "notebook"})
    kernel_mode = "none"  # the kernel's packages travel in the runtime_env, not the bootstrap

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def preflight(self, plan: Any) -> None:
        from envyard.backends.ray import RayBackend

        RayBackend(self.settings).preflight(plan)

    def submit(self, submission: Submission) -> Handle:
        from envyard.backends.ray import RayBackend

        return RayBackend(self.settings).submit(submission)

    def attach(self, data: Mapping[str, Any]) -> Handle:
        from envyard.backends.ray import RayBackend

        return RayBackend(self.settings).attach(data)

    async def run_notebooks(
        self, jobs: list[Job], options: RunOptions, listener: Listener | None
    ) -> list[NotebookResult]:
        from envyard.notebooks.ray_backend import run_on_ray

        address = self.settings.get("address")
        return await run_on_ray(jobs, options, listener, address=address and str(address))


class Kubernetes:
    """A Kubernetes cluster (kubeconfig): one Indexed Job per task role."""

    name = "kubernetes"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({"job"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def preflight(self, plan: Any) -> None:
        from envyard.backends.kubernetes import KubernetesBackend

        KubernetesBackend(self.settings).preflight(plan)

    def submit(self, submission: Submission) -> Handle:
        from envyard.backends.kubernetes import KubernetesBackend

        return KubernetesBackend(self.settings).submit(submission)

    def attach(self, data: Mapping[str, Any]) -> Handle:
        from envyard.backends.kubernetes import KubernetesBackend

        return KubernetesBackend(self.settings).attach(data)
