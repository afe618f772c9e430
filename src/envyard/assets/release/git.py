"""Git plumbing for releases: read a branch without checking it out, write objects, move refs.

Nothing here touches the working tree, the index or HEAD of the user's repository: trees are
built in a temporary index file (``GIT_INDEX_FILE``), commits with ``commit-tree``, and every
ref (the release branch and all tags) moves in one ``update-ref --stdin`` transaction that
checks each ref's old value — so a release either lands completely or not at all.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from envyard.errors import ExecutionError, MissingDependencyError, NotFoundError, SpecError

ZERO = "0" * 40


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    sha: str


def _no_git() -> MissingDependencyError:
    return MissingDependencyError("git is not installed", hint="apt-get install git")


def _output(args: tuple[str, ...], code: int, out: bytes, err: bytes, check: bool) -> bytes:
    if code != 0:
        if not check:
            return b""
        text = err.decode(errors="replace").strip()
        raise ExecutionError(
            f"git {args[0]} failed: {text.splitlines()[-1] if text else ''}", output=text
        )
    return out


class Pending:
    """A ``git`` command started by :meth:`Git.start`, running while the caller works."""

    def __init__(self, args: tuple[str, ...], proc: subprocess.Popen[bytes]) -> None:
        self.args = args
        self.proc = proc
        self._done: tuple[bytes, bytes] | None = None

    def result(self, *, check: bool = True) -> str:
        """Its output (stripped); ``check``: a failure raises ExecutionError, else gives ""."""
        if self._done is None:
            self._done = self.proc.communicate()
        out, err = self._done
        return _output(self.args, self.proc.returncode, out, err, check).decode().strip()

    def wait(self) -> None:
        """Let it finish (never killed: ``git status`` may hold the index lock)."""
        if self._done is None:
            self._done = self.proc.communicate()


class Git:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        top = self.run("rev-parse", "--show-toplevel", check=False)
        if not top:
            raise NotFoundError(f"{self.path} is not a git repository", hint="pass --repo PATH")
        self.root = Path(top)

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> str:
        return self.run_bytes(*args, input=input, env=env, check=check).decode().strip()

    def run_bytes(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> bytes:
        try:
            proc = subprocess.run(
                ["git", "-C", str(self.path), *args],
                input=input,
                capture_output=True,
                env=self._env(env),
                check=False,
            )
        except FileNotFoundError:
            raise _no_git() from None
        return _output(args, proc.returncode, proc.stdout, proc.stderr, check)

    def start(self, *args: str) -> Pending:
        """Start a read-only command that needs no input; :meth:`Pending.result` collects it.

        Independent reads (refs, the work tree's status) run side by side instead of one
        after another: each ``git`` run costs a few milliseconds of start-up.
        """
        try:
            proc = subprocess.Popen(
                ["git", "-C", str(self.path), *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self._env(None),
            )
        except FileNotFoundError:
            raise _no_git() from None
        return Pending(args, proc)

    @staticmethod
    def _env(env: Mapping[str, str] | None) -> dict[str, str]:
        return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **(env or {})}

    # --- reading ----------------------------------------------------------------------
    def rev(self, ref: str) -> str | None:
        return self.start_rev(ref).result(check=False) or None

    def start_rev(self, ref: str) -> Pending:
        return self.start("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")

    def ls_tree(self, commit: str | None) -> dict[str, TreeEntry]:
        if commit is None:
            return {}
        out = self.run_bytes("ls-tree", "-r", "-z", "--full-tree", commit)
        entries: dict[str, TreeEntry] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, _kind, sha = meta.decode().split(" ")
            entries[path.decode()] = TreeEntry(mode, sha)
        return entries

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        out = self.run_bytes("cat-file", "--batch", input="\n".join(wanted).encode() + b"\n")
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in wanted:
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].decode().split(" ")
            size = int(header[2])
            start = header_end + 1
            blobs[sha] = out[start : start + size]
            pos = start + size + 1
        return blobs

    def refs(self, prefix: str) -> dict[str, str]:
        return parse_refs(self.start_refs(prefix).result())

    def start_refs(self, prefix: str) -> Pending:
        return self.start("for-each-ref", "--format=%(refname) %(objectname)", prefix)

    def remote_url(self) -> str:
        return self.run("config", "--get", "remote.origin.url", check=False) or str(self.root)

    def current_branch(self) -> str | None:
        return self.start_current_branch().result(check=False) or None

    def start_current_branch(self) -> Pending:
        return self.start("symbolic-ref", "--quiet", "--short", "HEAD")

    # --- writing objects (no refs) ------------------------------------------------------
    def hash_files(self, files: list[Path], *, write: bool = True) -> list[str]:
        """Blob ids of ``files`` (written to the object store unless ``write`` is False)."""
        if not files:
            return []
        paths = "\n".join(str(f) for f in files).encode() + b"\n"
        flags = ("-w",) if write else ()
        out = self.run("hash-object", *flags, "--no-filters", "--stdin-paths", input=paths)
        return out.splitlines()

    def hash_blobs(self, blobs: list[bytes]) -> list[str]:
        if not blobs:
            return []
        with tempfile.TemporaryDirectory(prefix="envyard-blobs-") as tmp:
            paths = []
            for index, data in enumerate(blobs):
                path = Path(tmp) / str(index)
                path.write_bytes(data)
                paths.append(path)
            return self.hash_files(paths)

    def write_tree(self, base: str | None, changes: Mapping[str, TreeEntry | None]) -> str:
        """A tree: ``base`` (a commit or None) with ``changes`` applied (None removes)."""
        with tempfile.TemporaryDirectory(prefix="envyard-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if base:
                self.run("read-tree", base, env=env)
            else:
                self.run("read-tree", "--empty", env=env)
            lines = []
            for path, entry in sorted(changes.items()):
                if entry is None:
                    lines.append(f"0 {ZERO}\t{path}")
                else:
                    lines.append(f"{entry.mode} {entry.sha}\t{path}")
            if lines:
                self.run(
                    "update-index",
                    "--index-info",
                    input=("\n".join(lines) + "\n").encode(),
                    env=env,
                )
            return self.run("write-tree", env=env)

    def commit_tree(self, tree: str, parent: str | None, message: str) -> str:
        args = ["commit-tree", tree, "-m", message]
        if parent:
            args += ["-p", parent]
        env = {}
        if not self.run("config", "user.name", check=False):
            env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = "envyard"
        if not self.run("config", "user.email", check=False):
            env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = "envyard@localhost"
        return self.run(*args, env=env)

    # --- moving refs (atomically) -------------------------------------------------------
    def update_refs(self, updates: list[tuple[str, str, str | None]]) -> None:
        """Move every ``(ref, new, old)`` or none; ``old`` None means "must not exist".

        Every ref is checked first (no whitespace or control character that could start
        another ``update-ref --stdin`` command, and ``git check-ref-format``), every value
        is an object id: nothing from a file can steer the transaction."""
        for ref, new, old in updates:
            self.check_ref(ref)
            for value in (new, old):
                if value is not None and not _OBJECT_ID.fullmatch(value):
                    raise ValueError(f"not an object id: {value!r}")  # a bug, not user input
        lines = ["start"]
        for ref, new, old in updates:
            lines.append(f"update {ref} {new} {old or ZERO}")
        lines += ["prepare", "commit"]
        self.run("update-ref", "--stdin", input=("\n".join(lines) + "\n").encode())

    def check_ref(self, ref: str) -> None:
        """A user error unless ``ref`` is a full ref name that git accepts, without
        whitespace or control characters (which would start another ``--stdin`` command)."""
        bad = any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in ref)
        if not bad and ref.startswith("refs/"):
            pending = self.start("check-ref-format", ref)
            pending.wait()
            if pending.proc.returncode == 0:
                return
        raise SpecError.at(
            "<release>",
            f"refusing to write the git ref {ref!r}: not a valid ref name",
            hint="asset names and versions follow the naming rule: letters, digits, '.', '_', '-'",
        )


_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def parse_refs(out: str) -> dict[str, str]:
    """``for-each-ref --format='%(refname) %(objectname)'`` output as ref -> object."""
    return dict(line.split(" ", 1) for line in out.splitlines() if line)
