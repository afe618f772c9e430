"""Registry reads: ``GET /api/v1/environments/{name}`` vs a bare FastAPI endpoint, with wrk.

Both servers run on this machine with the same uvicorn settings (``--workers W``, default 2 for
a 2-core machine, no access log) and serve the same JSON: the bare app returns, as a plain
``dict`` from an ``async def`` endpoint, the exact body the registry returns for the
environment (read once at start-up). The registry holds 200 environments (the measured one has
a conda + pip kernel locked from a local channel and wheel folder, and three versions) on a
SQLite file (default) or on PostgreSQL (``--db pg``, an ephemeral cluster from
:mod:`envyard.testing.postgres`).

Load: ``wrk -t2 -c50 -d{duration}s --latency`` (Debian package ``wrk``), after a short warm-up
of each server. One run each; the script prints requests/s, p50/p99 latency and errors for
both, the throughput ratio, and whether the targets hold (>= 50 % of bare throughput,
p99 <= 50 ms, 0 errors).

Anonymous reads (the measured case) are answered by Envyard's fast path
(:mod:`envyard.service.fastpath`), which keeps each answer until anyone commits to the
metastore. Printed beside it, not part of the targets: the same GET with a read token (the
token is checked again after every commit), and the same GET on a server started with
``ENVYARD_FAST_READS=0``, where every request takes the FastAPI route and queries the
metastore: what a read costs when no answer can be kept (e.g. right after a write).

Run: ``python benchmarks/registry_reads.py [--duration 15] [--workers 2] [--db sqlite|pg]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from envyard.client import Client
from envyard.service.testing import EnvyardServer
from envyard.settings import load_settings
from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import ServerProcess, start_process, wait_for_http

BARE_APP = """
import json, os
from fastapi import FastAPI

BODY = json.loads(open(os.environ["BARE_JSON"], encoding="utf-8").read())

def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/environments/{ref}")
    async def get(ref: str) -> dict:
        return BODY

    @app.get("/healthz")
    async def health() -> dict:
        return {"status": "ok"}

    return app
"""

PIP_PACKAGES = [(f"pkg{i}", f"1.{i}") for i in range(15)]


def kernel(work: Path) -> dict[str, object]:
    """A conda kernel (numpy from a local channel) with 15 pip packages (a local wheel folder):
    every version is locked at creation, so both are real sources on this machine."""
    from envyard.testing.conda_channel import CondaChannel
    from envyard.testing.wheels import build_wheel

    channel = CondaChannel(work / "channel")
    channel.add_package("numpy", "1.26.4")
    wheels = work / "wheels"
    for name, version in PIP_PACKAGES:
        build_wheel(wheels, name, version)
    pip = ["--no-index", f"--find-links {wheels}", *(f"{n}=={v}" for n, v in PIP_PACKAGES)]
    return {
        "name": "team_py311",
        "channels": [channel.url],
        "dependencies": ["numpy=1.26", {"pip": pip}],
    }


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(text: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s|m))\s*$", text, re.MULTILINE))
    if "99" not in lat:
        raise RuntimeError(f"cannot read wrk's latency distribution:\n{text}")

    def pct(key: str) -> float:
        match = re.match(r"([\d.]+)(us|ms|s|m)$", lat[key])
        assert match is not None
        return _ms(match.group(1), match.group(2))

    total = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    errors = 0
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if socket:
        errors += sum(int(x) for x in socket.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    return Result(rps, pct("50"), pct("99"), total, errors)


def wrk(
    url: str, duration: int, connections: int = 50, threads: int = 2, header: str | None = None
) -> Result:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if header:
        argv[1:1] = ["-H", header]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


@contextlib.contextmanager
def bare_server(work: Path, body: bytes, workers: int) -> Iterator[str]:
    (work / "bare_app.py").write_text(textwrap.dedent(BARE_APP))
    (work / "body.json").write_bytes(body)
    port = free_port()
    argv = [
        sys.executable, "-m", "uvicorn", "--factory", "bare_app:create_app", "--app-dir", str(work),
        "--host", LOCALHOST, "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    env = {**os.environ, "BARE_JSON": str(work / "body.json")}
    process: ServerProcess = start_process("bare-fastapi", argv, work / "bare.log", env=env)
    try:
        wait_for_http(process, f"http://{LOCALHOST}:{port}/healthz", timeout=60)
        yield f"http://{LOCALHOST}:{port}"
    finally:
        process.stop()


@contextlib.contextmanager
def metastore(kind: str, work: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{work / 'envyard.db'}"
        return
    from envyard.testing.postgres import PostgresServer

    with PostgresServer.start() as pg:
        yield pg.create_database("envyard_bench")


def seed(db_url: str, work: Path) -> None:
    os.environ["ENVYARD_DB_URL"] = db_url
    with Client(settings=load_settings()) as client:
        envs = client.environments
        for i in range(199):
            envs.create(
                {"name": f"env-{i:03d}", "image": "python:3.11-slim", "tags": {"n": str(i)}}
            )
        envs.create(
            {"name": "team-default", "description": "The environment most of team ABC uses.",
             "image": "registry.example.com/team/base:2024.05", "kernel": kernel(work),
             "tags": {"Python": "3.11", "OS": "Debian12", "GPU": ""}}
        )  # fmt: skip
        envs.update("team-default", {"description": "second"})
        envs.update("team-default", {"description": "third"})


def report(name: str, result: Result) -> None:
    print(
        f"{name:<22} {result.rps:>10.0f} req/s   p50 {result.p50_ms:>7.2f} ms   "
        f"p99 {result.p99_ms:>7.2f} ms   requests {result.requests:>8}   errors {result.errors}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="Seconds of load per server.")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (both servers).")
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="envyard-bench-registry-"))
    os.environ["ENVYARD_HOME"] = str(work / "home")
    try:
        with metastore(args.db, work) as db_url:
            seed(db_url, work)
            server = EnvyardServer.start(db_url, work, workers=args.workers)
            try:
                url = f"{server.url}/api/v1/environments/team-default"
                body = subprocess.run(["curl", "-s", url], capture_output=True, check=True).stdout
                assert json.loads(body)["ref"] == "team-default@3"
                wrk(url, 2)  # warm-up
                envyard = wrk(url, args.duration)
                token = f"Authorization: Bearer {server.tokens['read']}"
                with_token = wrk(url, args.duration, header=token)
            finally:
                server.stop()
            off = {"ENVYARD_FAST_READS": "0"}
            with EnvyardServer.start(db_url, work, workers=args.workers, env=off) as server:
                routed_url = f"{server.url}/api/v1/environments/team-default"
                got = subprocess.run(["curl", "-s", routed_url], capture_output=True, check=True)
                assert got.stdout == body
                wrk(routed_url, 2)
                routed = wrk(routed_url, args.duration)
            with bare_server(work, body, args.workers) as bare_url:
                bare_get = f"{bare_url}/api/v1/environments/team-default"
                assert json.loads(
                    subprocess.run(["curl", "-s", bare_get], capture_output=True, check=True).stdout
                ) == json.loads(body)
                wrk(bare_get, 2)
                bare = wrk(bare_get, args.duration)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"GET one environment ({len(body)} bytes JSON), wrk -t2 -c50 -d{args.duration}s, "
        f"uvicorn --workers {args.workers}, metastore {args.db}, {os.cpu_count()} cores"
    )
    report("bare FastAPI", bare)
    report("envyard registry", envyard)
    report("  with a read token", with_token)
    report("  no fast path", routed)
    ratio = envyard.rps / bare.rps
    print(f"throughput ratio envyard/bare: {ratio:.2f} ({ratio:.0%} of bare)")
    print(
        f"  informational: with a read token {with_token.rps / bare.rps:.0%} of bare; "
        f"no fast path (ENVYARD_FAST_READS=0: FastAPI route, metastore query on every "
        f"request) {routed.rps / bare.rps:.0%} of bare"
    )
    print(f"p99 ratio envyard/bare: {envyard.p99_ms / bare.p99_ms:.2f}")
    checks = {
        "throughput >= 50% of bare": ratio >= 0.5,
        "p99 <= 50 ms": envyard.p99_ms <= 50,
        "0 errors": envyard.errors == 0 and bare.errors == 0,
    }
    for label, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
