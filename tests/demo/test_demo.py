"""`envyard demo --no-serve` end to end, then the web UI on the demo's metastore in Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envyard.testing.browser import screenshot
from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import start_process, wait_for_http

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CAPABILITIES = ("assets", "registry", "jobs", "overrides", "notebooks")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workdir = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVYARD_")}
    done = subprocess.run(
        [sys.executable, "-m", "envyard", "demo", "--no-serve", "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return workdir, done.stdout


def test_summary_names_each_capability_with_a_result(demo: tuple[Path, str]) -> None:
    _, output = demo
    summary = output.strip().splitlines()[-1]
    assert summary.startswith("summary: 6/6 steps ok")
    for capability in CAPABILITIES:
        assert f"{capability} ok" in summary
        assert re.search(rf"^ok {capability} \S", output, re.MULTILINE), capability


def test_each_step_left_its_artifact(demo: tuple[Path, str]) -> None:
    workdir, output = demo
    tags = subprocess.run(
        ["git", "-C", str(workdir / "asset-repo"), "tag", "--list", "environment/*"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tags == [
        "environment/minimal-ubuntu22.04-py3.11/1",
        "environment/sklearn-1.5-ubuntu22.04-py3.11/1",
    ]
    junit = (workdir / "notebook-junit.xml").read_text()
    assert junit.count("<testcase") == 4
    assert "+tags: eyeson" in output
    assert "workdir ready -> data ready" in output


@pytest.fixture(scope="module")
def demo_server(demo: tuple[Path, str]) -> Iterator[str]:
    workdir, _ = demo
    home = workdir / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVYARD_")}
    env["ENVYARD_HOME"] = str(home)
    port = free_port()
    argv = [sys.executable, "-m", "envyard", "serve", "--host", LOCALHOST, "--port", str(port)]
    server = start_process("envyard-serve", argv, workdir / "serve.log", env=env)
    url = f"http://{LOCALHOST}:{port}"
    try:
        wait_for_http(server, f"{url}/healthz", timeout=60)
        yield url
    finally:
        server.stop()


def test_ui_shows_released_environments_and_runs(
    demo: tuple[Path, str], demo_server: str, page: Any
) -> None:
    _, output = demo
    run_id = re.search(r"run (\w+) succeeded", output)
    assert run_id is not None
    page.goto(demo_server + "/")
    listing = page.content()
    for name in ("minimal-ubuntu22.04-py3.11", "sklearn-1.5-ubuntu22.04-py3.11", "team-default"):
        assert name in listing
    screenshot(page, ARTIFACTS / "demo-environments.png")
    page.goto(demo_server + "/runs")
    runs = page.content()
    assert run_id.group(1) in runs
    assert "covid-training" in runs
    assert "succeeded" in runs
    screenshot(page, ARTIFACTS / "demo-runs.png")


def test_a_used_workdir_is_refused_and_left_alone(demo: tuple[Path, str]) -> None:
    workdir, _ = demo
    before = sorted(p.name for p in workdir.iterdir())
    done = subprocess.run(
        [sys.executable, "-m", "envyard", "demo", "--no-serve", "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "is not empty; the demo only writes into a new or empty folder" in done.stderr
    assert sorted(p.name for p in workdir.iterdir()) == before
