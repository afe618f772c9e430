"""``python -m envyard`` and the ``envyard`` command (its console-script target is :func:`main`).

One early dispatch runs before click and the CLI modules are imported: a cached re-launch,
``envyard env launch NAME[@VERSION] [--] CMD [ARG...]`` with no option before the ``--``, goes
straight to :mod:`envyard.launch.fastpath` (the same code the ``launch`` command tries first),
so it costs little more than the command itself. Everything else, and anything the fast path
does not fully handle (an option, a miss, an error before the command starts), runs the full
CLI (:func:`envyard.cli.main.main`), which prints and exits the same. An error once the
fast path has started (say, the command is not in the kernel) goes to the CLI's error
boundary (:func:`envyard.cli.main.command_exit_code`), as it would on the full path.

``envyard nb test`` that forks kernels here starts its kernel fork server before the CLI is
imported (:mod:`envyard.notebooks.early`), so the server's ~0.5 s start overlaps the CLI's;
once it has printed its last line, it exits without the interpreter's teardown
(:func:`_exit_now`).
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn

__all__ = ["main"]


def _launch_args(argv: list[str]) -> list[str] | None:
    """``env launch``'s arguments as click parses *argv* (the first ``--`` removed), or None
    when *argv* is not ``env launch`` with positional arguments only before the ``--``."""
    if argv[:2] != ["env", "launch"]:
        return None
    rest = argv[2:]
    cut = rest.index("--") if "--" in rest else len(rest)
    if not rest[:cut] or any(arg.startswith("-") for arg in rest[:cut]):
        return None  # options (or none of REF): click parses them
    return rest[:cut] + rest[cut + 1 :]


def _early(argv: list[str]) -> int | None:
    """The exit code of a cached re-launch, or None: the full CLI runs (nothing printed)."""
    args = _launch_args(argv)
    if args is None:
        return None
    try:
        from envyard.launch.fastpath import find_relaunch
        from envyard.settings import load_settings

        cached = find_relaunch(args, load_settings())
    except KeyboardInterrupt as exc:
        return _boundary(exc)
    except Exception:  # the full CLI runs the same lookup and reports what went wrong
        return None
    if cached is None:
        return None
    try:
        return cached.run(dict(os.environ))
    except (Exception, KeyboardInterrupt) as exc:
        return _boundary(exc)


def _boundary(exc: BaseException) -> int:
    """What the full CLI prints and exits for *exc* raised in the ``launch`` command."""
    from envyard.cli.main import command_exit_code

    return command_exit_code(exc)


def _exit_now(code: int) -> NoReturn:
    """Exit with *code* as the interpreter's own exit would, but without tearing down every
    module and object it imported and made (~0.1-0.3 s of CPU after ``nb test``'s last line,
    on one CPU, with nothing left to do): the ``atexit`` functions run, the standard streams
    are flushed (a failed flush exits 120, as Python does), then the process ends. With a
    thread still running, the ordinary exit (which waits for it) runs instead."""
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:
            continue
        try:
            stream.flush()
        except OSError:
            code = 120
    os._exit(code)


def main() -> None:
    """Run ``envyard`` with ``sys.argv``; exit with its code."""
    code = _early(sys.argv[1:])
    if code is None:
        from envyard.notebooks import early

        if early.forks_here(sys.argv[1:]):  # the fork server's start overlaps the CLI's imports
            early.prestart(sys.executable)
            from envyard.cli.main import run

            _exit_now(run())
        from envyard.cli.main import main as cli_main

        cli_main()
    sys.exit(code)


if __name__ == "__main__":
    main()
