"""``envyard asset build NAME [--push]``: build the pinned context with podman, buildah or docker.

The build context is pinned first (every template tag resolved; a tag that cannot be resolved
stops the build), Envyard's bootstrap is added when the Dockerfile copies it and the context
lacks it, and the image is tagged ``<registry>/<image.name>:<version>``. Builds always use
``--network host`` (never the default bridge network); registries on this machine are
reached without TLS.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.model import Asset
from envyard.assets.pinning.pin import pin_assets, write_pinned
from envyard.assets.tags.spec import publish_hostname
from envyard.errors import ConfigError, ExecutionError, MissingDependencyError, ResolveError

TOOLS = ("podman", "buildah", "docker")
_LOOPBACK = ("127.", "localhost", "[::1]")


@dataclass(frozen=True)
class BuiltImage:
    tag: str
    tool: str
    pushed: bool


def find_tool(preferred: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The first container tool that is installed and can talk to its engine."""
    reasons = []
    for name in (preferred,) if preferred else TOOLS:
        path = shutil.which(name)
        if path is None:
            reasons.append(f"{name}: not installed")
            continue
        probe = [path, "version"] if name != "docker" else [path, "info", "--format", "{{.ID}}"]
        proc = subprocess.run(probe, capture_output=True, text=True, env=env, check=False)
        if proc.returncode == 0:
            return name
        reasons.append(f"{name}: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
    raise MissingDependencyError(
        "no container tool can build here (" + "; ".join(reasons) + ")",
        hint="apt-get install podman runc (see docs/assets.md for podman settings)",
    )


def default_version(asset: Asset, settings: AssetSettings) -> str:
    """The manual version, else the highest released ``<prefix>/<name>/<N>`` tag."""
    if not asset.auto_version and asset.version:
        return asset.version
    from envyard.assets.release.git import Git

    prefix = f"refs/tags/{settings.release_tag_prefix}/{asset.name}/"
    released = [r[len(prefix) :] for r in Git(asset.root).refs(prefix)]
    numbers = sorted(int(v) for v in released if v.isdigit())
    if not numbers:
        raise ConfigError(
            f"'{asset.name}' is auto-versioned and not released yet",
            hint="pass --version, or release it first",
        )
    return str(numbers[-1])


def image_tag(asset: Asset, settings: AssetSettings, registry: str | None, version: str) -> str:
    if asset.env is None:
        raise ConfigError(f"'{asset.name}' is not an environment asset with an image")
    host = registry
    if host is None and asset.env.image.publish is not None:
        host = publish_hostname(settings, asset.env.image.publish.location)
    name = asset.env.image.name
    host = (host or "").removeprefix("http://").removeprefix("https://").rstrip("/")
    return f"{host}/{name}:{version}" if host else f"{name}:{version}"


def _insecure(tag: str) -> bool:
    return tag.startswith(_LOOPBACK)


def _run(argv: list[str], env: Mapping[str, str] | None, what: str) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ExecutionError(f"{what} failed: {' | '.join(tail)}", output=proc.stderr + proc.stdout)


def build_asset(
    asset: Asset,
    settings: AssetSettings,
    *,
    version: str,
    registry: str | None = None,
    push: bool = False,
    tool: str | None = None,
    online: bool = False,
    env: Mapping[str, str] | None = None,
    echo: Callable[[str], None] | None = None,
) -> BuiltImage:
    say = echo or (lambda _text: None)
    chosen = find_tool(tool, env)
    tag = image_tag(asset, settings, registry, version)
    results = asyncio.run(pin_assets([asset], settings, online=online))
    pinned = results[0]
    if pinned.skipped:
        lines = ", ".join(f"{e.file}:{e.line} {e.tag} ({e.reason})" for e in pinned.skipped)
        raise ResolveError(
            f"cannot build '{asset.name}': unresolved tags: {lines}",
            hint="configure a registry mirror / index (see docs/assets.md) or pass --online",
        )
    with tempfile.TemporaryDirectory(prefix="envyard-build-") as tmp:
        context = Path(tmp) / "context"
        write_pinned(pinned, context, settings)
        dockerfile = context / (
            asset.env.image.context.dockerfile
            if asset.env and asset.env.image.context
            else "Dockerfile"
        )
        _add_bootstrap(context, dockerfile, say)
        say(f"building {tag} with {chosen}")
        argv = [chosen, "build", "--network", "host", "-t", tag, "-f", str(dockerfile)]
        if chosen == "buildah":
            argv[1] = "bud"
        if chosen != "docker" and (_insecure(tag) or _pulls_insecure(dockerfile)):
            argv.append("--tls-verify=false")
        _run([*argv, str(context)], env, f"{chosen} build of {tag}")
    if push:
        say(f"pushing {tag}")
        argv = [chosen, "push", tag]
        if chosen != "docker" and _insecure(tag):
            argv.insert(2, "--tls-verify=false")
        _run(argv, env, f"{chosen} push of {tag}")
    return BuiltImage(tag, chosen, push)


def _pulls_insecure(dockerfile: Path) -> bool:
    text = dockerfile.read_text(encoding="utf-8", errors="replace")
    return any(
        line.split()[1].startswith(_LOOPBACK) if len(line.split()) > 1 else False
        for line in text.splitlines()
        if line.strip().upper().startswith("FROM")
    )


def _add_bootstrap(context: Path, dockerfile: Path, say: Callable[[str], None]) -> None:
    from envyard.launch.bootstrap import BOOTSTRAP_NAME, bootstrap_text

    target = context / BOOTSTRAP_NAME
    if target.exists() or not dockerfile.is_file():
        return
    if BOOTSTRAP_NAME in dockerfile.read_text(encoding="utf-8", errors="replace"):
        target.write_text(bootstrap_text(), encoding="utf-8")
        target.chmod(0o755)
        say(f"added Envyard's {BOOTSTRAP_NAME} to the build context")
