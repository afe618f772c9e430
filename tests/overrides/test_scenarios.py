"""End-to-end `envyard override` scenarios: inputs, the command, the exact expected outputs.

Each folder under ``tests/scenarios/overrides/`` holds ``case.json``::

    {"cwd": "examples/targets" | "input", "args": ["apply", "--target", "T", "pipeline.yaml"],
     "exit": 0}

``cwd`` is relative to the repository (or ``input`` for the case's own input folder, copied to a
tmp dir first). For ``apply`` without ``--dry-run`` the runner adds ``--out OUT`` and compares
every file under ``expected/`` with OUT byte for byte (and no other file may be there).
``expected-output.txt``, when present, is the exact output (stdout + stderr, OUT shown as
``<OUT>``). The input files are hashed before and after: they must not change. To write the
expected output of a case: ``python tests/overrides/test_scenarios.py --write CASE...``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from envyard.cli.main import run
from envyard.overrides.editing.nodes import parse_yaml

REPO = Path(__file__).parents[2]
ROOT = REPO / "tests" / "scenarios" / "overrides"
CASES = sorted(p for p in ROOT.iterdir() if (p / "case.json").is_file())


def _digest(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _run(case: Path, work: Path) -> tuple[dict[str, Any], int, str, Path]:
    spec = json.loads((case / "case.json").read_text(encoding="utf-8"))
    if spec["cwd"] == "input":
        shutil.copytree(case / "input", work / "input", symlinks=True)
        cwd = work / "input"
    else:
        cwd = REPO / spec["cwd"]
    out = work / "out"
    args = list(spec["args"])
    if args[0] == "apply" and "--dry-run" not in args:
        args += ["--out", str(out)]
    buffer = io.StringIO()
    with (
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(buffer),
        contextlib.redirect_stderr(buffer),
    ):
        code = run(["override", *args])
    text = buffer.getvalue().replace(str(out.resolve()), "<OUT>").replace(str(out), "<OUT>")
    return spec, code, text, out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_scenario(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_TARGET", raising=False)
    inputs = REPO / "examples" / "targets"
    before = _digest(inputs)
    spec, code, output, out = _run(case, tmp_path)
    assert code == spec.get("exit", 0), output
    assert "Traceback" not in output
    if (case / "expected-output.txt").is_file():
        assert output == (case / "expected-output.txt").read_text(encoding="utf-8")
    expected = case / "expected"
    if expected.is_dir():
        assert _digest(out) == _digest(expected)
    else:
        assert not out.exists(), "nothing may be staged"
    if spec["cwd"] == "input":
        assert _digest(tmp_path / "input") == _digest(case / "input")
    assert _digest(inputs) == before


def _without_annotations(text: str) -> str:
    """The seed's expected block marks changed lines with `# Note ...` comments."""
    return re.sub(r" # (Note change of \w+|This will be kept, .*)$", "", text, flags=re.M)


@pytest.mark.parametrize("case", [c for c in CASES if (c / "seed-expected.yaml").is_file()])
def test_staged_spec_is_exactly_the_seeds_expected_spec(case: Path) -> None:
    seed = _without_annotations((case / "seed-expected.yaml").read_text(encoding="utf-8"))
    staged = (case / "expected" / "components" / "canary-gpu" / "spec.yaml").read_text("utf-8")
    first, rest = staged.split("\n", 1)
    assert first.startswith("# yaml-language-server:")  # the original's comment, kept
    assert rest == seed


SHRIKE_CASES = [c for c in CASES if (c / "shrike-values.json").is_file()]


def _data(path: Path) -> Any:
    return parse_yaml(path.read_text(encoding="utf-8"), str(path)).data


@pytest.mark.parametrize("case", SHRIKE_CASES, ids=[c.name for c in SHRIKE_CASES])
def test_staged_values_are_the_values_shrike_produces(case: Path) -> None:
    """``shrike-values.json`` is what shrike 2.0.2's own routine wrote for the same input
    (``tests/overrides/shrike_values.py``). shrike writes a package file it changed under a new
    name (``conda_env_<tenant>.yaml``) and points the spec at it; Envyard stages it in place."""
    shrike = json.loads((case / "shrike-values.json").read_text(encoding="utf-8"))
    spec = json.loads((case / "case.json").read_text(encoding="utf-8"))
    aml = next((case / "input").rglob(f"aml/{spec['shrike_aml']}.yaml"))
    suffix = f"_{_data(aml)['tenant']}"
    staged = case / "expected"
    if not shrike.pop("needed"):
        assert _digest(staged / "components") == _digest(case / "input" / "components")
        return
    assert shrike, "shrike changed no spec: the case proves nothing"
    for rel, value in shrike.items():
        if isinstance(value, str):  # a package file shrike rewrote under a tenant-suffixed name
            original = rel.replace(suffix, "")
            assert _data(staged / original) == parse_yaml(value, rel).data
            continue
        renamed = value.get("environment", {}).get("conda", {})
        if "conda_dependencies_file" in renamed:
            name = renamed["conda_dependencies_file"]
            renamed["conda_dependencies_file"] = name.replace(suffix, "")
        assert _data(staged / rel) == value, rel


if __name__ == "__main__":  # python tests/overrides/test_scenarios.py --write CASE...
    import tempfile

    for name in sys.argv[2:]:
        case = ROOT / name
        with tempfile.TemporaryDirectory() as tmp:
            _, code, output, out = _run(case, Path(tmp))
            if output:
                (case / "expected-output.txt").write_text(output, encoding="utf-8")
            if out.exists():
                shutil.rmtree(case / "expected", ignore_errors=True)
                shutil.copytree(out, case / "expected", symlinks=True)
        print(f"--- {name} (exit {code})\n{output}", end="")
