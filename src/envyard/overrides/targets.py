"""Which target a submission goes to, and which override profile applies there.

Detection order: ``--target`` (a target name, a tenant id, a profile key or the path of a
workspace ``config.json``), then ``ENVYARD_TARGET``, then a workspace config file found in the
working directory, its ``.azureml/`` folder or any parent (and theirs), as ML workspace tools
write it: ``{"tenant_id": ...}``.

A workspace config also has a readable *name* (the RFC's add-on): its file stem
(``personal.json`` -> ``personal``), or for a file called ``config.json`` the folder holding it
(``personal/config.json`` -> ``personal``; ``proj/.azureml/config.json`` -> ``proj``).

A target's profile is the first key of ``tenant_overrides`` among: its ``profile`` (a profile
key, or another target's name), its ``tenant_id``, its ``name``, its workspace config name.
A profile key that implicitly identifies two targets is an error naming both.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from envyard.errors import ConflictError, NotFoundError, SpecError
from envyard.overrides.profiles import OverrideProfiles, load_profiles
from envyard.overrides.project import find_overrides_file, find_targets_file
from envyard.overrides.rules import Rule
from envyard.spec.loader import load_model
from envyard.spec.overrides import Target, TargetsFile
from envyard.spec.source import display_path


@dataclass(frozen=True)
class ResolvedTarget:
    """A target, the profile that applies there (maybe none) and how it was chosen."""

    target: Target
    profile_key: str | None
    rules: tuple[Rule, ...]
    overrides: OverrideProfiles | None
    source: str
    targets_file: Path | None = None

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


def config_name(path: Path) -> str:
    """The readable name of a workspace config file (see the module docstring)."""
    if path.stem != "config":
        return path.stem
    parent = path.parent
    if parent.name == ".azureml":
        parent = parent.parent
    return parent.name or path.stem


def find_workspace_config(cwd: Path) -> Path | None:
    """``config.json`` in ``cwd`` or ``cwd/.azureml``, then in each parent the same way."""
    for folder in (cwd, *cwd.parents):
        for candidate in (folder / "config.json", folder / ".azureml" / "config.json"):
            if candidate.is_file():
                return candidate
    return None


def read_tenant(config: Path) -> str | None:
    """The ``tenant_id`` of a workspace config file (None when it has none)."""
    shown = display_path(config)
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SpecError.at(
            shown, f"not valid JSON: {exc.msg}", line=exc.lineno, col=exc.colno
        ) from None
    except OSError as exc:
        raise SpecError.at(shown, f"cannot read: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise SpecError.at(shown, "a workspace config holds a JSON object", line=1, col=1)
    tenant = data.get("tenant_id") or data.get("tenantId")
    return str(tenant) if tenant else None


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
) -> ResolvedTarget:
    """Find the target (see the module docstring for the order) and its override profile."""
    targets_file = targets_file or find_targets_file(cwd)
    known = _load_known(targets_file)
    target, source = _pick(known, name_or_tenant, cwd, overrides)
    overrides_path = overrides
    if overrides_path is None and target.overrides:
        overrides_path = (known.base or cwd) / target.overrides
    overrides_path = overrides_path or find_overrides_file(cwd)
    profiles = load_profiles(overrides_path) if overrides_path else None
    key = _profile_key(known, target, profiles, set())
    rules = profiles.get(key) if profiles is not None and key is not None else ()
    return ResolvedTarget(target, key, rules, profiles, source, targets_file)


def _load_known(targets_file: Path | None) -> _Known:
    if targets_file is None:
        return _Known((), None)
    model = load_model(targets_file, TargetsFile, "targets")
    return _Known(tuple(model.targets), targets_file.resolve().parent)


def _pick(
    known: _Known, given: str | None, cwd: Path, overrides: Path | None
) -> tuple[Target, str]:
    if given:
        return _by_key(known, given, "--target", cwd, overrides), "--target"
    env = os.environ.get("ENVYARD_TARGET")
    if env:
        return _by_key(known, env, "ENVYARD_TARGET", cwd, overrides), "ENVYARD_TARGET"
    config = find_workspace_config(cwd)
    if config is None:
        names = ", ".join(t.name for t in known.targets) or "none defined"
        raise NotFoundError(
            "no target given and none detected",
            hint=f"pass --target NAME, set ENVYARD_TARGET, or run where a workspace "
            f"config.json is (known targets: {names})",
        )
    return _by_config(known, config), f"workspace config {display_path(config)}"


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


def _by_key(known: _Known, key: str, source: str, cwd: Path, overrides: Path | None) -> Target:
    if key.endswith(".json") and (cwd / key).is_file():
        return _by_config(known, cwd / key)
    found = _matching(known, key)
    if len({t.name for t, _ in found}) > 1:
        raise _conflict(f"{source} '{key}'", found)
    if found:
        return found[0][0]
    overrides = overrides or find_overrides_file(cwd)
    profiles = load_profiles(overrides) if overrides else None
    if profiles is not None and key in profiles.profiles:
        return Target(name=_safe_name(key), tenant_id=key, profile=key)
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
    for key in _identities(known, target).values():
        if key in profiles.profiles:
            found = _matching(known, key, implicit_only=True)
            if len({t.name for t, _ in found}) > 1:
                raise _conflict(f"profile '{key}' in {profiles.file}", found)
            return key
    return None
