"""Headless Chromium (Debian's ``chromium``) driven by Playwright, for web UI tests.

Never ``playwright install``: it downloads a browser build, which this kind of machine cannot
fetch. The flags keep Chromium off the network it cannot reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A Playwright ``Browser`` on Debian's Chromium (fails, naming the package, if missing).

    Module-scoped on purpose: Playwright's sync API keeps an asyncio loop running in the
    thread while it is open, and a session-long one would break ``asyncio.run()`` in every
    later test of the same worker.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (scripts/install-test-deps.sh)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own context: cookies, storage) with a 1360x900 viewport."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    new_page = context.new_page()
    new_page.set_default_timeout(15_000)
    yield new_page
    context.close()


def screenshot(page: Any, path: Path) -> Path:
    """Save a full-page screenshot to ``path`` (parent folders are created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
