# ruff: noqa: PTH118, PTH120 - os.path on strings: thousands of files, no Path objects
"""Write a staging plan to disk: a fresh folder, parallel writes, atomic hand-over for --out.

Where a temporary staging folder goes: ``$ENVYARD_STAGING_DIR`` when set; else ``/dev/shm``
(memory-backed) when it exists, is writable, the staged files are small (no copied folders,
under 64 MB) and it has room to spare; else the system temporary folder (``$TMPDIR``). Staged
specs are small and short-lived, and on a busy disk creating and deleting thousands of them
costs ten times more than everything else.

Writes run on a small thread pool (one task per folder) because staging is bound by file-system
latency, not CPU. A temporary staging folder is removed on exit by renaming it away at once
(the path is gone immediately) and deleting the renamed tree on a background thread; deletions
still pending when the interpreter exits are finished first.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from envyard.errors import ConflictError
from envyard.overrides.staging import fsio, stale
from envyard.overrides.staging.model import FilePlan, Plan
from envyard.yamlio.source import display_path

_BOM = b"\xef\xbb\xbf"
_SHM = Path("/dev/shm")  # noqa: S108 - only ever used through mkdtemp (0700, unique name)
_SHM_LIMIT = 64 * 1024 * 1024
_WORKERS = 8
_PENDING: list[threading.Thread] = []


def write_files(root: str, files: list[FilePlan]) -> None:
    """Write ``files`` (no copied folders) under ``root``, creating their folders."""
    made: set[str] = set()
    for file in files:
        dest = os.path.join(root, file.rel_text)
        folder = os.path.dirname(dest)
        if folder not in made:
            fsio.make_folder(folder)
            made.add(folder)
        if file.raw is not None:
            fsio.write_bytes(dest, file.raw)
            shutil.copymode(file.real, dest)
        else:
            _write_text(dest, file.new_text or "", bom=file.bom)


def _write_text(dest: str, text: str, *, bom: bool) -> None:
    data = text.encode("utf-8")
    fsio.write_bytes(dest, _BOM + data if bom else data)


def write_plan(the_plan: Plan, root: Path) -> StagedPaths:
    """Write every planned file under ``root``; returns original -> staged path.

    On a memory-backed folder the writes run here, one after the other (a thread pool costs
    more than it saves there); on a disk, on a small thread pool, one chunk of folders each.
    """
    for folder in the_plan.files:  # copied first: staged files inside them are written over
        if folder.is_dir:
            shutil.copytree(folder.real, root / folder.rel, symlinks=True, dirs_exist_ok=True)
    files = [f for f in the_plan.files if not f.is_dir]
    where = str(root)
    if _in_memory(where) or len(files) < 64:
        write_files(where, files)
    else:
        files.sort(key=lambda f: os.path.dirname(f.rel_text))
        size = -(-len(files) // _WORKERS)
        chunks = [files[i : i + size] for i in range(0, len(files), size)]
        with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="envyard-stage") as pool:
            for done in [pool.submit(write_files, where, chunk) for chunk in chunks]:
                done.result()  # re-raises the first failure
    return _staged_paths(root, the_plan.files)


class StagedPaths(Mapping[Path, Path]):
    """Original -> staged path, each Path made when first asked for (a Path parses its whole
    text: thousands of them cost more than writing the files, and callers mostly want one)."""

    def __init__(self, root: Path, rel: dict[Path, str]) -> None:
        self.root = root
        self._rel = rel
        self._made: dict[Path, Path] = {}
        self._folders: dict[str, Path] = {}

    def __getitem__(self, original: Path) -> Path:
        made = self._made.get(original)
        if made is None:
            head, name = os.path.split(self._rel[original])
            folder = self._folders.get(head)
            if folder is None:
                folder = self._folders[head] = self.root / head
            made = self._made[original] = folder / name
        return made

    def __iter__(self) -> Iterator[Path]:
        return iter(self._rel)

    def __len__(self) -> int:
        return len(self._rel)


def _staged_paths(root: Path, files: list[FilePlan]) -> StagedPaths:
    return StagedPaths(root, {f.real: f.rel_text for f in files})


def _in_memory(path: str) -> bool:
    return fsio.inside(path, str(_SHM))


def new_root(parent: str | None) -> Path:
    """A fresh, private temporary staging folder in ``parent`` (None: the system default),
    named for this process so that a later run can tell it was left by a killed one."""
    return Path(tempfile.mkdtemp(prefix=stale.prefix(), dir=parent))


def stage_into(the_plan: Plan, out: Path | None, *, keep: bool = False) -> tuple[Path, StagedPaths]:
    """Write to a new temporary folder, or through one into ``out``; nothing half-written stays.

    ``keep`` (no ``out``): the folder is meant to outlive this process (``override apply``
    without ``--out``): it is written under this process's name and renamed to
    ``envyard-staged-*`` once complete, so a killed run leaves only a folder the next run
    removes.
    """
    if out is None:
        parent = None if keep else staging_parent(the_plan)
        stale.remove_stale(parent or _system_tmp())
        root = new_root(parent)
        try:
            write_plan(the_plan, root)
            if keep:
                root = stale.publish(root)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return root, _staged_paths(root, the_plan.files)
    out = out.resolve()
    _refuse_overwriting_originals(the_plan, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stale.remove_stale(str(out.parent))
    work = Path(tempfile.mkdtemp(prefix="." + stale.prefix(), dir=out.parent))
    try:
        write_plan(the_plan, work)
        out.mkdir(exist_ok=True)
        for entry in sorted(work.iterdir()):
            _move(entry, out / entry.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out, _staged_paths(out, the_plan.files)


def _system_tmp() -> str:
    return str(Path(tempfile.gettempdir()))


def staging_parent(the_plan: Plan) -> str | None:
    """The folder to create a temporary staging folder in (None: the system default)."""
    explicit = os.environ.get("ENVYARD_STAGING_DIR")
    if explicit:
        Path(explicit).mkdir(parents=True, exist_ok=True)
        return explicit
    if any(f.is_dir for f in the_plan.files) or not _SHM.is_dir():
        return None
    size = sum(len(f.raw or b"") + 4 * len(f.new_text or "") for f in the_plan.files)
    if size > _SHM_LIMIT or not os.access(_SHM, os.W_OK):
        return None
    stats = os.statvfs(_SHM)
    return str(_SHM) if stats.f_bavail * stats.f_frsize > 4 * size + _SHM_LIMIT else None


def _refuse_overwriting_originals(the_plan: Plan, out: Path) -> None:
    originals = {f.real.resolve() for f in the_plan.files}
    for file in the_plan.files:
        if (out / file.rel).resolve() in originals or file.real.resolve() == out:
            raise ConflictError(
                f"--out {display_path(out)} would overwrite the original {display_path(file.real)}",
                hint="choose an output folder outside the specs' folders",
            )


def _move(src: Path, dest: Path) -> None:
    if src.is_dir() and dest.is_dir():
        for entry in sorted(src.iterdir()):
            _move(entry, dest / entry.name)
        return
    if dest.is_dir():
        shutil.rmtree(dest)
    src.replace(dest)


def remove_later(root: Path) -> None:
    """Make ``root`` disappear now; delete its contents on a background thread."""
    trash = root.with_name(f".{root.name}-removing")
    try:
        root.rename(trash)
    except OSError:
        shutil.rmtree(root, ignore_errors=True)
        return
    thread = threading.Thread(
        target=shutil.rmtree, args=(trash,), kwargs={"ignore_errors": True}, daemon=True
    )
    thread.start()
    _PENDING.append(thread)


@atexit.register
def finish_removals() -> None:
    """Wait for background deletions (also called by tests and benchmarks)."""
    while _PENDING:
        _PENDING.pop().join()
