"""Rules for environment assets: naming, versions, image name, publishing, build context."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from envyard.assets.discovery.model import Asset
from envyard.assets.discovery.paths import asset_dir_files
from envyard.assets.fsutil import shown
from envyard.assets.rules.context import RuleContext
from envyard.assets.rules.naming import check_asset_name, check_environment_name
from envyard.errors import Diagnostic
from envyard.spec.refs import parse_image_ref

_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)", re.IGNORECASE)
_EXTRA_INDEX = re.compile(r"extra-index-url", re.IGNORECASE)


def published_image(asset: Asset) -> str | None:
    if asset.env is None:
        return None
    publish = asset.env.image.publish
    return f"{publish.location}/{asset.env.image.name}" if publish else asset.env.image.name


def _name_diag(asset: Asset, message: str, hint: str) -> Diagnostic:
    """A diagnostic at the name where it is written: asset.yaml, else the spec's ``name``."""
    if asset.config.name or asset.spec_doc is None or "name" not in asset.spec_data:
        return asset.diag(("name",) if asset.config.name else (), message, hint=hint)
    return asset.diag(("name",), message, doc=asset.spec_doc, hint=hint)


def environment_name(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    """AST006: the errors of the environment naming convention."""
    for severity, message, hint in check_environment_name(asset.name, ctx.settings.naming):
        if severity == "error":
            yield _name_diag(asset, message, hint)


def environment_name_advice(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    """AST017: what the reference only warns about (no framework, a python version)."""
    for severity, message, hint in check_environment_name(asset.name, ctx.settings.naming):
        if severity == "warning":
            yield _name_diag(asset, message, hint)


def asset_name(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    """AST018: characters and forbidden words of any asset's name."""
    for _severity, message, hint in check_asset_name(asset.name, asset.type, ctx.settings.naming):
        yield _name_diag(asset, message, hint)


def auto_version(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    if not asset.auto_version:
        path = ("version",) if asset.config.version is not None else ()
        yield asset.diag(
            path, f"version is '{asset.version}'; environments must use auto", hint="version: auto"
        )


def image_name(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    if asset.env is None or asset.env_doc is None:
        return
    expected = f"{ctx.settings.image_prefix}{asset.name}"
    if asset.env.image.name != expected:
        yield asset.diag(
            ("image", "name"),
            f"image name '{asset.env.image.name}' should be '{expected}'",
            doc=asset.env_doc,
            hint="image names are the configured image_prefix followed by the environment name",
        )


def publish(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    if asset.env is None or asset.env_doc is None:
        return
    settings = ctx.settings
    info = asset.env.image.publish
    if info is None:
        yield asset.diag(
            ("image",),
            "image publishing is not configured",
            doc=asset.env_doc,
            key=True,
            hint="add image.publish with location and visibility",
        )
        return
    if settings.publish_locations and info.location not in settings.publish_locations:
        yield asset.diag(
            ("image", "publish", "location"),
            f"publish location '{info.location}' is not allowed",
            doc=asset.env_doc,
            hint="allowed: " + ", ".join(settings.publish_locations),
        )
    if info.visibility not in settings.visibilities:
        yield asset.diag(
            ("image", "publish", "visibility"),
            f"visibility '{info.visibility}' is not allowed",
            doc=asset.env_doc,
            hint="allowed: " + ", ".join(settings.visibilities),
        )


def no_extra_index_url(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    files: list[Path] = []
    context = asset.context_dir
    if context is not None:
        inside = os.path.normpath(str(context)) + os.sep
        if inside.startswith(os.path.normpath(str(asset.dir)) + os.sep):
            files.extend(Path(f) for f in asset_dir_files(asset)[0] if f.startswith(inside))
        elif context.is_dir() and asset.outside(str(context)) is None:  # elsewhere in the repo
            for folder, _dirs, names in os.walk(context):
                files.extend(Path(folder) / name for name in sorted(names))
    test = asset.config.test
    if test and test.pytest and test.pytest.pip_requirements:
        requirements = asset.dir / test.pytest.pip_requirements
        if asset.outside(str(requirements)) is None:  # else AST013, never read
            files.append(requirements)
    for path in files:
        text = ctx.text(path)
        if text is None or "xtra-index" not in text.lower():
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = _EXTRA_INDEX.search(line)
            if match:
                yield Diagnostic(
                    shown(path),
                    number,
                    match.start() + 1,
                    "",
                    "--extra-index-url is not allowed (dependency confusion)",
                    "use a single --index-url, or configure the index in [assets] index_urls",
                )


BaseImage = tuple[int, int, str, str, str]
"""(line, column, image as written, host/repository, repository) of a ``FROM``."""


def base_images(asset: Asset, ctx: RuleContext) -> list[BaseImage]:
    """The images the asset's Dockerfile builds FROM, parsed once per asset: AST012's part that
    needs only the asset, run in the forked batch that loaded it (the result travels back
    with the asset), so the repository-wide check compares names and reads no file."""
    if asset.bases is None:
        found: list[BaseImage] = []
        dockerfile = asset.dockerfile
        text = ctx.text(dockerfile) if dockerfile is not None and ctx.is_file(dockerfile) else ""
        for number, line in enumerate((text or "").splitlines(), start=1):
            match = _FROM.match(line)
            if not match:
                continue
            image = match.group("image").split("{{")[0].rstrip(":")
            try:
                ref = parse_image_ref(image)
            except ValueError:
                continue
            full = f"{ref.host}/{ref.repository}" if ref.host else ref.repository
            found.append((number, match.start("image") + 1, image, full, ref.repository))
        asset.bases = found
    return asset.bases


def no_curated_base(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    prefix = ctx.settings.image_prefix
    for number, column, image, full, repository in base_images(asset, ctx):
        if (prefix and repository.startswith(prefix)) or full in ctx.curated_images:
            yield Diagnostic(
                shown(asset.dockerfile or asset.dir),
                number,
                column,
                "",
                f"builds FROM the curated image '{image}'",
                "build from a base image, not from another curated environment",
            )


def required_tags(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    if asset.spec_doc is None:
        return
    tags = asset.spec_data.get("tags")
    present = set(tags) if isinstance(tags, dict) else set()
    for name in ctx.settings.required_spec_tags:
        if name not in present:
            yield asset.diag(
                ("tags",),
                f"the spec has no '{name}' tag",
                doc=asset.spec_doc,
                key=True,
                hint=f'add tags.{name} (e.g. OS: Ubuntu22.04, Python: "3.11")',
            )


def unique_images(ctx: RuleContext) -> Iterator[Diagnostic]:
    groups: dict[str, list[Asset]] = defaultdict(list)
    for asset in ctx.assets:
        image = published_image(asset)
        if image:
            groups[image].append(asset)
    for image, items in groups.items():
        if len(items) < 2:
            continue
        for asset in items:
            others = ", ".join(o.doc.file for o in items if o is not asset)
            doc = asset.env_doc or asset.doc
            yield asset.diag(
                ("image", "name"), f"image '{image}' is also published by {others}", doc=doc
            )
