"""Shared by the asset benchmarks: generated asset repos and the reference tool's venv.

The reference is ``azureml-assets`` from PyPI, installed into its own virtual environment
(created on first use under ``$ENVYARD_BENCH_DIR``, default ``~/.cache/envyard-bench``) with
the first of Python 3.11, 3.10, 3.9, 3.12 found under pyenv (or this interpreter).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(os.environ.get("ENVYARD_BENCH_DIR", Path.home() / ".cache" / "envyard-bench"))
REFERENCE_VENV = BENCH_DIR / "azureml-assets-venv"
PYENV = Path("/root/.pyenv/versions")
FRAMEWORKS = ("sklearn", "pytorch", "tensorflow")


def reference_python() -> Path:
    """The venv's python, creating the venv and installing azureml-assets when missing."""
    python = REFERENCE_VENV / "bin" / "python"
    if python.exists():
        return python
    base = sys.executable
    for version in ("3.11", "3.10", "3.9", "3.12"):
        found = sorted(PYENV.glob(f"{version}.*/bin/python"))
        if found:
            base = str(found[-1])
            break
    print(f"creating {REFERENCE_VENV} with {base} and installing azureml-assets ...")
    REFERENCE_VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([base, "-m", "venv", str(REFERENCE_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "azureml-assets"], check=True)
    return python


def compile_envyard() -> str:
    """Byte-compile Envyard's modules, as ``pip install`` does for an installed package.

    The reference was installed by pip into its venv, which wrote its bytecode; Envyard here
    is an editable install, and with ``PYTHONDONTWRITEBYTECODE`` set (as on the dev machines)
    every run would compile each imported module from source again (~40 ms a run). Returns a
    line saying so, for the report.
    """
    import compileall

    import envyard

    package = Path(envyard.__file__).parent
    compileall.compile_dir(str(package), quiet=1)
    return f"envyard bytecode compiled in {package} (as pip install does for the reference)"


def reference_version() -> str:
    out = subprocess.run(
        [str(reference_python()), "-m", "pip", "show", "azureml-assets"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(
        (ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Version:")), "?"
    )


def asset_name(i: int) -> str:
    framework = FRAMEWORKS[i % len(FRAMEWORKS)]
    return f"team{i}-{framework}-{1 + i % 3}.{i % 10}-debian11-py311-cuda11.{i % 8}"


def write_env_asset(
    root: Path, i: int, *, dockerfile: str | None = None, requirements: str | None = None
) -> Path:
    """One environment asset in the layout both tools read (azureml/curated image, mcr)."""
    name = asset_name(i)
    folder = root / "environments" / name
    (folder / "context").mkdir(parents=True, exist_ok=True)
    templates = ["Dockerfile"] + (["requirements.txt"] if requirements is not None else [])
    (folder / "asset.yaml").write_text(
        f"name: {name}\nversion: auto\ntype: environment\nspec: spec.yaml\n"
        'extra_config: environment.yaml\ncategories: ["Training"]\n',
        encoding="utf-8",
    )
    (folder / "spec.yaml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
        "description: >-\n  A generated environment.\n"
        'name: "{{asset.name}}"\nversion: "{{asset.version}}"\n'
        "build:\n"
        '  path: "{{asset.repo.url}}#{{asset.repo.commit_hash}}:'
        '{{asset.repo.build_context.path}}"\n'
        '  dockerfile_path: "{{image.dockerfile.path}}"\n'
        'os_type: linux\ntags:\n  OS: Debian11\n  Python: "3.11"\n',
        encoding="utf-8",
    )
    (folder / "environment.yaml").write_text(
        f"image:\n  name: azureml/curated/{name}\n  os: linux\n  context:\n    dir: context\n"
        "    dockerfile: Dockerfile\n    template_files:\n"
        + "".join(f"      - {t}\n" for t in templates)
        + "  publish:\n    location: mcr\n    visibility: public\n",
        encoding="utf-8",
    )
    (folder / "context" / "Dockerfile").write_text(
        dockerfile or f"FROM docker.io/library/python:3.11-slim\nRUN echo {i}\n", encoding="utf-8"
    )
    if requirements is not None:
        (folder / "context" / "requirements.txt").write_text(requirements, encoding="utf-8")
    return folder


ENVYARD_TOML = """\
[assets]
image_prefix = "azureml/curated/"
publish_locations = ["mcr"]
publish_hostnames = { mcr = "mcr.microsoft.com" }
"""


def make_repo(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "envyard.toml").write_text(ENVYARD_TOML, encoding="utf-8")
    for i in range(count):
        write_env_asset(root, i)
    return root


@dataclass
class Timing:
    wall: float
    cpu: float  # user + system CPU seconds of the child process


def best_of(runs: int, argv: list[str]) -> tuple[Timing, subprocess.CompletedProcess[str]]:
    """The fastest of ``runs`` runs (wall and CPU minimums): some of the machine's noise out."""
    results = [timed(argv) for _ in range(max(1, runs))]
    wall = min(t.wall for t, _ in results)
    cpu = min(t.cpu for t, _ in results)
    return Timing(wall, cpu), results[-1][1]


def timed(
    argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[Timing, subprocess.CompletedProcess[str]]:
    """Run a command; wall time and the CPU time it used (robust on a busy machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu), proc


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "b@x",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def report(title: str, rows: list[tuple[str, Timing]], target: float) -> float:
    """Print both timings and both ratios; returns the wall-clock ratio (what users wait for,
    and what the issue quotes). CPU time is printed too: on a shared machine wall time also
    measures everyone else's load."""
    (ours_label, ours), (ref_label, ref) = rows
    cpu_ratio = ref.cpu / ours.cpu if ours.cpu > 0 else float("inf")
    wall_ratio = ref.wall / ours.wall if ours.wall > 0 else float("inf")
    print(f"\n{title}")
    print(f"  {'':<46} {'wall s':>9} {'cpu s':>9}")
    print(f"  {ours_label:<46} {ours.wall:9.3f} {ours.cpu:9.3f}")
    print(f"  {ref_label:<46} {ref.wall:9.3f} {ref.cpu:9.3f}")
    verdict = "OK" if wall_ratio >= target else "BELOW TARGET"
    print(
        f"  ratio: {wall_ratio:.1f}x faster in wall time (target >= {target:g}x) {verdict}; "
        f"{cpu_ratio:.1f}x in CPU time"
    )
    return wall_ratio
