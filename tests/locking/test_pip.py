"""The pip part of a lock, resolved by uv against the session's pypiserver and a wheel folder."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from envyard.errors import ResolveError
from envyard.launch.kernelspec import KernelSpec
from envyard.locking import Lock, PipPackage, PlatformLock
from envyard.locking.resolve import lock_kernel
from envyard.testing.wheels import build_wheel

pytestmark = pytest.mark.usefixtures("locking_index")

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def _spec(*pip: str) -> KernelSpec:
    return KernelSpec(name="k", python=None, pip=pip, conda=(), channels=())


def test_index_and_find_links_packages_record_their_source(tmp_path: Path) -> None:
    folder = tmp_path / "wheels"
    build_wheel(folder, "linkedonly", "1.0")
    spec = _spec("six", f"--find-links {folder}", "linkedonly")
    lock = lock_kernel(spec, cwd=tmp_path)
    pip = {p.name: p for p in lock.platforms["linux-64"].pip}
    assert pip["six"].version == "1.17.0"
    assert pip["six"].source == "index"
    assert pip["linkedonly"].source == "find-links"
    assert pip["linkedonly"].wheels[0].url.startswith(folder.as_uri())


def test_relative_find_links_with_no_index(tmp_path: Path) -> None:
    build_wheel(tmp_path / "here", "linkedonly", "1.0")
    lock = lock_kernel(_spec("--no-index", "-f here", "linkedonly"), cwd=tmp_path)
    (package,) = lock.platforms["linux-64"].pip
    assert (package.name, package.source) == ("linkedonly", "find-links")
    assert lock.indexes == ("here",)  # as the kernel names it


def test_every_platform_is_resolved(tmp_path: Path) -> None:
    lock = lock_kernel(_spec("six==1.16.0"), platforms=["osx-arm64"], cwd=tmp_path)
    assert set(lock.platforms) == {"linux-64", "osx-arm64"}
    assert all(p.pip[0].version == "1.16.0" for p in lock.platforms.values())
    assert lock.python == PYTHON


def test_an_unsatisfiable_requirement_names_it(tmp_path: Path) -> None:
    with pytest.raises(ResolveError, match=r"kernel 'k'.*linux-64.*six"):
        lock_kernel(_spec("six==99"), cwd=tmp_path)


def test_a_lock_from_before_source_loads_and_keeps_its_hash() -> None:
    """Locks stored before ``source`` was recorded: same JSON in, same lock hash out."""
    wheel = {"url": "http://127.0.0.1:1/packages/six-1.16.0-py2.py3-none-any.whl",
             "sha256": "a" * 64, "size": None}  # fmt: skip
    old = {
        "format": 1, "spec_hash": "sha256:x", "python": PYTHON, "channels": [], "indexes": [],
        "platforms": {"linux-64": {"conda": [], "pip": [
            {"name": "six", "version": "1.16.0", "wheels": [wheel], "sdist": None}]}},
    }  # fmt: skip
    text = json.dumps(old, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    stored_hash = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    lock = Lock.model_validate(old)
    assert lock.platforms["linux-64"].pip[0].source is None
    assert lock.digest() == stored_hash
    recorded = PlatformLock(
        pip=(PipPackage.model_validate({**old["platforms"]["linux-64"]["pip"][0],  # type: ignore[index]
                                        "source": "index"}),)
    )  # fmt: skip
    relocked = lock.model_copy(update={"platforms": {"linux-64": recorded}})
    assert relocked.digest() == stored_hash  # relocking to the same files: no new version
