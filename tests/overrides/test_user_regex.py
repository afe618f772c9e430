"""`envyard override apply` with a rule regex Python warns about ('[[', a possible nested set):
no warning on stderr, no crash under `python -W error`. Validation and rule building both
compile through envyard.regexes; with more rules than Python's regex cache holds (512), the
build compiled the pattern afresh and used to warn (a crash under -W error)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import write

PIPELINE = (
    "tenant_overrides:\n  tenant-a:\n    image:\n      'prod/[[]x]-(.+)': 'dev/$1'\n"
    + "".join(
        f"      'filler{i}-(.+)': 'other$1'\n"
        for i in range(600)  # past re's cache of 512
    )
)


def test_apply_with_a_nested_set_regex_under_w_error(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write(root, {"pipeline.yaml": PIPELINE, "specs/a.yaml": "name: a\nimage: prod/[x]-a:1\n"})
    out = tmp_path / "out"
    env = {**os.environ, "ENVYARD_HOME": str(tmp_path / "home")}
    argv = ["override", "apply", "-t", "tenant-a", "specs/a.yaml", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "envyard", *argv],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr
    assert (out / "specs" / "a.yaml").read_text(encoding="utf-8") == "name: a\nimage: dev/a:1\n"
