"""`envyard env`: the whole cycle on the local metastore (SQLite, PostgreSQL) and via --url."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envyard.atomicfile import current_umask
from envyard.cli.main import run
from envyard.service.testing import EnvyardServer, envyard_server_factory, metastore_url
from envyard.testing.lock_index import locking_index, locking_sqlite_server
from envyard.testing.plugin import unique_name

__all__ = ["envyard_server_factory", "locking_index", "locking_sqlite_server", "metastore_url"]

pytestmark = pytest.mark.usefixtures("locking_index")  # kernels lock against pypiserver


@pytest.fixture(scope="session")
def sqlite_server(locking_sqlite_server: EnvyardServer) -> EnvyardServer:
    return locking_sqlite_server


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "environments"

CONDA_EXPORT = """\
name: team_py311
channels:
  - defaults
dependencies:
  - python=3.11.9=h955ad1f_0
  - pip:
      - six==1.16.0
prefix: /home/me/miniconda3/envs/team_py311
"""


def envyard(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cycle_on_the_local_metastore(
    metastore_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = envyard(capsys, "env", "create", "-f", str(EXAMPLES / "team-default.yaml"))
    assert code == 0
    assert out.startswith("created team-default@1 (sha256:")
    assert envyard(capsys, "env", "create", "-f", str(EXAMPLES / "pip-only.yaml"))[0] == 0

    code, out, _ = envyard(capsys, "env", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "STATE", "IMAGE", "TAGS", "UPDATED"]
    assert [line.split()[0] for line in lines[1:]] == ["pip-only", "team-default"]
    code, out, _ = envyard(capsys, "env", "list", "--tag", "OS=Debian12", "--format", "json")
    assert [i["ref"] for i in json.loads(out)["items"]] == ["team-default@1"]

    code, out, _ = envyard(
        capsys, "env", "update", "team-default", "--tag", "GPU", "--description", "gpu"
    )
    assert (code, out.split()[:2]) == (0, ["updated", "team-default@2"])
    code, out, _ = envyard(capsys, "env", "resolve", "team-default")
    assert (code, out) == (0, "team-default@2\n")
    code, out, _ = envyard(capsys, "env", "diff", "team-default@1")
    assert code == 1
    assert "-description: The environment most of team ABC uses.\n" in out
    assert "+description: gpu\n" in out
    assert "+  GPU: ''" in out
    assert envyard(capsys, "env", "diff", "team-default@2", "team-default")[:2] == (0, "")
    code, out, _ = envyard(capsys, "env", "versions", "team-default")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["2", "1"]
    code, out, _ = envyard(capsys, "env", "get", "team-default", "--format", "json")
    assert json.loads(out)["tags"] == {"Python": "3.11", "OS": "Debian12", "GPU": ""}

    exported = tmp_path / "out" / "team.yaml"
    assert envyard(capsys, "env", "export", "team-default@1", "-o", str(exported))[0] == 0
    text = exported.read_text()
    assert "six==1.16.0" in text and "version:" not in text
    assert text.startswith("# environment team-default@1 (sha256:")
    assert exported.stat().st_mode & 0o777 == 0o666 & ~current_umask()  # CI can read it
    edited = tmp_path / "edited.yaml"
    edited.write_text(text.replace("six==1.16.0", "six==1.17.0"))
    code, out, _ = envyard(capsys, "env", "update", "-f", str(edited))
    assert (code, out.split()[1]) == (0, "team-default@3")
    # the export is accepted by `update -f` as it is (issue 16, point 4)
    code, out, _ = envyard(capsys, "env", "update", "-f", str(exported))
    assert (code, out.split()[:2]) == (0, ["updated", "team-default@4"])
    code, out, _ = envyard(capsys, "env", "export", "team-default@1", "--keep-version")
    assert (code, "version: '1'" in out) == (0, True)

    code, out, _ = envyard(
        capsys, "env", "deprecate", "team-default@1", "--replaced-by", "team-default@3",
        "--delete-on", "2030-01-01",
    )  # fmt: skip
    assert (code, out.split()[:2]) == (0, ["deprecated", "team-default@1"])
    code, _, err = envyard(capsys, "env", "get", "team-default@1")
    assert "warning: team-default@1 is deprecated (replaced by team-default@3" in err

    assert envyard(capsys, "env", "archive", "pip-only")[0] == 0
    code, out, _ = envyard(capsys, "env", "list")
    assert "pip-only" not in out
    code, out, _ = envyard(capsys, "env", "list", "--state", "archived")
    assert "pip-only" in out
    assert envyard(capsys, "env", "get", "pip-only@1")[0] == 0

    code, out, _ = envyard(capsys, "env", "delete", "pip-only", "--yes")
    assert (code, out.strip()) == (0, "deleted pip-only")
    code, _, err = envyard(capsys, "env", "get", "pip-only@1")
    assert (code, err.strip()) == (
        1,
        "error: environment 'pip-only' not found (hint: see `envyard env list`)",
    )


def test_bad_input_gives_one_clear_message_and_changes_nothing(
    metastore_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: a\nimage: [python\n")
    code, _, err = envyard(capsys, "env", "create", "-f", str(broken))
    assert code == 1
    assert "broken.yaml:3:1: not valid YAML" in err
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("name: a\nimage: python:3.11\nkernal: [six]\n")
    code, _, err = envyard(capsys, "env", "create", "-f", str(wrong))
    assert (code, err.strip()) == (
        1,
        f"{wrong}:3:1: kernal: unknown field 'kernal' (hint: did you mean 'kernel'?)",
    )
    code, _, err = envyard(capsys, "env", "get", "nope")
    assert (code, "environment 'nope' not found" in err) == (1, True)

    assert envyard(capsys, "env", "create", "-f", str(EXAMPLES / "pip-only.yaml"))[0] == 0
    code, _, err = envyard(capsys, "env", "create", "-f", str(EXAMPLES / "pip-only.yaml"))
    assert (code, "already exists" in err) == (1, True)
    code, _, err = envyard(
        capsys, "env", "update", "pip-only", "--image", "python:3.12", "--version", "1"
    )
    assert (code, "pip-only@1 already exists; versions are immutable" in err) == (1, True)
    envyard(capsys, "env", "archive", "pip-only")
    code, _, err = envyard(capsys, "env", "update", "pip-only", "--description", "again")
    assert (code, "is archived" in err) == (1, True)
    code, out, _ = envyard(capsys, "env", "versions", "pip-only", "--all")
    assert len(out.splitlines()) == 2  # header + the one version: nothing was added


def test_import_conda(
    metastore_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = tmp_path / "environment.yml"
    export.write_text(CONDA_EXPORT)
    code, _, err = envyard(capsys, "env", "import-conda", str(export), "--name", "team")
    assert (code, "give --image" in err) == (2, True)
    code, out, _ = envyard(
        capsys, "env", "import-conda", str(export), "--name", "team", "--image", "python:3.11-slim",
        "--tag", "team=abc",
    )  # fmt: skip
    assert (code, out.split()[1]) == (0, "team@1")
    code, out, _ = envyard(capsys, "env", "get", "team", "--format", "json")
    kernel = json.loads(out)["kernel"]
    assert kernel["name"] == "team_py311"
    assert kernel["dependencies"][1] == {"pip": ["six==1.16.0"]}
    assert "prefix" not in kernel or kernel["prefix"] is None
    export.write_text(CONDA_EXPORT.replace("six==1.16.0", "six==1.17.0"))
    code, out, _ = envyard(capsys, "env", "import-conda", str(export), "--name", "team")
    assert (code, out.split()[1]) == (0, "team@2")
    export.write_text("name: x\ndependencies:\n  - {pip: 3}\n")
    code, _, err = envyard(capsys, "env", "import-conda", str(export), "--name", "team")
    assert code == 1
    assert "environment.yml:3:11: dependencies[0].pip: expected a list, got number 3" in err


def test_against_a_server_with_tokens(
    sqlite_server: EnvyardServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path))
    monkeypatch.delenv("ENVYARD_TOKEN", raising=False)
    name = unique_name("cli")
    spec = tmp_path / "env.yaml"
    spec.write_text(f"name: {name}\nimage: python:3.11-slim\n")
    url = ["--url", sqlite_server.url]
    code, _, err = envyard(capsys, "env", "create", "-f", str(spec), *url)
    assert (code, "needs an API token with the 'write' scope" in err) == (1, True)
    code, _, err = envyard(
        capsys, "env", "create", "-f", str(spec), *url, "--token", sqlite_server.tokens["read"]
    )
    assert (code, "has the 'read' scope; this needs 'write'" in err) == (1, True)
    monkeypatch.setenv("ENVYARD_URL", sqlite_server.url)
    monkeypatch.setenv("ENVYARD_TOKEN", sqlite_server.tokens["write"])
    code, out, _ = envyard(capsys, "env", "create", "-f", str(spec))
    assert (code, out.split()[1]) == (0, f"{name}@1")
    code, out, _ = envyard(capsys, "env", "list", "--prefix", name)
    assert name in out
    assert envyard(capsys, "env", "deprecate", name)[0] == 0
    assert envyard(capsys, "env", "archive", name)[0] == 0
    assert envyard(capsys, "env", "delete", name, "-y")[0] == 0
    code, _, err = envyard(capsys, "env", "get", f"{name}@1")
    assert (code, "not found" in err) == (1, True)


def test_launch_is_registered_only_when_its_module_exists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib.util

    code, out, _ = envyard(capsys, "env", "--help")
    assert code == 0
    has_launch = importlib.util.find_spec("envyard.cli.env_launch") is not None
    assert ("launch" in out.split()) is has_launch


def test_deprecating_a_name_says_how_many_versions(
    metastore_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "e.yaml"
    name = unique_name("dep")
    spec.write_text(f"name: {name}\nimage: python:3.11-slim\n")
    assert envyard(capsys, "env", "create", "-f", str(spec))[0] == 0
    assert envyard(capsys, "env", "update", name, "--description", "two")[0] == 0
    assert envyard(capsys, "env", "update", name, "--description", "three")[0] == 0
    assert envyard(capsys, "env", "deprecate", f"{name}@1")[0] == 0
    code, out, _ = envyard(capsys, "env", "deprecate", name, "--delete-on", "2030-01-01")
    assert (code, out) == (0, f"deprecated 2 version(s) of {name} (2, 3); {name}@3 "
                           "state=deprecated\n")  # fmt: skip
