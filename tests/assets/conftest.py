"""Fixtures for asset tests: asset repos on disk, a static PEP 691/503 index, pytest wheels,
and a podman that can build (or a skip that says why).

The static index is a real HTTP server (the standard library's) serving files the test
writes; it negotiates PEP 691 JSON by ``Accept`` (``index.json`` next to ``index.html``),
which pypiserver does not offer, and carries ``data-yanked`` / ``"yanked"`` markers.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from envyard.testing.git import GitRepo
from envyard.testing.ports import LOCALHOST
from envyard.testing.pypi import PypiIndex

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


# --- asset repositories -------------------------------------------------------------------


def latest_layout_then_empty_main(repo: GitRepo) -> None:
    """A ``release`` branch in the azureml-assets layout (``latest/<type>/<name>/``, one data
    asset), then an empty ``main`` checked out to write the assets on."""
    repo.run("checkout", "-q", "--orphan", "release")
    data = repo.path / "latest" / "data" / "p"
    data.mkdir(parents=True)
    (data / "asset.yaml").write_text("name: p\nversion: 1\ntype: data\nspec: spec.yaml\n")
    (data / "spec.yaml").write_text("name: p\nversion: 1\ntype: uri_file\npath: asset.yaml\n")
    repo.commit("release")
    repo.run("checkout", "-q", "--orphan", "main")
    repo.run("rm", "-r", "-q", "--cached", ".")
    repo.run("clean", "-fdxq")


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def env_asset(
    root: Path,
    name: str,
    *,
    folder: str | None = None,
    version: str = "auto",
    dockerfile: str = "FROM 127.0.0.1:5000/base/python:3.11\n",
    requirements: str | None = None,
    image: str | None = None,
    location: str = "localhost:5000",
    extra_asset: str = "",
    spec_tags: str = '  OS: Ubuntu22.04\n  Python: "3.11"\n',
) -> Path:
    """Write a valid environment asset under ``root/folder`` and return its folder."""
    base = root / (folder or name)
    templates = ["Dockerfile"] + (["requirements.txt"] if requirements is not None else [])
    write(
        base,
        "asset.yaml",
        f"name: {name}\nversion: {version}\ntype: environment\nspec: spec.yaml\n"
        f"extra_config: environment.yaml\n{extra_asset}",
    )
    write(
        base,
        "spec.yaml",
        "# the platform spec\ndescription: >-\n  An environment for tests.\n"
        'name: "{{asset.name}}"\nversion: "{{asset.version}}"\n'
        'build:\n  path: "{{asset.repo.build_context.path}}"\n'
        f"os_type: linux\ntags:\n{spec_tags}",
    )
    write(
        base,
        "environment.yaml",
        f"image:\n  name: {image or 'azureml/curated/' + name}\n  os: linux\n  context:\n"
        f"    dir: context\n    template_files:\n"
        + "".join(f"      - {t}\n" for t in templates)
        + f"  publish:\n    location: {location}\n    visibility: public\n",
    )
    write(base, "context/Dockerfile", dockerfile)
    if requirements is not None:
        write(base, "context/requirements.txt", requirements)
    return base


# --- a static index with PEP 691 JSON and yanked files ------------------------------------


class _Handler(SimpleHTTPRequestHandler):
    failures: ClassVar[list[int]] = []  # statuses to answer before serving (429/503 tests)
    served: ClassVar[list[str]] = []

    def send_head(self) -> Any:
        _Handler.served.append(self.path)
        if _Handler.failures:
            status = _Handler.failures.pop(0)
            self.send_response(status)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        path = Path(self.translate_path(self.path))
        if path.is_dir() and JSON_TYPE in self.headers.get("Accept", ""):
            candidate = path / "index.json"
            if candidate.is_file():
                data = candidate.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", JSON_TYPE)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return _Bytes(data)
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_: Any) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        return


class StaticIndex:
    """``add(project, files, json=bool)``: files are (filename, yanked) pairs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "simple").mkdir(parents=True, exist_ok=True)
        handler = functools.partial(_Handler, directory=str(root))
        self.server = ThreadingHTTPServer((LOCALHOST, 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.server.server_address[1]}/simple/"

    def add(self, project: str, files: list[tuple[str, bool]], *, as_json: bool) -> None:
        folder = self.root / "simple" / project
        folder.mkdir(parents=True, exist_ok=True)
        if as_json:
            body = {
                "meta": {"api-version": "1.1"},
                "name": project,
                "files": [
                    {"filename": f, "url": f"../../files/{f}", "hashes": {}, "yanked": y}
                    for f, y in files
                ],
            }
            (folder / "index.json").write_text(json.dumps(body), encoding="utf-8")
            html = "<html><body>HTML must not be used when JSON is offered</body></html>"
        else:
            yanked = ' data-yanked=""'
            links = "".join(
                f'<a href="../../files/{f}"{yanked if y else ""}>{f}</a><br>\n' for f, y in files
            )
            html = f"<!DOCTYPE html><html><body>{links}</body></html>"
        (folder / "index.html").write_text(html, encoding="utf-8")

    def fail_next(self, *statuses: int) -> None:
        """Answer the next requests with these statuses (then serve normally)."""
        _Handler.failures[:] = list(statuses)
        _Handler.served.clear()

    @property
    def served(self) -> list[str]:
        return list(_Handler.served)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def static_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticIndex]:
    # module scope: its server thread ends with the module, so later tests in the same
    # xdist worker (which may fork only without threads) do not inherit it
    index = StaticIndex(tmp_path_factory.mktemp("static-index"))
    yield index
    index.stop()


# --- real pytest wheels on the package index ----------------------------------------------


def _requires(dist: md.Distribution) -> list[str]:
    """The distribution's requirements that apply here (no extras, markers evaluated)."""
    from packaging.requirements import Requirement

    names = []
    for line in dist.requires or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        names.append(req.name)
    return names


def wheel_from_installed(name: str, dest: Path) -> Path:
    """A wheel of the installed distribution ``name`` (its files and dist-info, as installed)."""
    dist = md.distribution(name)
    version = dist.version
    norm = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    path = dest / f"{norm}-{version}-py3-none-any.whl"
    base = Path(str(dist.locate_file("")))
    record_lines = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in dist.files or []:
            rel = str(file)
            if rel.startswith("..") or "__pycache__" in rel or rel.endswith((".pyc", "RECORD")):
                continue
            if rel.endswith(("INSTALLER", "REQUESTED", "direct_url.json")):
                continue
            data = (base / rel).read_bytes()
            zf.writestr(rel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record_lines.append(f"{rel},sha256={digest.decode()},{len(data)}")
        info = next(str(f).split("/")[0] for f in dist.files or [] if ".dist-info/" in str(f))
        if not any(str(f).endswith("WHEEL") for f in dist.files or []):
            wheel = (
                "Wheel-Version: 1.0\nGenerator: envyard-tests\nRoot-Is-Purelib: true\n"
                "Tag: py3-none-any\n"
            )
            zf.writestr(f"{info}/WHEEL", wheel)
            record_lines.append(f"{info}/WHEEL,,")
        record_lines.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record_lines) + "\n")
    return path


@pytest.fixture(scope="session")
def index_with_pytest(pypi_index: PypiIndex) -> PypiIndex:
    """The session index with real pytest (and its dependencies) wheels on it."""
    todo, done = ["pytest"], set()
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in done:
            continue
        done.add(key)
        wheel_from_installed(name, pypi_index.packages_dir)
        todo += _requires(md.distribution(name))
    return pypi_index


# --- podman --------------------------------------------------------------------------------

CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
"""


@pytest.fixture(scope="session")
def podman_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment in which podman can build here (containers.conf), or a skip saying why."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (apt-get install podman runc)")
    work = tmp_path_factory.mktemp("podman")
    conf = work / "containers.conf"
    conf.write_text(CONTAINERS_CONF, encoding="utf-8")
    env = {**os.environ, "CONTAINERS_CONF": str(conf)}
    probe = subprocess.run(["podman", "info"], env=env, capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"podman cannot run here: {probe.stderr.strip()[-300:]}")
    return env


def busybox_rootfs_tar(dest: Path) -> Path:
    busybox = shutil.which("busybox")
    if busybox is None:
        pytest.skip("busybox is not installed (apt-get install busybox-static)")
    root = dest / "rootfs"
    (root / "bin").mkdir(parents=True)
    (root / "tmp").mkdir()
    shutil.copy2(busybox, root / "bin" / "busybox")
    for applet in ("sh", "echo", "cat", "ls", "env", "mkdir", "chmod", "cp"):
        (root / "bin" / applet).symlink_to("busybox")
    tar_path = dest / "rootfs.tar"
    with tarfile.open(tar_path, "w") as archive:
        archive.add(root, arcname=".")
    return tar_path
