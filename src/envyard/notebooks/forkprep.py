"""What the kernel fork server does once, before any fork, so each kernel does not.

Loaded by :mod:`envyard.notebooks.forkserver` from its own folder, in the kernel's interpreter
(which may not have Envyard installed): standard library only until it imports IPython.

* :func:`warm`: run a cell in a throw-away shell (lazy imports, caches); later, once the first
  kernels are forked, :func:`warm_tracebacks` runs a failing cell in it (the traceback's);
* :func:`prebuild`: ipykernel's application up to what every kernel shares (command line,
  profile directory, config files), and the kernel's shell (``ZMQInteractiveShell``: magics,
  prefilters, display hooks, history in memory; ~half of a kernel's own start-up), built
  exactly as ipykernel would build them;
* :func:`scan_modules`: stand-ins for what a kernel's set-up reads of every module (files,
  names: :mod:`envyard.notebooks.forkscan`), so a child does not copy their pages;
* :func:`announced`: what a kernel forked for a request will answer to ``kernel_info``;
* :func:`launch`: in a forked child, run ipykernel on them: the child sets its connection file
  and parent, ipykernel's own ``initialize`` runs the rest, and the prebuilt shell is handed to
  the kernel when it asks for one, with what depends on the child (working directory,
  environment variables the shell sets, kernel, parent, a new history session) set there.

A child whose environment differs in what the shared set-up read builds everything itself, as
does every kernel if this IPython is not shaped as expected.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path
from typing import Any

ARGV = ["--HistoryManager.hist_file=:memory:"]  # no shared sqlite file between kernels
# what the shared set-up reads from the environment
_CONFIG_ENV = "HOME IPYTHONDIR JUPYTER_CONFIG_DIR JUPYTER_CONFIG_PATH XDG_CONFIG_HOME VIRTUAL_ENV"
_APP: Any = None
_APP_ENV: dict[str, str | None] = {}
_APP_HOOK: Any = None
_SHELL: Any = None
_SCAN: Any = None  # what a child's set-up reads of every module (forkscan.SysView)


def _shared_done(self: object, argv: object = None) -> None:
    """Stands in for the application set-up part done before the fork (:func:`prebuild`)."""


def prebuild() -> None:
    """Build the application (and the shell, :func:`_preshell`) before any fork."""
    global _APP, _APP_HOOK  # noqa: PLW0603 - set once, before the first fork
    hook = sys.excepthook
    try:
        from ipykernel.kernelapp import IPKernelApp
        from IPython.core.application import BaseIPythonApplication
    except ImportError:
        return
    try:
        app = IPKernelApp.instance()
        BaseIPythonApplication.initialize(app, list(ARGV))  # type: ignore[no-untyped-call]
        if app.subapp is not None:
            raise RuntimeError("a sub-application")
    except Exception:
        IPKernelApp.clear_instance()
        return
    finally:
        _APP_HOOK, sys.excepthook = sys.excepthook, hook  # IPython's crash handler: kernels'
    _APP_ENV.update({k: os.environ.get(k) for k in _CONFIG_ENV.split()})
    _APP = app
    _log_at_handler_level(app.log)
    _preshell(app)


def _log_at_handler_level(log: Any) -> None:
    """traitlets leaves its application's logger at DEBUG and filters in the handler (at
    ``log_level``), so each of a kernel's debug calls (a few per message, ~40 per notebook)
    made a record only to drop it: the logger is set to its handlers' lowest level (the same
    lines are written; changing ``log_level`` reconfigures it as before)."""
    import logging

    if not isinstance(log, logging.Logger) or log.propagate or not log.handlers:
        return
    lowest = min(handler.level for handler in log.handlers)
    if lowest > log.level:
        log.setLevel(lowest)


def scan_modules() -> None:
    """Make the stand-ins of what a kernel's set-up reads of every module (:mod:`forkscan`);
    last thing before the first fork, once every module a kernel's start imports is in."""
    global _SCAN  # noqa: PLW0603 - set once, before the first fork
    if _APP is not None:
        _SCAN = _SCANNING.SysView()


_SCANNING: Any = None  # envyard.notebooks.forkscan: set by the fork server, which loads both


def _preshell(app: Any) -> None:
    """Build the shell the kernel would build (``IPythonKernel.__init__``), if nothing
    configures the kernel or its shell differently."""
    global _SHELL  # noqa: PLW0603 - set once, before the first fork
    try:
        from ipykernel.ipkernel import IPythonKernel
        from ipykernel.zmqshell import ZMQInteractiveShell
    except ImportError:
        return
    configured = {"IPythonKernel", "ZMQInteractiveShell", "InteractiveShell", "Kernel"}
    if app.kernel_class is not IPythonKernel or configured & set(app.config) or app.user_ns:
        return
    kernel_traits = IPythonKernel.class_traits()
    shell_class = kernel_traits["shell_class"].default_value
    compiler_class = kernel_traits["compiler_class"].default_value
    if shell_class is not ZMQInteractiveShell or "VIRTUAL_ENV" in os.environ:
        return
    try:
        _SHELL = ZMQInteractiveShell.instance(
            parent=app,
            profile_dir=app.profile_dir,
            user_module=None,
            user_ns=None,
            kernel=None,
            compiler_class=compiler_class,
        )
        # lazily built on a kernel's first output (~10 configurables): built here, once
        display = _SHELL.display_formatter
        _ = (display.formatters, display.ipython_display_formatter, display.mimebundle_formatter)
    except Exception:
        ZMQInteractiveShell.clear_instance()
        _SHELL = None


def _hand_over(cls: Any, original: Any) -> Any:
    """``ZMQInteractiveShell.instance`` in a child: the prebuilt shell, made this kernel's."""

    def instance(*args: Any, **kwargs: Any) -> Any:
        shell = _SHELL
        expected = (
            shell is not None
            and not args
            and kwargs.get("user_ns") is None
            and kwargs.get("user_module") is None
            and kwargs.get("profile_dir") is shell.profile_dir
            and type(shell.compile) is kwargs.get("compiler_class")
        )
        if not expected:
            cls.clear_instance()
            return original(*args, **kwargs)
        shell.parent = kwargs.get("parent")
        shell.kernel = kwargs.get("kernel")
        shell.starting_dir = str(Path.cwd())  # as os.getcwd() in InteractiveShell
        shell.init_environment()  # after the request's environment, as a new shell would
        _restart_history(shell.history_manager)
        return shell

    return instance


def _restart_history(history: Any) -> None:
    """The history session (number 1, as in a new kernel) starts now, in this directory."""
    import datetime

    history.dir_hist[:] = [Path.cwd()]
    with history.db:
        now = datetime.datetime.now()
        sql = "UPDATE sessions SET start=? WHERE session==?"
        history.db.execute(sql, (now, history.session_number))


def announced(env: dict[str, Any]) -> dict[str, Any] | None:
    """What a kernel forked for a request with environment ``env`` answers to ``kernel_info``
    (its ``language_info``), when known before the fork: it runs on the prebuilt application
    and shell (ipykernel's own ``IPythonKernel``) and greets each IOPub subscriber (ipykernel's
    ``iopub_welcome``), so its client knows IOPub is connected without asking. Else None."""
    if _APP is None or _SHELL is None:
        return None
    if any((str(env[k]) if k in env else os.environ.get(k)) != v for k, v in _APP_ENV.items()):
        return None  # launch() builds everything in the child
    from ipykernel.iostream import IOPubThread
    from ipykernel.ipkernel import IPythonKernel

    if not hasattr(IOPubThread, "_send_welcome_message"):
        return None
    return {"language_info": dict(IPythonKernel.language_info)}


def launch(connection_file: str, server_pid: int) -> None:
    """Run ipykernel in this (forked) child, on the prebuilt application and shell."""
    sys.argv = [
        "ipykernel_launcher",
        "-f",
        connection_file,
        f"--IPKernelApp.parent_handle={server_pid}",
        *ARGV,
    ]
    from ipykernel import kernelapp

    if _APP is None or any(os.environ.get(k) != v for k, v in _APP_ENV.items()):
        if _SHELL is not None:
            type(_SHELL).clear_instance()
        kernelapp.IPKernelApp.clear_instance()  # built whole, from this command line
        kernelapp.launch_new_instance()
        return
    from IPython.core import shellapp
    from IPython.core.application import BaseIPythonApplication

    app: Any = _APP
    app.connection_file = connection_file
    app.parent_handle = server_pid
    sys.excepthook = _APP_HOOK
    shared = BaseIPythonApplication.initialize
    BaseIPythonApplication.initialize = _shared_done  # type: ignore[method-assign]
    shell_class: Any = type(_SHELL) if _SHELL is not None else None
    if shell_class is not None:
        shell_class.instance = _hand_over(shell_class, shell_class.instance)
    kernel_class: Any = app.kernel_class
    kernel_init = kernel_class.__dict__.get("__init__")
    if kernel_init is not None:
        kernel_module = sys.modules[kernel_class.__module__]
        kernel_class.__init__ = _SCANNING.reading(_SCAN, kernel_init, kernel_module)
    init_code = app.init_code
    if getattr(init_code, "__func__", None) is shellapp.InteractiveShellApp.init_code:
        app.init_code = _SCANNING.reading(_SCAN, init_code, shellapp)
    try:
        app.initialize([])  # the rest of ipykernel's own initialize
    finally:
        BaseIPythonApplication.initialize = shared  # type: ignore[method-assign]
        if shell_class is not None:
            del shell_class.instance  # the inherited classmethod again
        if kernel_init is not None:
            kernel_class.__init__ = kernel_init
        vars(app).pop("init_code", None)
    app.start()


_WARM: Any = None  # warm()'s throw-away shell, until warm_tracebacks()


def warm() -> None:
    """Build a plain IPython shell and run a cell in it: fills lazy imports, the compile and
    regex caches. The shell is kept for :func:`warm_tracebacks`; its singleton and exit hook
    are removed and no thread is started (history in memory), so the forked kernels build
    their own shell from a clean slate. What cells print goes nowhere (stdout is the pipe).
    """
    global _WARM  # noqa: PLW0603 - set once, before the first fork
    with contextlib.suppress(Exception):  # a speed-up only
        import atexit

        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        shell = InteractiveShell.instance(config=config)
        atexit.unregister(shell.atexit_operations)
        _run_quietly(shell, "_w = [x * x for x in range(10)]\n_w[-1]")
        InteractiveShell.clear_instance()
        _WARM = shell


def warm_tracebacks() -> None:
    """Run a failing cell in :func:`warm`'s shell, then drop it: fills the traceback
    formatter's caches (stack_data parsing the frames' sources, pygments' lexer, the module
    map of ``inspect``), ~0.2 s that a kernel would otherwise spend on its first traceback.
    The fork server does this once it is idle after its first kernels (it delays them)."""
    global _WARM
    shell, _WARM = _WARM, None
    if shell is not None:
        with contextlib.suppress(Exception):  # a speed-up only
            _run_quietly(shell, "def _f():\n    raise ValueError\n_f()")


def _run_quietly(shell: Any, code: str) -> None:
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        shell.run_cell(code, store_history=False)
