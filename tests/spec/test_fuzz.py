"""Fuzzing every spec kind through ``envyard validate`` (bounded; the long run is
``scripts/fuzz_specs.py``): never a crash, every diagnostic one ``file:line:col`` line.

Also the inputs issue 18 found, each pinned: they crashed (exit 3) or printed lines without a
place, or a second line forged from the input.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envyard.cli.main import run

SCRIPT = Path(__file__).parents[2] / "scripts" / "fuzz_specs.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_specs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_specs"] = module
    spec.loader.exec_module(module)
    return module


fuzz = _load_script()
SEEDS = fuzz.seeds()
KINDS = sorted(SEEDS)
PIECES = [*fuzz.CHARS, *fuzz.TOKENS, "\n", "\n  ", "\n- ", "name", "image", "x: ", "- a\n"]
FUZZ = settings(
    max_examples=2500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    return tmp_path


def _check(workdir: Path, kind: str | None, name: str, content: str | bytes) -> None:
    path = workdir / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    outcome = fuzz.check_file(path, kind)
    assert outcome.code in (0, 1), outcome.crash
    assert outcome.bad_lines == []


def test_every_kind_has_seeds() -> None:
    assert set(KINDS) == {
        "environment",
        "asset",
        "asset-environment",
        "asset-model",
        "asset-storage",
        "job",
        "overrides",
        "targets",
        "notebook-config",
        "notebook-release",
    }


@pytest.mark.parametrize("kind", KINDS)
def test_the_seeds_are_valid(kind: str, workdir: Path) -> None:
    name, text = SEEDS[kind][0]
    (workdir / name).write_text(text, encoding="utf-8")
    assert fuzz.check_file(workdir / name, kind).code == 0


@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    rnd=st.randoms(use_true_random=False),
    which=st.integers(0, 9),
    forced=st.booleans(),
)
def test_mutated_seeds(
    kind: str, rnd: random.Random, which: int, forced: bool, workdir: Path
) -> None:
    """Mutated seeds, validated as their kind (``--kind``) or recognised from the content."""
    name, text = SEEDS[kind][which % len(SEEDS[kind])]
    mutated = fuzz.mutate(rnd, text, json_file=name.endswith(".json"))
    _check(workdir, kind if forced else None, name, mutated)


@FUZZ
@given(kind=st.sampled_from(KINDS), pieces=st.lists(st.sampled_from(PIECES), max_size=40))
def test_token_soup(kind: str, pieces: list[str], workdir: Path) -> None:
    name = SEEDS[kind][0][0]
    _check(workdir, kind, name, "".join(pieces))


ISSUE_18 = [
    ("environment", "environment.yaml", "name: x\nimage: python\ncreated: 2026-13-45\n"),
    ("environment", "environment.yaml", "name: x\nimage: !!set python\n"),
    ("overrides", "pipeline.yaml", "tenant_overrides:\n  ? [a, b]\n  : {x: y}\n"),
    ("overrides", "pipeline.yaml", "tenant_overrides:\n  t: {? {a: 1} : 2}\n"),
    ("targets", "targets.yaml", "targets:\n  - name: personal\n    tenant: !!int \n"),
    ("asset", "asset.yaml", "name: a\nversion: !!omap \ntype: environment\nspec: s.yaml\n"),
    ("job", "job.yaml", "protocolVersion: 2\nname: j\x01ob\n"),
    ("notebook-config", "notebooks.yaml", "timeout: 1\x0b\n"),
    ("environment", "environment.yaml", "name: x\nimage: 2026-02-30T25:61:61Z\n"),
    # found by scripts/fuzz_specs.py: Python's FutureWarning for '[[' in a user's regex
    ("overrides", "pipeline.yaml", "tenant_overrides:\n  t:\n    a.b:\n      old[[x]: new\n"),
]


@pytest.mark.parametrize(("kind", "name", "text"), ISSUE_18)
def test_inputs_that_crashed_or_broke_the_format(
    kind: str, name: str, text: str, workdir: Path
) -> None:
    _check(workdir, kind, name, text)


def test_an_unacceptable_character_has_its_place(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "environment.yaml").write_text("name: x\nimage: py\x07thon\n", encoding="utf-8")
    assert run(["validate", "--quiet", "environment.yaml"]) == 1
    out = capsys.readouterr().out
    assert out == (
        "environment.yaml:2:10: holds U+0007, which YAML does not allow (control characters "
        'are not text) (hint: remove it, or write it as an escape inside double quotes ("\\x01"))\n'
    )


def test_a_key_cannot_forge_a_diagnostic_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = "x\\nenvironment.yaml:1:1: everything is fine"
    (workdir / "environment.yaml").write_text(
        f'name: x\nimage: python\n"{forged}": 1\n', encoding="utf-8"
    )
    assert run(["validate", "--quiet", "environment.yaml"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('environment.yaml:3:1: ["x\\nenvironment.yaml:1:1: everything')
