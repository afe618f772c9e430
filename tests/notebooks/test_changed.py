"""--changed-since on a real git repository selects exactly the affected notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.notebooks.helpers import write_notebook

from envyard.errors import ConfigError
from envyard.notebooks.changed import select_changed
from envyard.notebooks.discover import discover
from envyard.testing.git import GitRepo


def _selected(repo: GitRepo, ref: str) -> list[str]:
    found = select_changed(discover([repo.path]), ref, repo.path)
    return sorted(f.path.relative_to(repo.path).as_posix() for f in found)


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    root = git_repo.path
    for name in ("a", "b", "c", "d", "e", "f", "g"):
        write_notebook(root / "nbs" / name / f"{name}.ipynb", f"print({name!r})")
    write_notebook(root / "other" / "h.ipynb", "print('h')")
    git_repo.write("nbs/b/notebooks.yaml", "timeout: 10\n")
    git_repo.write("nbs/c/release.json", '{"timeout": 10}')
    git_repo.write("nbs/d/notebooks.yaml", "pip: ['-r requirements.txt']\n")
    git_repo.write("nbs/d/requirements.txt", "x==1\n")
    git_repo.write("nbs/e/notebooks.yaml", "files: ['../../data/*.csv']\n")
    git_repo.write("data/table.csv", "1\n")
    git_repo.write("nbs/f/helper.py", "X = 1\n")
    git_repo.write("nbs/g/notebooks.yaml", "conda_file: env.yml\nfiles: []\n")
    git_repo.write("nbs/g/env.yml", "dependencies: [python]\n")
    git_repo.commit("base")
    git_repo.tag("base")
    return git_repo


def test_nothing_changed_selects_nothing(repo: GitRepo) -> None:
    assert _selected(repo, "base") == []


def test_exactly_the_changed_set(repo: GitRepo) -> None:
    root = repo.path
    write_notebook(root / "nbs" / "a" / "a.ipynb", "print('a changed')")  # the notebook
    repo.write("nbs/b/notebooks.yaml", "timeout: 20\n")  # its folder config
    repo.write("nbs/c/release.json", '{"timeout": 20}')  # its release.json
    repo.write("nbs/d/requirements.txt", "x==2\n")  # a -r requirements file
    repo.write("data/table.csv", "2\n")  # a snapshot file listed in files:
    repo.commit("change five")
    repo.write("nbs/f/helper.py", "X = 2\n")  # uncommitted: a file of its folder
    repo.write("nbs/g/env.yml", "dependencies: [python, numpy]\n")  # staged conda file
    repo.run("add", "nbs/g/env.yml")
    write_notebook(root / "new" / "n.ipynb", "print('new')")  # untracked notebook
    assert _selected(repo, "base") == [
        "nbs/a/a.ipynb",
        "nbs/b/b.ipynb",
        "nbs/c/c.ipynb",
        "nbs/d/d.ipynb",
        "nbs/e/e.ipynb",
        "nbs/f/f.ipynb",
        "nbs/g/g.ipynb",
        "new/n.ipynb",
    ]


def test_a_config_change_above_selects_the_folder_below(repo: GitRepo) -> None:
    repo.write("nbs/notebooks.yaml", "cell_timeout: 5\n")
    assert _selected(repo, "base") == [f"nbs/{n}/{n}.ipynb" for n in "abcdefg"]


def test_deleting_a_release_json_selects_its_notebook(repo: GitRepo) -> None:
    (repo.path / "nbs" / "c" / "release.json").unlink()
    assert _selected(repo, "base") == ["nbs/c/c.ipynb"]


def test_unknown_ref_and_no_repository(repo: GitRepo, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown git revision 'nope'"):
        _selected(repo, "nope")
    outside = write_notebook(tmp_path / "plain" / "x.ipynb", "pass")
    with pytest.raises(ConfigError, match="not in a git repository"):
        select_changed(discover([outside]), "HEAD", outside.parent)


def test_changes_under_ignored_folders_do_not_count(repo: GitRepo) -> None:
    repo.write("data/table.csv", "changed\n")  # e's snapshot file
    assert _selected(repo, "base") == ["nbs/e/e.ipynb"]
    ignored = [repo.path / "data"]  # as the run's own --output-dir is
    assert select_changed(discover([repo.path]), "base", repo.path, ignored) == []
