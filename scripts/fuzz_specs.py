"""Fuzz every spec kind through ``envyard validate``'s code path; print what does not conform.

    python scripts/fuzz_specs.py [--inputs 100000] [--jobs 2] [--seed 1]

Each input is a valid seed file of one kind (environment, asset, asset-environment,
asset-model, asset-storage, job, overrides, targets, notebook-config, notebook-release)
mutated at the text level (control characters, YAML indicators and tags, broken indentation,
duplicated or moved lines, invalid UTF-8) or at the data level (a value replaced by a hostile
one, then dumped again). It is validated in-process, forked workers, exactly as
``envyard validate --quiet --kind KIND FILE`` (three in ten without ``--kind``: the kind is
then recognised from the file).

Conforming means: the exit code is 0 or 1 (never 3, a crash; never 2), and every printed line
is one diagnostic ``file:line:col ...``. Crashes and non-conforming lines are printed with the
input that caused them; the last line is the summary, e.g.::

    fuzz_specs: 100000 inputs, 0 exit 3, 0 non-conforming lines (41210 exit 0, 58790 exit 1) ...

The suite's bounded version is ``tests/spec/test_fuzz.py`` (it imports this module).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"[^\s:]+:\d+:\d+: \S")

SEED_FILES: dict[str, list[str]] = {
    "environment": [
        "examples/environments/team-default.yaml",
        "examples/environments/pip-only.yaml",
        "examples/environments/gpu-vm.yaml",
    ],
    "asset": ["examples/assets/sklearn-1.5-ubuntu22.04-py3.11/asset.yaml"],
    "asset-environment": ["examples/assets/sklearn-1.5-ubuntu22.04-py3.11/environment.yaml"],
    "asset-model": ["tests/scenarios/assets/real-format/repo/model/model.yaml"],
    "asset-storage": ["tests/scenarios/assets/real-format/repo/prompt/storage.yaml"],
    "job": ["examples/jobs/covid-new-style.yaml", "examples/jobs/data-plugin.yaml"],
    "overrides": ["examples/targets/pipeline.yaml"],
    "targets": ["examples/targets/targets.yaml"],
    "notebook-config": ["examples/notebooks/notebooks.yaml"],
}

INLINE_SEEDS: dict[str, tuple[str, str]] = {
    "environment": (
        "environment.yaml",
        "name: team-default\nimage: python:3.11-slim\nkernel:\n  - six==1.16.0\n"
        "tags:\n  OS: Debian12\n",
    ),
    "asset": (
        "asset.yaml",
        "name: sklearn-1.5\nversion: auto\ntype: environment\nspec: spec.yaml\n"
        "extra_config: environment.yaml\ncategories: [Scikit-learn]\n",
    ),
    "asset-environment": (
        "environment.yaml",
        "image:\n  name: azureml/curated/sklearn-1.5\n  os: linux\n  context:\n"
        "    dir: context\n    dockerfile: Dockerfile\n  publish:\n    location: mcr\n"
        "    visibility: public\n",
    ),
    "asset-model": (
        "model.yaml",
        "path:\n  type: azureblob\n  storage_name: assetdata\n  container_name: models\n"
        "  container_path: phi/mlflow/v1\npublish:\n  description: description.md\n"
        "  type: mlflow_model\n",
    ),
    "asset-storage": (
        "storage.yaml",
        "path:\n  type: git\n  uri: https://github.com/example/prompts\n  branch: main\n",
    ),
    "job": (
        "job.yaml",
        "protocolVersion: 2\nname: covid\ntype: job\nprerequisites:\n  - type: dockerimage\n"
        "    uri: python:3.11\n    name: image\ntaskRoles:\n  train:\n    instances: 1\n"
        "    dockerImage: image\n    resourcePerInstance: {cpu: 1, memoryMB: 1024, gpu: 0}\n"
        "    commands:\n      - python train.py\n",
    ),
    "overrides": (
        "pipeline.yaml",
        "tenant_overrides:\n  my-tenant:\n    environment.docker.image:\n      old/(.+): new/$1\n",
    ),
    "targets": (
        "targets.yaml",
        "targets:\n  - name: personal\n    tenant_id: my-tenant\n    backend: local\n",
    ),
    "notebook-config": ("notebooks.yaml", "timeout: 600\nkernel: python3\n"),
    "notebook-release": (
        "release.json",
        '{\n  "requirements": ["numpy"],\n  "celltimeout": 60,\n  "params": {"alpha": 0.5}\n}\n',
    ),
}

CHARS = [
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\xa0", "\t", "\r",
    "\n", "\u2028", "\u2029", "\u202e", "\u200b", "\ufeff", "\ufffe", "\U0001f600", ":", "-",
    "[", "]", "{", "}", "&", "*", "!", "?", "|", ">", "%", "@", "`", '"', "'", "#", ",", " ",
    "\\", "é",
]  # fmt: skip
TOKENS = [
    "!!set ", "!!int ", "!!str ", "!!float ", "!!bool ", "!!null ", "!!binary ", "!!map ",
    "!!seq ", "!!omap ", "!!timestamp ", "!!python/object:os.system ", "!Ref ", "! ", "&a ",
    "*a", "<<: *a", "<<: [*a]", "? ", "? [a, b]\n: c\n", "? {a: 1}\n: 2\n", "2026-13-45",
    "2026-02-30T25:61:61Z", "1_000", "0b101", "0o19", "0x", ".nan", "-.inf", "1e999", "~",
    "null", "yes", "no", "on", "{{asset.version}}", "${{inputs.x}}", "{{image.context.dir}}",
    "../", "../../.git", "/etc/passwd", "refs/heads/main", "-rf", "$(id)", "\n---\n",
    "\n...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "[[[[[[[[", "]]]]", "{{{{", "'", '"\\',
    '"\\x00"', '"\\ud800"', "|\n", ">-\n", "- - - -", ": : :", "a: b: c", "\\N", "=",
    "\u0000" * 3, "x" * 300,
]  # fmt: skip
VALUES: list[Any] = [
    None, True, 0, -1, 2**70, 1.5, float("inf"), "", "x\ny", "seed\n", "a\x00b", "\u202ex",
    "../x", "refs/heads/main", "-rf", "${{inputs.a}}", "{{asset.version}}", "2026-13-45",
    [], [None], [[[]]], {}, {"": None}, {"k\nx": 1}, {"\x00": "v"}, {"a": {"b": {"c": [1]}}},
    ["-rf", "../.git"], {"x" * 200: "y" * 2000},
]  # fmt: skip


def seeds() -> dict[str, list[tuple[str, str]]]:
    """``kind -> [(file name, text)]``: the repository's examples, else small inline ones."""
    found: dict[str, list[tuple[str, str]]] = {}
    for kind, (name, text) in INLINE_SEEDS.items():
        found[kind] = [(name, text)]
        for rel in SEED_FILES.get(kind, []):
            path = ROOT / rel
            if path.is_file():
                found[kind].append((path.name, path.read_text(encoding="utf-8")))
    return found


def mutate(rng: random.Random, text: str, json_file: bool = False) -> str | bytes:
    """One mutated input (``bytes`` when the mutation breaks the UTF-8 encoding)."""
    for _ in range(rng.choice((1, 1, 1, 2, 3, 5))):
        op = rng.randrange(len(_TEXT_OPS) + 2)
        if op < len(_TEXT_OPS):
            text = _TEXT_OPS[op](rng, text)
        elif op == len(_TEXT_OPS):
            text = _data_mutation(rng, text, json_file) or text
        else:
            raw = text.encode("utf-8")
            cut = rng.randrange(len(raw) + 1)
            bad = bytes([rng.choice((0x80, 0xC3, 0xE2, 0xFF, 0x00, 0xED))])
            return raw[:cut] + bad + raw[cut:]
    return text


def _insert(rng: random.Random, text: str, what: str) -> str:
    where = rng.randrange(len(text) + 1)
    return text[:where] + what + text[where:]


def _on_lines(rng: random.Random, text: str, op: int) -> str:
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if op == 0:
        lines.insert(j, lines[i])
    elif op == 1:
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 2:
        lines[i] = " " * rng.randrange(1, 5) + lines[i]
    elif op == 3:
        lines[i] = lines[i][1:]
    else:
        key, sep, _ = lines[i].partition(":")
        if sep:
            lines[i] = f"{key}: {rng.choice(TOKENS)}{rng.choice(CHARS)}"
    return "\n".join(lines)


def _cut(rng: random.Random, text: str) -> str:
    where = rng.randrange(len(text) + 1)
    return text[:where] + text[where + rng.randrange(1, 20) :]


def _splice(rng: random.Random, text: str) -> str:
    start = rng.randrange(len(text) + 1)
    return _insert(rng, text, text[start : start + rng.randrange(200)])


_TEXT_OPS = [
    lambda rng, text: _insert(rng, text, rng.choice(CHARS)),
    lambda rng, text: _insert(rng, text, rng.choice(TOKENS)),
    _cut,
    _splice,
    *[lambda rng, text, op=op: _on_lines(rng, text, op) for op in range(5)],
]


def _data_mutation(rng: random.Random, text: str, json_file: bool) -> str | None:
    """Parse, replace one value (or key) by a hostile one, dump again."""
    from envyard.errors import SpecError

    try:
        from envyard.yamlio import dump, load
    except ImportError:  # an Envyard from before the one YAML module: text mutations only
        return None

    try:
        data = load(text)
    except SpecError:
        return None
    if not isinstance(data, dict):
        return None
    node: Any = data
    for _ in range(rng.randrange(1, 5)):
        if isinstance(node, dict) and node:
            key = rng.choice(list(node))
            if rng.random() < 0.3 or not isinstance(node[key], dict | list):
                if rng.random() < 0.2:
                    node[rng.choice(["k\nx", "\x00", "a b", "$schema", "", "name\r"])] = node.pop(
                        key
                    )
                else:
                    node[key] = rng.choice(VALUES)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            i = rng.randrange(len(node))
            if not isinstance(node[i], dict | list) or rng.random() < 0.3:
                node[i] = rng.choice(VALUES)
                break
            node = node[i]
        else:
            break
    try:
        return json.dumps(data, indent=2, default=str) if json_file else dump(data)
    except Exception:  # a value our dumper cannot write: skip the mutation
        return None


@dataclass
class Outcome:
    code: int
    bad_lines: list[str] = field(default_factory=list)
    crash: str = ""


def check_file(path: Path, kind: str | None) -> Outcome:
    """Run ``envyard validate --quiet [--kind KIND] PATH`` in-process; judge its output."""
    from envyard.cli.main import run

    out = io.StringIO()
    forced = ["--kind", kind] if kind else []
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = run(["validate", "--quiet", *forced, str(path)])
    lines = out.getvalue().splitlines()
    outcome = Outcome(code, [line for line in lines if not LINE.match(line)])
    if code not in (0, 1):
        outcome.crash = _traceback(path, kind)
    return outcome


def _traceback(path: Path, kind: str | None) -> str:
    import traceback

    from envyard.spec.validation import validate_paths

    try:
        validate_paths([path], kind=kind)
    except Exception as exc:  # the crash we are looking for
        return "".join(traceback.format_exception(exc)[-3:]).strip()
    return "(no exception when run again)"


@dataclass
class Tally:
    inputs: int = 0
    codes: dict[int, int] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    bad_count: int = 0
    crash_count: int = 0

    def add(self, other: Tally) -> None:
        self.inputs += other.inputs
        for code, n in other.codes.items():
            self.codes[code] = self.codes.get(code, 0) + n
        self.crashes += other.crashes[: max(0, 20 - len(self.crashes))]
        self.bad += other.bad[: max(0, 20 - len(self.bad))]
        self.bad_count += other.bad_count
        self.crash_count += other.crash_count


def fuzz(count: int, seed: int, workdir: Path) -> Tally:
    """``count`` mutated inputs from ``seed``; examples of problems kept (20 of each)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test inputs, not secrets
    corpus = seeds()
    kinds = sorted(corpus)
    tally = Tally()
    for _ in range(count):
        kind = rng.choice(kinds)
        name, text = rng.choice(corpus[kind])
        mutated = mutate(rng, text, json_file=name.endswith(".json"))
        path = workdir / name
        if isinstance(mutated, bytes):
            path.write_bytes(mutated)
        else:
            path.write_text(mutated, encoding="utf-8", errors="surrogatepass")
        outcome = check_file(path, kind if rng.random() < 0.7 else None)  # else: recognised
        tally.inputs += 1
        tally.codes[outcome.code] = tally.codes.get(outcome.code, 0) + 1
        shown = repr(mutated if len(mutated) < 600 else mutated[:600])
        if outcome.code not in (0, 1):
            tally.crash_count += 1
            if len(tally.crashes) < 20:
                tally.crashes.append(f"[{kind}] exit {outcome.code}: {shown}\n{outcome.crash}")
        if outcome.bad_lines:
            tally.bad_count += len(outcome.bad_lines)
            if len(tally.bad) < 20:
                tally.bad.append(f"[{kind}] {outcome.bad_lines[0]!r} <- {shown}")
    return tally


def _worker(args: tuple[int, int]) -> Tally:
    count, seed = args
    with tempfile.TemporaryDirectory(prefix="envyard-fuzz-") as tmp:
        work = Path(tmp)
        os.environ["ENVYARD_HOME"] = str(work / "home")
        os.chdir(work)
        return fuzz(count, seed, work)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    chunks = max(args.jobs * 8, 1)
    sizes = [args.inputs // chunks + (1 if i < args.inputs % chunks else 0) for i in range(chunks)]
    work = [(n, args.seed * 1_000_003 + i) for i, n in enumerate(sizes) if n]
    total = Tally()
    import envyard.cli.main  # noqa: F401 - loaded once, before the workers fork

    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for part in pool.imap_unordered(_worker, work):
            total.add(part)
    for crash in total.crashes:
        sys.stdout.write(f"CRASH {crash}\n\n")
    for line in total.bad:
        sys.stdout.write(f"NON-CONFORMING {line}\n\n")
    seconds = time.monotonic() - started
    codes = ", ".join(f"{n} exit {c}" for c, n in sorted(total.codes.items()))
    sys.stdout.write(
        f"fuzz_specs: {total.inputs} inputs, {total.crash_count} exit 3 or other, "
        f"{total.bad_count} non-conforming lines ({codes}) in {seconds:.0f} s, "
        f"{args.jobs} jobs, seed {args.seed}\n"
    )
    return 1 if total.crash_count or total.bad_count else 0


if __name__ == "__main__":
    sys.exit(main())
