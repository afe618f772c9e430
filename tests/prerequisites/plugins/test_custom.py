"""A prerequisite plugin from another package is found through its entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.prerequisites.helpers import write_job

PLUGIN = """
from envyard.prerequisites.interface import Fragment

class HelloPlugin:
    name = "hello"

    def fragments(self, prerequisite, context):
        who = context.quote(str(prerequisite.parameters.get("who", "world")))
        line = "echo hello " + who + " from " + context.quote(prerequisite.name)
        return [Fragment("containerStart", (line,), prerequisite.failurePolicy, "greeting"),
                Fragment("containerExit", ("echo goodbye",), "ignore", "farewell")]
"""


def test_entry_point_plugin_renders_and_runs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    dist = site / "envyard_hello-1.0.dist-info"
    dist.mkdir(parents=True)
    (site / "envyard_hello.py").write_text(PLUGIN)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: envyard-hello\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[envyard.prerequisites]\nhello = envyard_hello:HelloPlugin\n"
    )
    job = write_job(
        tmp_path,
        """
        protocolVersion: 2
        name: custom
        prerequisites:
          - {name: greeter, type: script, plugin: hello, who: "it's me"}
        taskRoles:
          r: {prerequisites: [greeter], commands: [echo working]}
        """,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    rendered = subprocess.run(
        [sys.executable, "-m", "envyard", "job", "render", str(job)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    done = subprocess.run(
        ["bash", "-c", rendered.stdout], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello it's me from greeter\nworking\ngoodbye\n"
    code = "from envyard import plugins; print(plugins.available('prerequisite'))"
    listed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert "hello" in listed.stdout
    assert textwrap.dedent(PLUGIN)  # the plugin source is what we wrote
