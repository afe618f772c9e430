"""Benchmark: plan a release of 200 assets (no network tags), Envyard vs azureml-assets.

Both tools see the same 200 environment assets, already released once, after 10 of them
changed. Envyard plans from git objects and pins the changed assets, running every check of a
real release (``envyard asset release --dry-run``); the reference
(``azureml.assets.update_assets -r RELEASE -o OUT``) copies and re-pins every asset and
compares folders. Whole CLI runs are timed. Then, with image tags resolved against a real
local registry (docker-registry), a release is applied and run again with nothing changed:
the second run must make 0 network requests::

    python benchmarks/assets_release.py [--count 200]

Target: >= 50x faster; second run: 0 requests. Each tool: best of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets_common import (
    asset_name,
    best_of,
    compile_envyard,
    git,
    make_repo,
    reference_python,
    reference_version,
    report,
    timed,
    write_env_asset,
)

CHANGED = 10


def _reference_setup(ref_python: Path, main: Path, release: Path) -> None:
    release.mkdir()
    git(release, "init", "-q", "-b", "release")
    proc = timed(
        [
            str(ref_python),
            "-W",
            "ignore",
            "-m",
            "azureml.assets.update_assets",
            "-i",
            str(main),
            "-r",
            str(release),
            "-o",
            str(release / "latest"),
        ]
    )[1]
    if proc.returncode != 0:
        raise SystemExit(f"reference release failed: {proc.stderr[-2000:]}")
    git(release, "add", "-A")
    git(release, "commit", "-q", "-m", "release 1")
    for folder in (release / "latest" / "environment").iterdir():
        git(release, "tag", f"environment/{folder.name}/1")


def _change(main: Path) -> None:
    for i in range(CHANGED):
        dockerfile = main / "environments" / asset_name(i) / "context" / "Dockerfile"
        dockerfile.write_text(
            dockerfile.read_text(encoding="utf-8") + "RUN echo changed\n", encoding="utf-8"
        )


def _release_cli(repo: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "envyard",
        "asset",
        "release",
        "--repo",
        str(repo),
        "--release-branch",
        "release",
        *extra,
    ]


def zero_request_check(work: Path, count: int = 20) -> bool:
    """Release assets whose Dockerfiles use {{latest-image-tag}} on a real registry, twice."""
    try:
        from envyard.testing.registry import OciRegistry
    except ImportError as exc:  # pragma: no cover - test extra missing
        print(f"\nzero-request check skipped: {exc} (pip install 'envyard[test]')")
        return True
    with OciRegistry.start(work / "registry") as registry:
        registry.push_image("base/python", ["3.10", "3.11", "latest"], content_seed="py")
        repo = work / "tagged"
        repo.mkdir()
        (repo / "envyard.toml").write_text(
            '[assets]\nimage_prefix = "azureml/curated/"\n', encoding="utf-8"
        )
        for i in range(count):
            write_env_asset(
                repo,
                i,
                dockerfile=(
                    f"FROM {registry.host}/base/python:{{{{latest-image-tag}}}}\nRUN echo {i}\n"
                ),
            )
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "assets")
        first = timed(_release_cli(repo))[1]
        second = timed(_release_cli(repo))[1]
    requests = [
        re.findall(r"network requests: (\d+)|\((\d+) network requests\)", p.stdout)
        for p in (first, second)
    ]
    counts = [int(a or b) for found in requests for a, b in found[-1:]]
    print(f"\nrelease of {count} assets with {{{{latest-image-tag}}}} on a local registry:")
    print(
        f"  first run : {counts[0] if counts else '?'} network requests "
        f"({first.stdout.strip().splitlines()[0]})"
    )
    print(
        f"  second run: {counts[1] if len(counts) > 1 else '?'} network requests "
        f"({second.stdout.strip().splitlines()[-1]})"
    )
    return len(counts) == 2 and counts[1] == 0 and counts[0] > 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--runs", type=int, default=2, help="best of N runs for each tool")
    args = parser.parse_args()
    ref_python = reference_python()
    print(compile_envyard())
    work = Path(tempfile.mkdtemp(prefix="envyard-bench-release-"))
    try:
        main_repo = make_repo(work / "main", args.count)
        git(main_repo, "init", "-q", "-b", "main")
        git(main_repo, "add", "-A")
        git(main_repo, "commit", "-q", "-m", "assets")
        ours_first = timed(_release_cli(main_repo))[1]
        if ours_first.returncode != 0:
            raise SystemExit(f"envyard release failed: {ours_first.stderr}")
        _reference_setup(ref_python, main_repo / "environments", work / "release")
        _change(main_repo)
        git(main_repo, "commit", "-q", "-am", "change some")

        ours_time, ours = best_of(args.runs, _release_cli(main_repo, "--dry-run"))
        ref_argv = [
            str(ref_python), "-W", "ignore", "-m", "azureml.assets.update_assets",
            "-i", str(main_repo / "environments"), "-r", str(work / "release"),
            "-o", str(work / "out"),
        ]  # fmt: skip
        ref_time, ref = best_of(args.runs, ref_argv)
        print(f"envyard: {ours.stdout.splitlines()[0]}")
        print(
            f"azureml-assets {reference_version()}: "
            f"{[ln for ln in ref.stdout.splitlines() if 'updated' in ln][-1:]}"
        )
        if ours.returncode != 0 or ref.returncode != 0:
            print(ours.stderr[-2000:], ref.stderr[-2000:])
            return 1
        ratio = report(
            f"release plan for {args.count} assets ({CHANGED} changed), no network tags",
            [
                ("envyard asset release --dry-run", ours_time),
                ("azureml.assets.update_assets -r -o", ref_time),
            ],
            50,
        )
        zero = zero_request_check(work)
        print(f"  second run made 0 network requests: {'OK' if zero else 'FAILED'}")
        return 0 if ratio >= 50 and zero else 2
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
