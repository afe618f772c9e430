"""Plan against a release branch in the azureml-assets layout (``latest/<type>/<name>/``, see
:mod:`envyard.assets.release.latest`): an asset is unchanged when every released file is the
same blob, its spec and template files equal once their tags are read as wildcards."""

from __future__ import annotations

from pathlib import Path

from envyard.assets.discovery.model import Asset
from envyard.assets.release.git import Git, TreeEntry
from envyard.assets.release.items import PlanItem, next_version
from envyard.assets.release.latest import (
    ReleasedCopy,
    reference_files,
    released_copies,
    spec_matches,
    text_matches,
)


def plan_latest(
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
        item.version = released if pending else next_version(asset, tags, prefix, released)
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
