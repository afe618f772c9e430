"""What a launch needs to know about an environment's kernel, and its content hash.

:func:`kernel_spec` turns an :class:`~envyard.spec.Environment` into a :class:`KernelSpec`:
the kernel's name, the Python it asks for, its pip requirements, its conda-only packages and
channels. ``content_hash`` covers exactly what changes the installed result, so two
environments with the same kernel share one materialised copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from envyard.launch.kernelname import safe_kernel_name

if TYPE_CHECKING:  # pydantic models: imported by the functions that need them
    from envyard.spec.environment import Environment

__all__ = ["KernelSpec", "kernel_name", "kernel_spec", "safe_kernel_name"]

_FORMAT = 1  # bump when the materialised layout changes, so old cache entries are not reused


@dataclass(frozen=True)
class KernelSpec:
    """A kernel, reduced to what materialising it depends on."""

    name: str
    python: str | None
    pip: tuple[str, ...]
    conda: tuple[str, ...]
    channels: tuple[str, ...]
    variables: tuple[tuple[str, str], ...] = ()
    # the conda ``python`` line when it says more than a version: ``python>=3.8`` (the newest
    # Python it allows), ``python=3.11.9=<build>`` (conda env export: that build)
    python_spec: str | None = None

    @property
    def needs_conda(self) -> bool:
        """True when some dependency is a conda package (not pip, not python itself)."""
        return bool(self.conda)

    @property
    def content_hash(self) -> str:
        """sha256 (hex) of the kernel's canonical content; the cache key's base."""
        import hashlib  # here: the cached re-launch (which only names kernels) loads no OpenSSL

        data = {
            "format": _FORMAT,
            "python": self.python,
            "pip": list(self.pip),
            "conda": list(self.conda),
            "channels": list(self.channels),
            "variables": [list(v) for v in self.variables],
        }
        if self.python_spec is not None:  # absent otherwise: earlier kernels keep their hash
            data["python_spec"] = self.python_spec
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def requirements_txt(self) -> str:
        """The pip requirements, one per line (index options included as written)."""
        return "".join(f"{line}\n" for line in self.pip)

    def environment_yml(self) -> str:
        """The kernel as a conda environment file (what ``conda env create -f`` reads)."""
        from envyard.spec.environment import conda_name
        from envyard.yamlio import dump

        deps: list[object] = []
        if self.python_spec:
            deps.append(self.python_spec)
        elif self.python:
            deps.append(f"python={self.python}")
        deps.extend(self.conda)
        if self.pip:  # pip installs the pip section (conda kernels may list it already)
            has_pip = any(conda_name(d) == "pip" for d in self.conda)
            deps.extend([*([] if has_pip else ["pip"]), {"pip": list(self.pip)}])
        doc: dict[str, object] = {"name": self.name, "channels": list(self.channels)}
        doc["dependencies"] = deps
        if self.variables:
            doc["variables"] = dict(self.variables)
        return dump(doc)


def kernel_name(environment: Environment) -> str:
    """The kernel's name: the conda ``name:`` when given, else the environment's name."""
    from envyard.spec.environment import CondaKernel

    kernel = environment.kernel
    raw = kernel.name if isinstance(kernel, CondaKernel) and kernel.name else environment.name
    return safe_kernel_name(raw)


def kernel_spec(environment: Environment) -> KernelSpec | None:
    """The kernel of *environment*, or None when it declares none (the image provides it)."""
    from envyard.registry.masking import without_masked
    from envyard.spec.environment import (
        CondaKernel,
        kernel_conda_packages,
        kernel_pip_requirements,
    )

    kernel = environment.kernel
    if kernel is None:
        return None
    # a spec read from a server has its credentials masked: install without them (netrc...)
    pip = tuple(without_masked(r.strip()) for r in kernel_pip_requirements(kernel) if r.strip())
    if isinstance(kernel, CondaKernel):
        return KernelSpec(
            name=kernel_name(environment),
            python=kernel.python_version(),
            pip=pip,
            conda=tuple(kernel_conda_packages(kernel)),
            channels=tuple(without_masked(c) for c in kernel.channels),
            variables=tuple(sorted(kernel.variables.items())),
            python_spec=kernel.python_constraint(),
        )
    return KernelSpec(name=kernel_name(environment), python=None, pip=pip, conda=(), channels=())
