"""``kill -9`` at random points of ``override apply``: the originals stay byte-identical, and the
next run removes whatever staging folder the killed one left (only folders of dead processes)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envyard.overrides.staging import stale

from .conftest import digest, write

PIPELINE = """
module_loader:
  local_steps_folder: components
tenant_overrides:
  allow_override: true
  mapping:
    prod:
      remove_polymer_pkg_idx: [--index-url https://private.example/simple/]
      environment.docker.image:
        'registry.example/prod/(.+)': 'registry.example/dev/\\g<1>'
      tags:
        workspace: eyeson
"""

SPEC = """
name: comp-{i}
tags:
  workspace: eyesoff
environment:
  docker:
    image: registry.example/prod/base:{i}
  conda:
    conda_dependencies_file: conda.yaml
"""

CONDA = """
dependencies:
  - python=3.11
  - pip:
    - --index-url https://private.example/simple/
    - numpy=={i}
"""


def _project(root: Path, n: int) -> None:
    files = {"pipeline.yaml": PIPELINE}
    for i in range(n):
        files[f"components/c{i:04d}/spec.yaml"] = SPEC.format(i=i)
        files[f"components/c{i:04d}/conda.yaml"] = CONDA.format(i=i)
    write(root, files)


def _leftovers(folder: Path) -> list[str]:
    names = (p.name for p in folder.iterdir())
    return sorted(n for n in names if n.lstrip(".").startswith("envyard-stage-"))


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TMPDIR=str(tmp), ENVYARD_STAGING_DIR=str(tmp))
    env.pop("ENVYARD_TARGET", None)
    return env


def _apply(project: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "envyard", "override", "apply", "-t", "prod", *extra]
    return subprocess.Popen(
        [*command, "pipeline.yaml"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("seed", range(6))
def test_kill_9_at_a_random_point_then_the_next_run_cleans_up(tmp_path: Path, seed: int) -> None:
    project, tmp = tmp_path / "project", tmp_path / "tmp"
    tmp.mkdir()
    _project(project, 300)
    before = digest(project)
    env = _env(tmp)
    rng = random.Random(seed)  # noqa: S311 - kill times, not secrets
    out = tmp / "out" if seed % 2 else None
    process = _apply(project, env, *(["--out", str(out)] if out else []))
    time.sleep(rng.uniform(0.3, 2.5))  # from start-up to the middle of writing
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert digest(project) == before  # never a byte of an original written

    done = subprocess.run(
        [sys.executable, "-m", "envyard", "override", "apply", "-t", "prod", "pipeline.yaml"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert digest(project) == before
    assert _leftovers(tmp) == []  # the killed run's folder is gone, the finished one renamed
    if out is not None:
        assert _leftovers(out.parent) == []
    kept = [p for p in tmp.iterdir() if p.name.startswith(stale.KEPT_PREFIX)]
    assert kept, "the finished run keeps its staging under envyard-staged-*"
    staged_spec = (kept[-1] / "components" / "c0007" / "spec.yaml").read_text(encoding="utf-8")
    assert "registry.example/dev/base:7" in staged_spec


def test_a_killed_staged_block_is_removed_by_the_next_run(tmp_path: Path) -> None:
    project, tmp = tmp_path / "project", tmp_path / "tmp"
    tmp.mkdir()
    _project(project, 5)
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from envyard.overrides import staged\n"
        "with staged([Path('pipeline.yaml')], target='prod') as s:\n"
        "    print(s.root, flush=True)\n"
        "    time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=project, env=_env(tmp), stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    root = Path(process.stdout.readline().strip())
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert root.is_dir() and root.name.startswith(f"envyard-stage-{process.pid}-")

    alive = tmp / f"envyard-stage-{os.getpid()}-live"  # a folder of a live process: kept
    alive.mkdir()
    assert stale.remove_stale(str(tmp)) == [str(root)]
    assert not root.exists()
    assert alive.is_dir()
