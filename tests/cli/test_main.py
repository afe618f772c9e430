"""The CLI edge: lazy imports, exit codes, and the one error boundary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from envyard import __version__
from envyard.cli import main as cli_main
from envyard.cli.main import run

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_help_imports_no_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from envyard.cli.main import run\n"
        "rc = run(['--help'])\n"
        "heavy = [m for m in ('fastapi', 'ray', 'nbclient', 'sqlalchemy') if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "0 []"
    assert "validate" in out


def test_version_and_module_entry() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "envyard", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"envyard, version {__version__}"


def test_validate_examples_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(EXAMPLES)]) == 0
    assert "0 error(s)" in capsys.readouterr().err


def test_validate_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "environment.yaml"
    bad.write_text("name: x\nimage: Bad Image\n")
    assert run(["validate", "--format", "json", str(bad)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["diagnostics"][0]["line"] == 2
    assert report["diagnostics"][0]["field"] == "image"


def test_user_error_is_one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--kind", "job", "/nonexistent/job.yaml"]) == 1
    err = capsys.readouterr()
    assert "file does not exist" in err.out + err.err


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate"]) == 2
    assert "Missing argument" in capsys.readouterr().err


def test_bug_exits_3_with_a_log_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_main, "_log_dir", lambda: tmp_path)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("envyard.spec.validation.validate_paths", explode)
    assert run(["validate", str(EXAMPLES)]) == 3
    err = capsys.readouterr().err
    assert "internal error (RuntimeError: boom)" in err
    logs = list(tmp_path.glob("crash-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in err
    assert "Traceback" in logs[0].read_text() and "Traceback" not in err


def test_schema_list_and_unknown_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema", "--list"]) == 0
    assert "notebook-release" in capsys.readouterr().out
    assert run(["schema", "nope"]) == 2


def test_skip_unknown_for_pre_commit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workflow = tmp_path / "ci.yaml"
    workflow.write_text("on: push\njobs: {}\n")
    assert run(["validate", str(workflow)]) == 1
    assert "cannot tell what kind" in capsys.readouterr().out
    assert run(["validate", "--skip-unknown", str(workflow)]) == 0


def test_crash_logs_never_hold_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_main, "_log_dir", lambda: tmp_path)
    monkeypatch.setattr(
        "sys.argv", ["envyard", "env", "list", "--token", "S3CRET", "--url=http://u:pw@h/"]
    )
    code = cli_main._report_bug(RuntimeError("boom"))
    assert code == 3
    log = next(tmp_path.glob("crash-*.log"))
    text = log.read_text()
    assert "S3CRET" not in text and ":pw@" not in text
    assert "'--token', '***'" in text
    assert log.stat().st_mode & 0o077 == 0
    capsys.readouterr()


def test_redact_argv_forms() -> None:
    assert cli_main.redact_argv(["--token=abc", "--password", "p", "x"]) == [
        "--token=***",
        "--password",
        "***",
        "x",
    ]
