"""Forked chunks: results in order, a failed child's chunk redone in the parent, and asset
validation over several processes reporting exactly what one process reports.

pytest-xdist workers run threads (so ``map_chunks`` would not fork there): the forking cases
run in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from envyard.assets.rules.forkpool import chunks_of, dealt, map_chunks

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


def test_chunks_are_contiguous_and_cover_everything() -> None:
    items = list(range(10))
    assert chunks_of(items, min_size=3, max_chunks=2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert chunks_of(items, min_size=4, max_chunks=8) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert chunks_of(items, min_size=20, max_chunks=4) == [items]
    assert chunks_of([], min_size=1, max_chunks=4) == [[]]
    assert [x for part in chunks_of(items, min_size=1, max_chunks=3) for x in part] == items


def test_without_fork_it_is_a_plain_map() -> None:
    assert map_chunks(len, [[1], [1, 2], []]) == [1, 2, 0]


def test_children_return_in_order_and_failures_are_redone() -> None:
    out = _run(
        """
        import json, os
        from envyard.assets.rules.forkpool import map_chunks
        parent = os.getpid()
        def work(n):
            if n == 3 and os.getpid() != parent:
                raise RuntimeError("child failure")
            return [n * 10, os.getpid() != parent]
        print(json.dumps(map_chunks(work, [1, 2, 3, 4])))
        """
    )
    assert json.loads(out) == [[10, False], [20, True], [30, False], [40, True]]


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
        import json, os
        from pathlib import Path
        from envyard.assets.rules import forkpool, validate
        validate.ASSETS_PER_PROCESS = 5
        pids = set()
        def spy(fn, chunks):  # which processes did the work (a failed child is redone)
            out = forkpool.map_chunks(lambda c: (os.getpid(), fn(c)), chunks)
            pids.update(pid for pid, _ in out)
            return [part for _, part in out]
        validate.map_chunks = spy
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
    assert processes == 4
    assert many == one
    rules = {line.rsplit(" [", 1)[1].split("]")[0] for line in one}
    assert {"AST001", "AST005", "AST010", "AST012"} <= rules


def test_dealt_chunks_take_turns_and_cover_everything() -> None:
    items = list(range(10))
    assert dealt(items, min_size=3, max_chunks=2) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    assert dealt(items, min_size=20, max_chunks=4) == [items]
    assert dealt([], min_size=1, max_chunks=4) == [[]]
    assert sorted(x for part in dealt(items, min_size=1, max_chunks=3) for x in part) == items


def test_a_weighted_first_chunk_gets_that_share_and_nothing_is_lost() -> None:
    items = list(range(100))
    heavier = dealt(items, min_size=10, max_chunks=2, first_weight=1.5)
    lighter = dealt(items, min_size=10, max_chunks=2, first_weight=0.5)
    assert [len(part) for part in heavier] == [60, 40]
    assert [len(part) for part in lighter] == [33, 67]
    for parts in (heavier, lighter):
        assert sorted(x for part in parts for x in part) == items
        assert all(part == sorted(part) for part in parts)  # still in the files' order


def test_a_cut_off_result_is_not_trusted() -> None:
    from envyard.assets.rules.forkpool import _FAILED, _dumps, _loads

    data = _dumps({"assets": [Path("/a/b"), "x" * 100]})
    assert _loads(data) == {"assets": [Path("/a/b"), "x" * 100]}
    assert _loads(data[:-5]) is _FAILED
    assert _loads(b"") is _FAILED
