"""Benchmark: 100 ``{{latest-pypi-version}}`` lookups against a local pypiserver.

The same 100 packages (5 releases each, one pre-release) are looked up by Envyard's resolver
(concurrent, one HTTP session) and by the reference's ``get_latest_package_version`` with
the pip ``PackageFinder`` it builds (``azureml.assets.environment.pin_package_versions``),
pointed at the same index. Only the lookups are timed (in each tool's own process)::

    python benchmarks/assets_pypi.py [--packages 100]

Three rounds, all printed:

- ``/simple/<pkg>/`` pages from the index fixture as tests run it (a directory scan and file
  hashing per request);
- the same pages from the same files served the way pypiserver advises for speed (a cached
  listing with ``watchdog``, no hashing), when ``watchdog`` is installed;
- Envyard reading the index's one find-links page (``/packages/``, ``--find-links URL
  --no-index``) against the reference on the simple pages.

Each simple-index round also prints the server's floor: the same pages fetched by a raw
keep-alive client that parses nothing. pypiserver answers one request at a time, so
``reference / floor`` is the most any client could gain there, however fast.

Target: >= 10x faster (the exit status follows the find-links round). Every client must find
the same versions (sanity check).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets_common import Timing, reference_python, reference_version, report

from envyard.testing.pypi import PypiIndex

REFERENCE_SCRIPT = """
import json, sys, time
from azureml.assets.environment.pin_package_versions import (
    create_package_finder, get_latest_package_version)
url, names = sys.argv[1], sys.argv[2].split(",")
start, cpu = time.perf_counter(), time.process_time()
finder = create_package_finder([url])
found = {n: str(get_latest_package_version(n, finder)) for n in names}
print(json.dumps({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "found": found}))
"""


def ours(
    url: str, names: list[str], *, find_links: str | None = None
) -> tuple[Timing, dict[str, str], int]:
    from envyard.assets.config import AssetSettings
    from envyard.assets.resolvers.base import ResolveContext
    from envyard.assets.resolvers.pypi import LatestPypiVersion
    from envyard.assets.tags.http import HttpSession
    from envyard.assets.tags.scan import scan

    text = "".join(f"{n}=={{{{latest-pypi-version}}}}\n" for n in names)
    tags = list(scan(text, "requirements.txt"))
    resolver = LatestPypiVersion()

    async def run() -> tuple[dict[str, str], int]:
        async with HttpSession(concurrency=16) as session:
            settings = (
                AssetSettings(find_links=[find_links], no_index=True)
                if find_links
                else AssetSettings(index_urls=[url])
            )
            ctx = ResolveContext(settings, session)
            results = await asyncio.gather(*(resolver.resolve(t, ctx) for t in tags))
            return {r.subject: r.value for r in results}, session.requests

    start, cpu = time.perf_counter(), time.process_time()
    found, requests = asyncio.run(run())
    return Timing(time.perf_counter() - start, time.process_time() - cpu), found, requests


async def _floor(url: str, names: list[str], connections: int = 6) -> None:
    """The least a client can do: raw HTTP/1.1 GETs on keep-alive sockets (no parsing)."""
    parts = urlsplit(url)
    todo = list(names)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        while todo:
            name = todo.pop()
            writer.write(
                f"GET {parts.path}{name}/ HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


def server_floor(url: str, names: list[str]) -> float:
    """The faster of one and six raw connections (threads in one process contend too)."""
    best = float("inf")
    for connections in (1, 6):
        start = time.perf_counter()
        asyncio.run(_floor(url, names, connections))
        best = min(best, time.perf_counter() - start)
    return best


def reference(ref_python: Path, url: str, names: list[str]) -> tuple[Timing, dict[str, str]]:
    proc = subprocess.run(
        [str(ref_python), "-W", "ignore", "-c", REFERENCE_SCRIPT, url, ",".join(names)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the reference failed:\n{proc.stderr[-3000:]}")
    ref = json.loads(proc.stdout.strip().splitlines()[-1])
    return Timing(ref["wall"], ref["cpu"]), ref["found"]


def simple_index_round(
    index: PypiIndex, names: list[str], ref_python: Path, answers: dict[str, dict[str, str]]
) -> None:
    """Both clients against ``index``'s /simple/ pages, and the server's own floor."""
    ours(index.url, names[:2])  # warm imports, like the reference's script has them
    our_time, answers[f"envyard ({index.server_name})"], requests = ours(index.url, names)
    ref_time, answers[f"reference ({index.server_name})"] = reference(ref_python, index.url, names)
    floor = server_floor(index.url, names)
    report(
        f"{len(names)} lookups, /simple/<pkg>/ ({requests} requests) on {index.server_name}",
        [
            ("envyard resolver (concurrent, one session)", our_time),
            ("azureml-assets get_latest_package_version", ref_time),
        ],
        10,
    )
    print(
        f"  server floor: {floor:.3f} s for the same {len(names)} pages fetched raw on 1 or 6 "
        f"keep-alive connections;\n  no client can beat the reference by more than "
        f"{ref_time.wall / floor:.1f}x against this server"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=100)
    args = parser.parse_args()

    ref_python = reference_python()
    names = [f"bench-pkg-{i}" for i in range(args.packages)]
    answers: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="envyard-bench-pypi-") as tmp:
        with PypiIndex.start(Path(tmp)) as index:
            for name in names:
                for version in ("1.0", "1.2", "1.10", "2.0", "3.0rc1"):
                    index.add_wheel(name, version)
            print(f"azureml-assets {reference_version()}; {len(names)} packages x 5 releases")
            simple_index_round(index, names, ref_python, answers)
            flat_url = index.root_url + "packages/"
            flat_time, answers["envyard --find-links"], flat_requests = ours(
                index.url, names, find_links=flat_url
            )
            ref_time, _ = reference(ref_python, index.url, names)
        if importlib.util.find_spec("watchdog") is not None:
            # the same files, served the way pypiserver's docs advise for speed: a cached
            # listing (watchdog) and no per-request file hashing
            with PypiIndex.start(Path(tmp), backend="cached-dir", hash_algo="off") as fast:
                simple_index_round(fast, names, ref_python, answers)
        else:
            print("\n(pip install watchdog to also measure pypiserver's cached listing)")
    ratio = report(
        f"{len(names)} lookups, find-links page /packages/ ({flat_requests} request)",
        [
            ("envyard --find-links URL --no-index", flat_time),
            ("azureml-assets get_latest_package_version", ref_time),
        ],
        10,
    )
    first = next(iter(answers.values()))
    same = all(found == first for found in answers.values()) and len(first) == len(names)
    print(f"\nsame {len(first)} answers from every client and server: {same}")
    if not same:
        for label, found in answers.items():
            diff = {k: v for k, v in found.items() if first.get(k) != v}
            print(f"  {label}: {dict(list(diff.items())[:5])}")
        return 1
    return 0 if ratio >= 10 else 2


if __name__ == "__main__":
    sys.exit(main())
