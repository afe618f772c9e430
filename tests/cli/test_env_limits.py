"""`env list --offset` out of range and a NUL in a spec are user errors, not crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.service.testing import metastore_url

__all__ = ["metastore_url"]


def test_offset_out_of_range_and_nul_in_a_tag(
    metastore_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(["env", "list", "--offset", "99999999999999999999"]) == 2  # like --limit 0
    err = capsys.readouterr().err
    assert "Invalid value for '--offset'" in err and "internal error" not in err
    spec = tmp_path / "nul.yaml"
    spec.write_text('name: nul\nimage: busybox\ntags: {k: "v\\0x"}\n')
    assert run(["env", "create", "-f", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "tags.k: a NUL character (\\x00) is not allowed here" in err
    assert run(["env", "list"]) == 0
    assert "no environments match" in capsys.readouterr().err
