"""``asset.yaml`` and ``environment.yaml`` as frozen value objects, checked cheaply first.

Validating thousands of assets through pydantic costs more in start-up (~120 ms to import it
and build the models) than in checking the files. So each file is first checked here against
the models of :mod:`envyard.spec.asset`, conservatively: a value is accepted only when its
type is exactly the one the model keeps as it is (a ``str`` for a string field, a ``list`` of
``str``, a ``bool``, one of the literal words). Anything else - an unknown key, a missing
field, a number pydantic would convert, a wrong type - goes through the pydantic model, which
either reports it with file:line:col exactly as before or returns its converted values. The
objects here carry the same attributes as the models, so the rules read either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from pydantic import BaseModel

    from envyard.spec.document import Document

AssetType = Literal["code", "component", "environment", "model"]
_TYPES = ("code", "component", "environment", "model")
_OS = ("linux", "windows")
_VISIBILITIES = ("public", "internal", "staging", "unlisted")


class _Unsure(Exception):  # noqa: N818 - not an error: "let pydantic decide"
    """The cheap check cannot tell; the pydantic model decides."""


@dataclass(frozen=True, slots=True)
class PytestConfig:
    enabled: bool = True
    pip_requirements: str | None = None
    tests_dir: str = "tests"


@dataclass(frozen=True, slots=True)
class TestConfig:
    pytest: PytestConfig | None = None


@dataclass(frozen=True, slots=True)
class AssetConfig:
    """``asset.yaml`` (see :class:`envyard.spec.asset.AssetConfig` for the fields)."""

    type: AssetType
    spec: str
    schema_: str | None = None
    name: str | None = None
    version: str | None = None
    extra_config: str | None = None
    release_paths: list[str] = field(default_factory=list)
    test: TestConfig | None = None


@dataclass(frozen=True, slots=True)
class BuildContext:
    dir: str
    dockerfile: str = "Dockerfile"
    template_files: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Publish:
    location: str
    visibility: Literal["public", "internal", "staging", "unlisted"]


@dataclass(frozen=True, slots=True)
class ImageConfig:
    name: str
    os: Literal["linux", "windows"] = "linux"
    context: BuildContext | None = None
    publish: Publish | None = None


@dataclass(frozen=True, slots=True)
class AssetEnvironmentConfig:
    """An environment asset's ``environment.yaml``."""

    image: ImageConfig
    schema_: str | None = None


def _mapping(value: Any, allowed: frozenset[str], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if type(value) is not dict or not value.keys() <= allowed:
        raise _Unsure
    for name in required:
        if name not in value:
            raise _Unsure
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _Unsure
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _word(value: Any, words: tuple[str, ...]) -> Any:
    if type(value) is not str or value not in words:
        raise _Unsure
    return value


def _strs(value: Any) -> list[str]:
    if type(value) is not list or any(type(v) is not str for v in value):
        raise _Unsure
    return list(value)


def _version(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is int:
        return str(value)
    if type(value) is not str or not value.strip():
        raise _Unsure  # other numbers, booleans, empty text: pydantic's conversion or message
    return value


_ASSET_KEYS = frozenset(
    ("$schema", "name", "version", "type", "spec", "extra_config", "release_paths", "test")
)
_PYTEST_KEYS = frozenset(("enabled", "pip_requirements", "tests_dir"))


def _test(value: Any) -> TestConfig | None:
    if value is None:
        return None
    pytest = _mapping(value, frozenset(("pytest",))).get("pytest")
    if pytest is None:
        return TestConfig()
    data = _mapping(pytest, _PYTEST_KEYS)
    enabled = data.get("enabled", True)
    if type(enabled) is not bool:
        raise _Unsure
    return TestConfig(
        PytestConfig(
            enabled, _opt_str(data.get("pip_requirements")), _str(data.get("tests_dir", "tests"))
        )
    )


def _asset(data: Any) -> AssetConfig:
    data = _mapping(data, _ASSET_KEYS, ("type", "spec"))
    return AssetConfig(
        type=_word(data["type"], _TYPES),
        spec=_str(data["spec"]),
        schema_=_opt_str(data.get("$schema")),
        name=_opt_str(data.get("name")),
        version=_version(data.get("version")),
        extra_config=_opt_str(data.get("extra_config")),
        release_paths=_strs(data.get("release_paths", [])),
        test=_test(data.get("test")),
    )


_IMAGE_KEYS = frozenset(("name", "os", "context", "publish"))
_CONTEXT_KEYS = frozenset(("dir", "dockerfile", "template_files"))
_PUBLISH_KEYS = frozenset(("location", "visibility"))


def _environment(data: Any) -> AssetEnvironmentConfig:
    data = _mapping(data, frozenset(("$schema", "image")), ("image",))
    image = _mapping(data["image"], _IMAGE_KEYS, ("name",))
    context = image.get("context")
    if context is not None:
        ctx = _mapping(context, _CONTEXT_KEYS, ("dir",))
        context = BuildContext(
            _str(ctx["dir"]),
            _str(ctx.get("dockerfile", "Dockerfile")),
            _strs(ctx.get("template_files", [])),
        )
    publish = image.get("publish")
    if publish is not None:
        pub = _mapping(publish, _PUBLISH_KEYS, ("location", "visibility"))
        publish = Publish(_str(pub["location"]), _word(pub["visibility"], _VISIBILITIES))
    return AssetEnvironmentConfig(
        ImageConfig(_str(image["name"]), _word(image.get("os", "linux"), _OS), context, publish),
        _opt_str(data.get("$schema")),
    )


def load_asset_config(doc: Document) -> AssetConfig:
    """``asset.yaml``'s config; SpecError (file:line:col, every problem) when invalid."""
    try:
        return _asset(doc.data)
    except _Unsure:
        from envyard.spec.asset_kinds import ASSET
        from envyard.spec.loader import validate_document

        return cast("AssetConfig", _from_model(validate_document(doc, ASSET).model))


def load_environment_config(doc: Document) -> AssetEnvironmentConfig:
    """An environment asset's ``environment.yaml``; SpecError when invalid."""
    try:
        return _environment(doc.data)
    except _Unsure:
        from envyard.spec.asset_kinds import ASSET_ENVIRONMENT
        from envyard.spec.loader import validate_document

        model = validate_document(doc, ASSET_ENVIRONMENT).model
        return cast("AssetEnvironmentConfig", _from_model(model))


_TWINS: dict[str, type] = {
    c.__name__: c
    for c in (
        PytestConfig,
        TestConfig,
        AssetConfig,
        BuildContext,
        Publish,
        ImageConfig,
        AssetEnvironmentConfig,
    )
}


def _from_model(model: BaseModel) -> Any:
    """The value object of a validated model (nested models too), with pydantic's values."""
    values = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        values[name] = _from_model(value) if type(value).__name__ in _TWINS else value
    return _TWINS[type(model).__name__](**values)
