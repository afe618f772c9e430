"""The one name rule: a full match, no control characters, safe as a ref, a path, a word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from envyard.errors import SpecError
from envyard.names import NAME_PATTERN, SCHEMA_PATTERN, Name, check_name, is_name
from envyard.yamlio import load

HOSTILE = [
    "seed\n",
    "seed\r",
    "seed\r\n",
    "seed\x00",
    "\nseed",
    "se\ted",
    "../seed",
    "..",
    ".",
    "-rf",
    "--help",
    "refs/heads/main",
    "seed/../../x",
    "seed\u202e",
    "seed\u2028",
    "seed\x85",
    "seed\u200b",
    " seed",
    "seed ",
    "",
    "a" * 129,
    "$(id)",
    "`id`",
    "a;rm -rf /",
    "a b",
    "a:b",
    "a@1",
    "a~1",
    "a^",
    "séed",
    "seed\U0001f600",
    ".hidden",
    "-_x",
    "\x00_x",
    "\x1b_x",
    "_seed\n",
    "_" * 129,
]

GOOD = ["seed", "team-default", "py3.11_gpu", "7", "A", "a" * 128, "v1.2.3-rc.1"]
LEADING_UNDERSCORE = ["_nightly", "_", "__init", "_a.b-c", "_" * 128]  # OpenPAI accepts them


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
def test_hostile_names_are_refused(name: str) -> None:
    assert not is_name(name)
    with pytest.raises(SpecError) as info:
        check_name(name, "environment name")
    text = str(info.value)
    assert "\n" not in text and "\r" not in text and "\x00" not in text
    assert "is not a valid environment name" in text or "an empty name" in text


@pytest.mark.parametrize("name", GOOD)
def test_good_names(name: str) -> None:
    assert check_name(name) == name


def test_the_pattern_is_used_as_a_full_match() -> None:
    assert re.match(f"^{NAME_PATTERN}$", "seed\n")  # the trap: `$` before a final newline
    assert not is_name("seed\n")
    assert f"^{NAME_PATTERN}$" == SCHEMA_PATTERN


class Model(BaseModel):
    name: Name


def test_the_pydantic_type() -> None:
    assert Model(name="seed").name == "seed"
    assert Model.model_validate({"name": 7}).name == "7"
    assert Model.model_validate(load("name: 1.10\n")).name == "1.10"
    with pytest.raises(ValidationError):
        Model.model_validate({"name": True})
    with pytest.raises(ValidationError, match="is not a valid name"):
        Model(name="seed\n")
    schema = Model.model_json_schema()
    assert schema["properties"]["name"]["pattern"] == SCHEMA_PATTERN


@pytest.mark.parametrize("name", LEADING_UNDERSCORE)
def test_a_leading_underscore_is_allowed(name: str) -> None:
    assert check_name(name, "job name") == name
    assert Model(name=name).name == name
    assert re.fullmatch(SCHEMA_PATTERN.strip("^$"), name)


@pytest.mark.parametrize("name", LEADING_UNDERSCORE)
def test_leading_underscore_names_are_git_ref_components(name: str) -> None:
    import subprocess

    for ref in (f"refs/tags/environment/{name}/1", f"refs/heads/{name}"):
        done = subprocess.run(["git", "check-ref-format", ref], check=False)
        assert done.returncode == 0, ref


def test_the_hint_states_the_rule() -> None:
    with pytest.raises(SpecError, match="starting with a letter, digit or '_'"):
        check_name("-x", "job name")


def test_an_openpai_job_named_with_a_leading_underscore_validates(tmp_path: Path) -> None:
    from envyard.spec.validation import validate_paths

    job = tmp_path / "job.yaml"
    job.write_text(
        "protocolVersion: 2\nname: _nightly\nprerequisites:\n"
        "  - {name: _img, type: dockerimage, uri: 'python:3.11'}\n"
        "taskRoles:\n  _main:\n    dockerImage: _img\n    commands: [echo hi]\n",
        encoding="utf-8",
    )
    assert validate_paths([job]).errors == []
    job.write_text(job.read_text(encoding="utf-8").replace("_nightly", "-nightly"), "utf-8")
    (error,) = validate_paths([job]).errors
    assert "'-nightly' is not a valid name" in error.message


def test_target_names_follow_the_one_rule(tmp_path: Path) -> None:
    """targets.yaml names use envyard.names too: a leading '_' is fine, a leading '-' is not."""
    from envyard.spec import load_spec

    good = tmp_path / "good" / "targets.yaml"
    good.parent.mkdir()
    good.write_text("targets:\n  - name: _nightly\n", encoding="utf-8")
    load_spec(good)
    bad = tmp_path / "bad" / "targets.yaml"
    bad.parent.mkdir()
    bad.write_text('targets:\n  - name: "-x"\n  - name: "a\\nb"\n', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(bad)
    text = str(caught.value)
    assert "targets[0].name: '-x' is not a valid name" in text
    assert "targets[1].name:" in text and "is not a valid name" in text
