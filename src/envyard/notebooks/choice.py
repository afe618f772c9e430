"""Which kernel a notebook runs on: :class:`KernelChoice` (started by :mod:`.kernels`)."""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class KernelChoice:
    """``python`` (an interpreter path), ``spec`` (a kernelspec name) or ``argv``.

    ``argv`` is a command template (``{connection_file}``, ``{kernel_dir}``, ``{cwd}``,
    ``{name}`` are filled per kernel), e.g. ``podman run ... python3 -m ipykernel_launcher``;
    ``cleanup`` is run when the kernel is stopped (``podman rm -f {name}``).
    """

    python: str | None = None
    spec: str | None = None
    fork: bool = True
    argv: tuple[str, ...] = ()
    cleanup: tuple[str, ...] = ()
    label_text: str | None = None

    @property
    def label(self) -> str:
        return self.label_text or self.spec or self.python or "?"


def current_python() -> KernelChoice:
    return KernelChoice(python=sys.executable)
