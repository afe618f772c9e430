"""Solve or install conda packages with py-rattler, as a child process.

``python -m envyard.locking.rattler_child REQUEST.json``. A solve request holds
``"action": "solve"``, ``specs``, ``channels`` and ``platform``; the child prints the records
as JSON. An install request holds ``prefix``, ``cache_dir``, ``platform`` and ``records``
(:func:`envyard.locking.conda.record_json`). The child flushes its output and leaves with
``os._exit``: py-rattler can crash while the interpreter shuts down after a solve or an install
(seen about 1 in 5 runs with 0.28), which would turn a good result into a failed one.
Exit 0: done; 1: the one-line reason is on stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any


def _record(data: dict[str, Any]) -> Any:
    from rattler import BuildString, PackageRecord, RepoDataRecord

    package = PackageRecord(
        name=data["name"],
        version=data["version"],
        build=BuildString(data["build"]),
        build_number=int(data.get("build_number") or 0),
        subdir=data["subdir"],
        noarch=data.get("noarch"),
        depends=list(data.get("depends") or []),
        constrains=list(data.get("constrains") or []),
        sha256=bytes.fromhex(data["sha256"]) if data.get("sha256") else None,
        md5=bytes.fromhex(data["md5"]) if data.get("md5") else None,
        size=data.get("size"),
        license=data.get("license"),
    )
    return RepoDataRecord(package, data["file_name"], data["url"], data["channel"])


def install(request: dict[str, Any]) -> None:
    import rattler

    records = [_record(r) for r in request["records"]]
    asyncio.run(
        rattler.install(
            records,
            Path(request["prefix"]),
            cache_dir=Path(request["cache_dir"]),
            platform=rattler.Platform(request["platform"]) if request.get("platform") else None,
            show_progress=False,
        )
    )


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    action = request.get("action", "install")
    try:
        if action == "solve":
            from envyard.locking.conda import solve_in_process

            found = solve_in_process(request["specs"], request["channels"], request["platform"])
            sys.stdout.write(json.dumps(found))
        else:
            install(request)
    except Exception as exc:  # reported as one line; the parent raises a user error
        print(f"conda {action} failed: {' '.join(str(exc).split())}", file=sys.stderr)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a child process
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
