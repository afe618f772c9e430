"""The kernel cache: atomic publication, one build under concurrency, crash leftovers swept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from envyard.launch.cache import MANIFEST, KernelCache

_WORKER = """
import sys, time
from pathlib import Path
from envyard.launch.cache import KernelCache

root, counter, out = map(Path, sys.argv[1:4])

def build(prefix):
    prefix.mkdir(parents=True)
    with counter.open("a", encoding="utf-8") as handle:
        handle.write("built\\n")
    time.sleep(0.3)  # long enough for the other processes to wait on the lock
    (prefix / "payload").write_text("complete", encoding="utf-8")
    return {"kind": "test"}

kernel, _built = KernelCache(root).get_or_build("k1", build)
out.write_text(str(kernel.prefix), encoding="utf-8")
"""


def test_concurrent_launches_build_once_and_share_the_result(tmp_path: Path) -> None:
    root, counter = tmp_path / "cache", tmp_path / "count"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(root), str(counter), str(tmp_path / f"out{i}")]
        )
        for i in range(4)
    ]
    assert [proc.wait(60) for proc in procs] == [0, 0, 0, 0]
    assert counter.read_text(encoding="utf-8").splitlines() == ["built"]
    prefixes = {(tmp_path / f"out{i}").read_text(encoding="utf-8") for i in range(4)}
    assert len(prefixes) == 1
    prefix = Path(prefixes.pop())
    assert (prefix / "payload").read_text(encoding="utf-8") == "complete"
    assert (root / "k1").is_symlink()
    assert (root / "k1").resolve() == prefix


def test_failed_build_publishes_nothing(tmp_path: Path) -> None:
    cache = KernelCache(tmp_path)

    def broken(prefix: Path) -> dict[str, Any]:
        prefix.mkdir(parents=True)
        (prefix / "half").write_text("x", encoding="utf-8")
        raise RuntimeError("installer died")

    with pytest.raises(RuntimeError):
        cache.get_or_build("k2", broken)
    assert cache.lookup("k2") is None
    assert not (tmp_path / "k2").exists()
    assert list((tmp_path / ".store").iterdir()) == []


def test_leftovers_of_a_crashed_build_are_swept_and_rebuilt(tmp_path: Path) -> None:
    leftover = tmp_path / ".store" / "k3.dead0000"
    leftover.mkdir(parents=True)
    (leftover / MANIFEST).write_text("{}", encoding="utf-8")  # never published: no link
    cache = KernelCache(tmp_path)
    assert cache.lookup("k3") is None

    def build(prefix: Path) -> dict[str, Any]:
        prefix.mkdir(parents=True)
        return {"kind": "test"}

    kernel, built = cache.get_or_build("k3", build)
    assert built
    assert not leftover.exists()
    again, built_again = cache.get_or_build("k3", build)
    assert not built_again
    assert again.prefix == kernel.prefix
    assert again.manifest["kind"] == "test"


def test_kernel_whose_interpreter_vanished_is_not_reused(tmp_path: Path) -> None:
    cache = KernelCache(tmp_path)

    def build(prefix: Path) -> dict[str, Any]:
        (prefix / "bin").mkdir(parents=True)
        (prefix / "bin" / "python").symlink_to(tmp_path / "gone-python")
        return {"python_in_prefix": "bin/python"}

    cache.get_or_build("k4", build)
    assert cache.lookup("k4") is None
