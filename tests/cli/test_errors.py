"""The newcomer's path through mistakes (issue 16 points 6, 8, 10): one `error:` line, exit 1
for a user's mistake (a missing file in any command, a file as ENVYARD_HOME, a non-SQLite
metastore), the usage block with `error:` and exit 2 for misuse, crash logs only for bugs and
under ENVYARD_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli import main as cli_main
from envyard.cli.main import run


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ENVYARD_HOME", str(home))
    for name in ("ENVYARD_DB_URL", "ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_TARGET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return home


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    return lines[0]


MISSING = "missing/nothing-here.yaml"


@pytest.mark.parametrize(
    "argv",
    [
        ["env", "create", "-f", MISSING],
        ["env", "update", "team", "-f", MISSING],
        ["env", "import-conda", MISSING, "--name", "x", "--image", "python:3.11-slim"],
        ["prereq", "create", "-f", MISSING],
        ["env", "launch", "-f", MISSING, "--", "true"],
        ["job", "render", MISSING],
        ["job", "submit", MISSING],
        ["job", "submit", "--env-file", MISSING, MISSING],
        ["asset", "validate", MISSING],
        ["asset", "pin", MISSING, "-o", "out"],
        ["asset", "release", "--repo", MISSING],
        ["nb", "test", MISSING],
        ["validate", MISSING],
        ["validate", "--kind", "job", MISSING],
    ],
    ids=lambda argv: " ".join(a for a in argv if a != MISSING),
)
def test_a_missing_file_is_a_user_error_in_every_command(
    home: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(argv)
    captured = capsys.readouterr()
    line = _one_error_line(captured.err) if code == 1 and "error:" in captured.err else ""
    if argv[0] in ("validate", "asset", "nb") and not line:  # reports on stdout, summary on err
        assert code == 1, captured
        assert "nothing-here.yaml" in captured.out + captured.err
        assert "Usage:" not in captured.err
    else:
        assert (code, "nothing-here.yaml" in line) == (1, True), captured
    assert not (home / "logs").exists()  # a user's mistake never writes a crash log


def test_file_as_envyard_home_is_a_user_error(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home.parent.mkdir(exist_ok=True)
    home.write_text("not a folder")
    assert run(["env", "list"]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        f"error: ENVYARD_HOME={home} is a file, not a folder "
        "(hint: set ENVYARD_HOME to a folder (it is created when missing))"
    )
    monkeypatch.setenv("ENVYARD_HOME", str(home / "below"))
    assert run(["job", "list"]) == 1
    assert f"cannot be made: {home} is a file" in _one_error_line(capsys.readouterr().err)


def test_a_non_sqlite_metastore_is_a_user_error(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("these are my notes, not a database\n" * 20)
    monkeypatch.setenv("ENVYARD_DB_URL", f"sqlite:///{notes}")
    assert run(["env", "list"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "cannot open the metastore" in line and "file is not a database" in line
    assert notes.read_text().startswith("these are my notes")  # untouched
    assert not (home / "logs").exists()


def test_crash_logs_live_under_envyard_home(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("envyard.spec.validation.validate_paths", explode)
    assert run(["validate", "."]) == 3
    logs = list((home / "logs").glob("crash-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in capsys.readouterr().err


def test_usage_errors_keep_the_usage_block_with_one_error_prefix(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["token", "create", "--scope", "everything"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: envyard token create [OPTIONS]\n")
    assert err.strip().splitlines()[-1].startswith("error: Invalid value for '--scope'")
    assert "Error:" not in err


def test_forgetting_the_double_dash_gets_a_hint(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["env", "launch", "team-default", "python", "-c", "print(1)"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == (
        "error: No such option '-c' (hint: options for the command you run go after `--`: "
        "`envyard env launch NAME -- CMD -c ...`)"
    )


def test_an_unreadable_user_file_is_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unreadable(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "/data/secret.yaml")

    monkeypatch.setattr("envyard.spec.validation.validate_paths", unreadable)
    assert run(["validate", "."]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        "error: /data/secret.yaml: Permission denied"
    )
    assert not (home / "logs").exists()
    assert cli_main._file_error(OSError("no file name")) is None  # not about a file: a bug


def test_a_url_password_in_an_error_is_masked(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Error lines and located diagnostics never print a URL's password (a channel or an index
    named in a lock error, a reference typed by mistake)."""
    assert run(["env", "get", "https://alice:s3cretpw@example.com/x"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "s3cretpw" not in line and "alice:***@example.com" in line
    spec = tmp_path / "bad.yaml"
    spec.write_text("name: 'https://bob:hunter2@x/'\nimage: python:3.11\n", encoding="utf-8")
    assert run(["validate", str(spec)]) == 1
    shown = capsys.readouterr()
    assert "hunter2" not in shown.out + shown.err and "bob:***@x" in shown.out


def test_a_metastore_url_in_a_missing_folder_is_an_error_not_new_folders(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A typo in ENVYARD_DB_URL used to create the folders and an empty metastore there."""
    missing = tmp_path / "typo" / "dir"
    monkeypatch.setenv("ENVYARD_DB_URL", f"sqlite:///{missing / 'envyard.db'}")
    assert run(["env", "list"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert f"does not exist: {missing}" in line and "ENVYARD_DB_URL" in line
    assert not (tmp_path / "typo").exists()
    monkeypatch.delenv("ENVYARD_DB_URL")
    assert run(["env", "list"]) == 0  # the default metastore: its home folder is created
    assert (home / "envyard.db").is_file()
