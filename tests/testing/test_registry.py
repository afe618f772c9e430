"""envyard.testing.registry: a real distribution registry, anonymous / basic / token auth."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from envyard.testing.images import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    MANIFEST_ACCEPT,
    OCI_INDEX,
    OCI_MANIFEST,
)
from envyard.testing.plugin import unique_name
from envyard.testing.registry import OciRegistry
from envyard.testing.registry_client import parse_challenge
from envyard.testing.token_issuer import TokenIssuer

pytestmark = pytest.mark.slow


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=30) as client:
        yield client


def _get_manifest(http: httpx.Client, registry: OciRegistry, repo: str, ref: str) -> httpx.Response:
    response = http.get(
        f"{registry.url}/v2/{repo}/manifests/{ref}", headers={"Accept": MANIFEST_ACCEPT}
    )
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("media_type", [OCI_MANIFEST, DOCKER_MANIFEST])
def test_tags_with_same_content_resolve_to_same_digest(
    oci_registry: OciRegistry, http: httpx.Client, media_type: str
) -> None:
    repo = unique_name("team/app")
    first = oci_registry.push_image(repo, ["1.0"], media_type=media_type, content_seed="v1")
    latest = oci_registry.push_image(repo, "latest", media_type=media_type, content_seed="v1")
    other = oci_registry.push_image(repo, "2.0", media_type=media_type, content_seed="v2")
    assert first.digest == latest.digest != other.digest

    by_tag = {tag: _get_manifest(http, oci_registry, repo, tag) for tag in ("1.0", "latest", "2.0")}
    assert {r.headers["Content-Type"] for r in by_tag.values()} == {media_type}
    assert by_tag["1.0"].headers["Docker-Content-Digest"] == first.digest
    assert by_tag["latest"].headers["Docker-Content-Digest"] == first.digest
    assert by_tag["2.0"].headers["Docker-Content-Digest"] == other.digest
    assert json.loads(by_tag["latest"].content)["mediaType"] == media_type
    assert oci_registry.resolve(repo, "latest") == first.digest
    assert first.reference == f"{oci_registry.host}/{repo}@{first.digest}"
    assert first.tagged() == f"{oci_registry.host}/{repo}:1.0"


@pytest.mark.parametrize(
    ("media_type", "child_type"),
    [(OCI_INDEX, OCI_MANIFEST), (DOCKER_MANIFEST_LIST, DOCKER_MANIFEST)],
)
def test_multi_platform_index(
    oci_registry: OciRegistry, http: httpx.Client, media_type: str, child_type: str
) -> None:
    repo = unique_name("team/multi")
    pushed = oci_registry.push_index(repo, "1.0", media_type=media_type, content_seed="m")
    response = _get_manifest(http, oci_registry, repo, "1.0")
    assert response.headers["Content-Type"] == media_type
    assert response.headers["Docker-Content-Digest"] == pushed.digest
    assert len(pushed.children) == 2
    for child in pushed.children:
        child_response = _get_manifest(http, oci_registry, repo, child.digest)
        assert child_response.headers["Content-Type"] == child_type


def test_many_tags_and_link_pagination(tmp_path: Path, http: httpx.Client) -> None:
    """120 tags on one repository, and Link-paginated listing of 120 repositories.

    distribution 2.8 (Debian's docker-registry) ignores ``n``/``last`` on ``/tags/list``
    (distribution/distribution#1936, implemented only in v3 by #3143): it returns every tag at
    once without a Link header. ``/_catalog`` does paginate with Link in 2.8, so the Link
    pagination is exercised there. If this assertion starts failing, the registry now pages
    tags too: tag-listing code must follow Link headers (``RegistryClient.list_tags`` does).
    """
    with OciRegistry.start(tmp_path / "registry") as registry:
        pushed = registry.push_image("paged/app", "base", content_seed="p")
        tags = [f"v{i:03d}" for i in range(120)]
        assert registry.tag_many("paged/app", "base", tags) == pushed.digest

        response = http.get(f"{registry.url}/v2/paged/app/tags/list", params={"n": "50"})
        assert response.status_code == 200
        assert sorted(response.json()["tags"]) == sorted([*tags, "base"])
        assert "Link" not in response.headers
        assert sorted(registry.client.list_tags("paged/app", page_size=50)) == sorted(
            [*tags, "base"]
        )
        assert registry.resolve("paged/app", "v119") == pushed.digest

        repos = [f"repo{i:03d}" for i in range(120)]
        for repo in repos:
            registry.push_image(repo, "1", content_seed="p")
        seen: list[str] = []
        pages = 0
        url: str | None = f"{registry.url}/v2/_catalog?n=50"
        while url is not None:
            page = http.get(url)
            assert page.status_code == 200
            seen.extend(page.json()["repositories"])
            pages += 1
            link = page.links.get("next")
            if link is not None:
                assert 'rel="next"' in page.headers["Link"]
            url = None if link is None else str(page.url.join(link["url"]))
        assert pages == 3
        assert seen == sorted([*repos, "paged/app"])
        assert registry.client.catalog(page_size=50) == seen


def test_delete_manifest(oci_registry: OciRegistry, http: httpx.Client) -> None:
    repo = unique_name("team/gone")
    pushed = oci_registry.push_image(repo, "1.0", content_seed="d")
    oci_registry.client.delete_manifest(repo, pushed.digest)
    response = http.get(
        f"{oci_registry.url}/v2/{repo}/manifests/1.0", headers={"Accept": MANIFEST_ACCEPT}
    )
    assert response.status_code == 404


def test_basic_auth(oci_registry_basic_auth: OciRegistry, http: httpx.Client) -> None:
    registry = oci_registry_basic_auth
    assert registry.username is not None
    assert registry.password is not None
    anonymous = http.get(f"{registry.url}/v2/")
    assert anonymous.status_code == 401
    assert parse_challenge(anonymous.headers["WWW-Authenticate"])[0] == "basic"
    wrong = http.get(f"{registry.url}/v2/", auth=(registry.username, "wrong"))
    assert wrong.status_code == 401
    right = http.get(f"{registry.url}/v2/", auth=(registry.username, registry.password))
    assert right.status_code == 200

    repo = unique_name("private/app")
    pushed = registry.push_image(repo, ["1.0", "latest"], content_seed="b")
    assert registry.resolve(repo, "latest") == pushed.digest
    with registry.new_client(anonymous=True) as client:
        with pytest.raises(httpx.HTTPStatusError) as excinfo:
            client.resolve(repo, "latest")
        assert excinfo.value.response.status_code == 401


def test_token_auth(oci_registry_token_auth: OciRegistry, http: httpx.Client) -> None:
    registry = oci_registry_token_auth
    issuer = registry.token_issuer
    assert issuer is not None
    assert registry.username is not None
    assert registry.password is not None
    repo = unique_name("secure/app")
    pushed = registry.push_image(repo, "1.0", content_seed="t")

    manifest_url = f"{registry.url}/v2/{repo}/manifests/1.0"
    anonymous = http.get(manifest_url, headers={"Accept": MANIFEST_ACCEPT})
    assert anonymous.status_code == 401
    scheme, challenge = parse_challenge(anonymous.headers["WWW-Authenticate"])
    assert scheme == "bearer"
    assert challenge["realm"] == issuer.url
    assert challenge["service"] == issuer.service
    assert challenge["scope"] == f"repository:{repo}:pull"

    params = {"service": challenge["service"], "scope": challenge["scope"]}
    denied = http.get(challenge["realm"], params=params, auth=(registry.username, "wrong"))
    assert denied.status_code == 401
    granted = http.get(
        challenge["realm"], params=params, auth=(registry.username, registry.password)
    )
    assert granted.status_code == 200
    token = granted.json()["token"]
    with_token = http.get(
        manifest_url, headers={"Accept": MANIFEST_ACCEPT, "Authorization": f"Bearer {token}"}
    )
    assert with_token.status_code == 200
    assert with_token.headers["Docker-Content-Digest"] == pushed.digest

    other_repo = http.get(
        f"{registry.url}/v2/{repo}-other/manifests/1.0",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert other_repo.status_code == 401  # the token's scope names only `repo`

    with TokenIssuer(service=issuer.service, issuer=issuer.issuer) as stranger:
        forged = stranger.issue("mallory", [f"repository:{repo}:pull"])
    rejected = http.get(manifest_url, headers={"Authorization": f"Bearer {forged}"})
    assert rejected.status_code == 401  # signed by a key the registry does not trust
