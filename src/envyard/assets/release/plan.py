"""Plan a release: each asset on main is new, updated, unchanged, skipped or removed.

Pure and offline: an asset's identity is the content hash of its files and release paths; the
release branch keeps the hash of what it released in each asset's lock file, so deciding
"unchanged" reads git objects only — no registry or index is asked anything.

Versions: ``auto`` goes 1-up from the highest version released (release branch lock or
``<type>/<name>/<version>`` tag); a manual version is released only while its tag is absent.
"""

from __future__ import annotations

from pathlib import Path

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.confine import refuse_escapes
from envyard.assets.discovery.discover import discover
from envyard.assets.discovery.model import (
    delete_on_problem,
    missing_template_files,
    unsafe_names,
)
from envyard.assets.discovery.paths import release_files
from envyard.assets.fsutil import content_hash
from envyard.assets.pinning.lock import LockFile
from envyard.assets.release.git import Git, Pending, TreeEntry, parse_refs
from envyard.assets.release.items import PlanItem, ReleasePlan, Status, as_int, tag_versions
from envyard.assets.release.latest import is_latest_layout
from envyard.assets.release.plan_latest import plan_latest
from envyard.errors import ConflictError, Diagnostic, SpecError

__all__ = ["PlanItem", "ReleasePlan", "Status", "plan_release", "released_locks"]


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


_REMOTES = "refs/remotes/"


def _upstream(branch: str, remotes: dict[str, str]) -> tuple[str | None, str | None]:
    """(remote-tracking branch, its commit) a release to a local ``branch`` that does not exist
    yet starts from, as ``git switch`` starts it: the one remote that has a branch of that name
    (a fresh clone has ``origin/release`` and no local ``release``). ``(None, None)``: a new
    branch. A remote-tracking name (``origin/release``) or several remotes are refused."""
    if _REMOTES + branch in remotes:
        local = branch.partition("/")[2]
        raise ConflictError(
            f"'{branch}' is a remote-tracking branch; a release commits to a local branch",
            hint=f"pass --release-branch {local}: it starts from {branch} when there is no "
            f"local '{local}' yet; push it afterwards",
        )
    found = _remote_branches(branch, remotes)
    if len(found) > 1:
        names = ", ".join(sorted(found))
        raise ConflictError(
            f"there is no local branch '{branch}' and several remotes have one ({names})",
            hint=f"create it from the one to continue: git branch {branch} REMOTE/{branch}",
        )
    return next(iter(found.items()), (None, None))


def _remote_branches(branch: str, remotes: dict[str, str]) -> dict[str, str]:
    """``{"origin/release": sha}``: every remote's branch named ``branch``."""
    return {
        ref.removeprefix(_REMOTES): sha
        for ref, sha in remotes.items()
        if ref.endswith("/" + branch) and _one_part(ref[len(_REMOTES) : -len(branch) - 1])
    }


def _one_part(remote: str) -> bool:
    return bool(remote) and "/" not in remote


def _start(
    git: Git, branch: str, head_ref: Pending, remote_refs: Pending
) -> tuple[str | None, str | None, str | None]:
    """(the commit the release continues, the remote's branch it is taken from when there is
    no local branch yet, why the local branch looks stale)."""
    head = head_ref.result(check=False) or None
    remotes = parse_refs(remote_refs.result(check=False))
    if head is None:
        upstream, head = _upstream(branch, remotes)
        return head, upstream, None
    return head, None, _behind(git, branch, head, remotes)


def _behind(git: Git, branch: str, head: str, remotes: dict[str, str]) -> str | None:
    """Why the local ``branch`` looks stale: a remote's branch of that name has commits it
    lacks (someone released since it was last updated), so a release would fork from an older
    release and its push be refused. ``None`` when it has them all."""
    for name, sha in sorted(_remote_branches(branch, remotes).items()):
        if sha == head:
            continue
        counts = git.run("rev-list", "--left-right", "--count", f"{head}...{sha}", check=False)
        ahead, _, behind = counts.partition("\t")
        if not behind.strip().isdigit() or int(behind) == 0:
            continue
        own = f" and has {ahead} of its own" if ahead.strip() not in ("", "0") else ""
        fix = (
            f"git merge {name} on '{branch}'"
            if own
            else f"git fetch, then git branch -f {branch} {name}"
        )
        return f"'{branch}' lacks {behind.strip()} commit(s) of {name}{own}; update it first: {fix}"
    return None


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
        git.start_refs(_REMOTES),
    ]
    try:
        plan = _plan(git, source, branch, settings, status, *reads)
    finally:
        for pending in (status, *reads):  # none is left running
            pending.wait()
    plan.warnings = [
        Diagnostic(d.file, d.line, d.col, d.field, d.message, _PUBLISH_HINT, rule="AST020")
        for item in plan.items
        if item.changes
        and item.asset is not None
        and item.asset.type == "environment"
        and (d := delete_on_problem(item.asset)) is not None
    ] + [
        Diagnostic(d.file, d.line, d.col, d.field, d.message, d.hint, rule="AST022")
        for item in plan.items
        if item.changes and item.asset is not None
        for d in missing_template_files(item.asset)
    ]
    return plan


_PUBLISH_HINT = "release --publish refuses it; write YYYY-MM-DD, as envyard asset deprecate does"


def _plan(  # noqa: PLR0917 - the git reads started by plan_release
    git: Git,
    source: Path,
    branch: str,
    settings: AssetSettings,
    status: Pending,
    current: Pending,
    head_ref: Pending,
    tag_refs: Pending,
    remote_refs: Pending,
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
    # nothing from outside the repository is ever read into a release: the files below the
    # named folders are checked as they are read (latest.reference_files, paths.released_paths)
    refuse_escapes(found.assets, walk=False)
    head, upstream, stale = _start(git, branch, head_ref, remote_refs)
    prefix = settings.release_tag_prefix
    tags = parse_refs(tag_refs.result())
    tree = git.ls_tree(head)
    if is_latest_layout(tree):
        latest = plan_latest(git, tree, found.assets, tags, prefix)
        dirty = bool(status.result())
        return ReleasePlan(
            git.root, branch, head, latest, tags, prefix, "latest", dirty, upstream, stale
        )
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
            [as_int(lock.version) if lock else 0, *tag_versions(tags, tag_prefix, asset.name)]
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
    return ReleasePlan(
        git.root, branch, head, items, tags, prefix, "envyard", dirty, upstream, stale
    )
