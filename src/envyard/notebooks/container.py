"""``--backend container``: each notebook's kernel runs inside the environment's image (podman).

The container is started by :mod:`envyard.launch` 's podman engine (Envyard's bootstrap as the
entrypoint, which activates the environment's kernel inside the image) with
``--network none``: the default bridge network is never used. The kernel talks to the runner
over IPC sockets in a per-kernel folder bind-mounted at the same path inside the container, so
one connection file serves both sides. The notebook's snapshot folder is mounted the same way
and is the container's working directory. Interrupts reach the kernel through podman's signal
proxy; a kernel that is stopped or timed out is removed with ``podman rm --force``.

Podman on some machines needs ``runc`` and ``default_ulimits`` in ``containers.conf`` (see
``docs/notebooks.md``); point ``CONTAINERS_CONF`` at such a file.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

from envyard.errors import ConfigError, MissingDependencyError
from envyard.notebooks.choice import KernelChoice
from envyard.notebooks.job import Job, Listener, RunOptions
from envyard.notebooks.results import NotebookResult
from envyard.notebooks.runner import Runner
from envyard.settings import load_settings

KERNEL_COMMAND = ("python3", "-m", "ipykernel_launcher", "-f", "{connection_file}")


def podman_binary() -> str:
    found = shutil.which("podman")
    if found is None:
        raise MissingDependencyError(
            "podman is not installed (needed by --backend container)",
            hint="apt-get install podman runc, or use --backend local",
        )
    return found


def container_choice(job: Job, podman: str, python_command: tuple[str, ...]) -> KernelChoice:
    """The podman command that starts this notebook's kernel in its environment's image."""
    from envyard.launch.container import ContainerEngine
    from envyard.launch.request import LaunchRequest
    from envyard.notebooks.envs import get_environment

    if not job.kernel.environment:
        raise ConfigError(
            "--backend container runs notebooks in an environment's image",
            hint="pass --env NAME[@VERSION] or set `environment:` in notebooks.yaml",
        )
    if job.settings.pip:
        raise ConfigError(
            f"{job.shown} asks for pip requirements ({', '.join(job.settings.pip)}) that "
            "--backend container cannot add: its containers run without a network",
            hint="add them to the environment's kernel or image and drop `pip:` for this "
            "notebook, or run it with --backend local",
        )
    environment = get_environment(job.kernel.environment)
    request = LaunchRequest(
        environment=environment,
        ref=job.kernel.environment,
        command=python_command,
        env={**os.environ, "PATH": str(Path(podman).parent) + os.pathsep + os.defpath},
        cache_root=load_settings().kernel_cache,
        network="none",
        volumes=("{kernel_dir}:{kernel_dir}", "{cwd}:{cwd}"),
        env_vars=(f"ENVYARD_NOTEBOOK={job.path}", "MPLBACKEND=agg"),
        workdir="{cwd}",
    )
    engine = ContainerEngine("podman")
    (step,) = engine.plan(request).steps
    argv = list(step.argv)
    argv[argv.index("run") + 1 : argv.index("run") + 1] = [
        "--name",
        "{name}",
        "--label",
        f"envyard.notebook={job.path}",
    ]
    engine.prepare(request)  # the bootstrap and the locked kernel spec the command mounts
    cleanup = (podman, "rm", "--force", "--ignore", "--time", "0", "{name}")
    label = f"{environment.image} ({job.kernel.environment})"
    return KernelChoice(argv=tuple(argv), cleanup=cleanup, label_text=label)


async def run_in_containers(
    jobs: list[Job],
    options: RunOptions,
    listener: Listener | None = None,
    python: tuple[str, ...] = KERNEL_COMMAND,
) -> list[NotebookResult]:
    """Run every job with its kernel in a container; jobs that cannot get one are errors."""
    podman = podman_binary()
    ready: list[Job] = []
    failed: dict[int, NotebookResult] = {}
    for position, job in enumerate(jobs):
        try:
            choice = container_choice(job, podman, python)
        except Exception as exc:  # a clear result per notebook, never a crashed run
            failed[position] = NotebookResult(
                job.shown, job.path.name, "error", message=str(exc), reason="environment"
            )
            if listener is not None:
                listener("done", failed[position])
            continue
        plan = dataclasses.replace(job.kernel, choice=choice, env={})
        ready.append(dataclasses.replace(job, kernel=plan, env={}))
    runner = Runner(options, listener)
    try:
        ran = iter(await runner.run(ready)) if ready else iter(())
    finally:
        await runner.close()
    return [failed[i] if i in failed else next(ran) for i in range(len(jobs))]
