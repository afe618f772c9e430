"""conda environment files are read as conda reads them: sections conda ignores are warnings
(CONDA001), ``-r FILE`` in the pip section is read relative to the file, ``-c``/``-e`` lines are
left out with a located warning (CONDA002), and every error names the user's file:line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envyard.errors import Diagnostic, SpecError
from envyard.launch.kernelspec import kernel_spec
from envyard.locking.resolve import lock_kernel
from envyard.registry.conda import RULE_PIP_LINE, RULE_PYTHON, RULE_SECTION, read_conda_export
from envyard.spec import Environment
from envyard.testing.lock_index import locking_index

__all__ = ["locking_index"]


def _read(path: Path) -> tuple[list[object], list[Diagnostic]]:
    found: list[Diagnostic] = []
    kernel = read_conda_export(path, found.append)
    return list(kernel.dependencies), found


def test_sections_conda_ignores_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "env.yml"
    path.write_text(
        "name: t\nchannels: [defaults]\ndependencies:\n  - python=3.11\n"
        "category: main\nplatforms: [linux-64, osx-arm64]\n"
    )
    deps, found = _read(path)
    assert deps == ["python=3.11"]
    assert [(d.line, d.col, d.field, d.severity, d.rule) for d in found] == [
        (5, 1, "category", "warning", RULE_SECTION),
        (6, 1, "platforms", "warning", RULE_SECTION),
    ]
    assert "conda ignores it" in found[0].message


def test_requirement_files_are_read_relative_to_the_environment_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    (project / "reqs").mkdir(parents=True)
    (project / "wheels").mkdir()
    (project / "requirements.txt").write_text(
        "# pinned\nsix==1.16.0  # the one\n-r reqs/more.txt\n-e ./src\n"
    )
    (project / "reqs" / "more.txt").write_text(
        "--find-links ../wheels\nattrs>=23 \\\n  ; python_version>'3'\n"
    )
    path = project / "environment.yml"
    path.write_text(
        "name: t\ndependencies:\n  - python=3.11\n  - pip:\n"
        "    - -r requirements.txt\n    - -c constraints.txt\n    - tomli\n"
    )
    monkeypatch.chdir(tmp_path)  # not the file's folder: conda runs pip from the file's
    deps, found = _read(path)
    assert deps[1].pip == (  # type: ignore[union-attr]
        [
            "six==1.16.0",
            f"--find-links {(project / 'wheels').resolve()}",
            "attrs>=23   ; python_version>'3'",
            "tomli",
        ]
    )
    assert [(d.line, d.col, d.field, d.rule) for d in found] == [
        (5, 7, "dependencies[1].pip[0]", RULE_PIP_LINE),
        (6, 7, "dependencies[1].pip[1]", RULE_PIP_LINE),
    ]
    assert "'-e ./src' (requirements.txt:4) is left out" in found[0].message


@pytest.mark.parametrize(
    ("included", "message"),
    [
        (None, "'-r requirements.txt' names"),
        ("six==nope!!\n", "'six==nope!!' (requirements.txt:1) is not a requirement"),
    ],
)
def test_errors_name_the_environment_files_line(
    tmp_path: Path, included: str | None, message: str
) -> None:
    if included is not None:
        (tmp_path / "requirements.txt").write_text(included)
    path = tmp_path / "environment.yml"
    path.write_text("dependencies:\n  - python=3.11\n  - pip:\n      - -r requirements.txt\n")
    with pytest.raises(SpecError) as info:
        read_conda_export(path)
    assert str(info.value).startswith(f"{path}:4:9: dependencies[1].pip[0]: pip line {message}")


@pytest.mark.usefixtures("locking_index")
def test_a_file_with_a_requirements_file_locks(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    path = tmp_path / "environment.yml"
    path.write_text(
        "name: rproj\ndependencies:\n  - python=3.11\n  - pip:\n    - -r requirements.txt\n"
        "category: main\n"
    )
    kernel = read_conda_export(path, lambda d: None)
    data = {"name": "rproj", "image": "x:1", "kernel": kernel.model_dump(exclude_none=True)}
    spec = kernel_spec(Environment.model_validate(data))
    assert spec is not None
    lock = lock_kernel(spec, cwd=Path(os.sep))
    assert [(p.name, p.version) for p in lock.platforms["linux-64"].pip] == [("six", "1.16.0")]


def test_an_exact_python_build_on_a_local_interpreter_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "env.yml"
    text = "dependencies:\n  - pip=24.0=py311_0\n  - python=3.11.9=h955ad1f_0\n"
    path.write_text(text + "  - pip: [six]\n")
    _, found = _read(path)
    assert [(d.line, d.col, d.field, d.rule) for d in found] == [
        (3, 5, "dependencies[1]", RULE_PYTHON)
    ]
    assert "runs on a local Python 3.11 interpreter" in found[0].message
    path.write_text(text + "  - numpy\n")  # a conda kernel: that build, from the channels
    assert _read(path)[1] == []
    path.write_text("dependencies:\n  - python=3.11\n  - pip: [six]\n")  # no build named
    assert _read(path)[1] == []
