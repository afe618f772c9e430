"""A podman that works here (or a skip saying why) and an offline-built image with ipykernel.

The image is built without any registry or network: busybox, the system ``python3.11`` with
its standard library, and ipykernel with its dependency closure copied from this
interpreter's site-packages (same CPython minor version, so compiled extensions load), plus
the shared libraries ``ldd`` names. It is ``podman import``-ed under a tag derived from its
content and kept for later sessions.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement

CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
"""
SITE = "usr/lib/python3/dist-packages"


@dataclass(frozen=True)
class Podman:
    env: dict[str, str]

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


def _copy_libs(binary: Path, root: Path) -> None:
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=False)
    for word in out.stdout.split():
        if word.startswith("/") and Path(word).exists():
            target = root / word.lstrip("/")
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(word).resolve(), target)


def _closure(name: str) -> list[md.Distribution]:
    seen: dict[str, md.Distribution] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        key = current.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            dist = md.distribution(current)
        except md.PackageNotFoundError:
            continue
        seen[key] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return list(seen.values())


def build_root(root: Path) -> Path:
    busybox = shutil.which("busybox")
    python = Path("/usr/bin/python3.11")
    if busybox is None or not python.exists():
        pytest.skip("the test image needs busybox and /usr/bin/python3.11 (apt-get install ...)")
    (root / "bin").mkdir(parents=True)
    (root / "tmp").mkdir()
    shutil.copy2(busybox, root / "bin" / "busybox")
    for applet in ("sh", "echo", "cat", "ls", "env", "mkdir", "tr", "basename", "printf"):
        (root / "bin" / applet).symlink_to("busybox")
    (root / "usr" / "bin").mkdir(parents=True)
    shutil.copy2(python, root / "usr" / "bin" / "python3.11")
    (root / "usr" / "bin" / "python3").symlink_to("python3.11")
    _copy_libs(python, root)
    ignore = shutil.ignore_patterns("__pycache__", "test", "idlelib", "tkinter", "config-*")
    shutil.copytree("/usr/lib/python3.11", root / "usr/lib/python3.11", ignore=ignore)
    for extension in (root / "usr/lib/python3.11/lib-dynload").glob("*.so"):
        _copy_libs(extension, root)
    site = root / SITE
    for dist in _closure("ipykernel"):
        base = Path(str(dist.locate_file("")))
        for file in dist.files or []:
            source = base / file
            if ".." in file.parts or not source.is_file() or "__pycache__" in file.parts:
                continue
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            if source.suffix == ".so" or ".so." in source.name:
                _copy_libs(source, root)
    return root


def podman_or_skip(work: Path) -> Podman:
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (apt-get install podman runc)")
    conf = work / "containers.conf"
    conf.write_text(CONTAINERS_CONF, encoding="utf-8")
    return Podman({**os.environ, "CONTAINERS_CONF": str(conf)})


def image_tag() -> str:
    """A tag naming the image's content (interpreter + package versions): built once, reused."""
    parts = [Path("/usr/bin/python3.11").stat().st_size, CONTAINERS_CONF]
    parts += sorted(f"{d.metadata['Name']}=={d.version}" for d in _closure("ipykernel"))
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    return f"localhost/envyard-nb-test-python:{digest}"


def ipykernel_image(podman: Podman, work: Path) -> str:
    """The image (built unless this content was built before); skip if it cannot run."""
    tag = image_tag()
    try:
        if podman.run("image", "exists", tag, check=False).returncode != 0:
            podman.import_rootfs(build_root(work / "root"), tag)
        probe = "import ipykernel, zmq; print('probe-ok')"
        out = podman.run("run", "--rm", "--network", "none", tag, "python3", "-c", probe)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"podman cannot run the test image here: {exc.cmd}: {exc.stderr.strip()}")
    if "probe-ok" not in out.stdout:
        podman.run("rmi", "--force", tag, check=False)
        pytest.skip(f"the test image cannot import ipykernel: {out.stdout!r} {out.stderr!r}")
    return tag
