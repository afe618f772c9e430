"""Finding notebooks: folders, include/exclude, checkpoints, missing paths."""

from __future__ import annotations

from pathlib import Path

from tests.notebooks.helpers import write_notebook

from envyard.notebooks.discover import discover


def test_folders_are_searched_recursively_without_checkpoints(tmp_path: Path) -> None:
    write_notebook(tmp_path / "a.ipynb", "pass")
    write_notebook(tmp_path / "sub" / "b.ipynb", "pass")
    write_notebook(tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb", "pass")
    write_notebook(tmp_path / ".hidden" / "c.ipynb", "pass")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    found = discover([tmp_path])
    assert [f.path.relative_to(tmp_path).as_posix() for f in found] == ["a.ipynb", "sub/b.ipynb"]
    assert all(f.problem is None for f in found)


def test_include_and_exclude(tmp_path: Path) -> None:
    write_notebook(tmp_path / "keep.ipynb", "pass")
    write_notebook(tmp_path / "draft-x.ipynb", "pass")
    write_notebook(tmp_path / "sub" / "deep.ipynb", "pass")
    (tmp_path / "notebooks.yaml").write_text("exclude: ['draft-*', 'sub/*']\n", encoding="utf-8")
    found = discover([tmp_path])
    assert [f.path.name for f in found] == ["keep.ipynb"]


def test_files_are_taken_as_given_and_missing_paths_reported(tmp_path: Path) -> None:
    text = tmp_path / "not-a-notebook.txt"
    text.write_text("x", encoding="utf-8")
    found = discover([text, tmp_path / "missing.ipynb", text])
    assert [f.path.name for f in found] == ["not-a-notebook.txt", "missing.ipynb"]
    assert found[0].problem is None
    assert "no such file" in (found[1].problem or "")


def test_output_dir_is_excluded(tmp_path: Path) -> None:
    write_notebook(tmp_path / "a.ipynb", "pass")
    write_notebook(tmp_path / "out" / "a.ipynb", "pass")
    assert [f.path for f in discover([tmp_path], [tmp_path / "out"])] == [tmp_path / "a.ipynb"]
