"""Staging folders left behind by a killed run, found by the process id in their name.

Every folder a staging writes into is named ``envyard-stage-<pid>-<random>`` (``.envyard-stage-``
for the work folder next to ``--out``, ``...-removing`` once renamed away for deletion). A run
that is killed (``kill -9``, power loss) cannot remove its folder; the next run removes such
folders in the places it stages to — only those of this user whose process no longer exists
(a folder of a live process, or one whose id was reused, is left alone).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

_NAME = re.compile(r"^\.?envyard-stage-(\d+)-")
KEPT_PREFIX = "envyard-staged-"


def prefix() -> str:
    """The name prefix of this process's staging folders."""
    return f"envyard-stage-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_stale(parent: str) -> list[str]:
    """Remove the staging folders of dead processes in ``parent``; returns their paths."""
    removed: list[str] = []
    uid = os.getuid()
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        found = _NAME.match(entry.name)
        if found is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not entry.is_dir(follow_symlinks=False) or info.st_uid != uid:
            continue
        if _alive(int(found.group(1))):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed


def publish(root: Path) -> Path:
    """Rename a finished staging folder to a new ``envyard-staged-*`` name next to it."""
    while True:
        final = root.with_name(KEPT_PREFIX + secrets.token_hex(4))
        if final.exists():
            continue
        try:
            root.rename(final)  # fails if ``final`` exists and is not empty
        except OSError:
            if not final.exists():
                raise
            continue
        return final
