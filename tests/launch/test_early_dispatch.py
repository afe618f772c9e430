"""The entry point's early dispatch: a cached re-launch before click loads, same result as the CLI.

Each case runs the same launch twice: through the early dispatch (``python -m envyard env launch
NAME -- CMD``) and through the full CLI (``envyard.cli.main``, where the ``launch`` command tries
the same fast path after click has parsed the line). ``-X importtime`` tells which way a
process went: the early dispatch never imports click.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envyard.__main__ import _launch_args
from envyard.cli.env_launch import launch
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

FULL_CLI = "import sys; from envyard.cli.main import main; sys.argv[0] = 'envyard'; main()"


def _imports(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def _output(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


def _run(
    args: list[str], env: dict[str, str], *, full: bool = False
) -> tuple[int, str, list[str], bool]:
    """(exit code, stdout, stderr lines, whether click was imported) of ``envyard ARGS``."""
    entry = ["-c", FULL_CLI] if full else ["-m", "envyard"]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *entry, *args],
        env=env, capture_output=True, text=True, check=False, timeout=240,
    )  # fmt: skip
    return done.returncode, done.stdout, _output(done.stderr), "click" in _imports(done.stderr)


@pytest.fixture(scope="module")
def cached_env(
    pypi_index: PypiIndex, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, str]]:
    """An environment whose locked kernel is built (cached), and the process environment."""
    tmp = tmp_path_factory.mktemp("early")
    env = pypi_index.isolated_env()
    env["ENVYARD_HOME"] = str(tmp / "home")
    for var in ("ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_DB_URL"):
        env.pop(var, None)
    pkg, name = unique_name("earlypkg").replace("-", "_"), unique_name("early")
    pypi_index.add_wheel(pkg, "2.1")
    spec = tmp / "early.yaml"
    spec.write_text(
        f"name: {name}\nimage: x:1\nkernel:\n  name: earlyk\n  dependencies:\n"
        f"    - pip: [{pkg}]\n  variables: {{STAGE: test}}\n",
        encoding="utf-8",
    )
    for args in (["env", "create", "-f", str(spec)], ["env", "launch", name, "--", "true"]):
        code, _, err, _ = _run(args, env, full=True)
        assert code == 0, err
    env["EARLY_PKG"] = pkg
    return name, env


CODE = (
    "import os, sys, {pkg}; print({pkg}.__version__, os.environ['ENVYARD_ENVIRONMENT'], "
    "os.environ['ENVYARD_KERNEL'], os.environ['STAGE'], sys.prefix, sys.argv[1:])"
)


def test_a_hit_runs_before_click_with_the_full_paths_result(
    cached_env: tuple[str, dict[str, str]],
) -> None:
    name, env = cached_env
    code = CODE.format(pkg=env["EARLY_PKG"])
    for command in (
        [name, "--", "python", "-c", code, "--flag", "-x"],  # flags after `--` are the command's
        [f"{name}@1", "--", "--", "python", "-c", code],  # a second `--` as click leaves it
        [name, "python", "--", "-c", code],  # positional words before the `--`
    ):
        early = _run(["env", "launch", *command], env)
        full = _run(["env", "launch", *command], env, full=True)
        assert early[3] is False and full[3] is True, (early, full)  # the way each one went
        assert early[:3] == full[:3]
        assert early[0] == 0, early
        assert early[1].split()[:4] == ["2.1", f"{name}@1", "earlyk", "test"]
        assert len(early[2]) == 1 and early[2][0].startswith("envyard: reusing kernel earlyk (")
    assert _run(["env", "launch", name, "--", "sh", "-c", "exit 9"], env)[0] == 9


def test_errors_and_misses_read_as_the_full_cli(cached_env: tuple[str, dict[str, str]]) -> None:
    name, env = cached_env
    for args in (
        ["env", "launch", name, "--", "no-such-command-here"],  # started, then a user error
        ["env", "launch", f"{name}@99", "--", "true"],  # a miss: the CLI says not found
        ["env", "launch", name, "--"],  # no command: a usage error
        ["env", "launch", name],
    ):
        early, full = _run(args, env), _run(args, env, full=True)
        assert early[:3] == full[:3], (args, early, full)
    assert early[0] == 2 and full[2][-1].startswith("error: no command given")
    missing = _run(["env", "launch", name, "--", "no-such-command-here"], env)
    assert missing[0] == 1 and missing[3] is True  # the error went to the CLI's boundary
    assert missing[2][-1].startswith("error: command not found in the kernel: no-such-command")


def test_options_go_to_the_full_cli(cached_env: tuple[str, dict[str, str]]) -> None:
    name, env = cached_env
    dry = _run(["env", "launch", "--dry-run", name, "--", "true"], env)
    assert dry[0] == 0 and dry[3] is True  # click parsed the option; nothing was run
    assert _run(["env", "launch", name, "--engine", "local", "--", "true"], env)[3] is True
    assert _run(["env", "launch", "--help"], env)[1].startswith("Usage: envyard env launch")


def test_a_deprecated_version_warns_the_same(
    cached_env: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    newer, env = cached_env
    name = unique_name("early-old")  # its own environment: a deprecation is for good
    spec = tmp_path / "old.yaml"
    spec.write_text(
        f"name: {name}\nimage: x:1\nkernel:\n  name: earlyk\n  dependencies:\n"
        f"    - pip: [{env['EARLY_PKG']}]\n  variables: {{STAGE: test}}\n",
        encoding="utf-8",
    )
    args = ["env", "launch", f"{name}@1", "--", "sh", "-c", "exit 7"]
    assert _run(["env", "create", "-f", str(spec)], env, full=True)[0] == 0
    before = _run(args, env, full=True)  # the same lock: the kernel is already cached
    assert before[0] == 7 and not any("warning" in line for line in before[2])
    assert _run(["env", "deprecate", name, "--replaced-by", newer], env, full=True)[0] == 0
    early, full = _run(args, env), _run(args, env, full=True)
    assert early[3] is False and early[:3] == full[:3]
    assert early[0] == 7
    assert early[2][0] == f"envyard: warning: {name}@1 is deprecated; use {newer} instead"


def test_help_through_the_entry_point_imports_nothing_heavy(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "envyard", "--help"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    heavy = {"fastapi", "ray", "nbclient", "sqlalchemy", "pydantic", "sqlite3"}
    assert not heavy & _imports(done.stderr)
    assert "envyard.launch.fastpath" not in _imports(done.stderr)
    assert "Commands:" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["team", "--", "python", "-c", "pass"],
        ["team@3", "python", "--", "-c", "x", "--", "y"],
        ["team", "--", "--", "ls"],
        ["team", "ls"],
        ["team"],
        ["team", "--"],
    ],
)
def test_the_early_parse_is_clicks(args: list[str]) -> None:
    """What the early dispatch takes as ``env launch``'s arguments is what click gives it."""
    with launch.make_context("launch", list(args)) as ctx:
        assert _launch_args(["env", "launch", *args]) == list(ctx.params["args"])


@pytest.mark.parametrize(
    "argv",
    [
        ["env", "launch", "--engine", "local", "team", "--", "ls"],
        ["env", "launch", "team", "-f", "x.yaml", "--", "ls"],
        ["env", "launch", "--", "team", "ls"],
        ["env", "launch"],
        ["env", "list"],
        ["--help"],
        [],
    ],
)
def test_anything_else_is_left_to_click(argv: list[str]) -> None:
    assert _launch_args(argv) is None
