"""Exited containers of ``--backend container`` runs never accumulate: :func:`harvest` keeps
each one's output (masked) and exit code in its run directory, then removes it; :func:`sweep`
does that for every exited container of runs nobody followed (found by their labels)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from envyard.backends.interface import mask_fingerprints

__all__ = ["harvest", "read_logs", "sweep"]


def read_logs(engine: str, env: Mapping[str, str], name: str, prints: list[dict[str, Any]]) -> str:
    """A container's output, masked, its stdout and stderr lines in the order it wrote them
    (one pipe for both: read apart, every stderr line came after every stdout line)."""
    done = subprocess.run(
        [engine, "logs", name], env=dict(env), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, check=False,
    )  # fmt: skip
    return mask_fingerprints(done.stdout, prints)


def harvest(
    engine: str,
    env: Mapping[str, str],
    containers: list[dict[str, Any]],
    run_dir: Path,
    prints: list[dict[str, Any]],
) -> None:
    """Keep each exited container's output (masked) and exit code in ``run_dir/logs``, then
    remove the container: exited containers never accumulate."""
    logs = run_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for c in containers:
        base = logs / f"{c['role']}-{c['index']}"
        if base.with_suffix(".exit").exists():
            continue
        inspected = subprocess.run([engine, "inspect", "--format", "{{.State.ExitCode}}",
                                    c["name"]], env=dict(env), capture_output=True, text=True,
                                   check=False)  # fmt: skip
        if inspected.returncode != 0:
            continue  # gone already
        text = read_logs(engine, env, c["name"], prints)
        base.with_suffix(".log").write_text(text, encoding="utf-8")
        tmp = base.with_suffix(".exit.tmp")
        tmp.write_text(inspected.stdout.strip() or "1")
        tmp.replace(base.with_suffix(".exit"))  # the marker comes last
        subprocess.run([engine, "rm", "--force", c["name"]], env=dict(env),
                       capture_output=True, check=False)  # fmt: skip


def sweep(engine: str, env: Mapping[str, str]) -> None:
    """Harvest and remove the exited containers of earlier runs (their logs go to their run
    directories), so runs that nobody followed leave nothing behind either."""
    listed = subprocess.run(
        [engine, "ps", "--all", "--filter", "label=envyard.run", "--filter", "status=exited",
         "--format", "{{.Names}}\t{{.Labels}}"],
        env=dict(env), capture_output=True, text=True, check=False,
    )  # fmt: skip
    for line in listed.stdout.splitlines():
        name, _, labels = line.partition("\t")
        found = dict(re.findall(r"envyard\.(run_dir|key):([^ ,\]]+)", labels))
        run_dir = Path(found.get("run_dir", ""))
        role, _, index = found.get("key", "").rpartition("-")
        if not found.get("run_dir") or not role or not run_dir.is_dir():
            continue
        prints_file = run_dir / "fingerprints.json"
        stored = json.loads(prints_file.read_text()) if prints_file.exists() else {}
        prints = list(stored.get("fingerprints", []))
        harvest(engine, env, [{"name": name, "role": role, "index": index}], run_dir, prints)
