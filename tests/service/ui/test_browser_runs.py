"""Runs, narrow screens, sorting and the API docs in real headless Chromium against a real
server. Screenshots (``test-artifacts/``): a run page with its log lines, followed live while
the job runs, and the front page at 390 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from envyard.testing.jobs import gated_job, submit
from envyard.testing.plugin import unique_name

from .conftest import UiServer, screenshot

pytestmark = pytest.mark.xdist_group("envyard-ui")


def test_run_page_follows_the_logs_live(
    page: Any, ui_server: UiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_name = unique_name("live-env")
    ui_server.registry.environments.create({"name": env_name, "image": "python:3.11-slim"})
    job = gated_job(tmp_path, unique_name("live"))
    run = submit(job, home=ui_server.home, db_url=ui_server.db_url, monkeypatch=monkeypatch)
    page.goto(f"{ui_server.url}/runs/{run.id}")
    expect(page.locator("#log")).to_contain_text("main[0] started")  # (no eval: the CSP)
    assert page.inner_text("#run-state") == "running"
    assert page.is_visible("#live")
    job.open()  # the job goes on: its next lines arrive on the open page
    expect(page.locator("#log")).to_contain_text("main[0] done", timeout=30_000)
    expect(page.locator("#run-state")).to_have_text("succeeded", timeout=30_000)  # reloaded
    log = page.inner_text("#log")
    assert "main[0] envyard: task role main[0] exits with 0" in log
    assert log.count("main[0] started") == 1  # streamed from the first line, not appended twice
    screenshot(page, "ui-run-logs")


def test_narrow_front_page_and_runs_fit_390_px(browser: Any, ui_server: UiServer) -> None:
    for index in range(3):
        name = unique_name(f"narrow-{index}")
        ui_server.registry.environments.create(
            {
                "name": name,
                "description": "a fairly long description that has to wrap on a phone screen",
                "image": "registry.example.com/some/long/path/python:3.11-slim-bookworm",
                "tags": {"Python": "3.11", "team": "vision"},
            }
        )
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    narrow = context.new_page()
    try:
        for path in ("/", "/runs", "/tokens"):
            narrow.goto(ui_server.url + path)
            width = narrow.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width}px wide at 390px"
        narrow.goto(ui_server.url + "/")
        assert narrow.is_visible("#token-input") and narrow.is_visible("#search")
        box = narrow.locator("#environments").bounding_box()
        assert box is not None and box["width"] <= 390  # the table scrolls inside the page
        screenshot(narrow, "ui-front-390")
    finally:
        context.close()


def test_columns_sort_on_click(page: Any, ui_server: UiServer) -> None:
    prefix = unique_name("sort")
    for job in ("b-job", "c-job", "a-job"):
        ui_server.registry.runs.create(f"{prefix}-{job}", {"name": job}, None, "local")
    page.goto(ui_server.url + "/runs")
    jobs = "Array.from(document.querySelectorAll('#runs tbody td:nth-child(2)'))" \
        ".map(c => c.textContent).filter(t => t.startsWith('" + prefix + "'))"  # fmt: skip
    page.click("#runs thead th:nth-child(2)")
    assert page.evaluate(jobs) == [f"{prefix}-a-job", f"{prefix}-b-job", f"{prefix}-c-job"]
    assert page.get_attribute("#runs thead th:nth-child(2)", "aria-sort") == "ascending"
    page.click("#runs thead th:nth-child(2)")
    assert page.evaluate(jobs) == [f"{prefix}-c-job", f"{prefix}-b-job", f"{prefix}-a-job"]


def test_swagger_ui_renders_without_internet(page: Any, ui_server: UiServer) -> None:
    requested: list[str] = []  # what was fetched: the CSP blocks ReDoc's CDN logo unsent
    page.on("response", lambda response: requested.append(response.url))
    page.goto(ui_server.url + "/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Envyard" in page.inner_text(".swagger-ui .info .title")
    assert page.get_by_text("/api/v1/runs/{run_id}/logs").count() >= 1
    assert all(url.startswith(ui_server.url) for url in requested), requested
    page.goto(ui_server.url + "/redoc")
    page.wait_for_selector("text=Envyard")
    outside = [url for url in requested if not url.startswith((ui_server.url, "blob:"))]
    assert outside == []
