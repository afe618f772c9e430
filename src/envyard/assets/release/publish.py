"""Publish released environments to the Envyard registry through the SDK (in-process or HTTP).

Each released environment asset becomes ``name@version`` with ``image`` =
``<publish hostname>/<image.name>:<version>``, the description the release writes into the spec
(its description file, else the spec's, spec tags resolved against the release commit) and
tags. A spec carrying ``Deprecated`` / ``DeleteOn`` tags (see
``envyard asset deprecate``) also deprecates that version, with the replacement named in its
description.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.model import Asset, delete_on_problem
from envyard.assets.release.items import PlanItem
from envyard.assets.release.latest import description_file
from envyard.assets.tags.scan import substitute
from envyard.assets.tags.spec import spec_tag_values
from envyard.errors import ConflictError, EnvyardError, NotFoundError, SpecError
from envyard.spec.environment import Environment

if TYPE_CHECKING:
    from envyard.client import Client

_REPLACEMENT = re.compile(r"DEPRECATED: Please use (\S+?) instead\.")


def environment_for(
    item: PlanItem, settings: AssetSettings, commit: str, repo_url: str
) -> Environment:
    asset = item.asset
    if asset is None or asset.env is None:
        raise NotFoundError(f"{item.key} is not an environment asset with an environment.yaml")
    values = spec_tag_values(
        asset, settings, version=item.version, repo_url=repo_url, commit=commit
    )
    spec = asset.spec_data
    file = asset.spec_doc.file if asset.spec_doc else "spec.yaml"
    _check_delete_on(asset)
    described = description_file(asset)
    if described is not None and described.is_file():  # what the release puts in the spec
        description = described.read_text(encoding="utf-8")
    else:
        description = substitute(str(spec.get("description") or ""), file, values)
    raw_tags = spec.get("tags") or {}
    tags = (
        {str(k): "" if v is None else str(v) for k, v in raw_tags.items()}
        if isinstance(raw_tags, dict)
        else {}
    )
    hostname = values["image.publish.hostname"]
    image = f"{hostname}/{asset.env.image.name}" if hostname else asset.env.image.name
    return Environment.model_validate(
        {
            "name": asset.name,
            "version": item.version,
            "description": description.strip(),
            "image": f"{image}:{item.version}",
            "tags": tags,
        }
    )


def _check_delete_on(asset: Asset) -> None:
    """A ``DeleteOn`` tag that is not a date is refused at its place in the spec (the
    registry would refuse it later, unlocated, after the other environments were created)."""
    problem = delete_on_problem(asset)
    if problem is not None:
        raise SpecError([problem])


def _exists(ref: str, message: str) -> ConflictError:
    return ConflictError(
        f"cannot publish {ref}: {message}",
        hint="that version is in the registry already; bump the version",
    )


class RegistryPublisher:
    """Creates ``name@version`` per released environment; deletes them again on rollback."""

    def __init__(self, client: Client, settings: AssetSettings, repo_url: str) -> None:
        self.client = client
        self.settings = settings
        self.repo_url = repo_url
        self.warnings: list[str] = []
        """What a user should know about the registry after publishing (printed by the CLI)."""

    def check(self, items: list[PlanItem]) -> None:
        """What :meth:`publish` would refuse, found without writing (``release --dry-run``):
        an environment that cannot be built from its spec, a version that exists already."""
        envs = self.client.environments
        for item in items:
            if item.type != "environment":
                continue
            env = environment_for(item, self.settings, "", self.repo_url)
            ref = f"{env.name}@{env.version}"
            try:
                envs.get(ref)
            except NotFoundError:
                continue
            raise _exists(ref, f"{ref} already exists; versions are immutable")

    def publish(self, items: list[PlanItem], commit: str) -> list[str]:
        created: list[str] = []
        envs = self.client.environments
        ordered = sorted(items, key=_is_deprecated)  # replacements first
        try:
            for item in ordered:
                if item.type != "environment":
                    continue
                env = environment_for(item, self.settings, commit, self.repo_url)
                ref = f"{env.name}@{env.version}"
                try:
                    envs.get(env.name)
                    exists = True
                except NotFoundError:
                    exists = False
                try:
                    envs.update(env.name, env) if exists else envs.create(env)
                except ConflictError as exc:
                    raise _exists(ref, exc.message) from None
                created.append(ref)
                self._deprecate(env, ref)
        except BaseException:
            self.unpublish(created)
            raise
        return created

    def _deprecate(self, env: Environment, ref: str) -> None:
        """A deprecated spec retires the environment *name*, as ``env deprecate NAME`` does:
        every active version is deprecated, so resolving the name never silently falls back
        to an older active version (it gives the newest, with its deprecation warning)."""
        if "Deprecated" not in env.tags:
            return
        match = _REPLACEMENT.search(env.description)
        delete_on: Any = env.tags.get("DeleteOn") or None
        replaced_by = match.group(1) if match else None
        envs = self.client.environments
        older = [
            f"{env.name}@{v.version}"
            for v in envs.versions(env.name)
            if v.state == "active" and str(v.version) != str(env.version)
        ]
        try:
            envs.deprecate(env.name, replaced_by=replaced_by, delete_on=delete_on)
        except NotFoundError:  # the replacement is not in this registry (yet): keep the tags
            envs.deprecate(env.name, delete_on=delete_on)
        if older:
            self.warnings.append(
                f"{ref} is deprecated: its older active version(s) {', '.join(older)} were "
                f"deprecated too, so '{env.name}' resolves to {ref} with a deprecation warning"
                + (f"; use {replaced_by} instead" if replaced_by else "")
            )

    def unpublish(self, refs: list[str]) -> None:
        for ref in reversed(refs):
            try:
                self.client.environments.delete(ref)
            except EnvyardError:
                continue


def _is_deprecated(item: PlanItem) -> bool:
    tags = item.asset.spec_data.get("tags") if item.asset else None
    return isinstance(tags, dict) and "Deprecated" in tags
