"""Commands a launch runs, as data: planned first (``--dry-run`` prints them), then run."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from envyard.errors import ExecutionError

__all__ = ["Log", "Step", "render_steps", "run_step"]

Log = Callable[[str], None]
_TAIL_LINES = 25


@dataclass(frozen=True)
class Step:
    """One command: what it does (for humans), its argv, and extra environment variables."""

    description: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    write_file: tuple[str, str] | None = None  # (path, text) written before the command

    def render(self) -> str:
        lines = [f"# {self.description}"]
        if self.write_file:
            path, text = self.write_file
            lines.append(f"cat > {shlex.quote(path)} <<'EOF'\n{text.rstrip()}\nEOF")
        if self.argv:
            prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(self.env.items()))
            lines.append(f"{prefix} {shlex.join(self.argv)}".strip())
        return "\n".join(lines)


def render_steps(steps: Sequence[Step]) -> str:
    """A shell-like script of *steps* (what ``--dry-run`` prints)."""
    return "\n".join(step.render() for step in steps) + "\n"


def run_step(step: Step, base_env: Mapping[str, str], *, cwd: Path, log: Log) -> None:
    """Run *step* capturing its output; a failure raises ExecutionError with that output."""
    log(step.description)
    if step.write_file:
        path, text = step.write_file
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
    if not step.argv:
        return
    try:
        done = subprocess.run(
            list(step.argv),
            env={**base_env, **step.env},
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise ExecutionError(f"{step.description}: cannot run {step.argv[0]}: {exc}") from None
    if done.returncode != 0:
        output = done.stdout or ""
        tail = "\n".join(output.strip().splitlines()[-_TAIL_LINES:])
        raise ExecutionError(
            f"{step.description} failed (exit {done.returncode}): {shlex.join(step.argv)}\n{tail}",
            output=output,
            hint="fix the kernel's requirements (or the package index) and launch again",
        )
