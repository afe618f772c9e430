"""A kernel fork server: import ipykernel once, then fork one fresh kernel process per request.

This file runs *inside the kernel's interpreter* (which may not have Envyard installed), so it
uses only the standard library until it imports ``ipykernel``. The runner starts it with
``python -c <loader> <this file>`` and talks to it over stdin/stdout, one JSON object per line:

* request ``{"id": N, "connection_file": F, "cwd": D, "env": {...}, "log": L}`` -> reply
  ``{"id": N, "pid": P}`` (or ``{"id": N, "error": "..."}``), with ``"info": {...}`` when
  the kernel's ``kernel_info`` answer and its IOPub greeting are known ahead
  (:func:`envyard.notebooks.forkprep.announced`);
* when a forked kernel exits the server writes ``{"exit": P, "status": S}`` (``S`` is the exit
  code, or ``-signal``).

Each kernel is a new process (its own memory, interpreter state and session: ``setsid``), forked
after the expensive imports and what :mod:`envyard.notebooks.forkprep` builds once (ipykernel's
application and shell), so start-up costs a fork instead of ~1 s of imports. The random
module is reseeded in the child so kernels do not share a random sequence. When stdin closes
(the runner exited or died) every kernel still running is killed and the server exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from typing import Any


def _write(obj: dict[str, object]) -> None:
    data = (json.dumps(obj) + "\n").encode()
    while data:
        try:
            written = os.write(1, data)
        except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for old Pythons
            continue
        data = data[written:]


CHILDREN: set[int] = set()
_PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "tornado.platform.asyncio",
    "faulthandler",
    "http.server",
    "xmlrpc.client",
    "xmlrpc.server",
    # what IPKernelApp.initialize and a first cell (and its first traceback) import lazily
    "pdb",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "IPython.core.logger",
    "stack_data",
    "pygments.formatters.terminal256",
    "pygments.styles",
    "fractions",
)


def _reap(*_: object) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid not in CHILDREN:
            continue  # an orphan adopted as the subreaper: reaped, nobody to tell
        CHILDREN.discard(pid)
        with contextlib.suppress(OSError):  # what the notebook started in the kernel's session
            os.killpg(pid, signal.SIGKILL)
        code = os.waitstatus_to_exitcode(status)
        _write({"exit": pid, "status": code})


def _child(request: dict[str, object], server_pid: int) -> None:
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    log = os.open(str(request["log"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(null)
    os.close(log)
    os.chdir(str(request["cwd"]))
    env = request.get("env")
    if isinstance(env, dict):
        os.environ.update({str(k): str(v) for k, v in env.items()})
    import random

    random.seed()
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # IPython puts the working directory back (InteractiveShellApp.init_path)
    _PREP.launch(str(request["connection_file"]), server_pid)


def _serve() -> None:
    server_pid = os.getpid()
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides when we stop
    stdin = os.fdopen(0, "rb", buffering=0)
    buffer = b""
    later = [_when_idle]
    while True:
        if later and b"\n" not in buffer and not _readable(0):
            later.pop()()
            continue
        try:
            chunk = stdin.read(65536)
        except InterruptedError:  # pragma: no cover - PEP 475 retries
            continue
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            _fork(json.loads(line), server_pid)
    for pid in list(CHILDREN):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    for pid in _adopted(server_pid):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    _reap_all()


def _fork(request: dict[str, Any], server_pid: int) -> None:
    """Fork one kernel for ``request`` and reply with its pid (or the error)."""
    try:
        pid = os.fork()
    except OSError as exc:
        _write({"id": request["id"], "error": f"fork failed: {exc}"})
        return
    if pid == 0:
        code = 0
        try:
            _child(request, server_pid)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # the kernel's own crash: report via the log file
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    CHILDREN.add(pid)
    reply: dict[str, object] = {"id": request["id"], "pid": pid}
    env = request.get("env")
    info = _PREP.announced(env if isinstance(env, dict) else {})
    if info is not None:
        reply["info"] = info
    _write(reply)


def _readable(fd: int) -> bool:
    import select

    return bool(select.select([fd], [], [], 0)[0])


def _when_idle() -> None:
    """What is left of the warm-up (a traceback's, ~0.2 s), done once no kernel is asked for:
    the first kernels are forked that much sooner (they format a first traceback without
    its caches: slower, the same text). Then the scan stand-ins again, and frozen again."""
    import gc

    gc.disable()
    _PREP.warm_tracebacks()
    _PREP.scan_modules()  # what the warm-up imported
    gc.freeze()
    gc.enable()


def _reap_all(seconds: float = 5.0) -> None:
    """Wait (bounded) until every killed child is gone, so none outlives this server."""
    import time

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.005)


def _subreaper() -> None:
    """Become the child subreaper of everything the kernels start (Linux): an orphan (a
    process whose kernel exited, also in a new session) is re-parented here, not to init."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):  # not Linux
        pass


def _adopted(server_pid: int) -> list[int]:
    """Live children of this server (kernels and adopted orphans), from /proc."""
    from pathlib import Path

    found: list[int] = []
    try:
        entries = list(Path("/proc").iterdir())
    except OSError:
        return found
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(server_pid):
            found.append(int(entry.name))
    return found


def _load_prep() -> Any:
    """:mod:`envyard.notebooks.forkprep`, with its :mod:`~envyard.notebooks.forkscan`, loaded
    from this file's folder (this interpreter may not have Envyard; this file runs as
    ``__main__``, so its path is its code's)."""
    prep = _load_sibling("forkprep.py", "_envyard_forkprep")
    prep._SCANNING = _load_sibling("forkscan.py", "_envyard_forkscan")
    return prep


def _load_sibling(filename: str, name: str) -> Any:
    """The module in ``filename``, beside this file."""
    import importlib.util
    from pathlib import Path

    path = Path(_load_sibling.__code__.co_filename).with_name(filename)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a file path always loads
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_PREP: Any = None


def main() -> None:
    # Everything a kernel imports on start-up, imported once before any fork.
    import gc
    import importlib

    gc.disable()  # nothing here is garbage worth the full collections the imports trigger

    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: S112 - optional speed-ups (debugpy may be absent)
            continue

    global _PREP  # noqa: PLW0603 - set once, before the first fork
    _PREP = _load_prep()
    _PREP.warm()
    _PREP.prebuild()
    _subreaper()
    _PREP.scan_modules()  # last: every module is imported
    gc.freeze()  # the children never scan (so never copy) the imported objects' pages
    gc.enable()
    _write({"ready": os.getpid()})
    _serve()
    os._exit(0)  # its kernels are dead; tearing down the imported IPython would cost ~1 s


if __name__ == "__main__":
    main()
