"""A real conda channel: tiny packages built by the test, indexed with rattler, served as
``file://`` and over HTTP on 127.0.0.1.

:meth:`CondaChannel.add_package` writes a ``.tar.bz2`` conda package (``info/index.json``,
``info/paths.json``, ``info/files`` and its files; ``noarch: generic`` by default) and indexes
the channel again (``rattler.index.index_fs`` in a child process, which leaves with
``os._exit``: py-rattler can crash at interpreter exit). Each package installs
``share/<name>/VERSION`` and ``bin/<name>-version`` (a ``sh`` script printing the version), so
a test sees which build it got. ``linux-64/`` is indexed too (empty unless a package is built
for it), as clients fetch every platform's repodata.

:meth:`CondaChannel.serve` starts ``python -m http.server`` on 127.0.0.1 over the same
directory; ``.http_url`` is then the channel URL. :func:`isolated_conda_env` gives rattler a
private repodata cache (``RATTLER_CACHE_DIR``) and package cache (``ENVYARD_CONDA_PKGS``), so
a test sees what it published and nothing of another test.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

import pytest

from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import ServerProcess, start_process, wait_for_http

__all__ = ["CondaChannel", "conda_channel", "isolated_conda_env"]

_INDEX = (
    "import asyncio, os, sys\n"
    "from rattler.index import index_fs\n"
    "asyncio.run(index_fs(sys.argv[1], force=True))\n"
    "sys.stdout.flush(); os._exit(0)\n"
)


def isolated_conda_env(work: Path, base: Mapping[str, str]) -> dict[str, str]:
    """*base* with private rattler caches under *work*."""
    return {
        **base,
        "RATTLER_CACHE_DIR": str(work / "rattler-cache"),
        "ENVYARD_CONDA_PKGS": str(work / "conda-pkgs"),
    }


def _member(archive: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = mode
    archive.addfile(info, io.BytesIO(data))


class CondaChannel:
    """A channel directory (``root``) with ``noarch/`` and ``linux-64/`` subdirs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for subdir in ("noarch", "linux-64"):
            (root / subdir).mkdir(parents=True, exist_ok=True)
        self._server: ServerProcess | None = None
        self._port: int | None = None
        self.index()

    @property
    def url(self) -> str:
        """The channel as a ``file://`` URL."""
        return self.root.resolve().as_uri()

    @property
    def http_url(self) -> str:
        """The channel over HTTP (after :meth:`serve`)."""
        if self._port is None:
            raise RuntimeError("call serve() first")
        return f"http://{LOCALHOST}:{self._port}"

    def index(self) -> None:
        """Write every subdir's repodata.json again (rattler's indexer, in a child process)."""
        done = subprocess.run(
            [sys.executable, "-c", _INDEX, str(self.root)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"indexing {self.root} failed: {done.stderr.strip()[-2000:]}")

    def add_package(
        self,
        name: str,
        version: str,
        *,
        build: str = "0",
        depends: Sequence[str] = (),
        subdir: str = "noarch",
        files: Mapping[str, str] | None = None,
    ) -> Path:
        """Build ``<subdir>/<name>-<version>-<build>.tar.bz2`` and index the channel."""
        content: dict[str, tuple[bytes, int]] = {
            f"share/{name}/VERSION": (f"{version}\n".encode(), 0o644),
            f"bin/{name}-version": (f"#!/bin/sh\necho {name} {version}\n".encode(), 0o755),
        }
        for path, text in (files or {}).items():
            content[path] = (text.encode(), 0o644)
        index: dict[str, object] = {
            "name": name, "version": version, "build": build, "build_number": 0,
            "depends": list(depends), "subdir": subdir, "license": "MIT",
            "timestamp": 1_700_000_000_000,
        }  # fmt: skip
        if subdir == "noarch":
            index["noarch"] = "generic"
        else:
            index.update({"platform": subdir.split("-", maxsplit=1)[0], "arch": "x86_64"})
        paths = {
            "paths_version": 1,
            "paths": [
                {"_path": p, "path_type": "hardlink", "sha256": hashlib.sha256(d).hexdigest(),
                 "size_in_bytes": len(d)}
                for p, (d, _mode) in content.items()
            ],
        }  # fmt: skip
        target = self.root / subdir / f"{name}-{version}-{build}.tar.bz2"
        with tarfile.open(target, "w:bz2") as archive:
            _member(archive, "info/index.json", json.dumps(index).encode())
            _member(archive, "info/paths.json", json.dumps(paths).encode())
            _member(archive, "info/files", "".join(f"{p}\n" for p in content).encode())
            for path, (data, mode) in content.items():
                _member(archive, path, data, mode)
        self.index()
        return target

    def serve(self, *, timeout: float = 30.0) -> str:
        """Serve the channel over HTTP on 127.0.0.1; return its URL."""
        if self._server is None:
            port = free_port()
            argv = [sys.executable, "-m", "http.server", str(port), "--bind", LOCALHOST,
                    "--directory", str(self.root)]  # fmt: skip
            server = start_process("conda-channel", argv, self.root.parent / "channel-http.log")
            try:
                wait_for_http(
                    server, f"http://{LOCALHOST}:{port}/noarch/repodata.json", timeout=timeout
                )
            except BaseException:
                server.stop()
                raise
            self._server, self._port = server, port
        return self.http_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> CondaChannel:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture
def conda_channel(tmp_path: Path) -> Iterator[CondaChannel]:
    """A fresh channel for this test (``.url`` file://, ``.serve()`` for HTTP)."""
    with CondaChannel(tmp_path / "conda-channel" / "channel") as channel:
        yield channel


def served_with_credentials(
    channel: CondaChannel, index_url: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """Serve ``channel`` over HTTP with one package (``tinyconda`` 1.0), rattler isolated, and
    return its URL and ``index_url`` with credentials in them (``alice:s3cretpw``,
    ``bob:pw123``): the masking tests' sources (the local servers ignore the credentials)."""
    channel.add_package("tinyconda", "1.0")
    channel.serve()
    for key, value in isolated_conda_env(channel.root.parent, {}).items():
        monkeypatch.setenv(key, value)
    conda_url = channel.http_url.replace("http://", "http://alice:s3cretpw@")
    return conda_url, index_url.replace("http://", "http://bob:pw123@")
