"""A real OCI registry (Debian's ``docker-registry``, distribution 2.8) on 127.0.0.1.

:meth:`OciRegistry.start` writes its own config (filesystem storage in the work dir, deletes
enabled) and serves one of three auth modes:

* ``"anonymous"`` — no auth;
* ``"basic"`` — htpasswd with a bcrypt hash of a generated password;
* ``"token"`` — ``auth: token`` against an in-process :class:`TokenIssuer` whose certificate is
  the ``rootcertbundle``; clients get a ``401`` with ``WWW-Authenticate: Bearer realm=...``.

The object has ``.url`` and ``.host`` and pushes images through its :class:`RegistryClient`
(which authenticates as the generated user when the mode needs it)::

    with OciRegistry.start(tmp_path, auth="basic") as registry:
        pushed = registry.push_image("team/app", ["1.0", "latest"], content_seed="v1")
        registry.tag_many("team/app", "1.0", [f"t{i}" for i in range(120)])
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import bcrypt

from envyard.testing.images import OCI_INDEX, OCI_MANIFEST
from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import (
    ServerProcess,
    require_executable,
    start_process,
    wait_for_http,
)
from envyard.testing.registry_client import PushedImage, RegistryClient
from envyard.testing.token_issuer import TokenIssuer

__all__ = ["AuthMode", "OciRegistry", "registry_config"]

AuthMode = Literal["anonymous", "basic", "token"]
REGISTRY_BINARY = "/usr/bin/docker-registry"
REGISTRY_APT_PACKAGE = "docker-registry"
DEFAULT_USERNAME = "envyard"


def registry_config(
    port: int, storage_dir: Path, auth: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The registry's configuration (JSON is valid YAML, so it is written as JSON)."""
    config: dict[str, Any] = {
        "version": 0.1,
        "log": {"level": "info", "accesslog": {"disabled": True}},
        "storage": {
            "filesystem": {"rootdirectory": str(storage_dir)},
            "delete": {"enabled": True},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {
            "addr": f"{LOCALHOST}:{port}",
            "secret": secrets.token_hex(16),
            "headers": {"X-Content-Type-Options": ["nosniff"]},
        },
    }
    if auth:
        config["auth"] = auth
    return config


class OciRegistry:
    """A running registry; create with :meth:`start`, stop with :meth:`stop` (or ``with``).

    ``username``/``password`` are the credentials for ``basic`` and ``token`` modes (None when
    anonymous); ``token_issuer`` is the realm server in ``token`` mode.
    """

    def __init__(
        self,
        server: ServerProcess,
        port: int,
        auth: AuthMode,
        *,
        username: str | None = None,
        password: str | None = None,
        token_issuer: TokenIssuer | None = None,
    ) -> None:
        self._server = server
        self.port = port
        self.auth: AuthMode = auth
        self.username = username
        self.password = password
        self.token_issuer = token_issuer
        self._client: RegistryClient | None = None

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the registry part of image references."""
        return f"{LOCALHOST}:{self.port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}"

    @property
    def log_path(self) -> Path:
        """The registry's log file."""
        return self._server.log_path

    @classmethod
    def start(
        cls,
        work_dir: Path,
        *,
        auth: AuthMode = "anonymous",
        username: str = DEFAULT_USERNAME,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> OciRegistry:
        """Configure and start ``docker-registry serve`` in *work_dir*; wait until it answers."""
        binary = require_executable(REGISTRY_BINARY, REGISTRY_APT_PACKAGE)
        work_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        issuer: TokenIssuer | None = None
        auth_config: dict[str, Any] | None = None
        if auth != "anonymous":
            password = password or secrets.token_urlsafe(12)
        if auth == "basic":
            assert password is not None
            hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
            htpasswd = work_dir / "htpasswd"
            htpasswd.write_text(f"{username}:{hashed}\n", encoding="utf-8")
            auth_config = {"htpasswd": {"realm": "envyard-test", "path": str(htpasswd)}}
        elif auth == "token":
            assert password is not None
            issuer = TokenIssuer(users={username: password}).start()
            bundle = issuer.write_cert_bundle(work_dir / "token-issuer.pem")
            auth_config = {
                "token": {
                    "realm": issuer.url,
                    "service": issuer.service,
                    "issuer": issuer.issuer,
                    "rootcertbundle": str(bundle),
                }
            }
        config_path = work_dir / "config.yml"
        config = registry_config(port, work_dir / "storage", auth_config)
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        try:
            server = start_process(
                "docker-registry", [binary, "serve", str(config_path)], work_dir / "registry.log"
            )
        except BaseException:
            if issuer is not None:
                issuer.stop()
            raise
        registry = cls(
            server,
            port,
            auth,
            username=None if auth == "anonymous" else username,
            password=password if auth != "anonymous" else None,
            token_issuer=issuer,
        )
        try:
            wait_for_http(server, f"{registry.url}/v2/", ok_statuses=(200, 401), timeout=timeout)
        except BaseException:
            registry.stop()
            raise
        return registry

    def stop(self) -> None:
        """Close the client, stop the registry and the token issuer."""
        if self._client is not None:
            self._client.close()
            self._client = None
        self._server.stop()
        if self.token_issuer is not None:
            self.token_issuer.stop()

    def __enter__(self) -> OciRegistry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def client(self) -> RegistryClient:
        """A shared client authenticated as ``username`` (anonymous in anonymous mode)."""
        if self._client is None:
            self._client = self.new_client()
        return self._client

    def new_client(self, *, anonymous: bool = False) -> RegistryClient:
        """A new client (close it yourself); *anonymous* leaves the credentials out."""
        if anonymous:
            return RegistryClient(self.url)
        return RegistryClient(self.url, username=self.username, password=self.password)

    def push_image(
        self,
        repository: str,
        tags: str | Sequence[str] = "latest",
        *,
        media_type: str = OCI_MANIFEST,
        content_seed: str = "envyard",
        architecture: str = "amd64",
    ) -> PushedImage:
        """Push a tiny image; see :meth:`RegistryClient.push_image`."""
        return self.client.push_image(
            repository,
            tags,
            media_type=media_type,
            content_seed=content_seed,
            architecture=architecture,
        )

    def push_index(
        self,
        repository: str,
        tags: str | Sequence[str] = "latest",
        *,
        media_type: str = OCI_INDEX,
        content_seed: str = "envyard",
        platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64"),
    ) -> PushedImage:
        """Push a multi-platform index; see :meth:`RegistryClient.push_index`."""
        return self.client.push_index(
            repository, tags, media_type=media_type, content_seed=content_seed, platforms=platforms
        )

    def tag_many(self, repository: str, reference: str, tags: Sequence[str]) -> str:
        """Point many extra tags at an existing manifest (e.g. 120 for pagination tests)."""
        return self.client.tag(repository, reference, tags)

    def resolve(self, repository: str, reference: str) -> str:
        """The digest a tag points to."""
        return self.client.resolve(repository, reference)
