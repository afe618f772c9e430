"""Where the project's overrides and targets files are found."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.errors import ConfigError
from envyard.overrides.profiles.project import find_overrides_file, find_targets_file

from .conftest import write


def test_pipeline_with_a_block_is_found_and_one_without_is_not(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yaml": "run: {}\n", "overrides.yaml": "tenant_overrides: {}\n"})
    assert find_overrides_file(tmp_path) == tmp_path / "overrides.yaml"
    assert find_targets_file(tmp_path) is None


def test_envyard_toml_wins_and_is_checked(tmp_path: Path) -> None:
    write(
        tmp_path, {"pipeline.yaml": "tenant_overrides: {}\n", "x/o.yaml": "tenant_overrides: {}\n"}
    )
    (tmp_path / "envyard.toml").write_text('[overrides]\nfile = "x/o.yaml"\n', encoding="utf-8")
    assert find_overrides_file(tmp_path) == tmp_path / "x" / "o.yaml"
    (tmp_path / "envyard.toml").write_text('[overrides]\ntargets = "nope.yaml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"targets = 'nope\.yaml' does not exist"):
        find_targets_file(tmp_path)
    (tmp_path / "envyard.toml").write_text("[overrides\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"envyard\.toml"):
        find_overrides_file(tmp_path)
