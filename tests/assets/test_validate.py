import json
from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.rules.sarif import to_sarif
from envyard.assets.rules.validate import validate_assets
from envyard.cli.main import run

from .conftest import env_asset

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "assets"


def test_the_example_assets_are_valid() -> None:
    report = validate_assets([EXAMPLES], root=EXAMPLES)
    assert report.assets == 2
    assert report.errors == [], [d.render() for d in report.diagnostics]
    # the reference only warns: 'minimal' has no framework, both name a python version
    assert {d.rule for d in report.warnings} == {"AST017"}


def test_auto_version_rule_is_opt_in(tmp_path: Path) -> None:
    env_asset(tmp_path, "pytorch-2.3-demo", version="3")
    assert validate_assets([tmp_path], AssetSettings(), tmp_path).diagnostics == []
    strict = AssetSettings(rules={"AST007": "error"})
    (diag,) = validate_assets([tmp_path], strict, tmp_path).diagnostics
    assert diag.rule == "AST007"
    assert diag.line == 2


def test_severity_and_naming_prefix_are_configurable(tmp_path: Path) -> None:
    env_asset(tmp_path, "pytorch-2.3-demo", image="team/pytorch-2.3-demo")
    (diag,) = validate_assets([tmp_path], AssetSettings(), tmp_path).diagnostics
    assert (diag.rule, diag.severity) == ("AST008", "error")
    settings = AssetSettings(image_prefix="team/")
    assert validate_assets([tmp_path], settings, tmp_path).diagnostics == []
    warn = AssetSettings(rules={"AST008": {"severity": "warning"}})
    report = validate_assets([tmp_path], warn, tmp_path)
    assert [d.severity for d in report.diagnostics] == ["warning"]
    assert report.errors == []


def test_sarif_output(tmp_path: Path) -> None:
    env_asset(tmp_path, "pytorch-2.3-Demo", image="azureml/curated/pytorch-2.3-Demo")
    report = validate_assets([tmp_path], AssetSettings(), tmp_path)
    sarif = to_sarif(report.diagnostics, report.rules)
    run_ = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == ["AST018"]
    result = run_["results"][0]
    assert result["ruleId"] == "AST018"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_cli_formats_and_exit_codes(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env_asset(tmp_path, "pytorch-2.3-demo")
    assert run(["asset", "validate", str(tmp_path), "--format", fmt]) == 0
    env_asset(tmp_path, "pytorch-2.3-Bad", folder="bad")
    capsys.readouterr()
    assert run(["asset", "validate", str(tmp_path), "--format", fmt]) == 1
    out = capsys.readouterr().out
    if fmt == "text":
        assert "bad/asset.yaml:1:7: name: name 'pytorch-2.3-Bad' contains invalid characters" in out
        assert "[AST018]" in out  # AST006 says the same: reported once
    elif fmt == "json":
        data = json.loads(out)
        assert data["ok"] is False
        assert {d["rule"] for d in data["diagnostics"]} == {"AST018"}
    else:
        assert json.loads(out)["runs"][0]["results"]


def test_cli_lists_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["asset", "validate", "--list-rules", str(EXAMPLES)]) == 0
    out = capsys.readouterr().out
    assert "AST007  auto-version" in out
    assert "off" in out.splitlines()[6]
