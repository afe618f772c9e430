"""A registry environment's kernel for notebooks: its stored lock as is, ipykernel beside it.

The environment's kernel is installed from the version's lock (the one install path,
:func:`envyard.launch.local.materialise`, cached by lock hash) and never changed: adding
``ipykernel`` to it would change the spec hash and lock a different kernel. The notebook's
interpreter is an *overlay* venv on the kernel's Python, keyed by the lock hash and the
notebook's extra ``pip`` requirements. Its ``.pth`` puts on ``sys.path``, in this order:

1. the locked kernel's site-packages (``site.addsitedir``: its own ``.pth`` files work), so
   every locked package wins over anything below;
2. the notebook's extra requirements (``uv pip install --target``, constrained to the lock's
   pins: an extra that contradicts the lock is a clear error);
3. ipykernel: this interpreter's site-packages when the kernel's Python is this one's X.Y
   (nothing is downloaded), else ipykernel installed with uv into the overlay.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import site
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from envyard.errors import ExecutionError

if TYPE_CHECKING:
    from envyard.locking.model import Lock

__all__ = ["kernel_python"]

_LOCK = threading.Lock()
LAYOUT = "lock-overlay-1"
PTH = "_envyard_kernel.pth"


def _site_dirs(prefix: Path) -> list[Path]:
    return sorted(p for p in prefix.glob("lib/python3*/site-packages") if p.is_dir())


def _this_python_dirs() -> list[str]:
    """Where this interpreter's ipykernel and its dependencies are."""
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dirs if Path(d).is_dir()]


def _run(args: list[str], what: str) -> None:
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()[-4:]
        raise ExecutionError(f"{what} failed: " + " | ".join(lines))


def _pins(lock: Lock, platform: str) -> str:
    packages = lock.for_platform(platform).pip
    return "".join(f"{p.name}=={p.version}\n" for p in packages)


def kernel_python(kernel_prefix: Path, lock: Lock, extra_pip: list[str], cache_root: Path) -> str:
    """The notebook interpreter over the locked kernel in ``kernel_prefix`` (see module docs)."""
    from envyard.launch.uvtool import uv_binary
    from envyard.locking.config import host_platform
    from envyard.locking.install import lock_key

    platform = host_platform()
    locked = _site_dirs(kernel_prefix)
    if not locked:
        raise ExecutionError(f"the kernel in {kernel_prefix} has no site-packages folder")
    version = locked[0].parent.name  # python3.X
    same = version == f"python{sys.version_info.major}.{sys.version_info.minor}"
    data = [LAYOUT, lock_key(lock, platform), str(kernel_prefix), sorted(extra_pip)]
    if same:
        data += [sys.executable, sys.version]
    key = hashlib.sha256(json.dumps(data).encode()).hexdigest()[:24]
    prefix = cache_root / f"nb-kernel-{key}"
    python = prefix / "bin" / "python"
    with _LOCK:
        if (prefix / ".complete").exists():
            return str(python)
        tmp = cache_root / f"nb-kernel-{key}.NEW-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        cache_root.mkdir(parents=True, exist_ok=True)
        uv = uv_binary()
        base = str(kernel_prefix / "bin" / "python")
        _run([uv, "venv", "--no-project", "--python", base, str(tmp)], "creating the overlay")
        target = _site_dirs(tmp)[0]
        lines = [f"import site; site.addsitedir({str(d)!r})" for d in locked]
        if extra_pip:
            constraints = tmp / "lock-constraints.txt"
            constraints.write_text(_pins(lock, platform), encoding="utf-8")
            args = [uv, "pip", "install", "--python", str(tmp / "bin" / "python")]
            args += ["--target", str(tmp / "extra"), "-c", str(constraints), *extra_pip]
            _run(args, f"installing {', '.join(extra_pip)}")
            lines.append(str(prefix / "extra"))
        if same:
            lines.extend(_this_python_dirs())
        else:
            args = [uv, "pip", "install", "--python", str(tmp / "bin" / "python")]
            args += ["--target", str(tmp / "ipykernel"), "ipykernel"]
            _run(args, "installing ipykernel beside the locked kernel")
            lines.append(str(prefix / "ipykernel"))
        (target / PTH).write_text("\n".join(lines) + "\n", encoding="utf-8")
        (tmp / ".complete").write_text("ok\n", encoding="utf-8")
        if prefix.exists():  # built by another process meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
            return str(python)
        tmp.rename(prefix)
    return str(python)
