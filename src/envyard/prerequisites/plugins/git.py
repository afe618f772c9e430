"""``git``: check out a repository into the run directory.

Parameters: ``uri`` (what ``git clone`` accepts; a relative path is relative to the job
file), ``ref`` (branch, tag or commit; default: the remote's HEAD), ``depth`` (shallow clone;
ignored when ``ref`` is a commit), ``dest`` (default ``src/<name>``). The checkout is exported
as ``ENVYARD_GIT_<NAME>``; callbacks run after it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from envyard.errors import PluginError
from envyard.prerequisites.interface import Fragment, RenderContext
from envyard.prerequisites.plugins.base import (
    callback_fragments,
    confined_local_path,
    env_suffix,
    param,
    relative_dest,
    uris,
)
from envyard.spec.job import Prerequisite

_REMOTE = re.compile(r"^(?!file://)(?:[a-z+]+://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
"""A remote repository; ``file://`` URLs, like plain paths, are local and confined."""
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


class GitPlugin:
    name = "git"

    def fragments(self, prerequisite: Prerequisite, context: RenderContext) -> Sequence[Fragment]:
        name = prerequisite.name
        found = uris(prerequisite)
        if len(found) != 1:
            raise PluginError(f"prerequisite '{name}' uri: the git plugin needs one repository")
        source = found[0]
        if not _REMOTE.match(source):
            is_url = source[: len("file://")].lower() == "file://"
            local = Path(source[len("file://") :] if is_url else source)
            confined = confined_local_path(prerequisite, source, local, context.base_dir)
            context.reads(confined)
            source = str(confined)
        ref = param(prerequisite, "ref", str)
        depth = param(prerequisite, "depth", int)
        if ref is not None and ref.startswith("-"):
            raise PluginError(f"prerequisite '{name}' ref: '{ref}' is not a ref")
        dest = '"$ENVYARD_RUN_DIR"/' + context.quote(relative_dest(prerequisite, f"src/{name}"))
        clone = ["git", "clone", "--quiet"]
        if depth and not (ref and _COMMIT.match(ref)):
            clone += ["--depth", str(depth)]
            if ref:
                clone += ["--branch", context.quote(ref)]
        clone += ["--", context.quote(source), dest]
        lines = [" ".join(clone)]
        if ref and not depth:
            lines.append(f"git -C {dest} checkout --quiet {context.quote(ref)} --")
        elif ref and _COMMIT.match(ref):
            lines.append(f"git -C {dest} fetch --quiet --depth 1 origin {context.quote(ref)}")
            lines.append(f"git -C {dest} checkout --quiet FETCH_HEAD --")
        lines.append(f"export ENVYARD_GIT_{env_suffix(name)}={dest}")
        checkout = Fragment("containerStart", tuple(lines), prerequisite.failurePolicy, "checkout")
        return [checkout, *callback_fragments(prerequisite, context)]
