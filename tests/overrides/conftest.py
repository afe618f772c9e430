"""Helpers for the override tests: real files in tmp folders, hashed before and after."""

from __future__ import annotations

import hashlib
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from envyard.overrides.matching.rules import Rule
from envyard.overrides.profiles.load import load_profiles
from envyard.overrides.staging.write import finish_removals


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_TARGET", raising=False)
    own_tmp = tmp_path_factory.mktemp("staging")  # this test's only (xdist workers share /tmp)
    monkeypatch.setattr(tempfile, "tempdir", str(own_tmp))
    monkeypatch.setenv("ENVYARD_STAGING_DIR", str(own_tmp))
    yield
    finish_removals()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` -> sha256 of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def rules_from(tmp_path: Path) -> Callable[[str], tuple[Rule, ...]]:
    """Compile the profile ``t`` of a tenant_overrides YAML snippet."""
    counter = [0]

    def make(body: str) -> tuple[Rule, ...]:
        counter[0] += 1
        path = tmp_path / f"overrides-{counter[0]}.yaml"
        indented = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
        path.write_text(f"tenant_overrides:\n  t:\n{indented}\n", encoding="utf-8")
        return load_profiles(path).get("t")

    return make
