"""Run one notebook on a remote worker (a Ray job) and print its result for the caller.

``python -m envyard.notebooks.remote JOB.json`` runs in the notebook's uploaded snapshot (the
Ray job's working directory). ``JOB.json`` holds the notebook's path inside the snapshot, its
resolved settings, the name shown in reports and, for a registry environment, the environment
and its version's stored lock (installed here as is: the worker never locks). The notebook
runs exactly as locally: a fresh kernel (the environment's kernel is installed on the worker),
injection and scrubbing, timeouts. The result and the executed notebook are printed on one
line after :data:`MARKER`, base64-encoded JSON, so the caller can collect them from the job's
logs without any shared filesystem.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

import nbformat

from envyard.notebooks.job import Job, KernelPlan, RunOptions
from envyard.notebooks.nbmeta import notebook_execution
from envyard.notebooks.plan import injection_for, read_notebook
from envyard.notebooks.results import NotebookResult
from envyard.notebooks.runner import Runner
from envyard.spec.notebooks import NotebookSettings

MARKER = "ENVYARD-NB-RESULT "


def encode(payload: dict[str, Any]) -> str:
    return base64.b64encode(zlib.compress(json.dumps(payload).encode())).decode()


def decode(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(text)))
    return data


def find_result(logs: str) -> dict[str, Any] | None:
    """The payload printed by :func:`main` in a job's logs, if any."""
    for line in reversed(logs.splitlines()):
        if line.startswith(MARKER):
            return decode(line[len(MARKER) :].strip())
    return None


def _kernel(spec: dict[str, Any], settings: NotebookSettings, nb: Any) -> KernelPlan:
    """The environment sent with the job (materialised on this worker), else as locally."""
    from envyard.notebooks.envs import environment_kernel, plan_kernel
    from envyard.settings import load_settings
    from envyard.spec.environment import Environment

    if spec.get("environment"):
        from envyard.locking.model import Lock

        environment = Environment.model_validate(spec["environment"])
        lock = Lock.model_validate(spec["lock"]) if spec.get("lock") else None
        cache = load_settings().kernel_cache
        return environment_kernel(environment, list(settings.pip), cache, lock)
    return plan_kernel(settings, nb.metadata)


async def _run(spec: dict[str, Any], base: Path) -> dict[str, Any]:
    path = (base / spec["notebook"]).resolve()
    settings = NotebookSettings.model_validate(spec["settings"])
    shown = str(spec["shown"])
    try:
        nb = read_notebook(path)
        kernel = _kernel(spec, settings, nb)
    except Exception as exc:
        result = NotebookResult(shown, path.name, "error", message=str(exc), reason="environment")
        return {"result": result.to_dict(), "notebook": None}
    job = Job(0, path, shown, settings, nb, kernel, injection_for(settings), spec["timeout"])
    job.env = kernel.env
    job.allow_errors = notebook_execution(nb).allow_errors  # read (checked) when planned
    saved: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="envyard-nb-out-") as out:
        runner = Runner(RunOptions(workers=1, output_dir=Path(out), in_place=True))
        try:
            (result,) = await runner.run([job])
        finally:
            await runner.close()
        if result.output:
            saved = json.loads(Path(result.output).read_text(encoding="utf-8"))
            result.output = None
    return {"result": result.to_dict(), "notebook": saved or None}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec_path = Path(args[0]).resolve()
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    payload = asyncio.run(_run(spec, spec_path.parent))
    sys.stdout.write(MARKER + encode(payload) + "\n")
    sys.stdout.flush()
    return 0


def notebook_from(payload: dict[str, Any]) -> nbformat.NotebookNode | None:
    data = payload.get("notebook")
    if not data:
        return None
    node: nbformat.NotebookNode = nbformat.from_dict(data)  # type: ignore[no-untyped-call]
    return node


if __name__ == "__main__":
    sys.exit(main())
