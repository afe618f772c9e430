"""Loading spec files: every kind of bad file gives one clear diagnostic, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.errors import SpecError
from envyard.spec import Environment, load_spec
from envyard.spec.loader import load_data


def _error(path: Path, kind: str | None = None) -> str:
    with pytest.raises(SpecError) as info:
        load_spec(path, kind)
    return str(info.value)


def test_ten_megabyte_file_is_refused_with_one_error(tmp_path: Path) -> None:
    big = tmp_path / "environment.yaml"
    big.write_text("name: x\nimage: python:3.11\n" + "# padding\n" * 1_100_000)
    text = _error(big)
    assert text.count("\n") == 0
    assert "spec files are limited to 4 MB" in text
    assert text.startswith(str(big))


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "env.yaml"
    bad.write_bytes(b"name: x\ndescription: caf\xe9\n")
    assert ":2:17: not valid UTF-8 text (byte 0xe9)" in _error(bad, "environment")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "file does not exist" in _error(tmp_path / "nope.yaml")
    assert "is a directory" in _error(tmp_path)


def test_yaml_syntax_error_has_a_position(tmp_path: Path) -> None:
    bad = tmp_path / "environment.yaml"
    bad.write_text("name: x\nimage: [python\n")
    text = _error(bad)
    assert "not valid YAML" in text
    assert f"{bad}:3:1:" in text


def test_a_list_at_the_top_is_not_a_spec(tmp_path: Path) -> None:
    bad = tmp_path / "environment.yaml"
    bad.write_text("- name: x\n")
    assert "expected a mapping of fields at the top of the file, found a list" in _error(bad)


def test_every_error_in_a_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "environment.yaml"
    bad.write_text("name: ok\nimgae: python\nkernel: {channels: 3}\ntags: {a: [1]}\n")
    with pytest.raises(SpecError) as info:
        load_spec(bad)
    lines = [(d.line, d.field) for d in info.value.diagnostics]
    assert lines == [(2, "imgae"), (3, "kernel.channels"), (4, "tags.a")]


def test_aliases_of_the_seed_are_accepted_and_errors_name_the_alias(tmp_path: Path) -> None:
    good = tmp_path / "environment.yaml"
    good.write_text("name: x\ndocker-image: python:3.11\nvm-image: ami-123\n")
    model = load_spec(good).model
    assert isinstance(model, Environment)
    assert (model.image, model.vm_image) == ("python:3.11", "ami-123")
    good.write_text("name: x\ndockerImage: [python]\n")
    assert ":2:14: dockerImage: expected a string, got a list of 1" in _error(good)


def test_conda_export_kernel_and_plain_pip_list() -> None:
    conda = load_data(
        {
            "name": "e",
            "image": "python:3.11",
            "kernel": {
                "name": "k",
                "channels": ["defaults"],
                "dependencies": ["python=3.10", "numpy=1.26", {"pip": ["six==1.16.0"]}],
            },
        },
        "environment",
    ).model
    assert isinstance(conda, Environment)
    from envyard.spec.environment import (
        CondaKernel,
        kernel_conda_packages,
        kernel_pip_requirements,
    )

    assert isinstance(conda.kernel, CondaKernel)
    assert conda.kernel.python_version() == "3.10"
    assert kernel_pip_requirements(conda.kernel) == ["six==1.16.0"]
    assert kernel_conda_packages(conda.kernel) == ["numpy=1.26"]
    pip = load_data({"name": "p", "image": "python", "kernel": ["six"]}, "environment").model
    assert isinstance(pip, Environment)
    assert kernel_pip_requirements(pip.kernel) == ["six"]


def test_models_are_frozen() -> None:
    env = load_data({"name": "e", "image": "python"}, "environment").model
    with pytest.raises(ValueError, match="frozen"):
        env.name = "other"  # type: ignore[misc]


def test_free_prerequisite_parameters_are_kept() -> None:
    job = load_data(
        {
            "protocolVersion": 2,
            "name": "j",
            "prerequisites": [{"name": "d", "type": "data", "location": "x", "mount": {"a": 1}}],
            "taskRoles": {"w": {"prerequisites": ["d"], "commands": ["true"]}},
        },
        "job",
    ).model
    from envyard.spec import JobSpec

    assert isinstance(job, JobSpec)
    assert job.prerequisites[0].parameters == {"location": "x", "mount": {"a": 1}}


def test_event_aliases_of_later_openpai() -> None:
    job = load_data(
        {
            "protocolVersion": "2",
            "name": "j",
            "prerequisites": [
                {
                    "name": "d",
                    "type": "data",
                    "callbacks": [
                        {"event": "taskStarts", "commands": ["a"]},
                        {"event": "taskSucceeds", "commands": ["b"]},
                    ],
                }
            ],
            "taskRoles": {"w": {"prerequisites": ["d"], "commands": ["true"]}},
        },
        "job",
    ).model
    from envyard.spec import JobSpec

    assert isinstance(job, JobSpec)
    assert [c.event for c in job.prerequisites[0].callbacks] == ["containerStart", "onSuccess"]


def test_undefined_prerequisite_is_a_warning_not_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "job.yaml"
    spec.write_text(
        "protocolVersion: 2\nname: j\ntaskRoles:\n  w:\n    prerequisites: [from_catalogue]\n"
        "    commands: [train]\n"
    )
    loaded = load_spec(spec)
    assert [(w.line, w.severity) for w in loaded.warnings] == [(5, "warning")]
    assert "not defined in this file" in loaded.warnings[0].message


def test_numbers_keep_the_digits_they_were_written_with(tmp_path: Path) -> None:
    spec = tmp_path / "environment.yaml"
    spec.write_text("name: x\nimage: python\nversion: 1.10\ntags: {cuda: 11.10, n: 7}\n")
    model = load_spec(spec).model
    assert isinstance(model, Environment)
    assert model.version == "1.10"
    assert model.tags == {"cuda": "11.10", "n": "7"}


def test_a_trailing_document_marker_is_harmless(tmp_path: Path) -> None:
    spec = tmp_path / "environment.yaml"
    spec.write_text("name: x\nimage: python\n---\n")
    assert load_spec(spec).kind.name == "environment"


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "environment.yaml"
    os.mkfifo(fifo)
    assert "is not a regular file" in _error(fifo)


def test_a_tab_inside_a_block_scalar_is_not_blamed_for_another_error(tmp_path: Path) -> None:
    spec = tmp_path / "environment.yaml"
    spec.write_text("name: x\ndescription: |\n  a\n  \tb\nimage: [python\n")
    text = _error(spec)
    assert "tab character" not in text
    assert "not valid YAML" in text


def test_conda_kernel_serialises_without_warnings() -> None:
    import warnings

    env = load_data(
        {
            "name": "e",
            "image": "python",
            "kernel": {"dependencies": ["python=3.11", {"pip": ["six"]}]},
        },
        "environment",
    ).model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dumped = env.model_dump(mode="json")
        env.model_dump_json()
    assert dumped["kernel"]["dependencies"] == ["python=3.11", {"pip": ["six"]}]


def test_merge_keys_are_understood(tmp_path: Path) -> None:
    spec = tmp_path / "environment.yaml"
    spec.write_text("base: &base\n  image: python:3.11\nname: x\n<<: *base\n")
    assert "base: unknown field 'base'" in _error(spec)
    spec.write_text("name: x\ntags: &t {a: b}\nimage: python\nkernel:\n  variables:\n    <<: *t\n")
    model = load_spec(spec).model
    assert isinstance(model, Environment)
    assert model.kernel is not None
