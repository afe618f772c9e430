"""The kernel cache: one directory per kernel key, published atomically, safe to share.

Layout under the cache root (``load_settings().kernel_cache``)::

    <key>             symlink -> .store/<key>.<random>   (the published kernel)
    .store/<key>.<r>  a kernel, built in place and never moved (venvs and conda
                      environments hard-code their own path, so they are not renamed)
    .locks/<key>.lock flock held while one process builds <key>

A build happens in a fresh ``.store`` directory; when it is complete a temporary symlink is
renamed onto ``<key>`` (``os.replace``, atomic on POSIX), so a reader sees either no kernel or
a complete one. Concurrent launches of the same kernel wait on the lock and then reuse the
winner's build; a crashed build leaves only an unreferenced ``.store`` entry, removed by the
next build of that key.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["CachedKernel", "KernelCache", "lock_key"]

MANIFEST = "envyard-kernel.json"


def lock_key(lock_hash: str, platform: str) -> str:
    """The cache key (directory name) of a kernel installed from the lock *lock_hash* on
    *platform*."""
    return f"lock-{lock_hash.removeprefix('sha256:')[:32]}-{platform}"


class CachedKernel(NamedTuple):
    """A published kernel: ``prefix`` is its real directory, ``manifest`` what built it."""

    key: str
    prefix: Path
    manifest: dict[str, Any]


class KernelCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def link(self, key: str) -> Path:
        return self.root / key

    def lookup(self, key: str) -> CachedKernel | None:
        """The published kernel for *key*, or None (missing, incomplete or broken)."""
        link = self.link(key)
        try:
            prefix = link.resolve(strict=True)
            manifest = json.loads((prefix / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        python = manifest.get("python_in_prefix")
        if isinstance(python, str) and not (prefix / python).exists():
            return None  # the base interpreter of the venv is gone
        return CachedKernel(key, prefix, manifest)

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        locks = self.root / ".locks"
        locks.mkdir(parents=True, exist_ok=True)
        with (locks / f"{key}.lock").open("a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _sweep(self, key: str) -> None:
        """Remove this key's unpublished builds (left by crashed launches); lock held."""
        import shutil

        store = self.root / ".store"
        link = self.link(key)
        current = link.resolve() if link.is_symlink() else None
        for entry in store.glob(f"{key}.*"):
            if entry.resolve() != current:
                shutil.rmtree(entry, ignore_errors=True)

    def get_or_build(
        self, key: str, build: Callable[[Path], dict[str, Any]], *, force: bool = False
    ) -> tuple[CachedKernel, bool]:
        """Return ``(kernel, built)``; ``build(prefix)`` fills a fresh directory.

        ``build`` returns the manifest to store. If it raises, nothing is published and its
        directory is removed. ``force`` builds even when *key* is published (the new build
        replaces it atomically; the old directory is removed by a later build of *key*, so
        commands still running in it are not disturbed now).
        """
        import secrets
        import shutil

        found = None if force else self.lookup(key)
        if found is not None:
            return found, False
        with self._locked(key):
            found = None if force else self.lookup(key)
            if found is not None:
                return found, False
            self._sweep(key)
            store = self.root / ".store"
            store.mkdir(parents=True, exist_ok=True)
            prefix = store / f"{key}.{secrets.token_hex(4)}"
            try:
                manifest = build(prefix)
                manifest = {"key": key, **manifest}
                tmp_manifest = prefix / f".{MANIFEST}.tmp"
                tmp_manifest.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
                tmp_manifest.replace(prefix / MANIFEST)
                tmp_link = self.root / f".{key}.{secrets.token_hex(4)}.link"
                tmp_link.symlink_to(prefix.relative_to(self.root))
                tmp_link.replace(self.link(key))
            except BaseException:
                shutil.rmtree(prefix, ignore_errors=True)
                raise
            return CachedKernel(key, prefix.resolve(), manifest), True
