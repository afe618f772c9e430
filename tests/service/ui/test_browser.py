"""The UI in real headless Chromium against a real server: sign in, create, filter, deprecate,
copy a launch command, upload a conda export, delete, and see runs. Screenshots are saved in
``test-artifacts/``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from envyard.registry.records import EnvironmentRecord
from envyard.testing.conda_channel import CondaChannel, conda_channel
from envyard.testing.plugin import unique_name

from .conftest import UiServer, screenshot

CONDA_EXPORT = """\
name: science
channels:
  - {channel}
dependencies:
  - tinynumpy=1.26.4
  - pip:
      - six==1.16.0
prefix: /home/someone/miniconda3/envs/science
"""

__all__ = ["conda_channel"]

# one worker runs these: the session's server/images are started once
pytestmark = pytest.mark.xdist_group("envyard-ui")


def _sign_in(page: Any, ui_server: UiServer, scope: str = "write") -> None:
    page.goto(ui_server.url + "/")
    page.fill("#token-input", ui_server.token(scope))
    page.click("#sign-in")
    page.wait_for_selector("#who")


def test_create_filter_deprecate_copy_and_delete(page: Any, ui_server: UiServer) -> None:
    name = unique_name("ui-env")
    _sign_in(page, ui_server)
    assert "write" in page.inner_text("#who")

    page.click("text=+ New environment")
    page.fill(
        "#yaml_text",
        f"name: {name}\ndescription: made in Chromium\nimage: docker.io/library/python:3.11-slim\n"
        f"kernel:\n  - six==1.16.0\ntags:\n  GPU: ''\n  team: vision\n",
    )
    page.click("#create-yaml")
    page.wait_for_selector("#state")
    assert f"created {name}@1" in page.inner_text("#flash")
    assert page.inner_text("#state") == "active"
    assert f"name: {name}" in page.inner_text("#yaml")
    assert "six==1.16.0" in page.inner_text("#yaml")
    record = ui_server.registry.environments.get(name)
    assert isinstance(record, EnvironmentRecord)
    assert record.tags == {"GPU": "", "team": "vision"}
    assert record.created_by == "token:ui-write"

    # the list: search and tag filter find it; another tag does not
    page.goto(ui_server.url + "/")
    page.fill("#search", name)
    page.click("#filters button")
    assert page.locator(f'tr[data-name="{name}"]').count() == 1
    page.goto(ui_server.url + "/?tag=team%3Dvision&q=" + name)
    assert page.locator(f'tr[data-name="{name}"]').count() == 1
    page.goto(ui_server.url + "/?tag=team%3Daudio&q=" + name)
    assert page.locator(f'tr[data-name="{name}"]').count() == 0
    assert page.is_visible("#empty")

    # a new version from the edited YAML
    page.goto(ui_server.url + "/?q=" + name)
    page.click(f'tr[data-name="{name}"] a.name')
    page.click("#new-version")
    text = page.input_value("#yaml_text")
    assert "version:" not in text
    page.fill("#yaml_text", text.replace("made in Chromium", "second take"))
    page.click("#save-version")
    page.wait_for_selector("#state")
    assert f"created {name}@2" in page.inner_text("#flash")
    assert "second take" in page.inner_text("#yaml")
    assert page.locator("#versions tbody tr").count() == 2
    assert ui_server.registry.environments.get(name).version == "2"

    # the launch command is copyable
    page.goto(ui_server.url + "/?q=" + name)
    button = page.locator(f'tr[data-name="{name}"] button.copy')
    assert button.get_attribute("data-copy") == f"envyard env launch {name}@2 -- python"
    button.click()
    page.wait_for_function("b => b.dataset.copied !== undefined", arg=button.element_handle())
    assert button.get_attribute("data-copied") == f"envyard env launch {name}@2 -- python"
    screenshot(page, "ui-environment-list")

    # deprecate from the detail page: an unknown successor is refused, a real one accepted
    successor = unique_name("ui-next")
    ui_server.registry.environments.create({"name": successor, "image": "a/b:2"})
    page.click(f'tr[data-name="{name}"] a.name')
    page.fill('input[name="replaced_by"]', "no-such-environment")
    page.click("#deprecate")
    assert "no-such-environment" in page.inner_text(".flash.error")
    assert page.inner_text("#state") == "active"
    page.fill('input[name="replaced_by"]', successor)
    page.fill('input[name="delete_on"]', "2031-01-31")
    page.click("#deprecate")
    page.wait_for_selector(".flash.ok")
    assert page.inner_text("#state") == "deprecated"
    assert successor in page.inner_text(".banner.warn")
    assert "2031-01-31" in page.inner_text(".banner.warn")
    for ref in (f"{name}@1", f"{name}@2"):  # "every version" was the default
        deprecated = ui_server.registry.environments.get(ref)
        assert deprecated.state == "deprecated"
        assert deprecated.replaced_by == successor
    screenshot(page, "ui-environment-detail")

    # delete (confirmation accepted)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(url=ui_server.url + "/"):
        page.click("#delete")
    assert f"deleted {name}" in page.inner_text("#flash")
    assert page.locator(f'tr[data-name="{name}"]').count() == 0


def test_create_from_an_uploaded_conda_export(
    page: Any, ui_server: UiServer, conda_channel: CondaChannel
) -> None:
    """The export's channel is a local one (the lock resolves it; no network)."""
    conda_channel.add_package("tinynumpy", "1.26.4")
    export = CONDA_EXPORT.format(channel=conda_channel.url)
    name = unique_name("ui-conda")
    _sign_in(page, ui_server)
    page.goto(ui_server.url + "/create#conda")
    page.click("#tab-conda")
    upload = {"name": "environment.yml", "mimeType": "text/yaml", "buffer": export.encode()}
    page.set_input_files("#conda_file", files=[upload])
    page.fill("#conda-name", name)
    page.fill("#conda-image", "registry.example.com/science/base:2")
    page.fill('input[name="tags"]', "GPU, Python=3.11")
    screenshot(page, "ui-create-conda")
    page.click("#create-conda")
    page.wait_for_selector("#state")
    yaml_text = page.inner_text("#yaml")
    assert "tinynumpy=1.26.4" in yaml_text
    assert "six==1.16.0" in yaml_text
    assert "prefix" not in yaml_text  # the exporting machine's path is dropped
    record = ui_server.registry.environments.get(name)
    assert isinstance(record, EnvironmentRecord)
    assert record.tags == {"GPU": "", "Python": "3.11"}
    assert record.image == "registry.example.com/science/base:2"


def test_bad_yaml_is_shown_with_its_location_and_nothing_is_created(
    page: Any, ui_server: UiServer
) -> None:
    name = unique_name("ui-bad")
    _sign_in(page, ui_server)
    page.goto(ui_server.url + "/create")
    page.fill("#yaml_text", f"name: {name}\nimage: a/b:1\nkernel: 5\n")
    page.click("#create-yaml")
    errors = page.inner_text("#errors")
    assert re.search(r"environment\.yaml:3:\d+: kernel:", errors), errors
    assert page.input_value("#yaml_text").startswith(f"name: {name}")  # the text is kept
    assert ui_server.registry.environments.list(prefix=name).total == 0


def test_writes_need_a_write_token(page: Any, ui_server: UiServer) -> None:
    name = unique_name("ui-anon")
    page.goto(ui_server.url + "/create")
    page.fill("#yaml_text", f"name: {name}\nimage: a/b:1\n")
    page.click("#create-yaml")
    assert "not signed in" in page.inner_text("#errors")
    _sign_in(page, ui_server, scope="read")
    page.goto(ui_server.url + "/create")
    page.fill("#yaml_text", f"name: {name}\nimage: a/b:1\n")
    page.click("#create-yaml")
    assert "'read' scope; this needs 'write'" in page.inner_text("#errors")
    assert ui_server.registry.environments.list(prefix=name).total == 0


def test_runs_page_lists_run_records(page: Any, ui_server: UiServer) -> None:
    job = unique_name("train")
    run = ui_server.registry.runs.create(job, {"name": job}, target="local", backend="local")
    ui_server.registry.runs.update(run.id, state="succeeded", exit_code=0)
    page.goto(ui_server.url + "/runs")
    row = page.locator(f'tr[data-run="{run.id}"]')
    assert job in row.inner_text()
    assert "succeeded" in row.inner_text()
    screenshot(page, "ui-runs")
    row.locator("a").click()
    assert run.id in page.inner_text("h1")
    assert f"name: {job}" in page.inner_text("pre.yaml")
