"""The demo's steps, one per capability, each returning its one-line result.

Each step runs the same `envyard` commands a user would type (in-process), keeps their full
output in ``<workspace>/logs/<step>.log``, and checks the outcome through a stable artifact:
git tags, the registry (SDK), the staged files, the JUnit report.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from envyard.demo.runner import Step, Workspace
from envyard.errors import EnvyardError, SpecError


def _cli(ws: Workspace, step: str, *argv: str, cwd: Path | None = None) -> str:
    """Run `envyard ARGV` in-process; raise with the output's tail when it fails."""
    from envyard.cli.main import run

    buffer = io.StringIO()
    previous = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            code = run(list(argv))
    finally:
        os.chdir(previous)
    output = buffer.getvalue()
    logs = ws.root / "logs"
    logs.mkdir(exist_ok=True)
    with (logs / f"{step}.log").open("a", encoding="utf-8") as log:
        log.write(f"$ envyard {' '.join(argv)}\n{output}(exit {code})\n\n")
    if code != 0:
        tail = " | ".join(output.strip().splitlines()[-3:])
        raise EnvyardError(f"`envyard {' '.join(argv)}` exited {code}: {tail}")
    return output


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise EnvyardError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def validate_specs(ws: Workspace) -> str:
    from envyard.spec.validation import validate_paths

    report = validate_paths([ws.examples])
    if report.errors:
        raise SpecError(report.errors)
    return report.summary()


def assets(ws: Workspace) -> str:
    repo = ws.root / "asset-repo"
    shutil.copytree(ws.examples / "assets", repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "demo@envyard.invalid")
    _git(repo, "config", "user.name", "Envyard demo")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Environment assets")
    _cli(ws, "assets", "asset", "validate", str(repo), cwd=repo)
    pinned = _cli(ws, "assets", "asset", "pin", str(repo), "-o", str(ws.root / "pinned"))
    skipped = "skipped" in pinned
    _cli(ws, "assets", "asset", "release", "--repo", str(repo), "--release-branch", "release",
         "--publish", "--allow-unresolved")  # fmt: skip
    tags = _git(repo, "tag", "--list", "environment/*").split()
    if not tags:
        raise EnvyardError("the release created no environment/<name>/<version> tag")
    note = (
        "image and package tags skipped: no registry or index configured "
        "(--mirror/--index-url/--online resolve them)"
        if skipped
        else "every template tag resolved"
    )
    return (
        f"validated and pinned {len(tags)} assets ({note}); released to branch 'release' "
        f"with tags {', '.join(tags)}; published to the registry"
    )


def registry(ws: Workspace) -> str:
    from envyard.client import Client
    from envyard.spec.kinds import detect_kind
    from envyard.spec.loader import read_document

    prerequisites = 0
    for spec in sorted((ws.examples / "environments").glob("*.yaml")):
        kind = detect_kind(spec, read_document(spec).data, guess=False)
        if kind is not None and kind.name == "environment":
            _cli(ws, "registry", "env", "create", "-f", str(spec))
        else:  # the folder also holds a reusable job prerequisite for the catalogue
            _cli(ws, "registry", "prereq", "create", "-f", str(spec))
            prerequisites += 1
    page = Client().environments.list(limit=100)
    refs = [f"{e.name}@{e.version}" for e in page.items]
    locked = sum(1 for e in page.items if e.lock_hash)
    return (
        f"{len(refs)} environments in the SQLite metastore ({', '.join(refs)}; {locked} with a "
        f"kernel locked to exact packages) and {prerequisites} prerequisite in its catalogue"
    )


def job(ws: Workspace) -> str:
    jobs = ws.examples / "jobs"
    output = _cli(ws, "job", "job", "submit", str(jobs / "covid-new-style.yaml"), "--wait",
                  cwd=jobs)  # fmt: skip
    wanted = [
        "workdir ready",
        "data ready",
        "training for",
        "training succeeded",
        "data released",
        "workdir cleaned up",
    ]
    seen = [w for line in output.splitlines() for w in wanted if w in line]
    if seen != wanted:
        raise EnvyardError(f"callbacks ran out of order: {seen}")
    ids = re.findall(r"^([0-9a-f]{6,}) succeeded", output, re.MULTILINE)
    if not ids:
        raise EnvyardError("the job did not report a succeeded run")
    run_id = ids[-1]
    ws.facts["run_id"] = run_id
    return (
        f"run {run_id} succeeded on the local backend in team-default's kernel; effects in "
        "order: " + " -> ".join(wanted)
    )


def overrides(ws: Workspace) -> str:
    targets = ws.examples / "targets"
    spec = targets / "components" / "canary-gpu" / "spec.yaml"
    before = hashlib.sha256(spec.read_bytes()).hexdigest()
    diff = _cli(ws, "overrides", "override", "apply", "--target", "eyeson", "--targets",
                str(targets / "targets.yaml"), str(spec), "--dry-run", cwd=targets)  # fmt: skip
    if hashlib.sha256(spec.read_bytes()).hexdigest() != before:
        raise EnvyardError(f"{spec} was modified; overrides must only touch staged copies")
    added = [
        line[1:].split(":")[0].strip()
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    if not added:
        raise EnvyardError("the eyeson profile changed nothing")
    for line in diff.splitlines():
        ws.console.print(f"    {line}", style="dim", markup=False, highlight=False, soft_wrap=True)
    return (
        f"target eyeson rewrote {len(added)} field(s) ({', '.join(added)}) in a staged copy "
        "of canary-gpu/spec.yaml; your file is byte-identical"
    )


def notebooks(ws: Workspace) -> str:
    junit = ws.root / "notebook-junit.xml"
    _cli(ws, "notebooks", "nb", "test", str(ws.examples / "notebooks"), "--workers", "2",
         "--junit", str(junit), "--output-dir", str(ws.root / "executed"), "-q")  # fmt: skip
    suite = ET.parse(junit).getroot()  # noqa: S314 - the report Envyard itself just wrote
    cases = suite.findall(".//testcase")
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    if failed:
        raise EnvyardError(f"{len(failed)} notebook(s) failed; see {junit}")
    passed = len(cases) - len(skipped)
    return (
        f"{len(cases)} notebooks: {passed} passed, {len(skipped)} skipped, 0 failed; "
        f"JUnit in {junit.name}"
    )


STEPS: list[tuple[str, Step]] = [
    ("specs", validate_specs),
    ("assets", assets),
    ("registry", registry),
    ("jobs", job),
    ("overrides", overrides),
    ("notebooks", notebooks),
]
