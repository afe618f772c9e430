"""The `envyard` command: a lazily-loaded click group and the one error boundary.

Sub-commands live in their own modules and are imported only when invoked, so
`envyard --help` stays fast and never imports FastAPI, SQLAlchemy, Ray or nbclient.

The boundary (:func:`run`): a user's mistake prints one ``error: ...`` line (or located
``file:line:col`` lines for spec files) and exits 1, also for a missing or unreadable file;
a usage error prints click's usage block ending in ``error: ...`` and exits 2; anything else is
a bug: a short message and a crash log under ``$ENVYARD_HOME/logs``, exit 3.
"""

from __future__ import annotations

import errno
import importlib
import importlib.util
import os
import re
import sys
import time
import traceback
from pathlib import Path
from typing import NamedTuple

import click

from envyard import __version__
from envyard.errors import EnvyardError, SpecError, escape


class _Entry(NamedTuple):
    module: str
    attr: str
    help: str


# name -> where the command lives. Listed here (not discovered) so `--help` needs no imports.
COMMANDS: dict[str, _Entry] = {
    "validate": _Entry("envyard.cli.validate", "validate", "Validate spec files (all kinds)."),
    "schema": _Entry("envyard.cli.schema", "schema", "Print the JSON Schema of a spec kind."),
    "env": _Entry("envyard.cli.env", "cli", "Manage environments in the registry."),
    "prereq": _Entry("envyard.cli.prereq", "cli", "Manage reusable job prerequisites."),
    "token": _Entry("envyard.cli.token", "cli", "Create, list and revoke API tokens."),
    "serve": _Entry("envyard.cli.serve", "serve", "Run the REST API and web UI."),
    "asset": _Entry("envyard.cli.asset", "cli", "Validate, pin, release and build assets."),
    "override": _Entry("envyard.cli.override", "cli", "Apply per-target overrides to specs."),
    "job": _Entry("envyard.cli.job", "cli", "Render, submit and follow jobs."),
    "nb": _Entry("envyard.cli.nb", "cli", "Run notebooks as tests (notebook CI)."),
    "demo": _Entry("envyard.cli.demo", "demo", "Walk through the whole flow on embedded defaults."),
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, e in COMMANDS.items() if importlib.util.find_spec(e.module)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or importlib.util.find_spec(entry.module) is None:
            return None
        command = getattr(importlib.import_module(entry.module), entry.attr)
        if not isinstance(command, click.Command):  # pragma: no cover - programming error
            raise TypeError(f"{entry.module}.{entry.attr} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name].help) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="envyard")
def cli() -> None:
    """Envyard: define an ML environment once and run it anywhere.

    Environments live in a registry; assets are released from git; jobs and
    notebooks run in them on a local, container, Ray or Kubernetes backend,
    with per-target overrides applied to staged copies of your specs.
    """


def _log_dir() -> Path:
    """Crash logs live with Envyard's data: ``$ENVYARD_HOME/logs``."""
    from envyard.settings import load_settings

    return load_settings().home / "logs"


_SECRET_OPTIONS = ("--token", "--password", "--secret")


def mask_text(text: str) -> str:
    """``text`` with URL credentials masked (:mod:`envyard.registry.masking`, loaded only when
    something is printed: start-up stays lean)."""
    from envyard.registry.masking import mask_text as mask

    return mask(text)


def redact_argv(argv: list[str]) -> list[str]:
    """argv with the values of secret options and URL passwords replaced by ***."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append("***")
            hide_next = False
            continue
        name, eq, _value = arg.partition("=")
        if name in _SECRET_OPTIONS:
            if eq:
                out.append(f"{name}=***")
            else:
                out.append(arg)
                hide_next = True
            continue
        out.append(mask_text(arg))
    return out


def _report_bug(exc: BaseException) -> int:
    """Write the traceback to a log file and print a short message. Returns exit code 3."""
    text = mask_text("".join(traceback.format_exception(exc)))
    try:
        log_dir = _log_dir()
        log_dir.mkdir(parents=True, exist_ok=True)
        log = log_dir / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        argv = redact_argv(sys.argv)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"envyard {__version__}\nargv: {argv!r}\n\n{text}")
        where = f"details in {log}"
    except (OSError, EnvyardError):
        where = "the traceback follows:\n" + text
    click.echo(
        f"envyard: internal error ({type(exc).__name__}: {exc}); this is a bug, {where}. "
        "Please report it with that file.",
        err=True,
    )
    return 3


def _error(message: str, code: int = 1) -> int:
    click.echo(f"error: {escape(mask_text(message))}", err=True)  # one line; no URL password
    return code


_CLICK_MISSING = re.compile(r"(File|Directory|Path) '(.*)' does not exist\.?", re.DOTALL)


def _missing_path(exc: click.BadParameter) -> str | None:
    """The one-line message when ``exc`` is click's "file does not exist" check, else None."""
    param = exc.param
    if param is None or not isinstance(param.type, click.Path):
        return None
    found = _CLICK_MISSING.fullmatch(exc.message)
    if found is None:
        return None
    what, path = found.group(1, 2)
    given = param.get_error_hint(exc.ctx) if exc.ctx else repr(param.name)
    return f"{path}: {what.lower()} does not exist (given as {given}; hint: check the path)"


def _usage_error(exc: click.UsageError) -> int:
    """Click's usage block with our one ``error:`` prefix (exit 2), or exit 1 for a missing
    file: that is a user's mistake like any other, not a misuse of the command line."""
    if isinstance(exc, click.BadParameter) and (missing := _missing_path(exc)):
        return _error(missing)
    ctx = exc.ctx
    if isinstance(exc, click.exceptions.NoArgsIsHelpError) and ctx is not None:
        click.echo(ctx.get_help(), err=True)  # a group run alone: its help, as click prints it
        return exc.exit_code
    message = exc.format_message().rstrip(".")
    if isinstance(exc, click.NoSuchOption) and ctx and _takes_a_command(ctx.command):
        message += (
            f" (hint: options for the command you run go after `--`: "
            f"`{ctx.command_path} NAME -- CMD {exc.option_name} ...`)"
        )
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        if ctx.command.get_help_option(ctx) is not None:
            click.echo(f"Try '{ctx.command_path} --help' for help.", err=True)
        click.echo(err=True)
    return _error(message, exc.exit_code)


def _takes_a_command(command: click.Command) -> bool:
    """Whether ``command`` ends with a variadic argument (a command line to run after ``--``)."""
    return any(isinstance(p, click.Argument) and p.nargs == -1 for p in command.params)


def _file_error(exc: OSError) -> int | None:
    """A user's file that is missing or unreadable: one line, exit 1 (None: not about a file)."""
    user_file = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)
    if not isinstance(exc, user_file) or not exc.filename:
        return None
    return _error(f"{exc.filename}: {exc.strerror or exc}")


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 user error, 2 usage, 3 bug, 130 ^C)."""
    try:
        result = cli.main(args=argv, prog_name="envyard", standalone_mode=False)
    except (Exception, KeyboardInterrupt) as exc:
        return exit_code_for(exc)
    # in non-standalone mode click returns the code of `Exit` instead of raising it
    return result if isinstance(result, int) else 0


def command_exit_code(exc: BaseException) -> int:
    """:func:`run`'s answer to *exc* raised in a command's body, as click's ``main`` passes it
    on: ^C and EOF become an abort after a blank line, a broken pipe exits 1. For the early
    dispatch of :mod:`envyard.__main__`, whose errors must read as the full CLI's."""
    if isinstance(exc, (EOFError, KeyboardInterrupt)):
        click.echo(err=True)
        return exit_code_for(click.exceptions.Abort())
    if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
        return 1
    return exit_code_for(exc)


def exit_code_for(exc: BaseException) -> int:
    """What the boundary prints for *exc* (raised by ``cli.main``) and the exit code."""
    if isinstance(exc, SpecError):
        for diagnostic in exc.diagnostics:  # a whole-file problem (no line) reads as an error
            prefix = "error: " if diagnostic.line <= 0 and diagnostic.severity == "error" else ""
            click.echo(prefix + mask_text(diagnostic.render()), err=True)
        return exc.exit_code
    if isinstance(exc, EnvyardError):
        return _error(str(exc), exc.exit_code)
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, click.UsageError):
        return _usage_error(exc)
    if isinstance(exc, click.ClickException):
        return _error(exc.format_message(), exc.exit_code)
    if isinstance(exc, click.exceptions.Abort):
        click.echo("aborted", err=True)
        return 130
    if isinstance(exc, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 130
    if isinstance(exc, BrokenPipeError):
        return 0
    if isinstance(exc, OSError):
        code = _file_error(exc)
        return _report_bug(exc) if code is None else code
    return _report_bug(exc)  # the one place that turns bugs into exit code 3


def main() -> None:
    sys.exit(run())
