"""Benchmark: materialising one kernel with Envyard (uv) vs ``python -m venv`` + pip.

The kernel is a few real, small PyPI packages (``requests`` with its four dependencies,
``six``, ``attrs``, ``packaging``: 8 wheels) served by a local pypiserver started here, so no
network is timed. The wheels are fetched from PyPI once (``pip download``) into
``--wheels-dir``; with ``--tiny`` (or when PyPI is unreachable) generated tiny wheels are used.

Measured, each the median of ``--repeat`` runs, all from this one invocation:

- cold: empty installer caches (uv's cache / pip's cache) and a new kernel directory;
- warm: installer caches filled by an earlier run, new kernel directory;
- cached re-launch: Envyard finding the kernel it already built (what ``envyard env launch``
  does the second time), alone and followed by running ``python -c pass`` in the kernel.

Peer: ``python -m venv DIR && DIR/bin/pip install -r requirements.txt`` against the same index.
Targets (issue 3): uv path >= 10x faster than the peer; cached re-launch >= 50x.

    python benchmarks/kernel_materialise.py [--repeat 3] [--tiny]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from envyard.launch import kernel_spec, materialise
from envyard.launch.local import kernel_env, run_command
from envyard.spec import Environment
from envyard.testing.pypi import PypiIndex, isolated_installer_env

REAL = ["requests==2.32.3", "six==1.16.0", "attrs==24.2.0", "packaging==24.1"]


def fetch_real_wheels(dest: Path) -> bool:
    dest.mkdir(parents=True, exist_ok=True)
    if len(list(dest.glob("*.whl"))) >= 8:
        return True
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--only-binary=:all:",
            "--dest",
            str(dest),
            *REAL,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        print(f"(could not download the real wheels, using tiny ones: {out.stderr.strip()[-200:]})")
    return out.returncode == 0


def tiny_requirements(index: PypiIndex) -> list[str]:
    names = [f"benchpkg{i}" for i in range(8)]
    for i, name in enumerate(names):
        index.add_wheel(name, "1.0.0", requires=[f"{names[i + 1]}==1.0.0"] if i < 7 else [])
    return ["benchpkg0==1.0.0"]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def find_links_env(wheels: Path, cache: Path) -> dict[str, str]:
    """pip and uv using only a local directory of wheels (no index server at all)."""
    env = isolated_installer_env("http://127.0.0.1:9/unused/", cache)
    for var in ("PIP_INDEX_URL", "UV_INDEX_URL"):
        env.pop(var)
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels), UV_NO_INDEX="1")
    env["UV_FIND_LINKS"] = str(wheels)
    return env


def peer(env: dict[str, str], requirements: list[str], work: Path) -> None:
    venv = work / "peer-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    req = work / "requirements.txt"
    req.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(req)]
    subprocess.run(pip, check=True, env=env)


def measure(
    root: Path, requirements: list[str], make_env: Callable[[Path], dict[str, str]], repeat: int
) -> dict[str, float]:
    """Median seconds of each case for one way of serving the packages."""
    environment = Environment.model_validate({"name": "b", "image": "x:1", "kernel": requirements})
    spec = kernel_spec(environment)
    assert spec is not None
    results: dict[str, list[float]] = {}
    counter = iter(range(10_000))

    def add(case: str, seconds: float) -> None:
        results.setdefault(case, []).append(seconds)

    for i in range(repeat):
        uv_env, pip_env = make_env(root / f"uv-cache-{i}"), make_env(root / f"pip-cache-{i}")
        for case in ("uv_cold", "uv_warm"):
            kernels = root / f"kernels-{next(counter)}"
            add(case, timed(partial(materialise, spec, kernels, env=uv_env)))
        for case in ("peer_cold", "peer_warm"):
            work = root / f"peer-{next(counter)}"
            work.mkdir()
            add(case, timed(partial(peer, pip_env, requirements, work)))
    env = make_env(root / "uv-cache-0")
    kernels = root / "kernels-reuse"
    built = materialise(spec, kernels, env=env)

    def reuse_and_run() -> None:
        kernel = materialise(spec, kernels, env=env)
        assert kernel.reused
        assert kernel.prefix == built.prefix
        assert run_command(["python", "-c", "pass"], kernel_env(kernel, env)) == 0

    for _ in range(repeat):
        add("reuse", timed(lambda: materialise(spec, kernels, env=env)))
        add("reuse_run", timed(reuse_and_run))
    return {case: statistics.median(values) for case, values in results.items()}


ROWS = [
    ("materialise, cold caches", "uv_cold", "peer_cold", 10),
    ("materialise, warm caches", "uv_warm", "peer_warm", 10),
    ("cached re-launch (cache lookup)", "reuse", "peer_cold", 50),
    ("cached re-launch + `python -c pass`", "reuse_run", "peer_cold", 50),
    ("cached re-launch + run vs warm peer", "reuse_run", "peer_warm", 50),
]


def report(title: str, med: dict[str, float]) -> None:
    print(f"\n{title}")
    print(f"  {'case':38} {'envyard s':>10} {'venv+pip s':>11} {'ratio':>9}  target")
    for label, ours, theirs, target in ROWS:
        ratio = med[theirs] / med[ours]
        verdict = "met" if ratio >= target else "MISSED"
        print(
            f"  {label:38} {med[ours]:10.4f} {med[theirs]:11.3f} {ratio:8.1f}x"
            f"  >={target}x {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="generated tiny wheels only")
    parser.add_argument(
        "--wheels-dir", type=Path, default=Path(tempfile.gettempdir()) / "envyard-bench-wheels"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="envyard-bench-") as tmp:
        root = Path(tmp)
        with PypiIndex.start(root / "index") as index:
            if not args.tiny and fetch_real_wheels(args.wheels_dir):
                for wheel in args.wheels_dir.glob("*.whl"):
                    shutil.copy2(wheel, index.packages_dir)
                requirements = REAL
            else:
                requirements = tiny_requirements(index)
            count = len(list(index.packages_dir.glob("*.whl")))
            print(f"kernel: {', '.join(requirements)} ({count} wheels)")
            print(f"python {sys.version.split()[0]}, uv {uv_version()}, median of {args.repeat}")
            served = measure(
                root / "pypiserver",
                requirements,
                lambda cache: isolated_installer_env(index.url, cache),
                args.repeat,
            )
            local = measure(
                root / "find-links",
                requirements,
                lambda cache: find_links_env(index.packages_dir, cache),
                args.repeat,
            )
    report(f"packages from a local pypiserver ({index.server_name})", served)
    report("packages from a local wheel directory (--find-links, no server)", local)


def uv_version() -> str:
    from envyard.launch.uvtool import uv_binary

    out = subprocess.run([uv_binary(), "--version"], capture_output=True, text=True, check=False)
    return out.stdout.split()[1] if out.stdout else "?"


if __name__ == "__main__":
    main()
