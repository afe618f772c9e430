"""Asset naming rules, as the reference tool (azureml-assets ``validate_assets.py -n``) has them.

Every asset (rule AST018): ``[a-z][a-z0-9_.-]*`` (models may use capitals), and none of the
forbidden words (``azureml``/``azure``, ``aml``, the asset's own type, and ``microsoft`` except
for models and evaluation results; ``Azure-`` models are exempt).

Environments (rule AST006 for errors, AST017 for the reference's warnings)::

    <framework>-<version>[-<os><version>][-py3<minor>][-<cuda|nccl><version>|-gpu]

- errors: characters outside ``[a-z0-9.-]``; the environment words (``ubuntu``, ``cpu``); a
  framework without its version; an operating system without its version; a GPU driver without
  its version, or together with ``gpu``; parts out of this order (checked when a framework is
  present, as the reference does);
- warnings: no framework at all; a python version in the name.

The word lists come from ``[assets.naming]`` (defaults: the reference's).
"""

from __future__ import annotations

import functools
import re

from envyard.assets.config import NamingConfig

_COMMON_VERSION = r"[0-9]+(?:\.[0-9]+)?(?=-|$)"
_PYTHON = re.compile(r"py3(?:8|9|1[0-9]+)")
_ENV_CHARS = re.compile(r"^[a-z][a-z0-9.-]{0,254}$")
_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,254}$")
_MODEL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,254}$")
_MODEL_TYPES = ("model", "evaluationresult")
_MODEL_EXEMPT_PREFIXES = ("Azure-",)
_ORDER = "framework-version, then OS, then python, then GPU driver (e.g. pytorch-2.3-cuda12.1)"

Problem = tuple[str, str, str]
"""(severity, message, hint)."""


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in words) or "(?!)"


def check_asset_name(name: str, asset_type: str, config: NamingConfig) -> list[Problem]:
    """Rule AST018: characters and forbidden words, for every asset type."""
    problems: list[Problem] = []
    is_model = asset_type == "model" and _MODEL_NAME.match(name)
    if not (is_model or _NAME.match(name)):
        problems.append(
            (
                "error",
                f"name '{name}' contains invalid characters",
                "use lowercase letters, digits, '_', '.' and '-', starting with a letter",
            )
        )
    if asset_type == "model" and name.startswith(_MODEL_EXEMPT_PREFIXES):
        return problems
    words = [*config.forbidden_words, asset_type]
    if asset_type not in _MODEL_TYPES:
        words += config.non_model_forbidden_words
    lowered = name.lower()
    reported: list[str] = []
    for word in words:
        if word and word in lowered and not any(word in done for done in reported):
            reported.append(word)
            problems.append(
                ("error", f"name '{name}' contains the forbidden word '{word}'", "rename the asset")
            )
    return problems


def check_environment_name(name: str, config: NamingConfig) -> list[Problem]:
    """Rules AST006 (errors) and AST017 (warnings) for an environment's name."""
    key = (
        tuple(config.frameworks),
        tuple(config.operating_systems),
        tuple(config.accelerators),
        tuple(config.invalid_strings),
    )
    return list(_check_environment_name(name, *key))


@functools.cache
def _patterns(
    frameworks: tuple[str, ...], systems: tuple[str, ...], accelerators: tuple[str, ...]
) -> tuple[
    re.Pattern[str], re.Pattern[str] | None, re.Pattern[str], re.Pattern[str], re.Pattern[str]
]:
    """(framework-version, OS word, OS-version, driver-version, the whole order), compiled once
    per word list: both naming rules ask for every environment."""
    framework_version = f"(?:{_alternatives(list(frameworks))})-{_COMMON_VERSION}"
    os_version = f"(?:{_alternatives(list(systems))}){_COMMON_VERSION}"
    driver_version = f"(?:{_alternatives(list(accelerators))}){_COMMON_VERSION}"
    # short words (``win``) only as whole words, as the reference has it
    os_words = "|".join(rf"\b{re.escape(w)}\b" if len(w) <= 3 else re.escape(w) for w in systems)
    full = (
        f"{framework_version}(?:-{os_version})?(?:-{_PYTHON.pattern})?"
        f"(?:-(?:{driver_version}|gpu))?"
    )
    return (
        re.compile(framework_version),
        re.compile(os_words) if os_words else None,
        re.compile(os_version),
        re.compile(driver_version),
        re.compile(full),
    )


@functools.lru_cache(maxsize=4096)
def _check_environment_name(
    name: str,
    frameworks: tuple[str, ...],
    systems: tuple[str, ...],
    accelerators: tuple[str, ...],
    invalid_strings: tuple[str, ...],
) -> tuple[Problem, ...]:
    framework_version, os_words, os_version, driver_version, full = _patterns(
        frameworks, systems, accelerators
    )
    problems: list[Problem] = []
    if not _ENV_CHARS.match(name):
        problems.append(
            (
                "error",
                f"name '{name}' contains invalid characters",
                "use lowercase letters, digits, '.' and '-', starting with a letter",
            )
        )
    for word in invalid_strings:
        if word in name:
            problems.append(
                ("error", f"name '{name}' contains invalid string '{word}'", f"remove '{word}'")
            )
    found = [f for f in frameworks if f in name]
    if not found:
        problems.append(
            (
                "warning",
                f"name '{name}' is missing framework",
                "environments are named <framework>-<version>..., e.g. pytorch-2.3",
            )
        )
    elif not framework_version.search(name):
        problems.append(
            ("error", f"name '{name}' is missing framework version", f"e.g. {found[0]}-1.0")
        )
    if os_words is not None and os_words.search(name) and not os_version.search(name):
        problems.append(
            ("error", f"name '{name}' is missing operating system version", "e.g. debian11")
        )
    if _PYTHON.search(name):
        problems.append(
            (
                "warning",
                f"name '{name}' should only contain Python version if absolutely necessary",
                "drop the python part unless the environment exists for several",
            )
        )
    if any(d in name for d in accelerators):
        if not driver_version.search(name):
            problems.append(("error", f"name '{name}' is missing GPU driver version", "cuda12.1"))
        if "gpu" in name:
            problems.append(
                (
                    "error",
                    f"name '{name}' should not contain both GPU driver and 'gpu'",
                    "keep the versioned driver only",
                )
            )
    if found and not full.search(name):
        problems.append(("error", f"name '{name}' elements are out of order", _ORDER))
    return tuple(problems)
