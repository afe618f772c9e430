"""Benchmark: 100 ``{{latest-pypi-version}}`` lookups against a local pypiserver.

The same 100 packages (5 releases each, one pre-release) are looked up by Envyard's resolver
(concurrent, one HTTP session) and by the reference's ``get_latest_package_version`` with
the pip ``PackageFinder`` it builds (``azureml.assets.environment.pin_package_versions``),
pointed at the same index. Only the lookups are timed (in each tool's own process)::

    python benchmarks/assets_pypi.py [--packages 100]

Target: >= 10x faster. Both must find the same versions (sanity check).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets_common import Timing, reference_python, reference_version, report

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
    from envyard.assets.httpsession import HttpSession
    from envyard.assets.resolvers.base import ResolveContext
    from envyard.assets.resolvers.pypi import LatestPypiVersion
    from envyard.assets.templates import scan

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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=100)
    args = parser.parse_args()
    from envyard.testing.pypi import PypiIndex

    ref_python = reference_python()
    with (
        tempfile.TemporaryDirectory(prefix="envyard-bench-pypi-") as tmp,
        PypiIndex.start(Path(tmp)) as index,
    ):
        names = [f"bench-pkg-{i}" for i in range(args.packages)]
        for name in names:
            for version in ("1.0", "1.2", "1.10", "2.0", "3.0rc1"):
                index.add_wheel(name, version)
        ours(index.url, names[:2])  # warm imports, like the reference's script has them
        our_time, our_found, requests = ours(index.url, names)
        flat_url = index.root_url + "packages/"
        flat_time, flat_found, flat_requests = ours(index.url, names, find_links=flat_url)
        proc = subprocess.run(
            [str(ref_python), "-W", "ignore", "-c", REFERENCE_SCRIPT, index.url, ",".join(names)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stderr[-3000:])
            return 1
        ref = json.loads(proc.stdout.strip().splitlines()[-1])
    same = our_found == ref["found"] == flat_found
    print(
        f"envyard: {len(our_found)} versions, {requests} requests; azureml-assets "
        f"{reference_version()}: {len(ref['found'])} versions; same answers: {same}"
    )
    if not same:
        diff = {k: (our_found.get(k), v) for k, v in ref["found"].items() if our_found.get(k) != v}
        print(f"differences (ours, reference): {dict(list(diff.items())[:5])}")
        return 1
    reference = Timing(ref["wall"], ref["cpu"])
    report(
        f"{args.packages} lookups, simple index (/simple/<pkg>/: one request per package)",
        [
            ("envyard resolver (concurrent, one session)", our_time),
            ("azureml-assets get_latest_package_version", reference),
        ],
        10,
    )
    print("  (pypiserver answers one request at a time, ~50 ms each here: this mode is bound")
    print("   by the server, not by either client)")
    ratio = report(
        f"{args.packages} lookups, find-links page /packages/ ({flat_requests} request)",
        [
            ("envyard --find-links URL --no-index", flat_time),
            ("azureml-assets get_latest_package_version", reference),
        ],
        10,
    )
    return 0 if ratio >= 10 else 2


if __name__ == "__main__":
    sys.exit(main())
