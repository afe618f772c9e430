"""``asset deprecate`` changes only the values it sets: a CRLF spec stays CRLF, and comments,
quoting, indentation and a block description's style stay as written (checked with git on a
real repository: the diff is the deprecation and nothing else)."""

from __future__ import annotations

from pathlib import Path

from envyard.cli.main import run
from envyard.testing.git import GitRepo

_MODEL_SPEC = (
    "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\n"
    "name: demo-model\n"
    "path: ./\n"
    "tags:\n"
    "  capabilities: reasoning\n"
    "  supportsReasoning: 'true'\n"
    "system_metadata:\n"
    "  inputModalities:\n"
    "    - text   # indented by four\n"
    '  parameterSchema: \'{"enabled": [{"name": "temperature", "default": 0.6}]}\'\n'
    "version: 4\n"
)


def _model(repo: GitRepo, name: str, spec: str, *, crlf: bool) -> Path:
    folder = repo.path / "models" / name
    folder.mkdir(parents=True)
    (folder / "asset.yaml").write_text("name: demo-model\ntype: model\nspec: spec.yaml\n")
    text = spec.replace("\n", "\r\n") if crlf else spec
    (folder / "spec.yaml").write_bytes(text.encode("utf-8"))
    return folder / "spec.yaml"


def _deprecate(repo: GitRepo, name: str = "demo-model") -> None:
    argv = ["asset", "deprecate", name, "--replacement", "demo-model-2"]
    assert run([*argv, "--delete-on", "2027-01-31", "--repo", str(repo.path)]) == 0


def test_a_crlf_spec_keeps_its_line_endings_and_layout(git_repo: GitRepo) -> None:
    spec = _model(git_repo, "demo", _MODEL_SPEC, crlf=True)
    git_repo.commit("model")
    _deprecate(git_repo)
    raw = spec.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")  # no line lost its CR
    numstat = git_repo.run("diff", "--numstat", "--", "models/demo/spec.yaml")
    assert numstat.split("\t")[:2] == ["3", "0"], git_repo.run("diff")
    added = [  # (the git output is read as text: CRs are gone here, checked above)
        line.removeprefix("+").rstrip("\r")
        for line in git_repo.run("diff", "--", "models/demo/spec.yaml").splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    assert added == [
        "  Deprecated: ''",
        "  DeleteOn: '2027-01-31'",
        "description: 'DEPRECATED: Please use demo-model-2 instead.'",
    ]


def test_a_block_description_keeps_its_style_and_a_second_run_replaces_the_notice(
    git_repo: GitRepo,
) -> None:
    described = _MODEL_SPEC.replace(
        "path: ./\n", "path: ./\ndescription: >-\n  A model\n  for tests.  # not a comment\n"
    )
    spec = _model(git_repo, "demo", described, crlf=True)
    git_repo.commit("model")
    _deprecate(git_repo)
    text = spec.read_bytes().decode("utf-8")
    assert (
        "description: >-\r\n  DEPRECATED: Please use demo-model-2 instead. A model\r\n"
        "  for tests.  # not a comment\r\n" in text
    )
    argv = ["asset", "deprecate", "demo-model", "--replacement", "demo-model-3"]
    assert run([*argv, "--delete-on", "2027-02-28", "--repo", str(git_repo.path)]) == 0
    again = spec.read_bytes().decode("utf-8")
    assert again.count("DEPRECATED") == 1
    assert "  DEPRECATED: Please use demo-model-3 instead. A model\r\n" in again
    assert "  DeleteOn: '2027-02-28'\r\n" in again
    numstat = git_repo.run("diff", "--numstat", "--", "models/demo/spec.yaml")
    assert numstat.split("\t")[:2] == ["3", "1"], git_repo.run("diff")


def test_an_lf_spec_stays_lf(git_repo: GitRepo) -> None:
    spec = _model(git_repo, "demo", _MODEL_SPEC, crlf=False)
    git_repo.commit("model")
    _deprecate(git_repo)
    assert b"\r" not in spec.read_bytes()
    assert git_repo.run("diff", "--numstat").split("\t")[:2] == ["3", "0"]
