"""Settings resolution: folder chain, per-notebook sections, release.json, CLI overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.notebooks.helpers import write_notebook

from envyard.errors import SpecError
from envyard.notebooks.config import Overrides, resolve, skip_reason


def test_precedence_and_merging(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the walk up stops at the repository root
    (tmp_path / "notebooks.yaml").write_text(
        "timeout: 100\npip: [top-pkg]\nparameters: {a: 1, b: 1}\n", encoding="utf-8"
    )
    sub = tmp_path / "sub"
    nb = write_notebook(sub / "n.ipynb", "pass")
    (sub / "notebooks.yaml").write_text(
        "cell_timeout: 5\npip: [sub-pkg]\nnotebooks:\n  n.ipynb:\n"
        "    parameters: {b: 2}\n    files: ['*.csv']\n",
        encoding="utf-8",
    )
    (sub / "release.json").write_text(
        '{"requirements": ["release-pkg"], "celltimeout": 7, "params": {"c": 3}}',
        encoding="utf-8",
    )
    resolved = resolve(nb, Overrides(timeout=9, parameters={"a": "cli"}))
    s = resolved.settings
    assert s.timeout == 9
    assert s.cell_timeout == 7
    assert s.pip == ["top-pkg", "sub-pkg", "release-pkg"]
    assert s.parameters == {"a": "cli", "b": 2, "c": 3}
    assert s.files == ["*.csv"]
    assert [p.name for p in resolved.sources] == [
        "notebooks.yaml",
        "notebooks.yaml",
        "release.json",
    ]


def test_other_notebooks_do_not_get_a_sections_settings(tmp_path: Path) -> None:
    (tmp_path / "notebooks.yaml").write_text(
        "notebooks:\n  a.ipynb:\n    skip: not today\n", encoding="utf-8"
    )
    a = write_notebook(tmp_path / "a.ipynb", "pass")
    b = write_notebook(tmp_path / "b.ipynb", "pass")
    assert skip_reason(resolve(a).settings) == "not today"
    assert skip_reason(resolve(b).settings) is None


def test_broken_config_reports_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "notebooks.yaml").write_text("timeout: 10\nworkers: 3\n", encoding="utf-8")
    nb = write_notebook(tmp_path / "n.ipynb", "pass")
    with pytest.raises(SpecError) as info:
        resolve(nb)
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.file.endswith("notebooks.yaml")
    assert diagnostic.line == 2 and diagnostic.field == "workers"


def test_examples_resolve(tmp_path: Path) -> None:
    examples = Path(__file__).parents[2] / "examples" / "notebooks"
    params = resolve(examples / "parameters.ipynb").settings
    assert params.parameters == {"greeting": "hello from notebook CI"}
    assert params.timeout == 120
    assert skip_reason(resolve(examples / "slow-and-skipped.ipynb").settings)


def test_a_targets_overrides_apply_to_staged_copies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "targets.yaml").write_text(
        "targets:\n  - name: gpu\n    backend: local\n    overrides: pipeline.yaml\n",
        encoding="utf-8",
    )
    (tmp_path / "pipeline.yaml").write_text(
        "tenant_overrides:\n  gpu:\n    parameters.greeting:\n      hello: hello from gpu\n"
        "    timeout:\n      '30': '90'\n",
        encoding="utf-8",
    )
    config = "target: gpu\ntimeout: 30\nparameters:\n  greeting: hello\n"
    (tmp_path / "nbs").mkdir()
    (tmp_path / "nbs" / "notebooks.yaml").write_text(config, encoding="utf-8")
    nb = write_notebook(tmp_path / "nbs" / "n.ipynb", "pass")
    settings = resolve(nb).settings
    assert settings.parameters == {"greeting": "hello from gpu"}
    assert settings.timeout == 90
    assert settings.target == "gpu"
    assert (tmp_path / "nbs" / "notebooks.yaml").read_text(encoding="utf-8") == config
    plain = resolve(nb, Overrides(target=None)).settings
    assert plain.parameters == {"greeting": "hello from gpu"}  # the file's own target applies


def test_an_unknown_target_is_a_config_error(tmp_path: Path) -> None:
    from envyard.errors import EnvyardError

    (tmp_path / ".git").mkdir()
    (tmp_path / "notebooks.yaml").write_text("timeout: 5\n", encoding="utf-8")
    nb = write_notebook(tmp_path / "n.ipynb", "pass")
    with pytest.raises(EnvyardError, match="nope"):
        resolve(nb, Overrides(target="nope"))
