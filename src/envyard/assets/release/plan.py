"""Plan a release: each asset on main is new, updated, unchanged, skipped or removed.

Pure and offline: an asset's identity is the content hash of its files and release paths; the
release branch keeps the hash of what it released in each asset's lock file, so deciding
"unchanged" reads git objects only — no registry or index is asked anything.

Versions: ``auto`` goes 1-up from the highest version released (release branch lock or
``<type>/<name>/<version>`` tag); a manual version is released only while its tag is absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.discover import discover
from envyard.assets.discovery.model import Asset, unsafe_names
from envyard.assets.discovery.paths import release_files
from envyard.assets.fsutil import content_hash
from envyard.assets.pinning.lock import LockFile
from envyard.assets.release.git import Git, Pending, TreeEntry, parse_refs
from envyard.assets.release.latest import (
    ReleasedCopy,
    is_latest_layout,
    reference_files,
    released_copies,
    spec_matches,
    text_matches,
)
from envyard.errors import ConflictError, SpecError

Status = Literal["new", "updated", "unchanged", "skipped", "removed"]


@dataclass
class PlanItem:
    key: str
    name: str
    type: str
    status: Status
    version: str | None
    previous: str | None = None
    reason: str = ""
    asset: Asset | None = None
    files: list[Path] = field(default_factory=list)
    source_hash: str = ""
    released: LockFile | None = None
    released_dir: str = ""
    layout_files: dict[str, Path] = field(default_factory=dict)
    """``latest`` layout: path in the released folder -> source file."""
    old_files: list[str] = field(default_factory=list)
    """``latest`` layout: the files of the released copy (repository paths)."""

    @property
    def changes(self) -> bool:
        return self.status in ("new", "updated", "removed")

    def line(self) -> str:
        version = self.version or "-"
        if self.previous and self.previous != self.version:
            version = f"{self.previous} -> {version}"
        text = f"{self.status:<9} {self.type}/{self.name}  {version}"
        return text + (f"  ({self.reason})" if self.reason else "")


@dataclass
class ReleasePlan:
    repo: Path
    branch: str
    head: str | None
    items: list[PlanItem]
    tags: dict[str, str]
    tag_prefix: str = "environment"
    layout: Literal["envyard", "latest"] = "envyard"
    """``latest``: the azureml-assets layout (``latest/<type>/<name>/``); see release_latest."""
    dirty: bool = False
    """The source work tree has uncommitted changes (they are released as they are)."""

    def by_status(self, status: Status) -> list[PlanItem]:
        return [i for i in self.items if i.status == status]

    @property
    def has_changes(self) -> bool:
        return any(i.changes for i in self.items)

    def tag_for(self, item: PlanItem) -> str:
        prefix = self.tag_prefix if item.type == "environment" else item.type
        return f"{prefix}/{item.name}/{item.version}"

    def summary(self) -> str:
        counts = {
            s: len(self.by_status(s)) for s in ("new", "updated", "unchanged", "skipped", "removed")
        }
        return ", ".join(f"{n} {s}" for s, n in counts.items())

    def render(self) -> str:
        """The plan: counts, then one line per asset that is not unchanged."""
        head = self.head[:12] if self.head else "(new branch)"
        layout = " (layout latest/<type>/<name>/)" if self.layout == "latest" else ""
        lines = [f"release plan for branch '{self.branch}' at {head}{layout}: {self.summary()}"]
        lines += ["  " + item.line() for item in self.items if item.status != "unchanged"]
        if self.dirty:
            lines.append(
                "note: the work tree has uncommitted changes; they are released as they are"
            )
        return "\n".join(lines)


def _tag_versions(tags: dict[str, str], prefix: str, name: str) -> list[int]:
    start = f"refs/tags/{prefix}/{name}/"
    return [
        int(ref[len(start) :])
        for ref in tags
        if ref.startswith(start) and ref[len(start) :].isdigit()
    ]


def released_locks(
    tree: dict[str, TreeEntry], git: Git, lock_name: str
) -> dict[str, tuple[LockFile, str]]:
    """``type/name`` -> (lock, folder) for every asset on the release branch."""
    paths = {p: e.sha for p, e in tree.items() if p == lock_name or p.endswith("/" + lock_name)}
    blobs = git.read_blobs(paths.values())
    out: dict[str, tuple[LockFile, str]] = {}
    for path, sha in paths.items():
        lock = LockFile.loads(blobs[sha])
        if lock is not None:
            out[f"{lock.type}/{lock.asset}"] = (lock, path.rpartition("/")[0])
    return out


def _under(folder: str, scope: str) -> bool:
    return not scope or scope in (".", folder) or folder.startswith(scope + "/")


def _int(version: str | None) -> int:
    return int(version) if version and version.isdigit() else 0


def plan_release(
    repo: Path, branch: str, settings: AssetSettings, *, git: Git | None = None
) -> ReleasePlan:
    """Plan the release of the assets below ``repo`` (a repository or a folder inside one);
    only released assets below that folder can be planned as removed. ``git``: the
    repository's :class:`Git` when the caller has one already (one ``git`` run less)."""
    git = git or Git(repo)
    source = Path(repo).resolve()
    # independent git reads run side by side with the planning below
    status = git.start("status", "--porcelain", "--untracked-files=no", "--", str(source))
    reads = [
        git.start_current_branch(),
        git.start_rev(f"refs/heads/{branch}"),
        git.start_refs("refs/tags/"),
    ]
    try:
        return _plan(git, source, branch, settings, status, *reads)
    finally:
        for pending in (status, *reads):  # none is left running
            pending.wait()


def _plan(  # noqa: PLR0917 - the git reads started by plan_release
    git: Git,
    source: Path,
    branch: str,
    settings: AssetSettings,
    status: Pending,
    current: Pending,
    head_ref: Pending,
    tag_refs: Pending,
) -> ReleasePlan:
    if (current.result(check=False) or None) == branch:
        raise ConflictError(
            f"'{branch}' is checked out in {git.root}: the source of a release is the work tree "
            "of another branch",
            hint="switch to the source branch (e.g. main) first",
        )
    scope = source.relative_to(git.root.resolve()).as_posix() if source != git.root else ""
    found = discover([source], git.root, exclude=settings.exclude)
    broken = [d for d in found.diagnostics if d.rule == "AST001"]
    broken += unsafe_names(found.assets)
    if broken:
        raise SpecError(broken)
    head = head_ref.result(check=False) or None
    prefix = settings.release_tag_prefix
    tags = parse_refs(tag_refs.result())
    tree = git.ls_tree(head)
    if is_latest_layout(tree):
        latest = _plan_latest(git, tree, found.assets, tags, prefix)
        dirty = bool(status.result())
        return ReleasePlan(git.root, branch, head, latest, tags, prefix, "latest", dirty)
    released = released_locks(tree, git, settings.lock_file)
    items: list[PlanItem] = []
    seen: set[str] = set()
    for asset in sorted(found.assets, key=lambda a: a.full_name):
        key = asset.full_name
        if key in seen:
            raise ConflictError(f"{key} is defined twice", hint="run `envyard asset validate`")
        seen.add(key)
        files = release_files(asset, lock_file=settings.lock_file)
        digest = content_hash((asset.rel(f), f) for f in files)
        lock, folder = released.get(key, (None, ""))
        item = PlanItem(
            key,
            asset.name,
            asset.type,
            "new",
            None,
            asset=asset,
            files=files,
            source_hash=digest,
            released=lock,
            released_dir=folder,
        )
        tag_prefix = prefix if asset.type == "environment" else asset.type
        highest = max(
            [_int(lock.version) if lock else 0, *_tag_versions(tags, tag_prefix, asset.name)]
        )
        item.previous = lock.version if lock else None
        if lock is not None and lock.source_hash == digest:
            item.status, item.version = "unchanged", lock.version
        elif asset.auto_version:
            item.status = "updated" if lock else "new"
            item.version = str(highest + 1)
        else:
            item.status = "updated" if lock else "new"
            item.version = asset.version
            tag = f"refs/tags/{tag_prefix}/{asset.name}/{asset.version}"
            if tag in tags:
                item.status = "skipped"
                item.reason = (
                    f"version {asset.version} is already released (tag exists); "
                    "bump the version to release this change"
                )
        items.append(item)
    in_scope = {k: v for k, v in released.items() if _under(v[1], scope)}
    for key, (lock, folder) in sorted(in_scope.items()):
        if key not in seen:
            items.append(
                PlanItem(
                    key,
                    lock.asset,
                    lock.type,
                    "removed",
                    lock.version,
                    released=lock,
                    released_dir=folder,
                    reason="no longer on the source branch",
                )
            )
    dirty = bool(status.result())
    return ReleasePlan(git.root, branch, head, items, tags, prefix, "envyard", dirty)


def _next_version(asset: Asset, tags: dict[str, str], prefix: str, *floor: str | None) -> str:
    tag_prefix = prefix if asset.type == "environment" else asset.type
    highest = max([_int(v) for v in floor] + _tag_versions(tags, tag_prefix, asset.name))
    return str(highest + 1)


def _plan_latest(
    git: Git, tree: dict[str, TreeEntry], assets: list[Asset], tags: dict[str, str], prefix: str
) -> list[PlanItem]:
    """Plan against a release branch in the azureml-assets layout (see release_latest)."""
    copies = released_copies(git, tree)
    mapped = {a.full_name: reference_files(a) for a in assets}
    special = {a.full_name: _wildcard_files(a) for a in assets}
    plain: list[tuple[str, str, Path]] = []  # (key, rel, file) compared by blob id
    wanted: list[str] = []
    for asset in assets:
        copy = copies.get(asset.full_name)
        if copy is None or set(copy.files) != set(mapped[asset.full_name]):
            continue
        for rel, path in mapped[asset.full_name].items():
            if path.resolve() in special[asset.full_name]:
                wanted.append(copy.files[rel].sha)
            else:
                plain.append((asset.full_name, rel, path))
    shas = git.hash_files([p for _k, _r, p in plain], write=False)
    differs = {
        key
        for (key, rel, _p), sha in zip(plain, shas, strict=True)
        if copies[key].files[rel].sha != sha
    }
    blobs = git.read_blobs(wanted)
    return [
        _latest_item(
            asset, copies.get(asset.full_name), mapped, special, differs, blobs, tags, prefix
        )
        for asset in sorted(assets, key=lambda a: a.full_name)
    ]


def _latest_item(  # noqa: PLR0917 - one asset of _plan_latest
    asset: Asset,
    copy: ReleasedCopy | None,
    mapped: dict[str, dict[str, Path]],
    special: dict[str, set[Path]],
    differs: set[str],
    blobs: dict[str, bytes],
    tags: dict[str, str],
    prefix: str,
) -> PlanItem:
    key = asset.full_name
    item = PlanItem(key, asset.name, asset.type, "new", None, asset=asset)
    item.layout_files = mapped[key]
    if copy is not None:
        item.released_dir = copy.folder
        item.old_files = [f"{copy.folder}/{rel}" for rel in copy.files]
        item.previous = copy.version
    same = (
        copy is not None
        and key not in differs
        and set(copy.files) == set(mapped[key])
        and all(
            _same_special(asset, path, blobs.get(copy.files[rel].sha))
            for rel, path in mapped[key].items()
            if path.resolve() in special[key]
        )
    )
    tag_prefix = prefix if asset.type == "environment" else asset.type
    if same and copy is not None:
        item.status, item.version = "unchanged", copy.version
    elif asset.auto_version:
        item.status = "updated" if copy else "new"
        released = copy.version if copy is not None else None
        pending = released is not None and (
            f"refs/tags/{tag_prefix}/{asset.name}/{released}" not in tags
        )
        item.version = released if pending else _next_version(asset, tags, prefix, released)
    else:
        item.status = "updated" if copy else "new"
        item.version = asset.version
        if f"refs/tags/{tag_prefix}/{asset.name}/{asset.version}" in tags:
            item.status = "skipped"
            item.reason = (
                f"version {asset.version} is already released (tag exists); "
                "bump the version to release this change"
            )
    return item


def _wildcard_files(asset: Asset) -> set[Path]:
    """Files compared with their tags as wildcards: the spec and the template files."""
    out = {p.resolve() for p in asset.template_files()}
    if asset.spec_path is not None:
        out.add(asset.spec_path.resolve())
    return out


def _same_special(asset: Asset, path: Path, released: bytes | None) -> bool:
    if released is None:
        return False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if asset.spec_path is not None and path.resolve() == asset.spec_path.resolve():
        return spec_matches(asset, text, released)
    return text_matches(text, released.decode("utf-8", errors="replace"))
