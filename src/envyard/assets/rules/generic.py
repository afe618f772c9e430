"""Rules for every asset type: files exist, spec agrees, unique names, tests, paths, tags."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from envyard.assets.discovery.confine import outside_paths
from envyard.assets.discovery.model import (
    Asset,
    delete_on_problem,
    is_template,
    missing_template_files,
)
from envyard.assets.discovery.paths import released_paths
from envyard.assets.fsutil import shown
from envyard.assets.rules.context import RuleContext
from envyard.assets.tags.scan import scan
from envyard.assets.tags.spec import SPEC_TAGS
from envyard.errors import Diagnostic, EnvyardError, SpecError

if TYPE_CHECKING:
    from envyard.assets.resolvers.base import Resolver


def files_exist(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    described = asset.config.description_file
    if described and not ctx.is_file(asset.dir / described):
        yield asset.diag(
            ("description_file",),
            f"description file '{described}' does not exist",
            hint="the path is relative to asset.yaml",
        )
    env = asset.env
    if env is None or asset.env_doc is None or env.image.context is None:
        return
    context = asset.context_dir
    doc = asset.env_doc
    if context is None or not ctx.is_dir(context):
        yield asset.diag(
            ("image", "context", "dir"),
            f"build context folder '{env.image.context.dir}' does not exist",
            doc=doc,
            hint="the path is relative to environment.yaml",
        )
        return
    dockerfile = asset.dockerfile
    if dockerfile is not None and not ctx.is_file(dockerfile):
        yield asset.diag(
            ("image", "context", "dockerfile"),
            f"Dockerfile '{env.image.context.dockerfile}' does not exist in the build context",
            doc=doc,
        )


def template_files_exist(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    """AST022: a template file missing from the build context (a warning: it is skipped)."""
    yield from missing_template_files(asset)


def spec_matches(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    spec = asset.spec_data
    if asset.spec_doc is None:
        return
    name = spec.get("name")
    if name is not None and not is_template(name) and str(name) != asset.name:
        yield asset.diag(
            ("name",),
            f"spec name '{name}' differs from the asset name '{asset.name}'",
            doc=asset.spec_doc,
            hint='write name: "{{asset.name}}"',
        )
    version = spec.get("version")
    if version is None or is_template(version):
        return
    if asset.auto_version and asset.config.version is not None:
        yield asset.diag(
            ("version",),
            f"spec version '{version}' is fixed but the asset is auto-versioned",
            doc=asset.spec_doc,
            hint='write version: "{{asset.version}}"',
        )
    elif asset.config.version is not None and str(version) != str(asset.config.version):
        yield asset.diag(
            ("version",),
            f"spec version '{version}' differs from asset.yaml's '{asset.config.version}'",
            doc=asset.spec_doc,
            hint='write version: "{{asset.version}}"',
        )


def unique_names(ctx: RuleContext) -> Iterator[Diagnostic]:
    groups: dict[tuple[str, str], list[Asset]] = defaultdict(list)
    for asset in ctx.assets:
        groups[(asset.type, asset.name)].append(asset)
    for (kind, name), items in groups.items():
        if len(items) < 2:
            continue
        for asset in items:
            others = ", ".join(o.doc.file for o in items if o is not asset)
            path = ("name",) if asset.config.name else ()
            yield asset.diag(path, f"{kind} '{name}' is also defined in {others}")


def test_paths(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    test = asset.config.test
    if test is None or test.pytest is None or not test.pytest.enabled:
        return
    pytest = test.pytest
    if not ctx.exists(asset.dir / pytest.tests_dir):  # a folder or one test file (pytest's)
        yield asset.diag(
            ("test", "pytest", "tests_dir"), f"tests path '{pytest.tests_dir}' does not exist"
        )
    if pytest.conda_environment and pytest.pip_requirements:
        yield asset.diag(
            ("test", "pytest", "conda_environment"),
            "conda_environment and pip_requirements are mutually exclusive",
            hint="keep one: the conda file can list pip packages too",
        )
    for key in ("pip_requirements", "conda_environment"):
        value = getattr(pytest, key)
        if value and not ctx.is_file(asset.dir / value):
            yield asset.diag(("test", "pytest", key), f"file '{value}' does not exist")


def release_paths(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    """AST013: release paths exist and stay inside the repository, and so does every other
    path the asset's files name (links followed; ``spec``/``extra_config``: discovery)."""
    try:
        released_paths(asset, lock_file=ctx.settings.lock_file)
    except SpecError as exc:
        yield from exc.diagnostics
    yield from outside_paths(asset)


def _scan_file(path: Path, ctx: RuleContext) -> tuple[str, str] | None:
    text = ctx.text(path)
    return None if text is None else (text, shown(path))


_NOT_OURS = re.compile(r"\$\{\{|\{\{(?!\s*(?:asset|image)\.)")


def ours_only(text: str) -> str:
    """A spec's text with every ``{{`` that is not ours blanked (same length: positions stay):
    AzureML's ``${{inputs.x}}`` and other tools' braces are left alone, even malformed."""
    return _NOT_OURS.sub(lambda m: " " * len(m.group()), text)


def template_tags(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    resolvers: dict[str, Resolver] | None = None  # entry points: read once a tag is found
    for path in asset.template_files():
        found = _scan_file(path, ctx) if ctx.is_file(path) else None
        if found is None:
            continue
        text, shown = found
        try:
            tags = list(scan(text, shown))
        except SpecError as exc:
            yield from exc.diagnostics
            continue
        if not tags:
            continue
        if resolvers is None:
            from envyard.assets.resolvers.base import load_resolvers

            resolvers = load_resolvers()
        names = sorted(resolvers)
        for tag in tags:
            if tag.name not in names:
                known = ", ".join("{{" + n + "}}" for n in names)
                yield tag.diagnostic(f"unknown tag {tag.text}", f"build-file tags: {known}")
                continue
            try:
                resolver = resolvers[tag.name]
                resolver.subject(tag)
                if hasattr(resolver, "pattern"):
                    resolver.pattern(tag)
            except SpecError as exc:
                yield from exc.diagnostics
            except EnvyardError as exc:
                yield tag.diagnostic(exc.message, exc.hint)


def spec_tags(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    """AST021: a ``{{...}}`` of the spec that is not ours is left as written (azureml-assets
    leaves unknown tags as they are: its renderer's ``render``), so a warning."""
    if asset.spec_path is not None and ctx.is_file(asset.spec_path):
        found = _scan_file(asset.spec_path, ctx)
        if found is None:
            return
        text, shown = found
        try:
            for tag in scan(ours_only(text), shown):
                if tag.name not in SPEC_TAGS or tag.arg is not None:
                    yield tag.diagnostic(
                        f"unknown spec tag {tag.text}: it is released as written",
                        "spec tags: " + ", ".join("{{" + t + "}}" for t in SPEC_TAGS),
                    )
        except SpecError as exc:
            yield from exc.diagnostics


_SCHEMA_KIND = re.compile(
    r"/(?:asset\.)?(model|environment|data|prompt)\.schema\.json$|Component", re.IGNORECASE
)


def _schema_kind(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    found = _SCHEMA_KIND.search(url)
    if found is None:
        return None
    return (found.group(1) or "component").lower()


def spec_paths(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    """AST019, as the reference's spec checks: the spec's ``$schema`` is for the asset's type,
    a component's ``code`` folder exists, a data asset's ``path`` exists and is a file for
    ``uri_file``, a folder for ``uri_folder``."""
    spec, doc = asset.spec_data, asset.spec_doc
    if doc is None or asset.spec_path is None:
        return
    kind = _schema_kind(spec.get("$schema"))
    if kind is not None and kind != asset.type:
        yield asset.diag(
            ("$schema",),
            f"the spec's $schema is for a {kind}, but the asset is a {asset.type}",
            doc=doc,
            hint=f"use the {asset.type} schema, or fix `type` in asset.yaml",
        )
    folder = asset.spec_path.parent
    task = spec.get("task")
    code = spec.get("code") or (task.get("code") if isinstance(task, dict) else None)
    if isinstance(code, str) and _is_local(code) and not ctx.is_dir(folder / code):
        path = ("code",) if "code" in spec else ("task", "code")
        yield asset.diag(path, f"code folder '{code}' does not exist", doc=doc)
    data = spec.get("path")
    if asset.type != "data" or not isinstance(data, str) or not _is_local(data):
        return
    target = folder / data
    kind_of = spec.get("type")
    if not (ctx.is_dir(target) or ctx.is_file(target)):
        yield asset.diag(("path",), f"data path '{data}' does not exist", doc=doc)
    elif kind_of == "uri_file" and ctx.is_dir(target):
        yield asset.diag(("path",), f"type is uri_file but '{data}' is a folder", doc=doc)
    elif kind_of == "uri_folder" and not ctx.is_dir(target):
        yield asset.diag(("path",), f"type is uri_folder but '{data}' is a file", doc=doc)


def _is_local(value: str) -> bool:
    return "://" not in value and not value.startswith(("azureml:", "git+"))


def delete_on(asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    """AST020: a ``DeleteOn`` spec tag is a date, as ``release --publish`` reads it."""
    problem = delete_on_problem(asset)
    if problem is not None:
        yield problem
