"""``envyard nb test`` end to end: reports, exit codes, options."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from tests.notebooks.helpers import parse_junit, write_notebook

from envyard.cli.main import run

pytestmark = pytest.mark.slow


def test_examples_pass_with_all_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = Path(__file__).parents[2] / "examples" / "notebooks"
    monkeypatch.chdir(examples.parent.parent)
    out = tmp_path / "out"
    junit = tmp_path / "junit.xml"
    code = run(
        ["nb", "test", "examples/notebooks", "--output-dir", str(out), "--junit", str(junit),
         "--junit-cells", "--json", str(tmp_path / "s.json"), "--html", str(tmp_path / "s.html")]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "3 passed, 1 skipped" in capsys.readouterr().err
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data == json.loads((tmp_path / "s.json").read_text(encoding="utf-8")) | {
        "duration": data["duration"]
    }
    assert {r["name"]: r["status"] for r in data["results"]} == {
        "expected-error.ipynb": "passed",
        "hello.ipynb": "passed",
        "parameters.ipynb": "passed",
        "slow-and-skipped.ipynb": "skipped",
    }
    assert (out / "summary.html").is_file() and (tmp_path / "s.html").is_file()
    cells = [(c.get("classname"), c.get("name")) for c in parse_junit(junit).iter("testcase")]
    assert ("examples.notebooks.hello", "cell 2") in cells
    saved = nbformat.read(out / "examples" / "notebooks" / "parameters.ipynb", as_version=4)
    assert saved.cells[1].metadata["tags"] == ["injected-parameters"]  # kept, as papermill does
    assert saved.cells[2].outputs[0]["text"] == "hello from notebook CI\n"


def test_cli_parameters_and_failure_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_notebook(
        tmp_path / "p.ipynb", "n = 0\nname = ''", "assert n == 3 and name == 'x y'",
        tags={0: ["parameters"]},
    )  # fmt: skip
    assert run(["nb", "test", "p.ipynb", "-q", "-p", "n=3", "-p", "name=x y"]) == 0
    assert run(["nb", "test", "p.ipynb", "-q", "-p", "n=4", "-p", "name=x y"]) == 1
    err = capsys.readouterr().err
    assert "FAILED p.ipynb: cell 2: AssertionError" in err and "1 failed" in err
    assert run(["nb", "test", "p.ipynb", "-q", "-p", "not an identifier=1"]) == 2


def test_changed_since_with_nothing_changed(
    git_repo: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from envyard.testing.git import GitRepo

    assert isinstance(git_repo, GitRepo)
    write_notebook(git_repo.path / "a.ipynb", "pass")
    git_repo.commit("a")
    monkeypatch.chdir(git_repo.path)
    assert run(["nb", "test", ".", "--changed-since", "HEAD", "-q"]) == 0
    assert "no notebooks changed since HEAD" in capsys.readouterr().err
    assert run(["nb", "test", ".", "--changed-since", "nope", "-q"]) == 1
    assert "unknown git revision 'nope'" in capsys.readouterr().err


def test_no_notebooks_exits_5_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("no notebooks here\n", encoding="utf-8")
    assert run(["nb", "test", "empty"]) == 5
    err = capsys.readouterr().err
    assert "error: no notebooks found in empty (--allow-empty to accept)" in err
    assert run(["nb", "test", "empty", "--allow-empty"]) == 0


def test_console_output_is_for_ci_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 16 point 11: cells numbered from 1, the traceback shown, each error once, and no
    wrapping at 80 columns when stderr is not a terminal."""
    monkeypatch.chdir(tmp_path)
    long_name = "a_rather_long_notebook_name_that_makes_the_result_line_wider_than_eighty"
    write_notebook(
        tmp_path / f"{long_name}.ipynb",
        "x = 1",
        "def inner():\n    raise ValueError('the message of a failing cell, long enough too')\n"
        "inner()",
    )
    assert run(["nb", "test", "."]) == 1
    err = capsys.readouterr().err
    line = f"FAILED {long_name}.ipynb: cell 2: ValueError: the message of a failing cell, long"
    assert line + " enough too\n" in err  # one line, not wrapped
    assert err.count(line) == 1  # each error once: the live line says FAIL only
    assert err.count("ValueError: the message of a failing cell") == 2  # + the traceback's end
    assert "----> 3 inner()" in err and "in inner()" in err  # the traceback, ANSI-free
    assert "\x1b[" not in err
    assert all(len(ln) <= 80 for ln in err.splitlines()) is False  # long lines are kept whole


def test_env_option_warns_about_a_deprecated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from envyard.client import Client

    with Client() as client:
        client.environments.create({"name": "oldenv", "image": "python:3.11-slim"})
        client.environments.create({"name": "newenv", "image": "python:3.12-slim"})
        client.environments.deprecate("oldenv", replaced_by="newenv", delete_on="2030-01-31")
    monkeypatch.chdir(tmp_path)
    write_notebook(tmp_path / "n.ipynb", "1")
    run(["nb", "test", "n.ipynb", "--env", "oldenv", "-q"])
    err = capsys.readouterr().err
    assert (
        "warning: oldenv@1 is deprecated (replaced by newenv; to be deleted on 2030-01-31)" in err
    )
