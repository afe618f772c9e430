"""Build tiny, valid, reproducible wheels without a build backend or network.

A wheel is a zip with the package module, ``METADATA``, ``WHEEL`` and a ``RECORD`` listing the
sha256 of every file (PEP 427, PEP 491, core metadata 2.1). Timestamps are fixed, so the same
arguments always produce the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

__all__ = ["build_wheel", "wheel_filename"]

_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _dist_name(name: str) -> str:
    """The distribution name as it appears in wheel file names (PEP 427 escaping)."""
    return re.sub(r"[-_.]+", "_", canonicalize_name(name))


def wheel_filename(name: str, version: str) -> str:
    """Return ``{name}-{version}-py3-none-any.whl`` with name and version normalised."""
    return f"{_dist_name(name)}-{Version(version)}-py3-none-any.whl"


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode('ascii')}"


def build_wheel(
    dest_dir: Path,
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    summary: str = "A tiny package built by envyard.testing",
    module_text: str | None = None,
) -> Path:
    """Write a pure-Python wheel for *name* *version* into *dest_dir* and return its path.

    *requires* become ``Requires-Dist`` lines (PEP 508 strings such as ``"attrs>=23"``).
    The wheel holds one importable module named after the distribution whose ``__version__``
    is *version*, unless *module_text* gives its source.
    """
    dist = _dist_name(name)
    normalized_version = str(Version(version))
    info = f"{dist}-{normalized_version}.dist-info"
    if module_text is None:
        module_text = (
            f'"""{name} {normalized_version}."""\n\n__version__ = "{normalized_version}"\n'
        )

    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {normalized_version}",
        f"Summary: {summary}",
    ]
    if requires_python is not None:
        metadata.append(f"Requires-Python: {requires_python}")
    metadata.extend(f"Requires-Dist: {req}" for req in requires)
    wheel_meta = [
        "Wheel-Version: 1.0",
        "Generator: envyard.testing",
        "Root-Is-Purelib: true",
        "Tag: py3-none-any",
    ]
    files: list[tuple[str, bytes]] = [
        (f"{dist}/__init__.py", module_text.encode("utf-8")),
        (f"{info}/METADATA", ("\n".join(metadata) + "\n").encode("utf-8")),
        (f"{info}/WHEEL", ("\n".join(wheel_meta) + "\n").encode("utf-8")),
    ]
    record_lines = [f"{path},{_record_hash(data)},{len(data)}" for path, data in files]
    record_lines.append(f"{info}/RECORD,,")
    files.append((f"{info}/RECORD", ("\n".join(record_lines) + "\n").encode("utf-8")))

    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / wheel_filename(name, version)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files:
            entry = zipfile.ZipInfo(path, date_time=_ZIP_DATE)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return target
