"""Benchmark: ``envyard nb test`` vs ``pytest --nbmake -n 2`` vs a papermill loop vs the floor.

40 generated small notebooks (5 light cells each, 2 of them failing) run side by side in one
invocation; wall-clock times and ratios are printed. Every tool gives each notebook a fresh
kernel process, except the floor: the same cells executed in one warm kernel (no start-up at
all), which bounds what any per-notebook-kernel tool can reach.

nbmake, pytest-xdist and papermill are installed into a separate venv (``--peers-venv``,
created with uv over this interpreter's site-packages on first use) so their pytest plugins do
not leak into Envyard's own test runs::

    python benchmarks/notebooks_vs_nbmake.py [--notebooks 40] [--workers 2] [--repeat 1]
                                             [--floor-only]

The last line is the floor ratio (envyard's wall time over the floor's, best of the repeats;
issue 17 asks for at most 1.5). ``--floor-only`` runs envyard and the floor alone (no peers
venv needed), alternately, which is what to repeat on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat

PEERS = ["nbmake", "pytest-xdist", "papermill"]


def generate(folder: Path, count: int, failing: int = 2) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    fail_at = {count // 3, (2 * count) // 3} if failing == 2 else set(range(failing))
    for i in range(count):
        cells = [
            f"n = {i}\ndata = list(range(100))",
            "total = sum(data) + n\nprint(total)",
            "squares = [x * x for x in data[:10]]\nsquares[-1]",
            "assert total >= 4950" if i not in fail_at else "raise RuntimeError('planned failure')",
            "{'n': n, 'total': total}",
        ]
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
        nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
        nbformat.write(nb, folder / f"nb_{i:03d}.ipynb")


def peers_python(venv: Path) -> str:
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import nbmake, xdist, papermill"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return str(python)
    uv = shutil.which("uv") or "uv"
    subprocess.run(
        [uv, "venv", "--system-site-packages", "--python", sys.executable, str(venv)], check=True
    )
    subprocess.run([uv, "pip", "install", "--python", str(python), *PEERS], check=True)
    return str(python)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (the command and its children), exit code, output."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    return wall, _children_cpu() - cpu, done.returncode, done.stdout + done.stderr


PAPERMILL_LOOP = textwrap.dedent(
    """
    import pathlib, sys, papermill
    failed = 0
    for nb in sorted(pathlib.Path(sys.argv[1]).glob("*.ipynb")):
        try:
            out = pathlib.Path(sys.argv[2]) / nb.name
            papermill.execute_notebook(str(nb), str(out), progress_bar=False,
                                       log_output=False, kernel_name="python3")
        except papermill.PapermillExecutionError:
            failed += 1
    print("papermill failed:", failed)
    sys.exit(1 if failed else 0)  # as the other tools: failures fail the run
    """
)


async def _floor(folder: Path) -> float:
    from jupyter_client.manager import AsyncKernelManager

    sockets = Path(tempfile.mkdtemp(prefix="nbfloor-", dir="/tmp"))
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "s"))
    await km.start_kernel(stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    try:
        start = time.perf_counter()
        for path in sorted(folder.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                await kc.execute_interactive(cell.source, timeout=60, output_hook=lambda _m: None)
        return time.perf_counter() - start
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--floor-only", action="store_true", help="envyard and the floor only")
    parser.add_argument(
        "--peers-venv", type=Path, default=Path.home() / ".cache" / "envyard-bench-venv"
    )
    args = parser.parse_args()
    peer = "" if args.floor_only else peers_python(args.peers_venv)
    work = Path(tempfile.mkdtemp(prefix="nbbench-"))
    folder = work / "notebooks"
    generate(folder, args.notebooks)
    (work / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (work / "pm-out").mkdir()
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "ENVYARD_HOME": str(work / "home")}
    envyard = [sys.executable, "-m", "envyard", "nb", "test", str(folder), "-q"]
    runs = {
        f"envyard nb test --workers {args.workers}": [*envyard, "--workers", str(args.workers)],
        f"pytest --nbmake -n {args.workers}": [
            peer, "-m", "pytest", "--nbmake", "-n", str(args.workers), "-q", "-p",
            "no:cacheprovider", str(folder),
        ],
        "papermill loop": [peer, "-c", PAPERMILL_LOOP, str(folder), str(work / "pm-out")],
    }  # fmt: skip
    if args.floor_only:
        runs = {name: cmd for name, cmd in runs.items() if name.startswith("envyard")}
    print(f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    best: dict[str, tuple[float, float]] = {}
    floor_name = "floor (one warm kernel)"
    for _ in range(args.repeat):
        for name, cmd in runs.items():
            wall, cpu, code, out = timed(cmd, work, env)
            if code == 0:  # 2 notebooks fail on purpose: every tool must notice
                print(f"warning: {name} exited 0, expected failures\n{out[-2000:]}")
            if wall < best.get(name, (float("inf"), 0.0))[0]:
                best[name] = (wall, cpu)
        wall = asyncio.run(_floor(folder))
        if wall < best.get(floor_name, (float("inf"), 0.0))[0]:
            best[floor_name] = (wall, float("nan"))
    shutil.rmtree(work, ignore_errors=True)
    ours = best[f"envyard nb test --workers {args.workers}"][0]
    load = os.getloadavg()[0]
    what = f"{args.notebooks} notebooks x 5 cells (2 failing)"
    print(f"\n{what}, {os.cpu_count()} CPUs, load average {load:.1f} at the end")
    print(f"{'run':34} {'wall s':>8} {'cpu s':>8} {'wall vs envyard':>16}")
    for name, (wall, cpu) in best.items():
        print(f"{name:34} {wall:8.2f} {cpu:8.2f} {wall / ours:15.2f}x")
    nbmake = best.get(f"pytest --nbmake -n {args.workers}")
    if nbmake is not None:
        print(f"\nenvyard is {nbmake[0] / ours:.2f}x faster than nbmake -n {args.workers} (wall)")
    floor = best[floor_name][0]
    print(f"floor ratio {ours / floor:.2f} (envyard {ours:.2f}s / floor {floor:.2f}s)")


if __name__ == "__main__":
    main()
