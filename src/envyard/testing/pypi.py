"""A real package index: ``pypiserver`` on 127.0.0.1, serving wheels the test builds.

The server is pypiserver's own app with its own options; when ``waitress`` is installed (the
``test`` extra has it) it is hosted by waitress instead of ``wsgiref``, whose backlog of 5 drops
the parallel connections uv opens (see :mod:`envyard.testing.pypiserver_main`).

:class:`PypiIndex` serves a directory of wheels without authentication and without falling back
to PyPI; :meth:`PypiIndex.add_wheel` builds a wheel into it (pre-releases such as ``2.0.0rc1``
and ``Requires-Dist`` included) and the index lists it on the next request.

Isolation: this machine's pip and uv configuration adds extra indexes and find-links
(``/etc/pip.conf`` and ``PIP_*`` variables). A test that runs pip or uv against this index must
ignore all of it, or packages may come from elsewhere. Use :meth:`PypiIndex.isolated_env` (drops
every ``PIP_*``/``UV_*`` variable, sets ``PIP_CONFIG_FILE=/dev/null``, ``UV_NO_CONFIG=1``,
``PIP_INDEX_URL``/``UV_INDEX_URL`` and private caches) and, where the tool has them, also pass
``--isolated`` (pip) or ``--no-config`` (uv) with ``--index-url``::

    env = pypi_index.isolated_env()
    subprocess.run(["uv", "pip", "install", "--no-config", "--index-url", pypi_index.url,
                    "--python", str(venv), "demo==1.0"], env=env, check=True)
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import ServerProcess, start_process, wait_for_http
from envyard.testing.wheels import build_wheel

__all__ = ["PypiIndex", "isolated_installer_env"]


def isolated_installer_env(
    index_url: str, cache_dir: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return an environment in which pip and uv use only *index_url* and no machine config."""
    env = {
        key: value
        for key, value in (os.environ if base is None else base).items()
        if not key.startswith(("PIP_", "UV_"))
    }
    env.update(
        {
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_INDEX_URL": index_url,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INPUT": "1",
            "PIP_CACHE_DIR": str(cache_dir / "pip"),
            "UV_NO_CONFIG": "1",
            "UV_INDEX_URL": index_url,
            "UV_CACHE_DIR": str(cache_dir / "uv"),
            "UV_PYTHON_DOWNLOADS": "never",
        }
    )
    return env


def _server_module() -> tuple[str, str]:
    """pypiserver's app on waitress when installed (see :mod:`.pypiserver_main`), else its own."""
    if importlib.util.find_spec("waitress") is not None:
        return "envyard.testing.pypiserver_main", "pypiserver app on waitress"
    return "pypiserver", "pypiserver on wsgiref"


class PypiIndex:
    """A running pypiserver; create with :meth:`start`, stop with :meth:`stop` (or ``with``).

    Attributes: ``url`` is the PEP 503 simple index (``http://127.0.0.1:PORT/simple/``),
    ``root_url`` the server root, ``packages_dir`` the directory it serves.
    """

    def __init__(self, server: ServerProcess, port: int, packages_dir: Path, work_dir: Path):
        self._server = server
        self.server_name = "pypiserver"  # how it is served, for reports
        self.port = port
        self.packages_dir = packages_dir
        self._work_dir = work_dir

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://{LOCALHOST}:{self.port}/"

    @property
    def url(self) -> str:
        """The simple index URL, ``http://127.0.0.1:PORT/simple/``: give it to pip or uv."""
        return f"{self.root_url}simple/"

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self._server.log_path

    @classmethod
    def start(
        cls,
        work_dir: Path,
        *,
        timeout: float = 30.0,
        backend: str = "simple-dir",
        hash_algo: str = "sha256",
    ) -> PypiIndex:
        """Start pypiserver serving ``work_dir/packages`` and wait until it answers.

        The defaults list a wheel on the very next request after :meth:`add_wheel`.
        ``backend="cached-dir"`` (needs ``watchdog``) caches the listing and learns of new files
        through inotify, a moment later; with ``hash_algo="off"`` links carry no digest. Both
        spare the server a directory scan and file hashing per request (benchmarks use them
        on a directory filled before the start).
        """
        packages_dir = work_dir / "packages"
        packages_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        module, server_name = _server_module()
        argv = [
            sys.executable,
            "-m",
            module,
            "run",
            "--port",
            str(port),
            "--host",
            LOCALHOST,
            "--disable-fallback",
            "--authenticate",
            ".",
            "--passwords",
            ".",
            "--backend",
            backend,
            "--hash-algo",
            hash_algo,
            str(packages_dir),
        ]
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        server = start_process("pypiserver", argv, work_dir / "pypiserver.log", env=env)
        try:
            wait_for_http(server, f"http://{LOCALHOST}:{port}/health", timeout=timeout)
        except BaseException:
            server.stop()
            raise
        index = cls(server, port, packages_dir, work_dir)
        index.server_name = f"{server_name}, --backend {backend}, --hash-algo {hash_algo}"
        return index

    def stop(self) -> None:
        """Stop the server (terminate, wait, kill)."""
        self._server.stop()

    def __enter__(self) -> PypiIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def add_wheel(
        self,
        name: str,
        version: str,
        *,
        requires: Sequence[str] = (),
        requires_python: str | None = None,
        module_text: str | None = None,
    ) -> Path:
        """Build a tiny wheel into the served directory and return its path.

        *version* may be any PEP 440 version (``2.0.0rc1``, ``1.0.post1``); *requires* are
        PEP 508 ``Requires-Dist`` strings, which must themselves be on this index to install.
        """
        return build_wheel(
            self.packages_dir,
            name,
            version,
            requires=requires,
            requires_python=requires_python,
            module_text=module_text,
        )

    def isolated_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for pip/uv subprocesses that use only this index (see module docs)."""
        return isolated_installer_env(self.url, self._work_dir / "cache", base)
