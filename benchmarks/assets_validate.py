"""Benchmark: validate assets, Envyard vs azureml-assets, in two cases.

``generated``: 1,000 generated environment assets; both tools must report them valid.
``real``: the ``assets/`` folder of the public Azure/azureml-assets repository (788 assets of
eight types at the time of writing), from a local git mirror of it (``--mirror``, default
``$ENVYARD_AZUREML_ASSETS_MIRROR``, else ``/work/.mirror/Azure+azureml-assets/repo``), checked
out at ``--ref`` (default ``main``) into a temporary folder; skipped with a note, not failed,
when no mirror is present. Both tools run as command-line programs (whole process time,
imports included; best of ``--runs`` runs each), with the reference's CI checks
(``-n -I -C -b -t``)::

    python benchmarks/assets_validate.py [--case generated|real|all] [--count 1000] [--runs 2]

Targets: Envyard >= 20x faster on the generated repository, >= 35x on the real one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets_common import (
    Timing,
    best_of,
    compile_envyard,
    git,
    make_repo,
    reference_python,
    reference_version,
    report,
    timed,
)

MIRROR = Path(
    os.environ.get("ENVYARD_AZUREML_ASSETS_MIRROR", "/work/.mirror/Azure+azureml-assets/repo")
)


def _reference_argv(ref_python: Path, folder: str) -> list[str]:
    return [
        str(ref_python),
        "-W",
        "ignore",
        "-m",
        "azureml.assets.validate_assets",
        "-i",
        folder,
        "-n",
        "-I",
        "-C",
        "-b",
        "-t",
    ]


def real_case(mirror: Path, ref: str, runs: int, ref_python: Path) -> int:
    """Both tools on the real repository's ``assets/``; 0 also when skipped."""
    if not (mirror / "HEAD").is_file() and not (mirror / ".git").exists():
        print(f"real repository case skipped: no git mirror at {mirror} (see --mirror)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="envyard-bench-real-"))
    try:
        clone = work / "azureml-assets"
        subprocess.run(
            ["git", "clone", "-q", "--shared", "--no-checkout", str(mirror), str(clone)],
            check=True,
        )
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", ref], check=True)
        commit = git(clone, "rev-parse", "--short=12", "HEAD")
        ours_argv = [sys.executable, "-m", "envyard", "asset", "validate", "assets"]
        ours_time, ours = best_of_in(runs, ours_argv, clone)
        ref_time, theirs = best_of_in(runs, _reference_argv(ref_python, "assets"), clone)
        ours_last = (ours.stdout.strip().splitlines() or [""])[-1]
        ours_summary = (ours.stderr.strip().splitlines() or [ours_last])[-1]
        print(f"real repository at {ref} ({commit})")
        print(f"envyard: exit {ours.returncode}: {ours_summary}")
        print(f"azureml-assets: exit {theirs.returncode}: {theirs.stdout.strip().splitlines()[-1]}")
        errors = [
            ln for ln in ours.stdout.splitlines() if ln.endswith("]") and ": warning:" not in ln
        ]
        for line in errors:
            print(f"  envyard error: {line}")
        ratio = report(
            "validate the real repository's assets/ (whole CLI run)",
            [
                ("envyard asset validate assets", ours_time),
                ("azureml.assets.validate_assets -n -I -C -b -t", ref_time),
            ],
            35,
        )
        return 0 if ratio >= 35 else 2
    finally:
        shutil.rmtree(work, ignore_errors=True)


def best_of_in(runs: int, argv: list[str], cwd: Path) -> tuple[Timing, Any]:
    results = [timed(argv, cwd=cwd) for _ in range(max(1, runs))]
    wall = min(t.wall for t, _ in results)
    cpu = min(t.cpu for t, _ in results)
    return Timing(wall, cpu), results[-1][1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=("generated", "real", "all"), default="all")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2, help="best of N runs for each tool")
    parser.add_argument("--mirror", type=Path, default=MIRROR, help="git mirror of azureml-assets")
    parser.add_argument("--ref", default="main", help="commit of the real repository to check out")
    args = parser.parse_args()
    ref_python = reference_python()
    print(compile_envyard())
    status = 0
    if args.case in ("generated", "all"):
        status = generated_case(args.count, args.runs, ref_python)
    if args.case in ("real", "all"):
        status = max(status, real_case(args.mirror, args.ref, args.runs, ref_python))
    return status


def generated_case(count: int, runs: int, ref_python: Path) -> int:
    work = Path(tempfile.mkdtemp(prefix="envyard-bench-validate-"))
    try:
        repo = make_repo(work / "repo", count)
        ours_time, ours = best_of(
            runs, [sys.executable, "-m", "envyard", "asset", "validate", str(repo)]
        )
        ref_time, ref = best_of(runs, _reference_argv(ref_python, str(repo)))
        print(f"envyard: exit {ours.returncode}: {ours.stderr.strip().splitlines()[-1]}")
        print(
            f"azureml-assets {reference_version()}: exit {ref.returncode}: "
            f"{ref.stdout.strip().splitlines()[-1]}"
        )
        if ours.returncode != 0 or ref.returncode != 0:
            print("a tool found errors in the generated repository; figures are not comparable")
            return 1
        ratio = report(
            f"validate {count} environment assets (whole CLI run)",
            [
                ("envyard asset validate", ours_time),
                ("azureml.assets.validate_assets -n -I -C -b -t", ref_time),
            ],
            20,
        )
        return 0 if ratio >= 20 else 2
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
