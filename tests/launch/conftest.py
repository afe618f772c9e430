"""Fixtures for launch tests: a working podman (or a skip that says why) and local images.

Podman on this kind of machine needs runc and ``default_ulimits`` in containers.conf; the
``podman`` fixture writes one to a temp ``CONTAINERS_CONF`` and checks a container really
runs. Images are built without any registry: a busybox-static root filesystem (plus, for the
Python image, the system ``python3`` and the ``uv`` binary with their libraries) is
``podman import``-ed under a unique tag and removed at the end of the session.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from envyard.testing.conda_channel import conda_channel

__all__ = ["conda_channel"]

CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
"""


@dataclass(frozen=True)
class Podman:
    env: dict[str, str]  # os.environ + CONTAINERS_CONF

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["podman", *args], env=self.env, capture_output=True, text=True, check=check
        )

    def import_rootfs(self, rootfs: Path, tag: str) -> str:
        tar_path = rootfs.with_suffix(".tar")
        with tarfile.open(tar_path, "w") as archive:
            archive.add(rootfs, arcname=".")
        self.run("import", "--quiet", str(tar_path), tag)
        return tag


def _busybox_root(root: Path) -> Path:
    busybox = shutil.which("busybox")
    if busybox is None:
        pytest.fail("busybox is not installed: apt-get install busybox-static", pytrace=False)
    (root / "bin").mkdir(parents=True)
    (root / "tmp").mkdir()
    shutil.copy2(busybox, root / "bin" / "busybox")
    for applet in ("sh", "echo", "cat", "ls", "env", "mkdir", "tr", "basename", "printf"):
        (root / "bin" / applet).symlink_to("busybox")
    return root


@pytest.fixture(scope="session")
def podman(tmp_path_factory: pytest.TempPathFactory) -> Podman:
    """A podman that can run containers here, or a skip printing what failed."""
    import os

    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (apt-get install podman runc)")
    work = tmp_path_factory.mktemp("podman")
    conf = work / "containers.conf"
    conf.write_text(CONTAINERS_CONF, encoding="utf-8")
    podman = Podman({**os.environ, "CONTAINERS_CONF": str(conf)})
    tag = f"localhost/envyard-probe-{secrets.token_hex(4)}:test"
    try:
        podman.import_rootfs(_busybox_root(work / "probe"), tag)
        out = podman.run("run", "--rm", "--network", "none", tag, "echo", "probe-ok")
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"podman cannot run containers here: {exc.cmd}: {exc.stderr.strip()}")
    finally:
        podman.run("rmi", "--force", tag, check=False)
    if "probe-ok" not in out.stdout:
        pytest.skip(f"podman ran but printed {out.stdout!r} / {out.stderr!r}")
    return podman


@pytest.fixture(scope="session")
def shell_kernel_image(podman: Podman, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """busybox + a pre-built "shell kernel" at /opt/envyard/kernels/shellk.

    The kernel has ``bin/kernel-hello`` (only on PATH once activated) and an activation hook
    ``etc/conda/activate.d/marker.sh`` exporting ``KERNEL_MARKER=activated``.
    """
    root = _busybox_root(tmp_path_factory.mktemp("shell-image") / "root")
    kernel = root / "opt" / "envyard" / "kernels" / "shellk"
    (kernel / "bin").mkdir(parents=True)
    (kernel / "etc" / "conda" / "activate.d").mkdir(parents=True)
    hello = kernel / "bin" / "kernel-hello"
    hello.write_text('#!/bin/sh\necho "hello from kernel $ENVYARD_KERNEL"\n', encoding="utf-8")
    hello.chmod(0o755)
    hook = kernel / "etc" / "conda" / "activate.d" / "marker.sh"
    hook.write_text("export KERNEL_MARKER=activated\n", encoding="utf-8")
    tag = podman.import_rootfs(root, f"localhost/envyard-shellk-{secrets.token_hex(4)}:test")
    yield tag
    podman.run("rmi", "--force", tag, check=False)


def _copy_with_libs(binary: Path, root: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(binary, dest)
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True)
    for word in out.stdout.split():
        if word.startswith("/") and Path(word).exists():
            target = root / word.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(word).resolve(), target)


@pytest.fixture(scope="session")
def python_image(podman: Podman, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """busybox + the system python3.11 (stdlib) + uv: the bootstrap can create a kernel."""
    import uv

    system_python = Path("/usr/bin/python3.11")
    if not system_python.exists():
        pytest.skip("no /usr/bin/python3.11 to put in the test image (apt-get install python3)")
    root = _busybox_root(tmp_path_factory.mktemp("python-image") / "root")
    _copy_with_libs(system_python, root, root / "usr" / "bin" / "python3.11")
    (root / "usr" / "bin" / "python3").symlink_to("python3.11")
    _copy_with_libs(Path(uv.find_uv_bin()), root, root / "usr" / "local" / "bin" / "uv")
    ignore = shutil.ignore_patterns("__pycache__", "test", "idlelib", "tkinter", "config-*")
    shutil.copytree("/usr/lib/python3.11", root / "usr" / "lib" / "python3.11", ignore=ignore)
    tag = podman.import_rootfs(root, f"localhost/envyard-python-{secrets.token_hex(4)}:test")
    yield tag
    podman.run("rmi", "--force", tag, check=False)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private ENVYARD_HOME."""
    path = tmp_path / "envyard-home"
    monkeypatch.setenv("ENVYARD_HOME", str(path))
    return path


def python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"
