"""--backend ray on a real local Ray head: jobs per notebook, results and notebooks collected."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from tests.notebooks.helpers import write_notebook

from envyard.notebooks.session import SessionRequest, run_session
from envyard.testing.lock_index import locking_index
from envyard.testing.pypi import PypiIndex
from envyard.testing.ray import RayHead, ray_head  # noqa: F401 - the session fixture

__all__ = ["locking_index"]  # the fixture: environments lock against the local index

pytestmark = pytest.mark.slow


def test_notebooks_run_as_ray_jobs(
    ray_head: RayHead,  # noqa: F811 - the imported fixture
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in ray_head.env.items():
        monkeypatch.setenv(key, value)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "data").mkdir()
    (repo / "data" / "rows.csv").write_text("a\n1\n2\n", encoding="utf-8")
    write_notebook(
        repo / "nbs" / "reads.ipynb",
        "n = 0",
        "import os\nrows = open('../data/rows.csv').read().split()\nprint(len(rows), n)\n"
        "print(os.getcwd())",
        tags={0: ["parameters"]},
    )
    write_notebook(repo / "nbs" / "fails.ipynb", "raise ValueError('on ray')")
    (repo / "nbs" / "notebooks.yaml").write_text(
        "notebooks:\n  reads.ipynb:\n    files: ['../data/rows.csv']\n    parameters: {n: 7}\n",
        encoding="utf-8",
    )
    report = run_session(
        SessionRequest([repo / "nbs"], backend="ray", workers=2, output_dir=tmp_path / "out",
                       base=repo)
    )  # fmt: skip
    by_name = {r.name: r for r in report.results}
    reads, fails = by_name["reads.ipynb"], by_name["fails.ipynb"]
    assert reads.status == "passed", (reads.message, reads.kernel_log)
    assert (reads.kernel or "").startswith("ray job envyard-nb-")
    assert (fails.status, fails.cell_index) == ("failed", 0)
    assert "ValueError: on ray" in fails.message and "on ray" in fails.traceback
    saved = nbformat.read(tmp_path / "out" / "nbs" / "reads.ipynb", as_version=4)
    # as the local runner saves it (papermill's layout): the user's "parameters" cell, then the
    # injected one, kept with its tag, the values in the notebook's metadata
    assert [c.source for c in saved.cells[:2]] == ["n = 0", "# Parameters\nn = 7\n"]
    assert saved.cells[1].metadata["tags"] == ["injected-parameters"]
    assert "envyard" not in saved.cells[1].metadata  # the injection mark is scrubbed
    assert saved.metadata["papermill"]["parameters"] == {"n": 7}
    text = saved.cells[2].outputs[0]["text"]
    assert text.startswith("3 7\n")
    assert "runtime_resources" in text  # the job's unpacked working_dir on the Ray node


def test_missing_address_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from envyard.errors import ConfigError

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    write_notebook(tmp_path / "n.ipynb", "pass")
    with pytest.raises(ConfigError, match="needs the cluster address"):
        run_session(SessionRequest([tmp_path], backend="ray"))


def test_the_job_spec_carries_the_environment_not_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locking_index: PypiIndex
) -> None:
    """The environment's kernel (``six``) is locked against the session's local index
    (``locking_index``), never PyPI."""
    import json

    from envyard.client import Client
    from envyard.locking.model import Lock
    from envyard.notebooks.config import Overrides
    from envyard.notebooks.discover import Found
    from envyard.notebooks.job import Job
    from envyard.notebooks.plan import plan_one
    from envyard.notebooks.ray_backend import _stage
    from envyard.spec.environment import Environment

    monkeypatch.setenv("ENVYARD_TOKEN", "secret-token-value")
    with Client() as client:
        client.environments.create({"name": "rayenv", "image": "x:1", "kernel": ["six"]})
    path = write_notebook(tmp_path / "n.ipynb", "import six")
    job = plan_one(0, Found(path), Overrides(environment="rayenv"), materialise=False)
    assert isinstance(job, Job)
    root, spec_file = _stage(job, tmp_path / "stage")
    text = (root / spec_file).read_text(encoding="utf-8")
    environment = Environment.model_validate(json.loads(text)["environment"])
    assert (environment.name, environment.version, environment.kernel) == ("rayenv", "1", ["six"])
    assert "secret-token-value" not in text
    # the version's stored lock travels with the job: the worker installs it, never re-locks
    with Client() as client:
        stored = client.environments.lock("rayenv@1")
    assert stored.lock is not None
    assert Lock.model_validate(json.loads(text)["lock"]).digest() == stored.lock_hash
    urls = [w.url for lock in stored.lock.platforms.values() for p in lock.pip for w in p.wheels]
    assert urls and all(u.startswith(locking_index.root_url) for u in urls), urls
