"""Locked packages in the UI, in real Chromium: a version's packages, its diff against the
version before, and finding environments by package. Screenshots go to the test's tmp dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from envyard.testing.browser import screenshot
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

from .conftest import UiServer

pytestmark = pytest.mark.xdist_group("envyard-ui")


def _search(page: Any, query: str) -> set[str]:
    """The refs a package search lists (the page's text when it shows no results table)."""
    page.fill("#package-query", query)
    page.click("#package-form button")
    page.wait_for_selector("#matches, #no-matches, #query-error, main")
    assert page.locator("#matches").count() == 1, page.inner_text("main")
    return {str(r.get_attribute("data-ref")) for r in page.locator("#matches tbody tr").all()}


def _names(page: Any, selector: str) -> list[str]:
    return [str(r.get_attribute("data-package")) for r in page.locator(selector).all()]


def test_packages_diff_and_search(
    page: Any, ui_server: UiServer, pypi_index: PypiIndex, tmp_path: Path
) -> None:
    # distributions as the lock names them (PEP 503: lowercase, "-"); modules use "_"
    keep, bump, drop, add = (unique_name(p) for p in ("keep", "bump", "drop", "add"))
    for package in (keep, bump, drop):
        pypi_index.add_wheel(package.replace("-", "_"), "1.0")
    index = f"--index-url {pypi_index.url}"
    name = unique_name("ui-locked")
    envs = ui_server.registry.environments
    envs.create({"name": name, "image": "localhost/py:3.11", "kernel": [index, keep, bump, drop]})
    pypi_index.add_wheel(bump.replace("-", "_"), "2.1")
    pypi_index.add_wheel(add.replace("-", "_"), "0.3")
    envs.update(
        name, {"name": name, "image": "localhost/py:3.11", "kernel": [index, keep, bump, add]}
    )
    envs.create({"name": unique_name("ui-nokernel"), "image": "localhost/py:3.11"})  # no lock
    other = unique_name("ui-other")
    envs.create({"name": other, "image": "localhost/py:3.11", "kernel": [index, f"{bump}<2"]})

    # the detail page links to the version's packages
    page.goto(f"{ui_server.url}/environments/{name}")
    page.click("#packages-link")
    page.wait_for_selector("#packages")
    assert page.url.endswith(f"/environments/{name}/packages?version=2")
    assert sorted(_names(page, "#packages tbody tr")) == sorted([keep, bump, add])
    row = page.locator(f'#packages tr[data-package="{bump}"]')
    assert "2.1" in row.inner_text()
    assert f"{bump.replace('-', '_')}-2.1-py3-none-any.whl" in row.inner_text()
    assert page.inner_text("#lock-hash").startswith("sha256:")

    # ... and what changed since version 1
    changes = {
        str(r.get_attribute("data-package")): str(r.get_attribute("data-change"))
        for r in page.locator("#changes tbody tr").all()
    }
    assert changes == {bump: "upgraded", drop: "removed", add: "added"}
    assert "1.0 → 2.1" in page.inner_text(f'#changes tr[data-package="{bump}"]')
    assert page.inner_text("#diff-refs") == f"from {name}@1 to {name}@2"
    shot = screenshot(page, tmp_path / "packages-and-diff.png")
    assert shot.stat().st_size > 10_000

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one column
    screenshot(page, tmp_path / "packages-390px.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.set_viewport_size({"width": 1360, "height": 900})

    # version 1 compared with nothing before it: every package is new
    page.goto(f"{ui_server.url}/environments/{name}/packages?version=1")
    assert sorted(_names(page, "#changes tbody tr")) == sorted([keep, bump, drop])

    # find by package: a name, then a constraint only one environment's lock meets
    page.goto(ui_server.url + "/")
    page.click("#find-package")
    assert _search(page, bump) == {f"{name}@2", f"{other}@1"}
    assert _search(page, f"{bump}>=2") == {f"{name}@2"}
    shot = screenshot(page, tmp_path / "package-search.png")
    assert shot.stat().st_size > 10_000
    page.click(f'#matches tr[data-ref="{name}@2"] td:nth-child(2) a')
    page.wait_for_selector("#packages")
    assert "version=2" in page.url

    # a query that is not a requirement is explained on the page, not an error page
    page.goto(ui_server.url + "/packages?q=torch%20%3E%3E%3D%202")
    assert "'torch >>= 2' is not a package query" in page.inner_text("#query-error")
    assert page.locator("#match-count").count() == 0
    shot = screenshot(page, tmp_path / "package-query-error.png")
    assert shot.exists()
