"""Where Envyard keeps its state, read from the environment on each call (no globals).

- ``ENVYARD_HOME``: data directory (SQLite file, kernel cache, runs); default: user data dir.
- ``ENVYARD_DB_URL``: metastore URL, ``sqlite:///...`` or ``postgresql+psycopg://...``;
  default: SQLite in ``ENVYARD_HOME``.
- ``ENVYARD_URL``: an Envyard server; the CLI and SDK talk HTTP to it when set.
- ``ENVYARD_TOKEN``: API token for writes against ``ENVYARD_URL``.
- ``ENVYARD_TARGET``: default submission target.
- ``ENVYARD_DATA_ROOTS``: folders (``:``-separated) under which job prerequisites may read
  absolute local paths (shared datasets); none by default, so a spec cannot read the host.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("envyard", appauthor=False))


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    url: str | None
    token: str | None = field(repr=False)
    target: str | None
    data_roots: tuple[Path, ...] = ()

    @property
    def kernel_cache(self) -> Path:
        return self.home / "kernels"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"


def _check_home(home: Path, named: bool) -> Path:
    """``home``, if it is a folder or can become one; else a user error naming the variable."""
    where = f"ENVYARD_HOME={home}" if named else f"Envyard's data folder {home}"
    probe = home
    while not probe.exists():  # the nearest part that exists must be a folder
        if probe.parent == probe:
            return home
        probe = probe.parent
    if not probe.is_dir():
        from envyard.errors import ConfigError

        what = "is a file" if probe == home else f"cannot be made: {probe} is a file"
        raise ConfigError(
            f"{where} {what}, not a folder",
            hint="set ENVYARD_HOME to a folder (it is created when missing)",
        )
    return home


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """The settings from ``env`` (default: ``os.environ``); a file as ``ENVYARD_HOME`` is a
    :class:`~envyard.errors.ConfigError` (a user's mistake, exit 1)."""
    env = dict(os.environ) if env is None else env
    named = bool(env.get("ENVYARD_HOME"))
    home = _check_home(Path(env["ENVYARD_HOME"]) if named else _default_home(), named)
    db_url = env.get("ENVYARD_DB_URL") or f"sqlite:///{home / 'envyard.db'}"
    return Settings(
        home=home,
        db_url=db_url,
        url=env.get("ENVYARD_URL") or None,
        token=env.get("ENVYARD_TOKEN") or None,
        target=env.get("ENVYARD_TARGET") or None,
        data_roots=tuple(
            Path(p).resolve() for p in env.get("ENVYARD_DATA_ROOTS", "").split(":") if p
        ),
    )
