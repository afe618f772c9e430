"""Which target a submission goes to, and which override profile applies there.

Detection order (first match wins; ``explain`` prints which one decided):

1. ``--target`` — a target name, a tenant id, a profile key, an ``aml`` config name
   (``config/aml/NAME.yaml``, as shrike's ``aml=NAME``) or the path of a workspace ``.json``;
2. ``ENVYARD_TARGET`` (same forms);
3. the ``aml`` config the pipeline's hydra ``defaults`` name (``- aml: eyesoff`` ->
   ``config/aml/eyesoff.yaml`` -> ``tenant:``), as shrike detects the tenant;
4. a workspace config file found in the working directory, its ``.azureml/`` folder or any
   parent (and theirs): ``{"tenant_id": ...}`` (:mod:`envyard.overrides.profiles.detect`).

A target's profile is the first key of ``tenant_overrides`` among: its ``profile`` (a profile
key, or another target's name); then, as shrike picks it, the first key (in file order) that is
its tenant id or names an aml config with that tenant; then its ``name``, its workspace config
name. A profile key that implicitly identifies two targets is an error naming both.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from envyard.errors import ConflictError, NotFoundError
from envyard.overrides.matching.indexes import IndexRemoval
from envyard.overrides.matching.rules import Rule
from envyard.overrides.profiles.detect import (
    AmlConfig,
    aml_config,
    config_name,
    find_workspace_config,
    pipeline_aml,
    read_tenant,
    shrike_profile,
)
from envyard.overrides.profiles.load import OverrideProfiles, load_profiles
from envyard.overrides.profiles.project import find_overrides_file, find_targets_file
from envyard.spec.loader import load_model
from envyard.spec.overrides import Target, TargetsFile
from envyard.yamlio.source import display_path


@dataclass(frozen=True)
class ResolvedTarget:
    """A target, the profile that applies there (maybe none) and how it was chosen."""

    target: Target
    profile_key: str | None
    rules: tuple[Rule, ...]
    overrides: OverrideProfiles | None
    source: str
    targets_file: Path | None = None
    remove_index: IndexRemoval | None = None
    """The profile's ``remove_polymer_pkg_idx`` (None: no index line is removed)."""
    notes: tuple[str, ...] = ()
    """What the block's settings decided (``allow_override: false``...), for people."""
    keep_modified_files: bool = False

    @property
    def profile(self) -> tuple[Rule, ...]:
        return self.rules


@dataclass(frozen=True)
class _Known:
    targets: tuple[Target, ...]
    base: Path | None

    def config_path(self, target: Target) -> Path | None:
        if target.workspace_config is None:
            return None
        return ((self.base or Path.cwd()) / target.workspace_config).resolve()


def _identities(known: _Known, target: Target) -> dict[str, str]:
    ids = {"tenant_id": target.tenant_id} if target.tenant_id else {}
    ids["name"] = target.name
    path = known.config_path(target)
    if path is not None:
        ids["workspace_config"] = config_name(path)
    return ids


def _matching(known: _Known, key: str, *, implicit_only: bool = False) -> list[tuple[Target, str]]:
    out = []
    for target in known.targets:
        if implicit_only and target.profile is not None:
            continue
        for field, value in _identities(known, target).items():
            if value == key:
                out.append((target, field))
                break
    return out


def _conflict(subject: str, found: list[tuple[Target, str]]) -> ConflictError:
    named = " and ".join(f"'{t.name}' (by {field})" for t, field in found)
    return ConflictError(
        f"{subject} matches targets {named}",
        hint="use the target name, or set `profile:` on the targets to say which profile "
        "each one uses",
    )


def resolve_target(
    name_or_tenant: str | None,
    targets_file: Path | None,
    cwd: Path,
    *,
    overrides: Path | None = None,
    specs: Sequence[Path | str] = (),
) -> ResolvedTarget:
    """Find the target (see the module docstring for the order) and its override profile.

    ``specs``: what is being staged; a pipeline among them holding ``tenant_overrides`` is the
    overrides file when none is given or found, and its hydra ``defaults`` may name the tenant.
    """
    targets_file = targets_file or find_targets_file(cwd)
    known = _load_known(targets_file)
    named = [Path(s) if Path(s).is_absolute() else cwd / s for s in specs]
    guess = overrides or find_overrides_file(cwd) or _pipeline_with_block(named)
    pipelines = [p for p in (guess, *named) if p is not None]
    target, source = _pick(known, name_or_tenant, cwd, guess, pipelines)
    overrides_path = overrides
    if overrides_path is None and target.overrides:
        overrides_path = (known.base or cwd) / target.overrides
    overrides_path = overrides_path or guess
    profiles = load_profiles(overrides_path) if overrides_path else None
    key = _profile_key(known, target, profiles, set())
    if profiles is None or key is None:
        unmatched: tuple[str, ...] = ()
        if profiles is not None:
            tenant = f" (tenant {target.tenant_id})" if target.tenant_id else ""
            unmatched = (
                f"no profile of tenant_overrides in {profiles.file} applies to target "
                f"'{target.name}'{tenant}: the copies are staged unchanged",
            )
        return ResolvedTarget(target, key, (), profiles, source, targets_file, notes=unmatched)
    rules, removal, notes = profiles.get(key), profiles.removals.get(key), list(profiles.warnings)
    if not profiles.allow_override:
        line = profiles.setting_lines.get("allow_override", profiles.lines.get(key, 0))
        notes.append(
            f"{profiles.file}:{line}: tenant_overrides.allow_override is not true: nothing is "
            f"overridden (profile '{key}' would apply; set `allow_override: true`)"
        )
        rules, removal = (), None
    return ResolvedTarget(
        target,
        key,
        rules,
        profiles,
        source,
        targets_file,
        remove_index=removal,
        notes=tuple(notes),
        keep_modified_files=profiles.keep_modified_files,
    )


def _pipeline_with_block(named: list[Path]) -> Path | None:
    for path in named:
        if path.suffix in (".yaml", ".yml") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if "tenant_overrides" in text:
                return path
    return None


def _load_known(targets_file: Path | None) -> _Known:
    if targets_file is None:
        return _Known((), None)
    model = load_model(targets_file, TargetsFile, "targets")
    return _Known(tuple(model.targets), targets_file.resolve().parent)


def _pick(
    known: _Known, given: str | None, cwd: Path, overrides: Path | None, pipelines: list[Path]
) -> tuple[Target, str]:
    if given:
        return _by_key(known, given, "--target", cwd, overrides)
    env = os.environ.get("ENVYARD_TARGET")
    if env:
        return _by_key(known, env, "ENVYARD_TARGET", cwd, overrides)
    found = pipeline_aml(pipelines)
    if found is not None:
        pipeline, aml = found
        where = f"aml config {display_path(aml.path)} named by {display_path(pipeline)}"
        return _by_aml(known, aml, where), f"{where}, tenant {aml.tenant}"
    config = find_workspace_config(cwd)
    if config is None:
        names = ", ".join(t.name for t in known.targets) or "none defined"
        raise NotFoundError(
            "no target given and none detected",
            hint=f"pass --target NAME, set ENVYARD_TARGET, name an aml config in the "
            f"pipeline's defaults, or run where a workspace config.json is (known targets: "
            f"{names})",
        )
    return _by_config(known, config), f"workspace config {display_path(config)}"


def _by_aml(known: _Known, aml: AmlConfig, where: str) -> Target:
    for key in (aml.tenant, aml.name):
        if key is None:
            continue
        found = _matching(known, key)
        if len({t.name for t, _ in found}) > 1:
            raise _conflict(f"'{key}' from {where}", found)
        if found:
            return found[0][0]
    return Target(name=_safe_name(aml.name), tenant_id=aml.tenant)


def _by_config(known: _Known, config: Path) -> Target:
    resolved = config.resolve()
    for target in known.targets:
        if known.config_path(target) == resolved:
            return target
    tenant = read_tenant(config)
    for key in (tenant, config_name(config)):
        if key is None:
            continue
        found = _matching(known, key)
        if len({t.name for t, _ in found}) > 1:
            raise _conflict(f"'{key}' from workspace config {display_path(config)}", found)
        if found:
            return found[0][0]
    if tenant:
        return Target(name=_safe_name(tenant), tenant_id=tenant, workspace_config=str(config))
    return Target(name=_safe_name(config_name(config)), workspace_config=str(config))


def _by_key(
    known: _Known, key: str, source: str, cwd: Path, overrides: Path | None
) -> tuple[Target, str]:
    if key.endswith(".json") and (cwd / key).is_file():
        return _by_config(known, cwd / key), f"{source} (workspace config {key})"
    found = _matching(known, key)
    if len({t.name for t, _ in found}) > 1:
        raise _conflict(f"{source} '{key}'", found)
    if found:
        return found[0][0], source
    aml = aml_config(overrides, key)
    if aml is not None:  # shrike's `aml=NAME`: the tenant of config/aml/NAME.yaml
        where = f"aml config {display_path(aml.path)}"
        return _by_aml(known, aml, where), f"{source} ({where}, tenant {aml.tenant})"
    profiles = load_profiles(overrides) if overrides else None
    if profiles is not None and key in profiles.profiles:
        return Target(name=_safe_name(key), tenant_id=key, profile=key), source
    names = ", ".join(t.name for t in known.targets) or "none defined"
    keys = ", ".join(profiles.profiles) if profiles else "no overrides file found"
    raise NotFoundError(
        f"unknown target '{key}' ({source})",
        hint=f"known targets: {names}; override profiles: {keys}",
    )


def _safe_name(key: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in key).lstrip("._-")
    return cleaned or "target"


def _profile_key(
    known: _Known, target: Target, profiles: OverrideProfiles | None, seen: set[str]
) -> str | None:
    if profiles is None:
        return None
    if target.name in seen:
        raise ConflictError(
            f"target '{target.name}' names itself through `profile:` (cycle: "
            + " -> ".join([*seen, target.name])
            + ")",
            hint="point `profile:` at a key of tenant_overrides",
        )
    seen.add(target.name)
    if target.profile is not None:
        if target.profile in profiles.profiles:
            return target.profile
        other = next((t for t in known.targets if t.name == target.profile), None)
        if other is None:
            raise NotFoundError(
                f"target '{target.name}' uses profile '{target.profile}', which is neither a "
                f"key of tenant_overrides in {profiles.file} nor a target",
                hint="profiles: " + ", ".join(profiles.profiles),
            )
        return _profile_key(known, other, profiles, seen)
    by_tenant = shrike_profile(list(profiles.profiles), target.tenant_id, profiles.path)
    candidates = [by_tenant] if by_tenant else list(_identities(known, target).values())
    for key in candidates:
        if key in profiles.profiles:
            found = _matching(known, key, implicit_only=True)
            if len({t.name for t, _ in found}) > 1:
                raise _conflict(f"profile '{key}' in {profiles.file}", found)
            return key
    return None
