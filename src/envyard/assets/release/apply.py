"""Apply a release plan: one commit on the release branch plus one tag per released asset.

Steps (``on_step`` sees each name; tests inject failures there): ``pin`` the new/updated
assets (the only network use), write ``objects`` (blobs and a tree built in a temporary
index), ``commit`` (``commit-tree``), ``publish`` to the Envyard registry (optional), then
``refs``: the branch and every tag move in one ``update-ref`` transaction checking old values.
A failure before that transaction leaves every ref exactly as it was; if the transaction
fails, environments published in this run are deleted again.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.model import Asset
from envyard.assets.pinning.lock import LockEntry, LockFile
from envyard.assets.pinning.pin import PinResult, pin_assets
from envyard.assets.release.git import Git, TreeEntry
from envyard.assets.release.items import PlanItem, ReleasePlan
from envyard.assets.release.latest import with_described
from envyard.assets.tags.http import HttpSession
from envyard.assets.tags.spec import render_spec_tags, spec_tag_values
from envyard.errors import ConflictError, ResolveError

Step = Callable[[str], None]
STEPS = ("pin", "objects", "commit", "publish", "refs")


class Publisher(Protocol):
    def check(self, items: list[PlanItem]) -> None:
        """Raise what :meth:`publish` would refuse, changing nothing (``--dry-run``)."""

    def publish(self, items: list[PlanItem], commit: str) -> list[str]:
        """Create the released environments; return the refs created (for rollback)."""

    def unpublish(self, refs: list[str]) -> None:
        """Delete what :meth:`publish` created (the release did not land)."""


@dataclass
class ReleaseResult:
    plan: ReleasePlan
    commit: str | None = None
    tags: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    requests: int = 0
    skipped: list[LockEntry] = field(default_factory=list)
    """Tags left as written (their source is not configured); ``file`` is repo-relative."""


def set_version(text: str, version: str, file: str = "asset.yaml") -> str:
    """asset.yaml with ``version`` set, comments and layout kept (``envyard.yamlio``'s
    round-trip reader: the file's purpose here is to be edited)."""
    from envyard.yamlio import roundtrip_dump, roundtrip_load

    data = roundtrip_load(text, file)
    data["version"] = int(version) if version.isdigit() else version
    return roundtrip_dump(data)


def _mode(path: Path) -> str:
    return "100755" if os.access(path, os.X_OK) else "100644"


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder and folder != "." else name


def _skipped(asset: Asset, entries: list[LockEntry]) -> list[LockEntry]:
    """Skipped lock entries with their ``file`` relative to the repository (for the report)."""
    folder = asset.rel(asset.dir)
    return [e.model_copy(update={"file": _join(folder, e.file)}) for e in entries]


def _released_blobs(
    item: PlanItem, pin: PinResult, lock: LockFile, lock_name: str
) -> dict[str, bytes]:
    """Files whose released content differs from the source: templates, asset.yaml, lock."""
    asset = pin.asset
    texts = {p.resolve(): t for p, t in pin.texts.items()}
    config = asset.config_path.resolve()
    out: dict[str, bytes] = {}
    for path in item.files:
        real = path.resolve()
        if real in texts:
            out[asset.rel(path)] = texts[real].encode("utf-8")
        elif real == config:
            raw = path.read_text(encoding="utf-8")
            out[asset.rel(path)] = set_version(raw, item.version or "1").encode("utf-8")
    out[_join(asset.rel(asset.dir), lock_name)] = lock.dumps().encode("utf-8")
    return out


def _tree_changes(  # noqa: PLR0917 - internal step of apply_release
    git: Git,
    plan_items: list[PlanItem],
    removed: list[PlanItem],
    changing: list[PlanItem],
    pinned: dict[str, PinResult],
    settings: AssetSettings,
    result: ReleaseResult,
) -> dict[str, TreeEntry | None]:
    changes: dict[str, TreeEntry | None] = {}
    kept = {  # files other released assets still own (shared release paths)
        name
        for item in plan_items
        if item.status in ("unchanged", "skipped") and item.released is not None
        for name in item.released.files
    }
    for item in [*removed, *changing]:
        for name in item.old_files:  # latest layout: the folder is written anew
            changes[name] = None
        if item.released is not None:
            for name in item.released.files:
                if name not in kept:
                    changes[name] = None
            changes[_join(item.released_dir, settings.lock_file)] = None
    for item in changing:
        pin = pinned[item.key]
        if item.layout_files:
            changes.update(_latest_entries(git, item, pin, settings, result))
            continue
        asset = pin.asset
        lock = pin.lock(settings, version=item.version)
        result.skipped += _skipped(asset, lock.skipped)
        blobs = _released_blobs(item, pin, lock, settings.lock_file)
        plain = [f for f in item.files if asset.rel(f) not in blobs]
        for file, sha in zip(plain, git.hash_files(plain), strict=True):
            changes[asset.rel(file)] = TreeEntry(_mode(file), sha)
        modes = {asset.rel(f): _mode(f) for f in item.files}
        names = list(blobs)
        for name, sha in zip(names, git.hash_blobs([blobs[n] for n in names]), strict=True):
            changes[name] = TreeEntry(modes.get(name, "100644"), sha)
    return changes


def _latest_entries(
    git: Git, item: PlanItem, pin: PinResult, settings: AssetSettings, result: ReleaseResult
) -> dict[str, TreeEntry]:
    """The released folder ``latest/<type>/<name>/`` as the reference writes it: the release
    paths, template files pinned, spec tags resolved (asset.yaml as written)."""
    asset = pin.asset
    folder = f"latest/{item.type}/{item.name}"
    texts = {p.resolve(): t for p, t in pin.texts.items()}
    spec = asset.spec_path.resolve() if asset.spec_path is not None else None
    where = {path.resolve(): rel for rel, path in item.layout_files.items()}
    values = spec_tag_values(
        asset, settings, version=item.version, repo_url=git.remote_url(), commit=""
    )
    if asset.dockerfile is not None and asset.dockerfile.resolve() in where:
        rel = where[asset.dockerfile.resolve()]
        depth = len(Path(values["image.dockerfile.path"] or "Dockerfile").parts)
        context = "/".join(rel.split("/")[:-depth])
        values["asset.repo.build_context.path"] = _join(folder, context)
    result.skipped += _skipped(asset, pin.lock(settings, version=item.version).skipped)
    blobs: dict[str, bytes] = {}
    plain: list[tuple[str, Path]] = []
    for rel, path in item.layout_files.items():
        real, target = path.resolve(), f"{folder}/{rel}"
        if real in texts:
            blobs[target] = texts[real].encode("utf-8")
        elif real == spec:
            text = render_spec_tags(path.read_text(encoding="utf-8"), values)
            blobs[target] = with_described(asset, text).encode("utf-8")
        else:
            plain.append((target, path))
    out: dict[str, TreeEntry] = {}
    files = [p for _t, p in plain]
    for (target, path), sha in zip(plain, git.hash_files(files), strict=True):
        out[target] = TreeEntry(_mode(path), sha)
    modes = {f"{folder}/{rel}": _mode(p) for rel, p in item.layout_files.items()}
    names = list(blobs)
    for name, sha in zip(names, git.hash_blobs([blobs[n] for n in names]), strict=True):
        out[name] = TreeEntry(modes.get(name, "100644"), sha)
    return out


def unresolved_error(pinned: dict[str, PinResult]) -> ResolveError | None:
    """The error naming every tag that would be released unresolved (None: none)."""
    found = [
        f"{r.asset.rel(r.asset.dir / e.file)}:{e.line}:{e.col} {e.tag}"
        for r in pinned.values()
        for e in r.skipped
    ]
    if not found:
        return None
    return ResolveError(
        f"{len(found)} template tag(s) would be released unresolved: {'; '.join(found)}",
        hint="configure the registry/index ([assets] mirrors, registries, index_urls, or "
        "--mirror/--index-url/--online); or pass --allow-unresolved to release them as "
        "written (the next release pins them)",
    )


def _pin(
    items: list[PlanItem],
    settings: AssetSettings,
    online: bool,
    on_asset: Callable[[PinResult], None] | None,
) -> tuple[dict[str, PinResult], int]:
    session = HttpSession(
        concurrency=settings.concurrency, retries=settings.retries, timeout=settings.timeout
    )

    async def run() -> list[PinResult]:
        try:
            assets = [i.asset for i in items if i.asset is not None]
            return await pin_assets(
                assets, settings, online=online, session=session, on_asset=on_asset
            )
        finally:
            await session.aclose()

    results = asyncio.run(run()) if items else []
    return {r.asset.full_name: r for r in results}, session.requests


def apply_release(
    plan: ReleasePlan,
    settings: AssetSettings,
    *,
    online: bool = False,
    publisher: Publisher | None = None,
    on_step: Step | None = None,
    on_asset: Callable[[PinResult], None] | None = None,
    allow_unresolved: bool = False,
    dry_run: bool = False,
) -> ReleaseResult:
    """Release ``plan`` atomically (see the module docs). A template tag left unresolved
    stops the release before anything is written, unless ``allow_unresolved``: then the
    released copy keeps it (lock entry ``skipped``) and the next release pins it.

    ``dry_run``: every check of a release (the branch not checked out, the lookups and
    unresolved tags, what the publisher would refuse, the ref names), then stop before the
    first write; ``skipped`` and ``requests`` are filled as a release fills them."""
    step = on_step or (lambda _name: None)
    git = Git(plan.repo)
    result = ReleaseResult(plan)
    changing = [i for i in plan.items if i.status in ("new", "updated")]
    removed = [i for i in plan.items if i.status == "removed"]
    if not changing and not removed:
        return result
    if git.current_branch() == plan.branch:
        raise ConflictError(
            f"'{plan.branch}' is checked out in {plan.repo}; releasing would leave that work "
            "tree out of date",
            hint="switch to the source branch first",
        )
    step("pin")
    pinned, result.requests = _pin(changing, settings, online, on_asset)
    if not allow_unresolved and (error := unresolved_error(pinned)) is not None:
        raise error
    refs = [f"refs/heads/{plan.branch}"] + [f"refs/tags/{plan.tag_for(i)}" for i in changing]
    if dry_run:
        result.skipped = [
            e for i in changing for e in _skipped(pinned[i.key].asset, pinned[i.key].skipped)
        ]
        if publisher is not None and changing:
            publisher.check(changing)
        for ref in refs:
            git.check_ref(ref)
        return result
    step("objects")
    changes = _tree_changes(git, plan.items, removed, changing, pinned, settings, result)
    tree = git.write_tree(plan.head, changes)
    step("commit")
    lines = [f"Release {len(changing) + len(removed)} asset(s)", ""]
    lines += [f"- {i.line()}" for i in [*changing, *removed]]
    commit = git.commit_tree(tree, plan.head, "\n".join(lines) + "\n")
    result.commit = commit
    step("publish")
    if publisher is not None and changing:
        result.published = publisher.publish(changing, commit)
    step("refs")
    local = None if plan.upstream else plan.head  # from a remote's branch: created here
    updates: list[tuple[str, str, str | None]] = [(refs[0], commit, local)]
    updates += [(ref, commit, None) for ref in refs[1:]]
    try:
        git.update_refs(updates)
    except BaseException:
        if publisher is not None and result.published:
            publisher.unpublish(result.published)
        raise
    result.tags = [plan.tag_for(i) for i in changing]
    return result
