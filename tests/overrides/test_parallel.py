"""Planning on several processes gives exactly the single-process plan, or falls back to it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from envyard.errors import SpecError
from envyard.overrides import parallel, staged
from envyard.overrides.staging import Plan, plan
from envyard.overrides.writer import finish_removals

from .conftest import digest, write

PIPELINE = """
module_loader:
  local_steps_folder: components
tenant_overrides:
  prod:
    environment.docker.image:
      'old.io/(.+)': 'new.io/$1'
    environment.os:
      $set: linux
    tags:
      eyesoff: eyeson
    $..pip[*]:
      '--index-url https://old.example/(.*)': '--index-url https://new.example/\\1'
    $..never_there:
      $remove: true
"""

SPEC = """
# component {i}
name: comp-{i}
tags: {{eyesoff: x}}
environment:
  docker:
    image: "old.io/base:{i}"
  conda:
    conda_dependencies_file: {conda}
"""

CONDA = """
dependencies:
  - pip:
    - a=={i}
    - --index-url https://old.example/simple/
"""

N = 2 * parallel.MIN_SHARE + 20


@pytest.fixture(autouse=True)
def _thread_free_process() -> None:
    """Planning forks only in a process without other threads: say who broke that, if anyone."""
    finish_removals()
    others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    assert not others, (
        f"threads left running by earlier tests or fixtures: {others}; a fixture that runs a "
        "server thread must end it with its module (forking is never done beside threads)"
    )


def _tree(root: Path, conda_for: Any = None) -> None:
    files = {"pipeline.yaml": PIPELINE, "shared/conda.yaml": CONDA.format(i="shared")}
    for i in range(N):
        conda = conda_for(i) if conda_for else "conda.yaml"
        files[f"components/c{i:04d}/spec.yaml"] = SPEC.format(i=i, conda=conda)
        files[f"components/c{i:04d}/conda.yaml"] = CONDA.format(i=i)
    write(root, files)


def _summary(the_plan: Plan) -> list[Any]:
    items = [
        (str(real), i.rules, i.referenced, i.is_dir) for real, i in the_plan.scope.items.items()
    ]
    files = [
        (
            *(str(f.real), f.rel_text, f.text, f.new_text, f.raw, f.is_dir, f.bom, f.lines),
            tuple((c.location, c.old, c.new, c.rule.key, c.line) for c in f.changes),
        )
        for f in the_plan.files
    ]
    given = [(str(g), str(r)) for g, r in the_plan.scope.given.items()]
    warnings = [str(w) for w in the_plan.warnings]
    return [items, files, given, warnings]


def _plans(
    root: Path, monkeypatch: pytest.MonkeyPatch, processes: str
) -> tuple[list[Any], list[bool]]:
    """The plan's summary, and for each parallel attempt whether it was used."""
    from envyard.overrides.targets import resolve_target

    monkeypatch.setenv("ENVYARD_STAGING_PROCESSES", processes)
    used: list[bool] = []
    real = parallel.plan_shares

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        used.append(result is not None)
        return result

    monkeypatch.setattr(parallel, "plan_shares", spy)
    target = resolve_target("prod", None, root)
    return _summary(plan([Path("pipeline.yaml")], target.rules, cwd=root, target=target)), used


def test_shares_merge_into_the_single_process_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, lambda i: "../../shared/conda.yaml" if i % 10 == 0 else "conda.yaml")
    one, used_one = _plans(tmp_path, monkeypatch, "1")
    assert used_one == []
    for processes in ("2", "3"):
        many, used = _plans(tmp_path, monkeypatch, processes)
        assert used == [True]
        assert many == one
    files = one[1]
    conda_files = N - len(range(0, N, 10)) + 1  # their own, and the shared one
    assert sum(1 for f in files if f[3] != f[2]) == N + conda_files
    assert one[3] == [one[3][0]] and "never_there" in one[3][0]


def test_a_file_named_in_one_share_and_referenced_in_another_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # c0000 (the parent's share) references c0300's spec, which the child plans as named
    _tree(tmp_path, lambda i: "../c0300/spec.yaml" if i == 0 else "conda.yaml")
    one, _ = _plans(tmp_path, monkeypatch, "1")
    many, used = _plans(tmp_path, monkeypatch, "2")
    assert used == [False]
    assert many == one
    referenced = next(i for i in one[0] if i[0].endswith("c0300/spec.yaml"))
    assert referenced[2] is True  # referenced: no `os` field created in it
    staged_text = next(f[3] for f in one[1] if f[0].endswith("c0300/spec.yaml"))
    assert "os: linux" not in staged_text


def test_an_error_in_a_child_share_is_raised_as_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path)
    (tmp_path / "components/c0310/spec.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    before = digest(tmp_path)
    messages = []
    for processes in ("1", "2"):
        monkeypatch.setenv("ENVYARD_STAGING_PROCESSES", processes)
        with (
            pytest.raises(SpecError) as caught,
            staged([Path("pipeline.yaml")], target="prod", cwd=tmp_path),
        ):
            pass  # pragma: no cover - never reached
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "components/c0310/spec.yaml:2" in messages[0]
    assert digest(tmp_path) == before


def test_staged_copies_are_the_same_with_several_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path)
    contents = []
    for processes in ("1", "2"):
        monkeypatch.setenv("ENVYARD_STAGING_PROCESSES", processes)
        finish_removals()  # the previous staging's deletion thread: no fork beside a thread
        forked = parallel.processes(N) > 1
        with staged([Path("pipeline.yaml")], target="prod", cwd=tmp_path) as result:
            contents.append(digest(result.root))
            assert len(result.paths) == 2 * N + 2  # and the pipeline, as named and as found
            # the shares wrote their own files (one process: written after planning)
            assert (result.plan.written_to == result.root) is forked
    assert contents[0] == contents[1]


def test_a_copied_folder_is_written_after_planning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path)
    spec = tmp_path / "components/c0301/spec.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "code: src\n", encoding="utf-8")
    write(tmp_path, {"components/c0301/src/run.py": "print('hi')\n"})
    monkeypatch.setenv("ENVYARD_STAGING_PROCESSES", "2")
    with staged([Path("pipeline.yaml")], target="prod", cwd=tmp_path) as result:
        assert result.plan.written_to is None
        copied = result.paths[tmp_path / "components/c0301/spec.yaml"].parent / "src/run.py"
        assert copied.read_text(encoding="utf-8") == "print('hi')\n"
        assert len(digest(result.root)) == 2 * N + 2  # specs, conda files, pipeline, run.py
        spec_text = (result.root / "components/c0005/spec.yaml").read_text(encoding="utf-8")
        assert '"new.io/base:5"' in spec_text


def test_how_many_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVYARD_STAGING_PROCESSES", raising=False)
    assert parallel.processes(parallel.MIN_SHARE - 1) == 1  # too few to be worth a fork
    monkeypatch.setenv("ENVYARD_STAGING_PROCESSES", "1")
    assert parallel.processes(100 * parallel.MIN_SHARE) == 1
    monkeypatch.setenv("ENVYARD_STAGING_PROCESSES", "2")
    cpus = len(__import__("os").sched_getaffinity(0))
    assert parallel.processes(100 * parallel.MIN_SHARE) == min(2, cpus)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.processes(100 * parallel.MIN_SHARE) == 1  # never fork beside threads
    finally:
        stop.set()
        thread.join()
