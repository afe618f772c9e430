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
from pathlib import Path


def _default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("envyard", appauthor=False))


class Settings:
    """The settings (frozen; compared, hashed and shown by value, the token never shown).

    A plain class, not a dataclass: the cached re-launch imports this module before anything
    else, and :mod:`dataclasses` (with :mod:`inspect`) is ~10 ms of its start-up.
    """

    __slots__ = ("data_roots", "db_url", "home", "target", "token", "url")
    _FIELDS = ("home", "db_url", "url", "token", "target", "data_roots")  # the dataclass order
    _SHOWN = ("home", "db_url", "url", "target", "data_roots")

    home: Path
    db_url: str
    url: str | None
    token: str | None
    target: str | None
    data_roots: tuple[Path, ...]

    def __init__(  # noqa: PLR0917 (positional as the dataclass it replaces)
        self,
        home: Path,
        db_url: str,
        url: str | None,
        token: str | None,
        target: str | None,
        data_roots: tuple[Path, ...] = (),
    ) -> None:
        values = (home, db_url, url, token, target, data_roots)
        for name, value in zip(self._FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field '{name}'")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[type[Settings], tuple[object, ...]]:
        return (type(self), self._values())  # copy and pickle as a dataclass would

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._SHOWN)
        return f"{type(self).__name__}({shown})"

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
