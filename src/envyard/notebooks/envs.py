"""Which kernel a notebook runs on: a registry environment's uv kernel, or this interpreter.

* ``kernel:`` in the settings names a Jupyter kernelspec, used as is.
* ``environment: NAME[@VERSION]`` is looked up in the registry (``envyard.client``); its kernel
  is the version's stored lock installed by :mod:`envyard.launch` (cached by lock hash), with
  ``ipykernel`` and the notebook's extra ``pip`` requirements in an overlay beside it
  (:mod:`envyard.notebooks.lockoverlay`): the locked packages are never changed.
* Otherwise this interpreter runs the kernel; extra ``pip`` requirements go into an overlay venv
  (``--system-site-packages``, cached by content hash) so this interpreter is never changed.
* A notebook whose kernelspec is not Python (``ir``, ``julia-1.9``) and no environment: that
  kernelspec, which may be missing (a clear error result, not a crash).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from envyard.errors import ExecutionError, NotFoundError
from envyard.notebooks.choice import KernelChoice, current_python
from envyard.notebooks.job import KernelPlan
from envyard.settings import load_settings
from envyard.spec.environment import Environment
from envyard.spec.notebooks import NotebookSettings

if TYPE_CHECKING:
    from envyard.locking.model import Lock

_LOCK = threading.Lock()


def _is_python(metadata: Mapping[str, Any]) -> bool:
    spec = metadata.get("kernelspec") or {}
    language = str(spec.get("language") or metadata.get("language_info", {}).get("name") or "")
    name = str(spec.get("name") or "python3")
    return language.lower() == "python" or name.startswith("python") or not spec


def get_environment(ref: str) -> Environment:
    """The registry environment ``NAME[@VERSION]`` (raises NotFoundError when unknown).

    Uses the server at ``ENVYARD_URL`` when set, else the local metastore.
    """
    from envyard.client import Client

    with Client.from_settings() as client:
        return client.environments.get(ref).spec()


def _uv() -> str:
    from envyard.launch.uvtool import uv_binary

    return uv_binary()


def _see_this_venv(overlay: Path) -> None:
    """When this interpreter is itself a venv (Envyard installed in one), the overlay's
    ``--system-site-packages`` reaches only the base interpreter's packages: a ``.pth`` file
    adds this venv's site-packages after the overlay's own (so ipykernel is found)."""
    if sys.prefix == sys.base_prefix:
        return
    import site

    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    target = overlay / "lib" / version / "site-packages"
    if target.is_dir():
        lines = [p for p in site.getsitepackages() if p.startswith(sys.prefix)]
        (target / "_envyard_parent_venv.pth").write_text("\n".join(lines) + "\n", "utf-8")


def overlay_python(requirements: list[str], cache_root: Path) -> str:
    """A venv over this interpreter (system site-packages) with ``requirements`` added."""
    layout = "v2"  # v2: a .pth to this venv's packages (see _see_this_venv)
    key = hashlib.sha256(
        json.dumps([layout, sys.executable, sys.version, sorted(requirements)]).encode()
    ).hexdigest()[:24]
    prefix = cache_root / f"nb-overlay-{key}"
    python = prefix / "bin" / "python"
    with _LOCK:
        if (prefix / ".complete").exists():
            return str(python)
        tmp = cache_root / f"nb-overlay-{key}.NEW-{os.getpid()}"
        cache_root.mkdir(parents=True, exist_ok=True)
        uv = _uv()
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        steps = [
            [
                uv,
                "venv",
                "--no-project",
                "--system-site-packages",
                "--python",
                sys.executable,
                str(tmp),
            ],
            [uv, "pip", "install", "--python", str(tmp / "bin" / "python"), *requirements],
        ]
        for args in steps:
            done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
            if done.returncode != 0:
                lines = (done.stderr or done.stdout).strip().splitlines()[-4:]
                raise ExecutionError(
                    f"installing {', '.join(requirements)} failed: " + " | ".join(lines)
                )
        _see_this_venv(tmp)
        (tmp / ".complete").write_text("ok\n", encoding="utf-8")
        if prefix.exists():  # built by another process meanwhile
            return str(python)
        tmp.rename(prefix)
    return str(python)


def environment_kernel(
    environment: Environment, extra_pip: list[str], cache_root: Path, lock: Lock | None = None
) -> KernelPlan:
    """``environment`` 's kernel installed here from its lock, with ipykernel beside it.

    ``lock`` is the version's stored lock when the caller has it (a remote job carries it);
    else it is looked up in the registry (:func:`envyard.backends.locks.lock_of`: the stored
    lock of the version, or the lock kept for a spec that has none). The kernel itself is
    exactly that lock (cached by lock hash); ipykernel and ``extra_pip`` come from an overlay
    (:mod:`envyard.notebooks.lockoverlay`), so the notebook sees the locked packages.
    """
    from envyard.launch.kernelspec import kernel_spec
    from envyard.launch.local import kernel_env, materialise
    from envyard.notebooks.lockoverlay import kernel_python

    shown = f"{environment.name}@{environment.version}"
    spec = kernel_spec(environment)
    if spec is None:
        raise ExecutionError(
            f"environment {shown} declares no kernel; use --backend container to run in its "
            f"image ({environment.image})"
        )
    if lock is None:
        from envyard.backends.locks import lock_of

        lock = lock_of(environment, cache_root=cache_root)
    kernel = materialise(spec, cache_root, lock=lock)
    env = kernel_env(kernel, os.environ)
    assert lock is not None  # noqa: S101 - lock_of returns one for a kernel spec
    python = kernel_python(kernel.prefix, lock, list(extra_pip), cache_root)
    return KernelPlan(KernelChoice(python=python), env, environment.image, shown)


def plan_kernel(
    settings: NotebookSettings, metadata: Mapping[str, Any], *, materialise: bool = True
) -> KernelPlan:
    """The kernel for a notebook; raises NotFoundError / ExecutionError with a clear message.

    With ``materialise=False`` (remote backends) a registry environment is only looked up: its
    kernel is made where the notebook runs.
    """
    cache_root = load_settings().kernel_cache
    if settings.kernel:
        return KernelPlan(KernelChoice(spec=settings.kernel))
    if settings.environment:
        try:
            if not materialise:
                environment = get_environment(settings.environment)
                shown = f"{environment.name}@{environment.version}"
                return KernelPlan(current_python(), {}, environment.image, shown)
            environment = get_environment(settings.environment)
            return environment_kernel(environment, list(settings.pip), cache_root)
        except NotFoundError as exc:
            raise NotFoundError(f"unknown environment '{settings.environment}': {exc}") from None
    if not _is_python(metadata):
        name = str(metadata.get("kernelspec", {}).get("name"))
        return KernelPlan(KernelChoice(spec=name))
    if settings.pip:
        return KernelPlan(KernelChoice(python=overlay_python(list(settings.pip), cache_root)))
    return KernelPlan(KernelChoice(python=sys.executable))
