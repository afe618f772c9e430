"""Benchmark: locking and materialising kernels (issue 15), Envyard side by side with peers.

Everything is served on this machine (a pypiserver and a conda channel started here), so no
network is timed. Three measures, each the median of ``--repeat`` runs, all from this one
invocation:

1. **lock a pip kernel of ~50 packages** (generated wheels with a dependency graph on a local
   pypiserver): Envyard's lock (``uv pip compile`` to pylock.toml: exact files and sha256)
   vs ``pip-compile --generate-hashes`` from pip-tools (installed with pip into a venv under
   the temp folder), both with cold and with warm caches, each as a whole process (Envyard's
   start-up and imports counted, as pip-compile's are), and bare ``uv pip compile`` beside
   them (what Envyard adds to uv). Goal: >= 10x. Each row also prints bare uv's own ratio to
   pip-compile: a ceiling for any tool that locks with uv.
2. **cached re-launch of a locked kernel**: ``envyard env launch NAME -- python -c pass`` (the
   whole process: registry read, cache lookup, run) vs bare ``python -c pass`` with the
   kernel's interpreter (the one the launch runs), wall and CPU time (user + system, measured
   with ``wait4``), through the console script, ``python -m envyard`` and, for comparison,
   the full CLI (an option, ``--engine local``, skips the entry point's early dispatch).
   Goal: within 50 ms of the bare start of the interpreter Envyard runs on (what Envyard
   adds); the gap over the kernel's venv interpreter is printed too.
3. **materialising a locked conda kernel** (20 tiny conda packages from a local channel over
   HTTP, installed by py-rattler, no conda binary): cold (empty package cache) and warm.

    python benchmarks/lock_kernels.py [--repeat 5] [--packages 50] [--only relaunch]
        [--index-backend cached-dir|simple-dir]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx

from envyard.launch import kernel_spec, materialise
from envyard.launch.uvtool import uv_binary
from envyard.locking import Lock
from envyard.locking.config import PLATFORMS
from envyard.locking.resolve import lock_kernel
from envyard.spec import Environment
from envyard.testing.conda_channel import CondaChannel, isolated_conda_env
from envyard.testing.pypi import PypiIndex, isolated_installer_env
from envyard.testing.wheels import build_wheel


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def publish_graph(packages: Path, count: int) -> list[str]:
    """``count`` packages in two versions: 10 top-level ones, each pulling a tree of others."""
    names = [f"lockbench{i:03d}" for i in range(count)]
    for i, name in enumerate(names):
        deps = [f"{names[j]}>=1.0" for j in (2 * i + 1, 2 * i + 2) if j < count]
        for version in ("1.0", "1.1"):
            build_wheel(packages, name, version, requires=deps)
    return names[:10]


def wait_listed(index: PypiIndex, wheels: list[Path], timeout: float = 30.0) -> None:
    """Until the index lists every one of *wheels* (a cached listing learns of them later)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=10.0, trust_env=False) as client:
        for wheel in wheels:
            project = wheel.name.split("-")[0].replace("_", "-").lower()
            while wheel.name not in client.get(f"{index.url}{project}/").text:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the index does not list {wheel.name}")
                time.sleep(0.1)


def pip_tools(work: Path) -> Path:
    """``pip-compile`` from pip-tools, installed with pip into a venv here (once)."""
    venv = Path(tempfile.gettempdir()) / "envyard-bench-piptools"
    tool = venv / "bin" / "pip-compile"
    if not tool.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "pip-tools"], check=True, cwd=work
        )
    return tool


REAL = [
    "flask", "requests", "rich", "pydantic", "httpx", "jinja2", "sqlalchemy", "alembic",
    "fastapi", "uvicorn", "typer", "attrs", "jsonschema", "pyyaml", "packaging", "platformdirs",
    "tomli-w", "pluggy", "iniconfig", "python-dateutil",
]  # fmt: skip


def fetch_real_wheels(dest: Path) -> bool:
    """The wheels of :data:`REAL` and their dependencies (~48), from PyPI once, with pip."""
    dest.mkdir(parents=True, exist_ok=True)
    if len(list(dest.glob("*.whl"))) >= 40:
        return True
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
         "--dest", str(dest), *REAL],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.returncode == 0


LOCK_CHILD = """
import sys
from pathlib import Path

from envyard.launch import kernel_spec
from envyard.locking.resolve import lock_kernel
from envyard.spec import Environment

kernel = {"name": "b", "image": "x:1", "kernel": sys.argv[2:]}
spec = kernel_spec(Environment.model_validate(kernel))
Path(sys.argv[1]).write_text(lock_kernel(spec).model_dump_json(), encoding="utf-8")
"""  # what `env create` runs before it stores the version: spec model, lock, lock written


def bench_lock(
    root: Path,
    index: PypiIndex,
    top: list[str],
    repeat: int,
    *,
    find_links: bool = False,
) -> dict[str, float]:
    """Medians of locking with cold and warm caches, from the index (or its wheel folder).

    Every tool runs as a whole process (start-up and imports counted) with the same index and
    its own cache directory, empty (cold) or filled by an earlier run (warm). ``uv`` is bare
    ``uv pip compile`` with the arguments Envyard gives it: what Envyard adds on top of uv.
    """
    root.mkdir(parents=True, exist_ok=True)
    tool = pip_tools(root)
    # the wheel folder through the kernel's own pip options (uv has no variable for --no-index:
    # UV_NO_INDEX is ignored and uv asks pypi.org for every package), the same file for all
    lines = ["--no-index", f"--find-links {index.packages_dir}", *top] if find_links else top
    req = root / "requirements.in"
    req.write_text("".join(f"{n}\n" for n in lines), encoding="utf-8")
    source = [] if find_links else ["--index-url", index.url]

    def make_env(cache: Path) -> dict[str, str]:
        return isolated_installer_env(index.url, cache)

    def commands(cache: Path, tag: str) -> dict[str, tuple[list[str], dict[str, str]]]:
        """``tool -> (argv, env)``, each tool with its own cache under *cache*."""
        uv_env = {**make_env(cache / "uv-bare"), "UV_PYTHON_DOWNLOADS": "never"}
        return {
            "envyard": ([sys.executable, "-c", LOCK_CHILD, str(root / f"lock-{tag}.json"), *lines],
                        make_env(cache / "envyard")),
            "uv": ([uv_binary(), "pip", "compile", str(req), "--format", "pylock.toml", "-o",
                    str(root / f"pylock.{tag}.toml"), "--quiet", "--no-header",
                    "--python-version", f"{sys.version_info.major}.{sys.version_info.minor}",
                    "--python-platform", PLATFORMS["linux-64"], "--python", sys.executable],
                   uv_env),
            "peer": ([str(tool), "--quiet", "--generate-hashes", *source, "--cache-dir",
                      str(cache / "pip-tools"), "-o", str(root / f"peer-{tag}.txt"), str(req)],
                     make_env(cache / "pip-tools-env")),
        }  # fmt: skip

    runs: dict[str, list[float]] = {}
    warm = commands(root / "cache-warm", "warm")
    for argv, env in warm.values():  # fill the warm caches once
        subprocess.run(argv, check=True, env=env, capture_output=True)
    for i in range(repeat):
        cold = commands(root / f"cache-{i}", f"cold-{i}")
        for case, found in (("cold", cold), ("warm", warm)):
            for who, (argv, env) in found.items():  # interleaved: load changes hit all alike
                runs.setdefault(f"{who}_{case}", []).append(
                    timed(partial(subprocess.run, argv, check=True, env=env, capture_output=True))
                )
    lock = Lock.model_validate_json((root / "lock-warm.json").read_text(encoding="utf-8"))
    pinned = [p for p in lock.platforms["linux-64"].pip if all(w.sha256 for w in p.wheels)]
    peer_pins = (root / "peer-warm.txt").read_text(encoding="utf-8").count("==")
    assert peer_pins == len(pinned) == len(lock.platforms["linux-64"].pip), (peer_pins, lock)
    runs["packages"] = [float(peer_pins)]
    return {case: median(values) for case, values in runs.items()}


def run_measured(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the process and what it waited for) of *argv*."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def bench_relaunch(root: Path, index: PypiIndex, repeat: int) -> dict[str, tuple[float, float]]:
    """Medians (wall, CPU) of the cached re-launch, its ways in, and bare ``python -c pass``."""
    index.add_wheel("relaunchpkg", "1.0")
    env = isolated_installer_env(index.url, root / "relaunch-cache")
    env["ENVYARD_HOME"] = str(root / "relaunch-home")
    for var in ("ENVYARD_URL", "ENVYARD_DB_URL", "ENVYARD_TOKEN", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)  # bytecode is written (the warm-up runs), as on a user's machine
    spec = root / "relaunch.yaml"
    spec.write_text("name: relaunch\nimage: x:1\nkernel: [relaunchpkg]\n", encoding="utf-8")
    module = [sys.executable, "-m", "envyard"]
    subprocess.run([*module, "env", "create", "-f", str(spec)], check=True, env=env)
    launch = ["env", "launch", "relaunch"]
    run = ["--", "python", "-c", "pass"]
    built = subprocess.run(
        [*module, *launch, "--", "python", "-c", "import sys; print(sys.executable)"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip  (builds the kernel)
    kernel_python = built.stdout.strip()
    script = Path(sys.executable).with_name("envyard")
    cases = {
        "envyard (console script)": [str(script), *launch, *run],
        "python -m envyard": [*module, *launch, *run],
        "full CLI (click loaded)": [*module, *launch, "--engine", "local", *run],
        "bare python -c pass (kernel's)": [kernel_python, "-c", "pass"],
        "bare python -c pass (this one)": [sys.executable, "-c", "pass"],
    }
    if not script.is_file():
        del cases["envyard (console script)"]
    runs: dict[str, list[tuple[float, float]]] = {case: [] for case in cases}
    for argv in cases.values():
        run_measured(argv, env)  # warm-up: bytecode written, files in the page cache
    for _ in range(repeat):  # interleaved, so a change of load hits every case alike
        for case, argv in cases.items():
            runs[case].append(run_measured(argv, env))
    return {
        case: (median([w for w, _ in values]), median([c for _, c in values]))
        for case, values in runs.items()
    }


def report_relaunch(found: dict[str, tuple[float, float]]) -> None:
    """The goal is judged against the interpreter Envyard runs on: its bare start is what any
    program on it pays (site-packages' ``.pth`` files included), so the gap is what Envyard adds.
    The kernel's own interpreter (a venv without those ``.pth`` files) is shown beside it."""
    own_wall, own_cpu = found["bare python -c pass (this one)"]
    kernel_wall, _ = found["bare python -c pass (kernel's)"]
    print("\n2. cached re-launch `env launch relaunch -- python -c pass` vs bare `python -c pass`")
    print(f"   {'':31} {'wall':>8} {'CPU':>8} {'wall gap':>9} {'CPU gap':>8}  (goal <= +50 ms)")
    for case, (wall, cpu) in found.items():
        gap, cpu_gap = (wall - own_wall) * 1000, (cpu - own_cpu) * 1000
        judged = not case.startswith(("bare", "full CLI"))  # the full CLI: for comparison
        verdict = ("met" if gap <= 50 else "MISSED") if judged else ""
        print(
            f"   {case:31} {wall * 1000:5.1f} ms {cpu * 1000:5.1f} ms {gap:+6.1f} ms"
            f" {cpu_gap:+5.1f} ms  {verdict}"
        )
    wall, _ = found.get("envyard (console script)", found["python -m envyard"])
    print(
        "   gaps are over this interpreter's own bare start (the goal's measure: what Envyard"
        " adds);\n   over the kernel's venv interpreter, which skips this site-packages'"
        f" .pth files: {(wall - kernel_wall) * 1000:+.1f} ms"
    )


def bench_conda(root: Path, repeat: int) -> dict[str, float]:
    channel = CondaChannel(root / "conda" / "channel")
    names = [f"condabench{i:02d}" for i in range(20)]
    for i, name in enumerate(names):
        channel.add_package(name, "1.0", depends=[names[i + 1]] if i + 1 < len(names) else [])
    url = channel.serve()
    try:
        kernel = {"channels": [url], "dependencies": [names[0]]}
        environment = Environment.model_validate({"name": "c", "image": "x:1", "kernel": kernel})
        spec = kernel_spec(environment)
        assert spec is not None
        base = isolated_conda_env(root / "conda" / "warm", dict(os.environ))
        lock = lock_kernel(spec, env=base)
        assert len(lock.platforms["linux-64"].conda) == len(names)
        runs: dict[str, list[float]] = {"cold": [], "warm": []}
        materialise(spec, root / "conda" / "kernels-fill", env=base, lock=lock)  # fills the cache
        for i in range(repeat):
            cold = isolated_conda_env(root / "conda" / f"cold-{i}", dict(os.environ))
            target = root / "conda" / f"kernels-cold-{i}"
            runs["cold"].append(timed(partial(materialise, spec, target, env=cold, lock=lock)))
            warm_target = root / "conda" / f"kernels-warm-{i}"
            runs["warm"].append(timed(partial(materialise, spec, warm_target, env=base, lock=lock)))
        return {case: median(values) for case, values in runs.items()}
    finally:
        channel.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--packages", type=int, default=50)
    parser.add_argument(
        "--wheels-dir", type=Path, default=Path(tempfile.gettempdir()) / "envyard-bench-lock-wheels"
    )
    parser.add_argument(
        "--only", choices=["lock", "relaunch", "conda"], help="Run one of the three measures."
    )
    parser.add_argument(
        "--index-backend",
        choices=["cached-dir", "simple-dir"],
        default="cached-dir",
        help="pypiserver backend of measure 1's index (see bench_locks).",
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, median of {args.repeat}, load {os.getloadavg()}")
    rows: dict[str, dict[str, float]] = {}
    relaunch: dict[str, tuple[float, float]] = {}
    conda: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="envyard-lockbench-") as tmp:
        root = Path(tmp)
        with PypiIndex.start(root / "index") as index:
            if args.only in (None, "lock"):
                rows = bench_locks(root, args)
            if args.only in (None, "relaunch"):
                relaunch = bench_relaunch(root, index, args.repeat)
        if args.only in (None, "conda"):
            conda = bench_conda(root, args.repeat)
    if rows:
        print("\n1. lock a pip kernel (exact versions + sha256), Envyard vs pip-compile")
    for where, found in rows.items():
        for warmth in ("cold", "warm"):
            ours, theirs = found[f"envyard_{warmth}"], found[f"peer_{warmth}"]
            verdict = "met" if theirs / ours >= 10 else "MISSED"
            print(
                f"   {where:31} {found['packages']:3.0f} pkgs {warmth:4}: envyard {ours:6.3f} s"
                f" (bare uv {found[f'uv_{warmth}']:6.3f} s, +{ours - found[f'uv_{warmth}']:5.3f})"
                f"  pip-compile {theirs:6.3f} s"
                f"  {theirs / ours:5.1f}x  (>= 10x: {verdict}; uv alone"
                f" {theirs / found[f'uv_{warmth}']:4.1f}x)"
            )
    if relaunch:
        report_relaunch(relaunch)
    if conda:
        print("\n3. locked conda kernel, 20 packages from a local channel over HTTP (py-rattler)")
        print(f"   cold (empty package cache) {conda['cold']:7.3f} s   warm {conda['warm']:7.3f} s")
    print(f"load at the end {os.getloadavg()}")


def bench_locks(root: Path, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Measure 1: the generated graph (pypiserver, wheel folder) and the real wheels.

    The index is pypiserver over a folder filled before it starts, by default with its
    ``cached-dir`` backend: the listing and every file's sha256 are computed once, as any
    production index serves them, rather than a directory scan and a sha256 of the project's
    files on every request (``--index-backend simple-dir``, the fixture's default for tests).
    """
    packages = root / "lock-index" / "packages"
    packages.mkdir(parents=True)
    top = publish_graph(packages, args.packages)
    with PypiIndex.start(root / "lock-index", backend=args.index_backend) as index:
        rows = {
            "generated, pypiserver": bench_lock(root / "gen", index, top, args.repeat),
            "generated, find-links": bench_lock(
                root / "gen-fl", index, top, args.repeat, find_links=True
            ),
        }
        if fetch_real_wheels(args.wheels_dir):
            real = [Path(shutil.copy2(w, packages)) for w in args.wheels_dir.glob("*.whl")]
            wait_listed(index, real)
            rows["real (PyPI wheels), pypiserver"] = bench_lock(
                root / "real", index, REAL, args.repeat
            )
    return rows


if __name__ == "__main__":
    main()
