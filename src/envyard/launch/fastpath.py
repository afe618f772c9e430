"""The cached re-launch: a registry version whose kernel is in the cache, run with stdlib only.

``envyard env launch REF -- CMD`` on the local metastore (SQLite) and the local engine tries
this first. It reads the version with one ``sqlite3`` query (read-only, no SQLAlchemy, no
pydantic, no migration import), finds the kernel its lock hash names in the kernel cache and
runs the command exactly as the local engine does (same activation, hooks, variables and
``ENVYARD_ENVIRONMENT``). Anything else (a version without a lock, a kernel not built yet, a
schema that is not current, PostgreSQL, a server) returns None, and the full path runs.

Two callers share :func:`find_relaunch` and :meth:`Relaunch.run`: the ``launch`` click command
and the entry point's early dispatch (:mod:`envyard.__main__`), which reaches them before
click and the CLI modules are imported.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote

if TYPE_CHECKING:
    from envyard.settings import Settings

__all__ = ["CachedVersion", "Relaunch", "cached_version", "find_relaunch", "run_cached", "say"]

_QUERY = (
    "SELECT i.name, v.version, v.state, v.replaced_by, v.lock_hash, v.document "
    "FROM registry_items i JOIN registry_versions v ON {join} "
    "WHERE i.kind = 'environment' AND i.name = ?{extra}"
)


class CachedVersion(NamedTuple):
    """What a cached launch needs: the ref, lifecycle, kernel name and variables, the prefix."""

    ref: str
    state: str
    replaced_by: str | None
    kernel: str
    variables: dict[str, str]
    prefix: Path
    conda: bool


def _sqlite_path(db_url: str) -> Path | None:
    prefix = "sqlite:///"
    if not db_url.startswith(prefix) or "?" in db_url:
        return None
    return Path(unquote(db_url[len(prefix) :]))


def _row(db: Path, name: str, version: str | None) -> Any:
    from envyard.registry.migrate import head_revision

    uri = f"{db.resolve().as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=5) as connection:
        stamp = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if stamp is None or stamp[0] != head_revision():
            return None  # the full path migrates first
        if version is None:
            query = _QUERY.format(join="v.id = i.current_version_id", extra="")
            return connection.execute(query, (name,)).fetchone()
        query = _QUERY.format(join="v.item_id = i.id", extra=" AND v.version = ?")
        return connection.execute(query, (name, version)).fetchone()


def cached_version(ref: str, db_url: str, cache_root: Path) -> CachedVersion | None:
    """The version *ref* names when its locked kernel is cached here, else None."""
    from envyard.launch.cache import KernelCache, lock_key
    from envyard.launch.kernelname import safe_kernel_name
    from envyard.locking.config import host_platform

    db = _sqlite_path(db_url)
    name, at, version = ref.partition("@")
    if db is None or not db.is_file() or not name or (at and not version):
        return None  # (NAME@ is not a reference: the full path says so)
    try:
        row = _row(db, name, version or None)
    except sqlite3.Error:
        return None
    if row is None or row[4] is None or (version == "" and row[2] == "archived"):
        return None
    item, label, state, replaced_by, lock_hash, document = row
    found = KernelCache(cache_root).lookup(lock_key(lock_hash, host_platform()))
    if found is None:
        return None
    kernel = json.loads(document).get("kernel")
    named = kernel.get("name") if isinstance(kernel, dict) else None
    variables = kernel.get("variables") if isinstance(kernel, dict) else None
    return CachedVersion(
        ref=f"{item}@{label}",
        state=state,
        replaced_by=replaced_by,
        kernel=safe_kernel_name(named or item),
        variables={str(k): str(v) for k, v in (variables or {}).items()},
        prefix=found.prefix,
        conda=found.manifest.get("kind") == "conda",
    )


def say(line: str) -> None:
    """A progress line of the cached re-launch on stderr (the same from both callers)."""
    sys.stderr.write(f"envyard: {line}\n")
    sys.stderr.flush()


class Relaunch(NamedTuple):
    """A cached re-launch found: the version and the command to run in its kernel."""

    found: CachedVersion
    command: tuple[str, ...]

    def run(self, base: Mapping[str, str]) -> int:
        """Warn about a deprecated or archived version, run the command, return its exit code."""
        found = self.found
        if found.state != "active":
            say(
                f"warning: {found.ref} is {found.state}"
                + (f"; use {found.replaced_by} instead" if found.replaced_by else "")
            )
        return run_cached(found, self.command, base, say)


def find_relaunch(args: Sequence[str], settings: Settings) -> Relaunch | None:
    """``env launch``'s arguments as click parses them (REF, then the command) -> the cached
    re-launch, or None when the full path must run (no command, a miss, a server)."""
    if not args or settings.url:
        return None
    command = tuple(args[1:])
    if command[:1] == ("--",):
        command = command[1:]
    if not command:
        return None  # the full path says what is missing
    found = cached_version(args[0], settings.db_url, settings.kernel_cache)
    return None if found is None else Relaunch(found, command)


def run_cached(
    found: CachedVersion,
    command: Sequence[str],
    base: Mapping[str, str],
    say: Callable[[str], None],
) -> int:
    """Run *command* in the cached kernel, activated as the local engine activates it."""
    from envyard.launch.activation import activated_env, run_command, with_activation_hooks

    say(f"reusing kernel {found.kernel} ({found.prefix})")
    env = activated_env(base, found.prefix, found.kernel, found.variables, conda=found.conda)
    env["ENVYARD_ENVIRONMENT"] = found.ref
    return run_command(with_activation_hooks(command, found.prefix), env, cwd=None)
