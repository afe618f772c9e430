"""The fixed parts of every bootstrap: shell helpers from ``helpers.sh``, used by fragments.

POSIX sh (the bootstrap is run with bash, but busybox ash runs it too, for tiny images).
Blocks in ``helpers.sh`` are separated by blank lines; optional ones are copied into a script
only when it calls them. Command lines are grouped into complete commands by :mod:`.units`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from envyard.prerequisites.interface import EVENTS, Fragment
from envyard.prerequisites.kernel import KernelMode, KernelPlan, activation_line
from envyard.prerequisites.units import units
from envyard.spec.job import Prerequisite

__all__ = ["ScriptParts", "assemble", "helpers_for"]

_OPTIONAL = ("envyard_fetch", "envyard_verify", "envyard_pip_install", "envyard_activate_kernel")


@cache
def _blocks() -> tuple[str, ...]:
    text = files("envyard.prerequisites").joinpath("helpers.sh").read_text(encoding="utf-8")
    blocks = text.strip("\n").split("\n\n")
    return tuple(b for b in blocks[1:])  # the first block is the file's own header


def helpers_for(body: str) -> str:
    """The helper functions ``body`` calls (the core ones always), in a fixed order."""
    kept = []
    for block in _blocks():
        name = next((n for n in _OPTIONAL if f"{n}()" in block), None)
        if name is None or f"{name} " in body:
            kept.append(block)
    return "\n\n".join(kept)


@dataclass(frozen=True)
class ScriptParts:
    """Everything a bootstrap is made of, already rendered and quoted."""

    job: str
    role: str
    instances: int
    prerequisites: Sequence[tuple[Prerequisite, Sequence[Fragment]]]
    commands: Sequence[str]
    kernel: KernelPlan | None
    kernel_mode: KernelMode
    secrets: Mapping[str, str]  # env var -> secret key
    values: Mapping[str, str] = field(default_factory=dict)  # env var -> outside value
    numeric: frozenset[str] = frozenset()  # env vars used as arithmetic or variable names


def _function(name: str, lines: Sequence[str], field: str, count: str = "") -> list[str]:
    """A shell function running ``lines`` joined with newlines (as OpenPAI runs them), returning
    the status of the first complete command (a group of lines, :mod:`.units`) that fails.

    ``field`` and ``count`` (how items are numbered) name the items in errors."""
    body = []
    first = 0
    for unit in units(lines):
        last = first + len(unit.items) - 1
        span = f"items {first} to {last}{count}" if last > first else f"item {first}{count}"
        first = last + 1
        if not unit.complete:  # nothing ends it: fail there, as bash fails on OpenPAI's script
            message = f"{field} {span}: not a complete shell command (an unclosed quote?)"
            body += [f"    envyard_log {shlex.quote(message)}", "    return 2"]
            continue
        body.append("    " + unit.text)  # later lines as written: they may be in quotes
        body.append('    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"')
    return [f"{name}() {{", *(body or ["    :"]), "}"]


def _openpai_success(pre: Prerequisite, frag: Fragment) -> bool:
    """An ``onSuccess`` fragment of a callback written as OpenPAI's ``taskSucceeds``."""
    found = re.fullmatch(r"callbacks\[(\d+)\]", frag.label)
    if frag.event != "onSuccess" or found is None or int(found[1]) >= len(pre.callbacks):
        return False
    callback = pre.callbacks[int(found[1])]
    return callback.event == "onSuccess" and callback.reverse_order


def _header(parts: ScriptParts) -> list[str]:
    q = shlex.quote
    names = ", ".join(p.name for p, _ in parts.prerequisites) or "none"
    return [
        "#!/usr/bin/env bash",
        f"# Envyard bootstrap: job {parts.job}, task role {parts.role}.",
        "# Order: containerStart (required prerequisites first), kernel activation, commands;",
        "# on the way out (always, also after a failure or a signal): onSuccess or onFailure,",
        "# then containerExit in reverse order. Exit status: the commands' status.",
        f"# Prerequisites in start order: {names}",
        "",
        f'[ -n "${{ENVYARD_JOB_NAME-}}" ] || ENVYARD_JOB_NAME={q(parts.job)}',
        f'[ -n "${{ENVYARD_TASK_ROLE-}}" ] || ENVYARD_TASK_ROLE={q(parts.role)}',
        '[ -n "${ENVYARD_TASK_INDEX-}" ] || ENVYARD_TASK_INDEX=0',
        f'[ -n "${{ENVYARD_TASK_COUNT-}}" ] || ENVYARD_TASK_COUNT={parts.instances}',
        '[ -n "${ENVYARD_RUN_DIR-}" ] || ENVYARD_RUN_DIR=$PWD',
        "export ENVYARD_JOB_NAME ENVYARD_TASK_ROLE ENVYARD_TASK_INDEX ENVYARD_TASK_COUNT"
        " ENVYARD_RUN_DIR",
        "PAI_JOB_NAME=$ENVYARD_JOB_NAME PAI_CURRENT_TASK_ROLE_NAME=$ENVYARD_TASK_ROLE",
        "PAI_CURRENT_TASK_ROLE_CURRENT_TASK_INDEX=$ENVYARD_TASK_INDEX"
        " PAI_TASK_ROLE_INSTANCE_COUNT=$ENVYARD_TASK_COUNT",
        "export PAI_JOB_NAME PAI_CURRENT_TASK_ROLE_NAME PAI_CURRENT_TASK_ROLE_CURRENT_TASK_INDEX"
        " PAI_TASK_ROLE_INSTANCE_COUNT",
        "",
        "@HELPERS@",
        "",
    ]


def _secret_checks(parts: ScriptParts) -> list[str]:
    """Every variable the script reads must be set; one used as arithmetic or as a variable
    name must hold a plain integer, checked before anything runs."""
    q = shlex.quote
    out = [
        f'[ -n "${{{env}+set}}" ] || {{ envyard_log {q(f"secret {key} is not set (pass it in {env})")}; exit 2; }}'  # noqa: E501
        for env, key in parts.secrets.items()
    ]
    out += [
        f'[ -n "${{{env}+set}}" ] || {{ envyard_log {q(f"{env} is not set (a value given at submission)")}; exit 2; }}'  # noqa: E501
        for env in sorted(parts.values)
    ]
    for env in sorted(parts.numeric):
        message = q(
            f"{env} is used where bash evaluates it (arithmetic, an array index or a variable "
            "name); it must be a plain integer"
        )
        out.append(
            f"case \"${{{env}-}}\" in ''|[+-]|*[!0-9+-]*|?*[+-]*) "
            f"envyard_log {message}; exit 2;; esac"
        )
    return out


def _finish(calls: Mapping[str, list[str]]) -> list[str]:
    success = calls["onSuccess"] + (
        ["# OpenPAI's taskSucceeds: prerequisites in reverse start order", *calls["taskSucceeds"]]
        if calls["taskSucceeds"]
        else []
    )
    return [
        "envyard_finish() {",
        "    envyard_status=$?",
        "    command trap - EXIT",
        "    command trap '' INT TERM HUP",
        '    if [ -n "${envyard_user_exit-}" ]; then  # the EXIT trap the commands set',
        '        eval "$envyard_user_exit"',
        "    fi",
        '    if [ "$envyard_status" -eq 0 ] && [ "$envyard_phase" != commands ]; then',
        '        envyard_log "the job ended (exit 0) before its commands ran: failing it"',
        "        envyard_status=1",
        "    fi",
        '    if [ "$envyard_status" -eq 0 ]; then',
        *["        " + c for c in success or [":"]],
        "    else",
        *["        " + c for c in calls["onFailure"] or [":"]],
        "    fi",
        *["    " + c for c in reversed(calls["containerExit"])],
        '    envyard_log "task role $ENVYARD_TASK_ROLE[$ENVYARD_TASK_INDEX]'
        ' exits with $envyard_status"',
        '    exit "$envyard_status"',
        "}",
        "envyard_phase=start",
        "envyard_status=0",
        "command trap envyard_finish EXIT",
        "command trap 'envyard_on_signal 130 INT' INT",
        "command trap 'envyard_on_signal 143 TERM' TERM",
        "command trap 'envyard_on_signal 129 HUP' HUP",
    ]


def assemble(parts: ScriptParts) -> str:
    """The bootstrap text (see :mod:`envyard.prerequisites.render` for the order)."""
    q = shlex.quote
    out = _header(parts) + _secret_checks(parts)
    calls: dict[str, list[str]] = {e: [] for e in (*EVENTS, "taskSucceeds")}
    starts: dict[int, list[str]] = {}
    succeeds: list[tuple[int, str]] = []
    for i, (pre, frags) in enumerate(parts.prerequisites, start=1):
        for j, frag in enumerate(frags, start=1):
            event: str = "taskSucceeds" if _openpai_success(pre, frag) else frag.event
            fn = f"envyard_p{i}_{event}_{j}"
            out.append(
                f"# {pre.name}: {frag.label} on {event}, failurePolicy {frag.failure_policy}"
            )
            field = f"prerequisite '{pre.name}' {frag.label}.commands"
            out += _function(fn, frag.lines, field)
            call = f"envyard_step {frag.failure_policy} {q('prerequisite ' + pre.name)}"
            call += f" {event} {fn}"
            if frag.event == "containerStart":
                starts.setdefault(i, []).append(f"{call} || exit")
            elif frag.event == "kernelReady":
                calls["kernelReady"].append(f"{call} || exit")
            else:
                exit_call = call.replace("envyard_step", "envyard_exit_step", 1)
                guarded = f'[ -z "${{envyard_reached_{i}-}}" ] || {exit_call}'
                if event == "taskSucceeds":
                    succeeds.append((i, guarded))
                else:
                    calls[event].append(guarded)
    # OpenPAI runs one post script per prerequisite (its taskSucceeds commands in written
    # order), the scripts in reverse prerequisite order: a stable sort, last prerequisite first
    calls["taskSucceeds"] = [call for _, call in sorted(succeeds, key=lambda s: -s[0])]
    field = f"taskRoles.{parts.role}.commands"
    count = " (from 0, a deployment's preCommands first)"
    out += [
        f"# the commands of task role {parts.role}",
        *_function("envyard_commands", parts.commands, field, count),
        "",
    ]
    out += [*_finish(calls), ""]
    for i, (pre, _frags) in enumerate(parts.prerequisites, start=1):
        out += [f"envyard_reached_{i}=1  # {pre.name}", *starts.get(i, [])]
    if parts.kernel is not None:
        out.append(f"# kernel of environment {parts.kernel.environment}")
        if parts.kernel_mode == "activate":
            out += [
                "envyard_kernel() {",
                "    " + activation_line(parts.kernel, q),
                "}",
                f"envyard_step fail {q('kernel ' + parts.kernel.name)} activation"
                " envyard_kernel || exit",
            ]
        else:
            out.append("# (installed by the backend's runtime environment, not activated here)")
    out += calls["kernelReady"]
    out += [
        f"envyard_log {q('running the commands of task role ' + parts.role)}",
        "envyard_phase=commands",
        "envyard_commands",
        'exit "$?"',
        "",
    ]
    text = "\n".join(out)
    return text.replace("@HELPERS@", helpers_for(text), 1)
