"""``{{latest-image-tag}}`` against the real registry fixtures (anonymous, basic, token)."""

from __future__ import annotations

import asyncio
import re

import pytest

from envyard.assets.config import AssetSettings, RegistryConfig
from envyard.assets.resolvers.base import Resolution, ResolveContext
from envyard.assets.resolvers.image import LatestImageTag
from envyard.assets.tags.http import HttpSession
from envyard.assets.tags.scan import scan
from envyard.errors import AuthError, EnvyardError, NotFoundError, ResolveError
from envyard.testing.images import DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX
from envyard.testing.plugin import unique_name
from envyard.testing.ports import free_port
from envyard.testing.registry import OciRegistry


def resolve(
    line: str, settings: AssetSettings | None = None, *, retries: int = 2
) -> tuple[Resolution, int]:
    async def go() -> tuple[Resolution, int]:
        async with HttpSession(retries=retries, backoff=0.01) as session:
            ctx = ResolveContext(settings or AssetSettings(), session)
            (tag,) = scan(line, "Dockerfile")
            result = await LatestImageTag().resolve(tag, ctx)
            return result, session.requests

    return asyncio.run(go())


def test_latest_resolves_to_the_newest_tag_with_the_same_digest(oci_registry: OciRegistry) -> None:
    repo = unique_name("app")
    oci_registry.push_image(repo, ["1.9"], content_seed="old")
    pushed = oci_registry.push_image(repo, ["1.2", "1.10", "latest"], content_seed="new")
    result, _ = resolve(f"FROM {oci_registry.host}/{repo}:{{{{latest-image-tag}}}}")
    assert result.value == "1.10"  # not "1.2": numbers compare as numbers
    assert result.digest == pushed.digest
    assert not result.at_digest


def test_latest_without_another_tag_is_the_digest(oci_registry: OciRegistry) -> None:
    repo = unique_name("app")
    oci_registry.push_image(repo, ["1.0"], content_seed="one")
    pushed = oci_registry.push_image(repo, ["latest"], content_seed="two")
    result, _ = resolve(f"FROM {oci_registry.host}/{repo}:{{{{latest-image-tag}}}}")
    assert result.at_digest
    assert result.value == pushed.digest


def test_regex_picks_the_newest_full_match(oci_registry: OciRegistry) -> None:
    repo = unique_name("app")
    oci_registry.push_image(repo, ["v8", "v9", "v10", "v10-rc", "xv11", "latest"])
    result, _ = resolve(f"FROM {oci_registry.host}/{repo}:{{{{latest-image-tag:v\\d+}}}}")
    assert result.value == "v10"
    monthly = unique_name("app")
    oci_registry.push_image(monthly, ["monthly.202312", "monthly.202401", "monthly.202311"])
    result, _ = resolve(
        f"FROM {oci_registry.host}/{monthly}:{{{{latest-image-tag:monthly\\.\\d{{6}}}}}}"
    )
    assert result.value == "monthly.202401"


def test_pin_digest(oci_registry: OciRegistry) -> None:
    repo = unique_name("app")
    pushed = oci_registry.push_image(repo, ["v9", "v10"])
    result, _ = resolve(
        f"FROM {oci_registry.host}/{repo}:{{{{latest-image-tag:v\\d+}}}}",
        AssetSettings(pin_digest=True),
    )
    assert result.value == f"v10@{pushed.digest}"


@pytest.mark.parametrize("media_type", [DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST])
def test_docker_and_index_manifests(oci_registry: OciRegistry, media_type: str) -> None:
    repo = unique_name("app")
    if media_type == DOCKER_MANIFEST:
        pushed = oci_registry.push_image(repo, ["2.0", "latest"], media_type=media_type)
    else:
        pushed = oci_registry.push_index(repo, ["2.0", "latest"], media_type=media_type)
    result, _ = resolve(f"FROM {oci_registry.host}/{repo}:{{{{latest-image-tag}}}}")
    assert (result.value, result.digest) == ("2.0", pushed.digest)


def test_many_tags_and_link_pagination(oci_registry: OciRegistry) -> None:
    """120 tags; Link pagination is followed (distribution 2.8 ignores ``n`` on tags/list and
    answers in one page, but pages ``/_catalog``: the same paginator is exercised there)."""
    repo = unique_name("app")
    oci_registry.push_image(repo, ["t0"])
    oci_registry.tag_many(repo, "t0", [f"t{i}" for i in range(1, 120)])
    settings = AssetSettings(tag_page_size=10)
    result, _ = resolve(f"FROM {oci_registry.host}/{repo}:{{{{latest-image-tag:t\\d+}}}}", settings)
    assert result.value == "t119"
    prefix = unique_name("paged")
    names = [f"{prefix}/r{i}" for i in range(25)]
    for name in names:
        oci_registry.push_image(name, ["1"])

    async def catalog() -> tuple[list[str], int]:
        async with HttpSession() as session:
            ctx = ResolveContext(settings, session)
            return await ctx.oci.repositories(oci_registry.host), session.requests

    found, requests = asyncio.run(catalog())
    assert set(names) <= set(found)
    assert requests >= 3  # at least three pages of 10


def test_basic_auth(oci_registry_basic_auth: OciRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = oci_registry_basic_auth
    repo = unique_name("app")
    registry.push_image(repo, ["v1", "v2", "latest"])
    line = f"FROM {registry.host}/{repo}:{{{{latest-image-tag}}}}"
    with pytest.raises(AuthError) as info:
        resolve(line)
    assert "needs credentials" in str(info.value)
    monkeypatch.setenv("TEST_REGISTRY_PASSWORD", registry.password or "")
    settings = AssetSettings(
        registries={
            registry.host: RegistryConfig(
                username=registry.username, password_env="TEST_REGISTRY_PASSWORD"
            )
        }
    )
    result, _ = resolve(line, settings)
    assert result.value == "v2"
    monkeypatch.setenv("TEST_REGISTRY_PASSWORD", "wrong")
    with pytest.raises(AuthError):
        resolve(line, settings)


def test_bearer_token_flow(
    oci_registry_token_auth: OciRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = oci_registry_token_auth
    repo = unique_name("app")
    registry.push_image(repo, ["v1", "v2", "v3", "latest"])
    line = f"FROM {registry.host}/{repo}:{{{{latest-image-tag}}}}"
    with pytest.raises(AuthError) as info:
        resolve(line)
    assert "token service" in str(info.value)
    monkeypatch.setenv("TEST_TOKEN_PASSWORD", registry.password or "")
    settings = AssetSettings(
        registries={
            registry.host: RegistryConfig(
                username=registry.username, password_env="TEST_TOKEN_PASSWORD"
            )
        }
    )
    result, requests = resolve(line, settings)
    assert result.value == "v3"
    # one challenge, one token for the repository (cached), then tags + 4 manifests
    assert requests <= 1 + 1 + 1 + 4 + 1


def test_mirrors_serve_another_registry_host(oci_registry: OciRegistry) -> None:
    repo = unique_name("azureml/base")
    oci_registry.push_image(repo, ["monthly.202401", "latest"])
    settings = AssetSettings(mirrors={"mcr.microsoft.com": oci_registry.host})
    result, _ = resolve(f"FROM mcr.microsoft.com/{repo}:{{{{latest-image-tag}}}}", settings)
    assert result.value == "monthly.202401"
    assert result.source == oci_registry.url


def test_clear_errors(oci_registry: OciRegistry) -> None:
    repo = unique_name("app")
    oci_registry.push_image(repo, ["v1"])
    with pytest.raises(ResolveError, match="does not exist"):
        resolve(f"FROM {oci_registry.host}/{unique_name('nope')}:{{{{latest-image-tag}}}}")
    with pytest.raises(NotFoundError, match=re.escape("fully matches 'v\\d+\\.0'")):
        resolve(f"FROM {oci_registry.host}/{repo}:{{{{latest-image-tag:v\\d+\\.0}}}}")
    with pytest.raises(NotFoundError, match="has no 'latest' tag"):
        resolve(f"FROM {oci_registry.host}/{repo}:{{{{latest-image-tag}}}}")


def test_unreachable_registry_is_an_error_after_retries() -> None:
    port = free_port()
    with pytest.raises(EnvyardError) as info:
        resolve(f"FROM 127.0.0.1:{port}/app:{{{{latest-image-tag}}}}", retries=2)
    assert "cannot reach 127.0.0.1" in str(info.value)
    assert "3 attempts" in str(info.value)
