"""``{{latest-pypi-version}}`` against the real pypiserver fixture and a static PEP 691 index."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.resolvers.base import ResolveContext
from envyard.assets.resolvers.pypi import LatestPypiVersion
from envyard.assets.tags.http import HttpSession
from envyard.assets.tags.scan import scan
from envyard.errors import NotFoundError
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

from .conftest import StaticIndex


def latest(line: str, index_urls: list[str]) -> tuple[str, str]:
    async def go() -> tuple[str, str]:
        async with HttpSession() as session:
            ctx = ResolveContext(AssetSettings(index_urls=index_urls), session)
            (tag,) = scan(line, "requirements.txt")
            result = await LatestPypiVersion().resolve(tag, ctx)
            return result.value, result.source

    return asyncio.run(go())


def test_pre_releases_only_with_pre(pypi_index: PypiIndex) -> None:
    name = unique_name("pkg")
    for version in ("1.9.0", "1.10.0", "2.0.0rc1", "1.2.0"):
        pypi_index.add_wheel(name, version)
    assert latest(f"{name}=={{{{latest-pypi-version}}}}", [pypi_index.url]) == (
        "1.10.0",
        pypi_index.url,
    )
    assert latest(f"{name}[x]=={{{{latest-pypi-version:pre}}}}", [pypi_index.url])[0] == "2.0.0rc1"


def test_only_pre_releases_without_pre_is_an_error(pypi_index: PypiIndex) -> None:
    name = unique_name("pkg")
    pypi_index.add_wheel(name, "1.0.0b1")
    with pytest.raises(NotFoundError) as info:
        latest(f"{name}=={{{{latest-pypi-version}}}}", [pypi_index.url])
    assert "no final release" in str(info.value)
    assert ":pre" in str(info.value)


def test_unknown_package_is_an_error_never_none(pypi_index: PypiIndex) -> None:
    name = unique_name("missing")
    with pytest.raises(NotFoundError) as info:
        latest(f"{name}=={{{{latest-pypi-version}}}}", [pypi_index.url])
    assert f"package '{name}' does not exist on {pypi_index.url}" in str(info.value)


def test_first_index_that_knows_the_package_answers(
    pypi_index: PypiIndex, fresh_pypi_index: PypiIndex
) -> None:
    name = unique_name("pkg")
    fresh_pypi_index.add_wheel(name, "3.0")
    pypi_index.add_wheel(name, "9.0")
    assert (
        latest(f"{name}=={{{{latest-pypi-version}}}}", [fresh_pypi_index.url, pypi_index.url])[0]
        == "3.0"
    )


@pytest.mark.parametrize("as_json", [True, False])
def test_yanked_releases_are_excluded(static_index: StaticIndex, as_json: bool) -> None:
    name = unique_name("yank")
    files = [
        (f"{name.replace('-', '_')}-1.0-py3-none-any.whl", False),
        (f"{name}-1.0.tar.gz", False),
        (f"{name.replace('-', '_')}-1.1-py3-none-any.whl", True),  # yanked
        (f"{name}-1.1.tar.gz", True),
        (f"{name.replace('-', '_')}-1.2rc1-py3-none-any.whl", False),
    ]
    static_index.add(name, files, as_json=as_json)
    assert latest(f"{name}=={{{{latest-pypi-version}}}}", [static_index.url])[0] == "1.0"
    assert latest(f"{name}=={{{{latest-pypi-version:pre}}}}", [static_index.url])[0] == "1.2rc1"


def _latest_with(line: str, settings: AssetSettings) -> tuple[str, int]:
    async def go() -> tuple[str, int]:
        async with HttpSession() as session:
            ctx = ResolveContext(settings, session)
            tags = list(scan(line, "requirements.txt"))
            results = [await LatestPypiVersion().resolve(t, ctx) for t in tags]
            return ",".join(r.value for r in results), session.requests

    return asyncio.run(go())


def test_find_links_page_answers_every_package_in_one_request(pypi_index: PypiIndex) -> None:
    names = [unique_name("flat") for _ in range(3)]
    for name in names:
        pypi_index.add_wheel(name, "1.0")
        pypi_index.add_wheel(name, "1.10")
    text = "".join(f"{n}=={{{{latest-pypi-version}}}}\n" for n in names)
    settings = AssetSettings(find_links=[pypi_index.root_url + "packages/"], no_index=True)
    values, requests = _latest_with(text, settings)
    assert values == "1.10,1.10,1.10"
    assert requests == 1
    with pytest.raises(NotFoundError, match="does not exist"):
        _latest_with(f"{unique_name('gone')}=={{{{latest-pypi-version}}}}\n", settings)


def test_find_links_folder(tmp_path: Path) -> None:
    from envyard.testing.wheels import build_wheel

    build_wheel(tmp_path, "folder-pkg", "2.1")
    build_wheel(tmp_path, "folder-pkg", "2.2rc1")
    settings = AssetSettings(find_links=[str(tmp_path)], no_index=True)
    assert _latest_with("folder-pkg=={{latest-pypi-version}}", settings) == ("2.1", 0)


def test_429_and_5xx_are_retried(static_index: StaticIndex) -> None:
    name = unique_name("retry")
    static_index.add(
        name, [(f"{name.replace('-', '_')}-4.2-py3-none-any.whl", False)], as_json=True
    )
    static_index.fail_next(429, 503, 502)
    assert latest(f"{name}=={{{{latest-pypi-version}}}}", [static_index.url])[0] == "4.2"
    assert len(static_index.served) == 4  # three failures answered, then the real page


def test_a_server_that_keeps_failing_is_an_error(static_index: StaticIndex) -> None:
    from envyard.errors import ResolveError

    name = unique_name("down")
    static_index.add(
        name, [(f"{name.replace('-', '_')}-1.0-py3-none-any.whl", False)], as_json=False
    )
    static_index.fail_next(*([503] * 5))
    with pytest.raises(ResolveError, match="answered 503"):
        latest(f"{name}=={{{{latest-pypi-version}}}}", [static_index.url])
    assert len(static_index.served) == 5  # one try plus four retries
