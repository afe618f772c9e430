"""Shared batches over forked processes: results in order, a failed child's batches redone in
the parent, and asset validation over several processes reporting exactly what one process
reports.

pytest-xdist workers run threads (so ``map_shared`` would not fork there): the forking cases
run in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from envyard.assets.rules.forkpool import MAX_BATCHES, batches_of, map_shared

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from assets_common import write_env_asset


def _run(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return proc.stdout


def test_batches_keep_the_order_and_cover_everything() -> None:
    assert batches_of(list(range(7)), size=3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert batches_of([], size=3) == []
    many = list(range(5000))
    batches = batches_of(many, size=1)
    assert len(batches) <= MAX_BATCHES
    assert [x for batch in batches for x in batch] == many


def test_without_fork_it_is_a_plain_map() -> None:
    assert map_shared(len, [[1], [1, 2], []], processes=1) == [1, 2, 0]


def test_processes_share_the_batches_and_results_come_back_in_order() -> None:
    out = _run(
        """
        import json, os, time
        from envyard.assets.rules.forkpool import map_shared
        parent = os.getpid()
        def work(n):
            if os.getpid() == parent:
                time.sleep(0.05)  # a slow parent: the children take more turns
            return [n * 10, os.getpid() != parent]
        print(json.dumps(map_shared(work, list(range(1, 21)), processes=3)))
        """
    )
    results = json.loads(out)
    assert [value for value, _by_child in results] == [n * 10 for n in range(1, 21)]
    assert any(by_child for _value, by_child in results)


def test_a_failed_childs_batches_are_redone_in_the_parent(tmp_path: Path) -> None:
    marker = tmp_path / "child-took"
    out = _run(
        f"""
        import json, os, time
        from envyard.assets.rules.forkpool import map_shared
        parent = os.getpid()
        def work(n):
            if os.getpid() != parent:
                with open({str(marker)!r}, "a") as took:
                    took.write(f"{{n}} ")
                raise RuntimeError("child failure")
            time.sleep(0.05)
            return n * 10
        print(json.dumps(map_shared(work, [1, 2, 3, 4, 5], processes=2)))
        """
    )
    assert json.loads(out) == [10, 20, 30, 40, 50]
    assert marker.read_text().split()  # the child did take a batch before failing


def test_validation_over_processes_matches_one_process(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "envyard.toml").parent.mkdir(parents=True)
    (repo / "envyard.toml").write_text('[assets]\nimage_prefix = "azureml/curated/"\n')
    for i in range(40):
        write_env_asset(repo, i)
    envs = sorted((repo / "environments").iterdir())
    (envs[2] / "asset.yaml").write_text("type: environment\nspec: spec.yaml\ncolour: red\n")
    (envs[25] / "context" / "Dockerfile").write_text(
        f"FROM azureml/curated/{envs[30].name}\nRUN pip install --extra-index-url http://x y\n"
    )
    (envs[31] / "spec.yaml").write_text("name: [unclosed\n")
    (envs[39] / "environment.yaml").write_text((envs[5] / "environment.yaml").read_text())
    out = _run(
        f"""
        import json, os, time
        from pathlib import Path
        from envyard.assets.rules import forkpool, validate
        validate.ASSETS_PER_PROCESS = 5
        validate.BATCH = 2
        parent = os.getpid()
        pids = set()
        check = validate._check_part
        def spy(job):  # which processes did the work (the parent slowed: children take turns)
            if os.getpid() == parent:
                time.sleep(0.02)
            return [(os.getpid(), d) for d in check(job)]
        def unspy(fn, jobs, processes):
            out = forkpool.map_shared(spy, jobs, processes=processes)
            pids.update(pid for part in out for pid, _ in part)
            return [[d for _, d in part] for part in out]
        validate.map_shared = unspy
        repo = Path({str(repo)!r})
        def render(jobs):
            report = validate.validate_assets([repo], root=repo, jobs=jobs)
            return [d.render() + f" [{{d.rule}}] {{d.severity}}" for d in report.diagnostics]
        one = render(1)
        pids.clear()
        print(json.dumps([one, render(4), len(pids)]))
        """
    )
    one, many, processes = json.loads(out)
    assert processes >= 2
    assert many == one
    rules = {line.rsplit(" [", 1)[1].split("]")[0] for line in one}
    assert {"AST001", "AST005", "AST010", "AST012"} <= rules


def test_a_cut_off_result_is_not_trusted() -> None:
    from envyard.assets.rules.forkpool import _FAILED, _dumps, _loads

    data = _dumps({"assets": [Path("/a/b"), "x" * 100]})
    assert _loads(data) == {"assets": [Path("/a/b"), "x" * 100]}
    assert _loads(data[:-5]) is _FAILED
    assert _loads(b"") is _FAILED
