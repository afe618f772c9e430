"""Real git repositories in temporary directories, driven by the git CLI.

:class:`GitRepo` runs ``git`` with an environment that ignores the system and global config
(``GIT_CONFIG_NOSYSTEM=1``, ``GIT_CONFIG_GLOBAL=/dev/null``) and fixes author and committer, so
results do not depend on the machine or on ``$HOME``::

    repo = GitRepo(tmp_path / "assets").init()
    repo.write("asset.yaml", "name: demo\\n")
    sha = repo.commit("add demo asset")
    repo.tag("demo-1.0.0", message="release")
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from envyard.testing.process import require_executable

__all__ = ["GIT_USER_EMAIL", "GIT_USER_NAME", "GitRepo", "git_env"]

GIT_USER_NAME = "Envyard Tests"
GIT_USER_EMAIL = "tests@envyard.invalid"


def git_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Return an environment for ``git`` that is independent of system and user config."""
    env = dict(os.environ if base is None else base)
    for key in [k for k in env if k.startswith("GIT_")]:
        del env[key]
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": GIT_USER_NAME,
            "GIT_AUTHOR_EMAIL": GIT_USER_EMAIL,
            "GIT_COMMITTER_NAME": GIT_USER_NAME,
            "GIT_COMMITTER_EMAIL": GIT_USER_EMAIL,
            "LC_ALL": "C",
        }
    )
    return env


class GitRepo:
    """A git working tree (or bare repository) at *path*, created by :meth:`init`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._git = require_executable("git", "git")
        self._env = git_env()

    def __repr__(self) -> str:
        return f"GitRepo({str(self.path)!r})"

    def run(self, *args: str) -> str:
        """Run ``git ARGS`` in the repository and return stdout without the trailing newline.

        Raises :class:`subprocess.CalledProcessError` (with stderr captured) on failure.
        """
        result = subprocess.run(
            [self._git, *args],
            cwd=self.path,
            env=self._env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise subprocess.CalledProcessError(
                result.returncode, result.args, output=result.stdout, stderr=result.stderr
            )
        return result.stdout.rstrip("\n")

    def init(self, *, branch: str = "main", bare: bool = False) -> GitRepo:
        """Create the repository with default branch *branch* and a local identity."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.run("init", "--quiet", f"--initial-branch={branch}", *(["--bare"] if bare else []))
        for key, value in (
            ("user.name", GIT_USER_NAME),
            ("user.email", GIT_USER_EMAIL),
            ("commit.gpgsign", "false"),
            ("tag.gpgsign", "false"),
            ("core.autocrlf", "false"),
        ):
            self.run("config", "--local", key, value)
        return self

    def write(self, relpath: str, text: str) -> Path:
        """Write *text* to *relpath* inside the working tree (parents created) and return it."""
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str, *, add_all: bool = True, allow_empty: bool = False) -> str:
        """Commit (staging every change first unless *add_all* is false); return the new sha."""
        if add_all:
            self.run("add", "--all")
        self.run("commit", "--quiet", "-m", message, *(["--allow-empty"] if allow_empty else []))
        return self.head()

    def head(self, ref: str = "HEAD") -> str:
        """Return the full sha that *ref* points to."""
        return self.run("rev-parse", "--verify", f"{ref}^{{commit}}")

    def current_branch(self) -> str:
        """Return the checked-out branch name."""
        return self.run("symbolic-ref", "--short", "HEAD")

    def branch(self, name: str, *, start: str = "HEAD", checkout: bool = True) -> None:
        """Create branch *name* at *start*, and switch to it unless *checkout* is false."""
        if checkout:
            self.run("switch", "--quiet", "-c", name, start)
        else:
            self.run("branch", name, start)

    def checkout(self, ref: str) -> None:
        """Switch to branch *ref*, or detach at *ref* if it is not a branch."""
        branches = self.run("branch", "--list", "--format=%(refname:short)").split("\n")
        if ref in branches:
            self.run("switch", "--quiet", ref)
        else:
            self.run("switch", "--quiet", "--detach", ref)

    def tag(self, name: str, *, ref: str = "HEAD", message: str | None = None) -> str:
        """Create tag *name* at *ref* (annotated when *message* is given); return its commit."""
        if message is None:
            self.run("tag", name, ref)
        else:
            self.run("tag", "-a", name, "-m", message, ref)
        return self.head(name)

    def tags(self) -> list[str]:
        """Return the tag names, sorted."""
        out = self.run("tag", "--list")
        return sorted(out.split("\n")) if out else []

    def add_remote(self, name: str, url: str | Path) -> None:
        """Add a remote (a path to another :class:`GitRepo` works as *url*)."""
        self.run("remote", "add", name, str(url))

    def clone(self, dest: Path) -> GitRepo:
        """Clone this repository to *dest* and return it with the same local identity."""
        self.run("clone", "--quiet", str(self.path), str(dest))
        clone = GitRepo(dest)
        clone.run("config", "--local", "user.name", GIT_USER_NAME)
        clone.run("config", "--local", "user.email", GIT_USER_EMAIL)
        return clone
