"""What finding a backend by name costs a fresh process: Envyard's lookup vs the usual scan.

Every ``envyard env launch`` (and ``job submit``, ``nb test``) starts by turning a name into a
backend through the ``envyard.backends`` entry points. The usual way (papermill's engines,
pytest's and tox's plugins) scans the entry points of every installed distribution;
Envyard reads its own distribution's ``entry_points.txt`` first and scans only for a name it
does not declare (a third-party backend). Each case runs in a fresh interpreter, alternately:

- ``bare``: ``python -c pass``, the floor;
- ``scan``: ``importlib.metadata.entry_points(group="envyard.backends")["local"].load()`` and
  build it, the usual way;
- ``envyard``: ``envyard.plugins.backend("local", "launch")``, what ``env launch`` calls.

The script prints each case's median wall time, the lookup's cost above ``bare`` and the
ratio scan / envyard of those costs, pair by pair (median of the pairs). Run:
``python benchmarks/backend_lookup.py [--runs 21]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "bare": "pass",
    "scan": (
        "from importlib.metadata import entry_points\n"
        "entry_points(group='envyard.backends')['local'].load()({})"
    ),
    "envyard": "from envyard import plugins\nplugins.backend('local', 'launch')",
}


def _once(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each case (default 21)")
    args = parser.parse_args()
    for code in CASES.values():  # warm the page cache and byte-compiled files
        _once(code)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):
        for name, code in CASES.items():
            times[name].append(_once(code))
    print(f"{args.runs} runs of each case, alternating; median wall time of a fresh process")
    for name, values in times.items():
        print(f"  {name:8} {statistics.median(values) * 1000:7.1f} ms")
    above = {
        name: [value - bare for value, bare in zip(times[name], times["bare"], strict=True)]
        for name in ("scan", "envyard")
    }
    for name, values in above.items():
        print(f"  {name:8} lookup above bare: {statistics.median(values) * 1000:6.1f} ms")
    ratios = [s / e for s, e in zip(above["scan"], above["envyard"], strict=True) if e > 0]
    print(f"  scan / envyard, lookup cost, median of pairs: {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
