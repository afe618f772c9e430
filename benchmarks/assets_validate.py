"""Benchmark: validate 1,000 generated environment assets, Envyard vs azureml-assets.

Both run as command-line programs on the same generated repository (whole process time,
imports included; best of ``--runs`` runs each), with the reference's checks for names,
images, build context and tests::

    python benchmarks/assets_validate.py [--count 1000] [--runs 2]

Target: Envyard >= 20x faster. Both must report the repository as valid (sanity check).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets_common import (
    best_of,
    compile_envyard,
    make_repo,
    reference_python,
    reference_version,
    report,
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2, help="best of N runs for each tool")
    args = parser.parse_args()
    ref_python = reference_python()
    print(compile_envyard())
    work = Path(tempfile.mkdtemp(prefix="envyard-bench-validate-"))
    try:
        repo = make_repo(work / "repo", args.count)
        ours_time, ours = best_of(
            args.runs, [sys.executable, "-m", "envyard", "asset", "validate", str(repo)]
        )
        ref_argv = [
            str(ref_python),
            "-W",
            "ignore",
            "-m",
            "azureml.assets.validate_assets",
            "-i",
            str(repo),
            "-n",
            "-I",
            "-b",
            "-t",
        ]
        ref_time, ref = best_of(args.runs, ref_argv)
        print(f"envyard: exit {ours.returncode}: {ours.stderr.strip().splitlines()[-1]}")
        print(
            f"azureml-assets {reference_version()}: exit {ref.returncode}: "
            f"{ref.stdout.strip().splitlines()[-1]}"
        )
        if ours.returncode != 0 or ref.returncode != 0:
            print("a tool found errors in the generated repository; figures are not comparable")
            return 1
        ratio = report(
            f"validate {args.count} environment assets (whole CLI run)",
            [
                ("envyard asset validate", ours_time),
                ("azureml.assets.validate_assets -n -I -b -t", ref_time),
            ],
            20,
        )
        return 0 if ratio >= 20 else 2
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
