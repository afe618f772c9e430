"""OpenPAI's ``taskSucceeds`` callbacks run as OpenPAI runs them: one post script per
prerequisite (its commands in written order), the prerequisites in reverse order (openpai-runtime
``initializer.py``: ``commands[1].insert(0, post_script)``; pai docs: "on taskSucceeds, will
execute in reverse order"). Envyard's own ``onSuccess`` keeps its documented start order."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from envyard.prerequisites.render import render_bootstrap
from envyard.spec.job import JobSpec


def _job(prerequisites: list[dict[str, Any]], commands: list[str] | None = None) -> JobSpec:
    return JobSpec.model_validate(
        {
            "protocolVersion": 2,
            "name": "order",
            "prerequisites": prerequisites,
            "taskRoles": {
                "w": {
                    "prerequisites": [p["name"] for p in prerequisites],
                    "commands": commands or ["echo main"],
                }
            },
        }
    )


def _pre(name: str, *callbacks: tuple[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "type": "script",
        "callbacks": [{"event": e, "commands": [f"echo {text}"]} for e, text in callbacks],
    }


def _run(job: JobSpec, work: Path) -> subprocess.CompletedProcess[str]:
    (work / "boot.sh").write_text(render_bootstrap(job, "w").script, encoding="utf-8")
    return subprocess.run(
        ["bash", "boot.sh"], cwd=work, capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": os.environ["PATH"], "HOME": str(work), "LC_ALL": "C"},
    )  # fmt: skip


def test_task_succeeds_runs_in_reverse_prerequisite_order(tmp_path: Path) -> None:
    """The explorer's case: a mount in p1 and an upload in p2 tear down as OpenPAI does."""
    job = _job(
        [
            _pre("p1", ("taskStarts", "p1 start"), ("taskSucceeds", "p1 succeeds")),
            _pre("p2", ("taskStarts", "p2 start"), ("taskSucceeds", "p2 succeeds")),
        ]
    )
    done = _run(job, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == [
        "p1 start", "p2 start", "main", "p2 succeeds", "p1 succeeds", "",
    ]  # fmt: skip


def test_one_prerequisites_task_succeeds_callbacks_keep_their_order(tmp_path: Path) -> None:
    job = _job(
        [
            _pre("p1", ("taskSucceeds", "p1 a"), ("taskSucceeds", "p1 b")),
            _pre("p2", ("taskSucceeds", "p2 a"), ("taskSucceeds", "p2 b")),
            _pre("p3", ("taskSucceeds", "p3 a")),
        ]
    )
    done = _run(job, tmp_path)
    assert done.stdout.split("\n") == ["main", "p3 a", "p2 a", "p2 b", "p1 a", "p1 b", ""]


def test_envyard_on_success_keeps_start_order(tmp_path: Path) -> None:
    job = _job([_pre("p1", ("onSuccess", "p1 ok")), _pre("p2", ("onSuccess", "p2 ok"))])
    assert _run(job, tmp_path).stdout == "main\np1 ok\np2 ok\n"


def test_mixed_spellings_on_success_first_then_task_succeeds_reversed(tmp_path: Path) -> None:
    job = _job(
        [
            _pre("p1", ("taskSucceeds", "p1 openpai"), ("containerExit", "p1 exit")),
            _pre("p2", ("onSuccess", "p2 envyard"), ("taskSucceeds", "p2 openpai")),
            _pre("p3", ("onSuccess", "p3 envyard"), ("containerExit", "p3 exit")),
        ]
    )
    done = _run(job, tmp_path)
    assert done.stdout.split("\n") == [
        "main", "p2 envyard", "p3 envyard", "p2 openpai", "p1 openpai", "p3 exit", "p1 exit", "",
    ]  # fmt: skip


def test_task_succeeds_does_not_run_after_a_failure(tmp_path: Path) -> None:
    job = _job([_pre("p1", ("taskSucceeds", "p1 succeeds"))], commands=["exit 3"])
    done = _run(job, tmp_path)
    assert (done.returncode, done.stdout) == (3, "")


def test_a_failing_task_succeeds_callback_is_named_as_written(tmp_path: Path) -> None:
    job = _job(
        [
            {
                "name": "up",
                "type": "script",
                "callbacks": [{"event": "taskSucceeds", "commands": ["(exit 4)"]}],
            }
        ]
    )
    done = _run(job, tmp_path)
    assert done.returncode == 4
    assert "prerequisite up failed in taskSucceeds (exit 4)" in done.stderr


def test_an_exported_spec_keeps_openpais_spelling() -> None:
    job = _job([_pre("p1", ("taskStarts", "a"), ("taskSucceeds", "b"), ("onSuccess", "c"))])
    dumped = job.model_dump(mode="json")["prerequisites"][0]["callbacks"]
    assert [c["event"] for c in dumped] == ["taskStarts", "taskSucceeds", "onSuccess"]
    again = JobSpec.model_validate(job.model_dump(mode="json", exclude_none=True))
    assert [c.reverse_order for c in again.prerequisites[0].callbacks] == [False, True, False]
