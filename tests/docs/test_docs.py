"""Every command block of README.md and docs/*.md runs as written (issue 16).

Each Markdown file's blocks run in order, in one temporary workspace: a git checkout of the
project's files (with an ``origin`` remote, for ``--changed-since origin/main``), its own
``ENVYARD_HOME`` and ``HOME``, and this environment's ``envyard`` and ``pytest`` first on PATH.
Where a block talks to a server the fixtures start it: ``postgresql+psycopg://...`` URLs are
pointed at the PostgreSQL fixture and ``http://envyard:8000`` at an Envyard server on this
metastore (``$ADMIN``, ``$READ_TOKEN`` and ``$WRITE_TOKEN`` hold its tokens). A block marked
``<!-- docs-test: skip REASON -->`` is skipped with REASON (see :mod:`.blocks`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .blocks import Block, command_blocks

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIMEOUT = 300  # seconds for one block (a notebook run, a kernel build)
_PG_URL = re.compile(r"postgresql\+psycopg://[^\s'\"]+")
_SERVER = "http://envyard:8000"

pytestmark = pytest.mark.xdist_group("docs")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's files (tracked and new ones), as a git repository with ``origin``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    copy = tmp_path_factory.mktemp("docs-project")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    _git(copy, "init", "-q", "-b", "main")
    _git(copy, "add", "-A")
    _git(copy, "-c", "user.name=docs", "-c", "user.email=docs@localhost", "commit", "-qm", "docs")
    return copy


@pytest.fixture
def workspace(project_copy: Path, tmp_path: Path) -> Path:
    work = tmp_path / "project"
    shutil.copytree(project_copy, work, symlinks=True)
    _git(work, "remote", "add", "origin", str(project_copy))
    _git(work, "fetch", "-q", "origin")
    return work


def _environment(work: Path) -> dict[str, str]:
    home = work.parent / "envyard-home"
    user_home = work.parent / "user-home"
    user_home.mkdir(exist_ok=True)
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("ENVYARD_", "PYTEST_", "COV_")) and k != "VIRTUAL_ENV"
    }  # fmt: skip
    env.update(
        ENVYARD_HOME=str(home),
        HOME=str(user_home),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        GIT_AUTHOR_NAME="docs", GIT_AUTHOR_EMAIL="docs@localhost",
        GIT_COMMITTER_NAME="docs", GIT_COMMITTER_EMAIL="docs@localhost",
        NO_COLOR="1", TERM="dumb",
    )  # fmt: skip
    return env


def _servers(request: pytest.FixtureRequest, text: str, env: dict[str, str]) -> str:
    """``text`` with placeholder servers pointed at fixtures (started only when used)."""
    if _PG_URL.search(text):
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"docs_{os.getpid()}_{len(text)}")
        text = _PG_URL.sub(url, text)
    if _SERVER in text:
        from envyard.service.testing import EnvyardServer

        home = Path(env["ENVYARD_HOME"])
        db_url = f"sqlite:///{home / 'envyard.db'}"
        home.mkdir(parents=True, exist_ok=True)
        server = EnvyardServer.start(db_url, home.parent, env={"ENVYARD_HOME": str(home)})
        request.addfinalizer(server.stop)
        env.update(
            ADMIN=server.tokens["admin"],
            READ_TOKEN=server.tokens["read"],
            WRITE_TOKEN=server.tokens["write"],
        )
        text = text.replace(_SERVER, server.url)
    return text


def _script(block: Block) -> str:
    """The block as a bash script that stops at the first failing command, naming it."""
    lines = ["set -uo pipefail"]
    for command, expected in block.steps():
        quoted = command.replace("'", "'\\''")
        lines += [
            command,
            f"rc=$?; if [ $rc -ne {expected} ]; then "
            f"echo 'docs-test: {block.where}: `{quoted}` exited '$rc' (expected {expected})' >&2;"
            " exit 99; fi",
        ]
    return "\n".join(lines) + "\n"


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_command_block_runs_as_written(
    page: Path, workspace: Path, request: pytest.FixtureRequest
) -> None:
    env = _environment(workspace)
    ran = 0
    for block in command_blocks(page):
        if block.skip is not None:
            print(f"{block.where}: skipped: {block.skip}")
            continue
        if not block.commands():
            continue
        script = _servers(request, _script(block), env)
        result = subprocess.run(
            ["bash", "-c", script], cwd=workspace, env=env, capture_output=True, text=True,
            timeout=TIMEOUT, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        assert result.returncode == 0, (
            f"{block.where} failed:\n--- script\n{script}--- stdout\n{result.stdout[-3000:]}"
            f"--- stderr\n{result.stderr[-3000:]}"
        )
        ran += 1
    print(f"{_page_id(page)}: {ran} block(s) ran")


def test_blocks_are_read_as_documented(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```sh\necho one \\\n  two   # a comment\n# only a comment\n```\n\n"
        "<!-- docs-test: skip needs a cluster -->\n```\nray start --head\n```\n\n"
        "```console\n$ envyard validate x.yaml\nx.yaml:1:1: broken\n$ true\n```\n"
        "<!-- docs-test: exit 1 -->\n```console\n$ false\n```\n"
        "```yaml\nnot: a command\n```\n"
    )
    blocks = command_blocks(page)
    assert [b.commands() for b in blocks] == [
        ["echo one    two   # a comment"], ["ray start --head"],
        ["envyard validate x.yaml", "true"], ["false"],
    ]  # fmt: skip
    assert blocks[2].steps() == [("envyard validate x.yaml", 1), ("true", 0)]
    assert [(b.skip, b.exit_code, b.line) for b in blocks] == [
        (None, 0, 1), ("needs a cluster", 0, 8), (None, 0, 12), (None, 1, 18),
    ]  # fmt: skip
    script = _script(blocks[3])
    assert subprocess.run(["bash", "-c", script], check=False).returncode == 0


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    yield
