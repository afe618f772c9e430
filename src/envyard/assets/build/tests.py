"""``envyard asset test NAME``: run an asset's pytest config in a fresh uv environment.

The environment gets the asset's ``pip_requirements`` (template tags resolved first) plus
pytest, from the configured index only: ``/etc/pip.conf``, ``PIP_*`` and ``UV_*`` settings of
the machine are ignored (``PIP_CONFIG_FILE=/dev/null``, ``UV_NO_CONFIG=1``), so the result
does not depend on where it runs. Without a configured index uv uses PyPI.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.confine import refuse_escapes
from envyard.assets.discovery.model import Asset
from envyard.assets.pinning.pin import ResolveFailedError
from envyard.assets.resolvers.base import PUBLIC_INDEX
from envyard.assets.tags.scan import scan
from envyard.errors import ExecutionError, NotFoundError


@dataclass(frozen=True)
class TestRun:
    exit_code: int
    output: str
    index_url: str


def isolated_env(index_url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in (os.environ if base is None else base).items()
        if not k.startswith(("PIP_", "UV_"))
    }
    keep = {k: v for k, v in (base or os.environ).items() if k in ("UV_CACHE_DIR",)}
    env.update(keep)
    env.update(
        {
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_INDEX_URL": index_url,
            "UV_NO_CONFIG": "1",
            "UV_INDEX_URL": index_url,
            "UV_PYTHON_DOWNLOADS": "never",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def _requirements(asset: Asset, settings: AssetSettings, online: bool) -> list[str]:
    test = asset.config.test
    assert test is not None and test.pytest is not None  # noqa: S101 - checked by caller
    lines: list[str] = []
    if test.pytest.pip_requirements:
        path = asset.dir / test.pytest.pip_requirements
        text = path.read_text(encoding="utf-8")
        if any(True for _ in scan(text, str(path))):
            text = _pin_text(path, text, settings, online)
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    names = {
        ln.split("=")[0].split("[")[0].split("<")[0].split(">")[0].strip().lower() for ln in lines
    }
    if "pytest" not in names:
        lines.append("pytest")
    return lines


def _pin_text(path: Path, text: str, settings: AssetSettings, online: bool) -> str:
    from envyard.assets.resolvers.base import ResolveContext
    from envyard.assets.resolvers.pypi import LatestPypiVersion
    from envyard.assets.tags.http import HttpSession

    async def run() -> str:
        async with HttpSession(concurrency=settings.concurrency) as session:
            ctx = ResolveContext(settings, session, online=online)
            resolver = LatestPypiVersion()
            out, pos = [], 0
            problems = []
            for tag in scan(text, str(path)):
                if tag.name != resolver.name:
                    problems.append(tag.diagnostic(f"unsupported tag {tag.text} here"))
                    continue
                reason = resolver.skip_reason(tag, ctx)
                if reason:
                    problems.append(tag.diagnostic(reason, "pass --index-url or --online"))
                    continue
                res = await resolver.resolve(tag, ctx)
                out += [text[pos : tag.start], res.value]
                pos = tag.end
            if problems:
                raise ResolveFailedError(problems)
            return "".join(out) + text[pos:]

    return asyncio.run(run())


def run_asset_tests(
    asset: Asset,
    settings: AssetSettings,
    *,
    online: bool = False,
    env: Mapping[str, str] | None = None,
    echo: Callable[[str], None] | None = None,
) -> TestRun:
    from envyard.launch.uvtool import uv_binary

    test = asset.config.test
    if test is None or test.pytest is None or not test.pytest.enabled:
        raise NotFoundError(
            f"asset '{asset.name}' has no enabled pytest config",
            hint="add test.pytest to its asset.yaml",
        )
    refuse_escapes([asset])  # its tests folder and requirements stay inside the repository
    tests_dir = asset.dir / test.pytest.tests_dir
    if not tests_dir.is_dir():
        raise NotFoundError(f"tests folder {tests_dir} does not exist")
    index = (settings.index_urls or [PUBLIC_INDEX])[0]
    requirements = _requirements(asset, settings, online)
    run_env = isolated_env(index, env)
    uv = uv_binary()
    say = echo or (lambda _text: None)
    with tempfile.TemporaryDirectory(prefix="envyard-asset-test-") as tmp:
        venv = Path(tmp) / "venv"
        req = Path(tmp) / "requirements.txt"
        req.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        python = venv / "bin" / "python"
        say(f"creating a uv environment with {len(requirements)} requirement(s) from {index}")
        for argv in (
            [uv, "venv", "--no-config", "--quiet", "--python", sys.executable, str(venv)],
            [
                uv,
                "pip",
                "install",
                "--no-config",
                "--quiet",
                "--index-url",
                index,
                "--python",
                str(python),
                "-r",
                str(req),
            ],
        ):
            proc = subprocess.run(argv, env=run_env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise ExecutionError(
                    f"installing the test requirements of '{asset.name}' failed: "
                    f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:]}",
                    output=proc.stderr + proc.stdout,
                )
        say(f"running pytest in {tests_dir}")
        proc = subprocess.run(
            [str(python), "-m", "pytest", "-p", "no:cacheprovider", str(tests_dir)],
            cwd=asset.dir,
            env=run_env,
            capture_output=True,
            text=True,
            check=False,
        )
        return TestRun(proc.returncode, proc.stdout + proc.stderr, index)
